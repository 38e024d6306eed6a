//! Markdown to sanitized HTML (pulldown-cmark + ammonia), done once at publish time.

use std::collections::{BTreeMap, HashSet};

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{CourseDoc, ItemDoc};

/// Renders lesson Markdown to HTML that is safe to show: no scripts, no event handlers, no
/// `javascript:` or `data:` URLs; links get `rel="noopener noreferrer"`. Links written
/// `lesson:KEY` become relative links `./KEY` (to the sibling lesson).
pub fn markdown_to_html(md: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(md, options).map(|event| match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if dest_url.starts_with("lesson:") => Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::from(format!("./{}", &dest_url["lesson:".len()..])),
            title,
            id,
        }),
        other => other,
    });
    let mut raw = String::with_capacity(md.len() * 2);
    html::push_html(&mut raw, events);
    let schemes: HashSet<&str> = ["http", "https", "mailto", "tel"].into_iter().collect();
    ammonia::Builder::default()
        .url_schemes(schemes)
        .link_rel(Some("noopener noreferrer"))
        .clean(&raw)
        .to_string()
}

/// How many rendered texts [`markdown_to_html_remembered`] keeps before it starts over.
const REMEMBERED: usize = 4096;

/// [`markdown_to_html`] for texts shown again and again (quiz prompts, on every start, view and
/// submit of an attempt), remembered by their Markdown: rendering and sanitizing them was a tenth of
/// the CPU of a quiz request. Keeps up to `REMEMBERED` texts, then forgets them all.
pub fn markdown_to_html_remembered(md: &str) -> String {
    use std::collections::HashMap;
    use std::sync::{LazyLock, RwLock};
    static SEEN: LazyLock<RwLock<HashMap<String, String>>> = LazyLock::new(Default::default);
    if let Some(html) = SEEN.read().unwrap_or_else(|e| e.into_inner()).get(md) {
        return html.clone();
    }
    let html = markdown_to_html(md);
    let mut seen = SEEN.write().unwrap_or_else(|e| e.into_inner());
    if seen.len() >= REMEMBERED {
        seen.clear();
    }
    seen.insert(md.to_string(), html.clone());
    html
}

/// What a release freezes: the course document and the rendered HTML of every lesson.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReleaseContent {
    pub doc: CourseDoc,
    pub html: BTreeMap<String, String>,
}

impl ReleaseContent {
    pub fn build(doc: &CourseDoc) -> Self {
        let html = doc
            .modules
            .iter()
            .flat_map(|m| m.items.iter())
            .filter_map(|i| match i {
                ItemDoc::Lesson(l) => Some((l.key.clone(), markdown_to_html(&l.body))),
                ItemDoc::Quiz(_) => None,
            })
            .collect();
        Self {
            doc: doc.clone(),
            html,
        }
    }
}

/// Hash of a course document: a new release is made only when it changes.
pub fn content_hash(doc: &CourseDoc) -> String {
    let json = serde_json::to_vec(doc).expect("a course serializes");
    hex::encode(Sha256::digest(json))
}

#[cfg(test)]
mod tests {
    #[test]
    fn remembered_rendering_is_the_rendering() {
        for md in [
            "**Mã OTP** là gì?",
            "<script>x</script>Chọn [một](javascript:alert(1))",
        ] {
            let first = super::markdown_to_html_remembered(md);
            assert_eq!(first, super::markdown_to_html(md));
            assert_eq!(super::markdown_to_html_remembered(md), first);
        }
    }

    use super::*;

    #[test]
    fn xss_payloads_are_neutralised() {
        let payloads = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<svg onload=alert(1)>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
            "<object data=\"x.swf\"></object>",
            "<form action=\"https://evil.example\"><input name=p></form>",
            "<body onload=alert(1)>",
        ];
        for p in payloads {
            let html = markdown_to_html(p).to_lowercase();
            for bad in [
                "<script",
                "onerror",
                "onload",
                "javascript:",
                "data:",
                "<iframe",
                "<svg",
                "style=",
                "<object",
                "<form",
                "<input",
            ] {
                assert!(!html.contains(bad), "{p} gave {html}");
            }
        }
    }

    #[test]
    fn links_and_markdown() {
        let html = markdown_to_html("# Tiêu đề\n\n[Bộ TT](https://mic.gov.vn) và [bài sau](lesson:bai-2)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(html.contains("<h1>Tiêu đề</h1>"), "{html}");
        assert!(
            html.contains("href=\"https://mic.gov.vn\" rel=\"noopener noreferrer\""),
            "{html}"
        );
        assert!(html.contains("href=\"./bai-2\""), "{html}");
        assert!(html.contains("<table>"), "{html}");
    }
}
