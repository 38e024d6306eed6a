//! The authoring pages of an instructor (issue 20), in Chromium: my courses and their drafts; a
//! lesson's Markdown edited, previewed exactly as learners will see it (sanitized: a `<script>`
//! written in the Markdown neither appears nor runs) and saved to the draft (checked through
//! the API); a save that conflicts with one made through the API in between shows the conflict
//! and keeps the author's text; a broken draft lists its problems by location and cannot be
//! published; once fixed it is published and the learner's lesson page shows the new text. A
//! form posted without its CSRF token changes nothing; a learner gets the 404 page on every
//! authoring page. Every page type is checked with axe-core and photographed at 360×800 and
//! 1366×768 (`target/web-screenshots/author-*.png`).
//!
//! `instructor_reorders_and_reads_quiz_stats`: modules and items moved with "Lên" / "Xuống"
//! (checked in the API's draft; a move after a change made through the API is refused and says
//! so); a quiz's statistics page shows the API's figures for three learners' attempts, with its
//! chart and table; a question's prompt edited (saved, refused empty beside the field, a
//! conflict keeps what was typed); CSRF refusals; a learner gets the 404 page.

use serde_json::{json, Value};

use crate::accessibility::Audit;
use crate::browser::Browser;
use crate::helpers::{draft_with_module, instructor, learner, Backend, TestApp};
use crate::staff::{check, log_in};
use crate::T;

crate::both_backends!(
    instructor_edits_previews_and_publishes,
    instructor_reorders_and_reads_quiz_stats
);

const SLUG: &str = "soan-bai-thu";

/// A published course of `token`'s instructor: module `m` with lessons `a` and `b`.
async fn course(app: &TestApp, token: &str) {
    draft_with_module(
        app,
        token,
        SLUG,
        ("Dùng Zalo an toàn", "Zalo safely"),
        ("Bắt đầu", "Start"),
    )
    .await;
    for (key, title) in [("a", "Mở Zalo"), ("b", "Chặn người lạ")] {
        app.post(&format!("/api/v1/courses/{SLUG}/modules/m/lessons"))
            .token(token)
            .json(
                &json!({"key": key, "title": title, "title_en": key, "estimated_minutes": 5,
                "sources": [{"title": "Zalo", "url": "https://zalo.me"}], "body": "Bài cũ."}),
            )
            .expect(201)
            .await;
    }
    app.post(&format!("/api/v1/courses/{SLUG}/publish"))
        .token(token)
        .expect(201)
        .await;
}

