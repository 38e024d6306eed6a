use chrono::TimeDelta;
use diesel::prelude::*;
use hocso::db::schema::{attempt_answers, quiz_attempts};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

both_backends!(
    nothing_reveals_answers_before_submission,
    answer_submit_and_history,
    bad_answers_name_the_question,
    attempt_limits_and_cooldown,
    time_limit_with_the_server_clock,
    concurrent_submissions_grade_once,
    show_answers_settings,
    statistics_for_authors,
    a_new_release_does_not_change_an_open_attempt,
    quiz_authoring_validation,
    an_ended_session_can_neither_answer_nor_record_progress,
    a_symbol_is_an_answer_and_the_completing_submit_lists_the_certificate,
);

fn questions() -> Value {
    json!([
        {"key": "s1", "type": "single", "prompt": "Ai được biết mã OTP?", "explanation": "GIAI-THICH-s1",
         "choices": [{"text": "Chỉ mình tôi", "correct": true}, {"text": "Người gọi điện"}, {"text": "Nhân viên ngân hàng"}]},
        {"key": "m1", "type": "multiple", "prompt": "Khi bị gọi đòi OTP?", "explanation": "GIAI-THICH-m1", "partial_credit": true,
         "choices": [{"text": "Không đưa mã", "correct": true}, {"text": "Gọi tổng đài chính thức", "correct": true}, {"text": "Chuyển tiền ngay"}]},
        {"key": "t1", "type": "true_false", "prompt": "Công an gọi điện bắt chuyển tiền là thật.", "explanation": "GIAI-THICH-t1", "answer": false},
        {"key": "st1", "type": "short_text", "prompt": "Tên ứng dụng định danh điện tử?", "explanation": "GIAI-THICH-st1",
         "accepted": ["VNeID"], "ignore_diacritics": true},
        {"key": "o1", "type": "ordering", "prompt": "Sắp xếp các bước thanh toán.", "explanation": "GIAI-THICH-o1",
         "items": ["Mở ứng dụng", "Quét mã QR", "Xác nhận"]},
        {"key": "p1", "type": "matching", "prompt": "Nối tên với công dụng.", "explanation": "GIAI-THICH-p1",
         "pairs": [{"left": "VNeID", "right": "Định danh"}, {"left": "VietQR", "right": "Chuyển tiền"}, {"left": "Zalo", "right": "Nhắn tin"}]}
    ])
}

/// A published course `slug` with quiz `kiem-tra` (the six questions); returns the author token.
pub(crate) async fn quiz_course(app: &TestApp, slug: &str, settings: Value) -> String {
    let (_, t) = instructor(app, &format!("gv.{slug}@example.vn")).await;
    let res = app
        .post("/api/v1/courses")
        .token(&t)
        .json(&json!({"slug": slug, "title": "Khóa", "title_en": "Course", "summary": "Tóm tắt", "summary_en": "Summary",
            "topic": "online_safety", "level": "basic", "groups": ["citizen"], "estimated_minutes": 10}))
        .await;
    assert_eq!(res.status(), 201);
    app.post(&format!("/api/v1/courses/{slug}/modules"))
        .token(&t)
        .json(&json!({"key": "m", "title": "M", "title_en": "M"}))
        .await;
    app.post(&format!("/api/v1/courses/{slug}/modules/m/lessons"))
        .token(&t)
        .json(
            &json!({"key": "bai", "title": "Bài", "title_en": "Lesson", "estimated_minutes": 5,
            "sources": [{"title": "Nguồn", "url": "https://example.vn"}], "body": "Nội dung."}),
        )
        .await;
    let mut quiz = json!({"key": "kiem-tra", "title": "Kiểm tra", "title_en": "Check", "pass_mark": 60,
        "questions_per_attempt": 6, "show_answers": "after_attempt", "questions": questions()});
    for (k, v) in settings.as_object().unwrap() {
        quiz[k] = v.clone();
    }
    let res = app
        .post(&format!("/api/v1/courses/{slug}/modules/m/quizzes"))
        .token(&t)
        .json(&quiz)
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let res = app
        .post(&format!("/api/v1/courses/{slug}/publish"))
        .token(&t)
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    t
}

