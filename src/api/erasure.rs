//! Erasure of a person's data at their request (src/privacy/erasure.rs, docs/PRIVACY.md): the
//! person's own request, staff's on a resident's documented request, and running the due ones.

use actix_web::{delete, get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::Json;
use crate::accounts::Accounts;
use crate::api::constraints as c;
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::privacy::erasure::{self, ErasureStatus, ErasureView, StaffRequest};
use crate::state::AppState;
use crate::telemetry::{run_blocking, run_writing};

/// Whether an erasure of my data waits for its day.
#[utoipa::path(tag = "privacy", security(("bearer" = [])), responses(
    (status = 200, body = ErasureStatus),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/me/erasure")]
pub async fn my_erasure(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<ErasureStatus>> {
    let (pool, grace) = (state.pool.clone(), state.settings.erasure_grace_days);
    let s = run_blocking(move || erasure::my_erasure(&mut *pool.get()?, &user, grace)).await?;
    Ok(web::Json(s))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnErasureRequest {
    /// The account's password (or PIN) again.
    #[schema(schema_with = c::text::<1024>)]
    pub password: String,
}

/// Ask for the erasure of my data, with my password again (403 `wrong_password`). It is done
/// after `erasure_grace_days` unless cancelled (`DELETE /me/erasure`); then I can no longer log
/// in, and my certificates show as revoked at my request.
#[utoipa::path(tag = "privacy", security(("bearer" = [])), request_body = OwnErasureRequest, responses(
    (status = 201, body = ErasureView),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`erasure_requested` or `erasure_holds_role`", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/me/erasure")]
pub async fn request_my_erasure(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<OwnErasureRequest>,
) -> ApiResult<HttpResponse> {
    let st = state.clone();
    let password = body.0.password;
    let v = run_blocking(move || {
        erasure::request_own(&Accounts::of(&st), &user, &password, st.clock.now())
    })
    .await?;
    Ok(HttpResponse::Created().json(v))
}

/// Cancel the erasure of my data waiting for its day (404 when none waits).
#[utoipa::path(tag = "privacy", security(("bearer" = [])), responses(
    (status = 200, body = ErasureStatus),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/me/erasure")]
pub async fn cancel_my_erasure(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<ErasureStatus>> {
    let (now, grace) = (state.clock.now(), state.settings.erasure_grace_days);
    let s = run_writing(&state, move |conn| {
        erasure::cancel_own(conn, &user, now, grace)
    })
    .await?;
    Ok(web::Json(s))
}

/// Whether an erasure of a resident's data waits (facilitators of their village, admins of its
/// area).
#[utoipa::path(tag = "facilitator", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = ErasureStatus),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/facilitator/residents/{id}/erasure")]
pub async fn resident_erasure(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ErasureStatus>> {
    let (pool, grace, id) = (
        state.pool.clone(),
        state.settings.erasure_grace_days,
        path.into_inner(),
    );
    let s = run_blocking(move || erasure::resident_erasure(&mut *pool.get()?, &user, &id, grace))
        .await?;
    Ok(web::Json(s))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResidentErasureRequest {
    /// Why, in a few words (write no name).
    #[schema(schema_with = c::text::<500>)]
    pub reason: String,
    /// The reference of the resident's written request.
    #[schema(schema_with = c::text::<200>)]
    pub document_ref: String,
}

/// Ask for the erasure of a resident's data on their documented request (a facilitator of their
/// village, an admin of its area; not for an account holding a role: 404).
#[utoipa::path(tag = "facilitator", security(("bearer" = [])), params(("id" = String, Path)), request_body = ResidentErasureRequest, responses(
    (status = 201, body = ErasureView),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/facilitator/residents/{id}/erasure")]
pub async fn request_resident_erasure(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<ResidentErasureRequest>,
) -> ApiResult<HttpResponse> {
    let (now, grace, id) = (
        state.clock.now(),
        state.settings.erasure_grace_days,
        path.into_inner(),
    );
    let input = StaffRequest {
        reason: body.0.reason,
        document_ref: body.0.document_ref,
    };
    let v = run_writing(&state, move |conn| {
        erasure::request_for_resident(conn, &user, &id, input, now, grace)
    })
    .await?;
    Ok(HttpResponse::Created().json(v))
}

/// Cancel the erasure of a resident's data waiting for its day (404 when none waits).
#[utoipa::path(tag = "facilitator", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = ErasureStatus),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/facilitator/residents/{id}/erasure")]
pub async fn cancel_resident_erasure(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<ErasureStatus>> {
    let (now, grace, id) = (
        state.clock.now(),
        state.settings.erasure_grace_days,
        path.into_inner(),
    );
    let s = run_writing(&state, move |conn| {
        erasure::cancel_for_resident(conn, &user, &id, now, grace)
    })
    .await?;
    Ok(web::Json(s))
}

#[derive(Serialize, ToSchema)]
pub struct ErasuresRun {
    /// How many people's data was erased.
    pub erased: usize,
}

/// Carry out now every erasure whose day has come (platform admins; the server also does it
/// every hour, and `hocso erasure run` from the command line).
#[utoipa::path(tag = "admin", security(("bearer" = [])), responses(
    (status = 200, body = ErasuresRun),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/admin/erasures/run")]
pub async fn run_erasures(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<ErasuresRun>> {
    let (writer, now) = (state.writer.clone(), state.clock.now());
    let erased = run_blocking(move || erasure::run_now(&writer, &user, now)).await?;
    Ok(web::Json(ErasuresRun { erased }))
}
