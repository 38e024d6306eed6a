use std::process::Command;

use diesel::prelude::*;
use hocso::db::schema::{certificates, mail_outbox};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

both_backends!(
    enrolment_and_lesson_progress,
    strict_order_locks_lessons,
    offline_batch,
    completion_needs_lessons_and_quizzes_and_issues_one_certificate,
    concurrent_last_events_issue_exactly_one_certificate,
    programs_and_program_certificates,
    certificates_verify_and_revoke,
    certificate_pdf_carries_a_working_qr_code,
    verification_page_in_chromium,
);

async fn enrolment_and_lesson_progress(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    simple_course(&app, "hai-bai").await;
    let (_, t) = learner(&app, "hv@example.vn").await;
    let res = app
        .post("/api/v1/courses/hai-bai/enrollment")
        .token(&t)
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .post("/api/v1/courses/hai-bai/enrollment")
        .token(&t)
        .await;
    assert_eq!(res.status(), 200, "idempotent");
    assert_problem(
        app.post("/api/v1/courses/khong-co/enrollment")
            .token(&t)
            .await,
        404,
        "not_found",
    )
    .await;

    let first = event("completed", 120);
    let res = progress(&app, &t, "hai-bai", "a", &first).await;
    assert_eq!(res.status(), 200);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["percent"], 50);
    assert_eq!(p["items"][0]["status"], "done");
    // The same event again changes nothing; a later `started` never undoes `completed`.
    progress(&app, &t, "hai-bai", "a", &first).await;
    let p: Value = progress(&app, &t, "hai-bai", "a", &event("started", 30))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["items"][0]["status"], "done");
    let seconds = app
        .db(|c| {
            hocso::db::schema::lesson_progress::table
                .select(hocso::db::schema::lesson_progress::time_spent_seconds)
                .first::<i64>(c)
                .unwrap()
        })
        .await;
    assert_eq!(seconds, 150, "a duplicate event adds no time");

    let enrollments: Value = app.get("/api/v1/me/enrollments").token(&t).value().await;
    assert_eq!(enrollments[0]["course"], "hai-bai");
    assert_eq!(enrollments[0]["percent"], 50);
    assert_eq!(enrollments[0]["status"], "in_progress");

    // Bad input names the field.
    for (body, field) in [
        (
            json!({"client_event_id": uuid::Uuid::new_v4().to_string(), "status": "started", "time_spent_seconds": -5, "occurred_at": chrono::Utc::now().to_rfc3339()}),
            "time_spent_seconds",
        ),
        (
            json!({"client_event_id": uuid::Uuid::new_v4().to_string(), "status": "started", "time_spent_seconds": 90000, "occurred_at": chrono::Utc::now().to_rfc3339()}),
            "time_spent_seconds",
        ),
        (
            json!({"client_event_id": uuid::Uuid::new_v4().to_string(), "status": "started", "time_spent_seconds": 5, "occurred_at": (chrono::Utc::now() + chrono::TimeDelta::days(2)).to_rfc3339()}),
            "occurred_at",
        ),
        (
            json!({"client_event_id": "not-a-uuid", "status": "started", "time_spent_seconds": 5, "occurred_at": chrono::Utc::now().to_rfc3339()}),
            "client_event_id",
        ),
    ] {
        let body = assert_problem(
            progress(&app, &t, "hai-bai", "b", &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(body["errors"][0]["field"], field);
    }
    let body = assert_problem(
        progress(&app, &t, "hai-bai", "khong-co", &event("started", 1)).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["code"], "unknown_lesson");

    // Leaving keeps progress; progress in a course not joined enrols again.
    assert_eq!(
        app.delete("/api/v1/courses/hai-bai/enrollment")
            .token(&t)
            .await
            .status(),
        204
    );
    let list: Value = app.get("/api/v1/me/enrollments").token(&t).value().await;
    assert_eq!(list, json!([]));
    let p: Value = progress(&app, &t, "hai-bai", "b", &event("started", 10))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["status"], "in_progress");
    assert_eq!(p["percent"], 50);
}

