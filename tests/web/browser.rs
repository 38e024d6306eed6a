//! A real Chromium driven through chromedriver (WebDriver, with fantoccini): started per test
//! with a profile of its own, as a phone (360×800, Vietnamese). Chromium and chromedriver are
//! required: without them the tests fail (CI installs them, `.ci/run`).

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// The viewport of the phone the pages are checked on.
pub const WIDTH: u32 = 360;
pub const HEIGHT: u32 = 800;

/// How long a page or a state we wait for may take.
const PATIENCE: Duration = Duration::from_secs(30);

fn which(cmd: &str) -> Option<String> {
    let out = Command::new("which").arg(cmd).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

pub struct Browser {
    pub c: Client,
    /// The app's address (`http://127.0.0.1:PORT`).
    base: String,
    driver: Child,
    driver_url: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium on a fresh profile.
    pub async fn start(base: &str) -> Browser {
        let missing: Vec<&str> = ["chromedriver", "chromium"]
            .into_iter()
            .filter(|c| which(c).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "{missing:?} not installed: the web page tests need Chromium and chromedriver \
             (Debian: apt-get install chromium chromium-driver; .ci/run installs them)"
        );
        let binary = which("chromium").unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cmd = Command::new("chromedriver");
        cmd.arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: dropping the browser ends chromedriver and Chromium.
            .process_group(0);
        let driver = cmd.spawn().expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": binary,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--lang=vi-VN", "--hide-scrollbars",
                    format!("--user-data-dir={}", profile.path().display())],
                "prefs": {"intl.accept_languages": "vi-VN,vi"},
                "mobileEmulation": {"deviceMetrics": {"width": WIDTH, "height": HEIGHT, "pixelRatio": 1.0, "touch": true, "mobile": true}},
            }),
        );
        let driver_url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let c = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&driver_url)
                .await
            {
                Ok(c) => break c,
                Err(e) if started.elapsed() > Duration::from_secs(20) => {
                    panic!("chromedriver did not start a Chromium session: {e}")
                }
                Err(_) => sleep(200).await,
            }
        };
        let session = c.session_id().await.unwrap().expect("a WebDriver session");
        Browser {
            c,
            base: base.to_string(),
            driver,
            driver_url,
            session,
            _profile: profile,
        }
    }

    /// Ends the session (the `Drop` ends the processes whatever happens).
    pub async fn close(self) {
        let _ = self.c.clone().close().await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Opens `path` of the app and waits for the page.
    pub async fn open(&self, path: &str) {
        self.c
            .goto(&self.url(path))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
        self.wait_loaded().await;
    }

    /// The current path and query.
    pub async fn path(&self) -> String {
        let u = self.c.current_url().await.unwrap();
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        }
    }

    /// Runs a script; its value.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.c
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Waits until `script` returns true.
    pub async fn wait_js(&self, what: &str, script: &str) {
        let started = Instant::now();
        loop {
            if let Ok(Value::Bool(true)) = self.c.execute(script, vec![]).await {
                return;
            }
            if started.elapsed() > PATIENCE {
                panic!(
                    "waited {PATIENCE:?} for {what} on {}; page text:\n{}",
                    self.path().await,
                    self.main_text().await
                );
            }
            sleep(100).await;
        }
    }

    async fn wait_loaded(&self) {
        self.wait_js(
            "the page to load",
            "return document.readyState === 'complete'",
        )
        .await;
    }

    /// The first element matching `css` (waiting for it).
    pub async fn find(&self, css: &str) -> Element {
        let started = Instant::now();
        loop {
            if let Ok(e) = self.c.find(Locator::Css(css)).await {
                return e;
            }
            if started.elapsed() > PATIENCE {
                panic!(
                    "no `{css}` on {}; page text:\n{}",
                    self.path().await,
                    self.main_text().await
                );
            }
            sleep(100).await;
        }
    }

    pub async fn has(&self, css: &str) -> bool {
        self.c.find(Locator::Css(css)).await.is_ok()
    }

    /// The element `tag` (a, button, …) whose text, spaces collapsed, is `text`.
    pub async fn by_text(&self, tag: &str, text: &str) -> Element {
        let xpath = format!("//{tag}[normalize-space(.)={}]", xpath_literal(text));
        let started = Instant::now();
        loop {
            if let Ok(e) = self.c.find(Locator::XPath(&xpath)).await {
                return e;
            }
            if started.elapsed() > PATIENCE {
                panic!(
                    "no <{tag}> “{text}” on {}; page text:\n{}",
                    self.path().await,
                    self.main_text().await
                );
            }
            sleep(100).await;
        }
    }

    pub async fn has_text(&self, tag: &str, text: &str) -> bool {
        let xpath = format!("//{tag}[normalize-space(.)={}]", xpath_literal(text));
        self.c.find(Locator::XPath(&xpath)).await.is_ok()
    }

    /// Clicks `el` and waits for the next page (a new document, fully loaded): a link, a form's
    /// button, or a script that goes elsewhere afterwards.
    pub async fn click_to_next_page(&self, el: Element) {
        self.js("window.__e2e_old_page = true; return true", vec![])
            .await;
        el.click().await.unwrap_or_else(|e| panic!("click: {e}"));
        self.wait_js(
            "the next page",
            "return window.__e2e_old_page === undefined && document.readyState === 'complete'",
        )
        .await;
    }

    /// Clicks the button with `text` (else the link) and waits for the next page. Buttons
    /// first: the menu's "Đăng nhập" link comes before the login form's button.
    pub async fn press(&self, text: &str) {
        let lit = xpath_literal(text);
        let el = match self
            .c
            .find(Locator::XPath(&format!(
                "//main//button[normalize-space(.)={lit}]"
            )))
            .await
        {
            Ok(e) => e,
            Err(_) => match self
                .c
                .find(Locator::XPath(&format!(
                    "//main//a[normalize-space(.)={lit}]"
                )))
                .await
            {
                Ok(e) => e,
                Err(_) => self.by_text("*", text).await,
            },
        };
        self.click_to_next_page(el).await;
    }

    /// Types `text` into the field `css` (after clearing it).
    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
    }

    /// The text of `<main>` (what a failure message shows).
    pub async fn main_text(&self) -> String {
        match self.c.find(Locator::Css("main")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => self.c.source().await.unwrap_or_default(),
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    /// A command of chromedriver's own (`/session/{id}/{path}`).
    async fn driver_cmd(&self, path: &str, body: Value) -> Value {
        let res = reqwest::Client::new()
            .post(format!(
                "{}/session/{}/{path}",
                self.driver_url, self.session
            ))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert!(status.is_success(), "chromedriver {path}: {body}");
        body["value"].clone()
    }

    /// A Chrome DevTools Protocol command on the page.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.driver_cmd("goog/cdp/execute", json!({"cmd": cmd, "params": params}))
            .await
    }

    /// Writes a PNG of the whole page (360 px wide) to `target/web-screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let metrics = self.cdp("Page.getLayoutMetrics", json!({})).await;
        let height = metrics["cssContentSize"]["height"]
            .as_f64()
            .unwrap_or(HEIGHT as f64)
            .max(HEIGHT as f64);
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({"format": "png", "captureBeyondViewport": true,
                    "clip": {"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1}}),
            )
            .await;
        use base64::Engine;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // chromedriver and the Chromium it started share the process group.
        unsafe {
            libc::kill(-(self.driver.id() as i32), libc::SIGKILL);
        }
        let _ = self.driver.wait();
    }
}

pub fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/web-screenshots")
}

pub async fn sleep(ms: u64) {
    actix_web::rt::time::sleep(Duration::from_millis(ms)).await
}

/// `s` as an XPath string literal.
pub fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}
