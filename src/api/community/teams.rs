//! `/admin/teams`: community digital teams and their members.

use actix_web::{delete, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::constraints as c;
use crate::api::extract::Json;
use crate::auth::AuthUser;
use crate::community::teams::{self, TeamMembers};
use crate::community::Db;
use crate::db::community::Team;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::telemetry::run_blocking;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTeamRequest {
    pub village_id: String,
    #[schema(schema_with = c::text::<200>)]
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct TeamResponse {
    #[serde(flatten)]
    pub team: Team,
    pub members: Vec<String>,
}

impl From<TeamMembers> for TeamResponse {
    fn from(t: TeamMembers) -> Self {
        Self {
            team: t.team,
            members: t.members,
        }
    }
}

/// Create a community digital team (Tổ công nghệ số cộng đồng) for a village.
#[utoipa::path(tag = "community", security(("bearer" = [])), request_body = CreateTeamRequest, responses(
    (status = 201, body = TeamResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such village", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`not_a_village`", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/admin/teams")]
pub async fn create_team(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<CreateTeamRequest>,
) -> ApiResult<HttpResponse> {
    let (db, b) = (Db::of(&state), body.0);
    let team = run_blocking(move || teams::create(&db, &user, b.village_id, b.name)).await?;
    Ok(HttpResponse::Created().json(TeamResponse::from(team)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRequest {
    pub user_id: String,
}

/// Add a member to a team: they become a facilitator for the team's village.
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path)), request_body = MemberRequest, responses(
    (status = 200, body = TeamResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "`user_id` names no user (`not_found`)", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/admin/teams/{id}/members")]
pub async fn add_team_member(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<MemberRequest>,
) -> ApiResult<web::Json<TeamResponse>> {
    let (db, id, member) = (Db::of(&state), path.into_inner(), body.0.user_id);
    let team = run_blocking(move || teams::add_member(&db, &user, id, member)).await?;
    Ok(web::Json(team.into()))
}

/// Remove a member from a team.
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path), ("user_id" = String, Path)), responses(
    (status = 200, body = TeamResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/admin/teams/{id}/members/{user_id}")]
pub async fn remove_team_member(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<TeamResponse>> {
    let (db, (id, member)) = (Db::of(&state), path.into_inner());
    let team = run_blocking(move || teams::remove_member(&db, &user, id, member)).await?;
    Ok(web::Json(team.into()))
}
