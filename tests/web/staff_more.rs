//! More staff pages of a community digital team (issue 20), in Chromium: an admin of the area
//! imports residents from a CSV file (`/staff/import`, a `multipart/form-data` form) and reads
//! the report line by line (a broken row is shown, a row waiting for its owner's consent too, the good ones are imported and appear in the
//! facilitator's list; without this browser's CSRF token nothing is imported); the facilitator
//! reads the questions their learners find hardest (`/staff/questions`) after residents failed
//! a quiz through the API. A learner gets the 404 page on both, and so does a facilitator who is
//! no admin on the import page. Both pages are checked with axe-core and photographed at
//! 360×800 and 1366×768 (`target/web-screenshots/staff-import*.png`,
//! `staff-questions*.png`).

use serde_json::{json, Value};

use crate::accessibility::Audit;
use crate::browser::Browser;
use crate::helpers::{learner, login, register, Backend, TestApp};
use crate::login_card::village_team;
use crate::staff::{check, log_in};
use crate::T;

crate::both_backends!(import_and_hardest_questions);

const CSV: &str = "village_code,household_code,name,birth_year,learner_group,phone,eid_status\n\
    AN-1,H1,Nguyễn Văn Một,1960,citizen,,level2\n\
    AN-1,H1,Trần Thị Hai,1965,citizen,,level1\n\
    AN-1,H2,Sai Năm Sinh,19x0,citizen,,none\n\
    AN-1,H3,Bác Ba,1960,citizen,0912345678,level2\n";

/// Puts `CSV` into the page's file input.
async fn choose_file(b: &Browser) {
    b.js(
        "const dt = new DataTransfer();
         dt.items.add(new File([arguments[0]], 'cu-dan.csv', {type: 'text/csv'}));
         document.querySelector('#file').files = dt.files; return true;",
        vec![json!(CSV)],
    )
    .await;
}

/// The cells of the rows of the table `css`.
async fn rows(b: &Browser, css: &str) -> Vec<Vec<String>> {
    let v = b
        .js(
            "return [...document.querySelectorAll(arguments[0] + ' tbody tr')]
                 .map(r => [...r.children].map(c => c.textContent.trim()))",
            vec![json!(css)],
        )
        .await;
    serde_json::from_value(v).unwrap()
}

/// Three residents of the village answer the fixture quiz wrong, twice each.
async fn residents_fail_the_quiz(app: &TestApp, village: &str, facilitator: &str) {
    for i in 0..3 {
        let user = format!("cu.dan{i}");
        app.post("/api/v1/facilitator/residents")
            .token(facilitator)
            .json(
                &json!({"consent_way": "paper", "village_id": village, "display_name": format!("Cư dân {i}"),
                "username": user, "password": "593817"}),
            )
            .expect(201)
            .await;
        let t = login(app, &user, "593817").await["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        for _ in 0..2 {
            let a = app
                .post("/api/v1/quizzes/mini.kiem-tra/attempts")
                .token(&t)
                .expect(201)
                .await;
            let option = |q: &Value, right: bool, text: &str| {
                q["options"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|o| (o["text"] == text) == right)
                    .unwrap()["id"]
                    .clone()
            };
            let answers: Vec<Value> = a["questions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| match q["type"].as_str().unwrap() {
                    "single" => {
                        json!({"question": q["id"], "choice": option(q, false, "Chỉ mình tôi")})
                    }
                    "true_false" => json!({"question": q["id"], "value": false}),
                    _ => {
                        let order: Vec<Value> = ["Chuyển tiền", "Đăng nhập", "Mở ứng dụng"]
                            .into_iter()
                            .map(|x| option(q, true, x))
                            .collect();
                        json!({"question": q["id"], "order": order})
                    }
                })
                .collect();
            let id = a["id"].as_str().unwrap();
            app.put(&format!("/api/v1/attempts/{id}/answers"))
                .token(&t)
                .json(&json!({"answers": answers}))
                .expect(200)
                .await;
            app.post(&format!("/api/v1/attempts/{id}/submit"))
                .token(&t)
                .expect(200)
                .await;
        }
    }
}

