//! What `hocso::content::render::markdown_to_html` promises about its output, checked the way a
//! browser would see it: the HTML is parsed again with html5ever as a fragment inside a `<div>`
//! (as it is shown in a lesson page), and every element and attribute of the resulting tree is
//! looked at. A text search would be wrong both ways: `title="<script>"` is harmless text
//! inside an attribute, while `href="jav&#x09;ascript:..."` is a `javascript:` URL that no
//! substring match sees.
//!
//! The checks:
//! - every element is an HTML element (no SVG or MathML) from ammonia's default allow-list, and
//!   none of the known dangerous ones (`script`, `style`, `iframe`, `object`, `form`, ...);
//! - no attribute has a namespace (`xlink:href`, ...), an `on...` name (event handlers), or is
//!   `style`, `srcdoc`, `action`, `formaction`, `http-equiv` or `xmlns`;
//! - every URL-valued attribute (`href`, `src`, `cite`, `srcset`, ...) is either relative or has
//!   one of the configured schemes `http`, `https`, `mailto`, `tel`: so no `javascript:`,
//!   `vbscript:` or `data:`. The scheme is read as the URL standard does: surrounding C0
//!   controls and spaces stripped, tabs and newlines removed anywhere, case folded;
//! - every `<a href>` has `rel="noopener noreferrer"`.

use html5ever::tendril::TendrilSink;
use html5ever::{local_name, ns, parse_fragment, ParseOpts, QualName};
use markup5ever_rcdom::{Handle, NodeData, RcDom};

/// Ammonia's default tag allow-list (ammonia 4.2, `Builder::default`), which hocso uses.
const ALLOWED_TAGS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "area",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "map",
    "mark",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Elements that must never come out, whatever the allow-list says.
const DANGEROUS_TAGS: &[&str] = &[
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "option",
    "base",
    "meta",
    "link",
    "svg",
    "math",
    "template",
    "noscript",
    "noembed",
    "noframes",
    "plaintext",
    "xmp",
    "title",
    "portal",
    "video",
    "audio",
    "source",
    "track",
    "image",
    "animate",
    "set",
    "use",
    "foreignobject",
];

const DANGEROUS_ATTRS: &[&str] = &[
    "style",
    "srcdoc",
    "action",
    "formaction",
    "http-equiv",
    "xmlns",
];

/// Attributes whose value is a URL (or, for `srcset`, a list of them).
const URL_ATTRS: &[&str] = &[
    "href",
    "src",
    "cite",
    "action",
    "formaction",
    "poster",
    "background",
    "longdesc",
    "usemap",
    "codebase",
    "classid",
    "archive",
    "data",
    "icon",
    "manifest",
    "ping",
    "profile",
    "dynsrc",
    "lowsrc",
    "srcset",
    "imagesrcset",
    "itemtype",
];

