//! `/me/profile` and `/me/village-link`: a learner's own profile, and the village that asks to
//! count them among its residents.

use actix_web::{get, post, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::constraints as c;
use crate::api::extract::Json;
use crate::auth::AuthUser;
use crate::community::profiles::{self, ProfileChanges};
use crate::community::Db;
use crate::db::community::Profile;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::telemetry::{run_blocking, run_writing};

/// What a learner changes in their own profile; the e-identity status and the household are
/// set by facilitators and admins.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyProfileUpdate {
    #[schema(schema_with = c::birth_year_or_null)]
    pub birth_year: Option<i32>,
    #[schema(schema_with = c::gender_or_null)]
    pub gender: Option<String>,
    #[schema(schema_with = c::group_or_null)]
    pub learner_group: Option<String>,
    #[schema(schema_with = c::staff_only)]
    pub eid_status: Option<String>,
    #[schema(schema_with = c::staff_only)]
    pub household_id: Option<String>,
}

impl From<MyProfileUpdate> for ProfileChanges {
    fn from(u: MyProfileUpdate) -> Self {
        Self {
            birth_year: u.birth_year,
            gender: u.gender,
            learner_group: u.learner_group,
            eid_status: u.eid_status,
            household_id: u.household_id,
        }
    }
}

/// My learner profile.
#[utoipa::path(tag = "me", security(("bearer" = [])), responses((status = 200, body = Profile)))]
#[get("/me/profile")]
pub async fn get_my_profile(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<Profile>> {
    let db = Db::of(&state);
    Ok(web::Json(
        run_blocking(move || profiles::mine(&db, &user)).await?,
    ))
}

/// Change my birth year, gender and learner group.
#[utoipa::path(tag = "me", security(("bearer" = [])), request_body = MyProfileUpdate, responses(
    (status = 200, body = Profile),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/me/profile")]
pub async fn put_my_profile(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<MyProfileUpdate>,
) -> ApiResult<web::Json<Profile>> {
    let (db, ch) = (Db::of(&state), ProfileChanges::from(body.0));
    Ok(web::Json(
        run_blocking(move || profiles::update_mine(&db, &user, ch)).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct VillageLinkRequest {
    pub village_id: String,
    pub village_name: String,
    pub requested_at: DateTime<Utc>,
}

/// The village that asks to count me among its residents (a resident import found my phone
/// number): nothing of my account changes until I answer.
#[utoipa::path(tag = "me", security(("bearer" = [])), responses(
    (status = 200, body = VillageLinkRequest),
    (status = 404, description = "No village is waiting for an answer", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/me/village-link")]
pub async fn get_my_village_link(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<VillageLinkRequest>> {
    let db = Db::of(&state);
    let link = run_blocking(move || profiles::waiting_link(&db, &user)).await?;
    Ok(web::Json(VillageLinkRequest {
        village_id: link.village_id,
        village_name: link.village_name,
        requested_at: link.requested_at.and_utc(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VillageLinkAnswer {
    /// `true`: count me in this village and household; `false`: decline.
    pub accept: bool,
}

/// Answer the waiting village link: accepted, my profile puts me in the village (200 with the
/// profile); declined, nothing changes (204).
#[utoipa::path(tag = "me", security(("bearer" = [])), request_body = VillageLinkAnswer, responses(
    (status = 200, body = Profile),
    (status = 204, description = "Declined"),
    (status = 404, description = "No village is waiting for an answer", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/me/village-link")]
pub async fn answer_my_village_link(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<VillageLinkAnswer>,
) -> ApiResult<HttpResponse> {
    let accept = body.0.accept;
    let profile = run_writing(&state, move |conn| {
        profiles::answer_link(conn, &user, accept)
    })
    .await?;
    Ok(match profile {
        Some(p) => HttpResponse::Ok().json(p),
        None => HttpResponse::NoContent().finish(),
    })
}
