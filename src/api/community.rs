//! Localities, census figures, households, community digital teams, learner profiles, and the
//! facilitator's work for residents of their villages (every action audited).

use actix_web::{delete, get, patch, post, put, web, HttpResponse};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::constraints as c;
use super::extract::Json;
use super::me::UserResponse;
use crate::access::{self, Action, AdminArea};
use crate::accounts;
use crate::auth::{AuthUser, Role};
use crate::community::{self, EID_STATUSES, GENDERS, KINDS};
use crate::content::GROUPS;
use crate::db::community::{self as q, Census, Household, Profile, Team};
use crate::db::users::Locality;
use crate::db::{learning as lq, now};
use crate::error::{ApiError, ApiResult, FieldError, Validator};
use crate::learning::{self, Learner, Outcome, ProgressEvent};
use crate::state::AppState;
use crate::telemetry::{run_blocking, run_writing};

#[derive(Serialize, ToSchema)]
pub struct LocalityResponse {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// province, commune or village
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl From<Locality> for LocalityResponse {
    fn from(l: Locality) -> Self {
        Self {
            id: l.id,
            parent_id: l.parent_id,
            kind: l.kind,
            name: l.name,
            code: l.code,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LocalityTree {
    #[serde(flatten)]
    pub locality: LocalityResponse,
    pub children: Vec<LocalityResponse>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLocalityRequest {
    /// Absent for a province (global admins only). A province holds communes, a commune villages;
    /// another kind under the parent → 409 `kind_mismatch`.
    pub parent_id: Option<String>,
    #[schema(schema_with = c::locality_kind)]
    pub kind: String,
    #[schema(schema_with = c::text::<200>)]
    pub name: String,
    #[schema(schema_with = c::text_or_null::<40>)]
    pub code: Option<String>,
}

/// Add a locality under one the admin administers.
#[utoipa::path(tag = "community", security(("bearer" = [])), request_body = CreateLocalityRequest, responses(
    (status = 201, body = LocalityResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such parent", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`code_taken`, or `kind_mismatch`: the parent holds another kind", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/admin/localities")]
pub async fn create_locality(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<CreateLocalityRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let mut v = Validator::new();
    v.length("name", &b.name, 1, 200);
    v.check(
        KINDS.contains(&b.kind.as_str()),
        "kind",
        "invalid",
        "must be province, commune or village",
    );
    if let Some(c) = &b.code {
        v.length("code", c, 1, 40);
    }
    v.finish()?;
    let (pool, writer) = (state.pool.clone(), state.writer.clone());
    let res = run_blocking(move || {
        let mut conn = pool.get()?;
        match &b.parent_id {
            Some(p) => {
                let parent = access::require_admin_of(&mut conn, &user, p)?;
                let expected = match parent.kind.as_str() {
                    "province" => "commune",
                    _ => "village",
                };
                if parent.kind == "village" || b.kind != expected {
                    let holds = if parent.kind == "village" {
                        "a village holds no localities".to_string()
                    } else {
                        format!("a {} holds {expected}s", parent.kind)
                    };
                    return Err(ApiError::conflict("kind_mismatch", holds));
                }
            }
            None => {
                access::require(&user, Action::RunPlatform)?;
                if b.kind != "province" {
                    return Err(ApiError::field(
                        "kind",
                        "invalid",
                        "a locality without parent is a province",
                    ));
                }
            }
        }
        drop(conn);
        writer.transaction(move |conn| {
            if let Some(code) = &b.code {
                if q::locality_by_code(conn, code)?.is_some() {
                    return Err(ApiError::conflict(
                        "code_taken",
                        format!("Another locality has code `{code}`."),
                    ));
                }
            }
            let id = q::insert_locality(
                conn,
                b.parent_id.as_deref(),
                &b.kind,
                b.name.trim(),
                b.code.as_deref(),
            )?;
            Ok(LocalityResponse::from(
                q::locality(conn, &id)?.ok_or_else(|| ApiError::not_found("vanished"))?,
            ))
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(res))
}

/// The localities an admin starts from: every province for a global admin, else their grants.
#[utoipa::path(tag = "community", security(("bearer" = [])), responses((status = 200, body = Vec<LocalityResponse>), (status = 403, body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/admin/localities")]
pub async fn list_localities(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<Vec<LocalityResponse>>> {
    access::require(&user, Action::EnterAdminArea(AdminArea::Localities))?;
    let pool = state.pool.clone();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            let list = match access::admin_roots(&user) {
                None => q::children(&mut conn, None)?,
                Some(roots) => {
                    let mut out = Vec::new();
                    for r in roots {
                        out.extend(q::locality(&mut conn, &r)?);
                    }
                    out
                }
            };
            Ok(list.into_iter().map(LocalityResponse::from).collect())
        })
        .await?,
    ))
}

/// A locality with its children.
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = LocalityTree),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/admin/localities/{id}")]
pub async fn get_locality(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<LocalityTree>> {
    let pool = state.pool.clone();
    let id = path.into_inner();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            let loc = access::require_admin_of(&mut conn, &user, &id)?;
            let children = q::children(&mut conn, Some(&id))?;
            Ok(LocalityTree {
                locality: loc.into(),
                children: children.into_iter().map(LocalityResponse::from).collect(),
            })
        })
        .await?,
    ))
}

fn check_census(c: &Census) -> ApiResult<()> {
    let mut v = Validator::new();
    for (name, value) in [
        ("population", c.population),
        ("aged_14_plus", c.aged_14_plus),
        ("adults", c.adults),
        ("working_age", c.working_age),
        ("households", c.households),
        ("officials", c.officials),
        ("enterprise_workers", c.enterprise_workers),
        ("students", c.students),
    ] {
        v.check(
            value.is_none_or(|n| (0..=200_000_000).contains(&n)),
            name,
            "out_of_range",
            "must be between 0 and 200,000,000",
        );
    }
    if let (Some(p), Some(a)) = (c.population, c.adults) {
        v.check(
            a <= p,
            "adults",
            "inconsistent",
            "cannot exceed the population",
        );
    }
    v.finish()
}

/// The census figures of a locality for a year; absent or null figures are unknown.
#[derive(Deserialize, ToSchema)]
pub struct CensusRequest {
    #[schema(minimum = 0, maximum = 200_000_000)]
    pub population: Option<i64>,
    #[schema(minimum = 0, maximum = 200_000_000)]
    pub aged_14_plus: Option<i64>,
    /// At most `population`.
    #[schema(minimum = 0, maximum = 200_000_000)]
    pub adults: Option<i64>,
    #[schema(minimum = 0, maximum = 200_000_000)]
    pub working_age: Option<i64>,
    #[schema(minimum = 0, maximum = 200_000_000)]
    pub households: Option<i64>,
    #[schema(minimum = 0, maximum = 200_000_000)]
    pub officials: Option<i64>,
    #[schema(minimum = 0, maximum = 200_000_000)]
    pub enterprise_workers: Option<i64>,
    /// Pupils and students (the denominator of `students_skilled`).
    #[schema(minimum = 0, maximum = 200_000_000)]
    pub students: Option<i64>,
}

/// Set the census figures of a locality for a year (the denominators of the official rates).
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path), ("year" = i32, Path, minimum = 2000, maximum = 2100)), request_body = CensusRequest, responses(
    (status = 200, body = Census),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/admin/localities/{id}/census/{year}")]
pub async fn put_census(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i32)>,
    body: Json<CensusRequest>,
) -> ApiResult<web::Json<Census>> {
    let (id, year) = path.into_inner();
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::field(
            "year",
            "out_of_range",
            "must be between 2000 and 2100",
        ));
    }
    let b = body.0;
    let c = Census {
        locality_id: id.clone(),
        year,
        population: b.population,
        aged_14_plus: b.aged_14_plus,
        adults: b.adults,
        working_age: b.working_age,
        households: b.households,
        officials: b.officials,
        enterprise_workers: b.enterprise_workers,
        students: b.students,
        updated_at: now(),
    };
    check_census(&c)?;
    let pool = state.pool.clone();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            access::require_admin_of(&mut conn, &user, &id)?;
            q::save_census(&mut conn, &c)?;
            q::audit(
                &mut conn,
                &user.id,
                "census.set",
                None,
                Some(&id),
                &json!({"year": year}),
            )?;
            Ok(c)
        })
        .await?,
    ))
}

