//! `/api/v1/auth/*`: register, log in, refresh, log out, verify e-mail, reset password.

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::TimeDelta;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::constraints as c;
use super::extract::Json;
use super::me::UserResponse;
use crate::accounts;
use crate::auth::password::{check_strength, Verified};
use crate::auth::AuthUser;
use crate::db::schema::users;
use crate::db::users::User;
use crate::db::{mail as outbox, now};
use crate::error::{ApiError, ApiResult, Code, Validator};
use crate::i18n::Lang;
use crate::mail::templates;
use crate::ratelimit::login_key;
use crate::state::AppState;
use crate::telemetry::{run_blocking, run_writing};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[schema(schema_with = c::text::<100>)]
    pub display_name: String,
    #[schema(schema_with = c::new_password)]
    pub password: String,
    #[schema(schema_with = c::email_or_blank)]
    pub email: Option<String>,
    #[schema(schema_with = c::phone_or_blank)]
    pub phone: Option<String>,
    /// `vi` (default) or `en`.
    #[schema(schema_with = c::language_or_null)]
    pub language: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// E-mail, phone number or username.
    #[schema(schema_with = c::text::<254>)]
    pub login: String,
    #[schema(schema_with = c::text::<1024>)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// `Bearer`
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Opaque; send to `/auth/refresh` for a new pair. It works once.
    pub refresh_token: String,
    pub refresh_expires_in: i64,
}