pub(crate) async fn start(app: &TestApp, token: &str, quiz: &str) -> reqwest::Response {
    app.post(&format!("/api/v1/quizzes/{quiz}/attempts"))
        .token(token)
        .await
}

fn option_id(q: &Value, field: &str, text: &str) -> Value {
    q[field]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["text"] == text)
        .unwrap()["id"]
        .clone()
}

/// The right (or, with `right = false`, a wrong) answer to a shown question.
pub(crate) fn answer_for(q: &Value, right: bool) -> Value {
    let id = q["id"].clone();
    let prompt = q["prompt_html"].as_str().unwrap();
    match q["type"].as_str().unwrap() {
        "single" => {
            json!({"question": id, "choice": option_id(q, "options", if right { "Chỉ mình tôi" } else { "Người gọi điện" })})
        }
        "multiple" => {
            let picks = if right {
                vec!["Không đưa mã", "Gọi tổng đài chính thức"]
            } else {
                vec!["Không đưa mã"]
            };
            json!({"question": id, "choices": picks.iter().map(|t| option_id(q, "options", t)).collect::<Vec<_>>()})
        }
        "true_false" => json!({"question": id, "value": !right}),
        "short_text" => json!({"question": id, "text": if right { " vneid " } else { "zalo" }}),
        "ordering" => {
            let mut order = ["Mở ứng dụng", "Quét mã QR", "Xác nhận"];
            if !right {
                order.reverse();
            }
            json!({"question": id, "order": order.iter().map(|t| option_id(q, "options", t)).collect::<Vec<_>>()})
        }
        "matching" => {
            let (a, b) = if right {
                ("Định danh", "Chuyển tiền")
            } else {
                ("Chuyển tiền", "Định danh")
            };
            json!({"question": id, "matches": [
                {"left": option_id(q, "left", "VNeID"), "right": option_id(q, "right", a)},
                {"left": option_id(q, "left", "VietQR"), "right": option_id(q, "right", b)},
                {"left": option_id(q, "left", "Zalo"), "right": option_id(q, "right", "Nhắn tin")}
            ]})
        }
        other => panic!("unknown type {other} for {prompt}"),
    }
}

pub(crate) async fn save(
    app: &TestApp,
    token: &str,
    attempt: &str,
    answers: Value,
) -> reqwest::Response {
    app.put(&format!("/api/v1/attempts/{attempt}/answers"))
        .token(token)
        .json(&json!({"answers": answers}))
        .await
}

