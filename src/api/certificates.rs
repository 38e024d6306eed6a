//! Certificates: mine, the public status and credential, the PDF, the verification page, the
//! issuer's JWK set, revocation.

use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::Json;
use crate::auth::{AuthUser, Role};
use crate::certs::{self, page, pdf};
use crate::db::learning::{self as q, CertificateRow};
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use crate::telemetry::run_blocking;

#[derive(Serialize, ToSchema)]
pub struct IssuerInfo {
    pub name: &'static str,
    pub url: String,
}

#[derive(Serialize, ToSchema)]
pub struct CertificateResponse {
    pub serial: String,
    /// `valid` or `revoked`
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_reason: Option<String>,
    pub recipient_name: String,
    /// `course` or `program`
    pub kind: String,
    pub title: String,
    pub title_en: String,
    pub issued_at: DateTime<Utc>,
    pub issuer: IssuerInfo,
    /// The public page a QR code opens.
    pub verify_url: String,
    /// Open Badges 3.0 credential as a VC-JWT (EdDSA); verify it with `/.well-known/jwks.json`.
    pub credential: String,
}

fn verify_url(state: &AppState, serial: &str) -> String {
    format!(
        "{}/verify/{serial}",
        state.settings.public_url.trim_end_matches('/')
    )
}

fn view(state: &AppState, c: CertificateRow) -> CertificateResponse {
    CertificateResponse {
        verify_url: verify_url(state, &c.serial),
        status: if c.revoked_at.is_some() {
            "revoked"
        } else {
            "valid"
        },
        revoked_at: c.revoked_at.map(|d| d.and_utc()),
        revoked_reason: c.revoked_reason,
        recipient_name: c.recipient_name,
        kind: c.kind,
        title: c.title,
        title_en: c.title_en,
        issued_at: c.issued_at.and_utc(),
        issuer: IssuerInfo {
            name: "Học số – Bình dân học vụ số",
            url: state.settings.public_url.clone(),
        },
        credential: c.credential,
        serial: c.serial,
    }
}

fn certificate_not_found(serial: &str) -> ApiError {
    ApiError::not_found(format!("No certificate `{serial}`."))
}

async fn find(state: &web::Data<AppState>, raw: String) -> ApiResult<CertificateRow> {
    let serial = certs::parse_serial(&raw).ok_or_else(|| certificate_not_found(&raw))?;
    let pool = state.pool.clone();
    run_blocking(move || {
        q::certificate_by_serial(&mut *pool.get()?, &serial)?
            .ok_or_else(|| certificate_not_found(&serial))
    })
    .await
}

/// My certificates.
#[utoipa::path(tag = "certificates", security(("bearer" = [])), responses((status = 200, body = Vec<CertificateResponse>)))]
#[get("/me/certificates")]
pub async fn my_certificates(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<Vec<CertificateResponse>>> {
    let pool = state.pool.clone();
    let rows = run_blocking(move || Ok(q::certificates_of(&mut *pool.get()?, &user.id)?)).await?;
    Ok(web::Json(
        rows.into_iter().map(|c| view(&state, c)).collect(),
    ))
}

/// A certificate's public status and credential (no login). Serials may be typed in any case,
/// with spaces or hyphens.
#[utoipa::path(tag = "certificates", params(("serial" = String, Path)), responses(
    (status = 200, body = CertificateResponse),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/certificates/{serial}")]
pub async fn get_certificate(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<CertificateResponse>> {
    let c = find(&state, path.into_inner()).await?;
    Ok(web::Json(view(&state, c)))
}

/// The certificate as an A4 landscape PDF with a QR code to the verification page.
#[utoipa::path(tag = "certificates", params(("serial" = String, Path)), responses(
    (status = 200, description = "PDF", content_type = "application/pdf"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/certificates/{serial}/pdf")]
pub async fn certificate_pdf(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let c = find(&state, path.into_inner()).await?;
    let url = verify_url(&state, &c.serial);
    let bytes = run_blocking(move || {
        pdf::render(&pdf::CertificateText {
            recipient: &c.recipient_name,
            title: &c.title,
            title_en: &c.title_en,
            kind: &c.kind,
            issued_on: &c.issued_at.format("%d/%m/%Y").to_string(),
            serial: &c.serial,
            verify_url: &url,
            revoked: c.revoked_at.is_some(),
        })
        .map(|b| (b, c.serial))
        .map_err(ApiError::internal)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"chung-nhan-{}.pdf\"", bytes.1),
        ))
        .body(bytes.0))
}

/// The public verification page a QR code opens: HTML in Vietnamese, no JavaScript.
#[utoipa::path(tag = "certificates", params(("serial" = String, Path)), responses(
    (status = 200, description = "HTML page", content_type = "text/html"),
    (status = 404, description = "HTML page: unknown serial", content_type = "text/html"),
))]
#[get("/verify/{serial}")]
pub async fn verify_page(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let raw = path.into_inner();
    let html = |status: actix_web::http::StatusCode, body: String| {
        HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .body(body)
    };
    match find(&state, raw.clone()).await {
        Ok(c) => html(
            actix_web::http::StatusCode::OK,
            page::verify(&page::VerifyView {
                serial: &c.serial,
                recipient: &c.recipient_name,
                title: &c.title,
                kind: &c.kind,
                issued_on: &c.issued_at.format("%d/%m/%Y").to_string(),
                revoked: c.revoked_at.map(|d| {
                    (
                        d.format("%d/%m/%Y").to_string(),
                        c.revoked_reason.clone().unwrap_or_default(),
                    )
                }),
            }),
        ),
        Err(e) if e.status == actix_web::http::StatusCode::NOT_FOUND => html(
            actix_web::http::StatusCode::NOT_FOUND,
            page::not_found(&raw),
        ),
        Err(e) => {
            tracing::error!(error = ?e, "verification page failed");
            html(e.status, page::not_found(&raw))
        }
    }
}

/// The issuer's public keys (JWK set) that verify every credential.
#[utoipa::path(tag = "certificates", responses((status = 200, description = "JWK set", content_type = "application/jwk-set+json")))]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/jwk-set+json")
        .json(state.issuer.jwks())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    #[schema(schema_with = super::constraints::text::<500>)]
    pub reason: String,
}

/// Revoke a certificate (platform admins); the public status and page show it at once.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("serial" = String, Path)), request_body = RevokeRequest, responses(
    (status = 200, body = CertificateResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/admin/certificates/{serial}/revoke")]
pub async fn revoke_certificate(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<RevokeRequest>,
) -> ApiResult<web::Json<CertificateResponse>> {
    user.require_global(Role::Admin)?;
    let reason = body.0.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::field(
            "reason",
            "invalid",
            "give a reason of 1 to 500 characters",
        ));
    }
    let c = find(&state, path.into_inner()).await?;
    let pool = state.pool.clone();
    let now = state.clock.now();
    let serial = c.serial.clone();
    let row = run_blocking(move || {
        let mut conn = pool.get()?;
        crate::db::transaction::<_, ApiError, _>(&mut conn, |conn| {
            q::revoke_certificate(conn, &serial, &reason, now)?;
            let row = q::certificate_by_serial(conn, &serial)?
                .ok_or_else(|| certificate_not_found(&serial))?;
            crate::reports::refresh_facts(conn, &row.user_id)?;
            Ok(row)
        })
    })
    .await?;
    Ok(web::Json(view(&state, row)))
}
