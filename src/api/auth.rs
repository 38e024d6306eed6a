//! `/api/v1/auth/*`: register, log in, refresh, log out, verify e-mail, reset password.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::constraints as c;
use super::extract::Json;
use super::me::UserResponse;
use crate::accounts::password::{self, Forgot, Reset};
use crate::accounts::registration::{self, Registration};
use crate::accounts::session::{self, Credentials, Refresh};
use crate::accounts::{self, Accounts};
use crate::auth::AuthUser;
use crate::error::ApiResult;
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
    /// The version of the privacy notice (`GET /api/v1/privacy`) the person read and accepted.
    /// Required, and it must be the current one: else 422 with the field error
    /// `consent_required` or `consent_outdated`.
    pub accept_privacy_notice: Option<String>,
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

/// The client's address, as the rate limits count it.
fn client(req: &HttpRequest, state: &AppState) -> String {
    state.limits.client_ip(req)
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
    let b = body.0;
    let input = Registration {
        client: client(&req, &state),
        display_name: b.display_name,
        password: b.password,
        email: b.email,
        phone: b.phone,
        language: b.language,
        start_session: false,
        accept_privacy_notice: b.accept_privacy_notice,
    };
    let st = state.clone();
    let r = run_blocking(move || registration::register(&Accounts::of(&st), input)).await?;
    Ok(HttpResponse::Created().json(UserResponse::from_user(&r.user, vec![])))
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
    let input = Credentials {
        client: client(&req, &state),
        login: body.0.login,
        password: body.0.password,
    };
    let st = state.clone();
    let done = run_blocking(move || session::login(&Accounts::of(&st), input)).await?;
    Ok(web::Json(done.session.into()))
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
    let input = Refresh {
        client: client(&req, &state),
        refresh_token: body.0.refresh_token,
    };
    let st = state.clone();
    let issued = run_blocking(move || session::refresh(&Accounts::of(&st), input)).await?;
    Ok(web::Json(issued.into()))
}

/// End the current session.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses((status = 204), (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    run_writing(&state, move |conn| session::logout(conn, &user)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// End every session of the current user.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses((status = 204), (status = 401, body = crate::error::Problem, content_type = "application/problem+json")))]
#[post("/auth/logout-all")]
pub async fn logout_all(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    run_writing(&state, move |conn| session::logout_everywhere(conn, &user)).await?;
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
    let (st, token) = (state.clone(), body.0.token);
    let account =
        run_blocking(move || registration::verify_email(&Accounts::of(&st), token)).await?;
    Ok(web::Json(account.into()))
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
    let input = Forgot {
        client: client(&req, &state),
        login: body.0.login,
    };
    let st = state.clone();
    run_blocking(move || password::forgot_password(&Accounts::of(&st), input)).await?;
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
    let input = Reset {
        client: client(&req, &state),
        token: body.0.token,
        new_password: body.0.new_password,
    };
    let st = state.clone();
    run_blocking(move || password::reset_password(&Accounts::of(&st), input)).await?;
    Ok(HttpResponse::NoContent().finish())
}
