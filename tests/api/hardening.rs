//! Issue 17: rate limits keyed on the account, security headers, control characters in paths
//! and queries, the import body limit, SQLite durability, and problems from the HTTP layer.

use std::io::{Read, Write};

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

both_backends!(
    login_limit_counts_every_spelling_of_one_account,
    ipv6_clients_are_limited_by_their_64,
    security_headers_on_pages_and_answers,
    personal_answers_are_not_stored,
    user_search_matches_percent_and_underscore_literally,
    control_characters_in_paths_and_queries,
    resident_import_takes_the_documented_body_limit,
    docs_without_slash_redirects,
    cors_refusals_are_problems,
    http_layer_errors_are_problems,
);

/// Settings with a small per-login limit, many attempts per address, and the test client as a
/// trusted proxy so that `X-Forwarded-For` picks the client's address.
fn limited(s: &mut hocso::config::Settings) {
    s.rate_limit_login_per_minute = 4;
    s.rate_limit_ip_per_minute = 1000;
    s.trusted_proxies = "127.0.0.1".into();
}

async fn login_from(
    app: &TestApp,
    address: &str,
    login: &str,
    password: &str,
) -> reqwest::Response {
    app.post("/api/v1/auth/login")
        .header("x-forwarded-for", address)
        .json(&json!({"login": login, "password": password}))
        .await
}

async fn login_limit_counts_every_spelling_of_one_account(backend: Backend) {
    let app = TestApp::spawn_with(backend, limited).await;
    let res = register(
        &app,
        json!({"display_name": "Bà Năm", "phone": "0915000001", "email": "nam@example.vn", "password": "lua-thom-mua-vu-2026"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    // Four wrong passwords, each spelt differently, each from another address.
    let spellings = [
        " 0915000001 ",
        "+84915000001",
        "84 915000001",
        "NAM@example.vn",
    ];
    for (i, login) in spellings.iter().enumerate() {
        let res = login_from(&app, &format!("10.0.0.{i}"), login, "sai-mat-khau").await;
        assert_eq!(res.status(), 401, "attempt {i} ({login:?})");
    }
    for (i, login) in ["0084 915 000 001", "091.500.0001", "nam@example.vn"]
        .iter()
        .enumerate()
    {
        let res = login_from(&app, &format!("10.0.1.{i}"), login, "sai-mat-khau").await;
        assert_problem(res, 429, "rate_limited").await;
    }
    // The right password is refused too until the window passes.
    let res = login_from(&app, "10.0.2.1", "0915-000-001", "lua-thom-mua-vu-2026").await;
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, 429, "rate_limited").await;

    // A number nobody has: its spellings share one bucket as well.
    for i in 0..4 {
        let login = [
            "0987000002",
            "+84987000002",
            "84 987 000 002",
            " 0987000002",
        ][i];
        let res = login_from(&app, &format!("10.1.0.{i}"), login, "x").await;
        assert_eq!(res.status(), 401);
    }
    let res = login_from(&app, "10.1.1.1", "(098) 700-0002", "x").await;
    assert_problem(res, 429, "rate_limited").await;

    // Forgot password counts per account in the same way.
    for (i, login) in spellings.iter().enumerate() {
        let res = app
            .post("/api/v1/auth/password/forgot")
            .header("x-forwarded-for", format!("10.2.0.{i}"))
            .json(&json!({"login": login}))
            .await;
        assert_eq!(res.status(), 202);
    }
    let res = app
        .post("/api/v1/auth/password/forgot")
        .header("x-forwarded-for", "10.2.1.1")
        .json(&json!({"login": "0915 000 001"}))
        .await;
    assert_problem(res, 429, "rate_limited").await;
}

async fn ipv6_clients_are_limited_by_their_64(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.rate_limit_ip_per_minute = 3;
        s.rate_limit_login_per_minute = 100;
        s.trusted_proxies = "127.0.0.1".into();
    })
    .await;
    for i in 1..=3 {
        let address = format!("2001:db8:7:9::{i:x}");
        let res = login_from(&app, &address, &format!("u{i}@example.vn"), "x").await;
        assert_eq!(res.status(), 401);
    }
    let res = login_from(&app, "2001:db8:7:9:ffff::1", "u4@example.vn", "x").await;
    assert_problem(res, 429, "rate_limited").await;
    // Another /64 has its own count.
    let res = login_from(&app, "2001:db8:7:a::1", "u5@example.vn", "x").await;
    assert_eq!(res.status(), 401);
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} on {}", res.url()))
        .to_str()
        .unwrap()
}

