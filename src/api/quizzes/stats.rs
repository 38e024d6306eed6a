//! `/courses/{slug}/quizzes/{key}/stats`: quiz statistics for the course's authors.

use actix_web::{get, web};

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::quiz::stats;
pub use crate::quiz::stats::{QuestionStats, QuizStats};
use crate::state::AppState;
use crate::telemetry::run_blocking;

/// Quiz statistics for the course's authors.
#[utoipa::path(tag = "quizzes", security(("bearer" = [])), params(("slug" = String, Path), ("key" = String, Path)), responses(
    (status = 200, body = QuizStats),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/courses/{slug}/quizzes/{key}/stats")]
pub async fn quiz_stats(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<QuizStats>> {
    let (st, (slug, key)) = (state.clone(), path.into_inner());
    let res = run_blocking(move || {
        st.read_stale_on(|pool| stats::quiz_stats(pool, &st.catalogue, &user, &slug, &key))
    })
    .await?;
    Ok(web::Json(res))
}