impl From<accounts::Issued> for TokenResponse {
    fn from(i: accounts::Issued) -> Self {
        Self {
            access_token: i.access_token,
            token_type: "Bearer",
            expires_in: i.expires_in,
            refresh_token: i.refresh_token,
            refresh_expires_in: i.refresh_expires_in,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[schema(schema_with = c::opaque_token)]
    pub refresh_token: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub token: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotRequest {
    /// The account's e-mail address.
    #[schema(schema_with = c::text::<254>)]
    pub login: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The token from the reset mail, or the one-time code an admin handed out.
    pub token: String,
    #[schema(schema_with = c::new_password)]
    pub new_password: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatusResponse {
    pub status: &'static str,
    pub message: String,
}

pub(crate) fn parse_language(v: &mut Validator, raw: Option<&str>) -> Lang {
    match raw {
        None => Lang::Vi,
        Some(s) => Lang::parse(s).unwrap_or_else(|| {
            v.push("language", "invalid", "must be `vi` or `en`");
            Lang::Vi
        }),
    }
}

/// The verification mail for `email`, with a fresh 24-hour token.
pub(crate) fn queue_verification(
    conn: &mut crate::db::DbConn,
    state: &AppState,
    user: &User,
    email: &str,
) -> ApiResult<()> {
    let token = accounts::create_one_time_token(
        conn,
        &user.id,
        accounts::PURPOSE_VERIFY_EMAIL,
        Some(email),
        TimeDelta::hours(24),
        crate::auth::tokens::random_token(),
    )?;
    let lang = Lang::parse(&user.language).unwrap_or_default();
    let mail = templates::verify_email(
        lang,
        &user.display_name,
        email,
        &state.settings.public_url,
        &token,
    );
    outbox::enqueue(conn, &mail)?;
    Ok(())
}

/// Register an account with an e-mail address or a phone number.
#[utoipa::path(tag = "auth", request_body = RegisterRequest, responses(
    (status = 201, body = UserResponse),
    (status = 409, description = "E-mail or phone already used", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field or weak password", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many attempts", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/auth/register")]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<RegisterRequest>,
) -> ApiResult<HttpResponse> {
    state.limits.check_ip(&req, "register")?;
    let body = body.0;
    let mut v = Validator::new();
    v.length("display_name", &body.display_name, 1, 100);
    if let Some(e) = check_strength("password", &body.password) {
        v.push(&e.field, &e.code, e.message);
    }
    let email = body
        .email
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|raw| {
            accounts::normalize_email(raw).unwrap_or_else(|| {
                v.push("email", "invalid", "is not an e-mail address");
                String::new()
            })
        });
    let phone = body
        .phone
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|raw| {
            accounts::normalize_phone(raw).unwrap_or_else(|| {
                v.push("phone", "invalid", "is not a Vietnamese phone number");
                String::new()
            })
        });
    if email.is_none() && phone.is_none() {
        v.push(
            "email",
            "required",
            "give an e-mail address or a phone number",
        );
    }
    let language = parse_language(&mut v, body.language.as_deref());
    v.finish()?;

    let st = state.clone();
    let user = run_blocking(move || {
        let hash = st.hasher.hash(&body.password).map_err(ApiError::internal)?;
        let writer = st.writer.clone();
        writer.transaction(move |conn| {
            let user = accounts::insert_account(
                conn,
                &accounts::NewAccount {
                    display_name: &body.display_name,
                    email: email.as_deref(),
                    phone: phone.as_deref(),
                    username: None,
                    password: &body.password,
                    language: language.tag(),
                },
                &hash,
            )?;
            if let Some(e) = &email {
                queue_verification(conn, &st, &user, e)?;
            }
            Ok(user)
        })
    })
    .await?;
    state.mail_notify.notify_one();
    tracing::info!(user.id = %user.id, "user {} registered", user.id);
    Ok(HttpResponse::Created().json(UserResponse::from_user(&user, vec![])))
}

/// Log in with an e-mail, phone number or username and a password.
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, description = "Unknown login or wrong password (indistinguishable)", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 403, description = "Account disabled", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many attempts", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<LoginRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    let body = body.0;
    let mut v = Validator::new();
    v.length("login", &body.login, 1, 254);
    v.length("password", &body.password, 1, 1024);
    v.finish()?;
    state.limits.check_ip(&req, "login")?;
    let st = state.clone();
    let issued = run_blocking(move || {
        let mut conn = st.pool.get()?;
        let parsed = accounts::parse_login(&body.login);
        let user = accounts::find_by_login(&mut conn, &parsed)?;
        // Return the connection before the slow hash.
        drop(conn);
        // Counted per account (or per normalized login), however the login was spelt.
        st.limits.check_login(
            "login",
            &login_key(user.as_ref().map(|u| u.id.as_str()), &parsed),
        )?;
        let verdict = st.hasher.verify(
            &body.password,
            user.as_ref().map(|u| u.password_hash.as_str()),
        );
        let (Verified::Yes(upgrade), Some(user)) = (verdict, user) else {
            return Err(ApiError::unauthorized(
                Code::InvalidCredentials,
                "The login or the password is wrong.",
            ));
        };
        if user.disabled_at.is_some() {
            return Err(ApiError::new(
                actix_web::http::StatusCode::FORBIDDEN,
                Code::AccountDisabled,
                "This account has been disabled.",
            ));
        }
        let writer = st.writer.clone();
        writer.transaction(move |conn| {
            if let Some(new_hash) = upgrade {
                diesel::update(users::table.find(&user.id))
                    .set(users::password_hash.eq(new_hash))
                    .execute(conn)?;
            }
            accounts::start_session(conn, &st.jwt, &st.settings, &user.id)
        })
    })
    .await?;
    Ok(web::Json(issued.into()))
}

/// Trade a refresh token for a new pair; the old one is spent. Reusing a spent token ends the
/// whole session family.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, description = "Invalid, expired or reused refresh token", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/auth/refresh")]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    state.limits.check_ip(&req, "refresh")?;
    let st = state.clone();
    let token = body.0.refresh_token;
    if token.is_empty() || token.len() > 200 {
        return Err(ApiError::field(
            "refresh_token",
            "invalid",
            "is not a refresh token",
        ));
    }
    let issued = run_blocking(move || {
        let writer = st.writer.clone();
        // The job keeps what `refresh` committed even when it refuses: a reused token's family
        // is revoked in a transaction of its own and then refused.
        writer.transaction(move |conn| {
            Ok::<_, ApiError>(accounts::refresh(conn, &st.jwt, &st.settings, &token))
        })?
    })
    .await?;
    Ok(web::Json(issued.into()))
}

/// End the current session.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses((status = 204), (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    run_writing(&state, move |conn| {
        accounts::revoke_session(conn, &user.session_id, "logout")?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// End every session of the current user.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses((status = 204), (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/auth/logout-all")]
