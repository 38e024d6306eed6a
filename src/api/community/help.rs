//! `/facilitator/needs-help` and `/facilitator/difficult-questions`: where a facilitator's help
//! is needed.

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::residents::ResidentSummary;
use crate::auth::AuthUser;
use crate::community::help;
use crate::community::Db;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::telemetry::run_blocking;

#[derive(Deserialize, IntoParams)]
pub struct NeedsHelpQuery {
    /// Days without activity that count as inactive (default 14).
    #[param(minimum = 1, maximum = 365)]
    pub days: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct NeedsHelp {
    #[serde(flatten)]
    pub resident: ResidentSummary,
    /// `inactive`, `never_started`, `failed_quiz_twice`, `stuck_on_lesson` (a lesson started
    /// more than N days ago and not completed)
    pub reasons: Vec<String>,
}

/// Residents of my villages who need help: inactive for N days, never started, stuck on a lesson
/// for N days, or a quiz failed twice.
#[utoipa::path(tag = "facilitator", security(("bearer" = [])), params(NeedsHelpQuery), responses(
    (status = 200, body = Vec<NeedsHelp>),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/facilitator/needs-help")]
pub async fn needs_help(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<NeedsHelpQuery>,
) -> ApiResult<web::Json<Vec<NeedsHelp>>> {
    let (st, days) = (state.clone(), query.into_inner().days.unwrap_or(14));
    let list = run_blocking(move || {
        st.read_stale_on(|pool| {
            help::needs_help(&Db::reading_on(pool, &st), &st.clock, &user, days)
        })
    })
    .await?;
    Ok(web::Json(
        list.into_iter()
            .map(|n| NeedsHelp {
                resident: n.resident.into(),
                reasons: n.reasons.into_iter().map(String::from).collect(),
            })
            .collect(),
    ))
}

/// Quiz questions my villages' learners find hard (under half correct, at least 3 answers), hardest first.
#[utoipa::path(tag = "facilitator", security(("bearer" = [])), responses(
    (status = 200, body = Vec<help::DifficultQuestion>),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/facilitator/difficult-questions")]
pub async fn difficult_questions(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<Vec<help::DifficultQuestion>>> {
    let st = state.clone();
    let list = run_blocking(move || {
        st.read_stale_on(|pool| {
            help::difficult_questions(&Db::reading_on(pool, &st), &st.catalogue, &user)
        })
    })
    .await?;
    Ok(web::Json(list))
}
