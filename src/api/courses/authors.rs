//! `/courses/{slug}/authors[/{user_id}]`: a course's co-authors.

use actix_web::{delete, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::DraftResponse;
use crate::api::extract::Json;
use crate::auth::AuthUser;
use crate::courses::authoring;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::telemetry::run_blocking;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorRequest {
    pub user_id: String,
}

/// Add a co-author.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path)), request_body = AuthorRequest, responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "`user_id` names no user (`not_found`)", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/courses/{slug}/authors")]
pub async fn add_author(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<AuthorRequest>,
) -> ApiResult<web::Json<DraftResponse>> {
    let (pool, slug, author) = (state.pool.clone(), path.into_inner(), body.0.user_id);
    let draft = run_blocking(move || authoring::add_author(&pool, &user, &slug, &author)).await?;
    Ok(web::Json(draft.into()))
}

/// Remove a co-author.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("user_id" = String, Path)), responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/courses/{slug}/authors/{user_id}")]
pub async fn remove_author(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<DraftResponse>> {
    let (pool, (slug, author)) = (state.pool.clone(), path.into_inner());
    let draft =
        run_blocking(move || authoring::remove_author(&pool, &user, &slug, &author)).await?;
    Ok(web::Json(draft.into()))
}