/// The census figures of a locality for a year.
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path), ("year" = i32, Path)), responses(
    (status = 200, body = Census),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/admin/localities/{id}/census/{year}")]
pub async fn get_census(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i32)>,
) -> ApiResult<web::Json<Census>> {
    let (id, year) = path.into_inner();
    let pool = state.pool.clone();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            access::require_admin_of(&mut conn, &user, &id)?;
            q::census_of(&mut conn, &id, year)?
                .ok_or_else(|| ApiError::not_found(format!("No census figures for {year}.")))
        })
        .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateHouseholdRequest {
    #[schema(schema_with = c::text::<40>)]
    pub code: String,
    #[schema(schema_with = c::text::<200>)]
    pub label: String,
    pub address: Option<String>,
}

fn village(
    conn: &mut crate::db::DbConn,
    user: &AuthUser,
    action: Action,
    id: &str,
) -> ApiResult<Locality> {
    let loc = q::locality(conn, id)?.ok_or_else(|| ApiError::not_found("No such village."))?;
    if loc.kind != "village" {
        return Err(ApiError::conflict(
            "not_a_village",
            "households and teams belong to a village",
        ));
    }
    access::require_village(conn, user, action, id)?;
    Ok(loc)
}

/// Add a household to a village (its admins and facilitators).
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path)), request_body = CreateHouseholdRequest, responses(
    (status = 201, body = Household),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`code_taken`, or `not_a_village`", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/admin/localities/{id}/households")]