pub async fn logout_all(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    run_writing(&state, move |conn| {
        accounts::revoke_all_sessions(conn, &user.id, None, "logout_all")?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Verify an e-mail address with the token from the verification mail.
#[utoipa::path(tag = "auth", request_body = TokenRequest, responses(
    (status = 200, body = UserResponse),
    (status = 400, description = "Unknown, spent or expired token", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/auth/verify-email")]
pub async fn verify_email(
    state: web::Data<AppState>,
    body: Json<TokenRequest>,
) -> ApiResult<web::Json<UserResponse>> {
    let st = state.clone();
    let token = body.0.token;
    let user = run_blocking(move || {
        let writer = st.writer.clone();
        writer.transaction(move |conn| {
            let invalid = || {
                ApiError::bad_request(
                    Code::InvalidVerificationToken,
                    "This verification link is unknown, already used or expired.",
                )
            };
            let found =
                accounts::consume_one_time_token(conn, accounts::PURPOSE_VERIFY_EMAIL, &token)?
                    .ok_or_else(invalid)?;
            let user = accounts::find_user(conn, &found.user_id)?;
            // The token verifies the address it was sent to, and only while it is the account's.
            if user.email.is_none() || user.email != found.email {
                return Err(invalid());
            }
            diesel::update(users::table.find(&user.id))
                .set(users::email_verified_at.eq(Some(now())))
                .execute(conn)?;
            let roles = accounts::roles_of(conn, &user.id)?;
            Ok(UserResponse::from_user(
                &accounts::find_user(conn, &user.id)?,
                roles,
            ))
        })
    })
    .await?;
    Ok(web::Json(user))
}

/// Ask for a password-reset mail. The answer is the same whether the account exists or not.
#[utoipa::path(tag = "auth", request_body = ForgotRequest, responses(
    (status = 202, body = StatusResponse),
    (status = 429, description = "Too many attempts", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/auth/password/forgot")]
pub async fn forgot_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<ForgotRequest>,
) -> ApiResult<HttpResponse> {
    let login_id = body.0.login;
    let mut v = Validator::new();
    v.length("login", &login_id, 1, 254);
    v.finish()?;
    state.limits.check_ip(&req, "forgot")?;
    let st = state.clone();
    run_blocking(move || {
        let mut conn = st.pool.get()?;
        let parsed = accounts::parse_login(&login_id);
        let user = accounts::find_by_login(&mut conn, &parsed)?;
        st.limits.check_login(
            "forgot",
            &login_key(user.as_ref().map(|u| u.id.as_str()), &parsed),
        )?;
        let writer = st.writer.clone();
        writer.transaction(move |conn| {
            let user = accounts::find_by_login(conn, &parsed)?;
            if let Some(user) = user.filter(|u| u.disabled_at.is_none()) {
                if let Some(email) = user.email.clone() {
                    let token = accounts::create_one_time_token(
                        conn,
                        &user.id,
                        accounts::PURPOSE_RESET_PASSWORD,
                        Some(&email),
                        TimeDelta::hours(1),
                        crate::auth::tokens::random_token(),
                    )?;
                    let lang = Lang::parse(&user.language).unwrap_or_default();
                    let mail = templates::reset_password(
                        lang,
                        &user.display_name,
                        &email,
                        &st.settings.public_url,
                        &token,
                    );
                    outbox::enqueue(conn, &mail)?;
                }
            }
            Ok(())
        })
    })
    .await?;
    state.mail_notify.notify_one();
    Ok(HttpResponse::Accepted().json(StatusResponse {
        status: "accepted",
        message: "Nếu tài khoản tồn tại và có e-mail, thư đặt lại mật khẩu đã được gửi. / If the account exists and has an e-mail address, a reset mail is on its way.".into(),
    }))
}

/// Set a new password with a reset token; every session of the account ends.
#[utoipa::path(tag = "auth", request_body = ResetRequest, responses(
    (status = 204),
    (status = 400, description = "Unknown, spent or expired token", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "Weak password", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/auth/password/reset")]
pub async fn reset_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<ResetRequest>,
) -> ApiResult<HttpResponse> {
    state.limits.check_ip(&req, "reset")?;
    let body = body.0;
    // What no account may have, before any hashing; what this account may have once its token
    // names it (a PIN for a resident a village manages, a password otherwise).
    if let Some(e) = crate::community::check_pin_or_password(&body.new_password) {
        return Err(ApiError::validation(vec![e.for_field("new_password")]));
    }
    let st = state.clone();
    run_blocking(move || {
        let hash = st
            .hasher
            .hash(&body.new_password)
            .map_err(ApiError::internal)?;
        let writer = st.writer.clone();
        writer.transaction(move |conn| {
            let found = accounts::consume_one_time_token(
                conn,
                accounts::PURPOSE_RESET_PASSWORD,
                &body.token,
            )?
            .ok_or_else(|| {
                ApiError::bad_request(
                    Code::InvalidResetToken,
                    "This reset link or code is unknown, already used or expired.",
                )
            })?;
            // Refused: the transaction rolls back and the code stays usable.
            crate::community::check_new_secret(conn, &found.user_id, &body.new_password)?;
            diesel::update(users::table.find(&found.user_id))
                .set((users::password_hash.eq(hash), users::updated_at.eq(now())))
                .execute(conn)?;
            accounts::revoke_all_sessions(conn, &found.user_id, None, "password_reset")?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
