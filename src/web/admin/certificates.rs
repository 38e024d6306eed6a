//! Certificates as platform admins handle them: found by the serial a person reads out or types
//! (any case, spaces, hyphens), shown with their status, and revoked with a reason
//! (`certs::admin::revoke`, as `POST /api/v1/admin/certificates/{serial}/revoke`). The public
//! verification page (`/verify/{serial}`) then says it is revoked, and why.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::super::{day, field_errors, is_validation, pick, Chrome, Ctx, Errors, Form, PageError};
use super::{platform_admin, Answer};
use crate::auth::AuthUser;
use crate::certs::admin as certs;
use crate::telemetry::run_blocking;

#[derive(Template)]
#[template(path = "admin_certificates.html")]
struct SearchPage {
    c: Chrome,
    serial: String,
    errs: Errors,
}

#[derive(Template)]
#[template(path = "admin_certificate.html")]
struct CertificatePage {
    c: Chrome,
    serial: String,
    recipient: String,
    title: String,
    issued: String,
    /// The user the certificate was issued to (their admin page).
    owner_href: String,
    verify_href: String,
    revoked_on: String,
    revoked_reason: String,
    revoked: bool,
    reason: String,
    errs: Errors,
    flash: String,
}

#[derive(Deserialize)]
pub(super) struct SearchQuery {
    serial: Option<String>,
}

pub(super) async fn search_page(
    ctx: Ctx,
    query: Result<web::Query<SearchQuery>, actix_web::Error>,
) -> Answer {
    let user = platform_admin(&ctx).await?;
    let t = ctx.t();
    let serial = query
        .ok()
        .and_then(|q| q.serial.clone())
        .unwrap_or_default();
    let mut errs = Errors::default();
    if !serial.trim().is_empty() {
        let (pool, raw) = (ctx.state.pool.clone(), serial.clone());
        match run_blocking(move || certs::serial_of(&pool, &user, &raw)).await {
            Ok(serial) => return Ok(ctx.see_other(&format!("/admin/certificates/{serial}"))),
            Err(e) if e.status == StatusCode::NOT_FOUND => {
                errs.push("serial", t.admin_no_certificate)
            }
            Err(e) => return Err(PageError::hidden(ctx.lang, e)),
        }
    }
    ctx.ok(&SearchPage {
        c: ctx.chrome(t.admin_certificates_title, true),
        serial,
        errs,
    })
}

pub(super) async fn certificate_page(ctx: Ctx, path: web::Path<String>) -> Answer {
    let user = platform_admin(&ctx).await?;
    let flash = if ctx.here.ends_with("?done=revoked") {
        ctx.t().admin_cert_revoked_done
    } else {
        ""
    };
    let page = certificate_view(
        &ctx,
        &user,
        path.into_inner(),
        String::new(),
        Errors::default(),
        flash,
    )
    .await?;
    ctx.ok(&page)
}

async fn certificate_view(
    ctx: &Ctx,
    user: &AuthUser,
    serial: String,
    reason: String,
    errs: Errors,
    flash: &str,
) -> Result<CertificatePage, PageError> {
    let lang = ctx.lang;
    let (pool, writer, actor) = (
        ctx.state.pool.clone(),
        ctx.state.writer.clone(),
        user.clone(),
    );
    let c = run_blocking(move || certs::find(&pool, &writer, &actor, &serial))
        .await
        .map_err(|e| PageError::hidden(lang, e))?;
    Ok(CertificatePage {
        c: ctx.chrome(
            format!("{} {}", ctx.t().admin_certificate_title, c.serial),
            true,
        ),
        owner_href: format!("/admin/users/{}", c.user_id),
        verify_href: format!("/verify/{}", c.serial),
        recipient: c.recipient_name,
        title: pick(lang, &c.title, &c.title_en).to_string(),
        issued: day(lang, c.issued_at),
        revoked: c.revoked_at.is_some(),
        revoked_on: c.revoked_at.map(|d| day(lang, d)).unwrap_or_default(),
        revoked_reason: c.revoked_reason.unwrap_or_default(),
        serial: c.serial,
        reason,
        errs,
        flash: flash.to_string(),
    })
}

pub(super) async fn revoke(form: Form, path: web::Path<String>) -> Answer {
    let ctx = &form.ctx;
    let user = platform_admin(ctx).await?;
    let serial = path.into_inner();
    let reason = form.text("reason");
    let (pool, writer, now) = (
        ctx.state.pool.clone(),
        ctx.state.writer.clone(),
        ctx.state.clock.now(),
    );
    let (actor, raw, why) = (user.clone(), serial.clone(), reason.clone());
    match run_blocking(move || certs::revoke(&pool, &writer, now, &actor, &raw, &why)).await {
        Ok(c) => Ok(ctx.see_other(&format!("/admin/certificates/{}?done=revoked", c.serial))),
        Err(e) if is_validation(&e) => {
            let errs = Errors(field_errors(ctx.lang, &e));
            let page = certificate_view(ctx, &user, serial, reason, errs, "").await?;
            ctx.render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(PageError::hidden(ctx.lang, e)),
    }
}
