//! `/admin/localities`: the locality tree admins work in.

use actix_web::{get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::constraints as c;
use crate::api::extract::Json;
use crate::auth::AuthUser;
use crate::community::localities::{self, LocalityChanges, NewLocality};
use crate::community::Db;
use crate::db::users::Locality;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::telemetry::run_blocking;

#[derive(Serialize, ToSchema)]
pub struct LocalityResponse {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// province, commune or village
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl From<Locality> for LocalityResponse {
    fn from(l: Locality) -> Self {
        Self {
            id: l.id,
            parent_id: l.parent_id,
            kind: l.kind,
            name: l.name,
            code: l.code,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LocalityTree {
    #[serde(flatten)]
    pub locality: LocalityResponse,
    pub children: Vec<LocalityResponse>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLocalityRequest {
    /// Absent for a province (global admins only). A province holds communes, a commune villages;
    /// another kind under the parent → 409 `kind_mismatch`.
    pub parent_id: Option<String>,
    #[schema(schema_with = c::locality_kind)]
    pub kind: String,
    #[schema(schema_with = c::text::<200>)]
    pub name: String,
    #[schema(schema_with = c::text_or_null::<40>)]
    pub code: Option<String>,
}

impl From<CreateLocalityRequest> for NewLocality {
    fn from(b: CreateLocalityRequest) -> Self {
        Self {
            parent_id: b.parent_id,
            kind: b.kind,
            name: b.name,
            code: b.code,
        }
    }
}

/// Add a locality under one the admin administers.
#[utoipa::path(tag = "community", security(("bearer" = [])), request_body = CreateLocalityRequest, responses(
    (status = 201, body = LocalityResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such parent", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`code_taken`, or `kind_mismatch`: the parent holds another kind", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/admin/localities")]
pub async fn create_locality(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<CreateLocalityRequest>,
) -> ApiResult<HttpResponse> {
    let (db, new) = (Db::of(&state), NewLocality::from(body.0));
    let loc = run_blocking(move || localities::create(&db, &user, new)).await?;
    Ok(HttpResponse::Created().json(LocalityResponse::from(loc)))
}

/// The localities an admin starts from: every province for a global admin, else their grants.
#[utoipa::path(tag = "community", security(("bearer" = [])), responses((status = 200, body = Vec<LocalityResponse>), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/admin/localities")]
pub async fn list_localities(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<Vec<LocalityResponse>>> {
    let db = Db::of(&state);
    let list = run_blocking(move || localities::roots(&db, &user)).await?;
    Ok(web::Json(list.into_iter().map(Into::into).collect()))
}

/// A locality with its children.
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = LocalityTree),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/admin/localities/{id}")]
pub async fn get_locality(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<LocalityTree>> {
    let (db, id) = (Db::of(&state), path.into_inner());
    let (loc, children) = run_blocking(move || localities::with_children(&db, &user, &id)).await?;
    Ok(web::Json(LocalityTree {
        locality: loc.into(),
        children: children.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLocalityRequest {
    #[schema(schema_with = c::text_or_null::<200>)]
    pub name: Option<String>,
    #[schema(schema_with = c::code_or_empty_or_null)]
    pub code: Option<String>,
}

/// Rename a locality or change its official code (admins of its area).
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path)), request_body = UpdateLocalityRequest, responses(
    (status = 200, body = LocalityResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[patch("/admin/localities/{id}")]
pub async fn update_locality(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<UpdateLocalityRequest>,
) -> ApiResult<web::Json<LocalityResponse>> {
    let (db, id) = (Db::of(&state), path.into_inner());
    let ch = LocalityChanges {
        name: body.0.name,
        code: body.0.code,
    };
    let loc = run_blocking(move || localities::update(&db, &user, id, ch)).await?;
    Ok(web::Json(loc.into()))
}
