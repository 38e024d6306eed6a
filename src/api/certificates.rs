//! Certificates: mine, the public status and credential, the PDF, the verification page, the
//! issuer's JWK set and profile, the revocation status list, revocation.

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::Json;
use crate::auth::AuthUser;
use crate::certs::signers::{self, CertificateSigner, SignerInput};
use crate::certs::{self, page, pdf, status, CertificateKind};
use crate::db::learning::{self as q, CertificateRow};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
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
    #[schema(value_type = String)]
    pub kind: CertificateKind,
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
            name: certs::ISSUER_NAME,
            url: state.settings.public_url.clone(),
        },
        credential: c.credential,
        serial: c.serial,
    }
}

/// A certificate by its serial for anyone (the verification page, the credential, the PDF): a
/// read that may be a moment old (a replica; what it has not yet seen is read on the primary).
async fn find(state: &web::Data<AppState>, raw: String) -> ApiResult<CertificateRow> {
    let st = state.clone();
    run_blocking(move || st.read_stale(|conn| certs::admin::found_by_serial(conn, &raw))).await
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

/// The certificate as an A4 landscape PDF laid out as Vietnamese certificates are (issuing body
/// top left, national motto top right, place and date above the signer's title and name, set per
/// locality: the certificate's village, else its nearest ancestor that sets them, else the
/// `certificate_*` settings), with a QR code to the verification page.
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
    let (settings, pool) = (state.settings.clone(), state.pool.clone());
    let bytes = run_blocking(move || {
        let signing = signers::for_village(&mut *pool.get()?, &settings, c.village_id.as_deref())?;
        pdf::render(
            &pdf::CertificateText {
                recipient: &c.recipient_name,
                title: &c.title,
                title_en: &c.title_en,
                kind: c.kind,
                issued_on: c.issued_at.date(),
                serial: &c.serial,
                verify_url: &url,
                revoked: c.revoked_at.is_some(),
            },
            &signing.as_pdf(),
        )
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
                kind: c.kind,
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

/// The issuer's Open Badges 3.0 `Profile`: what the `issuer.id` of every credential
/// (`{public_url}/issuer`) resolves to.
#[utoipa::path(tag = "certificates", responses((status = 200, description = "Open Badges 3.0 issuer profile (JSON-LD)", content_type = "application/json")))]
#[get("/issuer")]
pub async fn issuer_profile(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .json(certs::issuer_profile(&state.settings.public_url))
}

/// A revocation status list (W3C Bitstring Status List) that credentials name in their
/// `credentialStatus`: a `BitstringStatusListCredential` signed as a VC-JWT (EdDSA) with the
/// issuer's key (`/.well-known/jwks.json`). Its `encodedList` is the multibase base64url (`u`) of
/// the GZIP-compressed bitstring of 131,072 places; a place's bit is 1 once its certificate is
/// revoked. Computed when asked for; caches may keep it for 60 seconds (`ttl`), and `ETag` /
/// `If-None-Match` give 304.
#[utoipa::path(tag = "certificates", params(
    ("list" = u32, Path, description = "The list's number, from 1, as `statusListCredential` gives it"),
    ("If-None-Match" = Option<String>, Header, description = "`ETag`s of earlier answers: 304 when one still matches"),
), responses(
    (status = 200, description = "The status list credential as a compact JWS", content_type = "application/vc+jwt", body = String),
    (status = 304, description = "Unchanged since the `ETag` given"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/credentials/status/{list}")]
pub async fn status_list(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let raw = path.into_inner();
    let no_list = || ApiError::not_found(format!("No status list `{raw}`."));
    let list = raw
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=i64::MAX / status::LIST_SIZE).contains(n))
        .ok_or_else(no_list)?;
    let state2 = state.clone();
    let jwt = run_blocking(move || {
        let (revoked, exists) = q::revoked_in_status_list(
            &mut *state2.pool.get()?,
            status::first_index(list),
            status::LIST_SIZE,
        )?;
        if !exists && list != 1 {
            return Ok(None);
        }
        let revoked: Vec<_> = revoked
            .into_iter()
            .map(|(i, at)| (i, at.and_utc()))
            .collect();
        status::list_credential(&state2.issuer, &state2.settings.public_url, list, &revoked)
            .map(Some)
            .map_err(ApiError::internal)
    })
    .await?
    .ok_or_else(no_list)?;
    let etag = format!(
        "\"{}\"",
        hex::encode(&<sha2::Sha256 as sha2::Digest>::digest(jwt.as_bytes())[..16])
    );
    let cache = format!("public, max-age={}", status::MAX_AGE_SECONDS);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut res = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache));
    Ok(if unchanged {
        res.finish()
    } else {
        res.content_type("application/vc+jwt").body(jwt)
    })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    #[schema(schema_with = super::constraints::text::<500>)]
    pub reason: String,
}