/// The body of lesson `key` in the draft, through the API.
async fn draft_body(app: &TestApp, token: &str, key: &str) -> (String, i64) {
    let d = app
        .get(&format!("/api/v1/courses/{SLUG}/draft"))
        .token(token)
        .expect(200)
        .await;
    let body = d["draft"]["modules"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap()["body"]
        .as_str()
        .unwrap()
        .to_string();
    (body, d["draft_version"].as_i64().unwrap())
}

/// Puts `text` in the editor's textarea.
async fn write(b: &Browser, text: &str) {
    b.js(
        "document.querySelector('#body').value = arguments[0]; return true",
        vec![json!(text)],
    )
    .await;
}

async fn value(b: &Browser, css: &str) -> String {
    b.js(
        "return document.querySelector(arguments[0]).value",
        vec![json!(css)],
    )
    .await
    .as_str()
    .unwrap()
    .to_string()
}

async fn instructor_edits_previews_and_publishes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = instructor(&app, "giang.vien@example.vn").await;
    course(&app, &token).await;
    learner(&app, "hoc.vien@example.vn").await;
    let mut audit = Audit::on();

    let b = Browser::start(&app.address).await;
    assert_eq!(
        log_in(&b, "giang.vien@example.vn", "mat-khau-rat-dai-1").await,
        "/"
    );

    // My courses: the course, published, its draft the same as the release.
    b.press(T.nav_author).await;
    assert_eq!(b.path().await, "/author");
    check(&b, &mut audit, "author-courses").await;
    let row = b.text("#author-courses li").await;
    assert!(row.contains("Dùng Zalo an toàn"), "{row}");
    assert!(row.contains(&format!("{} 1", T.author_release)), "{row}");
    assert!(row.contains(T.author_up_to_date), "{row}");

    // The course: its lessons, nothing to publish.
    b.press("Dùng Zalo an toàn").await;
    assert_eq!(b.path().await, format!("/author/courses/{SLUG}"));
    assert!(b.main_text().await.contains(T.author_nothing_new));
    check(&b, &mut audit, "author-course").await;

    // The lesson: preview shows the rendered, sanitized text; nothing is saved by it.
    b.press("Mở Zalo").await;
    assert_eq!(b.path().await, format!("/author/courses/{SLUG}/lessons/a"));
    assert_eq!(value(&b, "#body").await.trim(), "Bài cũ.");
    check(&b, &mut audit, "author-lesson").await;
    let text = "## Bước một\n\nBấm vào **biểu tượng Zalo**.\n\n<script>document.title = 'pwned'</script>\n\n<p onclick=\"alert(1)\">Chạm</p>";
    write(&b, text).await;
    b.press(T.author_preview_button).await;
    let preview: Value = b
        .js(
            "const p = document.querySelector('#preview');
             return {strong: p.querySelector('strong')?.textContent, h2: p.querySelector('h2')?.textContent,
                     scripts: document.querySelectorAll('main script').length,
                     onclick: p.querySelectorAll('[onclick]').length,
                     html: p.innerHTML, title: document.title}",
            vec![],
        )
        .await;
    assert_eq!(preview["strong"], "biểu tượng Zalo", "{preview}");
    assert_eq!(preview["h2"], "Bước một", "{preview}");
    assert_eq!(preview["scripts"], 0, "{preview}");
    assert_eq!(preview["onclick"], 0, "{preview}");
    assert!(
        !preview["html"].as_str().unwrap().contains("pwned"),
        "{preview}"
    );
    assert_ne!(preview["title"], "pwned");
    // The author's text is still in the form (a textarea keeps it as typed).
    assert_eq!(value(&b, "#body").await.replace("\r\n", "\n"), text);
    check(&b, &mut audit, "author-lesson-preview").await;
    assert_eq!(draft_body(&app, &token, "a").await.0.trim(), "Bài cũ.");

    // Saved: the draft holds the new text.
    let (_, before) = draft_body(&app, &token, "a").await;
    b.press(T.author_save_button).await;
    assert!(
        b.text("p.flash").await.starts_with(T.author_saved),
        "{}",
        b.main_text().await
    );
    let (saved, version) = draft_body(&app, &token, "a").await;
    assert!(saved.contains("Bấm vào **biểu tượng Zalo**."), "{saved}");
    assert_eq!(version, before + 1);

    // A conflict: someone saves through the API while the page is open; the author's text is
    // kept, the saved text is shown to compare, nothing is overwritten.
    app.patch(&format!("/api/v1/courses/{SLUG}/lessons/a"))
        .token(&token)
        .json(&json!({"body": "Văn bản của đồng tác giả."}))
        .expect(200)
        .await;
    let mine = "Bài của tôi, sửa cùng lúc.";
    write(&b, mine).await;
    b.press(T.author_save_button).await;
    assert_eq!(b.text("#conflict-title").await, T.author_conflict_title);
    assert_eq!(value(&b, "#body").await, mine);
    assert_eq!(
        value(&b, "#current").await.trim(),
        "Văn bản của đồng tác giả."
    );
    assert_eq!(
        draft_body(&app, &token, "a").await.0.trim(),
        "Văn bản của đồng tác giả."
    );
    check(&b, &mut audit, "author-lesson-conflict").await;

    // Saving again, knowingly, replaces it.
    b.press(T.author_save_button).await;
    assert!(b.text("p.flash").await.starts_with(T.author_saved));
    assert_eq!(draft_body(&app, &token, "a").await.0.trim(), mine);

    // An empty text is answered beside the field, and nothing is saved.
    write(&b, "   ").await;
    b.press(T.author_save_button).await;
    assert_eq!(b.text("#body-error").await, T.err_required);
    assert_eq!(draft_body(&app, &token, "a").await.0.trim(), mine);

    // Without the CSRF token: refused, nothing changed.
    b.open(&format!("/author/courses/{SLUG}/lessons/a")).await;
    b.js(
        "document.querySelector('form.author-editor input[name=csrf]').remove(); return true",
        vec![],
    )
    .await;
    write(&b, "Gửi không có mã CSRF.").await;
    b.press(T.author_save_button).await;
    assert_eq!(b.text("h1").await, T.csrf_title);
    assert_eq!(draft_body(&app, &token, "a").await.0.trim(), mine);

    // A broken internal link: saved in the draft, but the course check lists it by location
    // and there is no publish button.
    b.open(&format!("/author/courses/{SLUG}/lessons/b")).await;
    write(&b, "Xem [bài khác](lesson:khong-co).").await;
    b.press(T.author_save_button).await;
    assert!(b.text("p.flash").await.starts_with(T.author_saved));
    b.press("← Dùng Zalo an toàn").await;
    let problems = b.text("#problems").await;
    assert!(problems.contains("modules[0].items[1].body"), "{problems}");
    assert!(problems.contains("Chặn người lạ"), "{problems}");
    assert!(problems.contains("lesson:khong-co"), "{problems}");
    // The validator's words in the page's language (the API keeps its English).
    assert!(
        problems.contains("liên kết nội bộ `lesson:khong-co` bị hỏng"),
        "{problems}"
    );
    assert!(!problems.contains("broken internal link"), "{problems}");
    assert!(!b.has_text("button", T.author_publish_button).await);
    check(&b, &mut audit, "author-course-problems").await;

    // Fixed from the problem's link, then published.
    b.press(&format!("{} 1: Bắt đầu › Chặn người lạ", T.author_module))
        .await;
    write(&b, "Chặn tin nhắn của **người lạ**.").await;
    b.press(T.author_save_button).await;
    b.press("← Dùng Zalo an toàn").await;
    assert!(!b.has("#problems").await);
    b.press(T.author_publish_button).await;
    assert_eq!(
        b.text("p.flash").await,
        format!("{} 2.", T.author_published_flash)
    );
    let releases = b.text("#releases tbody").await;
    assert!(
        releases.contains('2') && releases.contains('1'),
        "{releases}"
    );
    check(&b, &mut audit, "author-course-published").await;
    b.open("/author").await;
    assert!(b
        .text("#author-courses li")
        .await
        .contains(&format!("{} 2", T.author_release)));
    b.close().await;

    // The learner's lesson pages show the new texts.
    let b = Browser::start(&app.address).await;
    assert_eq!(
        log_in(&b, "hoc.vien@example.vn", "mat-khau-rat-dai-1").await,
        "/"
    );
    b.open(&format!("/courses/{SLUG}/lessons/a")).await;
    assert!(
        b.main_text().await.contains(mine),
        "{}",
        b.main_text().await
    );
    b.open(&format!("/courses/{SLUG}/lessons/b")).await;
    assert_eq!(b.text("article.lesson strong").await, "người lạ");

    // A learner: no link, and the 404 page on every authoring page.
    assert!(!b.has_text("a", T.nav_author).await);
    for path in [
        "/author".to_string(),
        format!("/author/courses/{SLUG}"),
        format!("/author/courses/{SLUG}/lessons/a"),
    ] {
        b.open(&path).await;
        assert_eq!(b.text("h1").await, T.not_found_title, "{path}");
        assert!(!b.main_text().await.contains("Zalo"), "{path}");
    }
    b.close().await;
    audit.assert_clean();
}

