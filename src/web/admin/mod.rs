//! The pages of platform admins (issue 20): users searched and opened, roles granted and
//! withdrawn with their locality, accounts disabled and enabled, certificates revoked with a
//! reason. They call the use cases of `accounts::admin` and `certs::admin`, the same as
//! `/api/v1/admin/users/*` and `/api/v1/admin/certificates/{serial}/revoke`, with the same
//! access decision (`Action::RunPlatform`: an admin grant without locality). What the API refuses
//! (403 to anyone else, an admin of a locality included; 404 for an unknown user or
//! certificate) is this site's 404 here, and a visitor is sent to log in and back.
//!
//! One module a page group: `users` (the search), `user` (one account and its forms),
//! `certificates` (a certificate found by its serial, and its revocation); this one holds the
//! routes and what they share.

mod certificates;
mod user;
mod users;

use actix_web::{web, HttpResponse};

use super::{Ctx, PageError};
use crate::accounts::admin::PlatformAdmin;
use crate::accounts::Accounts;
use crate::auth::{AuthUser, Role};
use crate::error::ApiResult;
use crate::i18n::pages::Texts;
use crate::state::AppState;
use crate::telemetry::run_blocking;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(admin_home))
        .route("/admin/users", web::get().to(users::users_page))
        .route("/admin/users/{id}", web::get().to(user::user_page))
        .route("/admin/users/{id}/grant", web::post().to(user::grant))
        .route(
            "/admin/users/{id}/revoke-role",
            web::post().to(user::revoke),
        )
        .route("/admin/users/{id}/disable", web::post().to(user::disable))
        .route("/admin/users/{id}/enable", web::post().to(user::enable))
        .route(
            "/admin/certificates",
            web::get().to(certificates::search_page),
        )
        .route(
            "/admin/certificates/{serial}",
            web::get().to(certificates::certificate_page),
        )
        .route(
            "/admin/certificates/{serial}/revoke",
            web::post().to(certificates::revoke),
        );
}

/// What the handlers answer: a page, a redirect, or an error page.
type Answer = Result<HttpResponse, PageError>;

/// The signed-in platform admin (else the login page and back, or the 404 page), decided as the
/// API decides (`PlatformAdmin::of`).
async fn platform_admin(ctx: &Ctx) -> Result<AuthUser, PageError> {
    let user = ctx.user().await?;
    PlatformAdmin::of(&user).map_err(|e| PageError::hidden(ctx.lang, e))?;
    Ok(user)
}

/// A use case of `accounts::admin` on the blocking pool, for the platform admin `user`.
async fn as_admin<R, F>(state: &web::Data<AppState>, user: &AuthUser, f: F) -> ApiResult<R>
where
    F: FnOnce(&Accounts<'_>, &PlatformAdmin) -> ApiResult<R> + Send + 'static,
    R: Send + 'static,
{
    let admin = PlatformAdmin::of(user)?;
    let st = state.clone();
    run_blocking(move || f(&Accounts::of(&st), &admin)).await
}

async fn admin_home(ctx: Ctx) -> Answer {
    platform_admin(&ctx).await?;
    Ok(ctx.see_other("/admin/users"))
}

/// The roles a page may grant, in the order the select lists them.
const ROLES: [Role; 3] = [Role::Facilitator, Role::Instructor, Role::Admin];

fn role_name(t: &Texts, role: Role) -> &'static str {
    match role {
        Role::Facilitator => t.admin_role_facilitator,
        Role::Instructor => t.admin_role_instructor,
        Role::Admin => t.admin_role_admin,
    }
}
