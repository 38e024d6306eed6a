//! `/api/v1/me`: the current user's own account.

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{parse_language, queue_verification};
use super::constraints as c;
use super::extract::Json;
use crate::accounts::{self, LoginId};
use crate::auth::password::{check_strength, Verified};
use crate::auth::{AuthUser, RoleScope};
use crate::db::now;
use crate::db::schema::users;
use crate::db::users::User;
use crate::error::{ApiError, ApiResult, Code, Validator};
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

pub(crate) fn load_user_response(
    conn: &mut crate::db::DbConn,
    id: &str,
) -> ApiResult<UserResponse> {
    let user = accounts::find_user(conn, id)?;
    let roles = accounts::roles_of(conn, id)?;
    Ok(UserResponse::from_user(&user, roles))
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
    let pool = state.pool.clone();
    let res = run_blocking(move || load_user_response(&mut *pool.get()?, &user.id)).await?;
    Ok(web::Json(res))
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
    let body = body.0;
    let mut v = Validator::new();
    if let Some(name) = &body.display_name {
        v.length("display_name", name, 1, 100);
    }
    let language = body
        .language
        .as_deref()
        .map(|l| parse_language(&mut v, Some(l)));
    let email = body.email.as_deref().map(|raw| {
        accounts::normalize_email(raw).unwrap_or_else(|| {
            v.push("email", "invalid", "is not an e-mail address");
            String::new()
        })
    });
    v.finish()?;
    let st = state.clone();
    let res = run_blocking(move || {
        let writer = st.writer.clone();
        writer.transaction(move |conn| {
            let current = accounts::find_user(conn, &user.id)?;
            if let Some(name) = &body.display_name {
                diesel::update(users::table.find(&user.id))
                    .set(users::display_name.eq(name.trim()))
                    .execute(conn)?;
            }
            if let Some(lang) = language {
                diesel::update(users::table.find(&user.id))
                    .set(users::language.eq(lang.tag()))
                    .execute(conn)?;
            }
            if let Some(email) = email.filter(|e| current.email.as_deref() != Some(e)) {
                if accounts::find_by_login(conn, &LoginId::Email(email.clone()))?.is_some() {
                    return Err(ApiError::conflict(
                        Code::EmailTaken,
                        "This e-mail address is already registered.",
                    ));
                }
                diesel::update(users::table.find(&user.id))
                    .set((
                        users::email.eq(Some(&email)),
                        users::email_verified_at.eq(None::<chrono::NaiveDateTime>),
                    ))
                    .execute(conn)?;
                let updated = accounts::find_user(conn, &user.id)?;
                queue_verification(conn, &st, &updated, &email)?;
            }
            diesel::update(users::table.find(&user.id))
                .set(users::updated_at.eq(now()))
                .execute(conn)?;
            load_user_response(conn, &user.id)
        })
    })
    .await?;
    state.mail_notify.notify_one();
    Ok(web::Json(res))
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
    let body = body.0;
    if let Some(e) = check_strength("new_password", &body.new_password) {
        return Err(ApiError::validation(vec![e]));
    }
    let st = state.clone();
    run_blocking(move || {
        let mut conn = st.pool.get()?;
        let current = accounts::find_user(&mut conn, &user.id)?;
        drop(conn);
        if !matches!(
            st.hasher
                .verify(&body.current_password, Some(&current.password_hash)),
            Verified::Yes(_)
        ) {
            return Err(ApiError::of(
                Code::WrongPassword,
                "The current password is wrong.",
            ));
        }
        let hash = st
            .hasher
            .hash(&body.new_password)
            .map_err(ApiError::internal)?;
        st.writer.transaction(move |conn| {
            diesel::update(users::table.find(&user.id))
                .set((users::password_hash.eq(hash), users::updated_at.eq(now())))
                .execute(conn)?;
            accounts::revoke_all_sessions(
                conn,
                &user.id,
                Some(&user.session_id),
                "password_changed",
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
