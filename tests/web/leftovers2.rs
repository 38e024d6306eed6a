//! What the review of the pages left, second part (issue 20 review leftovers (2)), in Chromium
//! at 360×800: a refused answer is said in the page's language (a side matched twice, a choice
//! that is not the question's, an item placed twice), beside its question, with what was chosen
//! kept, and as the learner answers (the autosave's status line), while the API keeps its
//! English; the quiz's own page offers "Làm lại" as its main button only while the best score is
//! below 100 % (at 100 % the course is the main button, trying again a secondary one); the
//! question editor shows the validator's own sentence in Vietnamese beside the field (the lesson
//! editor's one refusal, a body over 200 000 bytes, cannot be posted: a page's form is at most
//! 64 KiB). Photographed as `leftovers2-*.png`, checked with axe-core.

use serde_json::{json, Value};

use crate::accessibility::Audit;
use crate::browser::{Browser, WIDTH};
use crate::helpers::{
    draft_with_module, instructor, learner, publish_with_quizzes, Backend, TestApp,
};
use crate::staff::log_in;
use crate::T;

crate::both_backends!(
    a_learner_is_refused_in_vietnamese,
    an_author_reads_the_validator
);

const SLUG: &str = "tu-choi-bang-tieng-viet";
const PASSWORD: &str = "mat-khau-rat-dai-1";

/// A published course: a lesson, a matching quiz `ghep`, an ordering quiz `xep` and a
/// one-question quiz `otp`.
async fn course(app: &TestApp, token: &str) {
    draft_with_module(
        app,
        token,
        SLUG,
        ("Giữ an toàn tài khoản", "Account safety"),
        ("Bảo vệ tài khoản", "m"),
    )
    .await;
    app.post(&format!("/api/v1/courses/{SLUG}/modules/m/lessons"))
        .token(token)
        .json(
            &json!({"key": "bai", "title": "Mật khẩu", "title_en": "Passwords", "estimated_minutes": 5,
            "sources": [{"title": "Bộ Công an", "url": "https://bocongan.gov.vn"}], "body": "Nội dung."}),
        )
        .expect(201)
        .await;
    let quizzes = [
        json!({"key": "ghep", "title": "Ghép đôi", "title_en": "Matching",
        "pass_mark": 60, "questions_per_attempt": 1, "show_answers": "after_attempt",
        "questions": [
            {"key": "ghep", "type": "matching", "prompt": "Ghép mỗi việc với cách làm đúng.",
             "explanation": "Vì an toàn.",
             "pairs": [
                {"left": "Mật khẩu", "right": "Dài và khó đoán"},
                {"left": "Mã OTP", "right": "Không đưa cho ai"},
                {"left": "Tin nhắn lạ", "right": "Không bấm liên kết"}
             ]}
        ]}),
        json!({"key": "xep", "title": "Sắp xếp", "title_en": "Ordering",
        "pass_mark": 60, "questions_per_attempt": 1, "show_answers": "after_attempt",
        "questions": [
            {"key": "xep", "type": "ordering", "prompt": "Xếp các bước đổi mật khẩu.",
             "explanation": "Theo thứ tự.",
             "items": ["Mở Cài đặt", "Chọn Mật khẩu", "Gõ mật khẩu mới"]}
        ]}),
        crate::leftovers::otp_quiz(),
    ];
    publish_with_quizzes(app, token, SLUG, &quizzes).await;
}

/// Chooses in the attempt's selects, in order, the option of each text (`""`: the empty one),
/// as a finger would (a change event each: the autosave follows).
async fn choose(b: &Browser, texts: &[&str]) {
    b.js(
        "const texts = arguments[0];
         [...document.querySelectorAll('form.attempt select')].forEach((s, i) => {
           s.value = texts[i] === '' ? '' : [...s.options].find(o => o.textContent === texts[i]).value;
           s.dispatchEvent(new Event('change', {bubbles: true}));
         }); return true",
        vec![json!(texts)],
    )
    .await;
}

/// The values of the attempt's selects (the chosen options' texts).
async fn chosen(b: &Browser) -> Value {
    b.js(
        "return [...document.querySelectorAll('form.attempt select')].map(s => s.selectedOptions[0]?.textContent)",
        vec![],
    )
    .await
}

/// The page's alert, the refused question's own line, and the page's width.
async fn refusal(b: &Browser) -> Value {
    b.js(
        "return {alert: document.querySelector('main p.error[role=alert]')?.textContent,
           beside: document.querySelector('fieldset.invalid p.error')?.textContent,
           described: document.querySelector('fieldset.invalid')?.getAttribute('aria-describedby'),
           wide: document.documentElement.scrollWidth}",
        vec![],
    )
    .await
}