const QSLUG: &str = "thu-tu-va-thong-ke";

/// A published course of `token`'s instructor: module `m` (lessons `a`, `b`, quiz `kt` of two
/// questions) and module `n` (lesson `c`).
async fn quiz_course(app: &TestApp, token: &str) {
    app.post("/api/v1/courses")
        .token(token)
        .json(
            &json!({"slug": QSLUG, "title": "Tránh lừa đảo", "title_en": "Avoid scams",
            "summary": "S", "summary_en": "S", "topic": "online_safety", "level": "basic",
            "groups": ["citizen"], "estimated_minutes": 10}),
        )
        .expect(201)
        .await;
    for (m, title) in [("m", "Nhận biết"), ("n", "Phòng tránh")] {
        app.post(&format!("/api/v1/courses/{QSLUG}/modules"))
            .token(token)
            .json(&json!({"key": m, "title": title, "title_en": m}))
            .expect(201)
            .await;
    }
    for (m, key, title) in [
        ("m", "a", "Cuộc gọi lạ"),
        ("m", "b", "Tin nhắn lạ"),
        ("n", "c", "Giữ mã OTP"),
    ] {
        app.post(&format!("/api/v1/courses/{QSLUG}/modules/{m}/lessons"))
            .token(token)
            .json(
                &json!({"key": key, "title": title, "title_en": key, "estimated_minutes": 5,
                "sources": [{"title": "Bộ Công an", "url": "https://bocongan.gov.vn"}], "body": "Nội dung."}),
            )
            .expect(201)
            .await;
    }
    app.post(&format!("/api/v1/courses/{QSLUG}/modules/m/quizzes"))
        .token(token)
        .json(&json!({"key": "kt", "title": "Kiểm tra nhanh", "title_en": "Quick check",
            "pass_mark": 60, "questions_per_attempt": 2, "show_answers": "after_attempt",
            "questions": [
                {"key": "otp", "type": "single", "prompt": "Ai được biết mã OTP của bạn?", "explanation": "Chỉ bạn.",
                 "choices": [{"text": "Chỉ mình tôi", "correct": true}, {"text": "Người gọi điện"}]},
                {"key": "cong-an", "type": "true_false", "prompt": "Công an gọi điện bắt chuyển tiền là thật.",
                 "explanation": "Không.", "answer": false}
            ]}))
        .expect(200)
        .await;
    app.post(&format!("/api/v1/courses/{QSLUG}/publish"))
        .token(token)
        .expect(201)
        .await;
}