const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// The scheme of `value` as a browser's URL parser sees it, lower-cased; `None` for a relative
/// URL.
pub fn url_scheme(value: &str) -> Option<String> {
    let trimmed = value.trim_matches(|c: char| c <= ' ');
    let cleaned: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let colon = cleaned.find(':')?;
    let scheme = &cleaned[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    if !first.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    Some(scheme.to_ascii_lowercase())
}

fn check_url(tag: &str, attr: &str, value: &str) -> Result<(), String> {
    match url_scheme(value) {
        Some(s) if !ALLOWED_SCHEMES.contains(&s.as_str()) => Err(format!(
            "<{tag} {attr}=\"{value}\">: URL with scheme `{s}:`"
        )),
        _ => Ok(()),
    }
}

/// `Err` describes the first broken promise found.
pub fn check(html: &str) -> Result<(), String> {
    let dom = parse_fragment(
        RcDom::default(),
        ParseOpts::default(),
        QualName::new(None, ns!(html), local_name!("div")),
        vec![],
        false,
    )
    .one(html);
    // Depth-first without recursion: Markdown nests as deep as the input asks.
    let mut stack: Vec<Handle> = vec![dom.document.clone()];
    while let Some(node) = stack.pop() {
        check_node(&node)?;
        if let NodeData::Element {
            template_contents, ..
        } = &node.data
        {
            stack.extend(template_contents.borrow().iter().cloned());
        }
        stack.extend(node.children.borrow().iter().rev().cloned());
    }
    Ok(())
}

fn check_node(node: &Handle) -> Result<(), String> {
    if let NodeData::Element { name, attrs, .. } = &node.data {
        let tag = name.local.to_ascii_lowercase().to_string();
        if name.ns != ns!(html) {
            return Err(format!(
                "<{tag}> in namespace {:?} (foreign content)",
                name.ns
            ));
        }
        if DANGEROUS_TAGS.contains(&tag.as_str()) {
            return Err(format!("dangerous element <{tag}>"));
        }
        // The fragment parser wraps the content in an <html> root element.
        if tag != "html" && !ALLOWED_TAGS.contains(&tag.as_str()) {
            return Err(format!("element <{tag}> is not on ammonia's allow-list"));
        }
        let attrs = attrs.borrow();
        let mut has_href = false;
        let mut rel = None;
        for a in attrs.iter() {
            let attr = a.name.local.to_ascii_lowercase().to_string();
            let value: &str = &a.value;
            if a.name.ns != ns!() || a.name.prefix.is_some() {
                return Err(format!("<{tag}>: namespaced attribute {attr}"));
            }
            if attr.starts_with("on") {
                return Err(format!("<{tag} {attr}=\"{value}\">: event handler"));
            }
            if DANGEROUS_ATTRS.contains(&attr.as_str()) || attr.starts_with("xmlns") {
                return Err(format!("<{tag} {attr}=\"{value}\">: dangerous attribute"));
            }
            if attr == "srcset" || attr == "imagesrcset" {
                for candidate in value.split(',') {
                    let url = candidate.trim_start().split(' ').next().unwrap_or("");
                    check_url(&tag, &attr, url)?;
                }
            } else if URL_ATTRS.contains(&attr.as_str()) {
                check_url(&tag, &attr, value)?;
            }
            if attr == "href" {
                has_href = true;
            }
            if attr == "rel" {
                rel = Some(value.to_ascii_lowercase());
            }
        }
        if tag == "a" && has_href {
            let ok = rel.as_deref().is_some_and(|r| {
                let words: Vec<&str> = r.split_ascii_whitespace().collect();
                words.contains(&"noopener") && words.contains(&"noreferrer")
            });
            if !ok {
                return Err(format!(
                    "<a href> without rel=\"noopener noreferrer\" (rel = {rel:?})"
                ));
            }
        }
    }
    Ok(())
}

/// Known answers for [`check`] and [`url_scheme`]; the `markdown_sanitizer` target runs this
/// once at start-up so that a broken checker cannot pass silently (libFuzzer binaries cannot
/// run `cargo test`).
pub fn self_test() {
    assert_eq!(
        url_scheme(" JaVa\tScript:alert(1)").as_deref(),
        Some("javascript")
    );
    assert_eq!(
        url_scheme("\u{1}javascript:x").as_deref(),
        Some("javascript")
    );
    assert_eq!(url_scheme("./bai-2"), None);
    assert_eq!(url_scheme("./javascript:x"), None);
    assert_eq!(url_scheme("https://a.vn").as_deref(), Some("https"));
    let good = [
        "<p><a href=\"https://a.vn\" rel=\"noopener noreferrer\">x</a></p>",
        "<p title=\"<script>alert(1)</script>\">x</p>",
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1) onerror=x</p>",
        "<a href=\"./javascript:x\" rel=\"noopener noreferrer\">x</a><img src=\"/a.png\" alt=\"\">",
        "<table><tbody><tr><td>1</td></tr></tbody></table>",
    ];
    for html in good {
        assert!(
            check(html).is_ok(),
            "self-test: {html} should pass: {:?}",
            check(html)
        );
    }
    let bad = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"jav&#x09;ascript:alert(1)\" rel=\"noopener noreferrer\">x</a>",
        "<a href=\" &#1;JAVASCRIPT:alert(1)\" rel=\"noopener noreferrer\">x</a>",
        "<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
        "<img srcset=\"a.png 1x, javascript:alert(1) 2x\">",
        "<svg><a href=\"https://a.vn\"></a></svg>",
        "<math><mi>x</mi></math>",
        "<p style=\"color:red\">x</p>",
        "<iframe srcdoc=\"x\"></iframe>",
        "<a href=\"https://a.vn\">no rel</a>",
        "<a href=\"https://a.vn\" rel=\"noopener\">half a rel</a>",
        "<div><form action=\"https://a.vn\"></form></div>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
        "<custom-element>x</custom-element>",
    ];
    for html in bad {
        assert!(check(html).is_err(), "self-test: {html} should fail");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn self_test() {
        super::self_test();
    }
}
