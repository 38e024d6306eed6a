//! `/admin/imports/residents`: residents imported from CSV (`text/csv`, or a file in a
//! `multipart/form-data` form).

use actix_web::{post, web, HttpRequest};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::api::constraints as c;
use crate::auth::AuthUser;
use crate::community::imports;
use crate::community::Db;
use crate::error::{ApiError, ApiResult};
use crate::imports::ImportReport;
use crate::state::AppState;
use crate::telemetry::run_blocking;

#[derive(Deserialize, IntoParams)]
pub struct ImportQuery {
    /// `all_or_nothing`: apply no row when any row has a problem. Default (`valid_rows`): apply
    /// the valid rows.
    #[param(schema_with = c::import_mode_or_null)]
    pub mode: Option<String>,
}

/// A CSV file sent as a form (`multipart/form-data`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// The CSV file.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// The CSV of an upload: the body itself (`text/csv`), or the `file` part of a
/// `multipart/form-data` body.
async fn uploaded_csv(req: &HttpRequest, body: web::Bytes) -> ApiResult<web::Bytes> {
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return Ok(body);
    }
    let missing = || {
        ApiError::field(
            "file",
            "required",
            "A multipart/form-data body needs a `file` part holding the CSV.",
        )
    };
    let boundary = multer::parse_boundary(content_type).map_err(|_| missing())?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Some(field) = form.next_field().await.map_err(|_| missing())? {
        if field.name() == Some("file") {
            return field.bytes().await.map_err(|_| missing());
        }
    }
    Err(missing())
}

/// Import residents from CSV (`village_code, household_code, name, birth_year, learner_group,
/// phone, eid_status[, external_id]`), UTF-8 with or without BOM, comma or semicolon. The answer
/// reports every problem by row and column; running the same file again changes nothing.
#[utoipa::path(tag = "community", security(("bearer" = [])), params(ImportQuery), request_body(content(
    (String = "text/csv"),
    (ImportUpload = "multipart/form-data"),
)), responses(
    (status = 200, body = crate::imports::ImportReport),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/admin/imports/residents")]
pub async fn import_residents(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ImportQuery>,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<web::Json<ImportReport>> {
    // Refused before the upload is read.
    imports::may_import(&user)?;
    let (db, mode) = (Db::of(&state), query.into_inner().mode);
    let csv = uploaded_csv(&req, body).await?;
    let report =
        run_blocking(move || imports::import_residents(&db, &user, &csv, mode.as_deref())).await?;
    Ok(web::Json(report))
}
