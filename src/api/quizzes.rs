//! Quizzes: attempts for learners, statistics and quiz authoring for course authors.

use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::constraints as c;
use super::extract::Json;
use crate::auth::{AuthUser, TokenUser};
use crate::content::validate::quiz_issues;
use crate::content::{ItemDoc, Question, QuizDoc, QuizSpec};
use crate::courses;
use crate::db::quiz::{self as q, AttemptRow};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::quiz::attempts::{self, quiz_not_found, QuizRef};
use crate::quiz::{reveal, shown, Answer, QuestionResult, ShownQuestion};
use crate::state::AppState;
use crate::telemetry::{run_blocking, run_writing};

/// The result of a submitted attempt.
#[derive(Serialize, ToSchema)]
pub struct AttemptResult {
    /// Percent, 0–100.
    pub score: f64,
    pub passed: bool,
    pub pass_mark: u32,
    /// Whether correct answers and explanations are included (the quiz's `show_answers`).
    pub answers_shown: bool,
    /// Per question: correctness, and with `answers_shown` the explanation and solution.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<QuestionResult>,
}

#[derive(Serialize, ToSchema)]
pub struct AttemptResponse {
    pub id: String,
    /// `SLUG.KEY`
    pub quiz: String,
    pub number: i32,
    pub release: i32,
    /// `open` or `submitted`
    pub status: String,
    pub started_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
    /// Graded after its deadline: only answers saved in time counted.
    pub late: bool,
    pub questions: Vec<ShownQuestion>,
    /// The answers saved so far.
    pub answers: Vec<Answer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<AttemptResult>,
    /// Certificates issued by this very request: the submit that completes a course (and the
    /// programs it completes) lists them, as a progress write does.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub certificates_issued: Vec<crate::learning::IssuedCertificate>,
}

fn cx(state: &AppState) -> attempts::Ctx<'_> {
    attempts::Ctx {
        clock: &state.clock,
        catalogue: &state.catalogue,
    }
}

fn parse_quiz_id(id: &str) -> ApiResult<(String, String)> {
    id.split_once('.')
        .map(|(s, k)| (s.to_string(), k.to_string()))
        .ok_or_else(|| quiz_not_found(id))
}

/// The slug of a course: from the catalogue when it is published, else from the database.
fn course_slug(
    conn: &mut crate::db::DbConn,
    state: &AppState,
    course_id: &str,
) -> ApiResult<String> {
    use crate::db::schema::courses;
    use diesel::prelude::*;
    if let Some(c) = state.catalogue.by_id(course_id) {
        return Ok(c.card.slug.clone());
    }
    Ok(courses::table
        .find(course_id)
        .select(courses::slug)
        .first(conn)?)
}

/// Builds the learner's view of an attempt; the result is shown as the quiz allows.
fn view(
    conn: &mut crate::db::DbConn,
    state: &AppState,
    row: &AttemptRow,
) -> ApiResult<AttemptResponse> {
    let paper = attempts::paper(conn, &state.catalogue, row)?;
    let saved = attempts::saved(row)?;
    let result = if row.status == "submitted" {
        let attempts_left = if paper.max_attempts > 0 {
            let used = q::attempts_so_far(conn, &row.user_id, &row.course_id, &row.quiz_key)?.count;
            Some(paper.max_attempts.saturating_sub(used as u32))
        } else {
            None
        };
        let passed = row.passed.unwrap_or(false);
        let shown_answers = reveal(&paper.show_answers, passed, attempts_left);
        // `never` withholds even per-question correctness; otherwise correctness is shown, and
        // explanations and solutions when the setting allows.
        let questions = if paper.show_answers == "never" {
            Vec::new()
        } else {
            let results = attempts::graded(row)?;
            if shown_answers {
                paper.explained(results)
            } else {
                results
            }
        };
        Some(AttemptResult {
            score: f64::from(row.score_bp.unwrap_or(0)) / 100.0,
            passed,
            pass_mark: paper.pass_mark,
            answers_shown: shown_answers,
            questions,
        })
    } else {
        None
    };
    Ok(AttemptResponse {
        id: row.id.clone(),
        quiz: format!(
            "{}.{}",
            course_slug(conn, state, &row.course_id)?,
            row.quiz_key
        ),
        number: row.number,
        release: row.release,
        status: row.status.clone(),
        started_at: row.started_at.and_utc(),
        deadline_at: row.deadline_at.map(|d| d.and_utc()),
        submitted_at: row.submitted_at.map(|d| d.and_utc()),
        late: row.late,
        questions: paper.questions.iter().map(shown).collect(),
        answers: saved.into_values().map(|s| s.answer).collect(),
        result,
        certificates_issued: Vec::new(),
    })
}

