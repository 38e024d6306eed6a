//! `/programs[/{slug}]`, `/me/programs`, `/admin/programs/{slug}`: programs (learning paths).

use actix_web::{get, put, web};

use crate::api::extract::Json;
use crate::auth::AuthUser;
use crate::content::files::ProgramDoc;
use crate::error::ApiResult;
use crate::learning::programs;
pub use crate::learning::programs::{MyProgram, ProgramResponse};
use crate::state::AppState;
use crate::telemetry::run_blocking;

/// Programs (learning paths).
#[utoipa::path(tag = "learning", responses((status = 200, body = Vec<ProgramResponse>)))]
#[get("/programs")]
pub async fn list_programs(
    state: web::Data<AppState>,
) -> ApiResult<web::Json<Vec<ProgramResponse>>> {
    let pool = state.pool.clone();
    Ok(web::Json(
        run_blocking(move || programs::list(&pool)).await?,
    ))
}

/// One program.
#[utoipa::path(tag = "learning", params(("slug" = String, Path)), responses(
    (status = 200, body = ProgramResponse),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/programs/{slug}")]
pub async fn get_program(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<ProgramResponse>> {
    let (pool, slug) = (state.pool.clone(), path.into_inner());
    Ok(web::Json(
        run_blocking(move || programs::get(&pool, &slug)).await?,
    ))
}

/// Programs with my progress: courses completed and the program certificate.
#[utoipa::path(tag = "learning", security(("bearer" = [])), responses((status = 200, body = Vec<MyProgram>)))]
#[get("/me/programs")]
pub async fn my_programs(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<web::Json<Vec<MyProgram>>> {
    let pool = state.pool.clone();
    Ok(web::Json(
        run_blocking(move || programs::mine(&pool, &user)).await?,
    ))
}

/// Create or replace a program (platform admins).
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("slug" = String, Path, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64)), request_body = ProgramDoc, responses(
    (status = 200, body = ProgramResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, description = "A course of the program is not published", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/admin/programs/{slug}")]
pub async fn put_program(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<ProgramDoc>,
) -> ApiResult<web::Json<ProgramResponse>> {
    let (st, slug, p) = (state.clone(), path.into_inner(), body.0);
    let res = run_blocking(move || programs::put(&st.pool, &st.catalogue, &user, &slug, p)).await?;
    Ok(web::Json(res))
}