async fn import_and_hardest_questions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.import_fixture_courses().await;
    let (village, facilitator) = village_team(&app).await;
    learner(&app, "hoc.vien@example.vn").await;
    // A learner who registered alone: the import waits for their consent.
    let res = register(
        &app,
        json!({"display_name": "Bác Ba", "phone": "0912 345 678", "password": "che-tan-cuong-ngon"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let mut audit = Audit::on();

    // An admin of the area imports the file.
    let b = Browser::start(&app.address).await;
    log_in(&b, "admin@hocso.test", "quan-tri-mat-khau-1").await;
    b.open("/staff/import").await;
    assert_eq!(b.text("h1").await, T.staff_import_title);
    check(&b, &mut audit, "staff-import").await;
    // Without this browser's token nothing is read or imported.
    let status = b
        .js(
            "const fd = new FormData();
             fd.append('csrf', 'not-the-token');
             fd.append('file', new File([arguments[0]], 'cu-dan.csv', {type: 'text/csv'}));
             return fetch('/staff/import', {method: 'POST', body: fd}).then(r => r.status);",
            vec![json!(CSV)],
        )
        .await;
    assert_eq!(status, json!(403));
    let none: Value = app
        .get("/api/v1/facilitator/residents")
        .token(&facilitator)
        .value()
        .await;
    assert_eq!(none, json!([]), "imported without the token");
    // All or nothing: nothing applied.
    choose_file(&b).await;
    b.js(
        "document.querySelector('#all_or_nothing').checked = true; return true;",
        vec![],
    )
    .await;
    b.press(T.staff_import_button).await;
    assert!(
        b.text("#import-summary")
            .await
            .contains(T.staff_import_not_applied),
        "{}",
        b.main_text().await
    );
    // The valid rows.
    choose_file(&b).await;
    b.js(
        "document.querySelector('#all_or_nothing').checked = false; return true;",
        vec![],
    )
    .await;
    b.press(T.staff_import_button).await;
    let report = rows(&b, "#import-report").await;
    assert_eq!(report.len(), 2, "{report:?}");
    assert_eq!(report[0][0], "4");
    assert_eq!(report[0][1], T.staff_outcome_rejected);
    assert!(report[0][2].contains("birth_year"), "{report:?}");
    // In the page's language: the Vietnamese half of the domain's "vi / en" text.
    assert!(
        report[0][2].contains("`19x0` không phải năm từ 1900 đến"),
        "{report:?}"
    );
    assert_eq!(
        report[1],
        ["5", T.staff_outcome_waiting, T.staff_waiting_message]
    );
    assert!(b
        .text("#import-summary")
        .await
        .contains(T.staff_import_applied));
    check(&b, &mut audit, "staff-import-report").await;
    b.close().await;

    // The facilitator: the two residents in the list; no import page.
    residents_fail_the_quiz(&app, &village, &facilitator).await;
    let b = Browser::start(&app.address).await;
    log_in(&b, "to.cns@example.vn", "mat-khau-rat-dai-1").await;
    b.open("/staff/residents").await;
    let list = b.main_text().await;
    assert!(
        list.contains("Nguyễn Văn Một") && list.contains("Trần Thị Hai"),
        "{list}"
    );
    assert!(
        !list.contains("Sai Năm Sinh") && !list.contains("Bác Ba"),
        "{list}"
    );
    assert!(!b.has("a[href='/staff/import']").await);
    b.open("/staff/import").await;
    assert_eq!(b.text("h1").await, T.not_found_title);

    // The questions the learners find hardest.
    b.open("/staff/residents").await;
    b.press(T.staff_questions_title).await;
    assert_eq!(b.path().await, "/staff/questions");
    let questions = rows(&b, "#questions").await;
    assert!(!questions.is_empty(), "{}", b.main_text().await);
    let prompts = [
        "Ai được biết mã OTP của bạn?",
        "Ngân hàng không bao giờ hỏi mã OTP.",
        "Sắp xếp các bước.",
    ];
    for q in &questions {
        assert!(prompts.contains(&q[0].as_str()), "{questions:?}");
        assert_eq!(q[3], "0%", "{questions:?}");
        assert!(q[4].parse::<i64>().unwrap() >= 3, "{questions:?}");
    }
    // On the phone each question is a card, each figure under its column's name: nothing
    // scrolls sideways, neither the page nor the table.
    let fit = b
        .js(
            "const t = document.querySelector('#questions'), w = t.closest('.table-wrap');
             return {page: document.documentElement.scrollWidth, wrap: w.scrollWidth - w.clientWidth,
               row: getComputedStyle(t.querySelector('tbody tr')).display,
               label: getComputedStyle(t.querySelector('tbody td'), '::before').content}",
            vec![],
        )
        .await;
    assert!(fit["page"].as_f64().unwrap() <= 360.0, "{fit}");
    assert!(fit["wrap"].as_f64().unwrap() <= 0.0, "{fit}");
    assert_eq!(fit["row"], "block", "{fit}");
    assert!(
        fit["label"].as_str().unwrap().contains(T.staff_col_course),
        "{fit}"
    );
    check(&b, &mut audit, "staff-questions").await;
    b.close().await;

    // A learner: the 404 page on both.
    let b = Browser::start(&app.address).await;
    log_in(&b, "hoc.vien@example.vn", "mat-khau-rat-dai-1").await;
    for path in ["/staff/questions", "/staff/import"] {
        b.open(path).await;
        assert_eq!(b.text("h1").await, T.not_found_title, "{path}");
    }
    b.close().await;
    audit.assert_clean();
}
