//! A learner's certificate: PDF, verification link, QR code, share.

use actix_web::{web, HttpResponse};
use askama::Template;

use super::super::{Chrome, Ctx, PageError};
#[allow(unused_imports)]
use super::catalogue::{card_view, CardView};
use super::{day, pick};
use crate::auth::AuthUser;
use crate::telemetry::run_blocking;

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    c: Chrome,
    name: String,
    title: String,
    date: String,
    serial: String,
    pdf: String,
    verify: String,
    qr_svg: String,
    revoked: bool,
}

pub(super) async fn certificate_page(
    ctx: Ctx,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = ctx.lang;
    let user: AuthUser = ctx.user().await?;
    let pool = ctx.state.pool.clone();
    let serial = path.into_inner();
    let c = run_blocking(move || crate::certs::mine(&mut *pool.get()?, &user.id, &serial))
        .await
        .map_err(|e| PageError::from_api(lang, e))?;
    let verify = crate::certs::verify_url(&ctx.state.settings.public_url, &c.serial);
    ctx.ok(&CertificatePage {
        c: ctx.chrome(pick(lang, &c.title, &c.title_en), true),
        name: c.recipient_name.clone(),
        title: pick(lang, &c.title, &c.title_en).to_string(),
        date: day(lang, c.issued_at),
        pdf: format!("/api/v1/certificates/{}/pdf", c.serial),
        qr_svg: crate::certs::qr_svg(&verify),
        verify,
        serial: c.serial,
        revoked: c.revoked_at.is_some(),
    })
}
