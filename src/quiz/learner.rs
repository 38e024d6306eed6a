//! A learner's use cases on quizzes: start an attempt, read it, save answers, submit (and complete
//! the course), and the history of their attempts. The hot ones (start, save, submit) run on the
//! connection they are given, the writer's, in one job.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::attempts::{self, quiz_not_found, Ctx, QuizRef};
use super::{reveal, shown, Answer, AttemptStatus, QuestionResult, ShowAnswers, ShownQuestion};
use crate::auth::Caller;
use crate::content::catalogue::{Catalogue, PublishedCourse};
use crate::db::quiz::{self as q, AttemptRow};
use crate::db::{courses as q_courses, DbConn, DbPool};
use crate::error::ApiResult;
use crate::learning::{Completion, IssuedCertificate};

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

// An attempt as its learner sees it.
#[derive(Serialize, ToSchema)]
pub struct AttemptResponse {
    pub id: String,
    /// `SLUG.KEY`
    pub quiz: String,
    pub number: i32,
    pub release: i32,
    /// `open` or `submitted`
    #[schema(value_type = String)]
    pub status: AttemptStatus,
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
    pub certificates_issued: Vec<IssuedCertificate>,
}

/// `SLUG.KEY` split in two (404 when there is no dot).
pub fn parse_quiz_id(id: &str) -> ApiResult<(String, String)> {
    id.split_once('.')
        .map(|(s, k)| (s.to_string(), k.to_string()))
        .ok_or_else(|| quiz_not_found(id))
}

/// The slug of a course: from the catalogue when it is published, else from the database.
fn course_slug(conn: &mut DbConn, catalogue: &Catalogue, course_id: &str) -> ApiResult<String> {
    if let Some(c) = catalogue.by_id(course_id) {
        return Ok(c.card.slug.clone());
    }
    Ok(q_courses::slug_of(conn, course_id)?)
}

