//! A resident with a login card: the village's digital team registers them through the API
//! (username and PIN on the card), they log in on /login; later the team gives a reset code and
//! they set a new PIN on /reset, then log in with it.

use serde_json::{json, Value};

use crate::both_backends;
use crate::browser::Browser;
use crate::helpers::{admin, create_locality, learner, login, Backend, TestApp};
use crate::T;

both_backends!(resident_logs_in_with_card_and_reset_code);

/// A village with a digital team of one facilitator; returns (village id, facilitator token).
pub async fn village_team(app: &TestApp) -> (String, String) {
    let (_, admin) = admin(app).await;
    let province = create_locality(
        app,
        &admin,
        json!({"kind": "province", "name": "Phú Thọ", "code": "PT"}),
    )
    .await;
    let commune = create_locality(
        app,
        &admin,
        json!({"parent_id": province, "kind": "commune", "name": "An Nghĩa", "code": "AN"}),
    )
    .await;
    let village = create_locality(
        app,
        &admin,
        json!({"parent_id": commune, "kind": "village", "name": "Thôn Một", "code": "AN-1"}),
    )
    .await;
    let (fid, _) = learner(app, "to.cns@example.vn").await;
    let team = app
        .post("/api/v1/admin/teams")
        .token(&admin)
        .json(&json!({"village_id": village, "name": "Tổ công nghệ số"}))
        .expect(201)
        .await;
    let res = app
        .post(&format!(
            "/api/v1/admin/teams/{}/members",
            team["id"].as_str().unwrap()
        ))
        .token(&admin)
        .json(&json!({"user_id": fid}))
        .await;
    assert_eq!(res.status(), 200);
    let token = login(app, "to.cns@example.vn", "mat-khau-rat-dai-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    (village, token)
}

/// Logs in on /login with the words typed; the path the browser lands on.
async fn log_in(b: &Browser, login: &str, secret: &str) -> String {
    b.open("/login").await;
    b.type_into("#login", login).await;
    b.type_into("#password", secret).await;
    b.press(T.login_button).await;
    b.path().await
}

async fn resident_logs_in_with_card_and_reset_code(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (village, facilitator) = village_team(&app).await;
    let res = app
        .post("/api/v1/facilitator/residents")
        .token(&facilitator)
        .json(
            &json!({"consent_way": "paper", "village_id": village, "display_name": "Bà Tư", "username": "ba.tu",
            "password": "482915", "birth_year": 1958}),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let body: Value = res.json().await.unwrap();
    let id = body["user"]["id"].as_str().unwrap().to_string();
    let card = body["login_card"].as_str().unwrap();
    assert!(card.contains("ba.tu") && card.contains("482915"), "{card}");

    let b = Browser::start(&app.address).await;
    // A wrong PIN: told so, on the login page, nothing else.
    assert_eq!(log_in(&b, "ba.tu", "999999").await, "/login");
    assert_eq!(b.text("#login-error").await, T.login_failed);
    // The card's username and PIN: the resident's home page.
    assert_eq!(log_in(&b, "ba.tu", "482915").await, "/");
    let hello = b.text("h1").await;
    assert_eq!(hello, format!("{}, Bà Tư", T.hello));

    // The team gives a reset code; the resident sets a new PIN with it.
    let code = app
        .post(&format!(
            "/api/v1/facilitator/residents/{id}/password-reset"
        ))
        .token(&facilitator)
        .expect(201)
        .await["code"]
        .as_str()
        .unwrap()
        .to_string();
    b.open("/reset").await;
    b.type_into("#code", &code).await;
    b.type_into("#new_password", "730516").await;
    b.press(T.reset_button).await;
    assert_eq!(
        b.path().await,
        "/login?reset=1",
        "the new PIN was refused: {}",
        b.main_text().await
    );
    assert_eq!(b.text("p.flash").await, T.reset_done);
    // The browser's session ended with the reset.
    b.open("/profile").await;
    assert!(
        b.path().await.starts_with("/login?next="),
        "{}",
        b.path().await
    );
    // The code is used up.
    b.open("/reset").await;
    b.type_into("#code", &code).await;
    b.type_into("#new_password", "604173").await;
    b.press(T.reset_button).await;
    assert_eq!(b.path().await, "/reset");
    assert!(b.has("#code-error").await, "{}", b.main_text().await);
    // The old PIN no longer opens the account; the new one does.
    assert_eq!(log_in(&b, "ba.tu", "482915").await, "/login");
    assert_eq!(log_in(&b, "ba.tu", "730516").await, "/");
    assert_eq!(b.text("h1").await, format!("{}, Bà Tư", T.hello));
    b.close().await;
}
