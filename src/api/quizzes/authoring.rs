//! `/courses/{slug}/modules/{module}/quizzes`, `/courses/{slug}/quizzes/{key}[/questions[/{question}]]`:
//! quiz authoring. Each answers the new draft document.

use actix_web::{delete, post, put, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::constraints as c;
use crate::api::extract::Json;
use crate::auth::AuthUser;
use crate::content::{Question, QuizDoc, QuizSpec};
use crate::courses::quizzes;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::telemetry::run_blocking;

/// A new quiz: its key, where it goes, and the fields of its quiz file ([`QuizSpec`]).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateQuizRequest {
    #[schema(schema_with = c::key)]
    pub key: String,
    /// 0-based position in the module; at the end when absent. Past the end → 409
    /// `position_out_of_range`.
    #[schema(minimum = 0, maximum = 100_000)]
    pub position: Option<usize>,
    #[schema(schema_with = c::text::<200>)]
    pub title: String,
    #[serde(default)]
    pub title_en: String,
    /// Percent needed to pass.
    #[schema(minimum = 1, maximum = 100)]
    pub pass_mark: u32,
    /// At most the number of questions in the pool (checked at publish).
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub questions_per_attempt: u32,
    #[serde(default = "crate::content::yes")]
    pub shuffle_questions: bool,
    #[serde(default = "crate::content::yes")]
    pub shuffle_choices: bool,
    /// 0: unlimited.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub max_attempts: u32,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub cooldown_seconds: u32,
    /// Absent: no limit.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub time_limit_seconds: Option<u32>,
    #[serde(default = "crate::content::after_attempt")]
    #[schema(schema_with = c::show_answers)]
    pub show_answers: String,
    #[serde(default)]
    pub optional: bool,
    /// Questions to draw per tag; they add up to at most `questions_per_attempt`.
    #[serde(default)]
    pub quotas: std::collections::BTreeMap<String, u32>,
    #[serde(default)]
    pub questions: Vec<Question>,
}

impl From<CreateQuizRequest> for QuizDoc {
    fn from(b: CreateQuizRequest) -> Self {
        QuizDoc {
            key: b.key,
            spec: QuizSpec {
                title: b.title,
                title_en: b.title_en,
                pass_mark: b.pass_mark,
                questions_per_attempt: b.questions_per_attempt,
                shuffle_questions: b.shuffle_questions,
                shuffle_choices: b.shuffle_choices,
                max_attempts: b.max_attempts,
                cooldown_seconds: b.cooldown_seconds,
                time_limit_seconds: b.time_limit_seconds,
                show_answers: b.show_answers,
                optional: b.optional,
                quotas: b.quotas,
                questions: b.questions,
            },
        }
    }
}

/// The new draft, as every quiz authoring request answers.
fn ok(doc: ApiResult<crate::content::CourseDoc>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(doc?))
}

/// Add a quiz (settings and question pool) to a module of the draft.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("module" = String, Path)), request_body = CreateQuizRequest, responses(
    (status = 200, description = "The new draft", body = crate::content::CourseDoc),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`key_taken`, or `position_out_of_range`", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/courses/{slug}/modules/{module}/quizzes")]
pub async fn create_quiz(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<CreateQuizRequest>,
) -> ApiResult<HttpResponse> {
    let ((slug, module), position) = (path.into_inner(), body.0.position);
    let (pool, quiz) = (state.pool.clone(), QuizDoc::from(body.0));
    ok(
        run_blocking(move || quizzes::create_quiz(&pool, &user, &slug, &module, quiz, position))
            .await,
    )
}

/// Replace a quiz's settings and pool in the draft.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("key" = String, Path, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64)), request_body = QuizSpec, responses(
    (status = 200, description = "The new draft", body = crate::content::CourseDoc),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/courses/{slug}/quizzes/{key}")]
pub async fn replace_quiz(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<QuizSpec>,
) -> ApiResult<HttpResponse> {
    let (pool, (slug, key), spec) = (state.pool.clone(), path.into_inner(), body.0);
    ok(run_blocking(move || quizzes::replace_quiz(&pool, &user, &slug, &key, spec)).await)
}

/// Remove a quiz from the draft.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("key" = String, Path)), responses(
    (status = 200, description = "The new draft", body = crate::content::CourseDoc),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/courses/{slug}/quizzes/{key}")]
pub async fn delete_quiz(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (pool, (slug, key)) = (state.pool.clone(), path.into_inner());
    ok(run_blocking(move || quizzes::delete_quiz(&pool, &user, &slug, &key)).await)
}

/// Add a question to a quiz's pool.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("key" = String, Path)), request_body = Question, responses(
    (status = 200, description = "The new draft", body = crate::content::CourseDoc),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/courses/{slug}/quizzes/{key}/questions")]
pub async fn add_question(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Json<Question>,
) -> ApiResult<HttpResponse> {
    let (pool, (slug, key), question) = (state.pool.clone(), path.into_inner(), body.0);
    ok(run_blocking(move || quizzes::add_question(&pool, &user, &slug, &key, question)).await)
}

/// Replace a question of a quiz's pool.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("key" = String, Path), ("question" = String, Path)), request_body = Question, responses(
    (status = 200, description = "The new draft", body = crate::content::CourseDoc),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/courses/{slug}/quizzes/{key}/questions/{question}")]
pub async fn replace_question(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String, String)>,
    body: Json<Question>,
) -> ApiResult<HttpResponse> {
    let (pool, (slug, key, qkey), question) = (state.pool.clone(), path.into_inner(), body.0);
    ok(run_blocking(move || {
        quizzes::replace_question(&pool, &user, &slug, &key, &qkey, question, None)
    })
    .await)
}

/// Remove a question from a quiz's pool.
#[utoipa::path(tag = "authoring", security(("bearer" = [])), params(("slug" = String, Path), ("key" = String, Path), ("question" = String, Path)), responses(
    (status = 200, description = "The new draft", body = crate::content::CourseDoc),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/courses/{slug}/quizzes/{key}/questions/{question}")]
pub async fn delete_question(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String, String)>,
) -> ApiResult<HttpResponse> {
    let (pool, (slug, key, qkey)) = (state.pool.clone(), path.into_inner());
    ok(run_blocking(move || quizzes::delete_question(&pool, &user, &slug, &key, &qkey)).await)
}
