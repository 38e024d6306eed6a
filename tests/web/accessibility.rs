//! Accessibility and screenshots: every page type, in Chromium as a 360×800 phone, checked
//! with axe-core (WCAG 2.0/2.1 A and AA, WCAG 2.2 AA), and photographed whole to
//! `target/web-screenshots/<page>.png` for a person to look at.
//!
//! axe-core comes from npm (`tests/web/package.json`, pinned by its lock file):
//! `npm ci --prefix tests/web` before the tests (`.ci/run` does it).

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{json, Value};

use crate::browser::Browser;
use crate::course::{import_shipped, SLUG};
use crate::helpers::{Backend, TestApp};
use crate::journey::{journey, Learner};
use crate::T;

const TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

fn axe_source() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/web/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}. The accessibility test needs axe-core: run `npm ci --prefix tests/web`",
            path.display()
        )
    })
}

/// Elements wider than the phone when the page scrolls sideways (the innermost ones), and
/// elements with `hidden` that are displayed.
const LAYOUT: &str = r#"
const w = document.documentElement.clientWidth, out = e => e.outerHTML.slice(0, 200);
const over = e => e.getBoundingClientRect().right > w + 1;
const wide = document.documentElement.scrollWidth > w
  ? [...document.querySelectorAll('body *')].filter(e => over(e) && ![...e.children].some(over)).slice(0, 5).map(out)
  : [];
const shown = [...document.querySelectorAll('[hidden]')].filter(e => getComputedStyle(e).display !== 'none').map(out);
return {wide, shown};
"#;

/// What is done on each page type a flow passes: nothing, or the axe check and a screenshot.
pub struct Audit {
    axe: Option<String>,
    /// Page types seen (each is photographed once, checked every time).
    pub seen: BTreeSet<String>,
    failures: Vec<String>,
}

impl Audit {
    pub fn off() -> Audit {
        Audit {
            axe: None,
            seen: BTreeSet::new(),
            failures: Vec::new(),
        }
    }

    pub fn on() -> Audit {
        Audit {
            axe: Some(axe_source()),
            ..Audit::off()
        }
    }

