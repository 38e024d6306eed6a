//! What the review of the pages at 360 px left (issue 20 review leftovers), in Chromium: a
//! matching question's selects show a long choice whole (it wraps in the field, the page does
//! not scroll sideways); a failed attempt's result offers "Làm lại", a 100 % one does not (the
//! course is the way on); the 404 page has the language switch of the other pages, a link that
//! comes back to the same address in the other language and never leaves the site.
//! Photographed at 360×800 (`target/web-screenshots/leftovers-*.png`), checked with axe-core.

use serde_json::{json, Value};

use crate::accessibility::Audit;
use crate::browser::{Browser, WIDTH};
use crate::helpers::{
    draft_with_module, instructor, learner, publish_with_quizzes, Backend, TestApp,
};
use crate::staff::log_in;
use crate::T;

crate::both_backends!(a_quiz_on_a_phone, the_404_page_switches_language);

const SLUG: &str = "mat-khau-an-toan";
/// A right side longer than a 360 px select's line.
const LONG: &str = "Dùng ít nhất mười hai ký tự gồm chữ hoa, chữ thường, số và ký hiệu đặc biệt";
const OTP: &str = "Không đưa cho ai, kể cả người tự xưng là nhân viên ngân hàng";
const LINK: &str = "Không bấm vào đường liên kết trong tin nhắn của người lạ";

/// A published course with a matching quiz `ghep` (long right sides) and a one-question quiz
/// `otp`.
async fn course(app: &TestApp, token: &str) {
    draft_with_module(
        app,
        token,
        SLUG,
        ("Mật khẩu an toàn", "Safe passwords"),
        ("Bảo vệ tài khoản", "m"),
    )
    .await;
    let quizzes = [
        json!({"key": "ghep", "title": "Ghép đôi", "title_en": "Matching",
        "pass_mark": 60, "questions_per_attempt": 1, "show_answers": "after_attempt",
        "questions": [
            {"key": "ghep", "type": "matching", "prompt": "Ghép mỗi việc với cách làm đúng.",
             "explanation": "Vì an toàn.",
             "pairs": [
                {"left": "Mật khẩu mạnh", "right": LONG},
                {"left": "Mã OTP", "right": OTP},
                {"left": "Tin nhắn lạ", "right": LINK}
             ]}
        ]}),
        otp_quiz(),
    ];
    publish_with_quizzes(app, token, SLUG, &quizzes).await;
}

/// The one-question quiz `otp` (its right answer: "Chỉ mình tôi").
pub fn otp_quiz() -> Value {
    json!({"key": "otp", "title": "Mã OTP", "title_en": "OTP",
    "pass_mark": 60, "questions_per_attempt": 1, "show_answers": "after_attempt",
    "questions": [
        {"key": "otp", "type": "single", "prompt": "Ai được biết mã OTP của bạn?", "explanation": "Chỉ bạn.",
         "choices": [{"text": "Chỉ mình tôi", "correct": true}, {"text": "Người gọi điện"}]}
    ]})
}

/// The selects of the open attempt: how they are drawn, and the page's width.
async fn selects(b: &Browser) -> Value {
    b.js(
        "return {page: document.documentElement.scrollWidth,
           selects: [...document.querySelectorAll('form.attempt select')].map(s => ({
             appearance: getComputedStyle(s).appearance, height: s.getBoundingClientRect().height,
             right: s.getBoundingClientRect().right, scroll: s.scrollWidth, client: s.clientWidth,
             chosen: s.selectedOptions[0]?.textContent}))}",
        vec![],
    )
    .await
}