/// A learner's attempt at the quiz through the API: the OTP question right or wrong, the
/// true/false one always right.
async fn answer_quiz(app: &TestApp, token: &str, otp_right: bool) {
    let a = app
        .post(&format!("/api/v1/quizzes/{QSLUG}.kt/attempts"))
        .token(token)
        .expect(201)
        .await;
    let answers: Vec<Value> = a["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| match q["type"].as_str().unwrap() {
            "single" => {
                let want = if otp_right {
                    "Chỉ mình tôi"
                } else {
                    "Người gọi điện"
                };
                let id = q["options"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|o| o["text"] == want)
                    .unwrap()["id"]
                    .clone();
                json!({"question": q["id"], "choice": id})
            }
            _ => json!({"question": q["id"], "value": false}),
        })
        .collect();
    let id = a["id"].as_str().unwrap();
    app.put(&format!("/api/v1/attempts/{id}/answers"))
        .token(token)
        .json(&json!({ "answers": answers }))
        .expect(200)
        .await;
    app.post(&format!("/api/v1/attempts/{id}/submit"))
        .token(token)
        .expect(200)
        .await;
}

/// The draft's module keys, each with its item keys, through the API.
async fn draft_order(app: &TestApp, token: &str) -> Vec<(String, Vec<String>)> {
    let d = app
        .get(&format!("/api/v1/courses/{QSLUG}/draft"))
        .token(token)
        .expect(200)
        .await;
    d["draft"]["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let items = m["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["key"].as_str().unwrap().to_string())
                .collect();
            (m["key"].as_str().unwrap().to_string(), items)
        })
        .collect()
}

