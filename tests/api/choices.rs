//! Restriction and objection (issue 21, item 6; docs/PRIVACY.md): a person refuses optional mail
//! (no congratulation when they finish a course, a password reset still comes) and the showing
//! of their name in facilitators' lists (initials there, the name on their own page); only their
//! own choices, audited, in their export.

use diesel::prelude::*;
use hocso::db::schema::{audit_log, mail_outbox, privacy_choices};
use serde_json::{json, Value};

use crate::both_backends;
use crate::community::world;
use crate::helpers::*;

both_backends!(
    optional_mail_stops_for_who_refused_it_and_security_mail_goes_on,
    a_withheld_name_shows_as_initials_in_lists_and_whole_on_its_page,
    choices_are_their_persons_own_and_checked,
);

/// The kinds of mail queued to `to`.
async fn mail_to(app: &TestApp, to: &str) -> Vec<String> {
    let to = to.to_string();
    app.db(move |c| {
        mail_outbox::table
            .filter(mail_outbox::to_address.eq(to))
            .order(mail_outbox::created_at)
            .select(mail_outbox::kind)
            .load::<String>(c)
            .unwrap()
    })
    .await
}

async fn complete(app: &TestApp, token: &str, slug: &str) {
    for lesson in ["a", "b"] {
        progress(app, token, slug, lesson, &event("completed", 60)).await;
    }
    let p: Value = app
        .get(&format!("/api/v1/me/courses/{slug}/progress"))
        .token(token)
        .value()
        .await;
    assert_eq!(p["status"], "completed", "{p}");
}

async fn optional_mail_stops_for_who_refused_it_and_security_mail_goes_on(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    simple_course(&app, "thu").await;
    let (_, quiet) = learner(&app, "khong.thu@example.vn").await;
    let (_, keen) = learner(&app, "nhan.thu@example.vn").await;

    // The defaults: yes to both, never changed.
    let mine: Value = app
        .get("/api/v1/me/privacy/choices")
        .token(&quiet)
        .value()
        .await;
    assert_eq!(
        mine,
        json!({"optional_mail": true, "name_in_lists": true, "changed_at": null})
    );
    let set: Value = app
        .put("/api/v1/me/privacy/choices")
        .token(&quiet)
        .json(&json!({"optional_mail": false, "name_in_lists": true}))
        .value()
        .await;
    assert_eq!(set["optional_mail"], false);
    assert!(set["changed_at"].is_string(), "{set}");

    complete(&app, &quiet, "thu").await;
    complete(&app, &keen, "thu").await;
    assert_eq!(
        mail_to(&app, "khong.thu@example.vn").await,
        ["verify_email"]
    );
    assert_eq!(
        mail_to(&app, "nhan.thu@example.vn").await,
        ["verify_email", "course_completed"]
    );

    // Security mail is not optional.
    app.post("/api/v1/auth/password/forgot")
        .json(&json!({"login": "khong.thu@example.vn"}))
        .await;
    assert_eq!(
        mail_to(&app, "khong.thu@example.vn").await,
        ["verify_email", "reset_password"]
    );

    // Changing their mind brings the optional mail back.
    let _: Value = app
        .put("/api/v1/me/privacy/choices")
        .token(&quiet)
        .json(&json!({"optional_mail": true, "name_in_lists": true}))
        .value()
        .await;
    simple_course(&app, "thu-hai").await;
    complete(&app, &quiet, "thu-hai").await;
    assert_eq!(
        mail_to(&app, "khong.thu@example.vn").await,
        ["verify_email", "reset_password", "course_completed"]
    );
}