/// The headers every HTML page carries; returns its Content-Security-Policy.
fn assert_page_headers(res: &reqwest::Response) -> String {
    assert_eq!(header(res, "x-content-type-options"), "nosniff");
    assert_eq!(header(res, "referrer-policy"), "no-referrer");
    assert_eq!(header(res, "x-frame-options"), "DENY");
    let csp = header(res, "content-security-policy").to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let scripts = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap_or("");
    assert!(
        !scripts.contains("unsafe-inline") && !scripts.contains("unsafe-eval"),
        "{csp}"
    );
    csp
}

async fn security_headers_on_pages_and_answers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    simple_course(&app, "hd").await;
    let (_, t) = learner(&app, "hoc@example.vn").await;
    progress(&app, &t, "hd", "a", &event("completed", 30)).await;
    let p: Value = progress(&app, &t, "hd", "b", &event("completed", 30))
        .await
        .json()
        .await
        .unwrap();
    let serial = p["certificates_issued"][0]["serial"].as_str().unwrap();

    let res = app.get(&format!("/verify/{serial}")).await;
    assert_eq!(res.status(), 200);
    let csp = assert_page_headers(&res);
    assert!(!csp.contains("script-src"), "no script at all: {csp}");
    let res = app.get("/verify/ZZZZZZZZZZZ").await;
    assert_eq!(res.status(), 404);
    assert_page_headers(&res);

    // The API explorer: its scripts are files of its own, none inline.
    let res = app.get("/docs/").await;
    assert_eq!(res.status(), 200);
    let csp = assert_page_headers(&res);
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = res.text().await.unwrap();
    for script in html.split("<script").skip(1) {
        let tag = &script[..script.find('>').unwrap()];
        assert!(tag.contains("src="), "an inline script in /docs/: {tag}");
    }
    let res = app.get("/docs/swagger-initializer.js").await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");

    // JSON answers and problems: nosniff, and a policy that loads and frames nothing.
    for path in ["/api/v1/courses", "/api/v1/nothing-here"] {
        let res = app.get(path).await;
        assert_eq!(header(&res, "x-content-type-options"), "nosniff", "{path}");
        assert!(header(&res, "content-security-policy").starts_with("default-src 'none'"));
    }
}

async fn personal_answers_are_not_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, t) = learner(&app, "rieng@example.vn").await;
    for path in [
        "/api/v1/me",
        "/api/v1/me/enrollments",
        "/api/v1/me/certificates",
    ] {
        let res = app.get(path).token(&t).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(header(&res, "cache-control"), "no-store", "{path}");
    }
    let res = app.get("/api/v1/me").await;
    assert_eq!(res.status(), 401);
    assert_eq!(header(&res, "cache-control"), "no-store");
    let res = login_from(&app, "127.0.0.1", "rieng@example.vn", "mat-khau-rat-dai-1").await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "cache-control"), "no-store", "tokens");
}

async fn user_search_matches_percent_and_underscore_literally(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin_token) = admin(&app).await;
    for (name, email) in [
        ("Giảm 100% phí", "a@example.vn"),
        ("Giảm 1000 phí", "b@example.vn"),
        ("ong_ba", "c@example.vn"),
        ("ongxba", "d@example.vn"),
    ] {
        let res = register(
            &app,
            json!({"display_name": name, "email": email, "password": "mat-khau-rat-dai-1"}),
        )
        .await;
        assert_eq!(res.status(), 201);
    }
    let search = |q: &'static str| {
        let app = &app;
        let token = admin_token.clone();
        async move {
            let page = app
                .get("/api/v1/admin/users")
                .query(&[("q", q)])
                .token(&token)
                .expect(200)
                .await;
            let mut names: Vec<String> = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["display_name"].as_str().unwrap().to_string())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(search("100%").await, vec!["Giảm 100% phí"]);
    assert_eq!(search("ong_ba").await, vec!["ong_ba"]);
    assert_eq!(search("%").await, vec!["Giảm 100% phí"]);
    assert!(search("_").await.contains(&"ong_ba".to_string()));
    assert!(!search("_").await.contains(&"ongxba".to_string()));
}

