//! `/courses/{slug}/publish`, `/courses/{slug}/releases[/{n}]`: publishing and the releases.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::content::CourseDoc;
use crate::courses::authoring::{self, ReleaseInfo};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::telemetry::run_blocking;

#[derive(Serialize, ToSchema)]
pub struct ReleaseSummary {
    pub number: i32,
    pub content_hash: String,
    pub published_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_by: Option<String>,
}

impl From<ReleaseInfo> for ReleaseSummary {
    fn from(r: ReleaseInfo) -> Self {
        Self {
            number: r.number,
            content_hash: r.content_hash,
            published_at: r.published_at,
            published_by: r.published_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PublishResponse {
    pub slug: String,
    pub release: i32,
    pub published_at: DateTime<Utc>,
    /// False when the draft equals the latest release, so no new release was made.
    pub created: bool,
}

/// Validate the whole draft and freeze it as a new numbered release; learners are served it at once.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path)), responses(
    (status = 201, body = PublishResponse),
    (status = 200, description = "Unchanged since the latest release", body = PublishResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "Every problem of the course, in `errors`", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/courses/{slug}/publish")]
pub async fn publish_course(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (st, slug) = (state.clone(), path.into_inner());
    let p =
        run_blocking(move || authoring::publish(&st.pool, &st.writer, &st.catalogue, &user, &slug))
            .await?;
    let body = PublishResponse {
        slug: p.content.doc.slug,
        release: p.number,
        published_at: p.published_at,
        created: p.created,
    };
    let mut res = if p.created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(res.json(body))
}

/// The releases of a course, newest first (authors).
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path)), responses(
    (status = 200, body = Vec<ReleaseSummary>),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/courses/{slug}/releases")]
pub async fn list_releases(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<ReleaseSummary>>> {
    let (pool, slug) = (state.pool.clone(), path.into_inner());
    let list = run_blocking(move || authoring::releases(&pool, &user, &slug)).await?;
    Ok(web::Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct ReleaseResponse {
    pub number: i32,
    pub published_at: DateTime<Utc>,
    pub content: CourseDoc,
    /// Rendered, sanitized HTML of each lesson, by key.
    #[schema(value_type = Object)]
    pub html: std::collections::BTreeMap<String, String>,
}

/// One frozen release (authors).
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("n" = i32, Path)), responses(
    (status = 200, body = ReleaseResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/courses/{slug}/releases/{n}")]
pub async fn get_release(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i32)>,
) -> ApiResult<web::Json<ReleaseResponse>> {
    let (pool, (slug, n)) = (state.pool.clone(), path.into_inner());
    let (number, published_at, content) =
        run_blocking(move || authoring::release(&pool, &user, &slug, n)).await?;
    Ok(web::Json(ReleaseResponse {
        number,
        published_at,
        content: content.doc,
        html: content.html,
    }))
}
