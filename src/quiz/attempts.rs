//! Attempts: start (draw), save answers, submit (grade once), close when time is up.

use std::collections::BTreeMap;

use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use super::{check_answer, draw, grade, Answer, AttemptStatus, Paper, QuestionResult, StoredPaper};
use crate::clock::Clock;
use crate::content::catalogue::Catalogue;
use crate::content::render::ReleaseContent;
use crate::content::QuizSpec;
use crate::db::quiz::{self as q, AttemptRow, NewAttempt, NewAttemptAnswer};
use crate::db::{new_id, DbConn};
use crate::error::{ApiError, ApiResult, Code, FieldError};

/// How late a request may arrive after the deadline and still count as on time.
pub const GRACE: TimeDelta = TimeDelta::seconds(10);

/// The quiz of a release, as the catalogue serves it.
pub struct QuizRef<'a> {
    pub course_id: &'a str,
    pub key: &'a str,
    pub release: i32,
    pub spec: &'a QuizSpec,
}

/// An answer with the time it reached the server.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Saved {
    pub answer: Answer,
    pub saved_at: NaiveDateTime,
}

/// What attempts need besides the database: the time, and the published quizzes.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub clock: &'a Clock,
    pub catalogue: &'a Catalogue,
}

/// The attempt's paper with the questions of its release: the catalogue's when it serves that
/// release, else those of the release stored in the database (remembered by the catalogue).
pub fn paper(conn: &mut DbConn, catalogue: &Catalogue, row: &AttemptRow) -> ApiResult<Paper> {
    let stored: StoredPaper = serde_json::from_str(&row.paper).map_err(ApiError::internal)?;
    let resolved = if stored.is_self_contained() {
        stored.resolve(None)
    } else if let Some(course) = catalogue
        .by_id(&row.course_id)
        .filter(|c| c.release == row.release)
    {
        stored.resolve(course.content.doc.quiz(&row.quiz_key))
    } else {
        let quiz = catalogue.remembered_quiz(&row.course_id, row.release, &row.quiz_key, || {
            let Some(release) = crate::db::courses::release(conn, &row.course_id, row.release)?
            else {
                return Ok::<_, ApiError>(None);
            };
            let content: ReleaseContent =
                serde_json::from_str(&release.content).map_err(ApiError::internal)?;
            Ok(content.doc.quiz(&row.quiz_key).cloned())
        })?;
        stored.resolve(quiz.as_deref())
    };
    resolved.map_err(|e| ApiError::internal(anyhow::anyhow!(e)))
}

/// The grading as stored, per question; attempts graded before explanations and solutions were
/// left out of it stored them inside `Graded` rows.
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredResult {
    Plain(QuestionResult),
    Graded { result: QuestionResult },
}

pub fn saved(row: &AttemptRow) -> ApiResult<BTreeMap<String, Saved>> {
    serde_json::from_str(&row.answers).map_err(ApiError::internal)
}

/// The per-question results, without explanations and solutions (see [`Paper::explained`]).
pub fn graded(row: &AttemptRow) -> ApiResult<Vec<QuestionResult>> {
    let Some(r) = &row.result else {
        return Ok(Vec::new());
    };
    let stored: Vec<StoredResult> = serde_json::from_str(r).map_err(ApiError::internal)?;
    Ok(stored
        .into_iter()
        .map(|s| {
            let (StoredResult::Plain(mut r) | StoredResult::Graded { result: mut r }) = s;
            r.explanation = None;
            r.solution = None;
            r
        })
        .collect())
}

fn expired(row: &AttemptRow, now: NaiveDateTime) -> bool {
    row.status == AttemptStatus::Open && row.deadline_at.is_some_and(|d| now > d + GRACE)
}

/// Loads an attempt of `user_id` (another user's → 404) and grades it if its time ran out.
pub fn load(conn: &mut DbConn, cx: Ctx<'_>, id: &str, user_id: &str) -> ApiResult<AttemptRow> {
    let row = q::find(conn, id)?;
    crate::access::require_own_attempt(user_id, row.as_ref().map(|r| r.user_id.as_str()))?;
    let row = row.ok_or_else(|| ApiError::not_found("No such attempt."))?;
    if expired(&row, cx.clock.now()) {
        return finalize(conn, cx, row);
    }
    Ok(row)
}

