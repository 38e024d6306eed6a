//! `/facilitator/residents`: what facilitators do for the residents of their villages, and
//! `/admin/residents/{id}/audit`, the trail of it.

use actix_web::{get, post, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::constraints as c;
use crate::api::extract::Json;
use crate::api::me::UserResponse;
use crate::auth::AuthUser;
use crate::community::profiles::ProfileChanges;
use crate::community::residents::{self, NewResident, RecordedProgress};
use crate::community::Db;
use crate::db::community::{Profile, ResidentRow};
use crate::error::ApiResult;
use crate::learning::ProgressEvent;
use crate::state::AppState;
use crate::telemetry::{run_blocking, run_writing};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterResidentRequest {
    pub village_id: String,
    /// A household of the village (no such household → 404).
    pub household_id: Option<String>,
    #[schema(schema_with = c::text::<100>)]
    pub display_name: String,
    #[schema(schema_with = c::username)]
    pub username: String,
    /// Chosen with the resident.
    #[schema(schema_with = c::pin_or_password)]
    pub password: String,
    #[schema(schema_with = c::birth_year_or_null)]
    pub birth_year: Option<i32>,
    #[schema(schema_with = c::gender_or_null)]
    pub gender: Option<String>,
    #[schema(schema_with = c::group_or_null)]
    pub learner_group: Option<String>,
    #[schema(schema_with = c::eid_status_or_null)]
    pub eid_status: Option<String>,
    /// How the resident consented to the privacy notice (`GET /api/v1/privacy`) before you:
    /// `paper` (a signed form) or `in_person`. Required: without it, 422 `consent_required`.
    pub consent_way: Option<crate::privacy::ConsentWay>,
}

impl From<RegisterResidentRequest> for NewResident {
    fn from(b: RegisterResidentRequest) -> Self {
        Self {
            village_id: b.village_id,
            household_id: b.household_id,
            display_name: b.display_name,
            username: b.username,
            password: b.password,
            phone: None,
            consent_way: b.consent_way,
            profile: ProfileChanges {
                birth_year: b.birth_year,
                gender: b.gender,
                learner_group: b.learner_group,
                eid_status: b.eid_status,
                household_id: None,
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RegisteredResident {
    pub user: UserResponse,
    pub profile: Profile,
    /// Text to print or paste into Zalo; shown this once.
    pub login_card: String,
}

/// Register a resident who has no e-mail or phone, with a username and a PIN or password.
#[utoipa::path(tag = "facilitator", security(("bearer" = [])), request_body = RegisterResidentRequest, responses(
    (status = 201, body = RegisteredResident),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such village, or no such household in it", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`username_taken`, or `not_a_village`", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/facilitator/residents")]
pub async fn register_resident(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<RegisterResidentRequest>,
) -> ApiResult<HttpResponse> {
    let (st, new) = (state.clone(), NewResident::from(body.0));
    let r = run_blocking(move || {
        let public_url = &st.settings.public_url;
        residents::register(&Db::of(&st), &st.hasher, public_url, &user, new)
    })
    .await?;
    Ok(HttpResponse::Created().json(RegisteredResident {
        user: UserResponse::from_user(&r.user, vec![]),
        profile: r.profile,
        login_card: r.login_card,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ResidentSummary {
    pub user_id: String,
    /// The resident's name; for one who asked that it not be shown in lists, their initials and
    /// a short code (`N. V. A. · #3f9a`): `GET /facilitator/residents/{id}` names them.
    pub display_name: String,
    pub village_id: Option<String>,
    pub courses_joined: usize,
    pub courses_completed: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_activity_at: Option<DateTime<Utc>>,
}

impl From<ResidentRow> for ResidentSummary {
    fn from(r: ResidentRow) -> Self {
        Self {
            user_id: r.user_id,
            display_name: r.display_name,
            village_id: r.village_id,
            courses_joined: r.courses_joined.try_into().unwrap_or_default(),
            courses_completed: r.courses_completed.try_into().unwrap_or_default(),
            last_activity_at: r.last_activity_at.map(|d| d.and_utc()),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ResidentsQuery {
    /// Only this village (one of yours).
    pub village_id: Option<String>,
}

/// The learners of my villages with their progress.
#[utoipa::path(tag = "facilitator", security(("bearer" = [])), params(ResidentsQuery), responses(
    (status = 200, body = Vec<ResidentSummary>),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/facilitator/residents")]
pub async fn list_residents(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ResidentsQuery>,
) -> ApiResult<web::Json<Vec<ResidentSummary>>> {
    let (st, only) = (state.clone(), query.into_inner().village_id);
    let rows = run_blocking(move || {
        st.read_stale_on(|pool| residents::list(&Db::reading_on(pool, &st), &user, only.as_deref()))
    })
    .await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

/// Where a resident stands in one course they joined.
#[derive(Serialize, ToSchema)]
pub struct ResidentCourse {
    pub slug: String,
    pub title: String,
    pub title_en: String,
    pub completed: bool,
    /// Share of the required items done, 0–100.
    pub percent: u32,
}

/// One resident of my villages: their row of the list, their profile and their progress per
/// course.
#[derive(Serialize, ToSchema)]
pub struct ResidentDetail {
    pub resident: ResidentSummary,
    pub profile: Profile,
    pub courses: Vec<ResidentCourse>,
}

/// One resident of my villages, with their profile and progress. The read is recorded for the
/// resident (`GET /api/v1/me/access-records`).
#[utoipa::path(tag = "facilitator", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = ResidentDetail),
    (status = 404, description = "Not a resident of your villages", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/facilitator/residents/{id}")]
pub async fn get_resident(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ResidentDetail>> {
    let (st, id) = (state.clone(), path.into_inner());
    let o = run_blocking(move || residents::overview_of(&Db::of(&st), &st.catalogue, &user, &id))
        .await?;
    Ok(web::Json(ResidentDetail {
        resident: o.resident.into(),
        profile: o.profile,
        courses: o
            .courses
            .into_iter()
            .map(|c| ResidentCourse {
                slug: c.slug,
                title: c.title,
                title_en: c.title_en,
                completed: c.completed,
                percent: c.percent,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    #[schema(schema_with = c::birth_year_or_null)]
    pub birth_year: Option<i32>,
    #[schema(schema_with = c::gender_or_null)]
    pub gender: Option<String>,
    #[schema(schema_with = c::group_or_null)]
    pub learner_group: Option<String>,
    #[schema(schema_with = c::eid_status_or_null)]
    pub eid_status: Option<String>,
    /// A household of the resident's village (no such household → 404).
    pub household_id: Option<String>,
}

impl From<ProfileUpdate> for ProfileChanges {
    fn from(u: ProfileUpdate) -> Self {
        Self {
            birth_year: u.birth_year,
            gender: u.gender,
            learner_group: u.learner_group,
            eid_status: u.eid_status,
            household_id: u.household_id,
        }
    }
}

/// Update a resident's profile (household, e-identity status, ...).
#[utoipa::path(tag = "facilitator", security(("bearer" = [])), params(("id" = String, Path)), request_body = ProfileUpdate, responses(
    (status = 200, body = Profile),
    (status = 404, description = "Not a resident of your villages, or no such household in their village", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/facilitator/residents/{id}/profile")]
pub async fn put_resident_profile(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<ProfileUpdate>,
) -> ApiResult<web::Json<Profile>> {
    let (db, id, ch) = (
        Db::of(&state),
        path.into_inner(),
        ProfileChanges::from(body.0),
    );
    let profile = run_blocking(move || residents::update_profile(&db, &user, id, ch)).await?;
    Ok(web::Json(profile))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrollResidentRequest {
    pub course: String,
}

/// Enrol a resident in a course.
#[utoipa::path(tag = "facilitator", security(("bearer" = [])), params(("id" = String, Path)), request_body = EnrollResidentRequest, responses(
    (status = 204),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/facilitator/residents/{id}/enrollments")]
pub async fn enroll_resident(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<EnrollResidentRequest>,
) -> ApiResult<HttpResponse> {
    let (st, id, slug) = (state.clone(), path.into_inner(), body.0.course);
    run_blocking(move || {
        residents::enroll(&Db::of(&st), &st.catalogue, &st.clock, &user, id, slug)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Record a resident's lesson progress during an in-person session (marked as recorded by you).
#[utoipa::path(tag = "facilitator", security(("bearer" = [])), params(("id" = String, Path), ("slug" = String, Path), ("key" = String, Path)), request_body = ProgressEvent, responses(
    (status = 204),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/facilitator/residents/{id}/courses/{slug}/lessons/{key}/progress")]
pub async fn record_resident_progress(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String, String)>,
    body: Json<ProgressEvent>,
) -> ApiResult<HttpResponse> {
    let (resident_id, slug, lesson_key) = path.into_inner();
    let course = crate::courses::published(&state.catalogue, &slug)?;
    let r = RecordedProgress {
        resident_id,
        course,
        slug,
        lesson_key,
        event: body.0,
    };
    let st = state.clone();
    run_writing(&state, move |conn| {
        residents::record_progress(conn, &st.completion(), &user, r)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, ToSchema)]
pub struct ResetCode {
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

/// A one-time code with which the resident sets a new PIN or password (1 hour).
#[utoipa::path(tag = "facilitator", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 201, body = ResetCode),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/facilitator/residents/{id}/password-reset")]
pub async fn reset_resident_password(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (db, id) = (Db::of(&state), path.into_inner());
    let reset = run_blocking(move || residents::reset_code(&db, &user, id)).await?;
    Ok(HttpResponse::Created().json(ResetCode {
        code: reset.code,
        expires_at: reset.expires_at.and_utc(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    pub action: String,
    pub actor_id: String,
    pub at: DateTime<Utc>,
}

/// The audit records about a resident (admins of their village's area).
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = Vec<AuditEntry>),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/admin/residents/{id}/audit")]
pub async fn resident_audit(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<AuditEntry>>> {
    let (db, id) = (Db::of(&state), path.into_inner());
    let rows = run_blocking(move || residents::audit_trail(&db, &user, &id)).await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|(action, actor_id, _, at)| AuditEntry {
                action,
                actor_id,
                at: at.and_utc(),
            })
            .collect(),
    ))
}