pub(crate) async fn submit(app: &TestApp, token: &str, attempt: &str) -> Value {
    let res = app
        .post(&format!("/api/v1/attempts/{attempt}/submit"))
        .token(token)
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn nothing_reveals_answers_before_submission(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    quiz_course(&app, "lo", json!({})).await;
    let (_, t) = learner(&app, "hv@example.vn").await;
    let outline = app.get("/api/v1/courses/lo").await.text().await.unwrap();
    let res = start(&app, &t, "lo.kiem-tra").await;
    assert_eq!(res.status(), 201);
    let first_text = res.text().await.unwrap();
    let first: Value = serde_json::from_str(&first_text).unwrap();
    assert_eq!(first["questions"].as_array().unwrap().len(), 6);
    let again = start(&app, &t, "lo.kiem-tra").await;
    assert_eq!(again.status(), 200, "the open attempt is returned");
    let get = app
        .get(&format!(
            "/api/v1/attempts/{}",
            first["id"].as_str().unwrap()
        ))
        .token(&t)
        .await
        .text()
        .await
        .unwrap();
    let saved = save(
        &app,
        &t,
        first["id"].as_str().unwrap(),
        json!([answer_for(&first["questions"][0], true)]),
    )
    .await
    .text()
    .await
    .unwrap();
    for payload in [&outline, &first_text, &get, &saved] {
        for leak in [
            "\"correct\"",
            "GIAI-THICH",
            "explanation",
            "accepted",
            "\"answer\"",
            "solution",
            "\"key\":\"s1\"",
            "\"index\"",
            "result",
        ] {
            assert!(!payload.contains(leak), "payload leaks {leak}: {payload}");
        }
    }
    // Ordering items are not served in the answer order every time, and ids are new per attempt.
    let first_ids: Vec<String> = first["questions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|q| q["options"].as_array().cloned().unwrap_or_default())
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect();
    submit(&app, &t, first["id"].as_str().unwrap()).await;
    let second: Value = start(&app, &t, "lo.kiem-tra").await.json().await.unwrap();
    for q in second["questions"].as_array().unwrap() {
        assert!(!first["questions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == q["id"]));
        for o in q["options"].as_array().cloned().unwrap_or_default() {
            assert!(!first_ids.contains(&o["id"].as_str().unwrap().to_string()));
        }
    }
}

async fn answer_submit_and_history(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    quiz_course(&app, "ls", json!({})).await;
    let (_, t) = learner(&app, "hv@example.vn").await;
    let (_, other) = learner(&app, "khac@example.vn").await;
    let attempt: Value = start(&app, &t, "ls.kiem-tra").await.json().await.unwrap();
    let id = attempt["id"].as_str().unwrap().to_string();
    let qs = attempt["questions"].as_array().unwrap();
    // Partial saves, repeated: idempotent, the last answer wins.
    let res = save(&app, &t, &id, json!([answer_for(&qs[0], false)])).await;
    assert_eq!(res.status(), 200);
    let right: Vec<Value> = qs
        .iter()
        .map(|q| answer_for(q, q["type"] != "multiple"))
        .collect();
    save(&app, &t, &id, json!(right)).await;
    let res = save(&app, &t, &id, json!(right)).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["answers"].as_array().unwrap().len(), 6);

    // Another user's attempt does not exist for them.
    assert_problem(
        app.get(&format!("/api/v1/attempts/{id}"))
            .token(&other)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.post(&format!("/api/v1/attempts/{id}/submit"))
            .token(&other)
            .await,
        404,
        "not_found",
    )
    .await;

    let result = submit(&app, &t, &id).await;
    assert_eq!(result["status"], "submitted");
    // 5 right, multiple half right (partial credit): 5.5 / 6.
    assert_eq!(result["result"]["score"], 91.67);
    assert_eq!(result["result"]["passed"], true);
    let per_q = result["result"]["questions"].as_array().unwrap();
    assert_eq!(per_q.len(), 6);
    assert!(per_q
        .iter()
        .all(|q| q["explanation"].as_str().unwrap().starts_with("GIAI-THICH")));
    assert_eq!(per_q.iter().filter(|q| q["correct"] == true).count(), 5);

    // Submitting twice returns the same result; answering a submitted attempt is refused.
    let again = submit(&app, &t, &id).await;
    assert_eq!(again["result"], result["result"]);
    assert_eq!(again["submitted_at"], result["submitted_at"]);
    let res = save(&app, &t, &id, json!(right)).await;
    assert_problem(res, 409, "attempt_submitted").await;

    let history: Value = app
        .get("/api/v1/me/quizzes/ls.kiem-tra/attempts")
        .token(&t)
        .value()
        .await;
    assert_eq!(history["attempts"].as_array().unwrap().len(), 1);
    assert_eq!(history["best_score"], 91.67);
    assert_eq!(history["passed"], true);
    let stored = app
        .db(move |c| {
            attempt_answers::table
                .filter(attempt_answers::attempt_id.eq(id))
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
        .await;
    assert_eq!(stored, 6);
    assert_problem(start(&app, &t, "ls.khong-co").await, 404, "not_found").await;
    assert_problem(start(&app, &t, "khong-dau-cham").await, 404, "not_found").await;
}

async fn bad_answers_name_the_question(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    quiz_course(&app, "bad", json!({})).await;
    let (_, t) = learner(&app, "hv@example.vn").await;
    let a: Value = start(&app, &t, "bad.kiem-tra").await.json().await.unwrap();
    let id = a["id"].as_str().unwrap().to_string();
    let single = a["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["type"] == "single")
        .unwrap()
        .clone();
    let ordering = a["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["type"] == "ordering")
        .unwrap()
        .clone();
    let cases = [
        json!([{"question": "khong-co", "choice": "x"}]),
        json!([{"question": single["id"], "value": true}]),
        json!([{"question": single["id"], "choice": "not-an-option"}]),
        json!([answer_for(&single, true), {"question": ordering["id"], "order": [ordering["options"][0]["id"]]}]),
    ];
    for (i, case) in cases.iter().enumerate() {
        let res = save(&app, &t, &id, case.clone()).await;
        let body = assert_problem(res, 422, "validation_failed").await;
        let error = &body["errors"][0];
        assert_eq!(error["code"], "invalid_answer");
        assert_eq!(
            error["field"],
            if i == 3 { "answers[1]" } else { "answers[0]" }
        );
    }
    let res = save(
        &app,
        &t,
        &id,
        json!([{"question": single["id"], "choice": 5}]),
    )
    .await;
    assert_problem(res, 422, "validation_failed").await;
    // Nothing was saved by the refused requests.
    let now: Value = app
        .get(&format!("/api/v1/attempts/{id}"))
        .token(&t)
        .value()
        .await;
    assert_eq!(now["answers"], json!([]));
    // An option id of another attempt.
    submit(&app, &t, &id).await;
    let b: Value = start(&app, &t, "bad.kiem-tra").await.json().await.unwrap();
    let res = save(
        &app,
        &t,
        b["id"].as_str().unwrap(),
        json!([{"question": single["id"], "choice": single["options"][0]["id"]}]),
    )
    .await;
    assert_problem(res, 422, "validation_failed").await;
}

async fn attempt_limits_and_cooldown(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    quiz_course(
        &app,
        "lim",
        json!({"max_attempts": 2, "cooldown_seconds": 60}),
    )
    .await;
    let (_, t) = learner(&app, "hv@example.vn").await;
    let a: Value = start(&app, &t, "lim.kiem-tra").await.json().await.unwrap();
    submit(&app, &t, a["id"].as_str().unwrap()).await;
    let res = start(&app, &t, "lim.kiem-tra").await;
    let retry: i64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    assert_problem(res, 409, "cooldown_active").await;
    app.state.clock.advance(TimeDelta::seconds(61));
    let b: Value = start(&app, &t, "lim.kiem-tra").await.json().await.unwrap();
    assert_eq!(b["number"], 2);
    submit(&app, &t, b["id"].as_str().unwrap()).await;
    app.state.clock.advance(TimeDelta::seconds(61));
    assert_problem(
        start(&app, &t, "lim.kiem-tra").await,
        409,
        "max_attempts_reached",
    )
    .await;
    let history: Value = app
        .get("/api/v1/me/quizzes/lim.kiem-tra/attempts")
        .token(&t)
        .value()
        .await;
    assert_eq!(history["attempts_left"], 0);
}

async fn time_limit_with_the_server_clock(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    quiz_course(&app, "gio", json!({"time_limit_seconds": 60})).await;
    let (_, t) = learner(&app, "hv@example.vn").await;
    let a: Value = start(&app, &t, "gio.kiem-tra").await.json().await.unwrap();
    assert!(a["deadline_at"].is_string());
    let id = a["id"].as_str().unwrap().to_string();
    let qs = a["questions"].as_array().unwrap().clone();
    save(&app, &t, &id, json!([answer_for(&qs[0], true)])).await;
    app.state.clock.advance(TimeDelta::seconds(65));
    // Within the grace: still accepted, but saved after the deadline.
    let res = save(&app, &t, &id, json!([answer_for(&qs[1], true)])).await;
    assert_eq!(res.status(), 200);
    app.state.clock.advance(TimeDelta::seconds(60));
    let res = save(&app, &t, &id, json!([answer_for(&qs[2], true)])).await;
    assert_problem(res, 409, "attempt_closed").await;
    // Graded when next read: late, and only the answer saved before the deadline counts.
    let graded: Value = app
        .get(&format!("/api/v1/attempts/{id}"))
        .token(&t)
        .value()
        .await;
    assert_eq!(graded["status"], "submitted");
    assert_eq!(graded["late"], true);
    let correct = graded["result"]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["correct"] == true)
        .count();
    assert_eq!(correct, 1);
    assert_eq!(graded["submitted_at"], graded["deadline_at"]);

    // An attempt left open is graded when the learner starts the next one.
    let b: Value = start(&app, &t, "gio.kiem-tra").await.json().await.unwrap();
    app.state.clock.advance(TimeDelta::seconds(200));
    let c: Value = start(&app, &t, "gio.kiem-tra").await.json().await.unwrap();
    assert_ne!(b["id"], c["id"]);
    let b_now: Value = app
        .get(&format!("/api/v1/attempts/{}", b["id"].as_str().unwrap()))
        .token(&t)
        .value()
        .await;
    assert_eq!(b_now["late"], true);
}

async fn concurrent_submissions_grade_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    quiz_course(&app, "dua", json!({})).await;
    let (_, t) = learner(&app, "hv@example.vn").await;
    let a: Value = start(&app, &t, "dua.kiem-tra").await.json().await.unwrap();
    let id = a["id"].as_str().unwrap().to_string();
    let right: Vec<Value> = a["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| answer_for(q, true))
        .collect();
    save(&app, &t, &id, json!(right)).await;
    let futures: Vec<_> = (0..6)
        .map(|_| {
            app.post(&format!("/api/v1/attempts/{id}/submit"))
                .token(&t)
                .send()
        })
        .collect();
    let results = futures_util::future::join_all(futures).await;
    let mut bodies = Vec::new();
    for r in results {
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        bodies.push((v["result"]["score"].clone(), v["submitted_at"].clone()));
    }
    assert!(bodies.iter().all(|b| *b == bodies[0]));
    assert_eq!(bodies[0].0, 100.0);
    let i = id.clone();
    let rows = app
        .db(move |c| {
            attempt_answers::table
                .filter(attempt_answers::attempt_id.eq(i))
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
        .await;
    assert_eq!(rows, 6, "graded once");
}

async fn show_answers_settings(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    quiz_course(&app, "kin", json!({"show_answers": "never"})).await;
    quiz_course(
        &app,
        "dat",
        json!({"show_answers": "after_pass", "pass_mark": 100}),
    )
    .await;
    let (_, t) = learner(&app, "hv@example.vn").await;
    let a: Value = start(&app, &t, "kin.kiem-tra").await.json().await.unwrap();
    let r = submit(&app, &t, a["id"].as_str().unwrap()).await;
    assert_eq!(r["result"]["answers_shown"], false);
    assert!(r["result"].get("questions").is_none());
    let text = r.to_string();
    assert!(!text.contains("GIAI-THICH") && !text.contains("solution"));

    let a: Value = start(&app, &t, "dat.kiem-tra").await.json().await.unwrap();
    let r = submit(&app, &t, a["id"].as_str().unwrap()).await;
    assert_eq!(r["result"]["passed"], false);
    assert_eq!(r["result"]["answers_shown"], false);
    assert!(!r.to_string().contains("GIAI-THICH"));
    assert_eq!(r["result"]["questions"].as_array().unwrap().len(), 6);
    let b: Value = start(&app, &t, "dat.kiem-tra").await.json().await.unwrap();
    let right: Vec<Value> = b["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| answer_for(q, true))
        .collect();
    save(&app, &t, b["id"].as_str().unwrap(), json!(right)).await;
    let r = submit(&app, &t, b["id"].as_str().unwrap()).await;
    assert_eq!(r["result"]["passed"], true);
    assert_eq!(r["result"]["answers_shown"], true);
    assert!(r.to_string().contains("GIAI-THICH"));
}

async fn statistics_for_authors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let author = quiz_course(&app, "tk", json!({})).await;
    for (i, right) in [(0, true), (1, false), (2, false)] {
        let (_, t) = learner(&app, &format!("hv{i}@example.vn")).await;
        let a: Value = start(&app, &t, "tk.kiem-tra").await.json().await.unwrap();
        let answers: Vec<Value> = a["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| answer_for(q, right || q["type"] == "true_false"))
            .collect();
        save(&app, &t, a["id"].as_str().unwrap(), json!(answers)).await;
        submit(&app, &t, a["id"].as_str().unwrap()).await;
    }
    let stats = app
        .get("/api/v1/courses/tk/quizzes/kiem-tra/stats")
        .token(&author)
        .expect(200)
        .await;
    assert_eq!(stats["attempts"], 3);
    assert!((stats["pass_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    let s1 = stats["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["key"] == "s1")
        .unwrap();
    assert_eq!(s1["answered"], 3);
    assert!((s1["correct_share"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(s1["most_chosen_wrong_answer"], "Người gọi điện");
    assert_eq!(s1["prompt"], "Ai được biết mã OTP?");
    let t1 = stats["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["key"] == "t1")
        .unwrap();
    assert_eq!(t1["correct_share"], 1.0);
    let difficult: Vec<&str> = stats["difficult_questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(difficult.contains(&"s1") && !difficult.contains(&"t1"));
    let (_, learner_token) = learner(&app, "hoc@example.vn").await;
    let res = app
        .get("/api/v1/courses/tk/quizzes/kiem-tra/stats")
        .token(&learner_token)
        .await;
    assert_problem(res, 403, "forbidden").await;
}

async fn a_new_release_does_not_change_an_open_attempt(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let author = quiz_course(&app, "moi", json!({})).await;
    let (_, t) = learner(&app, "hv@example.vn").await;
    let a: Value = start(&app, &t, "moi.kiem-tra").await.json().await.unwrap();
    assert_eq!(a["release"], 1);
    // The author makes every question's right answer different in release 2.
    let mut changed = questions();
    changed[2]["answer"] = json!(true);
    changed[2]["prompt"] = json!("Câu hỏi của bản 2");
    changed[2]["explanation"] = json!("GIAI-THICH-BAN-2");
    let res = app
        .put("/api/v1/courses/moi/quizzes/kiem-tra")
        .token(&author)
        .json(&json!({"title": "Kiểm tra", "title_en": "Check", "pass_mark": 60, "questions_per_attempt": 6, "questions": changed}))
        .await;
    assert_eq!(res.status(), 200);
    let res = app.post("/api/v1/courses/moi/publish").token(&author).await;
    assert_eq!(res.status(), 201);
    let right: Vec<Value> = a["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| answer_for(q, true))
        .collect();
    save(&app, &t, a["id"].as_str().unwrap(), json!(right)).await;
    let r = submit(&app, &t, a["id"].as_str().unwrap()).await;
    assert_eq!(r["result"]["score"], 100.0, "graded against release 1");
    // Shown and explained with release 1's questions, which the attempt stores by key only.
    assert_eq!(r["questions"], a["questions"]);
    let explanations: Vec<&str> = r["result"]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["explanation"].as_str().unwrap())
        .collect();
    assert!(explanations.contains(&"GIAI-THICH-t1"), "{explanations:?}");
    assert!(!explanations.contains(&"GIAI-THICH-BAN-2"));
    let b: Value = start(&app, &t, "moi.kiem-tra").await.json().await.unwrap();
    assert_eq!(b["release"], 2);
    let a_id = a["id"].as_str().unwrap().to_string();
    let (release, paper, result) = app
        .db(move |c| {
            quiz_attempts::table
                .find(a_id)
                .select((
                    quiz_attempts::release,
                    quiz_attempts::paper,
                    quiz_attempts::result,
                ))
                .first::<(i32, String, Option<String>)>(c)
                .unwrap()
        })
        .await;
    assert_eq!(release, 1);
    // The stored paper and grading hold keys and ids, not the questions' text.
    let stored = format!("{paper}{}", result.unwrap());
    for text in [
        "Ai được biết mã OTP?",
        "Chỉ mình tôi",
        "GIAI-THICH-s1",
        "VNeID",
    ] {
        assert!(!stored.contains(text), "{text} stored: {stored}");
    }
    assert!(paper.contains("\"key\":\"t1\""), "{paper}");
}

async fn quiz_authoring_validation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let author = quiz_course(&app, "sua", json!({})).await;
    let (_, other) = instructor(&app, "khac@example.vn").await;
    let bad = json!({"key": "x1", "type": "single", "prompt": "?", "explanation": "!", "choices": [{"text": "A"}, {"text": "B"}]});
    let res = app
        .post("/api/v1/courses/sua/quizzes/kiem-tra/questions")
        .token(&author)
        .json(&bad)
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert!(
        body.to_string().contains("exactly one correct choice"),
        "{body}"
    );
    let good = json!({"key": "x1", "type": "true_false", "prompt": "Đúng không?", "explanation": "Đúng.", "answer": true});
    let res = app
        .post("/api/v1/courses/sua/quizzes/kiem-tra/questions")
        .token(&other)
        .json(&good)
        .await;
    assert_problem(res, 403, "forbidden").await;
    let res = app
        .post("/api/v1/courses/sua/quizzes/kiem-tra/questions")
        .token(&author)
        .json(&good)
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .post("/api/v1/courses/sua/quizzes/kiem-tra/questions")
        .token(&author)
        .json(&good)
        .await;
    assert_problem(res, 409, "key_taken").await;
    let res = app
        .delete("/api/v1/courses/sua/quizzes/kiem-tra/questions/x1")
        .token(&author)
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .delete("/api/v1/courses/sua/quizzes/kiem-tra/questions/x1")
        .token(&author)
        .await;
    assert_problem(res, 404, "not_found").await;
    // The pool may not shrink below questions per attempt at publish time.
    app.delete("/api/v1/courses/sua/quizzes/kiem-tra/questions/s1")
        .token(&author)
        .await;
    let res = app.post("/api/v1/courses/sua/publish").token(&author).await;
    let body = assert_problem(res, 422, "course_invalid").await;
    assert!(
        body.to_string()
            .contains("fewer than questions_per_attempt"),
        "{body}"
    );
    let res = app
        .post("/api/v1/courses/sua/modules/m/quizzes")
        .token(&author)
        .json(&json!({"key": "kiem-tra", "title": "T", "pass_mark": 50, "questions_per_attempt": 1, "questions": []}))
        .await;
    assert_problem(res, 409, "key_taken").await;
    let res = app
        .post("/api/v1/courses/sua/modules/m/quizzes")
        .token(&author)
        .json(&json!({"key": "q2", "title": "T", "pass_mark": 500, "questions_per_attempt": 1, "questions": [], "bogus": 1}))
        .await;
    assert_problem(res, 422, "validation_failed").await;
}

async fn an_ended_session_can_neither_answer_nor_record_progress(backend: Backend) {
    // These endpoints check the session on the connection they write with (`TokenUser`).
    let app = TestApp::spawn(backend).await;
    quiz_course(&app, "phien", json!({})).await;
    let (_, t) = learner(&app, "hv@example.vn").await;
    let a: Value = start(&app, &t, "phien.kiem-tra")
        .await
        .json()
        .await
        .unwrap();
    let id = a["id"].as_str().unwrap();
    let res = app.post("/api/v1/auth/logout").token(&t).await;
    assert_eq!(res.status(), 204);
    let progress = json!({"client_event_id": "7b0e4f0e-8a53-4c55-9f55-8f2b1f1b2c3d", "status": "completed", "occurred_at": "2026-01-01T00:00:00Z"});
    let requests = [
        app.post("/api/v1/quizzes/phien.kiem-tra/attempts"),
        app.get(&format!("/api/v1/attempts/{id}")),
        app.put(&format!("/api/v1/attempts/{id}/answers"))
            .json(&json!({"answers": []})),
        app.post(&format!("/api/v1/attempts/{id}/submit")),
        app.put("/api/v1/me/courses/phien/lessons/bai/progress")
            .json(&progress),
    ];
    for req in requests {
        let res = req.token(&t).await;
        let url = res.url().to_string();
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "invalid_token", "{url}: {body}");
    }
    // Nothing was recorded for the ended session.
    let (status, lessons) = app
        .db(|c| {
            use hocso::db::schema::lesson_progress;
            let status: String = quiz_attempts::table
                .select(quiz_attempts::status)
                .first(c)
                .unwrap();
            let lessons: i64 = lesson_progress::table.count().get_result(c).unwrap();
            (status, lessons)
        })
        .await;
    assert_eq!((status.as_str(), lessons), ("open", 0));
}

/// A short answer made of a symbol (`@`) is graded right, a blank one never is; and the submit
/// that completes the course (its last item is the quiz) lists the certificate it issued.
async fn a_symbol_is_an_answer_and_the_completing_submit_lists_the_certificate(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let questions = json!([
        {"key": "ky-hieu", "type": "short_text", "prompt": "Gõ ký hiệu nhắc tên trong nhóm Zalo.",
         "explanation": "Ký hiệu @.", "accepted": ["@"], "ignore_diacritics": true}
    ]);
    quiz_course(
        &app,
        "kh",
        json!({"questions": questions, "questions_per_attempt": 1, "pass_mark": 100}),
    )
    .await;
    let (_, t) = learner(&app, "hv@example.vn").await;
    let res = progress(&app, &t, "kh", "bai", &event("completed", 60)).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(body.get("certificates_issued").is_none(), "{body}");

    // A blank answer is wrong.
    let attempt: Value = start(&app, &t, "kh.kiem-tra").await.json().await.unwrap();
    let id = attempt["id"].as_str().unwrap().to_string();
    let q = attempt["questions"][0]["id"].clone();
    save(&app, &t, &id, json!([{"question": q, "text": "   "}])).await;
    let result = submit(&app, &t, &id).await;
    assert_eq!(
        result["result"]["questions"][0]["correct"], false,
        "{result}"
    );
    assert!(result.get("certificates_issued").is_none(), "{result}");

    let attempt: Value = start(&app, &t, "kh.kiem-tra").await.json().await.unwrap();
    let id = attempt["id"].as_str().unwrap().to_string();
    let q = attempt["questions"][0]["id"].clone();
    save(&app, &t, &id, json!([{"question": q, "text": " @ "}])).await;
    let result = submit(&app, &t, &id).await;
    assert_eq!(
        result["result"]["questions"][0]["correct"], true,
        "{result}"
    );
    assert_eq!(result["result"]["passed"], true);
    let issued = result["certificates_issued"]
        .as_array()
        .expect("certificates_issued");
    assert_eq!(issued.len(), 1, "{result}");
    assert_eq!(issued[0]["kind"], "course");
    let serial = issued[0]["serial"].as_str().unwrap();
    let mine: Value = app.get("/api/v1/me/certificates").token(&t).value().await;
    assert!(mine.to_string().contains(serial), "{mine}");
    // Submitting again returns the result without issuing anything again.
    let again = submit(&app, &t, &id).await;
    assert!(again.get("certificates_issued").is_none(), "{again}");
}