/// The learner's view of an attempt; the result is shown as the quiz allows.
pub fn view(
    conn: &mut DbConn,
    catalogue: &Catalogue,
    row: &AttemptRow,
) -> ApiResult<AttemptResponse> {
    let paper = attempts::paper(conn, catalogue, row)?;
    let saved = attempts::saved(row)?;
    let result = if row.status == AttemptStatus::Submitted {
        let attempts_left = if paper.max_attempts > 0 {
            let used = q::attempts_so_far(conn, &row.user_id, &row.course_id, &row.quiz_key)?.count;
            Some(paper.max_attempts.saturating_sub(used as u32))
        } else {
            None
        };
        let passed = row.passed.unwrap_or(false);
        let shown_answers = paper
            .show_answers
            .is_some_and(|s| reveal(s, passed, attempts_left));
        // `never` withholds even per-question correctness; otherwise correctness is shown, and
        // explanations and solutions when the setting allows.
        let questions = if paper.show_answers == Some(ShowAnswers::Never) {
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
            course_slug(conn, catalogue, &row.course_id)?,
            row.quiz_key
        ),
        number: row.number,
        release: row.release,
        status: row.status,
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

/// The published course and quiz key `SLUG.KEY` names (404 when the catalogue serves none),
/// found before any database work.
pub fn served_quiz(
    catalogue: &Catalogue,
    quiz_id: &str,
) -> ApiResult<(Arc<PublishedCourse>, String)> {
    let (slug, key) = parse_quiz_id(quiz_id)?;
    let course = catalogue
        .get(&slug)
        .ok_or_else(|| quiz_not_found(quiz_id))?;
    if course.content.doc.quiz(&key).is_none() {
        return Err(quiz_not_found(quiz_id));
    }
    Ok((course, key))
}

/// Starts an attempt at the quiz `key` of `course`, or answers the open one; `true` when it is
/// new. Runs on the writer's connection, which checks the caller first.
pub fn start(
    conn: &mut DbConn,
    cx: Ctx<'_>,
    caller: impl Into<Caller>,
    course: &PublishedCourse,
    key: &str,
    quiz_id: &str,
) -> ApiResult<(AttemptResponse, bool)> {
    let user = caller.into().check(conn)?;
    let spec = course.content.doc.quiz(key);
    let quiz = QuizRef {
        course_id: &course.course_id,
        key,
        release: course.release,
        spec: spec.ok_or_else(|| quiz_not_found(quiz_id))?,
    };
    let (attempt, created) = attempts::start(conn, cx, &user.id, &quiz)?;
    Ok((view(conn, cx.catalogue, &attempt)?, created))
}

/// One of the learner's attempts (another user's: 404); an open attempt past its deadline is
/// graded now.
pub fn get(
    pool: &DbPool,
    cx: Ctx<'_>,
    caller: impl Into<Caller>,
    id: &str,
) -> ApiResult<AttemptResponse> {
    let mut conn = pool.get()?;
    let user = caller.into().check(&mut conn)?;
    let row = attempts::load(&mut conn, cx, id, &user.id)?;
    view(&mut conn, cx.catalogue, &row)
}

/// Saves answers (partial, repeatable); runs on the writer's connection, which checks the
/// caller first.
pub fn save_answers(
    conn: &mut DbConn,
    cx: Ctx<'_>,
    caller: impl Into<Caller>,
    id: &str,
    answers: Vec<Answer>,
) -> ApiResult<AttemptResponse> {
    let user = caller.into().check(conn)?;
    let row = attempts::save_answers(conn, cx, id, &user.id, answers)?;
    view(conn, cx.catalogue, &row)
}

/// Submits (grades once) and, on a pass, completes the course: the certificates it issues are
/// in the answer. Runs on the writer's connection, which checks the caller first.
pub fn submit(
    conn: &mut DbConn,
    cx: Ctx<'_>,
    completion: &Completion<'_>,
    caller: impl Into<Caller>,
    id: &str,
) -> ApiResult<AttemptResponse> {
    let user = caller.into().check(conn)?;
    let row = attempts::submit(conn, cx, id, &user.id)?;
    let mut issued = Vec::new();
    if row.passed == Some(true) {
        if let Some(published) = cx.catalogue.by_id(&row.course_id) {
            issued = crate::learning::complete(conn, completion, &user.id, &published, None)?;
        }
    }
    let mut response = view(conn, cx.catalogue, &row)?;
    response.certificates_issued = issued;
    Ok(response)
}

// One attempt in a learner's history.
#[derive(Serialize, ToSchema)]
pub struct AttemptSummary {
    pub id: String,
    pub number: i32,
    #[schema(value_type = String)]
    pub status: AttemptStatus,
    pub started_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passed: Option<bool>,
    pub late: bool,
}

// A learner's attempts at a quiz.
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

/// The caller's attempts at the quiz `SLUG.KEY`, with the best score; attempts whose time ran
/// out are graded before they are listed. An unknown quiz is 404 before the caller is checked.
pub fn history(
    pool: &DbPool,
    cx: Ctx<'_>,
    caller: impl Into<Caller>,
    quiz_id: String,
) -> ApiResult<AttemptHistory> {
    let (slug, key) = parse_quiz_id(&quiz_id)?;
    let max = cx
        .catalogue
        .get(&slug)
        .and_then(|c| c.content.doc.quiz(&key).map(|q| q.max_attempts))
        .ok_or_else(|| quiz_not_found(&quiz_id))?;
    let mut conn = pool.get()?;
    let actor = caller.into().check(&mut conn)?;
    let row = crate::courses::find(&mut conn, &slug)?;
    let rows = q::of_user(&mut conn, &actor.id, &row.id, &key)?;
    let mut list = Vec::new();
    for r in rows {
        list.push(attempts::load(&mut conn, cx, &r.id, &actor.id)?);
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
}
