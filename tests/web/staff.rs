//! The staff pages of a community digital team (issue 20, first slice), in Chromium: a
//! facilitator registers three residents in two households (one household chosen, two created
//! on the spot), prints their login cards (three on one sheet), finds a resident by a name typed
//! without diacritics, filters, enrols one and records a lesson done in person, and sees the
//! needs-help list change. A learner is refused every staff page with the 404 page; a visitor
//! is sent to log in. Every staff page is checked with axe-core and photographed at 360×800
//! and 1366×768 (`target/web-screenshots/staff-*.png`, `staff-*-1366.png`, and the print view
//! of the cards, `staff-card-print.png`).

use serde_json::{json, Value};

use crate::accessibility::Audit;
use crate::browser::{screenshot_dir, Browser, HEIGHT, WIDTH};
use crate::course::{import_shipped, SLUG};
use crate::helpers::{learner, Backend, TestApp};
use crate::login_card::village_team;
use crate::T;

crate::both_backends!(facilitator_registers_prints_and_follows);

/// Logs in on /login; the path the browser lands on.
pub(crate) async fn log_in(b: &Browser, login: &str, secret: &str) -> String {
    b.open("/login").await;
    b.type_into("#login", login).await;
    b.type_into("#password", secret).await;
    b.press(T.login_button).await;
    b.path().await
}

/// Chooses the option of the select `css` whose text is `label`.
async fn choose(b: &Browser, css: &str, label: &str) {
    let found = b
        .js(
            "const [css, label] = arguments, s = document.querySelector(css);
             const o = s && [...s.options].find(o => o.text.trim() === label);
             if (o) { s.value = o.value; } return !!o;",
            vec![json!(css), json!(label)],
        )
        .await;
    assert_eq!(found, Value::Bool(true), "no option “{label}” in {css}");
}

/// A PNG of the whole page at `width`×`height` (a laptop, or the print view).
async fn shot(b: &Browser, name: &str, width: u32, height: u32, mobile: bool) {
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
    )
    .await;
    let metrics = b.cdp("Page.getLayoutMetrics", json!({})).await;
    let h = metrics["cssContentSize"]["height"]
        .as_f64()
        .unwrap_or(height as f64)
        .max(height as f64);
    let png = b
        .cdp(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true,
                "clip": {"x": 0, "y": 0, "width": width, "height": h, "scale": 1}}),
        )
        .await;
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(png["data"].as_str().unwrap())
        .unwrap();
    std::fs::create_dir_all(screenshot_dir()).unwrap();
    std::fs::write(screenshot_dir().join(format!("{name}.png")), bytes).unwrap();
    // Back to the phone.
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": true}),
    )
    .await;
}

/// The page checked with axe-core (and photographed at 360×800 the first time), then at
/// 1366×768.
pub(crate) async fn check(b: &Browser, audit: &mut Audit, name: &str) {
    audit.page(b, name).await;
    shot(b, &format!("{name}-1366"), 1366, 768, false).await;
}

