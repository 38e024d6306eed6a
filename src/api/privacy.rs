//! The privacy notice and the signed-in person's consents to it (src/privacy, docs/PRIVACY.md).

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::Json;
use super::pagination::{self, Page};
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::i18n::Lang;
use crate::privacy::access_records::{self, AccessRecord, Cursor};
use crate::privacy::choices::{self, Choices, ChoicesChange};
use crate::privacy::export::{self, ExportStatus, ExportView, Store};
use crate::privacy::{self, Consents, Notice};
use crate::state::AppState;
use crate::telemetry::{run_blocking, run_writing};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NoticeQuery {
    /// `vi` (default) or `en`.
    pub lang: Option<String>,
}

/// The privacy notice: its version, the controller of the data and the text (public).
#[utoipa::path(tag = "privacy", params(NoticeQuery), responses(
    (status = 200, body = Notice),
))]
#[get("/privacy")]
pub async fn get_notice(
    state: web::Data<AppState>,
    q: web::Query<NoticeQuery>,
) -> ApiResult<web::Json<Notice>> {
    let lang = q.lang.as_deref().and_then(Lang::parse).unwrap_or_default();
    Ok(web::Json(privacy::notice(&state.settings, lang)))
}

/// My consents to the privacy notice, and whether the current version awaits my consent.
#[utoipa::path(tag = "privacy", security(("bearer" = [])), responses(
    (status = 200, body = Consents),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/me/consents")]
pub async fn my_consents(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let pool = state.pool.clone();
    let c = run_blocking(move || privacy::my_consents(&mut *pool.get()?, &user)).await?;
    Ok(HttpResponse::Ok().json(c))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptRequest {
    /// The version read and accepted: the current one (else 422 `consent_outdated`).
    pub notice_version: Option<String>,
}

/// Accept the current privacy notice (asked after a new version; nothing new when it already
/// stands).
#[utoipa::path(tag = "privacy", security(("bearer" = [])), request_body = AcceptRequest, responses(
    (status = 200, body = Consents),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/me/consents")]
pub async fn accept(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<AcceptRequest>,
) -> ApiResult<HttpResponse> {
    let version = body.0.notice_version;
    let c = run_writing(&state, move |conn| {
        privacy::accept(conn, &user, version.as_deref())
    })
    .await?;
    Ok(HttpResponse::Ok().json(c))
}

/// Withdraw one of my consents (409 `consent_withdrawn` when it already is).
#[utoipa::path(tag = "privacy", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = Consents),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/me/consents/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let c = run_writing(&state, move |conn| privacy::withdraw(conn, &user, &id)).await?;
    Ok(HttpResponse::Ok().json(c))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AccessRecordsQuery {
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Opaque: the `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Who read my data (facilitators and admins), newest first: their display name and role, what
/// they read and when. My own reads are not recorded.
#[utoipa::path(tag = "privacy", security(("bearer" = [])), params(AccessRecordsQuery), responses(
    (status = 200, body = Page<AccessRecord>),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/me/access-records")]
pub async fn my_access_records(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<AccessRecordsQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let limit = pagination::limit(query.limit)?;
    let after = match query.cursor.as_deref() {
        Some(c) => Some(Cursor::from_parts(&pagination::decode_cursor(c, 2)?)?),
        None => None,
    };
    let pool = state.pool.clone();
    let page =
        run_blocking(move || access_records::mine(&mut *pool.get()?, &user, after, limit)).await?;
    let next_cursor = page.next.map(|c| {
        let [at, id] = c.to_parts();
        pagination::encode_cursor(&[&at, &id])
    });
    Ok(pagination::respond(
        &req,
        Page {
            items: page.items,
            next_cursor,
        },
    ))
}

/// Ask for a file of everything hocso holds about me. A small history is built at once (201,
/// `status: ready`); a larger one is built in the background (202, `status: pending`: follow
/// `GET /me/exports/{id}`). While one is pending, asking again answers that one.
#[utoipa::path(tag = "privacy", security(("bearer" = [])), responses(
    (status = 201, description = "Ready at once", body = ExportView),
    (status = 202, description = "Being built in the background", body = ExportView),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/me/exports")]
pub async fn request_export(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let st = state.clone();
    let v = run_blocking(move || export::request(&Store::of(&st), &user)).await?;
    let location = format!("/api/v1/me/exports/{}", v.id);
    let mut res = if v.status == ExportStatus::Ready {
        HttpResponse::Created()
    } else {
        HttpResponse::Accepted()
    };
    Ok(res.insert_header(("Location", location)).json(v))
}

/// One of my exports: its state, and when it expires.
#[utoipa::path(tag = "privacy", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = ExportView),
    (status = 404, description = "No such export of yours", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/me/exports/{id}")]
pub async fn get_export(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (pool, id) = (state.pool.clone(), path.into_inner());
    let v = run_blocking(move || export::status(&mut *pool.get()?, &user, &id)).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// The file's form.
#[derive(Deserialize, ToSchema, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// Machine-readable.
    #[default]
    Json,
    /// A readable page, Vietnamese and English labels.
    Html,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DownloadQuery {
    /// `json` (default) or `html`.
    #[param(inline)]
    pub format: Option<ExportFormat>,
}

/// The file of one of my exports, as an attachment: JSON or a readable HTML page. 409
/// `export_not_ready` before it is built, 410 `export_expired` once it has expired.
#[utoipa::path(tag = "privacy", security(("bearer" = [])), params(("id" = String, Path), DownloadQuery), responses(
    (status = 200, description = "The file (JSON, or HTML with `format=html`)", content(
        (Object = "application/json"),
        (String = "text/html"),
    )),
    (status = 404, description = "No such export of yours", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 410, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/me/exports/{id}/download")]
pub async fn download_export(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<DownloadQuery>,
) -> ApiResult<HttpResponse> {
    let html = query.format.unwrap_or_default() == ExportFormat::Html;
    let (pool, id) = (state.pool.clone(), path.into_inner());
    let file =
        run_blocking(move || export::download_file(&mut *pool.get()?, &user, &id, html)).await?;
    Ok(export_file_response(file))
}

/// An export's file (body, file name, content type, from [`export::download_file`]) as a
/// download that no cache keeps; the web page answers it the same way.
pub fn export_file_response((body, name, kind): (String, String, &'static str)) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(kind)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(body)
}

/// My choices about optional processing of my data: mail other than security mail, and my full
/// name in facilitators' lists (docs/PRIVACY.md, restriction and objection).
#[utoipa::path(tag = "privacy", security(("bearer" = [])), responses(
    (status = 200, body = Choices),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/me/privacy/choices")]
pub async fn my_choices(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let pool = state.pool.clone();
    let c = run_blocking(move || choices::mine(&mut *pool.get()?, &user)).await?;
    Ok(HttpResponse::Ok().json(c))
}

/// Set my choices (both required, else 422 beside the missing one). Refusing `optional_mail`
/// stops every mail but security mail (e-mail verification, password reset); refusing
/// `name_in_lists` shows initials instead of my name in facilitators' lists. Audited.
#[utoipa::path(tag = "privacy", security(("bearer" = [])), request_body = ChoicesChange, responses(
    (status = 200, body = Choices),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/me/privacy/choices")]
pub async fn set_choices(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<ChoicesChange>,
) -> ApiResult<HttpResponse> {
    let change = body.0;
    let c = run_writing(&state, move |conn| choices::set(conn, &user, change)).await?;
    Ok(HttpResponse::Ok().json(c))
}
