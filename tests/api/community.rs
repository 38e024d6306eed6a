use chrono::TimeDelta;
use diesel::prelude::*;
use hocso::db::schema::progress_events;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

both_backends!(
    locality_tree_and_admin_scope,
    census_figures,
    facilitators_work_only_in_their_villages,
    needs_help_list,
    difficult_questions_of_my_learners,
);

pub(crate) struct World {
    pub admin: String,
    pub commune_admin: String,
    pub facilitator: String,
    pub other_facilitator: String,
    pub commune: String,
    pub other_commune: String,
    pub v1: String,
    pub v3: String,
}

/// A province with communes An Nghĩa (villages V1, V2) and Bình Minh (V3); a commune admin of An
/// Nghĩa; a facilitator in V1's team and another in V3's.
pub(crate) async fn world(app: &TestApp) -> World {
    let (_, admin) = admin(app).await;
    let province = create_locality(
        app,
        &admin,
        json!({"kind": "province", "name": "Phú Thọ", "code": "PT"}),
    )
    .await;
    let commune = create_locality(
        app,
        &admin,
        json!({"parent_id": province, "kind": "commune", "name": "An Nghĩa", "code": "AN"}),
    )
    .await;
    let other_commune = create_locality(
        app,
        &admin,
        json!({"parent_id": province, "kind": "commune", "name": "Bình Minh", "code": "BM"}),
    )
    .await;
    let v1 = create_locality(
        app,
        &admin,
        json!({"parent_id": commune, "kind": "village", "name": "Thôn Một", "code": "AN-1"}),
    )
    .await;
    create_locality(
        app,
        &admin,
        json!({"parent_id": commune, "kind": "village", "name": "Thôn Hai", "code": "AN-2"}),
    )
    .await;
    let v3 = create_locality(
        app,
        &admin,
        json!({"parent_id": other_commune, "kind": "village", "name": "Thôn Ba", "code": "BM-3"}),
    )
    .await;

    let (ca_id, _) = learner(app, "xa@example.vn").await;
    let res = app
        .post(&format!("/api/v1/admin/users/{ca_id}/roles"))
        .bearer_auth(&admin)
        .json(&json!({"role": "admin", "locality_code": "AN"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let commune_admin = login(app, "xa@example.vn", "mat-khau-rat-dai-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    let mut facilitators = Vec::new();
    for (email, village) in [("f1@example.vn", &v1), ("f3@example.vn", &v3)] {
        let (fid, _) = learner(app, email).await;
        let res = app
            .post("/api/v1/admin/teams")
            .bearer_auth(&admin)
            .json(&json!({"village_id": village, "name": "Tổ công nghệ số"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let team: Value = res.json().await.unwrap();
        let res = app
            .post(&format!(
                "/api/v1/admin/teams/{}/members",
                team["id"].as_str().unwrap()
            ))
            .bearer_auth(&admin)
            .json(&json!({"user_id": fid}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        facilitators.push(
            login(app, email, "mat-khau-rat-dai-1").await["access_token"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    World {
        admin,
        commune_admin,
        facilitator: facilitators[0].clone(),
        other_facilitator: facilitators[1].clone(),
        commune,
        other_commune,
        v1,
        v3,
    }
}

async fn locality_tree_and_admin_scope(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    // The commune admin works in their commune only.
    let res = app
        .post("/api/v1/admin/localities")
        .bearer_auth(&w.commune_admin)
        .json(&json!({"parent_id": w.commune, "kind": "village", "name": "Thôn Mới"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = app
        .post("/api/v1/admin/localities")
        .bearer_auth(&w.commune_admin)
        .json(&json!({"parent_id": w.other_commune, "kind": "village", "name": "Không được"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "forbidden").await;
    assert_problem(
        app.get(&format!("/api/v1/admin/localities/{}", w.other_commune))
            .bearer_auth(&w.commune_admin)
            .send()
            .await
            .unwrap(),
        403,
        "forbidden",
    )
    .await;
    let res = app
        .post("/api/v1/admin/localities")
        .bearer_auth(&w.commune_admin)
        .json(&json!({"kind": "province", "name": "X"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "forbidden").await;
    let tree: Value = app
        .get(&format!("/api/v1/admin/localities/{}", w.commune))
        .bearer_auth(&w.commune_admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tree["children"].as_array().unwrap().len(), 3);
    let roots: Value = app
        .get("/api/v1/admin/localities")
        .bearer_auth(&w.commune_admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(roots[0]["name"], "An Nghĩa");
    // Bad input: a commune holds villages only; a locality without parent is a province.
    let res = app
        .post("/api/v1/admin/localities")
        .bearer_auth(&w.admin)
        .json(&json!({"parent_id": w.commune, "kind": "province", "name": "X"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 409, "kind_mismatch").await;
    let res = app
        .post("/api/v1/admin/localities")
        .bearer_auth(&w.admin)
        .json(&json!({"kind": "village", "name": "X"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 422, "validation_failed").await;
    let res = app
        .post("/api/v1/admin/localities")
        .bearer_auth(&w.admin)
        .json(&json!({"parent_id": w.commune, "kind": "village", "name": "X", "code": "AN-1"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 409, "code_taken").await;
    assert_problem(
        app.get("/api/v1/admin/localities/khong-co")
            .bearer_auth(&w.admin)
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get("/api/v1/admin/localities")
            .bearer_auth(&w.facilitator)
            .send()
            .await
            .unwrap(),
        403,
        "forbidden",
    )
    .await;
}

async fn census_figures(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let figures = json!({"population": 6000, "aged_14_plus": 4800, "adults": 4500, "working_age": 3600, "households": 1500, "officials": 40, "enterprise_workers": 300});
    let res = app
        .put(&format!(
            "/api/v1/admin/localities/{}/census/2026",
            w.commune
        ))
        .bearer_auth(&w.commune_admin)
        .json(&figures)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let got: Value = app
        .get(&format!(
            "/api/v1/admin/localities/{}/census/2026",
            w.commune
        ))
        .bearer_auth(&w.commune_admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["households"], 1500);
    let res = app
        .put(&format!(
            "/api/v1/admin/localities/{}/census/2026",
            w.other_commune
        ))
        .bearer_auth(&w.commune_admin)
        .json(&figures)
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "forbidden").await;
    let res = app
        .put(&format!(
            "/api/v1/admin/localities/{}/census/2026",
            w.commune
        ))
        .bearer_auth(&w.commune_admin)
        .json(&json!({"population": 10, "adults": 20}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 422, "validation_failed").await;
    let res = app
        .put(&format!(
            "/api/v1/admin/localities/{}/census/1800",
            w.commune
        ))
        .bearer_auth(&w.commune_admin)
        .json(&figures)
        .send()
        .await
        .unwrap();
    assert_problem(res, 422, "validation_failed").await;
}

async fn facilitators_work_only_in_their_villages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    app.import_fixture_courses().await;
    let res = app
        .post(&format!("/api/v1/admin/localities/{}/households", w.v1))
        .bearer_auth(&w.facilitator)
        .json(&json!({"code": "H01", "label": "Hộ ông Sáu"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let household = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let resident = json!({"village_id": w.v1, "display_name": "Bà Tư", "username": "ba.tu", "password": "482915", "birth_year": 1958});
    let res = app
        .post("/api/v1/facilitator/residents")
        .bearer_auth(&w.facilitator)
        .json(&resident)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let body: Value = res.json().await.unwrap();
    let id = body["user"]["id"].as_str().unwrap().to_string();
    let card = body["login_card"].as_str().unwrap();
    assert!(
        card.contains("ba.tu") && card.contains("482915") && card.contains("Thôn Một"),
        "{card}"
    );
    // The resident logs in with the username and PIN.
    login(&app, "ba.tu", "482915").await;

    let mut elsewhere = resident.clone();
    elsewhere["village_id"] = json!(w.v3);
    elsewhere["username"] = json!("nguoi.khac");
    assert_problem(
        app.post("/api/v1/facilitator/residents")
            .bearer_auth(&w.facilitator)
            .json(&elsewhere)
            .send()
            .await
            .unwrap(),
        403,
        "forbidden",
    )
    .await;
    let mut weak = resident.clone();
    weak["username"] = json!("ba.nam");
    weak["password"] = json!("123456");
    assert_problem(
        app.post("/api/v1/facilitator/residents")
            .bearer_auth(&w.facilitator)
            .json(&weak)
            .send()
            .await
            .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.post("/api/v1/facilitator/residents")
            .bearer_auth(&w.facilitator)
            .json(&resident)
            .send()
            .await
            .unwrap(),
        409,
        "username_taken",
    )
    .await;

    // Profile, household, e-identity.
    let res = app
        .put(&format!("/api/v1/facilitator/residents/{id}/profile"))
        .bearer_auth(&w.facilitator)
        .json(&json!({"household_id": household, "eid_status": "level2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["eid_status"], "level2");
    assert_eq!(p["household_id"], household.as_str());
    let res = app
        .put(&format!("/api/v1/facilitator/residents/{id}/profile"))
        .bearer_auth(&w.facilitator)
        .json(&json!({"eid_status": "level9"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 422, "validation_failed").await;

    // Enrol, record progress in person; the other village's facilitator sees nothing.
    let res = app
        .post(&format!("/api/v1/facilitator/residents/{id}/enrollments"))
        .bearer_auth(&w.facilitator)
        .json(&json!({"course": "mini"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let event = json!({"client_event_id": uuid::Uuid::new_v4().to_string(), "status": "completed", "time_spent_seconds": 300, "occurred_at": chrono::Utc::now().to_rfc3339()});
    let res = app
        .put(&format!(
            "/api/v1/facilitator/residents/{id}/courses/mini/lessons/chao-mung/progress"
        ))
        .bearer_auth(&w.facilitator)
        .json(&event)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let rid = id.clone();
    let recorded_by = app
        .db(move |c| {
            progress_events::table
                .filter(progress_events::user_id.eq(rid))
                .select(progress_events::recorded_by)
                .first::<Option<String>>(c)
                .unwrap()
        })
        .await;
    assert!(
        recorded_by.is_some(),
        "marked as recorded by the facilitator"
    );
    for (method, path) in [
        ("PUT", format!("/api/v1/facilitator/residents/{id}/profile")),
        (
            "POST",
            format!("/api/v1/facilitator/residents/{id}/enrollments"),
        ),
        (
            "POST",
            format!("/api/v1/facilitator/residents/{id}/password-reset"),
        ),
    ] {
        let req = if method == "PUT" {
            app.put(&path).json(&json!({}))
        } else {
            app.post(&path).json(&json!({"course": "mini"}))
        };
        assert_problem(
            req.bearer_auth(&w.other_facilitator).send().await.unwrap(),
            404,
            "not_found",
        )
        .await;
    }
    let theirs: Value = app
        .get("/api/v1/facilitator/residents")
        .bearer_auth(&w.other_facilitator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(theirs, json!([]));
    let mine: Value = app
        .get("/api/v1/facilitator/residents")
        .bearer_auth(&w.facilitator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["display_name"], "Bà Tư");
    assert_eq!(mine[0]["courses_joined"], 1);
    let res = app
        .get(&format!(
            "/api/v1/facilitator/residents?village_id={}",
            w.v3
        ))
        .bearer_auth(&w.facilitator)
        .send()
        .await
        .unwrap();
    assert_problem(res, 403, "forbidden").await;

    // A one-time reset code, used by the resident.
    let res = app
        .post(&format!(
            "/api/v1/facilitator/residents/{id}/password-reset"
        ))
        .bearer_auth(&w.facilitator)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let code = res.json::<Value>().await.unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .post("/api/v1/auth/password/reset")
        .json(&json!({"token": code, "new_password": "lua-mua-thu-hoach"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    login(&app, "ba.tu", "lua-mua-thu-hoach").await;

    // Everything was audited: who, when, for whom.
    let audit: Value = app
        .get(&format!("/api/v1/admin/residents/{id}/audit"))
        .bearer_auth(&w.commune_admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for expected in [
        "resident.register",
        "resident.profile",
        "resident.enroll",
        "resident.progress",
        "resident.password_reset",
    ] {
        assert!(actions.contains(&expected), "{actions:?}");
    }
    assert!(audit[0]["actor_id"].is_string() && audit[0]["at"].is_string());
    assert_problem(
        app.get(&format!("/api/v1/admin/residents/{id}/audit"))
            .bearer_auth(&w.facilitator)
            .send()
            .await
            .unwrap(),
        403,
        "forbidden",
    )
    .await;

    // A learner sets their own profile but not their e-identity status.
    let res = app
        .put("/api/v1/me/profile")
        .bearer_auth(&w.facilitator)
        .json(&json!({"birth_year": 1990, "learner_group": "official"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .put("/api/v1/me/profile")
        .bearer_auth(&w.facilitator)
        .json(&json!({"eid_status": "level2"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 422, "validation_failed").await;
}

async fn needs_help_list(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    app.import_fixture_courses().await;
    for (name, user) in [("Ông Một", "ong.mot"), ("Bà Hai", "ba.hai")] {
        let res = app
            .post("/api/v1/facilitator/residents")
            .bearer_auth(&w.facilitator)
            .json(&json!({"village_id": w.v1, "display_name": name, "username": user, "password": "593817"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    let t = login(&app, "ong.mot", "593817").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    app.put("/api/v1/me/courses/mini/lessons/chao-mung/progress")
        .bearer_auth(&t)
        .json(&json!({"client_event_id": uuid::Uuid::new_v4().to_string(), "status": "started", "time_spent_seconds": 30, "occurred_at": chrono::Utc::now().to_rfc3339()}))
        .send()
        .await
        .unwrap();
    let list: Value = app
        .get("/api/v1/facilitator/needs-help")
        .bearer_auth(&w.facilitator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["display_name"], "Bà Hai");
    assert_eq!(list[0]["reasons"], json!(["never_started"]));
    app.state.clock.advance(TimeDelta::days(20));
    let list: Value = app
        .get("/api/v1/facilitator/needs-help?days=14")
        .bearer_auth(&w.facilitator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_problem(
        app.get("/api/v1/facilitator/needs-help?days=0")
            .bearer_auth(&w.facilitator)
            .send()
            .await
            .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    let (_, outsider) = learner(&app, "ngoai@example.vn").await;
    assert_problem(
        app.get("/api/v1/facilitator/needs-help")
            .bearer_auth(&outsider)
            .send()
            .await
            .unwrap(),
        403,
        "forbidden",
    )
    .await;
}

async fn difficult_questions_of_my_learners(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    app.import_fixture_courses().await;
    for i in 0..3 {
        let user = format!("cu.dan{i}");
        let res = app
            .post("/api/v1/facilitator/residents")
            .bearer_auth(&w.facilitator)
            .json(&json!({"village_id": w.v1, "display_name": format!("Cư dân {i}"), "username": user, "password": "593817"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let t = login(&app, &user, "593817").await["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        // Two empty attempts: every drawn question wrong.
        for _ in 0..2 {
            let a: Value = app
                .post("/api/v1/quizzes/mini.kiem-tra/attempts")
                .bearer_auth(&t)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            app.post(&format!(
                "/api/v1/attempts/{}/submit",
                a["id"].as_str().unwrap()
            ))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        }
    }
    let list: Value = app
        .get("/api/v1/facilitator/difficult-questions")
        .bearer_auth(&w.facilitator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = list.as_array().unwrap();
    assert!(!list.is_empty());
    for q in list {
        assert_eq!(q["course"], "mini");
        assert_eq!(q["correct_share"], 0.0);
        assert!(q["answered"].as_i64().unwrap() >= 3);
        assert!(!q["prompt"].as_str().unwrap().is_empty());
    }
    let theirs: Value = app
        .get("/api/v1/facilitator/difficult-questions")
        .bearer_auth(&w.other_facilitator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(theirs, json!([]));
    let help: Value = app
        .get("/api/v1/facilitator/needs-help")
        .bearer_auth(&w.facilitator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(help.as_array().unwrap().iter().all(|h| h["reasons"]
        .as_array()
        .unwrap()
        .contains(&json!("failed_quiz_twice"))));
}
