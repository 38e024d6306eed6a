//! A person's own data (issue 21, item 3; docs/PRIVACY.md): a learner with a full history
//! downloads everything hocso holds about them, as JSON and as a readable page, and nothing of
//! another member of their household (who has a history of their own) or of anyone else; the
//! file is theirs only (404 for others), expires (410), and a large export is built in the
//! background.

use diesel::prelude::*;
use hocso::db::schema::exports;
use serde_json::{json, Value};

use crate::both_backends;
use crate::community::world;
use crate::helpers::*;
use crate::quizzes::{answer_for, quiz_course, save, start, submit};

both_backends!(
    the_export_holds_the_person_and_nobody_else,
    a_large_export_is_built_in_the_background,
);

struct Person {
    id: String,
    token: String,
}

/// A resident of `household` registered by the facilitator, who then gives an e-mail address,
/// follows the course's lesson and takes its quiz (`right`: all answers right).
async fn resident(
    app: &TestApp,
    facilitator: &str,
    village: &str,
    household: &str,
    (name, username, email): (&str, &str, &str),
    right: bool,
) -> Person {
    let r = app
        .post("/api/v1/facilitator/residents")
        .token(facilitator)
        .json(&json!({"village_id": village, "household_id": household, "display_name": name,
            "username": username, "password": "482915", "consent_way": "paper", "birth_year": 1970}))
        .expect(201)
        .await;
    let id = r["user"]["id"].as_str().unwrap().to_string();
    let token = login(app, username, "482915").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    app.patch("/api/v1/me")
        .token(&token)
        .json(&json!({"email": email}))
        .expect(200)
        .await;
    let res = app
        .post(&format!("/api/v1/facilitator/residents/{id}/enrollments"))
        .token(facilitator)
        .json(&json!({"course": "an-toan"}))
        .await;
    assert_eq!(res.status(), 204);
    let res = progress(app, &token, "an-toan", "bai", &event("completed", 60)).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let attempt: Value = start(app, &token, "an-toan.kiem-tra")
        .await
        .json()
        .await
        .unwrap();
    let aid = attempt["id"].as_str().unwrap().to_string();
    let answers: Vec<Value> = attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| answer_for(q, right))
        .collect();
    assert_eq!(save(app, &token, &aid, json!(answers)).await.status(), 200);
    submit(app, &token, &aid).await;
    Person { id, token }
}

