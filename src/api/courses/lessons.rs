//! `/courses/{slug}/modules/{module}/lessons`, `/courses/{slug}/lessons/{key}`: the draft's lessons.

use actix_web::{delete, patch, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::DraftResponse;
use crate::api::constraints as c;
use crate::api::extract::Json;
use crate::auth::AuthUser;
use crate::content::{LessonDoc, LessonMeta, Source};
use crate::courses::authoring::{self, LessonPatch};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::telemetry::run_blocking;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLessonRequest {
    #[schema(schema_with = c::key)]
    pub key: String,
    #[schema(schema_with = c::text::<200>)]
    pub title: String,
    #[serde(default)]
    #[schema(schema_with = c::text::<200>, required = true)]
    pub title_en: String,
    #[schema(minimum = 1, maximum = 600)]
    pub estimated_minutes: u32,
    #[serde(default)]
    #[schema(schema_with = c::competences)]
    pub competences: Vec<String>,
    #[serde(default)]
    pub optional: bool,
    /// An empty string is no video; a video needs its transcript.
    #[schema(schema_with = c::url_or_empty_or_null)]
    pub video_url: Option<String>,
    pub transcript: Option<String>,
    #[serde(default)]
    #[schema(schema_with = c::sources)]
    pub sources: Vec<Source>,
    #[schema(schema_with = c::lesson_body)]
    pub body: String,
    /// 0-based position in the module; at the end when absent. Past the end → 409
    /// `position_out_of_range`.
    #[schema(minimum = 0, maximum = 100_000)]
    pub position: Option<usize>,
}

impl From<CreateLessonRequest> for LessonDoc {
    fn from(b: CreateLessonRequest) -> Self {
        LessonDoc {
            key: b.key,
            meta: LessonMeta {
                title: b.title,
                title_en: b.title_en,
                estimated_minutes: b.estimated_minutes,
                competences: b.competences,
                optional: b.optional,
                video_url: b.video_url,
                transcript: b.transcript,
                sources: b.sources,
            },
            body: b.body,
        }
    }
}

/// Add a lesson to a module of the draft.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("module" = String, Path)), request_body = CreateLessonRequest, responses(
    (status = 201, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`key_taken`, or `position_out_of_range`", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 413, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/courses/{slug}/modules/{module}/lessons")]
pub async fn create_lesson(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<CreateLessonRequest>,
) -> ApiResult<HttpResponse> {
    let (pool, (slug, module), b) = (state.pool.clone(), path.into_inner(), body.0);
    let position = b.position;
    let draft = run_blocking(move || {
        authoring::create_lesson(&pool, &user, &slug, &module, b.into(), position)
    })
    .await?;
    Ok(HttpResponse::Created().json(DraftResponse::from(draft)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLessonRequest {
    #[schema(schema_with = c::text_or_null::<200>)]
    pub title: Option<String>,
    #[schema(schema_with = c::text_or_null::<200>)]
    pub title_en: Option<String>,
    #[schema(minimum = 1, maximum = 600)]
    pub estimated_minutes: Option<u32>,
    #[schema(schema_with = c::competences_or_null)]
    pub competences: Option<Vec<String>>,
    pub optional: Option<bool>,
    /// An empty string removes the video (and its transcript); a new video needs its transcript.
    #[schema(schema_with = c::url_or_empty_or_null)]
    pub video_url: Option<String>,
    pub transcript: Option<String>,
    #[schema(schema_with = c::sources_or_null)]
    pub sources: Option<Vec<Source>>,
    #[schema(schema_with = c::lesson_body_or_null)]
    pub body: Option<String>,
}

impl From<UpdateLessonRequest> for LessonPatch {
    fn from(b: UpdateLessonRequest) -> Self {
        Self {
            title: b.title,
            title_en: b.title_en,
            estimated_minutes: b.estimated_minutes,
            competences: b.competences,
            optional: b.optional,
            video_url: b.video_url,
            transcript: b.transcript,
            sources: b.sources,
            body: b.body,
        }
    }
}

/// Change a lesson of the draft.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("key" = String, Path)), request_body = UpdateLessonRequest, responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[patch("/courses/{slug}/lessons/{key}")]
pub async fn update_lesson(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<UpdateLessonRequest>,
) -> ApiResult<web::Json<DraftResponse>> {
    let (pool, (slug, key), patch) = (state.pool.clone(), path.into_inner(), body.0.into());
    let draft =
        run_blocking(move || authoring::update_lesson(&pool, &user, &slug, &key, patch)).await?;
    Ok(web::Json(draft.into()))
}

/// Remove a lesson from the draft.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("key" = String, Path)), responses(
    (status = 200, body = DraftResponse),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/courses/{slug}/lessons/{key}")]
pub async fn delete_lesson(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<DraftResponse>> {
    let (pool, (slug, key)) = (state.pool.clone(), path.into_inner());
    let draft = run_blocking(move || authoring::delete_lesson(&pool, &user, &slug, &key)).await?;
    Ok(web::Json(draft.into()))
}
