//! `/admin/localities/{id}/census/{year}`: the census figures of a locality.

use actix_web::{get, put, web};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::extract::Json;
use crate::auth::AuthUser;
use crate::community::localities::{self, CensusFigures};
use crate::community::Db;
use crate::db::community::Census;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::telemetry::run_blocking;

/// The census figures of a locality for a year; absent or null figures are unknown.
#[derive(Deserialize, ToSchema)]
pub struct CensusRequest {
    #[schema(minimum = 0, maximum = 200_000_000)]
    pub population: Option<i64>,
    #[schema(minimum = 0, maximum = 200_000_000)]
    pub aged_14_plus: Option<i64>,
    /// At most `population`.
    #[schema(minimum = 0, maximum = 200_000_000)]
    pub adults: Option<i64>,
    #[schema(minimum = 0, maximum = 200_000_000)]
    pub working_age: Option<i64>,
    #[schema(minimum = 0, maximum = 200_000_000)]
    pub households: Option<i64>,
    #[schema(minimum = 0, maximum = 200_000_000)]
    pub officials: Option<i64>,
    #[schema(minimum = 0, maximum = 200_000_000)]
    pub enterprise_workers: Option<i64>,
    /// Pupils and students (the denominator of `students_skilled`).
    #[schema(minimum = 0, maximum = 200_000_000)]
    pub students: Option<i64>,
}

impl From<CensusRequest> for CensusFigures {
    fn from(b: CensusRequest) -> Self {
        Self {
            population: b.population,
            aged_14_plus: b.aged_14_plus,
            adults: b.adults,
            working_age: b.working_age,
            households: b.households,
            officials: b.officials,
            enterprise_workers: b.enterprise_workers,
            students: b.students,
        }
    }
}

/// Set the census figures of a locality for a year (the denominators of the official rates).
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path), ("year" = i32, Path, minimum = 2000, maximum = 2100)), request_body = CensusRequest, responses(
    (status = 200, body = Census),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/admin/localities/{id}/census/{year}")]
pub async fn put_census(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i32)>,
    body: Json<CensusRequest>,
) -> ApiResult<web::Json<Census>> {
    let (db, (id, year)) = (Db::of(&state), path.into_inner());
    let figures = CensusFigures::from(body.0);
    let census = run_blocking(move || localities::set_census(&db, &user, id, year, figures));
    Ok(web::Json(census.await?))
}

/// The census figures of a locality for a year.
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path), ("year" = i32, Path)), responses(
    (status = 200, body = Census),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/admin/localities/{id}/census/{year}")]
pub async fn get_census(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i32)>,
) -> ApiResult<web::Json<Census>> {
    let (db, (id, year)) = (Db::of(&state), path.into_inner());
    let census = run_blocking(move || localities::census(&db, &user, &id, year)).await?;
    Ok(web::Json(census))
}
