//! The privacy notice and consent (issue 21, items 1–2; docs/PRIVACY.md): the notice served
//! with this deployment's controller; registration refused without consent to the current
//! version; a facilitator's registration records how the resident consented and who recorded
//! it; a person sees, withdraws and gives again their consent, and only theirs.

use diesel::prelude::*;
use hocso::db::schema::{consents, users};
use hocso::privacy::NOTICE_VERSION;
use serde_json::{json, Value};

use crate::both_backends;
use crate::community::world;
use crate::helpers::*;

both_backends!(
    the_notice_names_the_controller,
    registration_needs_consent_to_the_current_notice,
    a_facilitator_records_how_the_resident_consented,
    consent_is_withdrawn_and_given_again_by_its_person_only,
);

async fn the_notice_names_the_controller(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.privacy_controller_name = "UBND xã An Nghĩa".into();
        s.privacy_controller_contact = "0210 3 123 456".into();
    })
    .await;
    let vi: Value = app.get("/api/v1/privacy").value().await;
    assert_eq!(vi["version"], NOTICE_VERSION);
    assert_eq!(vi["language"], "vi");
    assert_eq!(vi["controller_name"], "UBND xã An Nghĩa");
    assert!(vi["html"].as_str().unwrap().contains("UBND xã An Nghĩa"));
    assert!(vi["markdown"].as_str().unwrap().contains("Quyền của bạn"));
    let en: Value = app.get("/api/v1/privacy?lang=en").value().await;
    assert_eq!(en["language"], "en");
    assert!(en["markdown"].as_str().unwrap().contains("Your rights"));
    assert!(en["html"].as_str().unwrap().contains("0210 3 123 456"));
    // The page, public, in the same words.
    let page = app.get("/privacy").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("UBND xã An Nghĩa"), "{html}");
}

async fn user_count(app: &TestApp) -> i64 {
    app.db(|c| users::table.count().get_result::<i64>(c).unwrap())
        .await
}

async fn registration_needs_consent_to_the_current_notice(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body = |consent: Value| {
        json!({"display_name": "Chị Lan", "phone": "0912345678",
            "password": "lua-thom-mua-vu-2026", "accept_privacy_notice": consent})
    };
    for (consent, code) in [
        (Value::Null, "consent_required"),
        (json!(""), "consent_required"),
        (json!("2020-01-01"), "consent_outdated"),
    ] {
        let res = register(&app, body(consent.clone())).await;
        let problem = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(
            problem["errors"][0]["field"], "accept_privacy_notice",
            "{problem}"
        );
        assert_eq!(problem["errors"][0]["code"], code, "{consent}: {problem}");
    }
    assert_eq!(user_count(&app).await, 0, "nothing stored without consent");

    let res = register(&app, body(json!(NOTICE_VERSION))).await;
    assert_eq!(res.status(), 201);
    let token = login(&app, "0912345678", "lua-thom-mua-vu-2026").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let mine: Value = app.get("/api/v1/me/consents").token(&token).value().await;
    assert_eq!(mine["current_version"], NOTICE_VERSION);
    assert_eq!(mine["to_accept"], false);
    let list = mine["consents"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{mine}");
    assert_eq!(list[0]["notice_version"], NOTICE_VERSION);
    assert_eq!(list[0]["way"], "online");
    assert_eq!(list[0]["recorded_by"], Value::Null);
    assert_eq!(list[0]["withdrawn_at"], Value::Null);
}

async fn a_facilitator_records_how_the_resident_consented(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let resident = |way: Value| {
        json!({"village_id": w.v1, "display_name": "Bà Tư", "username": "ba.tu",
            "password": "482915", "consent_way": way})
    };
    // Without a way, or "online" (the person's own way, not a facilitator's): refused.
    for way in [Value::Null, json!("online")] {
        let res = app
            .post("/api/v1/facilitator/residents")
            .token(&w.facilitator)
            .json(&resident(way.clone()))
            .await;
        let problem = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "consent_way", "{problem}");
        assert_eq!(problem["errors"][0]["code"], "consent_required");
    }
    let stored = app
        .db(|c| consents::table.count().get_result::<i64>(c).unwrap())
        .await;
    let res = app
        .post("/api/v1/facilitator/residents")
        .token(&w.facilitator)
        .json(&resident(json!("paper")))
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let after = app
        .db(|c| consents::table.count().get_result::<i64>(c).unwrap())
        .await;
    assert_eq!(after, stored + 1);

    // The resident sees how they consented and who recorded it.
    let token = login(&app, "ba.tu", "482915").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let mine: Value = app.get("/api/v1/me/consents").token(&token).value().await;
    let c = &mine["consents"][0];
    assert_eq!(c["way"], "paper", "{mine}");
    assert_eq!(c["notice_version"], NOTICE_VERSION);
    let facilitator: Value = app.get("/api/v1/me").token(&w.facilitator).value().await;
    assert_eq!(c["recorded_by"], facilitator["display_name"]);
    assert_eq!(mine["to_accept"], false);
}

async fn consent_is_withdrawn_and_given_again_by_its_person_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, lan) = learner(&app, "lan@example.vn").await;
    let (_, other) = learner(&app, "khac@example.vn").await;
    let mine: Value = app.get("/api/v1/me/consents").token(&lan).value().await;
    let id = mine["consents"][0]["id"].as_str().unwrap().to_string();

    // Not someone else's.
    let res = app
        .post(&format!("/api/v1/me/consents/{id}/withdraw"))
        .token(&other)
        .await;
    assert_problem(res, 404, "not_found").await;

    let after: Value = app
        .post(&format!("/api/v1/me/consents/{id}/withdraw"))
        .token(&lan)
        .value()
        .await;
    assert_eq!(after["to_accept"], true, "{after}");
    assert!(after["consents"][0]["withdrawn_at"].is_string(), "{after}");
    let res = app
        .post(&format!("/api/v1/me/consents/{id}/withdraw"))
        .token(&lan)
        .await;
    assert_problem(res, 409, "consent_withdrawn").await;
    // The other person's consent is untouched.
    let theirs: Value = app.get("/api/v1/me/consents").token(&other).value().await;
    assert_eq!(theirs["to_accept"], false);

    // Given again, to the current version only.
    let res = app
        .post("/api/v1/me/consents")
        .token(&lan)
        .json(&json!({"notice_version": "2020-01-01"}))
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "consent_outdated");
    let again: Value = app
        .post("/api/v1/me/consents")
        .token(&lan)
        .json(&json!({"notice_version": NOTICE_VERSION}))
        .value()
        .await;
    assert_eq!(again["to_accept"], false);
    assert_eq!(again["consents"].as_array().unwrap().len(), 2, "{again}");
    assert_eq!(again["consents"][0]["way"], "online");
    // Accepting again while it stands adds nothing.
    let same: Value = app
        .post("/api/v1/me/consents")
        .token(&lan)
        .json(&json!({"notice_version": NOTICE_VERSION}))
        .value()
        .await;
    assert_eq!(same["consents"].as_array().unwrap().len(), 2);
}
