//! No import, registration or reset reaches an account outside the actor's area or one that
//! holds a role (issue: account takeover through resident import).

use diesel::prelude::*;
use hocso::db::schema::{learner_profiles, users};
use serde_json::{json, Value};

use crate::both_backends;
use crate::community::world;
use crate::helpers::*;

both_backends!(
    an_import_never_takes_over_a_staff_account,
    an_import_never_pulls_a_resident_from_another_area,
    a_resident_sets_a_new_pin_with_the_reset_code,
);

async fn import(app: &TestApp, token: &str, csv: &str) -> Value {
    let res = app
        .post("/api/v1/admin/imports/residents")
        .token(token)
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn user_by_phone(app: &TestApp, phone: &'static str) -> String {
    app.db(move |c| {
        users::table
            .filter(users::phone.eq(phone))
            .select(users::id)
            .first::<String>(c)
            .unwrap()
    })
    .await
}

async fn village_of(app: &TestApp, user: &str) -> Option<String> {
    let user = user.to_string();
    app.db(move |c| {
        learner_profiles::table
            .find(&user)
            .select(learner_profiles::village_id)
            .first::<Option<String>>(c)
            .optional()
            .unwrap()
            .flatten()
    })
    .await
}

async fn reset(app: &TestApp, token: &str, resident: &str) -> reqwest::Response {
    app.post(&format!(
        "/api/v1/facilitator/residents/{resident}/password-reset"
    ))
    .token(token)
    .await
}

/// The attack of the report: a commune admin imports a row with the platform admin's phone, then
/// asks for a reset code. The account is only asked (never linked), and no reset code is given
/// for an account that holds a role, even once its owner has linked it to a village.
async fn an_import_never_takes_over_a_staff_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    app.db(|c| {
        diesel::update(users::table.filter(users::email.eq("admin@hocso.test")))
            .set(users::phone.eq("+84915000001"))
            .execute(c)
            .unwrap()
    })
    .await;
    let platform_admin = user_by_phone(&app, "+84915000001").await;
    let report = import(
        &app,
        &w.commune_admin,
        "village_code,household_code,name,birth_year,learner_group,phone,eid_status\n\
         AN-1,H1,Giả Mạo,1970,citizen, +84 915 000 001 ,none\n",
    )
    .await;
    assert_eq!(report["created"], 0, "{report}");
    assert_eq!(report["updated"], 0, "{report}");
    assert_eq!(report["waiting_for_owner"], json!([2]), "{report}");
    assert_eq!(village_of(&app, &platform_admin).await, None);
    for token in [&w.commune_admin, &w.facilitator, &w.admin] {
        assert_problem(reset(&app, token, &platform_admin).await, 404, "not_found").await;
    }
    // Even linked by its owner, an account with a role gets no reset code from anyone.
    let res = app
        .post("/api/v1/me/village-link")
        .token(&w.admin)
        .json(&json!({"accept": true}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(village_of(&app, &platform_admin).await, Some(w.v1.clone()));
    for token in [&w.commune_admin, &w.facilitator, &w.admin] {
        assert_problem(reset(&app, token, &platform_admin).await, 404, "not_found").await;
    }
    // Nor does the facilitators' profile correction reach it.
    let res = app
        .put(&format!(
            "/api/v1/facilitator/residents/{platform_admin}/profile"
        ))
        .token(&w.facilitator)
        .json(&json!({"eid_status": "level2"}))
        .await;
    assert_problem(res, 404, "not_found").await;
}

/// An admin of one commune cannot move another commune's resident into their own area, neither
/// by the resident's external id nor by their phone, and cannot then reset them.
async fn an_import_never_pulls_a_resident_from_another_area(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let (bm_id, _) = learner(&app, "bm@example.vn").await;
    let res = app
        .post(&format!("/api/v1/admin/users/{bm_id}/roles"))
        .token(&w.admin)
        .json(&json!({"role": "admin", "locality_code": "BM"}))
        .await;
    assert_eq!(res.status(), 200);
    let bm_admin = login(&app, "bm@example.vn", "mat-khau-rat-dai-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let header =
        "village_code,household_code,name,birth_year,learner_group,phone,eid_status,external_id\n";
    let report = import(
        &app,
        &w.commune_admin,
        &format!("{header}AN-1,H1,Cụ Năm,1950,citizen,0915000002,level1,X-1\n"),
    )
    .await;
    assert_eq!(report["created"], 1, "{report}");
    let resident = user_by_phone(&app, "+84915000002").await;
    assert_eq!(village_of(&app, &resident).await, Some(w.v1.clone()));

    // By external id: refused, named as outside the area.
    let report = import(
        &app,
        &bm_admin,
        &format!("{header}BM-3,H9,Cụ Năm,1950,citizen,,level2,X-1\n"),
    )
    .await;
    assert_eq!(report["rejected"], 1, "{report}");
    assert_eq!(report["problems"][0]["column"], "external_id", "{report}");
    assert_eq!(village_of(&app, &resident).await, Some(w.v1.clone()));
    // By phone: only asked.
    let report = import(
        &app,
        &bm_admin,
        &format!("{header}BM-3,H9,Cụ Năm,1950,citizen,84 915 000 002,level2,\n"),
    )
    .await;
    assert_eq!(report["waiting_for_owner"], json!([2]), "{report}");
    assert_eq!(report["updated"], 0, "{report}");
    assert_eq!(village_of(&app, &resident).await, Some(w.v1.clone()));
    let eid = app
        .db({
            let r = resident.clone();
            move |c| {
                learner_profiles::table
                    .find(&r)
                    .select(learner_profiles::eid_status)
                    .first::<String>(c)
                    .unwrap()
            }
        })
        .await;
    assert_eq!(eid, "level1", "nothing of the row was applied");
    // Still listed in their own village, and reset only there.
    let list: Value = app
        .get("/api/v1/facilitator/residents")
        .token(&w.facilitator)
        .value()
        .await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|r| r["user_id"] == resident.as_str()),
        "{list}"
    );
    assert_problem(
        reset(&app, &w.other_facilitator, &resident).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(reset(&app, &bm_admin, &resident).await, 404, "not_found").await;
    assert_eq!(reset(&app, &w.facilitator, &resident).await.status(), 201);
}

/// A resident imported without a password (or registered with a PIN) sets a new PIN of six
/// digits with the code a facilitator gives; the old secret stops working.
async fn a_resident_sets_a_new_pin_with_the_reset_code(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let resident = app
        .post("/api/v1/facilitator/residents")
        .token(&w.facilitator)
        .json(&json!({
            "consent_way": "paper", "village_id": w.v1, "display_name": "Bà Sáu", "username": "ba.sau",
            "password": "482915"
        }))
        .expect(201)
        .await;
    let id = resident["user"]["id"].as_str().unwrap().to_string();
    let code: Value = reset(&app, &w.facilitator, &id).await.json().await.unwrap();
    let code = code["code"].as_str().unwrap().to_string();
    // A trivial PIN is refused and the code stays usable.
    let res = app
        .post("/api/v1/auth/password/reset")
        .json(&json!({"token": code, "new_password": "123456"}))
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "new_password", "{problem}");
    assert_eq!(problem["errors"][0]["code"], "weak_pin", "{problem}");
    let res = app
        .post("/api/v1/auth/password/reset")
        .json(&json!({"token": code, "new_password": "730261"}))
        .await;
    assert_eq!(res.status(), 204);
    login(&app, "ba.sau", "730261").await;
    let res = app
        .post("/api/v1/auth/login")
        .json(&json!({"login": "ba.sau", "password": "482915"}))
        .await;
    assert_eq!(res.status(), 401);
}