async fn strict_order_locks_lessons(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.import_fixture_courses().await;
    let (_, t) = learner(&app, "hv@example.vn").await;
    let p: Value = app
        .get("/api/v1/me/courses/mini/progress")
        .token(&t)
        .value()
        .await;
    assert_eq!(p["status"], "not_enrolled");
    let locked: Vec<&str> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["locked"] == true)
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(locked, ["ma-otp", "dich-vu-cong", "kiem-tra"]);
    let res = progress(&app, &t, "mini", "ma-otp", &event("completed", 60)).await;
    assert_problem(res, 409, "lesson_locked").await;
    // Starting a locked lesson is fine; completing in order unlocks the next.
    assert_eq!(
        progress(&app, &t, "mini", "ma-otp", &event("started", 10))
            .await
            .status(),
        200
    );
    progress(&app, &t, "mini", "chao-mung", &event("completed", 60)).await;
    let p: Value = progress(&app, &t, "mini", "ma-otp", &event("completed", 60))
        .await
        .json()
        .await
        .unwrap();
    let locked: Vec<&str> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["locked"] == true)
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert!(locked.is_empty(), "{locked:?}");
}

async fn offline_batch(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.import_fixture_courses().await;
    let (_, t) = learner(&app, "hv@example.vn").await;
    let day = |d: i64| (chrono::Utc::now() - chrono::TimeDelta::days(7 - d)).to_rfc3339();
    let dup = uuid::Uuid::new_v4().to_string();
    let ev = |id: &str, lesson: &str, status: &str, at: String| json!({"course": "mini", "lesson": lesson, "client_event_id": id, "status": status, "time_spent_seconds": 60, "occurred_at": at});
    // A week offline, sent out of order: the second lesson's completion comes first in the list.
    let events = json!([
        ev(&uuid::Uuid::new_v4().to_string(), "ma-otp", "completed", day(3)),
        ev(&dup, "chao-mung", "completed", day(1)),
        ev(&dup, "chao-mung", "completed", day(1)),
        ev(&uuid::Uuid::new_v4().to_string(), "khong-co", "completed", day(2)),
        {"course": "khong-co", "lesson": "x", "client_event_id": uuid::Uuid::new_v4().to_string(), "status": "started", "time_spent_seconds": 1, "occurred_at": day(2)},
        ev(&uuid::Uuid::new_v4().to_string(), "dich-vu-cong", "started", day(4)),
    ]);
    let body = app
        .post("/api/v1/me/progress/batch")
        .token(&t)
        .json(&json!({"events": events}))
        .expect(200)
        .await;
    let outcomes: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        [
            "applied",
            "applied",
            "duplicate",
            "rejected",
            "rejected",
            "applied"
        ]
    );
    assert_eq!(body["results"][3]["code"], "unknown_lesson");
    assert_eq!(body["results"][4]["code"], "unknown_course");
    // Sending the same batch again: every good event is a duplicate.
    let again: Value = app
        .post("/api/v1/me/progress/batch")
        .token(&t)
        .json(&json!({"events": events}))
        .value()
        .await;
    assert_eq!(again["results"][0]["outcome"], "duplicate");
    let p: Value = app
        .get("/api/v1/me/courses/mini/progress")
        .token(&t)
        .value()
        .await;
    assert_eq!(p["status"], "in_progress");
    assert_eq!(p["items"][1]["status"], "done");

    let too_many: Vec<Value> = (0..501)
        .map(|_| {
            ev(
                &uuid::Uuid::new_v4().to_string(),
                "chao-mung",
                "started",
                day(1),
            )
        })
        .collect();
    let res = app
        .post("/api/v1/me/progress/batch")
        .token(&t)
        .json(&json!({"events": too_many}))
        .await;
    assert_problem(res, 413, "batch_too_large").await;
}

async fn pass_quiz(app: &TestApp, token: &str, quiz: &str) -> Value {
    let a: Value = app
        .post(&format!("/api/v1/quizzes/{quiz}/attempts"))
        .token(token)
        .value()
        .await;
    let answers = mini_quiz_answers(&a);
    let id = a["id"].as_str().unwrap();
    app.put(&format!("/api/v1/attempts/{id}/answers"))
        .token(token)
        .json(&json!({"answers": answers}))
        .await;
    app.post(&format!("/api/v1/attempts/{id}/submit"))
        .token(token)
        .value()
        .await
}

