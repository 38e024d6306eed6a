//! The privacy notice and consent in Chromium (issue 21): the notice page is public and linked
//! from every page; a learner sees their consent on it and withdraws it; at the next login the
//! notice is asked first, and accepting goes on to where the login was going. Checked with
//! axe-core and photographed (`target/web-screenshots/privacy*.png`).

use serde_json::Value;

use crate::accessibility::Audit;
use crate::both_backends;
use crate::browser::Browser;
use crate::helpers::{learner, login, Backend, TestApp};
use crate::staff::{check, log_in};
use crate::T;

both_backends!(consent_is_seen_withdrawn_and_asked_again);

async fn consent_is_seen_withdrawn_and_asked_again(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.privacy_controller_name = "UBND xã An Nghĩa".into();
    })
    .await;
    learner(&app, "lan@example.vn").await;
    let mut audit = Audit::on();
    let b = Browser::start(&app.address).await;

    // Public, linked from the footer of every page.
    b.open("/").await;
    b.click_to_next_page(b.by_text("a", T.privacy_title).await)
        .await;
    assert_eq!(b.path().await, "/privacy");
    assert_eq!(b.text("h1").await, T.privacy_title);
    assert!(b.main_text().await.contains("UBND xã An Nghĩa"));
    check(&b, &mut audit, "privacy").await;

    // Signed in: the consent given at registration, withdrawn.
    assert_eq!(
        log_in(&b, "lan@example.vn", "mat-khau-rat-dai-1").await,
        "/"
    );
    b.open("/privacy").await;
    assert!(b.has_text("h2", T.consents_title).await);
    assert!(b.main_text().await.contains(T.consent_way_online));
    check(&b, &mut audit, "privacy-consents").await;
    b.press(T.consent_withdraw_button).await;
    assert_eq!(b.path().await, "/privacy?done=withdrawn");
    assert!(b.main_text().await.contains(T.consent_withdrawn_done));
    assert!(b.main_text().await.contains(T.consent_withdrawn_on));

    // The next login asks first, then goes on.
    b.press(T.nav_profile).await;
    b.press(T.logout_button).await;
    b.open("/login?next=/courses").await;
    b.type_into("#login", "lan@example.vn").await;
    b.type_into("#password", "mat-khau-rat-dai-1").await;
    b.press(T.login_button).await;
    assert!(
        b.path().await.starts_with("/privacy?next="),
        "{}",
        b.path().await
    );
    assert!(b.main_text().await.contains(T.consent_ask));
    check(&b, &mut audit, "privacy-ask").await;
    b.press(T.consent_accept_button).await;
    assert_eq!(b.path().await, "/courses");
    b.close().await;
    audit.assert_clean();

    // Stored: the withdrawn consent and the new one.
    let token = login(&app, "lan@example.vn", "mat-khau-rat-dai-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let mine: Value = app.get("/api/v1/me/consents").token(&token).value().await;
    assert_eq!(mine["to_accept"], false, "{mine}");
    let list = mine["consents"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{mine}");
    assert!(list[0]["withdrawn_at"].is_null());
    assert!(list[1]["withdrawn_at"].is_string());
}
