//! `/courses` (create), `/courses/{slug}` (change, delete), `/courses/{slug}/draft`: a course's
//! draft and its course fields.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::DraftResponse;
use crate::api::constraints as c;
use crate::api::extract::Json;
use crate::auth::AuthUser;
use crate::content::{CourseDoc, CourseMeta};
use crate::courses::authoring::{self, CoursePatch};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::telemetry::run_blocking;

/// A new course: its slug and the fields of `course.toml` ([`CourseMeta`]).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCourseRequest {
    /// Cannot change later.
    #[schema(schema_with = c::key)]
    pub slug: String,
    #[schema(schema_with = c::text::<200>)]
    pub title: String,
    #[schema(schema_with = c::text::<200>)]
    pub title_en: String,
    #[schema(schema_with = c::text::<1000>)]
    pub summary: String,
    #[schema(schema_with = c::text::<1000>)]
    pub summary_en: String,
    /// `vi` when absent.
    #[serde(default = "default_language")]
    #[schema(schema_with = c::language)]
    pub language: String,
    #[schema(schema_with = c::topic)]
    pub topic: String,
    #[schema(schema_with = c::level)]
    pub level: String,
    #[schema(schema_with = c::groups)]
    pub groups: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = c::competences)]
    pub competences: Vec<String>,
    #[schema(minimum = 1, maximum = 10_000)]
    pub estimated_minutes: u32,
    #[serde(default)]
    pub strict_order: bool,
    #[serde(default)]
    #[schema(schema_with = c::url_or_null)]
    pub cover_image_url: Option<String>,
}

fn default_language() -> String {
    "vi".into()
}

impl From<CreateCourseRequest> for CourseDoc {
    fn from(b: CreateCourseRequest) -> Self {
        CourseDoc {
            slug: b.slug,
            meta: CourseMeta {
                title: b.title,
                title_en: b.title_en,
                summary: b.summary,
                summary_en: b.summary_en,
                language: b.language,
                topic: b.topic,
                level: b.level,
                groups: b.groups,
                competences: b.competences,
                estimated_minutes: b.estimated_minutes,
                strict_order: b.strict_order,
                cover_image_url: b.cover_image_url,
            },
            modules: Vec::new(),
        }
    }
}

/// Create a draft course (instructors and admins); the caller owns it.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), request_body = CreateCourseRequest, responses(
    (status = 201, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "Slug taken", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/courses")]
pub async fn create_course(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<CreateCourseRequest>,
) -> ApiResult<HttpResponse> {
    let (writer, doc) = (state.writer.clone(), CourseDoc::from(body.0));
    let draft = run_blocking(move || authoring::create(&writer, &user, doc)).await?;
    Ok(HttpResponse::Created().json(DraftResponse::from(draft)))
}

/// The draft, with lesson bodies and quiz answers: for the course's authors only.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path)), responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/courses/{slug}/draft")]
pub async fn get_draft(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<DraftResponse>> {
    let (pool, slug) = (state.pool.clone(), path.into_inner());
    let draft = run_blocking(move || authoring::get(&pool, &user, &slug)).await?;
    Ok(web::Json(draft.into()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateCourseRequest {
    #[schema(schema_with = c::text_or_null::<200>)]
    pub title: Option<String>,
    #[schema(schema_with = c::text_or_null::<200>)]
    pub title_en: Option<String>,
    #[schema(schema_with = c::text_or_null::<1000>)]
    pub summary: Option<String>,
    #[schema(schema_with = c::text_or_null::<1000>)]
    pub summary_en: Option<String>,
    #[schema(schema_with = c::language_or_null)]
    pub language: Option<String>,
    #[schema(schema_with = c::topic_or_null)]
    pub topic: Option<String>,
    #[schema(schema_with = c::level_or_null)]
    pub level: Option<String>,
    #[schema(schema_with = c::groups_or_null)]
    pub groups: Option<Vec<String>>,
    #[schema(schema_with = c::competences_or_null)]
    pub competences: Option<Vec<String>>,
    #[schema(minimum = 1, maximum = 10_000)]
    pub estimated_minutes: Option<u32>,
    pub strict_order: Option<bool>,
    #[schema(schema_with = c::url_or_empty_or_null)]
    pub cover_image_url: Option<String>,
}

impl From<UpdateCourseRequest> for CoursePatch {
    fn from(b: UpdateCourseRequest) -> Self {
        Self {
            title: b.title,
            title_en: b.title_en,
            summary: b.summary,
            summary_en: b.summary_en,
            language: b.language,
            topic: b.topic,
            level: b.level,
            groups: b.groups,
            competences: b.competences,
            estimated_minutes: b.estimated_minutes,
            strict_order: b.strict_order,
            cover_image_url: b.cover_image_url,
        }
    }
}

/// Change the draft's course fields.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path)), request_body = UpdateCourseRequest, responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[patch("/courses/{slug}")]
pub async fn update_course(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<UpdateCourseRequest>,
) -> ApiResult<web::Json<DraftResponse>> {
    let (pool, slug, patch) = (state.pool.clone(), path.into_inner(), body.0.into());
    let draft = run_blocking(move || authoring::update_course(&pool, &user, &slug, patch)).await?;
    Ok(web::Json(draft.into()))
}

/// Delete a course that was never published.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path)), responses(
    (status = 204),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "The course has releases", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/courses/{slug}")]
pub async fn delete_course(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (pool, slug) = (state.pool.clone(), path.into_inner());
    run_blocking(move || authoring::delete_course(&pool, &user, &slug)).await?;
    Ok(HttpResponse::NoContent().finish())
}