/// Starts an attempt, or returns the open one (`false`). 409 `max_attempts_reached` or
/// `cooldown_active` (with `Retry-After`).
pub fn start(
    conn: &mut DbConn,
    cx: Ctx<'_>,
    user_id: &str,
    quiz: &QuizRef<'_>,
) -> ApiResult<(AttemptRow, bool)> {
    let now = cx.clock.now();
    let mut so_far = q::attempts_so_far(conn, user_id, quiz.course_id, quiz.key)?;
    if let Some(open_id) = so_far.open_id.clone() {
        let row =
            q::find(conn, &open_id)?.ok_or_else(|| ApiError::not_found("No such attempt."))?;
        if so_far.open_deadline_at.is_none_or(|d| now <= d + GRACE) {
            return Ok((row, false));
        }
        // Its time ran out: graded now, and a new attempt follows.
        let done = finalize(conn, cx, row)?;
        so_far.last_submitted_at = so_far.last_submitted_at.max(done.submitted_at);
    }
    let spec = quiz.spec;
    if spec.max_attempts > 0 && so_far.count >= i64::from(spec.max_attempts) {
        return Err(ApiError::of(
            Code::MaxAttemptsReached,
            format!("All {} attempts at this quiz are used.", spec.max_attempts),
        ));
    }
    if spec.cooldown_seconds > 0 {
        if let Some(last) = so_far.last_submitted_at {
            let ready = last + TimeDelta::seconds(spec.cooldown_seconds.into());
            if ready > now {
                let wait = (ready - now).num_seconds().max(1);
                return Err(ApiError::of(
                    Code::CooldownActive,
                    format!("Wait {wait} seconds before the next attempt."),
                )
                .retry_after(wait.unsigned_abs()));
            }
        }
    }
    let paper =
        draw(spec, &mut rand::thread_rng()).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
    let paper_json = serde_json::to_string(&paper.stored()).map_err(ApiError::internal)?;
    let row = AttemptRow {
        id: new_id(),
        user_id: user_id.to_string(),
        course_id: quiz.course_id.to_string(),
        quiz_key: quiz.key.to_string(),
        release: quiz.release,
        number: so_far.count as i32 + 1,
        status: AttemptStatus::Open,
        paper: paper_json,
        answers: "{}".into(),
        started_at: now,
        deadline_at: spec
            .time_limit_seconds
            .map(|s| now + TimeDelta::seconds(s.into())),
        submitted_at: None,
        late: false,
        score_bp: None,
        passed: None,
        result: None,
    };
    let inserted = q::insert(
        conn,
        &NewAttempt {
            id: &row.id,
            user_id,
            course_id: quiz.course_id,
            quiz_key: quiz.key,
            release: quiz.release,
            number: row.number,
            status: AttemptStatus::Open,
            paper: &row.paper,
            answers: "{}",
            started_at: now,
            deadline_at: row.deadline_at,
        },
    );
    match inserted {
        Ok(_) => Ok((row, true)),
        // Two starts raced: the other one made the attempt; answer with it.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {
            let rows = q::of_user(conn, user_id, quiz.course_id, quiz.key)?;
            let open = rows.into_iter().find(|r| r.status == AttemptStatus::Open);
            open.map(|r| (r, false)).ok_or_else(|| {
                ApiError::of(
                    Code::Conflict,
                    "Another attempt was started at the same time.",
                )
            })
        }
        Err(e) => Err(e.into()),
    }
}

fn submitted_conflict() -> ApiError {
    ApiError::of(
        Code::AttemptSubmitted,
        "This attempt is already submitted; answers can no longer change.",
    )
}

/// Saves answers (partial, repeatable, idempotent). Every answer is checked first: one bad
/// answer → 422 naming it, and nothing is saved.
pub fn save_answers(
    conn: &mut DbConn,
    cx: Ctx<'_>,
    id: &str,
    user_id: &str,
    answers: Vec<Answer>,
) -> ApiResult<AttemptRow> {
    let row = load(conn, cx, id, user_id)?;
    if row.status != AttemptStatus::Open {
        return Err(if row.late {
            ApiError::of(
                Code::AttemptClosed,
                "The time for this attempt is over; it has been graded.",
            )
        } else {
            submitted_conflict()
        });
    }
    let paper = paper(conn, cx.catalogue, &row)?;
    let errors: Vec<FieldError> = answers
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            check_answer(&paper, a).err().map(|r| FieldError {
                field: format!("answers[{i}]"),
                code: "invalid_answer".into(),
                message: r.message,
            })
        })
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let mut stored = saved(&row)?;
    let now = cx.clock.now();
    for a in answers {
        stored.insert(
            a.question.clone(),
            Saved {
                answer: a,
                saved_at: now,
            },
        );
    }
    let json = serde_json::to_string(&stored).map_err(ApiError::internal)?;
    if q::save_answers(conn, &row.id, &json)? == 0 {
        return Err(submitted_conflict());
    }
    q::find(conn, &row.id)?.ok_or_else(|| ApiError::not_found("No such attempt."))
}