async fn a_learner_is_refused_in_vietnamese(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, author) = instructor(&app, "tac.gia@example.vn").await;
    course(&app, &author).await;
    let (_, token) = learner(&app, "lan@example.vn").await;
    let mut audit = Audit::on();
    let b = Browser::start(&app.address).await;
    log_in(&b, "lan@example.vn", PASSWORD).await;

    // Matching: one right side chosen for two left sides.
    b.open(&format!("/courses/{SLUG}/quizzes/ghep")).await;
    b.press(T.start_quiz).await;
    let attempt = b.path().await;
    assert!(attempt.starts_with("/attempts/"), "{attempt}");
    let twice = ["Dài và khó đoán", "Dài và khó đoán", "Không bấm liên kết"];
    choose(&b, &twice).await;
    // As the learner answers: the autosave is refused, in Vietnamese, where "saved" would be.
    b.wait_js(
        "the autosave's refusal",
        &format!(
            "return document.querySelector('.save-status').textContent.includes({})",
            json!(T.answer_matched_twice)
        ),
    )
    .await;
    let status = b.text(".save-status").await;
    assert_eq!(
        status,
        format!("{} 1: {}", T.question, T.answer_matched_twice)
    );
    // Without the script (the form's own "Lưu"): the page again, refused, what was chosen kept.
    b.press(T.save_answers).await;
    assert_eq!(b.path().await, format!("{attempt}/save"));
    let r = refusal(&b).await;
    let look_again = format!("{} {} 1.", T.answer_refused, T.answer_look_again);
    assert_eq!(r["alert"], json!(look_again), "{r}");
    assert_eq!(r["beside"], json!(T.answer_matched_twice), "{r}");
    assert_eq!(r["described"], "err-1", "{r}");
    assert!(r["wide"].as_f64().unwrap() <= WIDTH as f64, "{r}");
    assert!(!b.main_text().await.contains("matched twice"));
    assert_eq!(chosen(&b).await, json!(twice));
    audit.page(&b, "leftovers2-matched-twice").await;
    // Nothing was saved.
    let id = attempt.trim_start_matches("/attempts/");
    let saved = app
        .get(&format!("/api/v1/attempts/{id}"))
        .token(&token)
        .expect(200)
        .await;
    assert_eq!(saved["answers"], json!([]), "{saved}");

    // A choice that is not the question's (a form changed on the way): said in Vietnamese too.
    b.js(
        "const s = document.querySelector('form.attempt select');
         s.options[1].value = 'khong-co'; s.value = 'khong-co'; return true",
        vec![],
    )
    .await;
    b.press(T.save_answers).await;
    let r = refusal(&b).await;
    assert_eq!(r["alert"], json!(look_again), "{r}");
    assert_eq!(r["beside"], json!(T.answer_unknown_option), "{r}");
    assert!(!b.main_text().await.contains("not an option"));

    // Every side once, each with its own: saved.
    let right = b
        .js(
            "const right = arguments[0];
             for (const s of document.querySelectorAll('form.attempt select')) {
               const side = document.querySelector(`label[for='${s.id}']`).textContent.trim();
               s.value = [...s.options].find(o => o.textContent === right[side]).value;
             }
             return [...document.querySelectorAll('form.attempt select')].map(s => s.selectedOptions[0].textContent)",
            vec![json!({"Mật khẩu": "Dài và khó đoán", "Mã OTP": "Không đưa cho ai",
                "Tin nhắn lạ": "Không bấm liên kết"})],
        )
        .await;
    b.press(T.save_answers).await;
    assert_eq!(b.text("p.flash[role=status]").await, T.answers_saved);
    assert_eq!(chosen(&b).await, right);

    // Ordering: one step placed twice.
    b.open(&format!("/courses/{SLUG}/quizzes/xep")).await;
    b.press(T.start_quiz).await;
    let order = b.path().await;
    choose(&b, &["Mở Cài đặt", "Mở Cài đặt", "Gõ mật khẩu mới"]).await;
    b.press(T.save_answers).await;
    assert_eq!(b.path().await, format!("{order}/save"));
    let r = refusal(&b).await;
    assert_eq!(r["alert"], json!(look_again), "{r}");
    assert_eq!(r["beside"], json!(T.answer_order_incomplete), "{r}");
    audit.page(&b, "leftovers2-order-twice").await;

    // The API's answer to the same is its English one, as before.
    let oid = order.trim_start_matches("/attempts/");
    let a = app
        .get(&format!("/api/v1/attempts/{oid}"))
        .token(&token)
        .expect(200)
        .await;
    let q = &a["questions"][0];
    let first = q["options"][0]["id"].clone();
    let refused = app
        .put(&format!("/api/v1/attempts/{oid}/answers"))
        .token(&token)
        .json(&json!({"answers": [{"question": q["id"], "order": [first, first, q["options"][2]["id"]]}]}))
        .expect(422)
        .await;
    assert_eq!(refused["errors"][0]["code"], "invalid_answer", "{refused}");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("must list every item id exactly once"),
        "{refused}"
    );

    // The quiz's page, the best score below 100 %: "Làm lại" is offered.
    b.open(&attempt).await;
    b.press(T.submit_quiz).await;
    b.press(T.confirm_submit).await;
    assert!(b.text("section.result .lead").await.contains("100%"));
    app.post(&format!("/api/v1/attempts/{oid}/submit"))
        .token(&token)
        .expect(200)
        .await;
    b.open(&format!("/courses/{SLUG}/quizzes/xep")).await;
    assert!(b.has_text("button", T.try_again_quiz).await);
    assert!(
        b.main_text()
            .await
            .contains(&format!("{}: 0%", T.best_score)),
        "{}",
        b.main_text().await
    );
    audit.page(&b, "leftovers2-quiz-below-100").await;

    // At 100 %: the course is the main button; trying again is only a secondary one after it.
    b.open(&format!("/courses/{SLUG}/quizzes/ghep")).await;
    let buttons = b
        .js(
            "return [...document.querySelectorAll('main a.button, main button')]
               .map(e => [e.textContent.trim(), e.className])",
            vec![],
        )
        .await;
    assert_eq!(
        buttons,
        json!([[T.course, "button"], [T.try_again_quiz, "secondary"]]),
        "{buttons}"
    );
    assert!(!b.has_text("button", T.start_quiz).await);
    assert!(
        b.main_text()
            .await
            .contains(&format!("{}: 100%", T.best_score)),
        "{}",
        b.main_text().await
    );
    let on = b.find("main .actions a.button").await;
    assert_eq!(on.text().await.unwrap().trim(), T.course);
    assert_eq!(
        on.attr("href").await.unwrap().as_deref(),
        Some(format!("/courses/{SLUG}").as_str())
    );
    assert_eq!(on.attr("class").await.unwrap().as_deref(), Some("button"));
    audit.page(&b, "leftovers2-quiz-100").await;
    b.close().await;
    audit.assert_clean();
}