async fn completion_needs_lessons_and_quizzes_and_issues_one_certificate(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.import_fixture_courses().await;
    let (_, t) = learner(&app, "hv@example.vn").await;
    progress(&app, &t, "mini", "chao-mung", &event("completed", 60)).await;
    let p: Value = progress(&app, &t, "mini", "ma-otp", &event("completed", 60))
        .await
        .json()
        .await
        .unwrap();
    // The optional lesson is not needed, the quiz is.
    assert_eq!(p["status"], "in_progress");
    assert_eq!(p["percent"], 66);
    let result = pass_quiz(&app, &t, "mini.kiem-tra").await;
    assert_eq!(result["result"]["passed"], true);
    let p: Value = app
        .get("/api/v1/me/courses/mini/progress")
        .token(&t)
        .value()
        .await;
    assert_eq!(p["status"], "completed");
    assert_eq!(p["percent"], 100);
    let certs: Value = app.get("/api/v1/me/certificates").token(&t).value().await;
    assert_eq!(certs.as_array().unwrap().len(), 1);
    assert_eq!(certs[0]["kind"], "course");
    assert_eq!(certs[0]["status"], "valid");
    assert_eq!(certs[0]["serial"].as_str().unwrap().len(), 11);
    // A congratulation mail was queued in the same step.
    let kinds = app
        .db(|c| {
            mail_outbox::table
                .select(mail_outbox::kind)
                .load::<String>(c)
                .unwrap()
        })
        .await;
    assert!(kinds.contains(&"course_completed".to_string()), "{kinds:?}");
    // More progress after completion issues nothing new.
    progress(&app, &t, "mini", "dich-vu-cong", &event("completed", 60)).await;
    let n = app
        .db(|c| certificates::table.count().get_result::<i64>(c).unwrap())
        .await;
    assert_eq!(n, 1);
}

async fn concurrent_last_events_issue_exactly_one_certificate(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    simple_course(&app, "dong-thoi").await;
    let (_, t) = learner(&app, "hv@example.vn").await;
    progress(&app, &t, "dong-thoi", "a", &event("completed", 60)).await;
    let requests: Vec<_> = (0..8)
        .map(|_| {
            app.put("/api/v1/me/courses/dong-thoi/lessons/b/progress")
                .token(&t)
                .json(&event("completed", 60))
                .send()
        })
        .collect();
    for r in futures_util::future::join_all(requests).await {
        assert_eq!(r.status(), 200);
    }
    let n = app
        .db(|c| certificates::table.count().get_result::<i64>(c).unwrap())
        .await;
    assert_eq!(n, 1);
}

async fn programs_and_program_certificates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    simple_course(&app, "mot").await;
    simple_course(&app, "hai").await;
    let (_, admin_token) = admin(&app).await;
    let program = json!({"title": "Chương trình thử", "title_en": "Test program", "summary": "S", "summary_en": "S", "groups": ["citizen"], "courses": ["mot", "hai"]});
    let res = app
        .put("/api/v1/admin/programs/thu")
        .token(&admin_token)
        .json(&program)
        .await;
    assert_eq!(res.status(), 200);
    // Saved again, the program is changed in place: still one, with the new fields.
    let changed = json!({"title": "Chương trình thử", "title_en": "Test program, changed", "summary": "S2", "summary_en": "S2 en", "groups": ["citizen", "student"], "courses": ["hai"]});
    let res = app
        .put("/api/v1/admin/programs/thu")
        .token(&admin_token)
        .json(&changed)
        .await;
    assert_eq!(res.status(), 200);
    let list: Value = app.get("/api/v1/programs").value().await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["title_en"], "Test program, changed");
    assert_eq!(list[0]["summary"], "S2");
    assert_eq!(list[0]["summary_en"], "S2 en");
    assert_eq!(list[0]["groups"], json!(["citizen", "student"]));
    assert_eq!(list[0]["courses"], json!(["hai"]));
    let res = app
        .put("/api/v1/admin/programs/thu")
        .token(&admin_token)
        .json(&program)
        .await;
    assert_eq!(res.status(), 200);
    // A course that is not published: 404; a blank title: 422.
    let unknown = json!({"title": "X", "title_en": "X", "courses": ["khong-co"]});
    let res = app
        .put("/api/v1/admin/programs/thu-2")
        .token(&admin_token)
        .json(&unknown)
        .await;
    assert_problem(res, 404, "not_found").await;
    let bad = json!({"title": " ", "title_en": "X", "courses": ["khong-co"]});
    let res = app
        .put("/api/v1/admin/programs/thu-2")
        .token(&admin_token)
        .json(&bad)
        .await;
    assert_problem(res, 422, "validation_failed").await;
    let (_, t) = learner(&app, "hv@example.vn").await;
    assert_problem(
        app.put("/api/v1/admin/programs/thu")
            .token(&t)
            .json(&program)
            .await,
        403,
        "forbidden",
    )
    .await;
    let list: Value = app.get("/api/v1/programs").value().await;
    assert_eq!(list[0]["courses"], json!(["mot", "hai"]));

    for slug in ["mot", "hai"] {
        for lesson in ["a", "b"] {
            progress(&app, &t, slug, lesson, &event("completed", 30)).await;
        }
    }
    let mine: Value = app.get("/api/v1/me/programs").token(&t).value().await;
    assert_eq!(mine[0]["percent"], 100);
    let serial = mine[0]["certificate"].as_str().unwrap().to_string();
    let cert: Value = app
        .get(&format!("/api/v1/certificates/{serial}"))
        .value()
        .await;
    assert_eq!(cert["kind"], "program");
    assert_eq!(cert["title"], "Chương trình thử");
    let certs: Value = app.get("/api/v1/me/certificates").token(&t).value().await;
    assert_eq!(certs.as_array().unwrap().len(), 3);
}

