//! The pages' defences, over HTTP (a cookie jar of our own) and in Chromium: forms without this
//! browser's CSRF token are refused with an HTML 403 and change nothing; cookie flags; security
//! headers; HTML 404s beside the API's problem+json; hashed, immutable assets; a page that
//! needs a session sends to the login page and comes back after it.

use std::collections::BTreeMap;

use chrono::TimeDelta;
use diesel::prelude::*;
use hocso::db::schema::sessions;

use crate::browser::Browser;
use crate::course::{import_shipped, SLUG};
use crate::helpers::{assert_problem, Backend, TestApp};
use crate::T;

/// The cookies of one HTTP client, as a browser would keep them.
#[derive(Default)]
struct Jar {
    cookies: BTreeMap<String, String>,
    /// Every `Set-Cookie` seen, by cookie name (the last one).
    raw: BTreeMap<String, String>,
}

impl Jar {
    fn absorb(&mut self, res: &reqwest::Response) {
        for v in res.headers().get_all("set-cookie") {
            let raw = v.to_str().unwrap().to_string();
            let (pair, _) = raw.split_once(';').unwrap_or((&raw, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || raw.to_ascii_lowercase().contains("max-age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
            self.raw.insert(name.to_string(), raw);
        }
    }

    fn header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn get(&mut self, app: &TestApp, path: &str) -> reqwest::Response {
        let res = app
            .client
            .get(app.url(path))
            .header("cookie", self.header())
            .header("accept-language", "vi")
            .send()
            .await
            .unwrap();
        self.absorb(&res);
        res
    }

    async fn post(
        &mut self,
        app: &TestApp,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let res = app
            .client
            .post(app.url(path))
            .header("cookie", self.header())
            .header("accept-language", "vi")
            .form(form)
            .send()
            .await
            .unwrap();
        self.absorb(&res);
        res
    }
}

/// The `csrf` field of the first form of a page.
fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a csrf field")
        + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The attributes of a `Set-Cookie`, lower case, without the value.
fn flags(raw: &str) -> Vec<String> {
    raw.split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

fn assert_cookie(raw: &str, secure: bool) {
    let f = flags(raw);
    assert!(f.iter().any(|a| a == "httponly"), "{raw}");
    assert!(f.iter().any(|a| a == "samesite=lax"), "{raw}");
    assert!(f.iter().any(|a| a == "path=/"), "{raw}");
    assert_eq!(f.iter().any(|a| a == "secure"), secure, "{raw}");
}

async fn assert_refused(res: reqwest::Response) {
    assert_eq!(res.status(), 403);
    assert!(
        header(&res, "content-type").starts_with("text/html"),
        "{}",
        header(&res, "content-type")
    );
    let html = res.text().await.unwrap();
    assert!(
        html.contains(T.csrf_title) && html.contains(T.csrf_text),
        "{html}"
    );
}

/// The security headers every page answer carries.
fn assert_page_headers(path: &str, res: &reqwest::Response) {
    let csp = header(res, "content-security-policy");
    let directives: BTreeMap<String, String> = csp
        .split(';')
        .filter_map(|d| {
            let d = d.trim();
            let (name, value) = d.split_once(' ').unwrap_or((d, ""));
            (!name.is_empty()).then(|| (name.to_string(), value.to_string()))
        })
        .collect();
    let scripts = directives
        .get("script-src")
        .or(directives.get("default-src"))
        .unwrap_or_else(|| panic!("{path}: no script-src in `{csp}`"));
    assert!(
        !scripts.contains("'unsafe-inline'") && !scripts.contains("'unsafe-eval'"),
        "{path}: {csp}"
    );
    assert_eq!(
        directives.get("frame-ancestors").map(String::as_str),
        Some("'none'"),
        "{path}: {csp}"
    );
    assert_eq!(header(res, "x-content-type-options"), "nosniff", "{path}");
    let referrer = header(res, "referrer-policy");
    assert!(
        [
            "no-referrer",
            "same-origin",
            "strict-origin",
            "strict-origin-when-cross-origin"
        ]
        .contains(&referrer.as_str()),
        "{path}: Referrer-Policy `{referrer}`"
    );
    assert!(
        !header(res, "cache-control").contains("public"),
        "{path}: a page is never stored by shared caches"
    );
}

#[actix_web::test]
async fn forms_cookies_headers_errors_assets_sessions() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    import_shipped(&app).await;
    let lesson = app
        .state
        .catalogue
        .get(SLUG)
        .unwrap()
        .content
        .doc
        .lessons()
        .next()
        .unwrap()
        .key
        .clone();

    // The first page gives the CSRF cookie.
    let mut jar = Jar::default();
    let res = jar.get(&app, "/register").await;
    assert_eq!(res.status(), 200);
    assert_cookie(&jar.raw["hocso_csrf"], false);
    let csrf = csrf_of(&res.text().await.unwrap());
    fn form(csrf: Option<&str>) -> Vec<(&str, &str)> {
        let mut f = vec![
            ("display_name", "Trần Văn Ba"),
            ("phone", "0911 222 333"),
            ("password", "mat-khau-rat-dai-2"),
            ("accept_privacy_notice", hocso::privacy::NOTICE_VERSION),
        ];
        f.extend(csrf.map(|c| ("csrf", c)));
        f
    }
    let csrf = csrf.as_str();
    // Without the field, with a wrong one, with another browser's: 403, nothing created.
    assert_refused(jar.post(&app, "/register", &form(None)).await).await;
    assert_refused(
        jar.post(&app, "/register", &form(Some("bm90LXRoZS10b2tlbg")))
            .await,
    )
    .await;
    let mut other = Jar::default();
    let other_csrf = csrf_of(&other.get(&app, "/login").await.text().await.unwrap());
    let other_csrf = other_csrf.as_str();
    assert_ne!(other_csrf, csrf);
    assert_refused(jar.post(&app, "/register", &form(Some(other_csrf))).await).await;
    // The right token without its cookie: refused too.
    let mut no_cookie = Jar::default();
    assert_refused(no_cookie.post(&app, "/register", &form(Some(csrf))).await).await;
    assert_eq!(
        app.post("/api/v1/auth/login")
            .json(&serde_json::json!({"login": "0911222333", "password": "mat-khau-rat-dai-2"}))
            .await
            .status(),
        401,
        "no account was made by a refused form"
    );
    assert!(!jar.cookies.contains_key("hocso_session"));

    // With it: registered, signed in; the session cookie's flags.
    let res = jar.post(&app, "/register", &form(Some(csrf))).await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(&res, "location"), "/courses");
    assert_cookie(&jar.raw["hocso_session"], false);

    // Signed in, a change without the token changes nothing.
    let res = jar.get(&app, "/profile").await;
    assert_eq!(res.status(), 200);
    assert_page_headers("/profile", &res);
    let page = res.text().await.unwrap();
    let csrf = csrf_of(&page);
    assert!(page.contains("value=\"Trần Văn Ba\""));
    let res = jar
        .post(
            &app,
            "/profile",
            &[("display_name", "Kẻ Gian"), ("language", "en")],
        )
        .await;
    assert_refused(res).await;
    let res = jar.post(&app, "/logout", &[("csrf", other_csrf)]).await;
    assert_refused(res).await;
    let page = jar.get(&app, "/profile").await.text().await.unwrap();
    assert!(
        page.contains("value=\"Trần Văn Ba\"") && page.contains("lang=\"vi\""),
        "{page}"
    );
    // With it, the change is made.
    let res = jar
        .post(
            &app,
            "/profile",
            &[
                ("csrf", &csrf),
                ("display_name", "Trần Văn Bảy"),
                ("language", "vi"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert!(jar
        .get(&app, "/profile")
        .await
        .text()
        .await
        .unwrap()
        .contains("value=\"Trần Văn Bảy\""));

    // Logging in through the form: the session cookie, and `next` stays on this site.
    let mut fresh = Jar::default();
    let csrf = csrf_of(
        &fresh
            .get(&app, "/login?next=/profile")
            .await
            .text()
            .await
            .unwrap(),
    );
    let res = fresh
        .post(
            &app,
            "/login",
            &[
                ("csrf", &csrf),
                ("next", "/profile"),
                ("login", "0911222333"),
                ("password", "mat-khau-rat-dai-2"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(&res, "location"), "/profile");
    assert_cookie(&fresh.raw["hocso_session"], false);
    let res = fresh
        .post(
            &app,
            "/login",
            &[
                ("csrf", &csrf),
                ("next", "//evil.example/"),
                ("login", "0911222333"),
                ("password", "mat-khau-rat-dai-2"),
            ],
        )
        .await;
    assert_eq!(header(&res, "location"), "/");

    // Security headers on pages, signed in or not.
    for path in [
        "/".to_string(),
        "/login".into(),
        "/register".into(),
        "/reset".into(),
        "/courses".into(),
        "/courses?q=an+toan".into(),
        format!("/courses/{SLUG}"),
        format!("/courses/{SLUG}/lessons/{lesson}"),
        "/offline".into(),
        "/khong-co-trang-nay".into(),
    ] {
        for j in [&mut Jar::default(), &mut jar] {
            let res = j.get(&app, &path).await;
            assert!(
                res.status() == 200 || res.status() == 404,
                "{path}: {}",
                res.status()
            );
            assert!(
                header(&res, "content-type").starts_with("text/html"),
                "{path}"
            );
            assert_page_headers(&path, &res);
        }
    }

    // An unknown page: the HTML 404; an unknown API address: problem+json.
    let res = jar.get(&app, "/khong-co-trang-nay").await;
    assert_eq!(res.status(), 404);
    assert_eq!(header(&res, "content-type"), "text/html; charset=utf-8");
    let html = res.text().await.unwrap();
    assert!(html.contains(T.not_found_title) && html.contains("<html lang=\"vi\">"));
    let res = jar
        .get(&app, &format!("/courses/{SLUG}/lessons/khong-co"))
        .await;
    assert_eq!(res.status(), 404);
    assert!(header(&res, "content-type").starts_with("text/html"));
    assert_problem(app.get("/api/v1/unknown").await, 404, "not_found").await;

    // Assets: content-hashed names, cached for a year, immutable.
    let home = jar.get(&app, "/").await.text().await.unwrap();
    let assets: Vec<String> = home
        .split("\"/assets/")
        .skip(1)
        .map(|s| format!("/assets/{}", s.split('"').next().unwrap()))
        .collect();
    assert!(assets.len() >= 3, "{assets:?}");
    for a in &assets {
        let name = a.trim_start_matches("/assets/");
        let parts: Vec<&str> = name.split('.').collect();
        assert!(
            parts.len() == 3
                && parts[1].len() >= 8
                && parts[1].chars().all(|c| c.is_ascii_hexdigit()),
            "{a} is not a hashed name"
        );
        let res = app.get(a).await;
        assert_eq!(res.status(), 200, "{a}");
        assert_eq!(
            header(&res, "cache-control"),
            "public, max-age=31536000, immutable",
            "{a}"
        );
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        let stale = format!("/assets/{}.0000000000.{}", parts[0], parts[2]);
        assert_eq!(app.get(&stale).await.status(), 404, "{stale}");
    }
    for ext in ["css", "js"] {
        assert!(assets.iter().any(|a| a.ends_with(ext)), "{assets:?}");
    }
    let res = app.get("/sw.js").await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "cache-control"), "no-cache");

    // No session, a broken one, an expired one: to the login page, with the way back.
    for cookie in ["", "hocso_session=abc.def", "hocso_session=x"] {
        let res = app
            .client
            .get(app.url("/profile?saved=1"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{cookie}");
        assert_eq!(
            header(&res, "location"),
            "/login?next=%2Fprofile%3Fsaved%3D1"
        );
    }

    // In Chromium: no session → login → back where the learner wanted to go.
    let b = Browser::start(&app.address).await;
    let wanted = format!("/courses/{SLUG}/quizzes/{}", first_quiz(&app));
    b.open(&wanted).await;
    assert_eq!(
        b.path().await,
        format!(
            "/login?next={}",
            url::form_urlencoded::byte_serialize(wanted.as_bytes()).collect::<String>()
        )
    );
    b.type_into("#login", "0911 222 333").await;
    b.type_into("#password", "mat-khau-rat-dai-2").await;
    b.press(T.login_button).await;
    assert_eq!(b.path().await, wanted, "{}", b.main_text().await);
    let session = b.c.get_named_cookie("hocso_session").await.unwrap();
    assert_eq!(session.http_only(), Some(true));
    assert_eq!(format!("{:?}", session.same_site()), "Some(Lax)");
    // The session grows old: the next page asks to log in again, then comes back.
    app.db(|conn| {
        diesel::update(sessions::table.filter(sessions::cookie_hash.is_not_null()))
            .set(sessions::created_at.eq(chrono::Utc::now().naive_utc() - TimeDelta::days(400)))
            .execute(conn)
            .unwrap()
    })
    .await;
    b.open("/profile").await;
    assert_eq!(b.path().await, "/login?next=%2Fprofile");
    b.type_into("#login", "0911 222 333").await;
    b.type_into("#password", "mat-khau-rat-dai-2").await;
    b.press(T.login_button).await;
    assert_eq!(b.path().await, "/profile");
    assert_eq!(b.text("h1").await, T.profile_title);
    b.close().await;

    // Over HTTPS (public_url), the cookies are Secure too.
    let https = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.public_url = "https://hocso.example.vn".into()
    })
    .await;
    let mut jar = Jar::default();
    jar.get(&https, "/login").await;
    assert_cookie(&jar.raw["hocso_csrf"], true);
}

fn first_quiz(app: &TestApp) -> String {
    app.state
        .catalogue
        .get(SLUG)
        .unwrap()
        .content
        .doc
        .quizzes()
        .next()
        .unwrap()
        .key
        .clone()
}
