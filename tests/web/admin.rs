//! The platform admin's pages (issue 20), in Chromium: a global admin finds a user (by name and
//! by phone), opens them, grants the facilitator role for a village (a wrong locality code comes
//! back beside its field), withdraws it, disables the account (without the confirmation box the
//! form says so; disabled, the person cannot log in through the login page), enables it again,
//! and revokes the person's certificate with a reason (an empty reason comes back beside the
//! field and nothing is revoked; the public verification page then says revoked, and why). A
//! form posted without this browser's CSRF token changes nothing. An admin of a province, whom
//! the API refuses (403), gets the 404 page on every admin page, a learner too, and a visitor is
//! sent to log in. Every page is checked with axe-core and photographed at 360×800 and 1366×768
//! (`target/web-screenshots/admin-*.png`).

use serde_json::{json, Value};

use crate::accessibility::Audit;
use crate::browser::Browser;
use crate::helpers::{event, learner, login, progress, register, simple_course, Backend, TestApp};
use crate::login_card::village_team;
use crate::staff::{check, log_in};
use crate::T;

crate::both_backends!(admin_manages_users_and_certificates);

const HOA_PHONE: &str = "0912000111";
const HOA_PASSWORD: &str = "hoa-hoc-so-2026";

/// A learner who finished a course: (user id, certificate serial).
async fn certified(app: &TestApp) -> (String, String) {
    simple_course(app, "cc").await;
    let res = register(
        app,
        json!({"display_name": "Nguyễn Thị Hoa", "phone": HOA_PHONE, "email": "hoa@example.vn",
            "password": HOA_PASSWORD}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let t = login(app, "hoa@example.vn", HOA_PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    progress(app, &t, "cc", "a", &event("completed", 30)).await;
    let p: Value = progress(app, &t, "cc", "b", &event("completed", 30))
        .await
        .json()
        .await
        .unwrap();
    let serial = p["certificates_issued"][0]["serial"]
        .as_str()
        .unwrap()
        .to_string();
    (id, serial)
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

/// The user as the API shows them to the admin.
async fn api_user(app: &TestApp, admin: &str, id: &str) -> Value {
    app.get(&format!("/api/v1/admin/users/{id}"))
        .token(admin)
        .expect(200)
        .await
}

/// The names linked in the first column of the table `css`.
async fn first_column(b: &Browser, css: &str) -> Vec<String> {
    let v = b
        .js(
            "return [...document.querySelectorAll(arguments[0] + ' tbody th a')]
                 .map(c => c.textContent.trim())",
            vec![json!(css)],
        )
        .await;
    serde_json::from_value(v).unwrap()
}

/// Posts a form of this page with a token that is not this browser's; the answer's status.
async fn post_without_token(b: &Browser, action: &str, fields: Value) -> u64 {
    b.js(
        "const [action, fields] = arguments, body = new URLSearchParams(fields);
         body.set('csrf', 'not-the-token');
         return fetch(action, {method: 'POST', body}).then(r => r.status);",
        vec![json!(action), fields],
    )
    .await
    .as_u64()
    .unwrap()
}

async fn admin_manages_users_and_certificates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (village, _facilitator) = village_team(&app).await;
    let admin = login(&app, "admin@hocso.test", "quan-tri-mat-khau-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (hoa, serial) = certified(&app).await;
    // An admin of the province (a locality grant, not the platform).
    let (area_id, _) = learner(&app, "tinh@example.vn").await;
    app.post(&format!("/api/v1/admin/users/{area_id}/roles"))
        .token(&admin)
        .json(&json!({"role": "admin", "locality_code": "PT"}))
        .expect(200)
        .await;
    let area = login(&app, "tinh@example.vn", "mat-khau-rat-dai-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut audit = Audit::on();

    // A visitor is sent to log in, and comes back.
    let b = Browser::start(&app.address).await;
    b.open("/admin/users").await;
    assert!(
        b.path().await.starts_with("/login?next=%2Fadmin%2Fusers"),
        "{}",
        b.path().await
    );
    log_in(&b, "admin@hocso.test", "quan-tri-mat-khau-1").await;
    // The officer's pages link these for a platform admin.
    b.open("/officer").await;
    assert!(
        b.has("nav a[href='/admin/users']").await,
        "{}",
        b.main_text().await
    );
    b.open("/admin").await;
    assert_eq!(b.path().await, "/admin/users");
    assert_eq!(b.text("h1").await, T.admin_users_title);
    check(&b, &mut audit, "admin-users").await;
    let everyone = first_column(&b, "table.admin-users").await;
    assert!(
        everyone.contains(&"Nguyễn Thị Hoa".to_string()),
        "{everyone:?}"
    );

    // Search by name (any case), then by phone as people write it.
    b.type_into("#q", "thị hoa").await;
    b.press(T.staff_search_button).await;
    assert_eq!(
        first_column(&b, "table.admin-users").await,
        vec!["Nguyễn Thị Hoa"]
    );
    b.open("/admin/users?q=0912+000+111").await;
    assert_eq!(
        first_column(&b, "table.admin-users").await,
        vec!["Nguyễn Thị Hoa"]
    );
    b.open("/admin/users?q=khong-ai-ten-nay").await;
    assert!(b.main_text().await.contains(T.admin_no_users));
    // A cursor this server never gave: the first page, said beside the search.
    b.open("/admin/users?cursor=xyz").await;
    assert_eq!(b.text("#q-error").await, T.admin_bad_cursor);
    // Paging with the API's cursor: 20 a page, the search kept.
    let hasher = app.state.hasher.clone();
    app.db(move |conn| {
        for i in 0..21 {
            let username = format!("nguoi.thu.{i:02}");
            hocso::accounts::create_account(
                conn,
                &hasher,
                hocso::accounts::NewAccount {
                    display_name: &format!("Người thứ {i:02}"),
                    email: None,
                    phone: None,
                    username: Some(&username),
                    password: "mat-khau-rat-dai-1",
                    language: "vi",
                },
            )
            .unwrap();
        }
    })
    .await;
    b.open("/admin/users?q=nguoi.thu").await;
    let first = first_column(&b, "table.admin-users").await;
    assert_eq!(first.len(), 20, "{first:?}");
    b.press(T.admin_next_page).await;
    assert!(b.path().await.contains("q=nguoi.thu"), "{}", b.path().await);
    let second = first_column(&b, "table.admin-users").await;
    assert_eq!(second.len(), 1, "{second:?}");
    assert!(!first.contains(&second[0]), "{second:?} again");
    assert!(!b.has_text("a", T.admin_next_page).await);
    b.press(T.admin_first_page).await;
    assert_eq!(first_column(&b, "table.admin-users").await, first);

    b.open("/admin/users?q=hoa").await;
    b.press("Nguyễn Thị Hoa").await;
    let user_path = format!("/admin/users/{hoa}");
    assert_eq!(b.path().await, user_path);
    assert_eq!(b.text("h1").await, "Nguyễn Thị Hoa");
    assert!(b.main_text().await.contains(T.admin_no_roles));
    check(&b, &mut audit, "admin-user").await;

    // Grant: a code no locality has comes back beside its field, with what was typed.
    choose(&b, "#role", T.admin_role_facilitator).await;
    b.type_into("#locality_code", "KHONG-CO").await;
    b.press(T.admin_grant_button).await;
    assert_eq!(b.text("#locality_code-error").await, T.admin_err_locality);
    assert_eq!(
        b.js(
            "return document.querySelector('#locality_code').value",
            vec![]
        )
        .await,
        json!("KHONG-CO")
    );
    audit.page(&b, "admin-user-errors").await;
    assert!(api_user(&app, &admin, &hoa).await["roles"]
        .as_array()
        .unwrap()
        .is_empty());
    // No role chosen: said beside the select.
    b.open(&user_path).await;
    b.press(T.admin_grant_button).await;
    assert_eq!(b.text("#role-error").await, T.err_required);
    // Facilitator for the village.
    b.open(&user_path).await;
    choose(&b, "#role", T.admin_role_facilitator).await;
    b.type_into("#locality_code", "AN-1").await;
    b.press(T.admin_grant_button).await;
    assert_eq!(b.path().await, format!("{user_path}?done=granted"));
    assert_eq!(b.text("p.flash").await, T.admin_granted);
    let roles = b.main_text().await;
    assert!(roles.contains("Thôn Một (AN-1)"), "{roles}");
    assert_eq!(
        api_user(&app, &admin, &hoa).await["roles"],
        json!([{"role": "facilitator", "locality": village}])
    );
    check(&b, &mut audit, "admin-user-granted").await;

    // Withdrawn.
    b.press(T.admin_revoke_role).await;
    assert_eq!(b.text("p.flash").await, T.admin_role_revoked);
    assert!(api_user(&app, &admin, &hoa).await["roles"]
        .as_array()
        .unwrap()
        .is_empty());

    // Without this browser's token nothing changes.
    let status = post_without_token(
        &b,
        &format!("{user_path}/disable"),
        json!({"confirm": "yes"}),
    )
    .await;
    assert_eq!(status, 403);
    let status =
        post_without_token(&b, &format!("{user_path}/grant"), json!({"role": "admin"})).await;
    assert_eq!(status, 403);
    let status = post_without_token(
        &b,
        &format!("/admin/certificates/{serial}/revoke"),
        json!({"reason": "Giả mạo"}),
    )
    .await;
    assert_eq!(status, 403);
    let u = api_user(&app, &admin, &hoa).await;
    assert_eq!(
        (u["disabled"].clone(), u["roles"].clone()),
        (json!(false), json!([]))
    );
    let cert: Value = app
        .get(&format!("/api/v1/certificates/{serial}"))
        .value()
        .await;
    assert_eq!(cert["status"], "valid");

    // Disable: without the confirmation box, said beside it; with it, done.
    b.open(&user_path).await;
    b.press(T.admin_disable_button).await;
    assert_eq!(b.text("#confirm-error").await, T.admin_err_confirm);
    assert_eq!(api_user(&app, &admin, &hoa).await["disabled"], false);
    b.find("#confirm").await.click().await.unwrap();
    b.press(T.admin_disable_button).await;
    assert_eq!(b.text("p.flash").await, T.admin_disabled_done);
    assert!(b
        .text("#account-status")
        .await
        .contains(T.admin_status_disabled));
    assert_eq!(api_user(&app, &admin, &hoa).await["disabled"], true);
    check(&b, &mut audit, "admin-user-disabled").await;
    // The person cannot log in through the login page.
    let other = Browser::start(&app.address).await;
    assert_eq!(log_in(&other, HOA_PHONE, HOA_PASSWORD).await, "/login");
    // Enabled again: they can.
    b.press(T.admin_enable_button).await;
    assert_eq!(b.text("p.flash").await, T.admin_enabled_done);
    assert_eq!(api_user(&app, &admin, &hoa).await["disabled"], false);
    assert_eq!(log_in(&other, HOA_PHONE, HOA_PASSWORD).await, "/");
    // A learner: every admin page is the 404 page.
    for path in [
        "/admin/users".to_string(),
        user_path.clone(),
        "/admin/certificates".to_string(),
        format!("/admin/certificates/{serial}"),
    ] {
        other.open(&path).await;
        assert_eq!(other.text("h1").await, T.not_found_title, "{path}");
    }
    other.close().await;

    // The certificate, from the user's page.
    b.open(&user_path).await;
    b.press(&serial).await;
    assert_eq!(b.path().await, format!("/admin/certificates/{serial}"));
    assert_eq!(b.text("#cert-status").await, T.admin_cert_valid);
    check(&b, &mut audit, "admin-certificate").await;
    // An empty reason: said beside the field, nothing revoked.
    b.type_into("#reason", "   ").await;
    b.press(T.admin_revoke_button).await;
    assert_eq!(b.text("#reason-error").await, T.err_required);
    assert_eq!(
        b.js(
            "return document.querySelector('#reason').getAttribute('aria-describedby')",
            vec![]
        )
        .await,
        json!("reason-hint reason-error")
    );
    audit.page(&b, "admin-certificate-errors").await;
    let cert: Value = app
        .get(&format!("/api/v1/certificates/{serial}"))
        .value()
        .await;
    assert_eq!(cert["status"], "valid");
    // Revoked with a reason.
    b.type_into("#reason", "Cấp nhầm người").await;
    b.press(T.admin_revoke_button).await;
    assert_eq!(b.text("p.flash").await, T.admin_cert_revoked_done);
    assert!(b.text("#cert-status").await.contains(T.admin_cert_revoked));
    assert_eq!(b.text("#cert-reason").await, "Cấp nhầm người");
    check(&b, &mut audit, "admin-certificate-revoked").await;
    let cert: Value = app
        .get(&format!("/api/v1/certificates/{serial}"))
        .value()
        .await;
    assert_eq!(
        (cert["status"].clone(), cert["revoked_reason"].clone()),
        (json!("revoked"), json!("Cấp nhầm người"))
    );
    // The public verification page says so.
    b.press(T.admin_verify_link).await;
    let page = b.main_text().await;
    assert!(
        page.contains("đã bị thu hồi") && page.contains("Cấp nhầm người"),
        "{page}"
    );

    // Found by its serial as a person types it; an unknown one is said beside the field.
    b.open("/admin/certificates").await;
    check(&b, &mut audit, "admin-certificates").await;
    let typed = format!("{}-{}", &serial[..5], &serial[5..]).to_lowercase();
    b.type_into("#serial", &typed).await;
    b.press(T.admin_find_button).await;
    assert_eq!(b.path().await, format!("/admin/certificates/{serial}"));
    b.open("/admin/certificates?serial=ZZZZZZZZZZZ").await;
    assert_eq!(b.text("#serial-error").await, T.admin_no_certificate);
    b.close().await;

    // An admin of a province: the API refuses them these use cases (403), so every page is
    // the 404 page and shows nothing of the person.
    app.get(&format!("/api/v1/admin/users/{hoa}"))
        .token(&area)
        .expect(403)
        .await;
    app.get("/api/v1/admin/users")
        .token(&area)
        .expect(403)
        .await;
    let b = Browser::start(&app.address).await;
    log_in(&b, "tinh@example.vn", "mat-khau-rat-dai-1").await;
    b.open("/officer").await;
    assert!(!b.has("a[href='/admin/users']").await);
    for path in [
        "/admin/users".to_string(),
        "/admin/users?q=hoa".to_string(),
        user_path.clone(),
        format!("/admin/certificates/{serial}"),
    ] {
        b.open(&path).await;
        assert_eq!(b.text("h1").await, T.not_found_title, "{path}");
        assert!(!b.main_text().await.contains("Hoa"), "{path}");
    }
    audit.page(&b, "admin-refused").await;
    b.close().await;
    audit.assert_clean();
}
