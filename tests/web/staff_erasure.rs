//! The staff resident page's erasure form and a resident's withheld name, in Chromium (issue 21,
//! items 5 and 6): the residents list shows a resident who keeps their name out of lists by
//! their initials, their own page by name; on that page the facilitator records the resident's
//! written request to erase their data (refused without the reason, the reference and the
//! confirmation, each beside its field), sees the day it will be done, and cancels it. Checked
//! with axe-core and photographed (`target/web-screenshots/staff-erasure*.png`).

use serde_json::{json, Value};

use crate::accessibility::Audit;
use crate::both_backends;
use crate::browser::Browser;
use crate::helpers::{login, Backend, TestApp};
use crate::login_card::village_team;
use crate::staff::{check, log_in};
use crate::T;

both_backends!(a_facilitator_records_and_cancels_an_erasure_request);

async fn a_facilitator_records_and_cancels_an_erasure_request(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (village, facilitator) = village_team(&app).await;
    let mut ids = Vec::new();
    for (name, username) in [("Nguyễn Văn An", "nv.an"), ("Trần Thị Bình", "tt.binh")] {
        let r = app
            .post("/api/v1/facilitator/residents")
            .token(&facilitator)
            .json(
                &json!({"village_id": village, "display_name": name, "username": username,
                "password": "482915", "consent_way": "paper"}),
            )
            .expect(201)
            .await;
        ids.push(r["user"]["id"].as_str().unwrap().to_string());
    }
    let an = login(&app, "nv.an", "482915").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let _: Value = app
        .put("/api/v1/me/privacy/choices")
        .token(&an)
        .json(&json!({"optional_mail": true, "name_in_lists": false}))
        .value()
        .await;

    let mut audit = Audit::on();
    let b = Browser::start(&app.address).await;
    assert_eq!(
        log_in(&b, "to.cns@example.vn", "mat-khau-rat-dai-1").await,
        "/"
    );
    // The list: initials for An, the name for Bình.
    b.open("/staff/residents").await;
    let list = b.main_text().await;
    assert!(list.contains("N. V. A. · #"), "{list}");
    assert!(!list.contains("Nguyễn Văn An"), "{list}");
    assert!(list.contains("Trần Thị Bình"), "{list}");

    // An's own page, for the work: the name, and the erasure form.
    b.open(&format!("/staff/residents/{}", ids[0])).await;
    assert_eq!(b.text("h1").await, "Nguyễn Văn An");
    assert!(b.has_text("h2", T.staff_erasure_title).await);
    check(&b, &mut audit, "staff-erasure").await;

    // Nothing filled, nothing ticked: each error beside its field, nothing stored.
    b.press(T.staff_erasure_button).await;
    assert_eq!(b.text("#reason-error").await, T.err_required);
    assert_eq!(b.text("#document_ref-error").await, T.err_required);
    assert_eq!(
        b.text("#confirm-error").await,
        T.staff_erasure_confirm_required
    );
    check(&b, &mut audit, "staff-erasure-errors").await;
    // Filled but not confirmed: what was typed comes back.
    b.type_into("#reason", "Đơn nộp trực tiếp tại nhà văn hóa")
        .await;
    b.type_into("#document_ref", "Đơn số 12, 06/12/2026").await;
    b.press(T.staff_erasure_button).await;
    assert_eq!(
        b.text("#confirm-error").await,
        T.staff_erasure_confirm_required
    );
    assert_eq!(
        b.js(
            "return document.querySelector('#document_ref').value",
            vec![]
        )
        .await,
        json!("Đơn số 12, 06/12/2026")
    );
    let status: Value = app
        .get(&format!("/api/v1/facilitator/residents/{}/erasure", ids[0]))
        .token(&facilitator)
        .value()
        .await;
    assert_eq!(status["pending"], Value::Null, "{status}");

    // Confirmed: asked, the day shown, and a way back.
    b.by_text("label", T.staff_erasure_confirm)
        .await
        .click()
        .await
        .unwrap();
    b.press(T.staff_erasure_button).await;
    assert!(
        b.path().await.ends_with("?done=erasure"),
        "{}",
        b.path().await
    );
    let text = b.main_text().await;
    assert!(text.contains(T.staff_erasure_asked), "{text}");
    assert!(text.contains(T.staff_erasure_pending), "{text}");
    assert!(text.contains("Đơn số 12, 06/12/2026"), "{text}");
    check(&b, &mut audit, "staff-erasure-pending").await;
    let status: Value = app
        .get(&format!("/api/v1/facilitator/residents/{}/erasure", ids[0]))
        .token(&facilitator)
        .value()
        .await;
    assert_eq!(status["pending"]["requested_by"], "staff", "{status}");
    assert_eq!(status["pending"]["document_ref"], "Đơn số 12, 06/12/2026");

    b.press(T.staff_erasure_cancel_button).await;
    assert!(
        b.path().await.ends_with("?done=erasure_cancelled"),
        "{}",
        b.path().await
    );
    assert!(b.main_text().await.contains(T.staff_erasure_cancelled));
    assert!(b.has("#reason").await, "the form again");
    b.close().await;
    audit.assert_clean();
    let status: Value = app
        .get(&format!("/api/v1/facilitator/residents/{}/erasure", ids[0]))
        .token(&facilitator)
        .value()
        .await;
    assert_eq!(status["pending"], Value::Null, "{status}");
}
