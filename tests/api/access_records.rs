//! Records of access (issue 21, item 7; docs/PRIVACY.md): a facilitator's or an admin's read of
//! one person's data leaves a record that person, and only they, can see; their own reads leave
//! none; a facilitator of another village still gets 404 and leaves no record.

use diesel::prelude::*;
use hocso::db::schema::access_records;
use serde_json::{json, Value};

use crate::both_backends;
use crate::community::world;
use crate::helpers::*;

both_backends!(a_read_of_a_resident_is_recorded_for_them_only);

async fn records_of(app: &TestApp, subject: &str) -> i64 {
    let subject = subject.to_string();
    app.db(move |c| {
        access_records::table
            .filter(access_records::subject_id.eq(subject))
            .count()
            .get_result::<i64>(c)
            .unwrap()
    })
    .await
}

async fn a_read_of_a_resident_is_recorded_for_them_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let registered = app
        .post("/api/v1/facilitator/residents")
        .token(&w.facilitator)
        .json(
            &json!({"village_id": w.v1, "display_name": "Bà Tư", "username": "ba.tu",
            "password": "482915", "consent_way": "paper", "birth_year": 1958}),
        )
        .expect(201)
        .await;
    let rid = registered["user"]["id"].as_str().unwrap().to_string();
    let resident = login(&app, "ba.tu", "482915").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, other_learner) = learner(&app, "khac@example.vn").await;

    // The resident's own reads are not recorded; registering them was no read.
    let _: Value = app.get("/api/v1/me/profile").token(&resident).value().await;
    let _: Value = app.get("/api/v1/me").token(&resident).value().await;
    let mine: Value = app
        .get("/api/v1/me/access-records")
        .token(&resident)
        .value()
        .await;
    assert_eq!(mine["items"], json!([]), "{mine}");
    assert_eq!(records_of(&app, &rid).await, 0);

    // A facilitator of another village: 404, as for no such resident, and nothing recorded.
    let res = app
        .get(&format!("/api/v1/facilitator/residents/{rid}"))
        .token(&w.other_facilitator)
        .await;
    assert_problem(res, 404, "not_found").await;
    assert_eq!(records_of(&app, &rid).await, 0);

    // Their facilitator reads their profile and progress: recorded.
    let seen: Value = app
        .get(&format!("/api/v1/facilitator/residents/{rid}"))
        .token(&w.facilitator)
        .value()
        .await;
    assert_eq!(seen["resident"]["display_name"], "Bà Tư", "{seen}");
    assert_eq!(seen["profile"]["birth_year"], 1958);
    assert_eq!(records_of(&app, &rid).await, 2);
    let facilitator: Value = app.get("/api/v1/me").token(&w.facilitator).value().await;

    let mine: Value = app
        .get("/api/v1/me/access-records")
        .token(&resident)
        .value()
        .await;
    let items = mine["items"].as_array().unwrap();
    let mut what: Vec<&str> = items.iter().map(|r| r["what"].as_str().unwrap()).collect();
    what.sort();
    assert_eq!(what, ["profile", "progress"], "{mine}");
    for r in items {
        assert_eq!(r["actor"]["display_name"], facilitator["display_name"]);
        assert_eq!(r["actor"]["role"], "facilitator");
        // Who looked, not how to reach them.
        assert_eq!(
            r["actor"].as_object().unwrap().len(),
            2,
            "only a name and a role: {r}"
        );
        assert!(r["read_at"].is_string());
    }
    assert!(!mine.to_string().contains("f1@example.vn"));

    // Another learner sees none of it.
    let theirs: Value = app
        .get("/api/v1/me/access-records")
        .token(&other_learner)
        .value()
        .await;
    assert_eq!(theirs["items"], json!([]), "{theirs}");

    // An admin reading the account, an admin of the area the audit trail: recorded as admins.
    let _: Value = app
        .get(&format!("/api/v1/admin/users/{rid}"))
        .token(&w.admin)
        .value()
        .await;
    let _: Value = app
        .get(&format!("/api/v1/admin/residents/{rid}/audit"))
        .token(&w.commune_admin)
        .value()
        .await;
    assert_eq!(records_of(&app, &rid).await, 4);
    // An admin reading their own account leaves nothing.
    let me: Value = app.get("/api/v1/me").token(&w.admin).value().await;
    let admin_id = me["id"].as_str().unwrap().to_string();
    let _: Value = app
        .get(&format!("/api/v1/admin/users/{admin_id}"))
        .token(&w.admin)
        .value()
        .await;
    assert_eq!(records_of(&app, &admin_id).await, 0);

    // Newest first, a page at a time.
    let first = app
        .get("/api/v1/me/access-records?limit=3")
        .token(&resident)
        .await;
    assert_eq!(first.status(), 200);
    assert!(first.headers().get("link").is_some());
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 3, "{first}");
    let newest: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|r| r["what"].as_str().unwrap())
        .collect();
    assert_eq!(newest, ["audit", "account"], "{first}");
    assert_eq!(first["items"][0]["actor"]["role"], "admin");
    let cursor = first["next_cursor"].as_str().unwrap();
    let second: Value = app
        .get(&format!(
            "/api/v1/me/access-records?limit=3&cursor={cursor}"
        ))
        .token(&resident)
        .value()
        .await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1, "{second}");
    assert!(second.get("next_cursor").is_none());
    let res = app
        .get("/api/v1/me/access-records?cursor=bm90LWEtY3Vyc29y")
        .token(&resident)
        .await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app.get("/api/v1/me/access-records").await;
    assert_eq!(res.status(), 401);
}
