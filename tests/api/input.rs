//! Text with NUL or another control character is refused at the edge with 422, the same on both
//! databases (PostgreSQL cannot store NUL in text and used to answer 500), and nothing is written.

use diesel::prelude::*;
use hocso::db::schema::users;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

both_backends!(control_characters_are_refused_everywhere);

async fn refused(res: reqwest::Response, field: &str) {
    let problem: Value = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    assert_eq!(
        problem["errors"][0]["code"], "control_character",
        "{problem}"
    );
}

async fn control_characters_are_refused_everywhere(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Without login.
    let res = app
        .post("/api/v1/auth/login")
        .json(&json!({"login": "a\u{0}b", "password": "x"}))
        .await;
    refused(res, "login").await;
    let res = register(
        &app,
        json!({"display_name": "Bà\u{1b}[31m Tư", "email": "ba.tu@example.vn", "password": "mat-khau-rat-dai-1"}),
    )
    .await;
    refused(res, "display_name").await;
    let n: i64 = app
        .db(|c| users::table.count().get_result(c).unwrap())
        .await;
    assert_eq!(n, 0, "nothing written");
    // Nested fields are named by their path; line breaks and tabs stay allowed.
    let (_, admin) = admin(&app).await;
    let res = app
        .post("/api/v1/admin/localities")
        .token(&admin)
        .json(&json!({"kind": "province", "name": "Phú\u{0}Thọ", "code": "PT"}))
        .await;
    refused(res, "name").await;
    let res = app
        .post("/api/v1/admin/localities")
        .token(&admin)
        .json(&json!({"kind": "province", "name": "Phú Thọ", "code": "PT"}))
        .await;
    assert_eq!(res.status(), 201);
    // CSV cells.
    let res = app
        .post("/api/v1/admin/imports/residents")
        .token(&admin)
        .header("content-type", "text/csv")
        .body("village_code,household_code,name,birth_year,learner_group,eid_status\nAN-1,H1,Bà\u{0}Tư,1950,citizen,none\n")
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        problem["errors"][0]["code"], "control_character",
        "{problem}"
    );
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("line 2"),
        "{problem}"
    );
}