async fn control_characters_in_paths_and_queries(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin_token) = admin(&app).await;
    let cases = [
        ("/api/v1/courses/a%00b", "path"),
        ("/api/v1/courses/a%1Fb/lessons/x", "path"),
        ("/api/v1/courses/a%7F", "path"),
        ("/api/v1/courses?q=a%00b", "q"),
        ("/api/v1/courses?topic=basic&q=%01", "q"),
        ("/api/v1/admin/users/a%00b", "path"),
        ("/api/v1/admin/users?q=x%00", "q"),
    ];
    for (path, field) in cases {
        let res = app.get(path).token(&admin_token).await;
        let body = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], field, "{path}: {body}");
        assert_eq!(body["errors"][0]["code"], "control_character", "{path}");
    }
    // Before any login check, and on writes too.
    let res = app.post("/api/v1/courses/a%00b/enrollment").await;
    assert_problem(res, 422, "validation_failed").await;
    // Text without control characters is as before.
    let res = app.get("/api/v1/courses/kh%C3%B4ng-c%C3%B3").await;
    assert_problem(res, 404, "not_found").await;
}

async fn resident_import_takes_the_documented_body_limit(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = admin(&app).await;
    let province = create_locality(
        &app,
        &token,
        json!({"kind": "province", "name": "Tỉnh Thử", "code": "PT"}),
    )
    .await;
    let commune = create_locality(
        &app,
        &token,
        json!({"parent_id": province, "kind": "commune", "name": "Xã Thử", "code": "XT"}),
    )
    .await;
    create_locality(
        &app,
        &token,
        json!({"parent_id": commune, "kind": "village", "name": "Thôn Một", "code": "XT-1"}),
    )
    .await;
    let mut csv = String::from(
        "village_code,household_code,name,birth_year,learner_group,phone,eid_status\n",
    );
    for i in 0..8_000 {
        csv.push_str(&format!(
            "XT-1,H{:04},Người dân thứ {i:05} của thôn Một,1960,citizen,,level2\n",
            i / 4
        ));
    }
    assert!(
        csv.len() > 256 * 1024 && csv.len() < 1024 * 1024,
        "{}",
        csv.len()
    );
    let report = app
        .post("/api/v1/admin/imports/residents")
        .token(&token)
        .header("content-type", "text/csv")
        .body(csv)
        .expect(200)
        .await;
    assert_eq!(report["created"], 8_000, "{}", report["problems"]);

    let too_large = "x".repeat(1024 * 1024 + 1);
    let res = app
        .post("/api/v1/admin/imports/residents")
        .token(&token)
        .header("content-type", "text/csv")
        .body(too_large)
        .await;
    assert_problem(res, 413, "payload_too_large").await;

    // The document says how large a file may be.
    let doc: Value = app.get("/api/v1/openapi.json").value().await;
    let op = &doc["paths"]["/api/v1/admin/imports/residents"]["post"];
    let described = op["requestBody"]["description"].as_str().unwrap_or("");
    assert!(described.contains("1048576 bytes"), "{described}");
    assert!(op["responses"]["413"]["description"]
        .as_str()
        .unwrap()
        .contains("1048576"));
}

async fn docs_without_slash_redirects(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.get("/docs").await;
    assert!(
        matches!(res.status().as_u16(), 301 | 308),
        "{}",
        res.status()
    );
    assert_eq!(header(&res, "location"), "/docs/");
    let res = app.get("/docs/").await;
    assert_eq!(res.status(), 200);
}