    /// Checks the page in the browser as page type `name`.
    pub async fn page(&mut self, b: &Browser, name: &str) {
        let Some(axe) = &self.axe else { return };
        if self.seen.insert(name.to_string()) {
            b.screenshot(name).await;
        }
        let loaded = b
            .js(
                &format!("{axe}\n;return typeof window.axe === 'object';"),
                vec![],
            )
            .await;
        assert_eq!(loaded, Value::Bool(true), "axe-core did not load");
        let result = b
            .c
            .execute_async(
                r#"const [tags, done] = arguments;
                axe.run(document, {runOnly: {type: 'tag', values: tags}})
                  .then(r => done({passes: r.passes.length, ok: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                      url: v.helpUrl, nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html,
                      summary: n.failureSummary}))}))}))
                  .catch(e => done({error: String(e)}));"#,
                vec![json!(TAGS)],
            )
            .await
            .unwrap_or_else(|e| panic!("axe.run on {name}: {e}"));
        if let Some(e) = result.get("error") {
            panic!("axe.run on {name} failed: {e}");
        }
        let path = b.path().await;
        assert!(
            result["passes"].as_u64().unwrap_or(0) > 0,
            "axe-core checked nothing on {path}"
        );
        // What axe does not check: reflow at 360 px (WCAG 1.4.10, no sideways scrolling) and
        // elements marked `hidden` that a style shows anyway.
        let layout = b.js(LAYOUT, vec![]).await;
        for (what, list) in [
            (
                "the page scrolls sideways at 360 px (WCAG 1.4.10 Reflow); too wide",
                "wide",
            ),
            ("shown although marked `hidden`", "shown"),
        ] {
            for html in layout[list].as_array().unwrap() {
                self.failures.push(format!(
                    "[{name}] {path}: {what}:\n    • {}\n",
                    html.as_str().unwrap_or("")
                ));
            }
        }
        for v in result["ok"].as_array().unwrap() {
            let mut s = format!(
                "[{name}] {path}: {} ({}) — {}\n    {}\n",
                v["id"].as_str().unwrap_or(""),
                v["impact"].as_str().unwrap_or(""),
                v["help"].as_str().unwrap_or(""),
                v["url"].as_str().unwrap_or("")
            );
            for n in v["nodes"].as_array().unwrap() {
                s.push_str(&format!(
                    "    • {}\n      {}\n      {}\n",
                    n["target"].as_str().unwrap_or(""),
                    n["html"].as_str().unwrap_or(""),
                    n["summary"]
                        .as_str()
                        .unwrap_or("")
                        .replace('\n', "\n      ")
                ));
            }
            self.failures.push(s);
        }
    }

    /// Fails with every violation found, page by page.
    pub fn assert_clean(&self) {
        assert!(
            self.failures.is_empty(),
            "{} accessibility problem(s) (axe-core, reflow, hidden):\n\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

/// The page types of the site, each checked and photographed.
const PAGES: [&str; 16] = [
    "welcome",
    "home",
    "catalogue",
    "course",
    "lesson",
    "quiz",
    "attempt",
    "confirm",
    "result",
    "certificate",
    "login",
    "register",
    "reset",
    "profile",
    "404",
    "offline",
];

async fn every_page_is_accessible(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    import_shipped(&app).await;
    let b = Browser::start(&app.address).await;
    let mut audit = Audit::on();
    let _ = std::fs::remove_dir_all(crate::browser::screenshot_dir());

    // The pages of someone not signed in.
    b.open("/login").await;
    audit.page(&b, "login").await;
    b.open("/reset").await;
    audit.page(&b, "reset").await;
    b.open("/khong-co-trang-nay").await;
    assert_eq!(b.text("h1").await, T.not_found_title);
    audit.page(&b, "404").await;
    b.open("/offline").await;
    audit.page(&b, "offline").await;
    // The checker finds what it should: an image without a text alternative.
    b.js(
        "document.querySelector('main').append(Object.assign(document.createElement('img'), {src: '/x.png'})); return true",
        vec![],
    )
    .await;
    let mut canary = Audit::on();
    canary.page(&b, "canary").await;
    assert!(
        canary.failures.iter().any(|f| f.contains("image-alt")),
        "axe-core did not see an image without alt: {:?}",
        canary.failures
    );
    std::fs::remove_file(crate::browser::screenshot_dir().join("canary.png")).unwrap();
    b.open(&format!("/courses/{SLUG}")).await;
    audit.page(&b, "course-anonymous").await;

    // The whole journey, each page type on the way.
    let learner = Learner::new("0987 654 321");
    journey(&app, &b, &learner, &mut audit).await;
    b.open("/profile").await;
    audit.page(&b, "profile").await;
    // A form with its errors shown.
    b.type_into("#current_password", "khong-dung-mat-khau")
        .await;
    b.type_into("#new_password", "mat-khau-moi-rat-dai").await;
    b.press(T.change_button).await;
    assert!(
        b.has("#current_password-error").await,
        "{}",
        b.main_text().await
    );
    audit.page(&b, "profile-errors").await;
    b.close().await;

    let missing: Vec<&str> = PAGES
        .iter()
        .copied()
        .filter(|p| !audit.seen.contains(*p))
        .collect();
    assert!(missing.is_empty(), "page types not visited: {missing:?}");
    eprintln!(
        "screenshots of {} page types in {}",
        audit.seen.len(),
        crate::browser::screenshot_dir().display()
    );
    audit.assert_clean();
}

/// Presentation does not depend on the database: SQLite only.
#[actix_web::test]
async fn every_page_type_passes_axe_at_360px() {
    every_page_is_accessible(Backend::Sqlite).await
}
