//! `/me/courses/{slug}/progress`, `/me/courses/{slug}/lessons/{key}/progress`,
//! `/me/progress/batch`: a learner's progress. The writes send their whole database work to the
//! writer as one job (`run_writing`).

use actix_web::{get, post, put, web};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::extract::Json;
use crate::auth::{AuthUser, TokenUser};
use crate::courses;
use crate::error::{ApiError, ApiResult, Code};
use crate::learning::progress::{self, MAX_BATCH};
pub use crate::learning::progress::{
    BatchEvent, BatchResponse, BatchResult, CourseProgress, ItemProgress,
};
use crate::learning::ProgressEvent;
use crate::state::AppState;
use crate::telemetry::{run_blocking, run_writing};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// At most 500 events, in any order (more → 413).
    pub events: Vec<BatchEvent>,
}

/// My progress in a course: every item with its status and whether strict order locks it.
#[utoipa::path(tag = "learning", security(("bearer" = [])), params(("slug" = String, Path)), responses(
    (status = 200, body = CourseProgress),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/me/courses/{slug}/progress")]
pub async fn my_course_progress(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<CourseProgress>> {
    let course = courses::published(&state.catalogue, &path)?;
    let pool = state.pool.clone();
    let res = run_blocking(move || progress::in_course(&pool, &user, &course)).await?;
    Ok(web::Json(res))
}

/// Record progress on a lesson. Idempotent by `client_event_id`; a completed lesson never goes
/// back. Progress in a course the learner has not joined enrols them.
#[utoipa::path(tag = "learning", security(("bearer" = [])), params(("slug" = String, Path), ("key" = String, Path)), request_body = ProgressEvent, responses(
    (status = 200, body = CourseProgress),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`lesson_locked`: strict order, earlier items not done", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/me/courses/{slug}/lessons/{key}/progress")]
pub async fn put_progress(
    state: web::Data<AppState>,
    token: TokenUser,
    path: web::Path<(String, String)>,
    body: Json<ProgressEvent>,
) -> ApiResult<web::Json<CourseProgress>> {
    let (slug, key) = path.into_inner();
    let course = courses::published(&state.catalogue, &slug)?;
    let (st, event) = (state.clone(), body.0);
    let res = run_writing(&state, move |conn| {
        progress::record(conn, &st.completion(), token, &course, &key, &event)
    })
    .await?;
    Ok(web::Json(res))
}

/// Upload events recorded while offline (up to 500, any order). Each is applied once by its
/// client event id; a rejected event never blocks the others. Events are applied in the order
/// they happened.
#[utoipa::path(tag = "learning", security(("bearer" = [])), request_body = BatchRequest, responses(
    (status = 200, body = BatchResponse),
    (status = 413, description = "More than 500 events", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/me/progress/batch")]
pub async fn progress_batch(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<BatchRequest>,
) -> ApiResult<web::Json<BatchResponse>> {
    let events = body.0.events;
    if events.len() > MAX_BATCH {
        return Err(ApiError::of(
            Code::BatchTooLarge,
            format!(
                "A batch holds at most {MAX_BATCH} events; this one has {}.",
                events.len()
            ),
        ));
    }
    let st = state.clone();
    let res = run_writing(&state, move |conn| {
        progress::batch(conn, &st.catalogue, &st.completion(), &user, events)
    })
    .await?;
    Ok(web::Json(res))
}
