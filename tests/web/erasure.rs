//! Erasure of one's own data in Chromium (issue 21): from the profile page to the erasure page,
//! a wrong password refused beside the field, the request, cancelling it, asking again; after
//! the grace period the login is refused. Checked with axe-core and photographed
//! (`target/web-screenshots/erasure*.png`).

use chrono::TimeDelta;

use crate::accessibility::Audit;
use crate::both_backends;
use crate::browser::Browser;
use crate::helpers::{admin, learner, Backend, TestApp};
use crate::staff::{check, log_in};
use crate::T;

both_backends!(a_learner_asks_to_erase_their_data_and_cancels);

async fn a_learner_asks_to_erase_their_data_and_cancels(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    learner(&app, "lan@example.vn").await;
    let (_, admin_token) = admin(&app).await;
    let mut audit = Audit::on();
    let b = Browser::start(&app.address).await;
    assert_eq!(
        log_in(&b, "lan@example.vn", "mat-khau-rat-dai-1").await,
        "/"
    );

    // From the profile page.
    b.press(T.nav_profile).await;
    b.click_to_next_page(b.by_text("a", T.erasure_link).await)
        .await;
    assert_eq!(b.path().await, "/privacy/erasure");
    assert_eq!(b.text("h1").await, T.erasure_title);
    assert!(b.main_text().await.contains(T.erasure_what_certificates));
    check(&b, &mut audit, "erasure").await;

    // A wrong password: the form again, the error beside the field.
    b.type_into("#password", "sai-mat-khau").await;
    b.press(T.erasure_button).await;
    assert_eq!(b.text("#password-error").await, T.erasure_wrong_password);
    check(&b, &mut audit, "erasure-wrong-password").await;

    // Asked: the day it happens, and a way back.
    b.type_into("#password", "mat-khau-rat-dai-1").await;
    b.press(T.erasure_button).await;
    assert_eq!(b.path().await, "/privacy/erasure?done=asked");
    assert!(b.main_text().await.contains(T.erasure_asked_done));
    assert!(b.has_text("h2", T.erasure_pending_title).await);
    check(&b, &mut audit, "erasure-pending").await;
    b.press(T.erasure_cancel_button).await;
    assert_eq!(b.path().await, "/privacy/erasure?done=cancelled");
    assert!(b.main_text().await.contains(T.erasure_cancelled_done));
    assert!(!b.has_text("h2", T.erasure_pending_title).await);

    // Asked again and carried out after the grace period: the session ends.
    b.type_into("#password", "mat-khau-rat-dai-1").await;
    b.press(T.erasure_button).await;
    assert!(b.has_text("h2", T.erasure_pending_title).await);
    app.state.clock.advance(TimeDelta::days(8));
    let run = app
        .post("/api/v1/admin/erasures/run")
        .token(&admin_token)
        .expect(200)
        .await;
    assert_eq!(run["erased"], 1);
    b.open("/privacy/erasure").await;
    assert!(b.path().await.starts_with("/login"), "{}", b.path().await);
    b.close().await;
    audit.assert_clean();
    let res = app
        .post("/api/v1/auth/login")
        .json(&serde_json::json!({"login": "lan@example.vn", "password": "mat-khau-rat-dai-1"}))
        .await;
    assert_eq!(res.status(), 401);
}
