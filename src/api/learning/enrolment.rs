//! `/courses/{slug}/enrollment`, `/me/enrollments`: joining and leaving courses.

use actix_web::{delete, get, post, web, HttpResponse};

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::learning::enrolment;
pub use crate::learning::enrolment::EnrollmentResponse;
use crate::state::AppState;
use crate::telemetry::{run_blocking, run_writing};

/// Join a course (idempotent).
#[utoipa::path(tag = "learning", security(("bearer" = [])), params(("slug" = String, Path)), responses(
    (status = 201, body = EnrollmentResponse),
    (status = 200, description = "Already enrolled", body = EnrollmentResponse),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`course_not_published`: a draft not published yet", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/courses/{slug}/enrollment")]
pub async fn enroll(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let slug = path.into_inner();
    let Some(course) = state.catalogue.get(&slug) else {
        let pool = state.pool.clone();
        return Err(run_blocking(move || enrolment::not_served(&pool, &slug)).await?);
    };
    let st = state.clone();
    let (created, view) = run_writing(&state, move |conn| {
        enrolment::enroll(conn, &st.clock, &user, &course, &slug)
    })
    .await?;
    let mut ok = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(ok.json(view))
}

/// Leave a course. Lesson progress is kept, so joining again continues where the learner was.
#[utoipa::path(tag = "learning", security(("bearer" = [])), params(("slug" = String, Path)), responses(
    (status = 204),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/courses/{slug}/enrollment")]
pub async fn leave(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let slug = path.into_inner();
    run_writing(&state, move |conn| enrolment::leave(conn, &user, &slug)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// My courses with percentage done, last activity and status.
#[utoipa::path(tag = "learning", security(("bearer" = [])), responses((status = 200, body = Vec<EnrollmentResponse>)))]
#[get("/me/enrollments")]
pub async fn my_enrollments(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<Vec<EnrollmentResponse>>> {
    let st = state.clone();
    let list = run_blocking(move || enrolment::mine(&st.pool, &st.catalogue, &user)).await?;
    Ok(web::Json(list))
}