fn order(spec: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    spec.iter()
        .map(|(m, items)| (m.to_string(), items.iter().map(|i| i.to_string()).collect()))
        .collect()
}

/// Puts `text` in the field `css`.
async fn set(b: &Browser, css: &str, text: &str) {
    b.js(
        "document.querySelector(arguments[0]).value = arguments[1]; return true",
        vec![json!(css), json!(text)],
    )
    .await;
}

/// The prompt of question `key` in the draft, through the API.
async fn draft_prompt(app: &TestApp, token: &str, key: &str) -> String {
    fn find(v: &Value, key: &str) -> Option<String> {
        match v {
            Value::Object(o) if o.get("key") == Some(&json!(key)) && o.contains_key("prompt") => {
                o["prompt"].as_str().map(str::to_string)
            }
            Value::Object(o) => o.values().find_map(|v| find(v, key)),
            Value::Array(a) => a.iter().find_map(|v| find(v, key)),
            _ => None,
        }
    }
    let d = app
        .get(&format!("/api/v1/courses/{QSLUG}/draft"))
        .token(token)
        .expect(200)
        .await;
    find(&d["draft"], key).unwrap()
}

async fn press_id(b: &Browser, css: &str) {
    let el = b.find(css).await;
    b.click_to_next_page(el).await;
}

