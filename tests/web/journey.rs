//! A new learner's whole way, in Chromium, by clicking and typing only: the welcome page,
//! registering with a phone number, finding a course by typing its name without diacritics,
//! enrolling, every lesson ("Tôi đã học xong bài này"), every quiz (radios, checkboxes, a text
//! box, selects for ordering and matching) with its confirmation and result, the certificate,
//! its PDF and its verification.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::accessibility::Audit;
use crate::both_backends;
use crate::browser::Browser;
use crate::course::{course_file, fold, import_shipped, pass_quiz, quizzes, Question, SLUG};
use crate::helpers::{login, Backend, TestApp};
use crate::T;

both_backends!(learner_journey);

pub struct Learner {
    pub name: String,
    pub phone: String,
    pub password: String,
}

impl Learner {
    pub fn new(phone: &str) -> Learner {
        Learner {
            name: "Nguyễn Thị Hoa".into(),
            phone: phone.into(),
            password: "lua-chin-vang-dong".into(),
        }
    }
}

async fn learner_journey(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    import_shipped(&app).await;
    let b = Browser::start(&app.address).await;
    let learner = Learner::new("0912 345 678");
    let serial = journey(&app, &b, &learner, &mut Audit::off()).await;
    b.close().await;

    // What the server recorded: every item done, the course completed, one certificate.
    let token = login(&app, &learner.phone.replace(' ', ""), &learner.password).await
        ["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let p: Value = app
        .get(&format!("/api/v1/me/courses/{SLUG}/progress"))
        .token(&token)
        .value()
        .await;
    assert_eq!(p["status"], "completed", "{p}");
    assert_eq!(p["percent"], 100, "{p}");
    for item in p["items"].as_array().unwrap() {
        assert_eq!(item["status"], "done", "{item}");
    }
    let certs: Value = app
        .get("/api/v1/me/certificates")
        .token(&token)
        .value()
        .await;
    let serials: Vec<&str> = certs
        .as_array()
        .or(certs["items"].as_array())
        .unwrap()
        .iter()
        .filter_map(|c| c["serial"].as_str())
        .collect();
    assert_eq!(serials, [serial.as_str()], "{certs}");
}

/// The journey on the shipped course [`SLUG`]; `audit` sees each page type. Returns the
/// certificate's serial.
pub async fn journey(app: &TestApp, b: &Browser, learner: &Learner, audit: &mut Audit) -> String {
    let title = course_file(SLUG).title;
    let files = quizzes(SLUG);
    let bank: Vec<Question> = files
        .iter()
        .flat_map(|(_, q)| q.questions.clone())
        .collect();

    // Welcome, then the register page.
    b.open("/").await;
    assert_eq!(b.text("h1").await, T.welcome_title);
    audit.page(b, "welcome").await;
    b.press(T.register_button).await;
    assert_eq!(b.path().await, "/register");
    audit.page(b, "register").await;
    b.type_into("#display_name", &learner.name).await;
    b.type_into("#phone", &learner.phone).await;
    b.type_into("#password", &learner.password).await;
    // Without ticking the consent to the privacy notice: refused, the reason beside the box.
    b.press(T.register_button).await;
    assert_eq!(
        b.text("#accept_privacy_notice-error").await,
        T.consent_required
    );
    assert_eq!(
        b.js("return document.querySelector('#phone').value", vec![])
            .await,
        serde_json::json!(learner.phone)
    );
    b.type_into("#password", &learner.password).await;
    b.find("#accept_privacy_notice")
        .await
        .click()
        .await
        .unwrap();
    b.press(T.register_button).await;
    assert_eq!(
        b.path().await,
        "/courses",
        "registering failed: {}",
        b.main_text().await
    );

    // The catalogue, searched without diacritics: "an toan tren khong gian mang".
    let words = fold(&title);
    assert_ne!(words, title.to_lowercase(), "the title has diacritics");
    b.type_into("#q", &words).await;
    b.press(T.search_button).await;
    assert!(
        b.path().await.starts_with("/courses?q="),
        "{}",
        b.path().await
    );
    let first = b.text(".cards .card h3 a").await;
    assert_eq!(first, title, "the course comes first for its own words");
    audit.page(b, "catalogue").await;
    b.press(&title).await;
    assert_eq!(b.path().await, format!("/courses/{SLUG}"));
    assert_eq!(b.text("h1").await, title);
    audit.page(b, "course").await;
    b.press(T.enrol_button).await;
    assert!(
        b.has_text("a", T.continue_button).await,
        "{}",
        b.main_text().await
    );

    // Every item in turn: "Học tiếp" from the course page, "learned" on each lesson (which
    // goes on to the next item), each quiz passed, back to the course after a quiz.
    let cert_link = format!("{} →", T.certificate);
    let (mut lessons, mut quizzes_passed) = (BTreeSet::new(), 0);
    let mut kinds = BTreeSet::new();
    let mut steps = 0;
    loop {
        steps += 1;
        assert!(steps < 200, "the journey does not end");
        let path = b.path().await;
        let page = path.split('?').next().unwrap().to_string();
        if page.starts_with(&format!("/courses/{SLUG}/lessons/")) {
            // Every lesson: their contents differ (lists, tables, links, images).
            let table = b.has("article.lesson table").await;
            let name = if table && !audit.seen.contains("lesson-table") {
                "lesson-table"
            } else {
                "lesson"
            };
            audit.page(b, name).await;
            assert!(
                lessons.insert(page.clone()),
                "{page} was shown again after “learned”"
            );
            b.press(T.learned_button).await;
        } else if page.starts_with(&format!("/courses/{SLUG}/quizzes/")) {
            kinds.extend(pass_quiz(b, &bank, audit).await);
            quizzes_passed += 1;
            if b.has_text("a", &cert_link).await {
                break;
            }
            b.click_to_next_page(
                b.find(&format!("main .actions a[href='/courses/{SLUG}']"))
                    .await,
            )
            .await;
        } else if page == format!("/courses/{SLUG}") {
            b.press(T.continue_button).await;
        } else {
            panic!("the journey went to {path}: {}", b.main_text().await);
        }
    }
    let doc = app
        .state
        .catalogue
        .get(SLUG)
        .expect("the course is published");
    assert_eq!(
        lessons.len(),
        doc.content.doc.lessons().count(),
        "every lesson"
    );
    assert_eq!(
        quizzes_passed,
        doc.content.doc.quizzes().count(),
        "every quiz"
    );
    let all: BTreeSet<String> = bank.iter().map(|q| q.kind.clone()).collect();
    eprintln!(
        "journey: {} lessons, {quizzes_passed} quizzes, question kinds answered: {kinds:?}",
        lessons.len()
    );
    assert!(kinds.len() >= 3, "{kinds:?} of {all:?}");

    // The certificate: its PDF and its verification.
    b.press(&cert_link).await;
    assert!(b.path().await.starts_with("/my/certificates/"));
    audit.page(b, "certificate").await;
    let serial = b.text("dd.mono").await;
    assert!(b.text("main").await.contains(&learner.name));
    let pdf = b
        .find("a[download]")
        .await
        .prop("href")
        .await
        .unwrap()
        .expect("the PDF link");
    let res = reqwest::get(&pdf).await.unwrap();
    assert_eq!(res.status(), 200, "{pdf}");
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF"), "{pdf}");
    let verify = b
        .find("main a[href*='/verify/']")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let verify_path = url::Url::parse(&verify).unwrap().path().to_string();
    assert_eq!(verify_path, format!("/verify/{serial}"));
    let res = app.get(&verify_path).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Chứng nhận hợp lệ") && html.contains(&learner.name),
        "{html}"
    );
    let cert: Value = app
        .get(&format!("/api/v1/certificates/{serial}"))
        .value()
        .await;
    assert_eq!(cert["status"], "valid", "{cert}");

    // Questions are drawn at random: a kind no attempt asked yet is met by trying again a quiz
    // that has it, so that every control (radio, checkbox, text box, selects) is used.
    let all: BTreeSet<String> = bank.iter().map(|q| q.kind.clone()).collect();
    for retake in 0.. {
        let Some(missing) = all.difference(&kinds).next().cloned() else {
            break;
        };
        assert!(
            retake < 20,
            "{missing} questions never drawn in 20 attempts"
        );
        let (key, _) = files
            .iter()
            .find(|(_, q)| q.questions.iter().any(|q| q.kind == missing))
            .unwrap();
        b.open(&format!("/courses/{SLUG}/quizzes/{key}")).await;
        kinds.extend(pass_quiz(b, &bank, audit).await);
    }
    assert_eq!(kinds, all);

    // Home, signed in: the course completed, the certificate listed.
    b.open("/").await;
    assert!(b.text("h1").await.contains(&learner.name));
    assert!(b.has_text("a", &title).await);
    audit.page(b, "home").await;
    serial
}
