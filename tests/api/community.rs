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
        .token(&admin)
        .json(&json!({"role": "admin", "locality_code": "AN"}))
        .await;
    assert_eq!(res.status(), 200);
    let commune_admin = login(app, "xa@example.vn", "mat-khau-rat-dai-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    let mut facilitators = Vec::new();
    for (email, village) in [("f1@example.vn", &v1), ("f3@example.vn", &v3)] {
        let (fid, _) = learner(app, email).await;
        let team = app
            .post("/api/v1/admin/teams")
            .token(&admin)
            .json(&json!({"village_id": village, "name": "Tổ công nghệ số"}))
            .expect(201)
            .await;
        let res = app
            .post(&format!(
                "/api/v1/admin/teams/{}/members",
                team["id"].as_str().unwrap()
            ))
            .token(&admin)
            .json(&json!({"user_id": fid}))
            .await;
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
        .token(&w.commune_admin)
        .json(&json!({"parent_id": w.commune, "kind": "village", "name": "Thôn Mới"}))
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .post("/api/v1/admin/localities")
        .token(&w.commune_admin)
        .json(&json!({"parent_id": w.other_commune, "kind": "village", "name": "Không được"}))
        .await;
    assert_problem(res, 403, "forbidden").await;
    assert_problem(
        app.get(&format!("/api/v1/admin/localities/{}", w.other_commune))
            .token(&w.commune_admin)
            .await,
        403,
        "forbidden",
    )
    .await;
    let res = app
        .post("/api/v1/admin/localities")
        .token(&w.commune_admin)
        .json(&json!({"kind": "province", "name": "X"}))
        .await;
    assert_problem(res, 403, "forbidden").await;
    let tree: Value = app
        .get(&format!("/api/v1/admin/localities/{}", w.commune))
        .token(&w.commune_admin)
        .value()
        .await;
    assert_eq!(tree["children"].as_array().unwrap().len(), 3);
    let roots: Value = app
        .get("/api/v1/admin/localities")
        .token(&w.commune_admin)
        .value()
        .await;
    assert_eq!(roots[0]["name"], "An Nghĩa");
    // Bad input: a commune holds villages only; a locality without parent is a province.
    let res = app
        .post("/api/v1/admin/localities")
        .token(&w.admin)
        .json(&json!({"parent_id": w.commune, "kind": "province", "name": "X"}))
        .await;
    assert_problem(res, 409, "kind_mismatch").await;
    let res = app
        .post("/api/v1/admin/localities")
        .token(&w.admin)
        .json(&json!({"kind": "village", "name": "X"}))
        .await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app
        .post("/api/v1/admin/localities")
        .token(&w.admin)
        .json(&json!({"parent_id": w.commune, "kind": "village", "name": "X", "code": "AN-1"}))
        .await;
    assert_problem(res, 409, "code_taken").await;
    assert_problem(
        app.get("/api/v1/admin/localities/khong-co")
            .token(&w.admin)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get("/api/v1/admin/localities")
            .token(&w.facilitator)
            .await,
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
        .token(&w.commune_admin)
        .json(&figures)
        .await;
    assert_eq!(res.status(), 200);
    let got: Value = app
        .get(&format!(
            "/api/v1/admin/localities/{}/census/2026",
            w.commune
        ))
        .token(&w.commune_admin)
        .value()
        .await;
    assert_eq!(got["households"], 1500);
    let res = app
        .put(&format!(
            "/api/v1/admin/localities/{}/census/2026",
            w.other_commune
        ))
        .token(&w.commune_admin)
        .json(&figures)
        .await;
    assert_problem(res, 403, "forbidden").await;
    let res = app
        .put(&format!(
            "/api/v1/admin/localities/{}/census/2026",
            w.commune
        ))
        .token(&w.commune_admin)
        .json(&json!({"population": 10, "adults": 20}))
        .await;
    assert_problem(res, 422, "validation_failed").await;
    // Every age group is part of the population.
    let res = app
        .put(&format!(
            "/api/v1/admin/localities/{}/census/2026",
            w.commune
        ))
        .token(&w.commune_admin)
        .json(&json!({"population": 10, "aged_14_plus": 11, "working_age": 12}))
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["aged_14_plus", "working_age"], "{problem}");
    let res = app
        .put(&format!(
            "/api/v1/admin/localities/{}/census/1800",
            w.commune
        ))
        .token(&w.commune_admin)
        .json(&figures)
        .await;
    assert_problem(res, 422, "validation_failed").await;
}

async fn facilitators_work_only_in_their_villages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    app.import_fixture_courses().await;
    let res = app
        .post(&format!("/api/v1/admin/localities/{}/households", w.v1))
        .token(&w.facilitator)
        .json(&json!({"code": "H01", "label": "Hộ ông Sáu"}))
        .await;
    assert_eq!(res.status(), 201);
    let household = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let resident = json!({"consent_way": "in_person", "village_id": w.v1, "display_name": "Bà Tư", "username": "ba.tu", "password": "482915", "birth_year": 1958});
    let res = app
        .post("/api/v1/facilitator/residents")
        .token(&w.facilitator)
        .json(&resident)
        .await;
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
            .token(&w.facilitator)
            .json(&elsewhere)
            .await,
        403,
        "forbidden",
    )
    .await;
    let mut weak = resident.clone();
    weak["username"] = json!("ba.nam");
    weak["password"] = json!("123456");
    assert_problem(
        app.post("/api/v1/facilitator/residents")
            .token(&w.facilitator)
            .json(&weak)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.post("/api/v1/facilitator/residents")
            .token(&w.facilitator)
            .json(&resident)
            .await,
        409,
        "username_taken",
    )
    .await;

    // Profile, household, e-identity.
    let p = app
        .put(&format!("/api/v1/facilitator/residents/{id}/profile"))
        .token(&w.facilitator)
        .json(&json!({"household_id": household, "eid_status": "level2"}))
        .expect(200)
        .await;
    assert_eq!(p["eid_status"], "level2");
    assert_eq!(p["household_id"], household.as_str());
    let res = app
        .put(&format!("/api/v1/facilitator/residents/{id}/profile"))
        .token(&w.facilitator)
        .json(&json!({"eid_status": "level9"}))
        .await;
    assert_problem(res, 422, "validation_failed").await;

    // Enrol, record progress in person; the other village's facilitator sees nothing.
    let res = app
        .post(&format!("/api/v1/facilitator/residents/{id}/enrollments"))
        .token(&w.facilitator)
        .json(&json!({"course": "mini"}))
        .await;
    assert_eq!(res.status(), 204);
    let event = json!({"client_event_id": uuid::Uuid::new_v4().to_string(), "status": "completed", "time_spent_seconds": 300, "occurred_at": chrono::Utc::now().to_rfc3339()});
    let res = app
        .put(&format!(
            "/api/v1/facilitator/residents/{id}/courses/mini/lessons/chao-mung/progress"
        ))
        .token(&w.facilitator)
        .json(&event)
        .await;
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
        assert_problem(req.token(&w.other_facilitator).await, 404, "not_found").await;
    }
    let theirs: Value = app
        .get("/api/v1/facilitator/residents")
        .token(&w.other_facilitator)
        .value()
        .await;
    assert_eq!(theirs, json!([]));
    let mine: Value = app
        .get("/api/v1/facilitator/residents")
        .token(&w.facilitator)
        .value()
        .await;
    assert_eq!(mine[0]["display_name"], "Bà Tư");
    assert_eq!(mine[0]["courses_joined"], 1);
    let res = app
        .get(&format!(
            "/api/v1/facilitator/residents?village_id={}",
            w.v3
        ))
        .token(&w.facilitator)
        .await;
    assert_problem(res, 403, "forbidden").await;

    // A one-time reset code, used by the resident.
    let res = app
        .post(&format!(
            "/api/v1/facilitator/residents/{id}/password-reset"
        ))
        .token(&w.facilitator)
        .await;
    assert_eq!(res.status(), 201);
    let code = res.json::<Value>().await.unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .post("/api/v1/auth/password/reset")
        .json(&json!({"token": code, "new_password": "lua-mua-thu-hoach"}))
        .await;
    assert_eq!(res.status(), 204);
    login(&app, "ba.tu", "lua-mua-thu-hoach").await;

    // Everything was audited: who, when, for whom.
    let audit: Value = app
        .get(&format!("/api/v1/admin/residents/{id}/audit"))
        .token(&w.commune_admin)
        .value()
        .await;
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
            .token(&w.facilitator)
            .await,
        403,
        "forbidden",
    )
    .await;

    // A learner sets their own profile but not their e-identity status.
    let res = app
        .put("/api/v1/me/profile")
        .token(&w.facilitator)
        .json(&json!({"birth_year": 1990, "learner_group": "official"}))
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .put("/api/v1/me/profile")
        .token(&w.facilitator)
        .json(&json!({"eid_status": "level2"}))
        .await;
    assert_problem(res, 422, "validation_failed").await;
    crate::reports::counts_in_step(&app).await;
}