async fn an_author_reads_the_validator(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, author) = instructor(&app, "tac.gia@example.vn").await;
    course(&app, &author).await;
    let mut audit = Audit::on();
    let b = Browser::start(&app.address).await;
    log_in(&b, "tac.gia@example.vn", PASSWORD).await;
    let set = |css: &'static str, text: String| {
        let b = &b;
        async move {
            b.js(
                "document.querySelector(arguments[0]).value = arguments[1]; return true",
                vec![json!(css), json!(text)],
            )
            .await;
        }
    };

    // A question without its explanation: the validator's sentence, in Vietnamese, beside it.
    b.open(&format!("/author/courses/{SLUG}/quizzes/otp")).await;
    set("#explanation-otp", "   ".into()).await;
    b.click_to_next_page(b.find("#save-otp").await).await;
    assert_eq!(
        b.text("#explanation-otp-error").await,
        "`explanation` không được để trống"
    );
    assert_eq!(
        b.find("#explanation-otp")
            .await
            .attr("aria-invalid")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    let text = b.main_text().await;
    assert!(!text.contains(T.err_invalid), "{text}");
    assert!(!text.contains("must not be empty"), "{text}");
    audit.page(&b, "leftovers2-author-question").await;
    // Nothing saved; the API says it in English, as before.
    let refused = app
        .put(&format!("/api/v1/courses/{SLUG}/quizzes/otp/questions/otp"))
        .token(&author)
        .json(
            &json!({"key": "otp", "type": "single", "prompt": "Ai?", "explanation": " ",
            "choices": [{"text": "Chỉ mình tôi", "correct": true}, {"text": "Người gọi điện"}]}),
        )
        .expect(422)
        .await;
    assert_eq!(
        refused["errors"][0]["message"], "`explanation` must not be empty",
        "{refused}"
    );

    b.close().await;
    audit.assert_clean();
}
