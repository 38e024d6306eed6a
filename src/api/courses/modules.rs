//! `/courses/{slug}/modules[/{module}[/items]]`: the draft's modules and the order of their items.

use actix_web::{delete, patch, post, put, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::DraftResponse;
use crate::api::constraints as c;
use crate::api::extract::Json;
use crate::auth::AuthUser;
use crate::content::{ModuleDoc, ModuleMeta};
use crate::courses::authoring::{self, ModulePatch};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::telemetry::run_blocking;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateModuleRequest {
    #[schema(schema_with = c::key)]
    pub key: String,
    #[schema(schema_with = c::text::<200>)]
    pub title: String,
    #[schema(schema_with = c::text::<200>)]
    pub title_en: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub summary_en: String,
    /// 0-based position; at the end when absent. Past the end → 409 `position_out_of_range`.
    #[schema(minimum = 0, maximum = 100_000)]
    pub position: Option<usize>,
}

/// Add a module to the draft.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path)), request_body = CreateModuleRequest, responses(
    (status = 201, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`key_taken`, or `position_out_of_range`", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/courses/{slug}/modules")]
pub async fn create_module(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<CreateModuleRequest>,
) -> ApiResult<HttpResponse> {
    let (pool, slug, b) = (state.pool.clone(), path.into_inner(), body.0);
    let module = ModuleDoc {
        key: b.key,
        meta: ModuleMeta {
            title: b.title,
            title_en: b.title_en,
            summary: b.summary,
            summary_en: b.summary_en,
        },
        items: Vec::new(),
    };
    let draft =
        run_blocking(move || authoring::create_module(&pool, &user, &slug, module, b.position))
            .await?;
    Ok(HttpResponse::Created().json(DraftResponse::from(draft)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateModuleRequest {
    #[schema(schema_with = c::text_or_null::<200>)]
    pub title: Option<String>,
    #[schema(schema_with = c::text_or_null::<200>)]
    pub title_en: Option<String>,
    pub summary: Option<String>,
    pub summary_en: Option<String>,
}

/// Change a module's titles and summaries.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("module" = String, Path)), request_body = UpdateModuleRequest, responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[patch("/courses/{slug}/modules/{module}")]
pub async fn update_module(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<UpdateModuleRequest>,
) -> ApiResult<web::Json<DraftResponse>> {
    let (pool, (slug, key), b) = (state.pool.clone(), path.into_inner(), body.0);
    let patch = ModulePatch {
        title: b.title,
        title_en: b.title_en,
        summary: b.summary,
        summary_en: b.summary_en,
    };
    let draft =
        run_blocking(move || authoring::update_module(&pool, &user, &slug, &key, patch)).await?;
    Ok(web::Json(draft.into()))
}

/// Remove a module and its items from the draft.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("module" = String, Path)), responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/courses/{slug}/modules/{module}")]
pub async fn delete_module(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<DraftResponse>> {
    let (pool, (slug, key)) = (state.pool.clone(), path.into_inner());
    let draft = run_blocking(move || authoring::delete_module(&pool, &user, &slug, &key)).await?;
    Ok(web::Json(draft.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderRequest {
    /// Every key exactly once, in the new order.
    #[schema(schema_with = c::distinct_strings)]
    pub keys: Vec<String>,
}

/// Reorder the modules of the draft.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path)), request_body = OrderRequest, responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "Keys missing, unknown or repeated", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/courses/{slug}/modules")]
pub async fn reorder_modules(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<OrderRequest>,
) -> ApiResult<web::Json<DraftResponse>> {
    let (pool, slug, keys) = (state.pool.clone(), path.into_inner(), body.0.keys);
    let draft = run_blocking(move || authoring::reorder_modules(&pool, &user, &slug, keys)).await?;
    Ok(web::Json(draft.into()))
}

/// Reorder the lessons and quizzes of a module.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("module" = String, Path)), request_body = OrderRequest, responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "Keys missing, unknown or repeated", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/courses/{slug}/modules/{module}/items")]
pub async fn reorder_items(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<OrderRequest>,
) -> ApiResult<web::Json<DraftResponse>> {
    let (pool, (slug, module), keys) = (state.pool.clone(), path.into_inner(), body.0.keys);
    let draft =
        run_blocking(move || authoring::reorder_items(&pool, &user, &slug, &module, keys)).await?;
    Ok(web::Json(draft.into()))
}