pub async fn create_household(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<CreateHouseholdRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.0;
    let mut v = Validator::new();
    v.length("code", &b.code, 1, 40);
    v.length("label", &b.label, 1, 200);
    v.finish()?;
    let pool = state.pool.clone();
    let id = path.into_inner();
    let res = run_blocking(move || {
        let mut conn = pool.get()?;
        village(&mut conn, &user, Action::Facilitate, &id)?;
        if q::households_of(&mut conn, &id)?
            .iter()
            .any(|h| h.code == b.code.trim())
        {
            return Err(ApiError::conflict(
                "code_taken",
                "The village already has a household with this code.",
            ));
        }
        let hid = q::insert_household(
            &mut conn,
            &id,
            b.code.trim(),
            b.label.trim(),
            b.address.as_deref(),
        )?;
        q::audit(
            &mut conn,
            &user.id,
            "household.create",
            None,
            Some(&id),
            &json!({"household": hid}),
        )?;
        q::household(&mut conn, &hid)?.ok_or_else(|| ApiError::not_found("vanished"))
    })
    .await?;
    Ok(HttpResponse::Created().json(res))
}

/// The households of a village.
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = Vec<Household>),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`not_a_village`", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/admin/localities/{id}/households")]
pub async fn list_households(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<Household>>> {
    let pool = state.pool.clone();
    let id = path.into_inner();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            village(&mut conn, &user, Action::Facilitate, &id)?;
            Ok(q::households_of(&mut conn, &id)?)
        })
        .await?,
    ))
}

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
    let b = body.0;
    let mut v = Validator::new();
    v.length("name", &b.name, 1, 200);
    v.finish()?;
    let pool = state.pool.clone();
    let res = run_blocking(move || {
        let mut conn = pool.get()?;
        let loc = access::require_admin_of(&mut conn, &user, &b.village_id)?;
        if loc.kind != "village" {
            return Err(ApiError::conflict(
                "not_a_village",
                "a team belongs to a village",
            ));
        }
        let id = q::insert_team(&mut conn, &b.village_id, b.name.trim())?;
        q::audit(
            &mut conn,
            &user.id,
            "team.create",
            None,
            Some(&b.village_id),
            &json!({"team": id}),
        )?;
        Ok(TeamResponse {
            team: q::team(&mut conn, &id)?.ok_or_else(|| ApiError::not_found("vanished"))?,
            members: Vec::new(),
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(res))
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
    let (pool, writer) = (state.pool.clone(), state.writer.clone());
    let id = path.into_inner();
    let member = body.0.user_id;
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            let team =
                q::team(&mut conn, &id)?.ok_or_else(|| ApiError::not_found("No such team."))?;
            access::require_admin_of(&mut conn, &user, &team.village_id)?;
            accounts::find_user(&mut conn, &member)
                .map_err(|_| ApiError::field("user_id", "not_found", "No such user."))?;
            drop(conn);
            writer.transaction(move |conn| {
                q::add_member(conn, &id, &member)?;
                crate::api::admin::grant(conn, &member, Role::Facilitator, None, Some(&user.id))
                    .or_else(|e| {
                        if e.status == actix_web::http::StatusCode::CONFLICT {
                            Ok(())
                        } else {
                            Err(e)
                        }
                    })?;
                q::audit(
                    conn,
                    &user.id,
                    "team.add_member",
                    Some(&member),
                    Some(&team.village_id),
                    &json!({"team": id}),
                )?;
                Ok::<_, ApiError>(TeamResponse {
                    members: q::members(conn, &id)?,
                    team,
                })
            })
        })
        .await?,
    ))
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
    let pool = state.pool.clone();
    let (id, member) = path.into_inner();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            let team =
                q::team(&mut conn, &id)?.ok_or_else(|| ApiError::not_found("No such team."))?;
            access::require_admin_of(&mut conn, &user, &team.village_id)?;
            if q::remove_member(&mut conn, &id, &member)? == 0 {
                return Err(ApiError::not_found("Not a member of this team."));
            }
            q::audit(
                &mut conn,
                &user.id,
                "team.remove_member",
                Some(&member),
                Some(&team.village_id),
                &json!({"team": id}),
            )?;
            Ok(TeamResponse {
                members: q::members(&mut conn, &id)?,
                team,
            })
        })
        .await?,
    ))
}