async fn a_quiz_on_a_phone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, author) = instructor(&app, "tac.gia@example.vn").await;
    course(&app, &author).await;
    let (_, token) = learner(&app, "lan@example.vn").await;
    let mut audit = Audit::on();
    let b = Browser::start(&app.address).await;
    log_in(&b, "lan@example.vn", "mat-khau-rat-dai-1").await;

    // The matching question: the long choice chosen in every select is shown whole.
    b.open(&format!("/courses/{SLUG}/quizzes/ghep")).await;
    b.press(T.start_quiz).await;
    assert!(
        b.path().await.starts_with("/attempts/"),
        "{}",
        b.path().await
    );
    // Each side with the next one's right side: every choice long, every pair wrong.
    b.js(
        "const wrong = arguments[0];
         for (const s of document.querySelectorAll('form.attempt select')) {
           const side = document.querySelector(`label[for='${s.id}']`).textContent.trim();
           s.value = [...s.options].find(o => o.textContent === wrong[side]).value;
           s.dispatchEvent(new Event('change', {bubbles: true}));
         } return true",
        vec![json!({"Mật khẩu mạnh": OTP, "Mã OTP": LINK, "Tin nhắn lạ": LONG})],
    )
    .await;
    let shown = selects(&b).await;
    assert!(shown["page"].as_f64().unwrap() <= WIDTH as f64, "{shown}");
    let list = shown["selects"].as_array().unwrap();
    assert_eq!(list.len(), 3, "{shown}");
    for s in list {
        assert!(
            [LONG, OTP, LINK].contains(&s["chosen"].as_str().unwrap()),
            "{shown}"
        );
        assert_eq!(s["appearance"], "base-select", "{shown}");
        // Wrapped over lines (one line is 48 px), nothing cut at the side.
        assert!(s["height"].as_f64().unwrap() > 80.0, "{shown}");
        assert!(s["scroll"].as_f64() <= s["client"].as_f64(), "{shown}");
        assert!(s["right"].as_f64().unwrap() <= WIDTH as f64, "{shown}");
    }
    audit.page(&b, "leftovers-matching").await;
    // Its list open: the choices wrap too.
    b.find("form.attempt select").await.click().await.unwrap();
    b.wait_js(
        "the list of choices",
        "return document.querySelector('form.attempt select').matches(':open')",
    )
    .await;
    b.screenshot("leftovers-matching-open").await;
    let wide = b
        .js("return document.documentElement.scrollWidth", vec![])
        .await;
    assert!(wide.as_f64().unwrap() <= WIDTH as f64, "{wide}");
    b.js(
        "document.querySelector('form.attempt select').hidePicker?.(); return true",
        vec![],
    )
    .await;

    // Every pair wrong: failed, "Làm lại" is offered.
    b.press(T.submit_quiz).await;
    b.press(T.confirm_submit).await;
    assert!(b.text("section.result h2").await.contains(T.failed));
    assert!(b.has_text("a", T.try_again_quiz).await);

    // All right (through the API): 100 %, nothing to try again; the course is the way on.
    let a = app
        .post("/api/v1/quizzes/mat-khau-an-toan.otp/attempts")
        .token(&token)
        .expect(201)
        .await;
    let q = &a["questions"][0];
    let right = q["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["text"] == "Chỉ mình tôi")
        .unwrap()["id"]
        .clone();
    let id = a["id"].as_str().unwrap();
    app.put(&format!("/api/v1/attempts/{id}/answers"))
        .token(&token)
        .json(&json!({"answers": [{"question": q["id"], "choice": right}]}))
        .expect(200)
        .await;
    app.post(&format!("/api/v1/attempts/{id}/submit"))
        .token(&token)
        .expect(200)
        .await;
    b.open(&format!("/attempts/{id}")).await;
    assert!(b.text("section.result .lead").await.contains("100%"));
    assert!(
        !b.has_text("a", T.try_again_quiz).await,
        "{}",
        b.main_text().await
    );
    let on = b.find("main .actions a.button").await;
    assert_eq!(on.text().await.unwrap().trim(), T.course);
    assert_eq!(
        on.attr("class").await.unwrap().as_deref(),
        Some("button"),
        "the course link is the main button"
    );
    audit.page(&b, "leftovers-result-100").await;
    b.close().await;
    audit.assert_clean();
}

async fn the_404_page_switches_language(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let en = hocso::i18n::pages::texts(hocso::i18n::Lang::En);
    let mut audit = Audit::on();
    let b = Browser::start(&app.address).await;
    let lang = || async { b.js("return document.documentElement.lang", vec![]).await };

    b.open("/khong-co-trang-nay?x=1").await;
    assert_eq!(b.text("h1").await, T.not_found_title);
    audit.page(&b, "leftovers-404").await;
    let link = b.find("footer a[data-lang-switch]").await;
    assert_eq!(link.text().await.unwrap(), "English");
    b.click_to_next_page(link).await;
    // The same address, in English.
    assert_eq!(b.path().await, "/khong-co-trang-nay?x=1");
    assert_eq!(b.text("h1").await, en.not_found_title);
    assert_eq!(lang().await, "en");
    audit.page(&b, "leftovers-404-en").await;
    let link = b.find("footer a[data-lang-switch]").await;
    assert_eq!(link.text().await.unwrap(), "Tiếng Việt");
    b.click_to_next_page(link).await;
    assert_eq!(b.text("h1").await, T.not_found_title);
    assert_eq!(lang().await, "vi");

    // Without the script the link goes home; it never leaves the site.
    b.open("/lang?lang=en&next=//example.com/x").await;
    assert_eq!(b.path().await, "/");
    assert_eq!(lang().await, "en");
    b.open("/lang?lang=vi&next=/courses").await;
    assert_eq!(b.path().await, "/courses");
    assert_eq!(lang().await, "vi");
    // An unknown language changes nothing.
    b.open("/lang?lang=xx").await;
    assert_eq!(lang().await, "vi");
    b.close().await;
    audit.assert_clean();
}
