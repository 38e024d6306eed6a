//! `/quizzes/{id}/attempts`, `/attempts/{id}[/answers|/submit]`: a learner's attempts. Start,
//! save and submit send their whole database work to the writer as one job (`run_writing`).

use actix_web::{get, post, put, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::cx;
use crate::api::extract::Json;
use crate::auth::TokenUser;
use crate::error::{ApiError, ApiResult};
pub use crate::quiz::learner::{AttemptResponse, AttemptResult};
use crate::quiz::{learner, Answer};
use crate::state::AppState;
use crate::telemetry::{run_blocking, run_writing};

/// Start an attempt (or get back the open one): the drawn questions with fresh opaque ids.
#[utoipa::path(tag = "quizzes", security(("bearer" = [])), params(("id" = String, Path, description = "`SLUG.KEY` from the course outline")), responses(
    (status = 201, body = AttemptResponse),
    (status = 200, description = "An attempt is already open: it is returned", body = AttemptResponse),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`max_attempts_reached` or `cooldown_active` (with Retry-After)", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/quizzes/{id}/attempts")]
pub async fn start_attempt(
    state: web::Data<AppState>,
    token: TokenUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let quiz_id = path.into_inner();
    let (course, key) = learner::served_quiz(&state.catalogue, &quiz_id)?;
    let st = state.clone();
    let (res, created) = run_writing(&state, move |conn| {
        learner::start(conn, cx(&st), token, &course, &key, &quiz_id)
    })
    .await?;
    let mut ok = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(ok.json(res))
}

/// One of my attempts (another user's → 404). An open attempt past its deadline is graded now.
#[utoipa::path(tag = "quizzes", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = AttemptResponse),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/attempts/{id}")]
pub async fn get_attempt(
    state: web::Data<AppState>,
    token: TokenUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<AttemptResponse>> {
    let (st, id) = (state.clone(), path.into_inner());
    let res = run_blocking(move || learner::get(&st.pool, cx(&st), token, &id)).await?;
    Ok(web::Json(res))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveAnswersRequest {
    #[schema(max_items = 100)]
    pub answers: Vec<Answer>,
}

/// Save answers: partial, repeatable, idempotent. 422 names a bad answer; 409 once submitted.
#[utoipa::path(tag = "quizzes", security(("bearer" = [])), params(("id" = String, Path)), request_body = SaveAnswersRequest, responses(
    (status = 200, body = AttemptResponse),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`attempt_submitted` or `attempt_closed`", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "An answer names an unknown question or option, or has the wrong shape", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/attempts/{id}/answers")]
pub async fn save_answers(
    state: web::Data<AppState>,
    token: TokenUser,
    path: web::Path<String>,
    body: Json<SaveAnswersRequest>,
) -> ApiResult<web::Json<AttemptResponse>> {
    let (st, id, answers) = (state.clone(), path.into_inner(), body.0.answers);
    if answers.len() > 100 {
        return Err(ApiError::field(
            "answers",
            "too_many",
            "at most 100 answers per request",
        ));
    }
    let res = run_writing(&state, move |conn| {
        learner::save_answers(conn, cx(&st), token, &id, answers)
    })
    .await?;
    Ok(web::Json(res))
}

/// Submit: graded on the server, once. Submitting again returns the same result.
#[utoipa::path(tag = "quizzes", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = AttemptResponse),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/attempts/{id}/submit")]
pub async fn submit_attempt(
    state: web::Data<AppState>,
    token: TokenUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<AttemptResponse>> {
    let (st, id) = (state.clone(), path.into_inner());
    let res = run_writing(&state, move |conn| {
        learner::submit(conn, cx(&st), &st.completion(), token, &id)
    })
    .await?;
    Ok(web::Json(res))
}
