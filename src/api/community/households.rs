//! `/admin/localities/{id}/households`: the households of a village.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::constraints as c;
use crate::api::extract::Json;
use crate::auth::AuthUser;
use crate::community::households::{self, NewHousehold};
use crate::community::Db;
use crate::db::community::Household;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::telemetry::run_blocking;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateHouseholdRequest {
    #[schema(schema_with = c::text::<40>)]
    pub code: String,
    #[schema(schema_with = c::text::<200>)]
    pub label: String,
    pub address: Option<String>,
}

/// Add a household to a village (its admins and facilitators).
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path)), request_body = CreateHouseholdRequest, responses(
    (status = 201, body = Household),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`code_taken`, or `not_a_village`", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/admin/localities/{id}/households")]
pub async fn create_household(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<CreateHouseholdRequest>,
) -> ApiResult<HttpResponse> {
    let (db, village_id, b) = (Db::of(&state), path.into_inner(), body.0);
    let new = NewHousehold {
        code: b.code,
        label: b.label,
        address: b.address,
    };
    let household = run_blocking(move || households::create(&db, &user, village_id, new)).await?;
    Ok(HttpResponse::Created().json(household))
}

/// The households of a village.
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = Vec<Household>),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`not_a_village`", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/admin/localities/{id}/households")]
pub async fn list_households(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<Household>>> {
    let (db, id) = (Db::of(&state), path.into_inner());
    let list = run_blocking(move || households::of_village(&db, &user, &id)).await?;
    Ok(web::Json(list))
}