// ---------- profiles ----------

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

impl From<MyProfileUpdate> for ProfileUpdate {
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

fn apply_profile(p: &mut Profile, u: &ProfileUpdate, by_staff: bool) -> ApiResult<()> {
    let mut v = Validator::new();
    if let Some(y) = u.birth_year {
        v.check(
            Profile::birth_years().contains(&y),
            "birth_year",
            "out_of_range",
            "must be between 1900 and this year",
        );
        p.birth_year = Some(y);
    }
    if let Some(g) = &u.gender {
        v.check(
            GENDERS.contains(&g.as_str()),
            "gender",
            "invalid",
            "female, male or other",
        );
        p.gender = Some(g.clone());
    }
    if let Some(g) = &u.learner_group {
        v.check(
            GROUPS.contains(&g.as_str()),
            "learner_group",
            "invalid",
            "citizen, official, enterprise_worker or student",
        );
        p.learner_group = g.clone();
    }
    if let Some(e) = &u.eid_status {
        v.check(
            by_staff,
            "eid_status",
            "forbidden",
            "set by a facilitator who has seen the VNeID app",
        );
        v.check(
            EID_STATUSES.contains(&e.as_str()),
            "eid_status",
            "invalid",
            "none, level1 or level2",
        );
        p.eid_status = e.clone();
    }
    if u.household_id.is_some() {
        v.check(
            by_staff,
            "household_id",
            "forbidden",
            "set by a facilitator",
        );
    }
    p.updated_at = now();
    v.finish()
}

/// My learner profile.
#[utoipa::path(tag = "me", security(("bearer" = [])), responses((status = 200, body = Profile)))]
#[get("/me/profile")]
pub async fn get_my_profile(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<Profile>> {
    let pool = state.pool.clone();
    Ok(web::Json(
        run_blocking(move || {
            Ok(
                q::profile(&mut *pool.get()?, &user.id)?
                    .unwrap_or_else(|| Profile::empty(&user.id)),
            )
        })
        .await?,
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
    let pool = state.pool.clone();
    let u = ProfileUpdate::from(body.0);
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            let mut p =
                q::profile(&mut conn, &user.id)?.unwrap_or_else(|| Profile::empty(&user.id));
            apply_profile(&mut p, &u, false)?;
            community::save_profile(&mut conn, &p)?;
            Ok(p)
        })
        .await?,
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
    let pool = state.pool.clone();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            let link = community::waiting_village_link(&mut conn, &user.id)?;
            let village = q::locality(&mut conn, &link.village_id)?
                .ok_or_else(|| ApiError::not_found("No such locality."))?;
            Ok(VillageLinkRequest {
                village_id: link.village_id,
                village_name: village.name,
                requested_at: link.created_at.and_utc(),
            })
        })
        .await?,
    ))
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
        if accept {
            community::accept_village_link(conn, &user.id).map(Some)
        } else {
            community::decline_village_link(conn, &user.id).map(|_| None)
        }
    })
    .await?;
    Ok(match profile {
        Some(p) => HttpResponse::Ok().json(p),
        None => HttpResponse::NoContent().finish(),
    })
}

// ---------- facilitators ----------

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
}

#[derive(Serialize, ToSchema)]
pub struct RegisteredResident {
    pub user: UserResponse,
    pub profile: Profile,
    /// Text to print or paste into Zalo; shown this once.
    pub login_card: String,
}