async fn needs_help_list(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    app.import_fixture_courses().await;
    for (name, user) in [("Ông Một", "ong.mot"), ("Bà Hai", "ba.hai")] {
        let res = app
            .post("/api/v1/facilitator/residents")
            .token(&w.facilitator)
            .json(&json!({"consent_way": "paper", "village_id": w.v1, "display_name": name, "username": user, "password": "593817"}))
            .await;
        assert_eq!(res.status(), 201);
    }
    let t = login(&app, "ong.mot", "593817").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    app.put("/api/v1/me/courses/mini/lessons/chao-mung/progress")
        .token(&t)
        .json(&json!({"client_event_id": uuid::Uuid::new_v4().to_string(), "status": "started", "time_spent_seconds": 30, "occurred_at": chrono::Utc::now().to_rfc3339()}))
        .await;
    let list: Value = app
        .get("/api/v1/facilitator/needs-help")
        .token(&w.facilitator)
        .value()
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["display_name"], "Bà Hai");
    assert_eq!(list[0]["reasons"], json!(["never_started"]));
    app.state.clock.advance(TimeDelta::days(20));
    let list: Value = app
        .get("/api/v1/facilitator/needs-help?days=14")
        .token(&w.facilitator)
        .value()
        .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_problem(
        app.get("/api/v1/facilitator/needs-help?days=0")
            .token(&w.facilitator)
            .await,
        422,
        "validation_failed",
    )
    .await;
    let (_, outsider) = learner(&app, "ngoai@example.vn").await;
    assert_problem(
        app.get("/api/v1/facilitator/needs-help")
            .token(&outsider)
            .await,
        403,
        "forbidden",
    )
    .await;
}