/// Start an attempt (or get back the open one): the drawn questions with fresh opaque ids.
#[utoipa::path(tag = "quizzes", security(("bearer" = [])), params(("id" = String, Path, description = "`SLUG.KEY` from the course outline")), responses(
    (status = 201, body = AttemptResponse),
    (status = 200, description = "An attempt is already open: it is returned", body = AttemptResponse),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`max_attempts_reached` or `cooldown_active` (with Retry-After)", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/quizzes/{id}/attempts")]
pub async fn start_attempt(
    state: web::Data<AppState>,
    token: TokenUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let quiz_id = path.into_inner();
    let (slug, key) = parse_quiz_id(&quiz_id)?;
    let course = state
        .catalogue
        .get(&slug)
        .ok_or_else(|| quiz_not_found(&quiz_id))?;
    if course.content.doc.quiz(&key).is_none() {
        return Err(quiz_not_found(&quiz_id));
    }
    let st = state.clone();
    let (res, created) = run_writing(&state, move |conn| {
        let user = token.check(conn)?;
        let spec = course.content.doc.quiz(&key);
        let quiz = QuizRef {
            course_id: &course.course_id,
            key: &key,
            release: course.release,
            spec: spec.ok_or_else(|| quiz_not_found(&quiz_id))?,
        };
        let (attempt, created) = attempts::start(conn, cx(&st), &user.id, &quiz)?;
        Ok((view(conn, &st, &attempt)?, created))
    })
    .await?;
    Ok(if created {
        HttpResponse::Created().json(res)
    } else {
        HttpResponse::Ok().json(res)
    })
}

/// One of my attempts (another user's → 404). An open attempt past its deadline is graded now.
#[utoipa::path(tag = "quizzes", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = AttemptResponse),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/attempts/{id}")]
pub async fn get_attempt(
    state: web::Data<AppState>,
    token: TokenUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<AttemptResponse>> {
    let st = state.clone();
    let id = path.into_inner();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = st.pool.get()?;
            let user = token.check(&mut conn)?;
            let row = attempts::load(&mut conn, cx(&st), &id, &user.id)?;
            view(&mut conn, &st, &row)
        })
        .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveAnswersRequest {
    #[schema(max_items = 100)]
    pub answers: Vec<Answer>,
}

/// Save answers: partial, repeatable, idempotent. 422 names a bad answer; 409 once submitted.
#[utoipa::path(tag = "quizzes", security(("bearer" = [])), params(("id" = String, Path)), request_body = SaveAnswersRequest, responses(
    (status = 200, body = AttemptResponse),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`attempt_submitted` or `attempt_closed`", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "An answer names an unknown question or option, or has the wrong shape", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[put("/attempts/{id}/answers")]
pub async fn save_answers(
    state: web::Data<AppState>,
    token: TokenUser,
    path: web::Path<String>,
    body: Json<SaveAnswersRequest>,
) -> ApiResult<web::Json<AttemptResponse>> {
    let st = state.clone();
    let id = path.into_inner();
    let answers = body.0.answers;
    if answers.len() > 100 {
        return Err(ApiError::field(
            "answers",
            "too_many",
            "at most 100 answers per request",
        ));
    }
    Ok(web::Json(
        run_writing(&state, move |conn| {
            let user = token.check(conn)?;
            let row = attempts::save_answers(conn, cx(&st), &id, &user.id, answers)?;
            view(conn, &st, &row)
        })
        .await?,
    ))
}

