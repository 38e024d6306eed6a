use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use diesel::prelude::*;
use hocso::db::schema::{mail_outbox, rate_limits, refresh_tokens, sessions, users};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

both_backends!(
    register_with_email_or_phone,
    bad_registration_input,
    request_body_errors,
    login_does_not_reveal_who_exists,
    refresh_rotates_and_reuse_revokes_the_family,
    logout_and_logout_all,
    forged_expired_and_disabled_tokens,
    learner_is_refused_on_admin_endpoints,
    admin_manages_users_and_roles,
    admin_reset_code_for_resident_without_email,
    verification_mail_arrives_in_the_users_language,
    password_reset_by_mail_ends_every_session,
    mail_waits_while_smtp_is_down_and_is_delivered_once,
    rate_limit_on_login,
    rate_limits_hold_across_instances,
    profile_and_password_change,
    outdated_hash_is_upgraded_at_login,
    secrets_never_reach_the_logs,
    cli_creates_an_admin,
);

async fn register_with_email_or_phone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = register(&app, json!({"display_name": "Chị Lan", "email": "Lan@Example.VN", "password": "lua-thom-mua-vu-2026"})).await;
    assert_eq!(res.status(), 201);
    let user: Value = res.json().await.unwrap();
    assert_eq!(user["email"], "lan@example.vn");
    assert_eq!(user["email_verified"], false);
    assert_eq!(user["language"], "vi");
    assert!(user.get("password_hash").is_none());

    let res = register(&app, json!({"display_name": "Bác Ba", "phone": "0912 345 678", "password": "che-tan-cuong-ngon", "language": "en"})).await;
    assert_eq!(res.status(), 201);
    let user: Value = res.json().await.unwrap();
    assert_eq!(user["phone"], "+84912345678");
    assert_eq!(user["language"], "en");

    // Stored: normalised phone and an argon2id PHC hash, never the password.
    let (phone, hash) = app
        .db(|c| {
            users::table
                .filter(users::phone.eq("+84912345678"))
                .select((users::phone, users::password_hash))
                .first::<(Option<String>, String)>(c)
                .unwrap()
        })
        .await;
    assert_eq!(phone.as_deref(), Some("+84912345678"));
    assert!(hash.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{hash}");

    // Log in with phone in another spelling, and with e-mail.
    let tokens = login(&app, "+84 912-345-678", "che-tan-cuong-ngon").await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    assert!(tokens["refresh_token"].as_str().unwrap().len() >= 43);
    let me: Value = app
        .get("/api/v1/me")
        .token(tokens["access_token"].as_str().unwrap())
        .value()
        .await;
    assert_eq!(me["display_name"], "Bác Ba");
    // The access token carries sub, roles, iat, exp and jti.
    let payload = tokens["access_token"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap()
        .to_string();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    for claim in ["sub", "roles", "iat", "exp", "jti"] {
        assert!(claims.get(claim).is_some(), "claim {claim}");
    }
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        900
    );

    // Duplicates.
    let res = register(
        &app,
        json!({"display_name": "X", "email": "lan@example.vn", "password": "mot-mat-khau-khac"}),
    )
    .await;
    assert_problem(res, 409, "email_taken").await;
    let res = register(
        &app,
        json!({"display_name": "X", "phone": "+84912345678", "password": "mot-mat-khau-khac"}),
    )
    .await;
    assert_problem(res, 409, "phone_taken").await;
}

async fn bad_registration_input(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = register(
        &app,
        json!({"display_name": "A", "email": "a@b.vn", "password": "short"}),
    )
    .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "password");
    assert_eq!(body["errors"][0]["code"], "too_short");

    let res = register(
        &app,
        json!({"display_name": "A", "email": "a@b.vn", "password": "12345678"}),
    )
    .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["code"], "common_password");

    let res = register(&app, json!({"display_name": "", "phone": "12345", "email": "not-an-email", "password": "mat-khau-dai-du", "language": "fr"})).await;
    let body = assert_problem(res, 422, "validation_failed").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["display_name", "email", "phone", "language"] {
        assert!(fields.contains(&f), "{fields:?}");
    }

    let res = register(
        &app,
        json!({"display_name": "A", "password": "mat-khau-dai-du"}),
    )
    .await;
    assert_problem(res, 422, "validation_failed").await;

    let long = "x".repeat(300);
    let res = register(
        &app,
        json!({"display_name": long, "email": "a@b.vn", "password": "mat-khau-dai-du"}),
    )
    .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["code"], "too_long");

    // Nothing half-written.
    let n = app
        .db(|c| users::table.count().get_result::<i64>(c).unwrap())
        .await;
    assert_eq!(n, 0);
}

