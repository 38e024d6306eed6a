//! `/api/v1/me`: the current user's own account.

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::constraints as c;
use super::extract::Json;
use crate::accounts::password::{self, PasswordChange};
use crate::accounts::profile::{self, AccountChanges};
use crate::accounts::{Account, Accounts};
use crate::auth::{AuthUser, RoleScope};
use crate::db::users::User;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::telemetry::run_blocking;

#[derive(Serialize, ToSchema)]
pub struct UserResponse {
    pub id: String,
    pub display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub email_verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `vi` or `en`
    pub language: String,
    /// Grants beyond learner, with their locality scope.
    pub roles: Vec<RoleScope>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl UserResponse {
    pub fn from_user(u: &User, roles: Vec<RoleScope>) -> Self {
        Self {
            id: u.id.clone(),
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            email_verified: u.email_verified_at.is_some(),
            phone: u.phone.clone(),
            username: u.username.clone(),
            language: u.language.clone(),
            roles,
            disabled: u.disabled_at.is_some(),
            created_at: u.created_at.and_utc(),
        }
    }
}

impl From<Account> for UserResponse {
    fn from(a: Account) -> Self {
        Self::from_user(&a.user, a.roles)
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    #[schema(schema_with = c::text_or_null::<100>)]
    pub display_name: Option<String>,
    #[schema(schema_with = c::language_or_null)]
    pub language: Option<String>,
    #[schema(schema_with = c::email_or_null)]
    pub email: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    #[schema(schema_with = c::new_password)]
    pub new_password: String,
}

/// The current user.
#[utoipa::path(tag = "me", security(("bearer" = [])), responses(
    (status = 200, body = UserResponse),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/me")]
pub async fn get_me(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<UserResponse>> {
    let st = state.clone();
    let account = run_blocking(move || profile::me(&Accounts::of(&st), &user)).await?;
    Ok(web::Json(account.into()))
}

/// Change display name, language or e-mail address.
#[utoipa::path(tag = "me", security(("bearer" = [])), request_body = UpdateMeRequest, responses(
    (status = 200, body = UserResponse),
    (status = 409, description = "E-mail already used", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[patch("/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<UpdateMeRequest>,
) -> ApiResult<web::Json<UserResponse>> {
    let b = body.0;
    let changes = AccountChanges {
        display_name: b.display_name,
        language: b.language,
        email: b.email,
    };
    let st = state.clone();
    let account =
        run_blocking(move || profile::update_me(&Accounts::of(&st), &user, changes)).await?;
    Ok(web::Json(account.into()))
}

/// Change the password, giving the current one. Other sessions end; this one stays.
#[utoipa::path(tag = "me", security(("bearer" = [])), request_body = ChangePasswordRequest, responses(
    (status = 204),
    (status = 403, description = "Current password is wrong", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "Weak new password", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<ChangePasswordRequest>,
) -> ApiResult<HttpResponse> {
    let input = PasswordChange {
        current_password: body.0.current_password,
        new_password: body.0.new_password,
    };
    let st = state.clone();
    run_blocking(move || password::change_password(&Accounts::of(&st), &user, input)).await?;
    Ok(HttpResponse::NoContent().finish())
}