/// The residents answer the fixture quiz (two of its three questions per attempt) always right
/// (`otp`), always wrong (`dung-sai`), or right at most a third of the time (`thu-tu`), and never
/// pass. The list must give each question answered at least 3 times and right less than half
/// of the time, with its share of right answers, hardest first.
async fn difficult_questions_of_my_learners(backend: Backend) {
    use std::collections::BTreeMap;
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    app.import_fixture_courses().await;
    let mut learners = Vec::new();
    for i in 0..3 {
        let user = format!("cu.dan{i}");
        app.post("/api/v1/facilitator/residents")
            .token(&w.facilitator)
            .json(&json!({"consent_way": "paper", "village_id": w.v1, "display_name": format!("Cư dân {i}"), "username": user, "password": "593817"}))
            .expect(201)
            .await;
        let t = login(&app, &user, "593817").await["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        learners.push(t);
    }
    // question key → (answered, right)
    let mut tally: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let mut attempts = 0;
    loop {
        let done = attempts >= 2 * learners.len()
            && tally.get("thu-tu").is_some_and(|t| t.1 >= 1)
            && tally.get("dung-sai").is_some_and(|t| t.0 >= 3);
        if done {
            break;
        }
        assert!(
            attempts < 60,
            "the draws never gave enough answers: {tally:?}"
        );
        let t = &learners[attempts % learners.len()];
        attempts += 1;
        let a = app
            .post("/api/v1/quizzes/mini.kiem-tra/attempts")
            .token(t)
            .expect(201)
            .await;
        let questions = a["questions"].as_array().unwrap();
        let has = |kind: &str| questions.iter().any(|q| q["type"] == kind);
        let option = |q: &Value, text: &str| {
            q["options"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["text"] == text)
                .unwrap()["id"]
                .clone()
        };
        let mut answers = Vec::new();
        for q in questions {
            let (key, right) = match q["type"].as_str().unwrap() {
                "single" => ("otp", true),
                "true_false" => ("dung-sai", false),
                _ => {
                    // Right only beside `dung-sai` (so that the attempt still fails) and while
                    // that keeps its share at a third or less.
                    let (n, r) = tally.get("thu-tu").copied().unwrap_or_default();
                    ("thu-tu", !has("single") && (r + 1) * 3 <= n + 1)
                }
            };
            let entry = tally.entry(key).or_default();
            entry.0 += 1;
            entry.1 += i64::from(right);
            answers.push(match key {
                "otp" => json!({"question": q["id"], "choice": option(q, "Chỉ mình tôi")}),
                "dung-sai" => json!({"question": q["id"], "value": false}),
                _ => {
                    let mut order = vec!["Mở ứng dụng", "Đăng nhập", "Chuyển tiền"];
                    if !right {
                        order.reverse();
                    }
                    let order: Vec<Value> = order.into_iter().map(|x| option(q, x)).collect();
                    json!({"question": q["id"], "order": order})
                }
            });
        }
        let id = a["id"].as_str().unwrap();
        app.put(&format!("/api/v1/attempts/{id}/answers"))
            .token(t)
            .json(&json!({"answers": answers}))
            .expect(200)
            .await;
        let result = app
            .post(&format!("/api/v1/attempts/{id}/submit"))
            .token(t)
            .expect(200)
            .await;
        assert_eq!(result["result"]["passed"], false, "{result}");
    }
    let prompts = [
        ("otp", "Ai được biết mã OTP của bạn?"),
        ("dung-sai", "Ngân hàng không bao giờ hỏi mã OTP."),
        ("thu-tu", "Sắp xếp các bước."),
    ];
    let share = |(n, r): (i64, i64)| r as f64 / n as f64;
    let mut expected: Vec<Value> = tally
        .iter()
        .filter(|(_, t)| t.0 >= 3 && share(**t) < 0.5)
        .map(|(key, t)| {
            json!({"course": "mini", "quiz": "kiem-tra", "question": key,
                   "prompt": prompts.iter().find(|p| p.0 == *key).unwrap().1,
                   "answered": t.0, "correct_share": share(*t)})
        })
        .collect();
    // Wrong and partly right questions are listed, the always right one is not.
    assert!(expected.iter().any(|q| q["correct_share"] == 0.0));
    assert!(expected
        .iter()
        .any(|q| q["correct_share"].as_f64().unwrap() > 0.0));
    expected.sort_by(|a, b| {
        let s = |q: &Value| q["correct_share"].as_f64().unwrap();
        s(a).total_cmp(&s(b))
    });
    let list: Value = app
        .get("/api/v1/facilitator/difficult-questions")
        .token(&w.facilitator)
        .value()
        .await;
    assert_eq!(list, json!(expected), "answers given: {tally:?}");
    let theirs: Value = app
        .get("/api/v1/facilitator/difficult-questions")
        .token(&w.other_facilitator)
        .value()
        .await;
    assert_eq!(theirs, json!([]));
    let help: Value = app
        .get("/api/v1/facilitator/needs-help")
        .token(&w.facilitator)
        .value()
        .await;
    assert!(help.as_array().unwrap().iter().all(|h| h["reasons"]
        .as_array()
        .unwrap()
        .contains(&json!("failed_quiz_twice"))));
}