async fn request_body_errors(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.max_body_bytes = 2048).await;
    let res = app
        .post("/api/v1/auth/register")
        .header("content-type", "application/json")
        .body("{\"display_name\": \"A\",\n \"email\": }")
        .await;
    let body = assert_problem(res, 400, "malformed_json").await;
    assert!(
        body["detail"].as_str().unwrap().contains("line 2"),
        "{body}"
    );

    let res = app
        .post("/api/v1/auth/register")
        .header("content-type", "text/plain")
        .body("hello")
        .await;
    assert_problem(res, 415, "unsupported_media_type").await;

    let big =
        json!({"display_name": "x".repeat(5000), "email": "a@b.vn", "password": "mat-khau-dai-du"});
    let res = register(&app, big).await;
    assert_problem(res, 413, "payload_too_large").await;

    let res = register(
        &app,
        json!({"display_name": 5, "email": "a@b.vn", "password": "mat-khau-dai-du"}),
    )
    .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "display_name");

    let res = register(&app, json!({"display_name": "A", "email": "a@b.vn", "password": "mat-khau-dai-du", "role": "admin"})).await;
    assert_problem(res, 422, "validation_failed").await;
}

async fn login_does_not_reveal_who_exists(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    learner(&app, "co.mai@example.vn").await;
    let attempt = |login: &'static str| {
        let req = app
            .post("/api/v1/auth/login")
            .json(&json!({"login": login, "password": "sai-mat-khau-roi"}));
        async move {
            let res = req.await;
            let status = res.status().as_u16();
            let mut body: Value = res.json().await.unwrap();
            body.as_object_mut().unwrap().remove("request_id");
            (status, body)
        }
    };
    let known = attempt("co.mai@example.vn").await;
    let unknown = attempt("khong.co@example.vn").await;
    assert_eq!(known.0, 401);
    assert_eq!(known, unknown);
    assert_eq!(known.1["code"], "invalid_credentials");

    // Forgot answers the same too.
    let forgot = |login: &'static str| {
        let req = app
            .post("/api/v1/auth/password/forgot")
            .json(&json!({"login": login}));
        async move {
            let res = req.await;
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    assert_eq!(
        forgot("co.mai@example.vn").await,
        forgot("khong.co@example.vn").await
    );
}