/// The names on the page's resident list.
async fn names(b: &Browser, css: &str) -> Vec<String> {
    let v = b
        .js(
            &format!(
                "return [...document.querySelectorAll('{css}')].map(e => e.textContent.trim())"
            ),
            vec![],
        )
        .await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Fills and sends the registration form.
async fn register(b: &Browser, name: &str, household: Option<&str>, new_household: &str) {
    b.type_into("#display_name", name).await;
    if let Some(h) = household {
        choose(b, "#household", h).await;
    }
    if !new_household.is_empty() {
        b.type_into("#household_name", new_household).await;
    }
    b.type_into("#birth_year", "1958").await;
    choose(b, "#gender", T.gender_female).await;
    choose(b, "#eid_status", T.eid_level1).await;
    b.find("#consent_paper").await.click().await.unwrap();
    b.press(T.staff_register_button).await;
}

async fn facilitator_registers_prints_and_follows(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    import_shipped(&app).await;
    let (_village, _token) = village_team(&app).await;
    learner(&app, "hoc.vien@example.vn").await;
    let mut audit = Audit::on();

    // A visitor is sent to log in, and comes back.
    let b = Browser::start(&app.address).await;
    b.open("/staff/help").await;
    assert!(
        b.path().await.starts_with("/login?next=%2Fstaff%2Fhelp"),
        "{}",
        b.path().await
    );
    assert_eq!(
        log_in(&b, "to.cns@example.vn", "mat-khau-rat-dai-1").await,
        "/"
    );
    // The nav shows the team's link to a facilitator.
    assert!(
        b.has_text("a", T.nav_staff).await,
        "no staff link in the nav"
    );

    // Register: a mistake comes back beside its field, with what was typed.
    b.open("/staff/residents/new").await;
    check(&b, &mut audit, "staff-new").await;
    b.type_into("#birth_year", "19x8").await;
    b.type_into("#phone", "0912").await;
    b.press(T.staff_register_button).await;
    assert_eq!(b.text("#display_name-error").await, T.err_required);
    assert_eq!(b.text("#birth_year-error").await, T.err_birth_year);
    let typed = b
        .js("return document.querySelector('#birth_year').value", vec![])
        .await;
    assert_eq!(typed, json!("19x8"));
    audit.page(&b, "staff-new-errors").await;
    // The phone is checked by the domain.
    b.type_into("#display_name", "Bà Tư").await;
    b.type_into("#birth_year", "1958").await;
    b.press(T.staff_register_button).await;
    assert!(b.has("#phone-error").await, "{}", b.main_text().await);
    // How the resident consented to the privacy notice is asked, and required.
    assert_eq!(b.text("#consent_way-error").await, T.consent_required);
    assert_eq!(
        b.js(
            "return document.querySelector('#display_name').value",
            vec![]
        )
        .await,
        json!("Bà Tư")
    );
    b.type_into("#phone", "").await;

    // 1: Bà Tư, a new household.
    register(&b, "Bà Tư", None, "Nguyễn Văn An").await;
    assert_eq!(b.text("h1").await, T.staff_card_title);
    assert_eq!(names(&b, ".login-card").await.len(), 1);
    let card = b.text(".login-card").await;
    assert!(
        card.contains("Bà Tư") && card.contains("Thôn Một"),
        "{card}"
    );
    assert!(b.has(".lc-qr svg").await, "the card has no QR code");
    let pin_field = b
        .js(
            "return [...document.querySelectorAll('.login-card dd.lc-secret')].map(e => e.textContent.trim())",
            vec![],
        )
        .await;
    let first_username = pin_field[0].as_str().unwrap().to_string();
    let first_pin = pin_field[1].as_str().unwrap().to_string();
    assert!(
        first_pin.len() == 6 && first_pin.chars().all(|c| c.is_ascii_digit()),
        "{first_pin}"
    );
    assert!(first_username.starts_with("ba.tu."), "{first_username}");
    // The PIN is nowhere in the address.
    assert!(!b.path().await.contains(&first_pin));

    // 2: Ông Năm, the same household, chosen.
    b.press(T.staff_register_another).await;
    assert!(b.has("input[name=card]").await);
    register(&b, "Ông Năm", Some("Nguyễn Văn An"), "").await;
    assert_eq!(names(&b, ".login-card").await.len(), 2);

    // 3: Chị Hoa, another new household.
    b.press(T.staff_register_another).await;
    register(&b, "Chị Hoa", None, "Trần Thị Bình").await;
    let cards = names(&b, ".login-card").await;
    assert_eq!(cards.len(), 3, "{cards:?}");
    check(&b, &mut audit, "staff-card").await;
    // The print view: three cards on an A4 sheet, nothing else.
    b.cdp("Emulation.setEmulatedMedia", json!({"media": "print"}))
        .await;
    let hidden = b
        .js(
            "return getComputedStyle(document.querySelector('.top')).display === 'none'
                && getComputedStyle(document.querySelector('.no-print')).display === 'none'",
            vec![],
        )
        .await;
    assert_eq!(hidden, Value::Bool(true));
    shot(&b, "staff-card-print", 794, 1123, false).await;
    b.cdp("Emulation.setEmulatedMedia", json!({"media": ""}))
        .await;

    // The first card opens the account.
    let r = b2_login(&app, &first_username, &first_pin).await;
    assert_eq!(r, "/");

    // The residents: all three; search without diacritics; filters.
    b.open("/staff/residents").await;
    check(&b, &mut audit, "staff-residents").await;
    let all = names(&b, ".person h2").await;
    assert_eq!(all.len(), 3, "{all:?}");
    let list = b.main_text().await;
    assert!(list.contains(T.eid_level1), "{list}");
    b.open("/staff/residents?q=ong+nam").await;
    assert_eq!(names(&b, ".person h2").await, vec!["Ông Năm".to_string()]);
    b.open("/staff/residents?status=needs_help").await;
    assert_eq!(names(&b, ".person h2").await.len(), 3);
    b.open("/staff/residents?status=finished").await;
    assert!(names(&b, ".person h2").await.is_empty());

    // Who needs help: all three never started.
    b.open("/staff/help").await;
    check(&b, &mut audit, "staff-help").await;
    let before = names(&b, ".person h2").await;
    assert_eq!(before.len(), 3, "{before:?}");
    assert!(b.main_text().await.contains(T.help_never_started));

    // Bà Tư: enrolled, a lesson recorded in person.
    b.press("Bà Tư").await;
    assert_eq!(b.text("h1").await, "Bà Tư");
    check(&b, &mut audit, "staff-resident").await;
    choose(&b, "#course", &course_title()).await;
    b.press(T.staff_enrol_button).await;
    assert_eq!(b.text("p.flash").await, T.staff_enrolled);
    b.press(T.staff_lesson_button).await;
    assert_eq!(
        b.text("p.flash").await,
        T.staff_lesson_recorded,
        "{}",
        b.main_text().await
    );
    let progress = b
        .js(
            "return document.querySelector('.progress-list progress').value",
            vec![],
        )
        .await;
    assert!(progress.as_f64().unwrap() > 0.0, "{progress}");
    audit.page(&b, "staff-resident-recorded").await;
    // A reset code, shown once.
    b.press(T.staff_reset_button).await;
    assert!(b.text("p.flash").await.contains(T.staff_reset_given));

    // The needs-help list changed: Bà Tư is learning now.
    b.open("/staff/help").await;
    let after = names(&b, ".person h2").await;
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(!after.contains(&"Bà Tư".to_string()), "{after:?}");
    b.open("/staff/residents?status=in_progress").await;
    assert_eq!(names(&b, ".person h2").await, vec!["Bà Tư".to_string()]);
    let resident_path = format!(
        "/staff/residents/{}",
        b.js(
            "return document.querySelector('.person h2 a').getAttribute('href').split('/').pop()",
            vec![]
        )
        .await
        .as_str()
        .unwrap()
    );
    b.close().await;

    // A learner: every staff page is the 404 page, and the nav has no staff link.
    let b = Browser::start(&app.address).await;
    assert_eq!(
        log_in(&b, "hoc.vien@example.vn", "mat-khau-rat-dai-1").await,
        "/"
    );
    assert!(!b.has_text("a", T.nav_staff).await);
    for path in [
        "/staff/residents",
        "/staff/residents?q=ba",
        "/staff/residents/new",
        resident_path.as_str(),
        "/staff/help",
    ] {
        b.open(path).await;
        assert_eq!(b.text("h1").await, T.not_found_title, "{path}");
        assert!(!b.main_text().await.contains("Bà Tư"), "{path}");
    }
    b.close().await;
    audit.assert_clean();
}

/// The title of the course the test enrols in, as the page's select shows it.
fn course_title() -> String {
    crate::course::course_file(SLUG).title
}

/// Logs in with a card's username and PIN in a browser of its own.
async fn b2_login(app: &TestApp, username: &str, pin: &str) -> String {
    let b = Browser::start(&app.address).await;
    let path = log_in(&b, username, pin).await;
    b.close().await;
    path
}