/// Submits: grades once. A second submission, or a race, returns the first grading.
pub fn submit(conn: &mut DbConn, cx: Ctx<'_>, id: &str, user_id: &str) -> ApiResult<AttemptRow> {
    let row = load(conn, cx, id, user_id)?;
    if row.status != AttemptStatus::Open {
        return Ok(row);
    }
    finalize(conn, cx, row)
}

/// Grades an open attempt. After the deadline (plus grace) only answers saved before the
/// deadline count, and the attempt is marked late.
fn finalize(conn: &mut DbConn, cx: Ctx<'_>, row: AttemptRow) -> ApiResult<AttemptRow> {
    let now = cx.clock.now();
    let late = row.deadline_at.is_some_and(|d| now > d + GRACE);
    let paper = paper(conn, cx.catalogue, &row)?;
    let answers: BTreeMap<String, Answer> = saved(&row)?
        .into_iter()
        .filter(|(_, s)| !late || row.deadline_at.is_some_and(|d| s.saved_at <= d))
        .map(|(k, s)| (k, s.answer))
        .collect();
    let (results, score) = grade(&paper, &answers);
    let passed = score >= f64::from(paper.pass_mark);
    let score_bp = (score * 100.0).round() as i32;
    // Stored without explanations and solutions: they follow from the paper.
    let stored: Vec<&QuestionResult> = results.iter().map(|g| &g.result).collect();
    let result_json = serde_json::to_string(&stored).map_err(ApiError::internal)?;
    let submitted_at = match row.deadline_at {
        Some(d) if late => d,
        _ => now,
    };
    let rows: Vec<NewAttemptAnswer<'_>> = results
        .iter()
        .map(|g| NewAttemptAnswer {
            attempt_id: &row.id,
            course_id: &row.course_id,
            quiz_key: &row.quiz_key,
            question_key: &g.key,
            user_id: &row.user_id,
            correct: g.result.correct,
            credit_bp: (g.result.credit * 10000.0).round() as i32,
            wrong_answer: g.wrong_answer.as_deref(),
        })
        .collect();
    let mine = q::submit_graded(
        conn,
        &row.id,
        &q::Grading {
            submitted_at,
            late,
            score_bp,
            passed,
            result: &result_json,
        },
        &rows,
    )?;
    if !mine {
        // Submitted meanwhile by another request: answer with what it stored.
        return q::find(conn, &row.id)?.ok_or_else(|| ApiError::not_found("No such attempt."));
    }
    Ok(AttemptRow {
        status: AttemptStatus::Submitted,
        submitted_at: Some(submitted_at),
        late,
        score_bp: Some(score_bp),
        passed: Some(passed),
        result: Some(result_json),
        ..row
    })
}

/// 404 for an unknown quiz id (`SLUG.KEY`).
pub fn quiz_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("No quiz `{id}`."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(result: &str) -> AttemptRow {
        AttemptRow {
            id: "a".into(),
            user_id: "u".into(),
            course_id: "c".into(),
            quiz_key: "q".into(),
            release: 1,
            number: 1,
            status: AttemptStatus::Submitted,
            paper: "{}".into(),
            answers: "{}".into(),
            started_at: NaiveDateTime::default(),
            deadline_at: None,
            submitted_at: None,
            late: false,
            score_bp: Some(10000),
            passed: Some(true),
            result: Some(result.into()),
        }
    }

    #[test]
    fn gradings_of_both_stored_forms_read() {
        // As stored now: the results alone.
        let now = graded(&row(r#"[{"question":"x","correct":true,"credit":1.0}]"#)).unwrap();
        // As stored by earlier versions: with the key, the wrong answer, the explanation and
        // the solution, which are now taken from the paper instead.
        let before = graded(&row(
            r#"[{"key":"k","result":{"question":"x","correct":true,"credit":1.0,"explanation":"E","solution":{"question":"x","value":true}},"wrong_answer":null}]"#,
        ))
        .unwrap();
        for r in [&now[0], &before[0]] {
            assert_eq!((r.question.as_str(), r.correct, r.credit), ("x", true, 1.0));
            assert!(r.explanation.is_none() && r.solution.is_none());
        }
        assert!(graded(&row(r#"[{"nothing":1}]"#)).is_err());
    }
}