fn check_household(
    conn: &mut crate::db::DbConn,
    village_id: &str,
    household_id: &str,
) -> ApiResult<()> {
    match q::household(conn, household_id)? {
        Some(h) if h.village_id == village_id => Ok(()),
        _ => Err(ApiError::not_found("No such household in this village.")),
    }
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
    let b = body.0;
    let mut v = Validator::new();
    v.length("display_name", &b.display_name, 1, 100);
    let username = accounts::normalize_username(&b.username);
    v.check(
        username.is_some(),
        "username",
        "invalid",
        "3–32 of a-z, 0-9, . _ -",
    );
    if let Some(e) = community::check_pin_or_password(&b.password) {
        v.push(&e.field, &e.code, e.message);
    }
    v.finish()?;
    let username = username.unwrap_or_default();
    let st = state.clone();
    let res = run_blocking(move || {
        let mut conn = st.pool.get()?;
        let loc = village(&mut conn, &user, Action::RegisterResident, &b.village_id)?;
        if let Some(h) = &b.household_id {
            check_household(&mut conn, &b.village_id, h)?;
        }
        let mut profile = Profile::empty("");
        apply_profile(
            &mut profile,
            &ProfileUpdate {
                birth_year: b.birth_year,
                gender: b.gender.clone(),
                learner_group: b.learner_group.clone(),
                eid_status: b.eid_status.clone(),
                household_id: None,
            },
            true,
        )?;
        let hash = st.hasher.hash(&b.password).map_err(ApiError::internal)?;
        drop(conn);
        let writer = st.writer.clone();
        writer.transaction(move |conn| {
            let resident = accounts::insert_account(
                conn,
                &accounts::NewAccount {
                    display_name: &b.display_name,
                    email: None,
                    phone: None,
                    username: Some(&username),
                    password: &b.password,
                    language: "vi",
                },
                &hash,
            )?;
            let mut profile = profile.clone();
            profile.user_id = resident.id.clone();
            profile.village_id = Some(b.village_id.clone());
            profile.household_id = b.household_id.clone();
            community::save_profile(conn, &profile)?;
            q::audit(
                conn,
                &user.id,
                "resident.register",
                Some(&resident.id),
                Some(&b.village_id),
                &json!({"username": username}),
            )?;
            Ok::<_, ApiError>(RegisteredResident {
                login_card: community::login_card(
                    &st.settings.public_url,
                    &resident.display_name,
                    &loc.name,
                    &username,
                    &b.password,
                ),
                user: UserResponse::from_user(&resident, vec![]),
                profile,
            })
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(res))
}

#[derive(Serialize, ToSchema)]
pub struct ResidentSummary {
    pub user_id: String,
    pub display_name: String,
    pub village_id: Option<String>,
    pub courses_joined: usize,
    pub courses_completed: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_activity_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize, IntoParams)]
pub struct ResidentsQuery {
    /// Only this village (one of yours).
    pub village_id: Option<String>,
}

fn my_villages(
    conn: &mut crate::db::DbConn,
    user: &AuthUser,
    only: Option<&str>,
) -> ApiResult<Vec<String>> {
    if let Some(v) = only {
        access::require_village(conn, user, Action::Facilitate, v)?;
        return Ok(vec![v.to_string()]);
    }
    access::require_team_villages(conn, user)
}

fn summaries(conn: &mut crate::db::DbConn, villages: &[String]) -> ApiResult<Vec<ResidentSummary>> {
    let mut out = Vec::new();
    for (id, name, village) in q::learners_in(conn, villages)? {
        let enrollments = lq::enrollments_of(conn, &id)?;
        out.push(ResidentSummary {
            courses_joined: enrollments.len(),
            courses_completed: enrollments
                .iter()
                .filter(|(e, _)| e.status == "completed")
                .count(),
            last_activity_at: enrollments
                .iter()
                .map(|(e, _)| e.last_activity_at)
                .max()
                .map(|d| d.and_utc()),
            user_id: id,
            display_name: name,
            village_id: village,
        });
    }
    Ok(out)
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
    let pool = state.pool.clone();
    let only = query.into_inner().village_id;
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            let villages = my_villages(&mut conn, &user, only.as_deref())?;
            summaries(&mut conn, &villages)
        })
        .await?,
    ))
}

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
    let days = query.into_inner().days.unwrap_or(14);
    if !(1..=365).contains(&days) {
        return Err(ApiError::field(
            "days",
            "out_of_range",
            "must be between 1 and 365",
        ));
    }
    let st = state.clone();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = st.pool.get()?;
            let villages = my_villages(&mut conn, &user, None)?;
            let cutoff = st.clock.now() - TimeDelta::days(days);
            let mut out = Vec::new();
            for s in summaries(&mut conn, &villages)? {
                let mut reasons = Vec::new();
                match s.last_activity_at {
                    None => reasons.push("never_started".to_string()),
                    Some(at) if at.naive_utc() < cutoff => reasons.push("inactive".to_string()),
                    _ => {}
                }
                if failed_twice(&mut conn, &s.user_id)? {
                    reasons.push("failed_quiz_twice".to_string());
                }
                if stuck(&mut conn, &s.user_id, cutoff)? {
                    reasons.push("stuck_on_lesson".to_string());
                }
                if !reasons.is_empty() {
                    out.push(NeedsHelp {
                        resident: s,
                        reasons,
                    });
                }
            }
            Ok(out)
        })
        .await?,
    ))
}