/// Revoke a certificate (platform admins); the public status and page show it at once, and the
/// certificate's bit in its revocation status list turns 1.
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
    let (pool, writer, now) = (state.pool.clone(), state.writer.clone(), state.clock.now());
    let (serial, reason) = (path.into_inner(), body.0.reason);
    let row =
        run_blocking(move || certs::admin::revoke(&pool, &writer, now, &user, &serial, &reason))
            .await?;
    Ok(web::Json(view(&state, row)))
}

/// Who issues and signs the certificates of a locality's learners. Each field is optional:
/// absent or `null` inherits, field by field, from the nearest ancestor that sets it, else from
/// the `certificate_*` settings. Line breaks start new lines in the issuing body and the title.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateSignerRequest {
    /// The issuing body printed (in capitals) at the top left, e.g. `Ủy ban nhân dân xã Tân Phú`:
    /// 1–200 characters once trimmed.
    #[schema(min_length = 1, max_length = 200, nullable)]
    #[serde(default)]
    pub issuing_body: Option<String>,
    /// The place in the date line (`Tân Phú, ngày …`): at most 100 characters on one line; empty
    /// prints no place.
    #[schema(max_length = 100, nullable, pattern = "^[^\r\n]*$")]
    #[serde(default)]
    pub place: Option<String>,
    /// The signer's title above the signature (in capitals), e.g. `TM. Ủy ban nhân dân\nChủ
    /// tịch`: 1–200 characters once trimmed.
    #[schema(min_length = 1, max_length = 200, nullable)]
    #[serde(default)]
    pub signer_title: Option<String>,
    /// The signer's name under the room for signature and seal: at most 100 characters on one
    /// line; empty leaves it blank, to be signed by hand.
    #[schema(max_length = 100, nullable, pattern = "^[^\r\n]*$")]
    #[serde(default)]
    pub signer_name: Option<String>,
}

/// Set who issues and signs the certificates of a locality's learners (admins of the locality's
/// subtree). Replaces what the locality set before; certificates already issued print the new
/// values too.
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path)), request_body = CertificateSignerRequest, responses(
    (status = 200, body = CertificateSigner),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/admin/localities/{id}/certificate-signer")]
pub async fn put_certificate_signer(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<CertificateSignerRequest>,
) -> ApiResult<web::Json<CertificateSigner>> {
    let b = body.0;
    let input = SignerInput {
        issuing_body: b.issuing_body,
        place: b.place,
        signer_title: b.signer_title,
        signer_name: b.signer_name,
    };
    let id = path.into_inner();
    let (pool, writer, settings) = (
        state.pool.clone(),
        state.writer.clone(),
        state.settings.clone(),
    );
    let signer =
        run_blocking(move || signers::set(&pool, &writer, &settings, &user, id, input)).await?;
    Ok(web::Json(signer))
}

/// Who issues and signs the certificates of a locality's learners: what the locality sets
/// (`null`: inherited) and what its certificates print (`effective`).
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = CertificateSigner),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/admin/localities/{id}/certificate-signer")]
pub async fn get_certificate_signer(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<CertificateSigner>> {
    let id = path.into_inner();
    let (pool, settings) = (state.pool.clone(), state.settings.clone());
    let signer = run_blocking(move || signers::get(&pool, &settings, &user, &id)).await?;
    Ok(web::Json(signer))
}
