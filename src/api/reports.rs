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
use crate::db::schema::indicator_targets;
use crate::error::{ApiError, ApiResult};
use crate::reports::{self, Report};
use crate::state::AppState;
use crate::telemetry::{run_blocking, run_writing};

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

fn check_year(year: i32) -> ApiResult<i32> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(ApiError::field(
            "year",
            "out_of_range",
            "must be between 2000 and 2100",
        ))
    }
}

async fn compute(
    state: &web::Data<AppState>,
    user: AuthUser,
    id: String,
    q: IndicatorQuery,
) -> ApiResult<Report> {
    access::require(&user, Action::EnterAdminArea(AdminArea::Reports))?;
    let year = check_year(q.year.unwrap_or_else(|| state.clock.now().year()))?;
    let breakdown = match q.breakdown.as_deref() {
        None => false,
        Some("children") => true,
        Some(_) => {
            return Err(ApiError::field(
                "breakdown",
                "invalid",
                "the only breakdown is `children`",
            ))
        }
    };
    let st = state.clone();
    let _slot = state
        .report_slots
        .acquire()
        .await
        .map_err(ApiError::internal)?;
    run_blocking(move || {
        let mut conn = st.pool.get()?;
        access::require_admin_of(&mut conn, &user, &id)?;
        let course_title = |slug: &str| st.catalogue.get(slug).map(|c| c.card.title.clone());
        reports::report(
            &mut conn,
            &id,
            year,
            st.clock.now(),
            breakdown,
            &course_title,
        )
    })
    .await
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
    Ok(web::Json(
        compute(&state, user, path.into_inner(), query.into_inner()).await?,
    ))
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
    let q = IndicatorQuery {
        year: query.into_inner().year,
        breakdown: None,
    };
    let report = compute(&state, user, path.into_inner(), q).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"chi-tieu-{}.csv\"", report.year),
        ))
        .body(reports::sheet_csv(&report)))
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
    check_year(year)?;
    if !reports::indicator_exists(&indicator) {
        return Err(ApiError::not_found(format!("No indicator `{indicator}`.")));
    }
    let b = body.0;
    let value_bp = match b.kind.as_str() {
        "rate" if (0.0..=100.0).contains(&b.value) => (b.value * 100.0).round() as i64,
        "count" if b.value >= 0.0 && b.value.fract() == 0.0 && b.value <= 1e9 => b.value as i64,
        "rate" | "count" => {
            return Err(ApiError::field(
                "value",
                "out_of_range",
                "a rate is 0–100, a count a whole number ≥ 0",
            ))
        }
        _ => return Err(ApiError::field("kind", "invalid", "`rate` or `count`")),
    };
    let st = state.clone();
    run_blocking(move || {
        use diesel::prelude::*;
        let mut conn = st.pool.get()?;
        access::require_admin_of(&mut conn, &user, &id)?;
        let writer = st.writer.clone();
        writer.transaction(move |conn| {
            diesel::delete(
                indicator_targets::table
                    .filter(indicator_targets::locality_id.eq(&id))
                    .filter(indicator_targets::year.eq(year))
                    .filter(indicator_targets::indicator.eq(&indicator)),
            )
            .execute(conn)?;
            diesel::insert_into(indicator_targets::table)
                .values((
                    indicator_targets::locality_id.eq(&id),
                    indicator_targets::year.eq(year),
                    indicator_targets::indicator.eq(&indicator),
                    indicator_targets::kind.eq(&b.kind),
                    indicator_targets::value_bp.eq(value_bp),
                    indicator_targets::updated_at.eq(crate::db::now()),
                ))
                .execute(conn)?;
            Ok::<_, ApiError>(())
        })
    })
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

fn parse_month(field: &str, s: &str) -> ApiResult<(i32, u32)> {
    let bad = || ApiError::field(field, "invalid", "a month as YYYY-MM");
    let (y, m) = s.split_once('-').ok_or_else(bad)?;
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(2000..=2100).contains(&y) || !(1..=12).contains(&m) {
        return Err(bad());
    }
    Ok((y, m))
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
    access::require(&user, Action::EnterAdminArea(AdminArea::Reports))?;
    let q = query.into_inner();
    if q.interval.as_deref().is_some_and(|i| i != "month") {
        return Err(ApiError::field(
            "interval",
            "invalid",
            "the only interval is `month`",
        ));
    }
    let from = parse_month("from", &q.from)?;
    let to = parse_month("to", &q.to)?;
    let months = (to.0 - from.0) * 12 + to.1 as i32 - from.1 as i32;
    if !(0..36).contains(&months) {
        return Err(ApiError::field(
            "to",
            "out_of_range",
            "from 0 to 36 months after `from`",
        ));
    }
    let id = path.into_inner();
    let pool = state.pool.clone();
    let _slot = state
        .report_slots
        .acquire()
        .await
        .map_err(ApiError::internal)?;
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            access::require_admin_of(&mut conn, &user, &id)?;
            reports::timeline(&mut conn, &id, from, to)
        })
        .await?,
    ))
}

#[derive(serde::Serialize, ToSchema)]
pub struct IndicatorConfig {
    pub key: &'static str,
    pub name: &'static str,
    pub name_en: &'static str,
    pub qualification: crate::reports::Qualification,
    /// True when the default of the shipped curriculum applies.
    pub is_default: bool,
}

async fn config_list(state: &web::Data<AppState>) -> ApiResult<Vec<IndicatorConfig>> {
    let pool = state.pool.clone();
    run_blocking(move || {
        let mut conn = pool.get()?;
        let config = reports::effective_config(&mut conn)?;
        Ok(reports::INDICATORS
            .iter()
            .map(|d| {
                let q = config[d.key].clone();
                IndicatorConfig {
                    key: d.key,
                    name: d.name,
                    name_en: d.name_en,
                    is_default: q == d.condition.into(),
                    qualification: q,
                }
            })
            .collect())
    })
    .await
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
    Ok(web::Json(config_list(&state).await?))
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
    let key = path.into_inner();
    if !reports::indicator_exists(&key) {
        return Err(ApiError::not_found(format!("No indicator `{key}`.")));
    }
    let q = crate::reports::Qualification::from(body.0);
    let problems = q.problems();
    if !problems.is_empty() {
        return Err(ApiError::field(
            "qualification",
            "invalid",
            problems.join("; "),
        ));
    }
    run_writing(&state, move |conn| {
        reports::save_config(conn, &[(&key, Some(&q))])
    })
    .await?;
    Ok(web::Json(config_list(&state).await?))
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
    let key = path.into_inner();
    if !reports::indicator_exists(&key) {
        return Err(ApiError::not_found(format!("No indicator `{key}`.")));
    }
    run_writing(&state, move |conn| {
        reports::save_config(conn, &[(&key, None)])
    })
    .await?;
    Ok(web::Json(config_list(&state).await?))
}