/// Whether the user started a lesson before `cutoff` and has not completed it.
fn stuck(
    conn: &mut crate::db::DbConn,
    user_id: &str,
    cutoff: chrono::NaiveDateTime,
) -> ApiResult<bool> {
    use crate::db::schema::lesson_progress;
    use diesel::prelude::*;
    let n: i64 = lesson_progress::table
        .filter(lesson_progress::user_id.eq(user_id))
        .filter(lesson_progress::status.eq("started"))
        .filter(lesson_progress::started_at.lt(cutoff))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Whether the user failed some quiz at least twice without passing it since.
fn failed_twice(conn: &mut crate::db::DbConn, user_id: &str) -> ApiResult<bool> {
    use crate::db::schema::quiz_attempts;
    use diesel::prelude::*;
    let rows: Vec<(String, String, Option<bool>)> = quiz_attempts::table
        .filter(quiz_attempts::user_id.eq(user_id))
        .filter(quiz_attempts::status.eq("submitted"))
        .select((
            quiz_attempts::course_id,
            quiz_attempts::quiz_key,
            quiz_attempts::passed,
        ))
        .load(conn)?;
    let mut failed: std::collections::HashMap<(String, String), (u32, bool)> = Default::default();
    for (c, k, p) in rows {
        let e = failed.entry((c, k)).or_default();
        if p == Some(true) {
            e.1 = true;
        } else {
            e.0 += 1;
        }
    }
    Ok(failed.values().any(|(n, passed)| *n >= 2 && !passed))
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
    let pool = state.pool.clone();
    let id = path.into_inner();
    let u = body.0;
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            let mut p = access::require_resident(&mut conn, &user, Action::Manage, &id)?;
            apply_profile(&mut p, &u, true)?;
            if let Some(h) = &u.household_id {
                let village = p.village_id.clone().unwrap_or_default();
                check_household(&mut conn, &village, h)?;
                p.household_id = Some(h.clone());
            }
            community::save_profile(&mut conn, &p)?;
            q::audit(
                &mut conn,
                &user.id,
                "resident.profile",
                Some(&id),
                p.village_id.as_deref(),
                &serde_json::to_value(&p).unwrap_or_default(),
            )?;
            Ok(p)
        })
        .await?,
    ))
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
    let st = state.clone();
    let id = path.into_inner();
    let slug = body.0.course;
    if st.catalogue.get(&slug).is_none() {
        return Err(crate::courses::course_not_found(&slug));
    }
    run_blocking(move || {
        let mut conn = st.pool.get()?;
        let p = access::require_resident(&mut conn, &user, Action::See, &id)?;
        let row = crate::courses::find(&mut conn, &slug)?;
        lq::ensure_enrollment(&mut conn, &id, &row.id, st.clock.now())?;
        q::audit(
            &mut conn,
            &user.id,
            "resident.enroll",
            Some(&id),
            p.village_id.as_deref(),
            &json!({"course": slug}),
        )?;
        Ok(())
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
    let st = state.clone();
    let (id, slug, key) = path.into_inner();
    let course = st
        .catalogue
        .get(&slug)
        .ok_or_else(|| crate::courses::course_not_found(&slug))?;
    let event = body.0;
    run_writing(&state, move |conn| {
        let p = access::require_resident(conn, &user, Action::See, &id)?;
        let outcome = learning::apply(
            conn,
            st.clock.now(),
            Learner {
                id: &id,
                recorded_by: Some(&user.id),
            },
            &course.course_id,
            &course.content.doc,
            &key,
            &event,
        )?;
        match outcome {
            Outcome::Rejected {
                code: "lesson_locked",
                reason,
            } => return Err(ApiError::conflict("lesson_locked", reason)),
            Outcome::Rejected { code, reason } => {
                return Err(ApiError::validation(vec![FieldError {
                    field: "event".into(),
                    code: code.into(),
                    message: reason,
                }]))
            }
            _ => {}
        }
        q::audit(
            conn,
            &user.id,
            "resident.progress",
            Some(&id),
            p.village_id.as_deref(),
            &json!({"course": slug, "lesson": key, "status": event.status}),
        )?;
        crate::learning::complete(conn, &st.completion(), &id, &course, None)?;
        Ok(())
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
    let pool = state.pool.clone();
    let id = path.into_inner();
    let res = run_blocking(move || {
        let mut conn = pool.get()?;
        let p = access::require_resident(&mut conn, &user, Action::Manage, &id)?;
        let ttl = TimeDelta::hours(1);
        let code = accounts::create_one_time_token(
            &mut conn,
            &id,
            accounts::PURPOSE_RESET_PASSWORD,
            None,
            ttl,
            crate::auth::tokens::human_code(),
        )?;
        q::audit(
            &mut conn,
            &user.id,
            "resident.password_reset",
            Some(&id),
            p.village_id.as_deref(),
            &json!({}),
        )?;
        Ok(ResetCode {
            code,
            expires_at: (now() + ttl).and_utc(),
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(res))
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
    let pool = state.pool.clone();
    let id = path.into_inner();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = pool.get()?;
            access::require_resident(&mut conn, &user, Action::Audit, &id)?;
            Ok(q::audit_of(&mut conn, &id)?
                .into_iter()
                .map(|(action, actor_id, _, at)| AuditEntry {
                    action,
                    actor_id,
                    at: at.and_utc(),
                })
                .collect())
        })
        .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ImportQuery {
    /// `all_or_nothing`: apply no row when any row has a problem. Default (`valid_rows`): apply
    /// the valid rows.
    #[param(schema_with = c::import_mode_or_null)]
    pub mode: Option<String>,
}

/// A CSV file sent as a form (`multipart/form-data`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// The CSV file.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// The CSV of an upload: the body itself (`text/csv`), or the `file` part of a
/// `multipart/form-data` body.
async fn uploaded_csv(req: &actix_web::HttpRequest, body: web::Bytes) -> ApiResult<web::Bytes> {
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return Ok(body);
    }
    let missing = || {
        ApiError::field(
            "file",
            "required",
            "A multipart/form-data body needs a `file` part holding the CSV.",
        )
    };
    let boundary = multer::parse_boundary(content_type).map_err(|_| missing())?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Some(field) = form.next_field().await.map_err(|_| missing())? {
        if field.name() == Some("file") {
            return field.bytes().await.map_err(|_| missing());
        }
    }
    Err(missing())
}

/// Import residents from CSV (`village_code, household_code, name, birth_year, learner_group,
/// phone, eid_status[, external_id]`), UTF-8 with or without BOM, comma or semicolon. The answer
/// reports every problem by row and column; running the same file again changes nothing.
#[utoipa::path(tag = "community", security(("bearer" = [])), params(ImportQuery), request_body(content(
    (String = "text/csv"),
    (ImportUpload = "multipart/form-data"),
)), responses(
    (status = 200, body = crate::imports::ImportReport),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/admin/imports/residents")]
pub async fn import_residents(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ImportQuery>,
    req: actix_web::HttpRequest,
    body: web::Bytes,
) -> ApiResult<web::Json<crate::imports::ImportReport>> {
    access::require(&user, Action::EnterAdminArea(AdminArea::ResidentImport))?;
    let body = uploaded_csv(&req, body).await?;
    let all_or_nothing = match query.into_inner().mode.as_deref() {
        None | Some("valid_rows") => false,
        Some("all_or_nothing") => true,
        Some(_) => {
            return Err(ApiError::field(
                "mode",
                "invalid",
                "`valid_rows` or `all_or_nothing`",
            ))
        }
    };
    let (pool, writer) = (state.pool.clone(), state.writer.clone());
    let report = run_blocking(move || {
        let mut conn = pool.get()?;
        let mut may =
            |conn: &mut crate::db::DbConn, village: &str| access::administers(conn, &user, village);
        let report = crate::imports::import_residents(
            &mut conn,
            &body,
            all_or_nothing,
            Some(&user.id),
            Some(&writer),
            &mut may,
            &mut |_, _| {},
        )?;
        drop(conn);
        let what =
            json!({"rows": report.rows, "created": report.created, "updated": report.updated});
        writer.transaction(move |conn| {
            q::audit(conn, &user.id, "residents.import", None, None, &what)
        })?;
        Ok(report)
    })
    .await?;
    Ok(web::Json(report))
}

#[derive(Serialize, ToSchema)]
pub struct DifficultQuestion {
    pub course: String,
    pub quiz: String,
    pub question: String,
    pub prompt: String,
    pub answered: i64,
    /// Share answered correctly by my villages' learners, 0–1.
    pub correct_share: f64,
}

/// Quiz questions my villages' learners find hard (under half correct, at least 3 answers), hardest first.
#[utoipa::path(tag = "facilitator", security(("bearer" = [])), responses(
    (status = 200, body = Vec<DifficultQuestion>),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/facilitator/difficult-questions")]
pub async fn difficult_questions(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<Vec<DifficultQuestion>>> {
    let st = state.clone();
    Ok(web::Json(
        run_blocking(move || {
            use crate::db::schema::{attempt_answers, courses, learner_profiles};
            use diesel::dsl::count_star;
            use diesel::prelude::*;
            let mut conn = st.pool.get()?;
            let villages = my_villages(&mut conn, &user, None)?;
            let learners = learner_profiles::table
                .filter(learner_profiles::village_id.eq_any(&villages))
                .select(learner_profiles::user_id);
            let answered: Vec<(String, String, String, i64)> = attempt_answers::table
                .filter(attempt_answers::user_id.eq_any(learners))
                .group_by((
                    attempt_answers::course_id,
                    attempt_answers::quiz_key,
                    attempt_answers::question_key,
                ))
                .select((
                    attempt_answers::course_id,
                    attempt_answers::quiz_key,
                    attempt_answers::question_key,
                    count_star(),
                ))
                .load(&mut conn)?;
            let learners = learner_profiles::table
                .filter(learner_profiles::village_id.eq_any(&villages))
                .select(learner_profiles::user_id);
            let correct: Vec<(String, String, String, i64)> = attempt_answers::table
                .filter(attempt_answers::user_id.eq_any(learners))
                .filter(attempt_answers::correct.eq(true))
                .group_by((
                    attempt_answers::course_id,
                    attempt_answers::quiz_key,
                    attempt_answers::question_key,
                ))
                .select((
                    attempt_answers::course_id,
                    attempt_answers::quiz_key,
                    attempt_answers::question_key,
                    count_star(),
                ))
                .load(&mut conn)?;
            let slugs: std::collections::HashMap<String, String> = courses::table
                .select((courses::id, courses::slug))
                .load::<(String, String)>(&mut conn)?
                .into_iter()
                .collect();
            let mut out: Vec<DifficultQuestion> = answered
                .into_iter()
                .filter(|(_, _, _, n)| *n >= 3)
                .map(|(course_id, quiz, question, n)| {
                    let c = correct
                        .iter()
                        .find(|(cc, cq, cqq, _)| {
                            *cc == course_id && *cq == quiz && *cqq == question
                        })
                        .map(|x| x.3)
                        .unwrap_or(0);
                    let course = slugs.get(&course_id).cloned().unwrap_or_default();
                    let prompt = st
                        .catalogue
                        .get(&course)
                        .and_then(|pc| {
                            pc.content
                                .doc
                                .quizzes()
                                .find(|q| q.key == quiz)
                                .and_then(|q| {
                                    q.spec
                                        .questions
                                        .iter()
                                        .find(|x| x.key == question)
                                        .map(|x| x.prompt.clone())
                                })
                        })
                        .unwrap_or_default();
                    DifficultQuestion {
                        correct_share: c as f64 / n as f64,
                        course,
                        quiz,
                        question,
                        prompt,
                        answered: n,
                    }
                })
                .filter(|d| d.correct_share < 0.5)
                .collect();
            out.sort_by(|a, b| a.correct_share.total_cmp(&b.correct_share));
            Ok(out)
        })
        .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLocalityRequest {
    #[schema(schema_with = c::text_or_null::<200>)]
    pub name: Option<String>,
    #[schema(schema_with = c::code_or_empty_or_null)]
    pub code: Option<String>,
}

/// Rename a locality or change its official code (admins of its area).
#[utoipa::path(tag = "community", security(("bearer" = [])), params(("id" = String, Path)), request_body = UpdateLocalityRequest, responses(
    (status = 200, body = LocalityResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[patch("/admin/localities/{id}")]
pub async fn update_locality(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<UpdateLocalityRequest>,
) -> ApiResult<web::Json<LocalityResponse>> {
    let b = body.0;
    let mut v = Validator::new();
    if let Some(n) = &b.name {
        v.length("name", n, 1, 200);
    }
    if let Some(c) = b.code.as_deref().filter(|c| !c.is_empty()) {
        v.length("code", c, 1, 40);
    }
    v.finish()?;
    let (pool, writer) = (state.pool.clone(), state.writer.clone());
    let id = path.into_inner();
    Ok(web::Json(
        run_blocking(move || {
            use crate::db::schema::localities;
            use diesel::prelude::*;
            let mut conn = pool.get()?;
            access::require_admin_of(&mut conn, &user, &id)?;
            drop(conn);
            writer.transaction(move |conn| {
                if let Some(name) = &b.name {
                    diesel::update(localities::table.find(&id))
                        .set(localities::name.eq(name.trim()))
                        .execute(conn)?;
                }
                if let Some(code) = &b.code {
                    let code = (!code.is_empty()).then(|| code.trim().to_string());
                    if let Some(c) = &code {
                        if q::locality_by_code(conn, c)?.is_some_and(|l| l.id != id) {
                            return Err(ApiError::conflict(
                                "code_taken",
                                format!("Another locality has code `{c}`."),
                            ));
                        }
                    }
                    diesel::update(localities::table.find(&id))
                        .set(localities::code.eq(code))
                        .execute(conn)?;
                }
                q::audit(
                    conn,
                    &user.id,
                    "locality.update",
                    None,
                    Some(&id),
                    &json!({"name": b.name, "code": b.code}),
                )?;
                Ok(LocalityResponse::from(
                    q::locality(conn, &id)?.ok_or_else(|| ApiError::not_found("vanished"))?,
                ))
            })
        })
        .await?,
    ))
}