async fn instructor_reorders_and_reads_quiz_stats(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = instructor(&app, "giang.vien@example.vn").await;
    quiz_course(&app, &token).await;
    for (i, right) in [(0, true), (1, false), (2, false)] {
        let (_, t) = learner(&app, &format!("hv{i}@example.vn")).await;
        answer_quiz(&app, &t, right).await;
    }
    learner(&app, "hoc.vien@example.vn").await;
    let mut audit = Audit::on();

    let b = Browser::start(&app.address).await;
    assert_eq!(
        log_in(&b, "giang.vien@example.vn", "mat-khau-rat-dai-1").await,
        "/"
    );
    let page = format!("/author/courses/{QSLUG}");
    b.open(&page).await;
    check(&b, &mut audit, "author-course-order").await;
    // The first has no "up", the last no "down".
    for (css, there) in [
        ("#module-up-m", false),
        ("#module-down-m", true),
        ("#module-up-n", true),
        ("#module-down-n", false),
        ("#item-up-a", false),
        ("#item-down-a", true),
        ("#item-up-kt", true),
        ("#item-down-kt", false),
        ("#item-up-c", false),
        ("#item-down-c", false),
    ] {
        assert_eq!(b.has(css).await, there, "{css}");
    }
    let up = b.text("#item-up-b").await;
    assert!(
        up.starts_with(T.author_up) && up.contains("Tin nhắn lạ"),
        "{up}"
    );

    // A module down: the confirmation, and the API's draft in the new order.
    press_id(&b, "#module-down-m").await;
    assert!(b.path().await.starts_with(&format!("{page}?moved=")));
    assert!(
        b.text("p.flash").await.starts_with(T.author_moved_flash),
        "{}",
        b.main_text().await
    );
    assert_eq!(
        draft_order(&app, &token).await,
        order(&[("n", &["c"]), ("m", &["a", "b", "kt"])])
    );
    assert!(!b.has("#module-up-n").await && b.has("#module-up-m").await);

    // An item up.
    press_id(&b, "#item-up-b").await;
    assert!(b.text("p.flash").await.starts_with(T.author_moved_flash));
    assert_eq!(
        draft_order(&app, &token).await,
        order(&[("n", &["c"]), ("m", &["b", "a", "kt"])])
    );

    // Someone reorders through the API while the page is open: nothing moves, the page says so
    // and shows the saved order.
    app.put(&format!("/api/v1/courses/{QSLUG}/modules/m/items"))
        .token(&token)
        .json(&json!({"keys": ["kt", "b", "a"]}))
        .expect(200)
        .await;
    press_id(&b, "#item-down-b").await;
    assert_eq!(b.text("#move-error").await, T.author_move_conflict);
    let saved = order(&[("n", &["c"]), ("m", &["kt", "b", "a"])]);
    assert_eq!(draft_order(&app, &token).await, saved);
    assert!(!b.has("#item-up-kt").await);
    check(&b, &mut audit, "author-course-order-conflict").await;
    // The page now carries the current version: pressing again moves it.
    press_id(&b, "#item-down-b").await;
    assert!(b.text("p.flash").await.starts_with(T.author_moved_flash));
    let now = order(&[("n", &["c"]), ("m", &["kt", "a", "b"])]);
    assert_eq!(draft_order(&app, &token).await, now);

    // Without the CSRF token: refused, nothing moved.
    b.js(
        "document.querySelector('#module-down-n').form.querySelector('input[name=csrf]').remove(); return true",
        vec![],
    )
    .await;
    press_id(&b, "#module-down-n").await;
    assert_eq!(b.text("h1").await, T.csrf_title);
    assert_eq!(draft_order(&app, &token).await, now);

    // The quiz's statistics, from its link on the course page: the API's figures.
    b.open(&page).await;
    press_id(&b, "a.author-stats-link").await;
    let stats_path = format!("/author/courses/{QSLUG}/quizzes/kt/stats");
    assert_eq!(b.path().await, stats_path);
    let api = app
        .get(&format!("/api/v1/courses/{QSLUG}/quizzes/kt/stats"))
        .token(&token)
        .expect(200)
        .await;
    assert_eq!(api["attempts"], 3);
    let summary = b.text("#stats-summary").await;
    assert!(
        summary.contains(&format!("{} 3.", T.author_stats_attempts)),
        "{summary}"
    );
    let pass = (api["pass_rate"].as_f64().unwrap() * 100.0).round();
    assert!(
        // WebDriver reads the no-break space before "%" as a space.
        summary.contains(&format!("{} {pass} %", T.author_stats_pass_rate)),
        "{summary}"
    );
    let questions = api["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 2);
    for q in questions {
        let key = q["key"].as_str().unwrap();
        let cell = |k: &str| format!("#stats-table tr[data-key='{key}'] td[data-k='{k}']");
        assert_eq!(
            b.text(&cell("answered")).await,
            q["answered"].to_string(),
            "{key}"
        );
        let share = (q["correct_share"].as_f64().unwrap() * 100.0).round();
        assert_eq!(b.text(&cell("share")).await, format!("{share} %"), "{key}");
    }
    assert!(b
        .text("#stats-table tr[data-key='otp'] th")
        .await
        .contains("Ai được biết mã OTP của bạn?"));
    assert!(b
        .text("#stats-table tr[data-key='otp']")
        .await
        .contains("Người gọi điện"));
    assert!(b.text("#stats-difficult").await.contains("otp"));
    // The chart: one filled bar a question with a right answer, its share written beside it.
    let chart: Value = b
        .js(
            "const s = document.querySelector('.author-chart svg[role=img]');
             return {title: s.querySelector('title').textContent,
                     texts: [...s.querySelectorAll('text')].map(t => t.textContent)}",
            vec![],
        )
        .await;
    assert_eq!(chart["title"], T.author_stats_chart_title, "{chart}");
    let texts: Vec<&str> = chart["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        texts.contains(&"33\u{a0}%") && texts.contains(&"100\u{a0}%"),
        "{chart}"
    );
    assert!(
        texts.iter().any(|t| t.starts_with("otp: Ai được biết")),
        "{chart}"
    );
    check(&b, &mut audit, "author-quiz-stats").await;

    // The quiz's questions, from the course page: a prompt edited and saved to the draft.
    b.open(&page).await;
    b.press(&format!("{}: Kiểm tra nhanh", T.author_quiz)).await;
    let quiz_path = format!("/author/courses/{QSLUG}/quizzes/kt");
    assert_eq!(b.path().await, quiz_path);
    assert_eq!(
        value(&b, "#prompt-otp").await,
        "Ai được biết mã OTP của bạn?"
    );
    check(&b, &mut audit, "author-questions").await;
    let new_prompt = "Ai được biết mã OTP gửi về điện thoại của bạn?";
    set(&b, "#prompt-otp", new_prompt).await;
    press_id(&b, "#save-otp").await;
    assert!(
        b.text("#q-otp p.flash")
            .await
            .starts_with(T.author_question_saved),
        "{}",
        b.main_text().await
    );
    assert_eq!(draft_prompt(&app, &token, "otp").await, new_prompt);
    assert_eq!(
        draft_prompt(&app, &token, "cong-an").await,
        "Công an gọi điện bắt chuyển tiền là thật."
    );

    // An empty prompt is answered beside the field; nothing is saved.
    set(&b, "#prompt-otp", "  ").await;
    press_id(&b, "#save-otp").await;
    assert_eq!(b.text("#prompt-otp-error").await, T.err_required);
    assert_eq!(
        b.find("#prompt-otp")
            .await
            .attr("aria-describedby")
            .await
            .unwrap(),
        Some("prompt-otp-error".to_string())
    );
    assert_eq!(draft_prompt(&app, &token, "otp").await, new_prompt);
    check(&b, &mut audit, "author-questions-error").await;

    // A save after a change made through the API: nothing saved, the typed text kept.
    b.open(&quiz_path).await;
    app.put(&format!("/api/v1/courses/{QSLUG}/modules/n/items"))
        .token(&token)
        .json(&json!({"keys": ["c"]}))
        .expect(200)
        .await;
    let mine = "Mã OTP: ai được biết?";
    set(&b, "#prompt-otp", mine).await;
    press_id(&b, "#save-otp").await;
    assert_eq!(b.text("#q-otp-conflict").await, T.author_question_conflict);
    assert_eq!(value(&b, "#prompt-otp").await, mine);
    assert_eq!(draft_prompt(&app, &token, "otp").await, new_prompt);
    press_id(&b, "#save-otp").await;
    assert_eq!(draft_prompt(&app, &token, "otp").await, mine);

    // Without the CSRF token: refused, nothing saved.
    b.js(
        "document.querySelector('#save-otp').form.querySelector('input[name=csrf]').remove(); return true",
        vec![],
    )
    .await;
    set(&b, "#prompt-otp", "Không có mã CSRF").await;
    press_id(&b, "#save-otp").await;
    assert_eq!(b.text("h1").await, T.csrf_title);
    assert_eq!(draft_prompt(&app, &token, "otp").await, mine);
    b.close().await;

    // A learner: the 404 page for the statistics and for a reorder posted with their own token.
    let b = Browser::start(&app.address).await;
    assert_eq!(
        log_in(&b, "hoc.vien@example.vn", "mat-khau-rat-dai-1").await,
        "/"
    );
    for path in [
        stats_path.clone(),
        format!("/author/courses/{QSLUG}/quizzes/kt"),
    ] {
        b.open(&path).await;
        assert_eq!(b.text("h1").await, T.not_found_title, "{path}");
        assert!(!b.main_text().await.contains("OTP"), "{path}");
    }
    // The form built on a page of theirs that carries their CSRF token.
    b.open("/").await;
    b.js(
        &format!(
            "const f = document.createElement('form'); f.method = 'post';
             f.action = '/author/courses/{QSLUG}/order';
             for (const [k, v] of [['csrf', document.querySelector('meta[name=csrf-token]').content],
                                   ['version', '1'], ['keys', 'm'], ['keys', 'n']]) {{
               const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v;
               f.appendChild(i);
             }}
             document.body.appendChild(f); window.__e2e_old_page = true; f.submit(); return true"
        ),
        vec![],
    )
    .await;
    b.wait_js(
        "the answer to the posted form",
        "return !window.__e2e_old_page && document.readyState === 'complete'",
    )
    .await;
    assert_eq!(b.text("h1").await, T.not_found_title);
    assert_eq!(draft_order(&app, &token).await, now);
    b.close().await;
    audit.assert_clean();
}
