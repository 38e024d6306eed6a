//! `/me/quizzes/{id}/attempts`: a learner's attempts at a quiz.

use actix_web::{get, web};

use super::cx;
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::quiz::learner;
pub use crate::quiz::learner::{AttemptHistory, AttemptSummary};
use crate::state::AppState;
use crate::telemetry::run_blocking;

/// My attempts at a quiz, with the best score.
#[utoipa::path(tag = "quizzes", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = AttemptHistory),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/me/quizzes/{id}/attempts")]
pub async fn my_attempts(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<AttemptHistory>> {
    let (st, quiz_id) = (state.clone(), path.into_inner());
    let res = run_blocking(move || learner::history(&st.pool, cx(&st), user, quiz_id)).await?;
    Ok(web::Json(res))
}
