//! One user: who they are, their roles with the locality each is limited to, their
//! certificates, and the page's forms (grant a role, withdraw one, disable or enable the
//! account). Each form calls one use case of `accounts::admin`, as the API's handler does.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;

use super::super::{day, message_of, pick, Chrome, Ctx, Errors, Form, PageError};
use super::{as_admin, platform_admin, role_name, Answer, ROLES};
use crate::accounts::admin::{self as platform, GrantPlace, RoleChange};
use crate::auth::{AuthUser, Role};
use crate::error::{ApiError, Code};
use crate::telemetry::run_blocking;

/// One option of a select (`staff_select.html`).
pub(super) struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

struct RoleRow {
    role: &'static str,
    label: &'static str,
    /// Where the grant holds: a locality's name and code, or the whole platform.
    place: String,
    /// The code the withdrawal names; `None` for a global grant.
    code: Option<String>,
    /// A grant on a locality without a code cannot be named by a withdrawal.
    revocable: bool,
}

struct CertRow {
    href: String,
    serial: String,
    title: String,
    issued: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    c: Chrome,
    id: String,
    name: String,
    username: String,
    phone: String,
    email: String,
    created: String,
    disabled: bool,
    disabled_on: String,
    /// The admin's own account (it cannot be disabled).
    own: bool,
    roles: Vec<RoleRow>,
    role_opts: Vec<Opt>,
    locality_code: String,
    certificates: Vec<CertRow>,
    errs: Errors,
    flash: String,
}

/// What a form sent back leaves on the page.
#[derive(Default)]
struct Outcome {
    errs: Errors,
    flash: String,
    role: String,
    locality_code: String,
}

pub(super) async fn user_page(ctx: Ctx, path: web::Path<String>) -> Answer {
    let user = platform_admin(&ctx).await?;
    let t = ctx.t();
    let flash = match ctx.here.split_once("?done=").map(|(_, d)| d) {
        Some("granted") => t.admin_granted,
        Some("revoked") => t.admin_role_revoked,
        Some("disabled") => t.admin_disabled_done,
        Some("enabled") => t.admin_enabled_done,
        _ => "",
    };
    let out = Outcome {
        flash: flash.to_string(),
        ..Outcome::default()
    };
    let page = user_view(&ctx, &user, path.into_inner(), out).await?;
    ctx.ok(&page)
}

async fn user_view(
    ctx: &Ctx,
    user: &AuthUser,
    id: String,
    out: Outcome,
) -> Result<UserPage, PageError> {
    let (lang, t) = (ctx.lang, ctx.t());
    let uid = id.clone();
    let (account, places) = as_admin(&ctx.state, user, move |a, admin| {
        platform::get_user_with_places(a, admin, &uid)
    })
    .await
    .map_err(|e| PageError::hidden(lang, e))?;
    let (pool, writer) = (ctx.state.pool.clone(), ctx.state.writer.clone());
    let (actor, uid) = (user.clone(), id.clone());
    let certs = run_blocking(move || crate::certs::admin::of_user(&pool, &writer, &actor, &uid))
        .await
        .map_err(|e| PageError::hidden(lang, e))?;
    let place_of = |loc: &Option<String>| -> Option<&GrantPlace> {
        loc.as_ref()
            .and_then(|l| places.iter().find(|p| &p.id == l))
    };
    let roles = account
        .roles
        .iter()
        .map(|r| {
            let place = place_of(&r.locality);
            RoleRow {
                role: r.role.as_str(),
                label: role_name(t, r.role),
                place: match (&r.locality, place) {
                    (None, _) => t.admin_everywhere.to_string(),
                    (Some(_), Some(p)) => match &p.code {
                        Some(code) => format!("{} ({code})", p.name),
                        None => p.name.clone(),
                    },
                    (Some(l), None) => l.clone(),
                },
                code: place.and_then(|p| p.code.clone()),
                revocable: r.locality.is_none() || place.is_some_and(|p| p.code.is_some()),
            }
        })
        .collect();
    let role_opts = ROLES
        .iter()
        .map(|r| Opt {
            value: r.as_str().to_string(),
            label: role_name(t, *r).to_string(),
            selected: r.as_str() == out.role,
        })
        .collect();
    let u = account.user;
    Ok(UserPage {
        c: ctx.chrome(u.display_name.clone(), true),
        own: u.id == user.id,
        id,
        name: u.display_name,
        username: u.username.unwrap_or_default(),
        phone: u.phone.unwrap_or_default(),
        email: u.email.unwrap_or_default(),
        created: day(lang, u.created_at),
        disabled: u.disabled_at.is_some(),
        disabled_on: u.disabled_at.map(|d| day(lang, d)).unwrap_or_default(),
        roles,
        role_opts,
        locality_code: out.locality_code,
        certificates: certs
            .into_iter()
            .map(|c| CertRow {
                href: format!("/admin/certificates/{}", c.serial),
                title: pick(lang, &c.title, &c.title_en).to_string(),
                issued: day(lang, c.issued_at),
                revoked: c.revoked_at.is_some(),
                serial: c.serial,
            })
            .collect(),
        errs: out.errs,
        flash: out.flash,
    })
}

