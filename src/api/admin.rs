//! `/api/v1/admin/users/*`: user management for platform admins.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::Json;
use super::me::UserResponse;
use super::pagination::{self, Page};
use crate::accounts::admin::{self as platform, PlatformAdmin, RoleChange, UserCursor, UserQuery};
use crate::accounts::Accounts;
use crate::auth::{AuthUser, Role};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::telemetry::run_blocking;

pub use crate::accounts::grant;

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

impl From<RoleRequest> for RoleChange {
    fn from(r: RoleRequest) -> Self {
        Self {
            role: r.role,
            locality_code: r.locality_code,
        }
    }
}

impl From<RoleQuery> for RoleChange {
    fn from(r: RoleQuery) -> Self {
        Self {
            role: r.role,
            locality_code: r.locality_code,
        }
    }
}

/// The opaque wire form of a user cursor.
fn cursor_text(c: &UserCursor) -> String {
    let [at, id] = c.to_parts();
    pagination::encode_cursor(&[&at, &id])
}

/// A use case of `accounts::admin` on the blocking pool, for the platform admin `admin`.
async fn as_admin<R, F>(state: &web::Data<AppState>, admin: PlatformAdmin, f: F) -> ApiResult<R>
where
    F: FnOnce(&Accounts<'_>, &PlatformAdmin) -> ApiResult<R> + Send + 'static,
    R: Send + 'static,
{
    let st = state.clone();
    run_blocking(move || f(&Accounts::of(&st), &admin)).await
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
    user: AuthUser,
    query: web::Query<ListUsersQuery>,
) -> ApiResult<HttpResponse> {
    let admin = PlatformAdmin::of(&user)?;
    let query = query.into_inner();
    let limit = pagination::limit(query.limit)?;
    let after = match query.cursor.as_deref() {
        Some(c) => Some(UserCursor::from_parts(&pagination::decode_cursor(c, 2)?)?),
        None => None,
    };
    let q = UserQuery {
        q: query.q,
        limit,
        after,
    };
    let page = as_admin(&state, admin, move |ctx, a| platform::list_users(ctx, a, q)).await?;
    let next_cursor = page.next.map(|c| cursor_text(&c));
    let items = page.items.into_iter().map(UserResponse::from).collect();
    Ok(pagination::respond(&req, Page { items, next_cursor }))
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
    user: AuthUser,
    path: web::Path<UserPath>,
) -> ApiResult<web::Json<UserResponse>> {
    let (admin, id) = (PlatformAdmin::of(&user)?, path.into_inner().id);
    let account = as_admin(&state, admin, move |ctx, a| platform::get_user(ctx, a, &id)).await?;
    Ok(web::Json(account.into()))
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
    user: AuthUser,
    path: web::Path<UserPath>,
    body: Json<RoleRequest>,
) -> ApiResult<web::Json<UserResponse>> {
    let admin = PlatformAdmin::of(&user)?;
    let (id, change) = (path.into_inner().id, RoleChange::from(body.0));
    let account = as_admin(&state, admin, move |ctx, a| {
        platform::grant_role(ctx, a, id, change)
    });
    Ok(web::Json(account.await?.into()))
}

/// Withdraw a role grant.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = String, Path), RoleQuery), responses(
    (status = 200, body = UserResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/admin/users/{id}/roles")]
pub async fn revoke_role(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<UserPath>,
    query: web::Query<RoleQuery>,
) -> ApiResult<web::Json<UserResponse>> {
    let admin = PlatformAdmin::of(&user)?;
    let (id, change) = (path.into_inner().id, RoleChange::from(query.into_inner()));
    let account = as_admin(&state, admin, move |ctx, a| {
        platform::revoke_role(ctx, a, id, change)
    });
    Ok(web::Json(account.await?.into()))
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
    user: AuthUser,
    path: web::Path<UserPath>,
) -> ApiResult<web::Json<UserResponse>> {
    let (admin, id) = (PlatformAdmin::of(&user)?, path.into_inner().id);
    let account = as_admin(&state, admin, move |ctx, a| {
        platform::disable_user(ctx, a, id)
    })
    .await?;
    Ok(web::Json(account.into()))
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
    user: AuthUser,
    path: web::Path<UserPath>,
) -> ApiResult<web::Json<UserResponse>> {
    let (admin, id) = (PlatformAdmin::of(&user)?, path.into_inner().id);
    let account = as_admin(&state, admin, move |ctx, a| {
        platform::enable_user(ctx, a, id)
    })
    .await?;
    Ok(web::Json(account.into()))
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
    user: AuthUser,
    path: web::Path<UserPath>,
) -> ApiResult<HttpResponse> {
    let (admin, id) = (PlatformAdmin::of(&user)?, path.into_inner().id);
    let reset = as_admin(&state, admin, move |ctx, a| {
        platform::reset_code(ctx, a, id)
    })
    .await?;
    Ok(HttpResponse::Created().json(ResetCodeResponse {
        code: reset.code,
        expires_at: reset.expires_at.and_utc(),
    }))
}