async fn a_withheld_name_shows_as_initials_in_lists_and_whole_on_its_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let mut ids = Vec::new();
    for (name, username) in [("Nguyễn Văn An", "nv.an"), ("Trần Thị Bình", "tt.binh")] {
        let r = app
            .post("/api/v1/facilitator/residents")
            .token(&w.facilitator)
            .json(
                &json!({"village_id": w.v1, "display_name": name, "username": username,
                "password": "482915", "consent_way": "paper"}),
            )
            .expect(201)
            .await;
        ids.push(r["user"]["id"].as_str().unwrap().to_string());
    }
    let an = login(&app, "nv.an", "482915").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let _: Value = app
        .put("/api/v1/me/privacy/choices")
        .token(&an)
        .json(&json!({"optional_mail": true, "name_in_lists": false}))
        .value()
        .await;
    let code: String = ids[0].chars().filter(char::is_ascii_alphanumeric).collect();
    let shown = format!("N. V. A. · #{}", &code[code.len() - 4..]);

    let names = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|r| r["display_name"].as_str().unwrap().to_string())
            .collect()
    };
    let list: Value = app
        .get("/api/v1/facilitator/residents")
        .token(&w.facilitator)
        .value()
        .await;
    let listed = names(&list);
    assert!(listed.contains(&shown), "{list}");
    assert!(listed.contains(&"Trần Thị Bình".to_string()), "{list}");
    assert!(!list.to_string().contains("Nguyễn Văn An"), "{list}");
    // Who needs help (both never started): the same.
    let help: Value = app
        .get("/api/v1/facilitator/needs-help")
        .token(&w.facilitator)
        .value()
        .await;
    assert_eq!(help.as_array().unwrap().len(), 2, "{help}");
    assert!(names(&help).contains(&shown), "{help}");
    assert!(!help.to_string().contains("Nguyễn Văn An"), "{help}");

    // Their own page, for the village's work: the name.
    let page: Value = app
        .get(&format!("/api/v1/facilitator/residents/{}", ids[0]))
        .token(&w.facilitator)
        .value()
        .await;
    assert_eq!(page["resident"]["display_name"], "Nguyễn Văn An", "{page}");

    // The change is audited, without their name.
    let id = ids[0].clone();
    let details = app
        .db(move |c| {
            audit_log::table
                .filter(audit_log::subject_user_id.eq(id))
                .filter(audit_log::action.eq("privacy.choices"))
                .select(audit_log::details)
                .load::<String>(c)
                .unwrap()
        })
        .await;
    assert_eq!(details.len(), 1);
    let d: Value = serde_json::from_str(&details[0]).unwrap();
    assert_eq!(d, json!({"optional_mail": true, "name_in_lists": false}));

    // And it is in their export.
    let export: Value = app.post("/api/v1/me/exports").token(&an).expect(201).await;
    let file: Value = app
        .get(&format!(
            "/api/v1/me/exports/{}/download",
            export["id"].as_str().unwrap()
        ))
        .token(&an)
        .value()
        .await;
    assert_eq!(file["privacy_choices"]["name_in_lists"], false, "{file}");
    assert_eq!(file["privacy_choices"]["optional_mail"], true);
}

async fn choices_are_their_persons_own_and_checked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (a_id, a) = learner(&app, "a@example.vn").await;
    let (b_id, b) = learner(&app, "b@example.vn").await;
    let _: Value = app
        .put("/api/v1/me/privacy/choices")
        .token(&a)
        .json(&json!({"optional_mail": false, "name_in_lists": false}))
        .value()
        .await;
    // B sees their own (the defaults), never A's; B's change leaves A's as they were.
    let bs: Value = app
        .get("/api/v1/me/privacy/choices")
        .token(&b)
        .value()
        .await;
    assert_eq!(bs["optional_mail"], true);
    assert_eq!(bs["changed_at"], Value::Null);
    let _: Value = app
        .put("/api/v1/me/privacy/choices")
        .token(&b)
        .json(&json!({"optional_mail": true, "name_in_lists": false}))
        .value()
        .await;
    let as_: Value = app
        .get("/api/v1/me/privacy/choices")
        .token(&a)
        .value()
        .await;
    assert_eq!(as_["optional_mail"], false);
    assert_eq!(as_["name_in_lists"], false);
    let rows = app
        .db(|c| {
            privacy_choices::table
                .order(privacy_choices::user_id)
                .select((
                    privacy_choices::user_id,
                    privacy_choices::optional_mail,
                    privacy_choices::name_in_lists,
                ))
                .load::<(String, bool, bool)>(c)
                .unwrap()
        })
        .await;
    let mut expected = vec![(a_id, false, false), (b_id, true, false)];
    expected.sort();
    assert_eq!(rows, expected);

    // Without a login: 401.
    let res = app.get("/api/v1/me/privacy/choices").await;
    assert_problem(res, 401, "unauthenticated").await;
    let res = app
        .put("/api/v1/me/privacy/choices")
        .json(&json!({"optional_mail": true, "name_in_lists": true}))
        .await;
    assert_problem(res, 401, "unauthenticated").await;

    // Bad input: 422 beside the field, nothing changed.
    let res = app
        .put("/api/v1/me/privacy/choices")
        .token(&a)
        .json(&json!({}))
        .await;
    let p = assert_problem(res, 422, "validation_failed").await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["optional_mail", "name_in_lists"], "{p}");
    assert_eq!(p["errors"][0]["code"], "required");
    for body in [
        json!({"optional_mail": "no", "name_in_lists": true}),
        json!({"optional_mail": true, "name_in_lists": true, "extra": 1}),
        json!([true, true]),
    ] {
        let res = app
            .put("/api/v1/me/privacy/choices")
            .token(&a)
            .json(&body)
            .await;
        assert_problem(res, 422, "validation_failed").await;
    }
    let res = app
        .put("/api/v1/me/privacy/choices")
        .token(&a)
        .header("content-type", "application/json")
        .body("{nope")
        .await;
    assert_problem(res, 400, "malformed_json").await;
    let as_: Value = app
        .get("/api/v1/me/privacy/choices")
        .token(&a)
        .value()
        .await;
    assert_eq!(as_["optional_mail"], false);
    assert_eq!(as_["name_in_lists"], false);
}