async fn the_export_holds_the_person_and_nobody_else(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    quiz_course(&app, "an-toan", json!({})).await;
    let w = world(&app).await;
    let household = app
        .post(&format!("/api/v1/admin/localities/{}/households", w.v1))
        .token(&w.facilitator)
        .json(&json!({"code": "H07", "label": "Hộ ông Bảy"}))
        .expect(201)
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let lan = resident(
        &app,
        &w.facilitator,
        &w.v1,
        &household,
        ("Nguyễn Thị Lan", "lan.nguyen", "lan.nguyen@example.vn"),
        true,
    )
    .await;
    // Same household, a history of her own.
    let hoa = resident(
        &app,
        &w.facilitator,
        &w.v1,
        &household,
        ("Trần Thị Hoa", "hoa.tran", "hoa.tran@example.vn"),
        false,
    )
    .await;
    let (stranger_id, stranger) = learner(&app, "nguoi.la@example.vn").await;
    // The facilitator looks at Lan's page (a record of access), and at Hoa's.
    for p in [&lan, &hoa] {
        app.get(&format!("/api/v1/facilitator/residents/{}", p.id))
            .token(&w.facilitator)
            .expect(200)
            .await;
    }

    // Small: ready at once.
    let res = app.post("/api/v1/me/exports").token(&lan.token).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["status"], "ready", "{created}");
    assert_eq!(created["expired"], false);
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(location, format!("/api/v1/me/exports/{id}"));
    let status: Value = app.get(&location).token(&lan.token).value().await;
    assert_eq!(status["id"], id.as_str());
    assert!(status["size_bytes"].as_i64().unwrap() > 0);

    let res = app
        .get(&format!("/api/v1/me/exports/{id}/download?format=json"))
        .token(&lan.token)
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"hocso-du-lieu-ca-nhan-"));
    let text = res.text().await.unwrap();
    let d: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(d["format"], "hocso-personal-data/1");
    assert_eq!(d["account"]["id"], lan.id.as_str());
    assert_eq!(d["account"]["username"], "lan.nguyen");
    assert_eq!(d["account"]["email"], "lan.nguyen@example.vn");
    assert_eq!(d["profile"]["birth_year"], 1970);
    assert_eq!(d["profile"]["village"], "Thôn Một");
    assert_eq!(d["profile"]["household"]["label"], "Hộ ông Bảy", "{d}");
    let facilitator: Value = app.get("/api/v1/me").token(&w.facilitator).value().await;
    let count = |k: &str| d[k].as_array().map_or(0, Vec::len);
    assert_eq!(count("consents"), 1);
    assert_eq!(d["consents"][0]["way"], "paper");
    assert_eq!(d["consents"][0]["recorded_by"], facilitator["display_name"]);
    assert_eq!(count("enrolments"), 1);
    assert_eq!(d["enrolments"][0]["course"], "an-toan");
    assert_eq!(count("lessons"), 1);
    assert_eq!(count("progress_events"), 1);
    assert_eq!(count("attempts"), 1);
    assert_eq!(d["attempts"][0]["passed"], true);
    assert!(
        d["attempts"][0]["answers"]
            .to_string()
            .to_lowercase()
            .contains("vneid"),
        "the answers given: {}",
        d["attempts"][0]["answers"]
    );
    assert_eq!(count("certificates"), 1, "{}", d["certificates"]);
    assert_eq!(d["certificates"][0]["recipient_name"], "Nguyễn Thị Lan");
    assert!(count("mail") >= 1, "{}", d["mail"]);
    assert!(d["mail"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["to_address"] == "lan.nguyen@example.vn"));
    assert!(count("one_time_tokens") >= 1);
    assert!(count("sessions") >= 1);
    let actions: Vec<&str> = d["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"resident.register"), "{actions:?}");
    assert!(actions.contains(&"resident.enroll"), "{actions:?}");
    let reads: Vec<&str> = d["reads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["what"].as_str().unwrap())
        .collect();
    assert!(
        reads.contains(&"profile") && reads.contains(&"progress"),
        "{reads:?}"
    );
    assert_eq!(d["reads"][0]["actor"], facilitator["display_name"]);
    // No secrets, and nothing of Hoa (same household) or of anyone else.
    for absent in [
        "password_hash",
        "$argon2",
        "token_hash",
        "cookie_hash",
        "Trần Thị Hoa",
        "hoa.tran",
        hoa.id.as_str(),
        stranger_id.as_str(),
        "nguoi.la",
    ] {
        assert!(!text.contains(absent), "{absent} in the export: {text}");
    }

    // The readable page: the same person, escaped, nothing of Hoa.
    let res = app
        .get(&format!("/api/v1/me/exports/{id}/download?format=html"))
        .token(&lan.token)
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = res.text().await.unwrap();
    for present in [
        "Nguyễn Thị Lan",
        "Hộ ông Bảy",
        "lan.nguyen@example.vn",
        "Tài khoản",
    ] {
        assert!(html.contains(present), "{present} not in the page");
    }
    assert!(!html.contains("Trần Thị Hoa") && !html.contains("hoa.tran"));
    let res = app
        .get(&format!("/api/v1/me/exports/{id}/download?format=pdf"))
        .token(&lan.token)
        .await;
    assert_problem(res, 400, "invalid_query").await;

    // Hoa, a stranger, and nobody signed in: 404 / 401, as for no such export.
    for other in [&hoa.token, &stranger] {
        for path in [
            format!("/api/v1/me/exports/{id}"),
            format!("/api/v1/me/exports/{id}/download"),
        ] {
            let res = app.get(&path).token(other).await;
            assert_problem(res, 404, "not_found").await;
        }
    }
    let res = app.get(&format!("/api/v1/me/exports/{id}/download")).await;
    assert_eq!(res.status(), 401);

    // Hoa's own export holds her, not Lan.
    let theirs = app
        .post("/api/v1/me/exports")
        .token(&hoa.token)
        .expect(201)
        .await;
    let hid = theirs["id"].as_str().unwrap();
    let text = app
        .get(&format!("/api/v1/me/exports/{hid}/download"))
        .token(&hoa.token)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("hoa.tran")
            && !text.contains("Nguyễn Thị Lan")
            && !text.contains("lan.nguyen")
    );

    // Expired: 410 with a stable code, and the status says so.
    let eid = id.clone();
    app.db(move |c| {
        diesel::update(exports::table.filter(exports::id.eq(eid)))
            .set(
                exports::expires_at
                    .eq(chrono::Utc::now().naive_utc() - chrono::TimeDelta::minutes(1)),
            )
            .execute(c)
            .unwrap()
    })
    .await;
    let res = app
        .get(&format!("/api/v1/me/exports/{id}/download"))
        .token(&lan.token)
        .await;
    assert_problem(res, 410, "export_expired").await;
    let status: Value = app.get(&location).token(&lan.token).value().await;
    assert_eq!(status["expired"], true);
}

async fn a_large_export_is_built_in_the_background(backend: Backend) {
    // Everything is "large" here; the worker looks once at start, then after an hour.
    let app = TestApp::spawn_with(backend, |s| {
        s.export_inline_max_rows = 0;
        s.export_poll_seconds = 3600;
    })
    .await;
    let (_, lan) = learner(&app, "lan@example.vn").await;
    let res = app.post("/api/v1/me/exports").token(&lan).await;
    assert_eq!(res.status(), 202);
    let pending: Value = res.json().await.unwrap();
    assert_eq!(pending["status"], "pending");
    let id = pending["id"].as_str().unwrap().to_string();
    let res = app
        .get(&format!("/api/v1/me/exports/{id}/download"))
        .token(&lan)
        .await;
    assert_problem(res, 409, "export_not_ready").await;
    // Asking again while it waits answers the same export.
    let again = app.post("/api/v1/me/exports").token(&lan).expect(202).await;
    assert_eq!(again["id"], id.as_str());
    let waiting = app
        .db(|c| exports::table.count().get_result::<i64>(c).unwrap())
        .await;
    assert_eq!(waiting, 1);

    // With the worker looking every second, it is built and delivered.
    let app = TestApp::spawn_beside(&app, |s| {
        s.export_inline_max_rows = 0;
        s.export_poll_seconds = 1;
    })
    .await;
    let lan = login(&app, "lan@example.vn", "mat-khau-rat-dai-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut status = Value::Null;
    for _ in 0..100 {
        status = app
            .get(&format!("/api/v1/me/exports/{id}"))
            .token(&lan)
            .value()
            .await;
        if status["status"] == "ready" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status["status"], "ready", "{status}");
    assert!(status["ready_at"].is_string());
    let d: Value = app
        .get(&format!("/api/v1/me/exports/{id}/download"))
        .token(&lan)
        .value()
        .await;
    assert_eq!(d["account"]["email"], "lan@example.vn");
}