async fn cors_refusals_are_problems(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.cors_origins = "https://app.hocso.example.vn".into();
    })
    .await;
    let preflight = |origin: &'static str| {
        app.call(reqwest::Method::OPTIONS, "/api/v1/auth/login")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
    };
    let res = preflight("https://evil.example").await;
    assert!(res.headers().get("access-control-allow-origin").is_none());
    let body = assert_problem(res, 403, "cors_origin_not_allowed").await;
    assert!(body["request_id"].is_string());
    let res = preflight("https://app.hocso.example.vn").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "access-control-allow-origin"),
        "https://app.hocso.example.vn"
    );
    // A preflight asking for a method the API does not take.
    let res = app
        .call(reqwest::Method::OPTIONS, "/api/v1/auth/login")
        .header("origin", "https://app.hocso.example.vn")
        .header("access-control-request-method", "PURGE")
        .await;
    assert_problem(res, 400, "cors_bad_preflight").await;
}

/// Writes `raw` to the server and reads until it closes the connection.
async fn raw_exchange(app: &TestApp, raw: Vec<u8>) -> (String, Value) {
    let address = app.address.trim_start_matches("http://").to_string();
    let answer = actix_web::rt::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(address).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        // The server may answer and close before it has read everything.
        let _ = s.write_all(&raw);
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8(out).unwrap()
    })
    .await
    .unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    let lower = head.to_ascii_lowercase();
    assert!(
        lower.contains("content-type: application/problem+json"),
        "{head}"
    );
    let length: usize = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(length, body.len(), "{answer}");
    (head.to_string(), serde_json::from_str(body).unwrap())
}

async fn http_layer_errors_are_problems(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (head, problem) = raw_exchange(
        &app,
        b"GET /api/v1/courses HTTP/1.1\r\nHost: x\r\nThis is not a header\r\n\r\n".to_vec(),
    )
    .await;
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
    assert_eq!(problem["code"], "malformed_request");
    assert_eq!(problem["status"], 400);

    let (head, problem) = raw_exchange(&app, b"NOT HTTP AT ALL\r\n\r\n".to_vec()).await;
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
    assert_eq!(problem["code"], "malformed_request");

    let mut big = b"GET /api/v1/courses HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 200_000));
    big.extend_from_slice(b"\r\n\r\n");
    let (head, problem) = raw_exchange(&app, big).await;
    assert!(head.starts_with("HTTP/1.1 431"), "{head}");
    assert_eq!(problem["code"], "request_header_fields_too_large");
    assert_eq!(problem["status"], 431);
    assert!(problem["title"].as_str().is_some_and(|t| !t.is_empty()));

    // Requests before the broken one on the same connection are answered as usual.
    let address = app.address.trim_start_matches("http://").to_string();
    let answer = actix_web::rt::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(address).unwrap();
        s.write_all(b"GET /health/live HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n")
            .unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8(out).unwrap()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("\"code\":\"malformed_request\""),
        "{answer}"
    );
}

/// SQLite syncs every commit by default (`synchronous=FULL`, 2) on the writer and on pooled
/// connections; `sqlite_synchronous = "normal"` chooses NORMAL (1).
#[actix_web::test]
async fn sqlite_commits_are_durable_by_default() {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Sync {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        synchronous: i32,
    }
    fn read(conn: &mut hocso::db::DbConn) -> i32 {
        diesel::sql_query("PRAGMA synchronous")
            .get_result::<Sync>(conn)
            .unwrap()
            .synchronous
    }
    for (setting, expected) in [(None, 2), (Some("normal"), 1), (Some("full"), 2)] {
        let app = TestApp::spawn_with(Backend::Sqlite, |s| {
            if let Some(v) = setting {
                s.sqlite_synchronous = v.into();
            }
        })
        .await;
        let pooled = app.db(|conn| read(conn)).await;
        let w = app.state.writer.clone();
        let writer = actix_web::rt::task::spawn_blocking(move || {
            w.transaction::<_, diesel::result::Error, _>(|w| Ok(read(w)))
                .unwrap()
        })
        .await
        .unwrap();
        assert_eq!((pooled, writer), (expected, expected), "{setting:?}");
        // Every pooled connection, not only the first.
        let mut conns = Vec::new();
        let pool = app.state.pool.clone();
        let all = actix_web::rt::task::spawn_blocking(move || {
            for _ in 0..pool.max_size() {
                conns.push(pool.get().unwrap());
            }
            conns.iter_mut().map(|c| read(c)).collect::<Vec<_>>()
        })
        .await
        .unwrap();
        assert!(all.iter().all(|&v| v == expected), "{setting:?}: {all:?}");
    }
}
