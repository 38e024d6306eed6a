//! A person's records of access and own data on the privacy page (issue 21, items 7 and 3), in
//! Chromium: a facilitator opens a resident's page; the resident, signed in, sees on /privacy who
//! looked (name and role), at what and when; another learner sees nobody. A learner asks for their
//! data ("Tải dữ liệu của tôi") and gets the readable page and the JSON file; another learner
//! following the same link gets the 404 page. Checked with axe-core and photographed
//! (`target/web-screenshots/privacy-reads*.png`, `privacy-export*.png`).

use serde_json::{json, Value};

use crate::accessibility::Audit;
use crate::both_backends;
use crate::browser::Browser;
use crate::helpers::{learner, Backend, TestApp};
use crate::login_card::village_team;
use crate::staff::{check, log_in};
use crate::T;

both_backends!(the_resident_sees_who_looked, a_learner_downloads_their_data);

async fn the_resident_sees_who_looked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (village, facilitator) = village_team(&app).await;
    let registered = app
        .post("/api/v1/facilitator/residents")
        .token(&facilitator)
        .json(
            &json!({"village_id": village, "display_name": "Bà Tư", "username": "ba.tu",
            "password": "482915", "consent_way": "paper"}),
        )
        .expect(201)
        .await;
    let rid = registered["user"]["id"].as_str().unwrap().to_string();
    app.patch("/api/v1/me")
        .token(&facilitator)
        .json(&json!({"display_name": "Anh Minh Tổ CNS"}))
        .expect(200)
        .await;
    learner(&app, "khac@example.vn").await;
    let mut audit = Audit::on();

    // The resident, before anyone looked: nobody.
    let b = Browser::start(&app.address).await;
    assert_eq!(log_in(&b, "ba.tu", "482915").await, "/");
    b.open("/privacy").await;
    assert!(b.has_text("h2", T.reads_title).await);
    assert!(b.main_text().await.contains(T.reads_none));
    b.close().await;

    // The facilitator opens the resident's page.
    let b = Browser::start(&app.address).await;
    log_in(&b, "to.cns@example.vn", "mat-khau-rat-dai-1").await;
    b.open(&format!("/staff/residents/{rid}")).await;
    assert!(b.main_text().await.contains("Bà Tư"));
    b.close().await;

    // The resident sees who looked, as what, and at what.
    let b = Browser::start(&app.address).await;
    log_in(&b, "ba.tu", "482915").await;
    b.open("/privacy").await;
    let text = b.main_text().await;
    assert!(!text.contains(T.reads_none), "{text}");
    assert!(text.contains("Anh Minh Tổ CNS"), "{text}");
    assert!(text.contains(T.reader_facilitator), "{text}");
    assert!(text.contains(T.read_profile), "{text}");
    assert!(text.contains(T.read_progress), "{text}");
    assert!(
        !text.contains("to.cns@example.vn"),
        "no contact data: {text}"
    );
    check(&b, &mut audit, "privacy-reads").await;
    b.close().await;

    // Another learner sees nobody.
    let b = Browser::start(&app.address).await;
    log_in(&b, "khac@example.vn", "mat-khau-rat-dai-1").await;
    b.open("/privacy").await;
    let text = b.main_text().await;
    assert!(text.contains(T.reads_none), "{text}");
    assert!(!text.contains("Anh Minh Tổ CNS"), "{text}");
    b.close().await;
    audit.assert_clean();
}

/// The body of `href` fetched by the page (with its cookies), and its status.
async fn fetch(b: &Browser, href: &str) -> (u64, String) {
    let v = b
        .js(
            "return fetch(arguments[0]).then(async r => [r.status, await r.text()]);",
            vec![json!(href)],
        )
        .await;
    (v[0].as_u64().unwrap(), v[1].as_str().unwrap().to_string())
}

async fn a_learner_downloads_their_data(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    learner(&app, "lan@example.vn").await;
    learner(&app, "khac@example.vn").await;
    let mut audit = Audit::on();

    let b = Browser::start(&app.address).await;
    log_in(&b, "lan@example.vn", "mat-khau-rat-dai-1").await;
    b.open("/privacy").await;
    assert!(b.has_text("h2", T.export_title).await);
    check(&b, &mut audit, "privacy-export").await;
    b.press(T.export_button).await;
    assert!(b.path().await.starts_with("/privacy?done=export"));
    let text = b.main_text().await;
    assert!(text.contains(T.export_asked_done), "{text}");
    assert!(text.contains(T.export_ready), "{text}");
    let html_link = b.by_text("a", T.export_html).await;
    let href = html_link.attr("href").await.unwrap().unwrap();
    let json_href = b
        .by_text("a", T.export_json)
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    check(&b, &mut audit, "privacy-export-ready").await;
    let (status, page) = fetch(&b, &href).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("lan@example.vn") && page.contains("Tài khoản"),
        "{page}"
    );
    let (status, file) = fetch(&b, &json_href).await;
    assert_eq!(status, 200);
    let d: Value = serde_json::from_str(&file).unwrap();
    assert_eq!(d["account"]["email"], "lan@example.vn");
    assert!(!file.contains("khac@example.vn"));
    b.close().await;

    // Someone else following the link: the 404 page.
    let b = Browser::start(&app.address).await;
    log_in(&b, "khac@example.vn", "mat-khau-rat-dai-1").await;
    b.open("/privacy").await;
    let (status, page) = fetch(&b, &json_href).await;
    assert_eq!(status, 404);
    assert!(!page.contains("lan@example.vn"));
    b.open(&href).await;
    assert!(b.main_text().await.contains(T.not_found_title));
    b.close().await;
    audit.assert_clean();
}