async fn refresh_rotates_and_reuse_revokes_the_family(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    learner(&app, "anh.tu@example.vn").await;
    let first = login(&app, "anh.tu@example.vn", "mat-khau-rat-dai-1").await;
    let refresh = |token: Value| {
        let req = app
            .post("/api/v1/auth/refresh")
            .json(&json!({"refresh_token": token}));
        async move { req.await }
    };
    let res = refresh(first["refresh_token"].clone()).await;
    assert_eq!(res.status(), 200);
    let second: Value = res.json().await.unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"]);

    // Stored hashed, never in clear.
    let presented = second["refresh_token"].as_str().unwrap().to_string();
    let p = presented.clone();
    let clear = app
        .db(move |c| {
            refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(p))
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
        .await;
    assert_eq!(clear, 0);

    // Reusing the spent first token revokes the whole family, including the second token.
    let res = refresh(first["refresh_token"].clone()).await;
    assert_problem(res, 401, "refresh_token_reused").await;
    let res = refresh(second["refresh_token"].clone()).await;
    assert_problem(res, 401, "invalid_refresh_token").await;
    let res = app
        .get("/api/v1/me")
        .token(second["access_token"].as_str().unwrap())
        .await;
    assert_problem(res, 401, "invalid_token").await;

    let res = refresh(json!("made-up-token")).await;
    assert_problem(res, 401, "invalid_refresh_token").await;
}

async fn logout_and_logout_all(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    learner(&app, "chu.hai@example.vn").await;
    let a = login(&app, "chu.hai@example.vn", "mat-khau-rat-dai-1").await;
    let b = login(&app, "chu.hai@example.vn", "mat-khau-rat-dai-1").await;
    let c = login(&app, "chu.hai@example.vn", "mat-khau-rat-dai-1").await;
    let token = |t: &Value| t["access_token"].as_str().unwrap().to_string();

    let res = app.post("/api/v1/auth/logout").token(token(&a)).await;
    assert_eq!(res.status(), 204);
    assert_eq!(app.get("/api/v1/me").token(token(&a)).await.status(), 401);
    assert_eq!(app.get("/api/v1/me").token(token(&b)).await.status(), 200);
    let res = app
        .post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": a["refresh_token"]}))
        .await;
    assert_eq!(res.status(), 401);

    let res = app.post("/api/v1/auth/logout-all").token(token(&b)).await;
    assert_eq!(res.status(), 204);
    for t in [&b, &c] {
        assert_eq!(app.get("/api/v1/me").token(token(t)).await.status(), 401);
    }
    let open = app
        .db(|c| {
            sessions::table
                .filter(sessions::revoked_at.is_null())
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
        .await;
    assert_eq!(open, 0);
}

async fn forged_expired_and_disabled_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = learner(&app, "nguoi.dung@example.vn").await;
    let status = |t: String| {
        let req = app.get("/api/v1/me").token(t);
        async move { req.await }
    };
    assert_eq!(status(token.clone()).await.status(), 200);
    assert_problem(app.get("/api/v1/me").await, 401, "unauthenticated").await;

    let parts: Vec<&str> = token.split('.').collect();
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    assert_problem(
        status(format!("{none_header}.{}.", parts[1])).await,
        401,
        "invalid_token",
    )
    .await;
    assert_problem(
        status(format!("{}.{}.{}", parts[0], parts[1], "AAAA")).await,
        401,
        "invalid_token",
    )
    .await;

    // A token signed with the server's own key but already expired.
    let secret = std::fs::read_to_string(app.dir.path().join("data/secrets/jwt-secret")).unwrap();
    let keys =
        hocso::auth::tokens::JwtKeys::new(&secrecy::SecretString::from(secret.trim().to_string()));
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["exp"] = json!(chrono::Utc::now().timestamp() - 5);
    let claims: hocso::auth::tokens::Claims = serde_json::from_value(claims).unwrap();
    assert_problem(
        status(keys.issue(&claims).unwrap()).await,
        401,
        "invalid_token",
    )
    .await;

    // A disabled user's tokens are refused.
    let (_, admin_token) = admin(&app).await;
    let res = app
        .post(&format!("/api/v1/admin/users/{id}/disable"))
        .token(&admin_token)
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(status(token).await.status(), 401);
    let res = app
        .post("/api/v1/auth/login")
        .json(&json!({"login": "nguoi.dung@example.vn", "password": "mat-khau-rat-dai-1"}))
        .await;
    assert_problem(res, 403, "account_disabled").await;
    let res = app
        .post(&format!("/api/v1/admin/users/{id}/enable"))
        .token(&admin_token)
        .await;
    assert_eq!(res.status(), 200);
    login(&app, "nguoi.dung@example.vn", "mat-khau-rat-dai-1").await;
}

async fn learner_is_refused_on_admin_endpoints(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = learner(&app, "hoc.vien@example.vn").await;
    for (method, path) in [
        ("GET", "/api/v1/admin/users".to_string()),
        ("GET", format!("/api/v1/admin/users/{id}")),
        ("POST", format!("/api/v1/admin/users/{id}/disable")),
        ("POST", format!("/api/v1/admin/users/{id}/enable")),
        ("POST", format!("/api/v1/admin/users/{id}/password-reset")),
    ] {
        let req = match method {
            "GET" => app.get(&path),
            _ => app.post(&path),
        };
        let res = req.token(&token).await;
        assert_problem(res, 403, "forbidden").await;
    }
    let res = app
        .post(&format!("/api/v1/admin/users/{id}/roles"))
        .token(&token)
        .json(&json!({"role": "admin"}))
        .await;
    assert_problem(res, 403, "forbidden").await;
    let res = app.get("/api/v1/admin/users").await;
    assert_problem(res, 401, "unauthenticated").await;
}

async fn admin_manages_users_and_roles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin_token) = admin(&app).await;
    for i in 0..5 {
        register(&app, json!({"display_name": format!("Nông dân {i}"), "email": format!("nd{i}@example.vn"), "password": "mat-khau-rat-dai-1"})).await;
    }
    register(
        &app,
        json!({"display_name": "Cô Thu", "phone": "0987654321", "password": "mat-khau-rat-dai-1"}),
    )
    .await;

    // Pagination with cursor and Link header.
    let res = app
        .get("/api/v1/admin/users?limit=3")
        .token(&admin_token)
        .await;
    assert_eq!(res.status(), 200);
    let link = res.headers()["link"].to_str().unwrap().to_string();
    assert!(
        link.contains("rel=\"next\"") && link.contains("limit=3"),
        "{link}"
    );
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    let mut seen: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect();
    let mut cursor = page["next_cursor"].as_str().map(String::from);
    while let Some(c) = cursor {
        let page: Value = app
            .get(&format!("/api/v1/admin/users?limit=3&cursor={c}"))
            .token(&admin_token)
            .value()
            .await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["id"].as_str().unwrap().to_string()),
        );
        cursor = page["next_cursor"].as_str().map(String::from);
    }
    assert_eq!(seen.len(), 7);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 7);

    let res = app
        .get("/api/v1/admin/users?limit=1000")
        .token(&admin_token)
        .await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app
        .get("/api/v1/admin/users?cursor=garbage!")
        .token(&admin_token)
        .await;
    assert_problem(res, 422, "validation_failed").await;

    // Search by name, e-mail and phone.
    let search = |q: &'static str| {
        let req = app
            .get(&format!("/api/v1/admin/users?q={q}"))
            .token(&admin_token);
        async move {
            let v: Value = req.value().await;
            v["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(search("N%C3%B4ng%20d%C3%A2n").await, 5);
    assert_eq!(search("nd3@").await, 1);
    assert_eq!(search("0987654321").await, 1);

    // Grant and withdraw roles.
    let page: Value = app
        .get("/api/v1/admin/users?q=nd1@")
        .token(&admin_token)
        .value()
        .await;
    let id = page["items"][0]["id"].as_str().unwrap().to_string();
    let user = app
        .post(&format!("/api/v1/admin/users/{id}/roles"))
        .token(&admin_token)
        .json(&json!({"role": "instructor"}))
        .expect(200)
        .await;
    assert_eq!(
        user["roles"],
        json!([{"role": "instructor", "locality": null}])
    );
    // The role is in the next access token.
    let tokens = login(&app, "nd1@example.vn", "mat-khau-rat-dai-1").await;
    let payload = tokens["access_token"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap()
        .to_string();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["roles"][0]["role"], "instructor");

    let res = app
        .post(&format!("/api/v1/admin/users/{id}/roles"))
        .token(&admin_token)
        .json(&json!({"role": "facilitator", "locality_code": "NO-SUCH"}))
        .await;
    assert_problem(res, 404, "locality_not_found").await;
    let res = app
        .post(&format!("/api/v1/admin/users/{id}/roles"))
        .token(&admin_token)
        .json(&json!({"role": "emperor"}))
        .await;
    assert_problem(res, 422, "validation_failed").await;

    let user = app
        .delete(&format!("/api/v1/admin/users/{id}/roles?role=instructor"))
        .token(&admin_token)
        .expect(200)
        .await;
    assert_eq!(user["roles"], json!([]));
    let res = app
        .delete(&format!("/api/v1/admin/users/{id}/roles?role=instructor"))
        .token(&admin_token)
        .await;
    assert_problem(res, 404, "not_found").await;
    let res = app
        .get("/api/v1/admin/users/nope")
        .token(&admin_token)
        .await;
    assert_problem(res, 404, "not_found").await;
}

async fn admin_reset_code_for_resident_without_email(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, admin_token) = admin(&app).await;
    let res = register(
        &app,
        json!({"display_name": "Ông Sáu", "phone": "0355123456", "password": "ong-sau-lam-ruong"}),
    )
    .await;
    let user: Value = res.json().await.unwrap();
    let id = user["id"].as_str().unwrap();
    let old = login(&app, "0355123456", "ong-sau-lam-ruong").await;
    let code = app
        .post(&format!("/api/v1/admin/users/{id}/password-reset"))
        .token(&admin_token)
        .expect(201)
        .await;
    let code = code["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 10);
    let res = app
        .post("/api/v1/auth/password/reset")
        .json(&json!({"token": code, "new_password": "ong-sau-mat-khau-moi"}))
        .await;
    assert_eq!(res.status(), 204);
    // Single use; old sessions ended; the new password works.
    let res = app
        .post("/api/v1/auth/password/reset")
        .json(&json!({"token": code, "new_password": "lai-mat-khau-khac-nua"}))
        .await;
    assert_problem(res, 400, "invalid_reset_token").await;
    assert_eq!(
        app.get("/api/v1/me")
            .token(old["access_token"].as_str().unwrap())
            .await
            .status(),
        401
    );
    login(&app, "0355123456", "ong-sau-mat-khau-moi").await;
}

async fn verification_mail_arrives_in_the_users_language(backend: Backend) {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(backend, smtp_settings(sink.port)).await;
    register(&app, json!({"display_name": "Minh", "email": "minh@example.vn", "password": "minh-hoc-so-2026", "language": "en"})).await;
    register(
        &app,
        json!({"display_name": "Hoa", "email": "hoa@example.vn", "password": "hoa-hoc-so-2026"}),
    )
    .await;
    let (subject, body) = sink.wait_for("minh@example.vn").await;
    assert!(subject.starts_with("Verify your e-mail"), "{subject}");
    let (subject_vi, _) = sink.wait_for("hoa@example.vn").await;
    assert!(subject_vi.starts_with("Xác minh"), "{subject_vi}");

    let token = token_from(&body);
    let user = app
        .post("/api/v1/auth/verify-email")
        .json(&json!({"token": token}))
        .expect(200)
        .await;
    assert_eq!(user["email_verified"], true);
    let res = app
        .post("/api/v1/auth/verify-email")
        .json(&json!({"token": token}))
        .await;
    assert_problem(res, 400, "invalid_verification_token").await;

    // Mail went through the outbox and is marked sent.
    let statuses = app
        .db(|c| {
            mail_outbox::table
                .select(mail_outbox::status)
                .load::<String>(c)
                .unwrap()
        })
        .await;
    assert_eq!(statuses, vec!["sent".to_string(), "sent".to_string()]);
}

async fn password_reset_by_mail_ends_every_session(backend: Backend) {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(backend, smtp_settings(sink.port)).await;
    let (_, token) = learner(&app, "quen.mk@example.vn").await;
    let res = app
        .post("/api/v1/auth/password/forgot")
        .json(&json!({"login": "quen.mk@example.vn"}))
        .await;
    assert_eq!(res.status(), 202);
    let reset_mail = loop {
        if let Some(m) = sink
            .find("quen.mk@example.vn")
            .into_iter()
            .find(|(s, _)| s.contains("Đặt lại"))
        {
            break m;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let reset = token_from(&reset_mail.1);
    let res = app
        .post("/api/v1/auth/password/reset")
        .json(&json!({"token": reset, "new_password": "short"}))
        .await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app
        .post("/api/v1/auth/password/reset")
        .json(&json!({"token": reset, "new_password": "mat-khau-moi-that-dai"}))
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(app.get("/api/v1/me").token(&token).await.status(), 401);
    login(&app, "quen.mk@example.vn", "mat-khau-moi-that-dai").await;
}

async fn mail_waits_while_smtp_is_down_and_is_delivered_once(backend: Backend) {
    // A port with nobody listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = TestApp::spawn_with(backend, smtp_settings(port)).await;
    register(
        &app,
        json!({"display_name": "Lúa", "email": "lua@example.vn", "password": "lua-chin-vang-dong"}),
    )
    .await;
    // Attempts fail and the mail stays pending.
    let mut attempts = 0;
    for _ in 0..100 {
        let (status, n) = app
            .db(|c| {
                mail_outbox::table
                    .select((mail_outbox::status, mail_outbox::attempts))
                    .first::<(String, i32)>(c)
                    .unwrap()
            })
            .await;
        assert_eq!(status, "pending");
        attempts = n;
        if n >= 2 {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(attempts >= 2);
    let sink = SmtpSink::start_on(port);
    sink.wait_for("lua@example.vn").await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        sink.find("lua@example.vn").len(),
        1,
        "delivered exactly once"
    );
    let status = app
        .db(|c| {
            mail_outbox::table
                .select(mail_outbox::status)
                .first::<String>(c)
                .unwrap()
        })
        .await;
    assert_eq!(status, "sent");
}

async fn rate_limit_on_login(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.rate_limit_login_per_minute = 3;
        s.rate_limit_ip_per_minute = 100;
    })
    .await;
    for _ in 0..3 {
        let res = app
            .post("/api/v1/auth/login")
            .json(&json!({"login": "ai@example.vn", "password": "sai-mat-khau"}))
            .await;
        assert_eq!(res.status(), 401);
    }
    let res = app
        .post("/api/v1/auth/login")
        .json(&json!({"login": "AI@example.vn", "password": "sai-mat-khau"}))
        .await;
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(res.headers()["ratelimit-limit"], "3");
    assert_eq!(res.headers()["ratelimit-remaining"], "0");
    assert_problem(res, 429, "rate_limited").await;
    // Another login identifier is not limited.
    let res = app
        .post("/api/v1/auth/login")
        .json(&json!({"login": "khac@example.vn", "password": "sai-mat-khau"}))
        .await;
    assert_eq!(res.status(), 401);
}

/// Three instances on one PostgreSQL database count in the same buckets (`rate_limit_store`
/// `auto` is `database` there): the limits hold whichever instance an attempt reaches, and the
/// table holds no login or address in clear. On SQLite (one process) the counters stay in
/// memory, and asking for `database` is refused at start-up with the reason.
async fn rate_limits_hold_across_instances(backend: Backend) {
    // Instances behind one load balancer share their secrets (else a token of one would not
    // hold on another).
    let limits = |s: &mut hocso::config::Settings| {
        s.rate_limit_login_per_minute = 3;
        s.rate_limit_ip_per_minute = 7;
        s.jwt_secret = Some("mot-bi-mat-chung-cua-ba-may-chu-du-dai".to_string().into());
    };
    let first = TestApp::spawn_with(backend, limits).await;
    if backend == Backend::Sqlite {
        assert!(!first.state.limits.shared());
        let dir = tempfile::tempdir().unwrap();
        let err = hocso::startup::Application::build(hocso::config::Settings {
            database_url: first.database_url.clone(),
            bind: "127.0.0.1:0".into(),
            data_dir: dir.path().to_path_buf(),
            rate_limit_store: "database".into(),
            ..hocso::config::Settings::default()
        })
        .await
        .err()
        .expect("`database` is refused on SQLite");
        assert!(format!("{err:#}").contains("needs PostgreSQL"), "{err:#}");
        return;
    }
    let second = TestApp::spawn_beside(&first, limits).await;
    let third = TestApp::spawn_beside(&first, limits).await;
    let apps = [&first, &second, &third];
    for app in apps {
        assert!(app.state.limits.shared());
    }
    let attempt = |app: &TestApp, login: &str| {
        app.post("/api/v1/auth/login")
            .json(&json!({"login": login, "password": "sai-mat-khau"}))
    };
    // Per login: 3 attempts in all, one on each instance; the fourth is refused everywhere.
    for app in apps {
        assert_eq!(attempt(app, "ai@example.vn").await.status(), 401);
    }
    for app in apps {
        let res = attempt(app, "AI@example.vn").await;
        assert_eq!(res.headers()["ratelimit-limit"], "3");
        let retry: u64 = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        assert_problem(res, 429, "rate_limited").await;
    }
    // Per address: 7 attempts from this client in all (6 counted above).
    assert_eq!(attempt(&second, "khac@example.vn").await.status(), 401);
    for app in apps {
        assert_problem(attempt(app, "ba@example.vn").await, 429, "rate_limited").await;
    }
    let keys: Vec<String> = first
        .db(|c| {
            rate_limits::table
                .select(rate_limits::key)
                .load::<String>(c)
                .unwrap()
        })
        .await;
    assert!(!keys.is_empty());
    for k in &keys {
        assert!(
            k.len() == 32 && k.chars().all(|c| c.is_ascii_hexdigit()),
            "a stored key shows what it counts: {k}"
        );
    }
}

async fn profile_and_password_change(backend: Backend) {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(backend, smtp_settings(sink.port)).await;
    let (_, token) = learner(&app, "doi.ten@example.vn").await;
    let other = login(&app, "doi.ten@example.vn", "mat-khau-rat-dai-1").await;
    let me = app
        .patch("/api/v1/me")
        .token(&token)
        .json(&json!({"display_name": "Tên mới", "language": "en", "email": "moi@example.vn"}))
        .expect(200)
        .await;
    assert_eq!(me["display_name"], "Tên mới");
    assert_eq!(me["language"], "en");
    assert_eq!(me["email"], "moi@example.vn");
    assert_eq!(me["email_verified"], false);
    let (subject, _) = sink.wait_for("moi@example.vn").await;
    assert!(subject.starts_with("Verify"), "{subject}");

    let res = app
        .patch("/api/v1/me")
        .token(&token)
        .json(&json!({"language": "de"}))
        .await;
    assert_problem(res, 422, "validation_failed").await;

    let res = app
        .post("/api/v1/me/password")
        .token(&token)
        .json(
            &json!({"current_password": "wrong-password-x", "new_password": "mat-khau-moi-nua-ne"}),
        )
        .await;
    assert_problem(res, 403, "wrong_password").await;
    let res = app
        .post("/api/v1/me/password")
        .token(&token)
        .json(&json!({"current_password": "mat-khau-rat-dai-1", "new_password": "mat-khau-moi-nua-ne"}))
        .await;
    assert_eq!(res.status(), 204);
    // This session continues; the other one ended.
    assert_eq!(app.get("/api/v1/me").token(&token).await.status(), 200);
    assert_eq!(
        app.get("/api/v1/me")
            .token(other["access_token"].as_str().unwrap())
            .await
            .status(),
        401
    );
    login(&app, "moi@example.vn", "mat-khau-moi-nua-ne").await;
}

async fn outdated_hash_is_upgraded_at_login(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    learner(&app, "cu@example.vn").await;
    let old = hocso::auth::password::PasswordHasherConfig::new(2048, 2, 1)
        .unwrap()
        .hash("mat-khau-rat-dai-1")
        .unwrap();
    app.db(move |c| {
        diesel::update(users::table.filter(users::email.eq("cu@example.vn")))
            .set(users::password_hash.eq(old))
            .execute(c)
            .unwrap()
    })
    .await;
    login(&app, "cu@example.vn", "mat-khau-rat-dai-1").await;
    let hash = app
        .db(|c| {
            users::table
                .filter(users::email.eq("cu@example.vn"))
                .select(users::password_hash)
                .first::<String>(c)
                .unwrap()
        })
        .await;
    assert!(hash.contains("m=1024,t=1,p=1"), "{hash}");
}

async fn secrets_never_reach_the_logs(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let password = format!("bi-mat-{}", uuid::Uuid::new_v4().simple());
    let email = format!("{}@example.vn", uuid::Uuid::new_v4().simple());
    register(
        &app,
        json!({"display_name": "Log", "email": email, "password": password}),
    )
    .await;
    let tokens = login(&app, &email, &password).await;
    let res = app
        .post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": tokens["refresh_token"]}))
        .await;
    assert_eq!(res.status(), 200);
    app.get("/api/v1/me")
        .token(tokens["access_token"].as_str().unwrap())
        .await;
    // The wrong-password path too.
    app.post("/api/v1/auth/login")
        .json(&json!({"login": email, "password": format!("{password}x")}))
        .await;
    let logs = captured_logs();
    assert!(logs.contains("request finished"), "logs are captured");
    assert!(!logs.contains(&password));
    assert!(!logs.contains(tokens["access_token"].as_str().unwrap()));
    assert!(!logs.contains(tokens["refresh_token"].as_str().unwrap()));
}

async fn cli_creates_an_admin(backend: Backend) {
    use std::io::Write;
    let app = TestApp::spawn(backend).await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hocso"))
        .args([
            "users",
            "create-admin",
            "--name",
            "Chủ tịch xã",
            "--email",
            "ct@xa.vn",
        ])
        .env("HOCSO_DATABASE_URL", &app.database_url)
        .env("HOCSO_DATA_DIR", app.dir.path().join("cli"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"chu-tich-xa-mat-khau\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tokens = login(&app, "ct@xa.vn", "chu-tich-xa-mat-khau").await;
    let res = app
        .get("/api/v1/admin/users")
        .token(tokens["access_token"].as_str().unwrap())
        .await;
    assert_eq!(res.status(), 200);

    register(
        &app,
        json!({"display_name": "GV", "email": "gv@example.vn", "password": "giao-vien-day-so"}),
    )
    .await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hocso"))
        .args(["users", "grant", "gv@example.vn", "instructor"])
        .env("HOCSO_DATABASE_URL", &app.database_url)
        .env("HOCSO_DATA_DIR", app.dir.path().join("cli"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tokens = login(&app, "gv@example.vn", "giao-vien-day-so").await;
    let me: Value = app
        .get("/api/v1/me")
        .token(tokens["access_token"].as_str().unwrap())
        .value()
        .await;
    assert_eq!(me["roles"][0]["role"], "instructor");
}
