//! `/api/v1/admin/users/*`: user management for platform admins.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::Json;
use super::me::{load_user_response, UserResponse};
use super::pagination::{self, Page};
use crate::access::{self, Action};
use crate::accounts;
use crate::auth::{AuthUser, Role};
use crate::db::now;
use crate::db::schema::{role_grants, users};
use crate::db::users::User;
use crate::error::{ApiError, ApiResult, Code};
use crate::state::AppState;
use crate::telemetry::run_blocking;

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

#[derive(Deserialize, IntoParams)]
pub struct ListUsersQuery {
    /// Part of a name, e-mail or phone number (case-insensitive).
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Opaque: the `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    pub role: Role,
    /// Code of the locality the grant is limited to; absent for a global grant. No locality with
    /// this code → 404 `locality_not_found`.
    pub locality_code: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct RoleQuery {
    pub role: Role,
    pub locality_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ResetCodeResponse {
    /// Give this code to the person; they set a new password with it at `/auth/password/reset`.
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Deserialize)]
pub struct UserPath {
    id: String,
}

/// `text` for a LIKE pattern with `\` as the escape character: `\`, `%` and `_` match
/// themselves.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// List users, newest first, optionally searched by name, e-mail or phone.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(ListUsersQuery), responses(
    (status = 200, body = Page<UserResponse>),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/admin/users")]
pub async fn list_users(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: AuthUser,
    query: web::Query<ListUsersQuery>,
) -> ApiResult<HttpResponse> {
    access::require(&admin, Action::RunPlatform)?;
    let query = query.into_inner();
    let limit = pagination::limit(query.limit)?;
    let cursor = query
        .cursor
        .as_deref()
        .map(|c| pagination::decode_cursor(c, 2))
        .transpose()?;
    let cursor = match cursor {
        Some(parts) => {
            let micros: i64 = parts[0].parse().map_err(|_| {
                ApiError::field(
                    "cursor",
                    "invalid",
                    "The cursor is not one this server gave out.",
                )
            })?;
            let at = DateTime::from_timestamp_micros(micros)
                .ok_or_else(|| ApiError::field("cursor", "invalid", "bad cursor"))?
                .naive_utc();
            Some((at, parts[1].clone()))
        }
        None => None,
    };
    let pool = state.pool.clone();
    let page = run_blocking(move || {
        let mut conn = pool.get()?;
        let mut q = users::table.select(User::as_select()).into_boxed();
        if let Some(term) = query.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            // `%` and `_` in the search match themselves: escaped, with the same ESCAPE
            // character on both databases.
            let like = format!("%{}%", escape_like(&term.to_lowercase()));
            let phone_like = accounts::normalize_phone(term)
                .map(|p| format!("%{}%", escape_like(&p)))
                .unwrap_or_else(|| like.clone());
            q = q.filter(
                lower(users::display_name)
                    .like(like.clone())
                    .escape('\\')
                    .or(users::email.like(like.clone()).escape('\\'))
                    .or(users::phone.like(phone_like).escape('\\'))
                    .or(users::username.like(like).escape('\\')),
            );
        }
        if let Some((at, id)) = cursor {
            q = q.filter(
                users::created_at
                    .lt(at)
                    .or(users::created_at.eq(at).and(users::id.lt(id))),
            );
        }
        let mut rows: Vec<User> = q
            .order((users::created_at.desc(), users::id.desc()))
            .limit(limit + 1)
            .load(&mut conn)?;
        let next = if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            rows.last().map(|u| {
                pagination::encode_cursor(&[
                    &u.created_at.and_utc().timestamp_micros().to_string(),
                    &u.id,
                ])
            })
        } else {
            None
        };
        let mut items = Vec::with_capacity(rows.len());
        for u in &rows {
            items.push(UserResponse::from_user(
                u,
                accounts::roles_of(&mut conn, &u.id)?,
            ));
        }
        Ok(Page {
            items,
            next_cursor: next,
        })
    })
    .await?;
    Ok(pagination::respond(&req, page))
}

/// One user.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = UserResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/admin/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    admin: AuthUser,
    path: web::Path<UserPath>,
) -> ApiResult<web::Json<UserResponse>> {
    access::require(&admin, Action::RunPlatform)?;
    let pool = state.pool.clone();
    let id = path.into_inner().id;
    Ok(web::Json(
        run_blocking(move || load_user_response(&mut *pool.get()?, &id)).await?,
    ))
}

/// Grant a role, globally or limited to a locality (and its subtree).
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = String, Path)), request_body = RoleRequest, responses(
    (status = 200, body = UserResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/admin/users/{id}/roles")]
pub async fn grant_role(
    state: web::Data<AppState>,
    admin: AuthUser,
    path: web::Path<UserPath>,
    body: Json<RoleRequest>,
) -> ApiResult<web::Json<UserResponse>> {
    access::require(&admin, Action::RunPlatform)?;
    let writer = state.writer.clone();
    let id = path.into_inner().id;
    let body = body.0;
    let res = run_blocking(move || {
        writer.transaction(move |conn| {
            grant(
                conn,
                &id,
                body.role,
                body.locality_code.as_deref(),
                Some(&admin.id),
            )?;
            load_user_response(conn, &id)
        })
    })
    .await?;
    Ok(web::Json(res))
}

pub use crate::accounts::grant;

/// Withdraw a role grant.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = String, Path), RoleQuery), responses(
    (status = 200, body = UserResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/admin/users/{id}/roles")]
pub async fn revoke_role(
    state: web::Data<AppState>,
    admin: AuthUser,
    path: web::Path<UserPath>,
    query: web::Query<RoleQuery>,
) -> ApiResult<web::Json<UserResponse>> {
    access::require(&admin, Action::RunPlatform)?;
    let writer = state.writer.clone();
    let id = path.into_inner().id;
    let query = query.into_inner();
    let res = run_blocking(move || {
        writer.transaction(move |conn| {
            accounts::find_user(conn, &id)?;
            let mut q = diesel::delete(role_grants::table)
                .filter(role_grants::user_id.eq(&id))
                .filter(role_grants::role.eq(query.role.as_str()))
                .into_boxed();
            q = match query.locality_code.as_deref() {
                Some(code) => {
                    let loc = accounts::locality_id_by_code(conn, code)?;
                    q.filter(role_grants::locality_id.eq(loc))
                }
                None => q.filter(role_grants::locality_id.is_null()),
            };
            if q.execute(conn)? == 0 {
                return Err(ApiError::not_found("The user has no such role grant."));
            }
            load_user_response(conn, &id)
        })
    })
    .await?;
    Ok(web::Json(res))
}

fn set_disabled(
    state: web::Data<AppState>,
    admin: AuthUser,
    id: String,
    disabled: bool,
) -> impl std::future::Future<Output = ApiResult<UserResponse>> {
    let writer = state.writer.clone();
    async move {
        access::require(&admin, Action::RunPlatform)?;
        if disabled && id == admin.id {
            return Err(ApiError::conflict(
                Code::CannotDisableSelf,
                "An admin cannot disable their own account.",
            ));
        }
        run_blocking(move || {
            writer.transaction(move |conn| {
                accounts::find_user(conn, &id)?;
                diesel::update(users::table.find(&id))
                    .set((
                        users::disabled_at.eq(if disabled { Some(now()) } else { None }),
                        users::updated_at.eq(now()),
                    ))
                    .execute(conn)?;
                if disabled {
                    accounts::revoke_all_sessions(conn, &id, None, "disabled")?;
                }
                load_user_response(conn, &id)
            })
        })
        .await
    }
}

/// Disable an account: it cannot log in or refresh, and its access tokens are refused.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = UserResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`cannot_disable_self`", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/admin/users/{id}/disable")]
pub async fn disable_user(
    state: web::Data<AppState>,
    admin: AuthUser,
    path: web::Path<UserPath>,
) -> ApiResult<web::Json<UserResponse>> {
    Ok(web::Json(
        set_disabled(state, admin, path.into_inner().id, true).await?,
    ))
}

/// Enable a disabled account again.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = UserResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/admin/users/{id}/enable")]
pub async fn enable_user(
    state: web::Data<AppState>,
    admin: AuthUser,
    path: web::Path<UserPath>,
) -> ApiResult<web::Json<UserResponse>> {
    Ok(web::Json(
        set_disabled(state, admin, path.into_inner().id, false).await?,
    ))
}

/// A one-time password-reset code (1 hour) for a person without e-mail.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 201, body = ResetCodeResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/admin/users/{id}/password-reset")]
pub async fn admin_password_reset(
    state: web::Data<AppState>,
    admin: AuthUser,
    path: web::Path<UserPath>,
) -> ApiResult<HttpResponse> {
    access::require(&admin, Action::RunPlatform)?;
    let pool = state.pool.clone();
    let id = path.into_inner().id;
    let res = run_blocking(move || {
        let mut conn = pool.get()?;
        accounts::find_user(&mut conn, &id)?;
        let ttl = TimeDelta::hours(1);
        let code = accounts::create_one_time_token(
            &mut conn,
            &id,
            accounts::PURPOSE_RESET_PASSWORD,
            None,
            ttl,
            crate::auth::tokens::human_code(),
        )?;
        Ok(ResetCodeResponse {
            code,
            expires_at: (now() + ttl).and_utc(),
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(res))
}
