//! Restriction and objection in Chromium (issue 21, item 6): on the privacy page a learner
//! unticks optional mail and their name in the team's lists, saves, and finds the boxes as they
//! left them; stored as the API reads them. Checked with axe-core and photographed
//! (`target/web-screenshots/privacy-choices*.png`, 360 px and 1366 px).

use serde_json::Value;

use crate::accessibility::Audit;
use crate::both_backends;
use crate::browser::Browser;
use crate::helpers::{learner, Backend, TestApp};
use crate::staff::{check, log_in};
use crate::T;

both_backends!(a_learner_refuses_optional_processing_on_the_privacy_page);

async fn checked(b: &Browser, id: &str) -> bool {
    b.js(
        &format!("return document.getElementById('{id}').checked"),
        vec![],
    )
    .await
        == Value::Bool(true)
}

async fn a_learner_refuses_optional_processing_on_the_privacy_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = learner(&app, "lan@example.vn").await;
    let mut audit = Audit::on();
    let b = Browser::start(&app.address).await;
    assert_eq!(
        log_in(&b, "lan@example.vn", "mat-khau-rat-dai-1").await,
        "/"
    );
    b.open("/privacy#choices").await;
    assert!(b.has_text("h2", T.choices_title).await);
    // Both yes until the person says otherwise.
    assert!(checked(&b, "optional_mail").await);
    assert!(checked(&b, "name_in_lists").await);
    check(&b, &mut audit, "privacy-choices").await;

    // Untick both (by their labels, as a finger would) and save.
    b.by_text("label", T.choices_mail_label)
        .await
        .click()
        .await
        .unwrap();
    b.by_text("label", T.choices_name_label)
        .await
        .click()
        .await
        .unwrap();
    b.press(T.choices_save_button).await;
    assert!(
        b.path().await.starts_with("/privacy?done=choices"),
        "{}",
        b.path().await
    );
    assert!(b.main_text().await.contains(T.choices_saved_done));
    assert!(!checked(&b, "optional_mail").await);
    assert!(!checked(&b, "name_in_lists").await);
    assert!(b.main_text().await.contains(T.choices_changed_at));
    check(&b, &mut audit, "privacy-choices-saved").await;

    // One back on: only that one changes.
    b.by_text("label", T.choices_mail_label)
        .await
        .click()
        .await
        .unwrap();
    b.press(T.choices_save_button).await;
    assert!(checked(&b, "optional_mail").await);
    assert!(!checked(&b, "name_in_lists").await);
    b.close().await;
    audit.assert_clean();

    let mine: Value = app
        .get("/api/v1/me/privacy/choices")
        .token(&token)
        .value()
        .await;
    assert_eq!(mine["optional_mail"], true, "{mine}");
    assert_eq!(mine["name_in_lists"], false, "{mine}");
}
