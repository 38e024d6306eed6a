//! `/api/v1/reports`: the movement's indicators for a locality and its subtree.

use actix_web::http::header;
use actix_web::{delete, get, put, web, HttpResponse};
use chrono::Datelike;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::constraints as c;
use super::extract::Json;
use crate::access::{self, Action, AdminArea};
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::reports::{self, IndicatorConfig, Months, Report, ReportInput, TargetSetting};
use crate::state::AppState;
use crate::telemetry::run_blocking;

#[derive(Deserialize, IntoParams)]
pub struct IndicatorQuery {
    /// Defaults to the current year.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// `children`: the same figures for each child locality too.
    #[param(schema_with = c::breakdown_or_null)]
    pub breakdown: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct SheetQuery {
    /// Defaults to the current year.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

async fn compute(
    state: &web::Data<AppState>,
    user: AuthUser,
    id: String,
    year: Option<i32>,
    breakdown: Option<String>,
) -> ApiResult<Report> {
    let year = year.unwrap_or_else(|| state.clock.now().year());
    let input = ReportInput::parse(year, breakdown.as_deref())?;
    reports::report_in_slot(state, user, id, input).await
}

/// Indicators of a locality and its whole subtree: numerator, denominator (census figures where
/// they exist, else registered people, and which), rate, target and gap.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(("id" = String, Path), IndicatorQuery), responses(
    (status = 200, body = Report),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/reports/localities/{id}/indicators")]
pub async fn indicators(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<IndicatorQuery>,
) -> ApiResult<web::Json<Report>> {
    let q = query.into_inner();
    let report = compute(&state, user, path.into_inner(), q.year, q.breakdown).await?;
    Ok(web::Json(report))
}

/// The commune indicator sheet as CSV (UTF-8 with BOM): STT, Tên chỉ tiêu, Giải thích chỉ tiêu,
/// Đơn vị tính, Chỉ tiêu, Thực hiện, Tỷ lệ.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(("id" = String, Path), SheetQuery), responses(
    (status = 200, description = "CSV", content_type = "text/csv"),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/reports/localities/{id}/indicators.csv")]
pub async fn indicators_csv(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<SheetQuery>,
) -> ApiResult<HttpResponse> {
    let report = compute(&state, user, path.into_inner(), query.year, None).await?;
    let (name, bytes) = reports::sheet_file(&report);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetRequest {
    /// `rate` (percent, 0–100) or `count` (people or households, a whole number up to 10⁹)
    #[schema(schema_with = c::target_kind)]
    pub kind: String,
    pub value: f64,
}

/// Set the target of an indicator for a locality and year.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(("id" = String, Path), ("year" = i32, Path, minimum = 2000, maximum = 2100), ("indicator" = String, Path)), request_body = TargetRequest, responses(
    (status = 204),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/admin/localities/{id}/targets/{year}/{indicator}")]
pub async fn put_target(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i32, String)>,
    body: Json<TargetRequest>,
) -> ApiResult<HttpResponse> {
    let (id, year, indicator) = path.into_inner();
    let target = TargetSetting::parse(year, &indicator, &body.kind, body.value)?;
    let st = state.clone();
    run_blocking(move || reports::set_target(&mut *st.pool.get()?, &st.writer, &user, &id, target))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, IntoParams)]
pub struct TimelineQuery {
    /// First month, `YYYY-MM`, from 2000-01 to 2100-12.
    #[param(pattern = r"^\+?0*(20[0-9][0-9]|2100)-\+?0*([1-9]|1[0-2])$")]
    pub from: String,
    /// Last month, `YYYY-MM`: `from` or up to 35 months after it.
    #[param(pattern = r"^\+?0*(20[0-9][0-9]|2100)-\+?0*([1-9]|1[0-2])$")]
    pub to: String,
    /// `month` (the only interval).
    #[param(schema_with = c::interval_or_null)]
    pub interval: Option<String>,
}

/// The monthly series of every indicator's numerator for a locality and its subtree.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(("id" = String, Path), TimelineQuery), responses(
    (status = 200, body = Vec<crate::reports::TimelinePoint>),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/reports/localities/{id}/indicators/timeline")]
pub async fn timeline(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<TimelineQuery>,
) -> ApiResult<web::Json<Vec<crate::reports::TimelinePoint>>> {
    let q = query.into_inner();
    let months = Months::parse(&q.from, &q.to, q.interval.as_deref())?;
    let id = path.into_inner();
    let points = reports::in_slot(&state, move |conn, _| {
        reports::timeline_for(conn, &user, &id, months)
    })
    .await?;
    Ok(web::Json(points))
}

/// Which courses or programs count for each indicator.
#[utoipa::path(tag = "reports", security(("bearer" = [])), responses(
    (status = 200, body = Vec<IndicatorConfig>),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/admin/indicators")]
pub async fn list_indicator_config(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<Vec<IndicatorConfig>>> {
    access::require(&user, Action::EnterAdminArea(AdminArea::IndicatorConfig))?;
    let pool = state.pool.clone();
    let list = run_blocking(move || reports::indicator_configs(&mut *pool.get()?)).await?;
    Ok(web::Json(list))
}

/// What makes a person count for an indicator (`reports::Qualification`): every part given must
/// hold, and at least one is given.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualificationRequest {
    /// `level2` or `any` (level 1 or 2).
    #[serde(default)]
    #[schema(schema_with = c::eid_level_or_null)]
    pub eid: Option<String>,
    /// Completed every one of these courses.
    #[serde(default)]
    #[schema(schema_with = c::keys_field)]
    pub all_courses: Vec<String>,
    /// Completed at least one of these courses.
    #[serde(default)]
    #[schema(schema_with = c::keys_field)]
    pub any_courses: Vec<String>,
    /// Holds a valid certificate of this program.
    #[serde(default)]
    #[schema(schema_with = c::key_or_null)]
    pub program: Option<String>,
}

impl From<QualificationRequest> for crate::reports::Qualification {
    fn from(q: QualificationRequest) -> Self {
        Self {
            eid: q.eid,
            all_courses: q.all_courses,
            any_courses: q.any_courses,
            program: q.program,
        }
    }
}

/// Change which courses or programs count for an indicator (platform admins).
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(("key" = String, Path)), request_body = QualificationRequest, responses(
    (status = 200, body = Vec<IndicatorConfig>),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/admin/indicators/{key}")]
pub async fn put_indicator_config(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<QualificationRequest>,
) -> ApiResult<web::Json<Vec<IndicatorConfig>>> {
    access::require(&user, Action::RunPlatform)?;
    let key = reports::known_indicator(&path)?;
    let q = crate::reports::Qualification::from(body.0).checked()?;
    let writer = state.writer.clone();
    let list = run_blocking(move || reports::configure(&writer, key, Some(q))).await?;
    Ok(web::Json(list))
}

/// Go back to the default configuration of an indicator.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(("key" = String, Path)), responses(
    (status = 200, body = Vec<IndicatorConfig>),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/admin/indicators/{key}")]
pub async fn reset_indicator_config(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<IndicatorConfig>>> {
    access::require(&user, Action::RunPlatform)?;
    let key = reports::known_indicator(&path)?;
    let writer = state.writer.clone();
    let list = run_blocking(move || reports::configure(&writer, key, None)).await?;
    Ok(web::Json(list))
}