/// A learner with one course certificate; returns (learner token, serial).
async fn certified(app: &TestApp) -> (String, String) {
    simple_course(app, "cc").await;
    let res = register(app, json!({"display_name": "Nguyễn Thị Hoa", "phone": "0912000111", "email": "hoa@example.vn", "password": "hoa-hoc-so-2026"})).await;
    assert_eq!(res.status(), 201);
    let t = login(app, "hoa@example.vn", "hoa-hoc-so-2026").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    progress(app, &t, "cc", "a", &event("completed", 30)).await;
    let p: Value = progress(app, &t, "cc", "b", &event("completed", 30))
        .await
        .json()
        .await
        .unwrap();
    let serial = p["certificates_issued"][0]["serial"]
        .as_str()
        .unwrap()
        .to_string();
    (t, serial)
}

async fn certificates_verify_and_revoke(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (t, serial) = certified(&app).await;
    let cert: Value = app
        .get(&format!("/api/v1/certificates/{}", serial.to_lowercase()))
        .value()
        .await;
    assert_eq!(cert["status"], "valid");
    assert_eq!(cert["recipient_name"], "Nguyễn Thị Hoa");
    let jwt = cert["credential"].as_str().unwrap().to_string();

    // Verify with nothing but the published JWK set.
    let jwks: Value = app.get("/.well-known/jwks.json").value().await;
    let header = jsonwebtoken::decode_header(&jwt).unwrap();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| Some(k["kid"].as_str().unwrap()) == header.kid.as_deref())
        .unwrap();
    assert_eq!(key["kty"], "OKP");
    let decoding =
        jsonwebtoken::DecodingKey::from_ed_components(key["x"].as_str().unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    let data = jsonwebtoken::decode::<Value>(&jwt, &decoding, &validation).unwrap();
    let vc = data.claims;
    assert!(vc["type"]
        .as_array()
        .unwrap()
        .contains(&json!("OpenBadgeCredential")));
    assert_eq!(vc["@context"][0], "https://www.w3.org/ns/credentials/v2");
    assert_eq!(vc["credentialSubject"]["achievement"]["name"], "Khóa cc");
    assert!(vc["credentialSubject"]["achievement"]["criteria"]["narrative"].is_string());
    assert!(vc["validFrom"].is_string() && vc["issuer"]["id"].is_string());
    let text = vc.to_string();
    assert!(
        !text.contains("hoa@example.vn") && !text.contains("912000111"),
        "no e-mail or phone: {text}"
    );
    // One changed byte and it fails.
    let mut bytes = jwt.clone().into_bytes();
    let i = bytes.len() / 2;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    assert!(jsonwebtoken::decode::<Value>(&tampered, &decoding, &validation).is_err());

    // The page, then revocation.
    let res = app.get(&format!("/verify/{serial}")).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = res.text().await.unwrap();
    assert!(html.len() < 30 * 1024);
    assert!(
        html.contains("Chứng nhận hợp lệ")
            && html.contains("Nguyễn Thị Hoa")
            && !html.contains("<script")
    );
    let res = app.get("/verify/ZZZZZZZZZZZ").await;
    assert_eq!(res.status(), 404);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Không tìm thấy chứng nhận"));
    assert_problem(
        app.get("/api/v1/certificates/KHONGCO").await,
        404,
        "not_found",
    )
    .await;

    let res = app
        .post(&format!("/api/v1/admin/certificates/{serial}/revoke"))
        .token(&t)
        .json(&json!({"reason": "x"}))
        .await;
    assert_problem(res, 403, "forbidden").await;
    let (_, admin_token) = admin(&app).await;
    let res = app
        .post(&format!("/api/v1/admin/certificates/{serial}/revoke"))
        .token(&admin_token)
        .json(&json!({"reason": ""}))
        .await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app
        .post(&format!("/api/v1/admin/certificates/{serial}/revoke"))
        .token(&admin_token)
        .json(&json!({"reason": "Cấp nhầm người"}))
        .await;
    assert_eq!(res.status(), 200);
    let cert: Value = app
        .get(&format!("/api/v1/certificates/{serial}"))
        .value()
        .await;
    assert_eq!(cert["status"], "revoked");
    assert_eq!(cert["revoked_reason"], "Cấp nhầm người");
    let html = app
        .get(&format!("/verify/{serial}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("đã bị thu hồi") && html.contains("Cấp nhầm người"));
}

fn have(cmd: &str) -> bool {
    Command::new("which")
        .arg(cmd)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

async fn certificate_pdf_carries_a_working_qr_code(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.public_url = "https://hocso.example.vn".into()
    })
    .await;
    let (_, serial) = certified(&app).await;
    let res = app.get(&format!("/api/v1/certificates/{serial}/pdf")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    if !have("pdftoppm") {
        eprintln!("pdftoppm (poppler-utils) is not installed: the QR code check is skipped; .ci/run installs it");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.pdf"), &pdf).unwrap();
    let out = Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-singlefile"])
        .arg(dir.path().join("c.pdf"))
        .arg(dir.path().join("c"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let img = image::open(dir.path().join("c.png")).unwrap().to_luma8();
    let (w, h) = img.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
            img.get_pixel(x as u32, y as u32)[0]
        });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the page");
    let (_, content) = grids[0].decode().unwrap();
    assert_eq!(content, format!("https://hocso.example.vn/verify/{serial}"));
    // Vietnamese text is embedded with its font.
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("DejaVu"), "the font is embedded");
}

async fn verification_page_in_chromium(backend: Backend) {
    if !have("chromedriver") || !have("chromium") {
        eprintln!("chromium and chromium-driver are not installed: the browser check is skipped; .ci/run installs them");
        return;
    }
    let app = TestApp::spawn(backend).await;
    let (_, serial) = certified(&app).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut driver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": "/usr/bin/chromium", "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=390,844"]}),
    );
    let mut client = None;
    for _ in 0..50 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match fantoccini::ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => actix_web::rt::time::sleep(std::time::Duration::from_millis(200)).await,
        }
    }
    let client = client.expect("chromedriver answers");
    let result = async {
        client.goto(&app.url(&format!("/verify/{serial}"))).await?;
        let heading = client
            .find(fantoccini::Locator::Css("h1"))
            .await?
            .text()
            .await?;
        let body = client
            .find(fantoccini::Locator::Css("main"))
            .await?
            .text()
            .await?;
        client.goto(&app.url("/verify/ABCDEFGHJKM")).await?;
        let missing = client
            .find(fantoccini::Locator::Css("h1"))
            .await?
            .text()
            .await?;
        Ok::<_, fantoccini::error::CmdError>((heading, body, missing))
    }
    .await;
    let _ = client.close().await;
    let _ = driver.kill();
    let _ = driver.wait();
    let (heading, body, missing) = result.unwrap();
    assert!(heading.contains("Chứng nhận hợp lệ"), "{heading}");
    assert!(
        body.contains("Nguyễn Thị Hoa") && body.contains("Khóa cc") && body.contains(&serial),
        "{body}"
    );
    assert!(missing.contains("Không tìm thấy"), "{missing}");
}