/// Submit: graded on the server, once. Submitting again returns the same result.
#[utoipa::path(tag = "quizzes", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = AttemptResponse),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/attempts/{id}/submit")]
pub async fn submit_attempt(
    state: web::Data<AppState>,
    token: TokenUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<AttemptResponse>> {
    let st = state.clone();
    let id = path.into_inner();
    Ok(web::Json(
        run_writing(&state, move |conn| {
            let user = token.check(conn)?;
            let row = attempts::submit(conn, cx(&st), &id, &user.id)?;
            let mut issued = Vec::new();
            if row.passed == Some(true) {
                if let Some(published) = st.catalogue.by_id(&row.course_id) {
                    issued = crate::learning::complete(
                        conn,
                        &st.completion(),
                        &user.id,
                        &published,
                        None,
                    )?;
                }
            }
            let mut response = view(conn, &st, &row)?;
            response.certificates_issued = issued;
            Ok(response)
        })
        .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct AttemptSummary {
    pub id: String,
    pub number: i32,
    pub status: String,
    pub started_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passed: Option<bool>,
    pub late: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AttemptHistory {
    pub quiz: String,
    pub attempts: Vec<AttemptSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_score: Option<f64>,
    pub passed: bool,
    /// Absent when attempts are unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
}

/// My attempts at a quiz, with the best score.
#[utoipa::path(tag = "quizzes", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = AttemptHistory),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/me/quizzes/{id}/attempts")]
pub async fn my_attempts(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<web::Json<AttemptHistory>> {
    let quiz_id = path.into_inner();
    let (slug, key) = parse_quiz_id(&quiz_id)?;
    let max = state
        .catalogue
        .get(&slug)
        .and_then(|c| c.content.doc.quiz(&key).map(|q| q.max_attempts))
        .ok_or_else(|| quiz_not_found(&quiz_id))?;
    let st = state.clone();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = st.pool.get()?;
            let row = courses::find(&mut conn, &slug)?;
            let rows = q::of_user(&mut conn, &user.id, &row.id, &key)?;
            let mut list = Vec::new();
            for r in rows {
                // Grade attempts whose time ran out before listing them.
                let r = attempts::load(&mut conn, cx(&st), &r.id, &user.id)?;
                list.push(r);
            }
            let best = list.iter().filter_map(|r| r.score_bp).max();
            Ok(AttemptHistory {
                quiz: quiz_id,
                best_score: best.map(|b| f64::from(b) / 100.0),
                passed: list.iter().any(|r| r.passed == Some(true)),
                attempts_left: (max > 0).then(|| max.saturating_sub(list.len() as u32)),
                attempts: list
                    .into_iter()
                    .map(|r| AttemptSummary {
                        id: r.id,
                        number: r.number,
                        status: r.status,
                        started_at: r.started_at.and_utc(),
                        submitted_at: r.submitted_at.map(|d| d.and_utc()),
                        score: r.score_bp.map(|b| f64::from(b) / 100.0),
                        passed: r.passed,
                        late: r.late,
                    })
                    .collect(),
            })
        })
        .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct QuestionStats {
    pub key: String,
    pub prompt: String,
    pub answered: i64,
    /// Share of answers that were fully correct, 0–1.
    pub correct_share: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub most_chosen_wrong_answer: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct QuizStats {
    pub quiz: String,
    pub attempts: usize,
    pub pass_rate: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_score: Option<f64>,
    pub questions: Vec<QuestionStats>,
    /// Keys of questions that fewer than half of the learners got right, hardest first.
    pub difficult_questions: Vec<String>,
}

/// Quiz statistics for the course's authors.
#[utoipa::path(tag = "quizzes", security(("bearer" = [])), params(("slug" = String, Path), ("key" = String, Path)), responses(
    (status = 200, body = QuizStats),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/courses/{slug}/quizzes/{key}/stats")]
pub async fn quiz_stats(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<QuizStats>> {
    let (slug, key) = path.into_inner();
    let st = state.clone();
    Ok(web::Json(
        run_blocking(move || {
            let mut conn = st.pool.get()?;
            let row = courses::find(&mut conn, &slug)?;
            crate::access::require_editor(&mut conn, &user, &row)?;
            // Prompts from the served release, else from the draft.
            let source = match st.catalogue.get(&slug) {
                Some(c) => c.content.doc.clone(),
                None => courses::parse_draft(&row)?,
            };
            let prompts: Vec<(String, String)> = source
                .quizzes()
                .filter(|q| q.key == key)
                .flat_map(|q| {
                    q.spec
                        .questions
                        .iter()
                        .map(|x| (x.key.clone(), x.prompt.clone()))
                })
                .collect();
            let scores = q::submitted_scores(&mut conn, &row.id, &key)?;
            let mut values: Vec<i32> = scores.iter().filter_map(|(s, _)| *s).collect();
            values.sort();
            let median = (!values.is_empty()).then(|| {
                let n = values.len();
                let m = if n % 2 == 1 {
                    f64::from(values[n / 2])
                } else {
                    f64::from(values[n / 2 - 1] + values[n / 2]) / 2.0
                };
                m / 100.0
            });
            let passed = scores.iter().filter(|(_, p)| *p == Some(true)).count();
            let wrong = q::wrong_answers(&mut conn, &row.id, &key)?;
            let mut questions: Vec<QuestionStats> = q::question_counts(&mut conn, &row.id, &key)?
                .into_iter()
                .map(|(k, n, c)| QuestionStats {
                    prompt: prompts
                        .iter()
                        .find(|(pk, _)| *pk == k)
                        .map(|(_, p)| p.clone())
                        .unwrap_or_default(),
                    most_chosen_wrong_answer: wrong
                        .iter()
                        .find(|(wk, _, _)| *wk == k)
                        .and_then(|(_, w, _)| w.clone()),
                    correct_share: if n > 0 { c as f64 / n as f64 } else { 0.0 },
                    answered: n,
                    key: k,
                })
                .collect();
            questions.sort_by(|a, b| a.key.cmp(&b.key));
            let mut difficult: Vec<&QuestionStats> =
                questions.iter().filter(|q| q.correct_share < 0.5).collect();
            difficult.sort_by(|a, b| a.correct_share.total_cmp(&b.correct_share));
            Ok(QuizStats {
                quiz: format!("{slug}.{key}"),
                attempts: scores.len(),
                pass_rate: if scores.is_empty() {
                    0.0
                } else {
                    passed as f64 / scores.len() as f64
                },
                median_score: median,
                difficult_questions: difficult.iter().map(|q| q.key.clone()).collect(),
                questions,
            })
        })
        .await?,
    ))
}

// ---------- authoring ----------

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

fn check_quiz(key: &str, spec: &QuizSpec) -> ApiResult<()> {
    let issues = quiz_issues(key, spec, false);
    if issues.is_empty() {
        return Ok(());
    }
    Err(ApiError::validation(
        issues
            .into_iter()
            .map(|i| FieldError {
                field: i.path(),
                code: "invalid".into(),
                message: i.message,
            })
            .collect(),
    ))
}

fn quiz_mut<'a>(doc: &'a mut crate::content::CourseDoc, key: &str) -> ApiResult<&'a mut QuizDoc> {
    doc.modules
        .iter_mut()
        .flat_map(|m| m.items.iter_mut())
        .find_map(|i| match i {
            ItemDoc::Quiz(q) if q.key == key => Some(q),
            _ => None,
        })
        .ok_or_else(|| ApiError::not_found(format!("No quiz `{key}` in this course.")))
}

async fn edit(
    state: &AppState,
    user: AuthUser,
    slug: String,
    f: impl FnMut(&mut crate::content::CourseDoc) -> ApiResult<()> + Send + 'static,
) -> ApiResult<HttpResponse> {
    let pool = state.pool.clone();
    let doc = run_blocking(move || {
        let mut conn = pool.get()?;
        Ok(courses::edit_draft(&mut conn, &slug, &user, f)?.1)
    })
    .await?;
    Ok(HttpResponse::Ok().json(doc))
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
    let (slug, module) = path.into_inner();
    let position = body.0.position;
    let quiz = QuizDoc::from(body.0);
    check_quiz(&quiz.key, &quiz.spec)?;
    edit(&state, user, slug, move |doc| {
        if doc
            .modules
            .iter()
            .any(|m| m.items.iter().any(|i| i.key() == quiz.key))
        {
            return Err(ApiError::conflict(
                "key_taken",
                format!("The course already has an item `{}`.", quiz.key),
            ));
        }
        let m = doc
            .modules
            .iter_mut()
            .find(|m| m.key == module)
            .ok_or_else(|| ApiError::not_found(format!("No module `{module}` in this course.")))?;
        let at = position.unwrap_or(m.items.len());
        if at > m.items.len() {
            return Err(ApiError::conflict(
                "position_out_of_range",
                format!("position must be between 0 and {}", m.items.len()),
            ));
        }
        m.items.insert(at, ItemDoc::Quiz(quiz.clone()));
        Ok(())
    })
    .await
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
    let (slug, key) = path.into_inner();
    let spec = body.0;
    check_quiz(&key, &spec)?;
    edit(&state, user, slug, move |doc| {
        quiz_mut(doc, &key)?.spec = spec.clone();
        Ok(())
    })
    .await
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
    let (slug, key) = path.into_inner();
    edit(&state, user, slug, move |doc| {
        quiz_mut(doc, &key)?;
        for m in doc.modules.iter_mut() {
            m.items
                .retain(|i| !matches!(i, ItemDoc::Quiz(q) if q.key == key));
        }
        Ok(())
    })
    .await
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
    let (slug, key) = path.into_inner();
    let question = body.0;
    edit(&state, user, slug, move |doc| {
        let quiz = quiz_mut(doc, &key)?;
        if quiz.spec.questions.iter().any(|q| q.key == question.key) {
            return Err(ApiError::conflict(
                "key_taken",
                format!("The quiz already has a question `{}`.", question.key),
            ));
        }
        quiz.spec.questions.push(question.clone());
        check_quiz(&key, &quiz.spec)
    })
    .await
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
    let (slug, key, qkey) = path.into_inner();
    let question = body.0;
    if question.key != qkey {
        return Err(ApiError::field(
            "key",
            "mismatch",
            "must equal the question key in the path",
        ));
    }
    edit(&state, user, slug, move |doc| {
        let quiz = quiz_mut(doc, &key)?;
        let slot = quiz
            .spec
            .questions
            .iter_mut()
            .find(|q| q.key == qkey)
            .ok_or_else(|| ApiError::not_found(format!("No question `{qkey}` in quiz `{key}`.")))?;
        *slot = question.clone();
        check_quiz(&key, &quiz.spec)
    })
    .await
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
    let (slug, key, qkey) = path.into_inner();
    edit(&state, user, slug, move |doc| {
        let quiz = quiz_mut(doc, &key)?;
        let before = quiz.spec.questions.len();
        quiz.spec.questions.retain(|q| q.key != qkey);
        if quiz.spec.questions.len() == before {
            return Err(ApiError::not_found(format!(
                "No question `{qkey}` in quiz `{key}`."
            )));
        }
        Ok(())
    })
    .await
}