/// A form refused by the domain: the page again with the refusal beside `field` (in the page's
/// words where the page knows the refusal), or the 404 page for what the API refuses or does
/// not find.
async fn refused_form(
    ctx: &Ctx,
    user: &AuthUser,
    id: String,
    field: &str,
    e: ApiError,
    mut out: Outcome,
) -> Answer {
    let (lang, t) = (ctx.lang, ctx.t());
    let e = PageError::on_form(lang, e)?;
    let message = match e.code {
        Code::LocalityNotFound => t.admin_err_locality.to_string(),
        Code::CannotDisableSelf => t.admin_err_self.to_string(),
        Code::NotFound if field == "roles" => t.admin_err_no_grant.to_string(),
        _ => message_of(lang, &e),
    };
    out.errs.push(field, message);
    // An unknown user: the page itself is the 404 page.
    let page = user_view(ctx, user, id, out).await?;
    ctx.render(e.status, &page)
}

/// After a form: back to the page saying what was `done`, or the page with the refusal.
async fn done(
    ctx: &Ctx,
    user: &AuthUser,
    id: String,
    what: &str,
    field: &str,
    result: Result<(), ApiError>,
    out: Outcome,
) -> Answer {
    match result {
        Ok(()) => Ok(ctx.see_other(&format!("/admin/users/{id}?done={what}"))),
        Err(e) => refused_form(ctx, user, id, field, e, out).await,
    }
}

/// The role and locality code a form names; a field error on `role` when the role is none of
/// the three.
fn role_change(form: &Form) -> Result<RoleChange, ApiError> {
    let role = Role::parse(form.text("role").trim())
        .ok_or_else(|| ApiError::field("role", "required", "choose a role"))?;
    let code = form.text("locality_code").trim().to_string();
    Ok(RoleChange {
        role,
        locality_code: Some(code).filter(|c| !c.is_empty()),
    })
}

pub(super) async fn grant(form: Form, path: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let user = platform_admin(ctx).await?;
    let id = path.into_inner();
    let out = Outcome {
        role: form.text("role"),
        locality_code: form.text("locality_code"),
        ..Outcome::default()
    };
    let change = match role_change(&form) {
        Ok(c) => c,
        Err(e) => {
            let mut out = out;
            out.errs.push("role", ctx.t().err_required);
            let page = user_view(ctx, &user, id, out).await?;
            return ctx.render(e.status, &page);
        }
    };
    let field = if change.locality_code.is_some() {
        "locality_code"
    } else {
        "role"
    };
    let uid = id.clone();
    let result = as_admin(&ctx.state, &user, move |a, admin| {
        platform::grant_role(a, admin, uid, change)
    })
    .await
    .map(|_| ());
    done(ctx, &user, id, "granted", field, result, out).await
}

pub(super) async fn revoke(form: Form, path: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let user = platform_admin(ctx).await?;
    let id = path.into_inner();
    let result = match role_change(&form) {
        Ok(change) => {
            let uid = id.clone();
            as_admin(&ctx.state, &user, move |a, admin| {
                platform::revoke_role(a, admin, uid, change)
            })
            .await
            .map(|_| ())
        }
        Err(_) => Err(ApiError::not_found("No such role grant.")),
    };
    done(
        ctx,
        &user,
        id,
        "revoked",
        "roles",
        result,
        Outcome::default(),
    )
    .await
}

pub(super) async fn disable(form: Form, path: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let user = platform_admin(ctx).await?;
    let id = path.into_inner();
    if form.get("confirm") != Some("yes") {
        let mut out = Outcome::default();
        out.errs.push("confirm", ctx.t().admin_err_confirm);
        let page = user_view(ctx, &user, id, out).await?;
        return ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let uid = id.clone();
    let result = as_admin(&ctx.state, &user, move |a, admin| {
        platform::disable_user(a, admin, uid)
    })
    .await
    .map(|_| ());
    done(
        ctx,
        &user,
        id,
        "disabled",
        "confirm",
        result,
        Outcome::default(),
    )
    .await
}

pub(super) async fn enable(form: Form, path: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let user = platform_admin(ctx).await?;
    let id = path.into_inner();
    let uid = id.clone();
    let result = as_admin(&ctx.state, &user, move |a, admin| {
        platform::enable_user(a, admin, uid)
    })
    .await
    .map(|_| ());
    done(
        ctx,
        &user,
        id,
        "enabled",
        "enable",
        result,
        Outcome::default(),
    )
    .await
}
