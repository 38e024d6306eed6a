//! Attempts: start (draw), save answers, submit (grade once), close when time is up.

use std::collections::BTreeMap;

use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::http::StatusCode;
use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use super::{check_answer, draw, grade, Answer, Graded, Paper};
use crate::clock::Clock;
use crate::content::QuizSpec;
use crate::db::quiz::{self as q, AttemptRow, NewAttempt, NewAttemptAnswer};
use crate::db::{new_id, DbConn};
use crate::error::{ApiError, ApiResult, FieldError};

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

pub fn paper(row: &AttemptRow) -> ApiResult<Paper> {
    serde_json::from_str(&row.paper).map_err(ApiError::internal)
}

pub fn saved(row: &AttemptRow) -> ApiResult<BTreeMap<String, Saved>> {
    serde_json::from_str(&row.answers).map_err(ApiError::internal)
}

pub fn graded(row: &AttemptRow) -> ApiResult<Vec<Graded>> {
    match &row.result {
        Some(r) => serde_json::from_str(r).map_err(ApiError::internal),
        None => Ok(Vec::new()),
    }
}

fn expired(row: &AttemptRow, now: NaiveDateTime) -> bool {
    row.status == "open" && row.deadline_at.is_some_and(|d| now > d + GRACE)
}

/// Loads an attempt of `user_id` (another user's → 404) and grades it if its time ran out.
pub fn load(conn: &mut DbConn, clock: &Clock, id: &str, user_id: &str) -> ApiResult<AttemptRow> {
    let row = q::find(conn, id)?
        .filter(|r| r.user_id == user_id)
        .ok_or_else(|| ApiError::not_found("No such attempt."))?;
    if expired(&row, clock.now()) {
        return finalize(conn, clock, row);
    }
    Ok(row)
}

/// Starts an attempt, or returns the open one (`false`). 409 `max_attempts_reached` or
/// `cooldown_active` (with `Retry-After`).
pub fn start(
    conn: &mut DbConn,
    clock: &Clock,
    user_id: &str,
    quiz: &QuizRef<'_>,
) -> ApiResult<(AttemptRow, bool)> {
    let now = clock.now();
    let mut so_far = q::attempts_so_far(conn, user_id, quiz.course_id, quiz.key)?;
    if let Some(open_id) = so_far.open_id.clone() {
        let row =
            q::find(conn, &open_id)?.ok_or_else(|| ApiError::not_found("No such attempt."))?;
        if so_far.open_deadline_at.is_none_or(|d| now <= d + GRACE) {
            return Ok((row, false));
        }
        // Its time ran out: graded now, and a new attempt follows.
        let done = finalize(conn, clock, row)?;
        so_far.last_submitted_at = so_far.last_submitted_at.max(done.submitted_at);
    }
    let spec = quiz.spec;
    if spec.max_attempts > 0 && so_far.count >= i64::from(spec.max_attempts) {
        return Err(ApiError::conflict(
            "max_attempts_reached",
            format!("All {} attempts at this quiz are used.", spec.max_attempts),
        ));
    }
    if spec.cooldown_seconds > 0 {
        if let Some(last) = so_far.last_submitted_at {
            let ready = last + TimeDelta::seconds(spec.cooldown_seconds.into());
            if ready > now {
                let wait = (ready - now).num_seconds().max(1);
                return Err(ApiError::conflict(
                    "cooldown_active",
                    format!("Wait {wait} seconds before the next attempt."),
                )
                .with_header(RETRY_AFTER, HeaderValue::from(wait)));
            }
        }
    }
    let paper = draw(spec, &mut rand::thread_rng());
    let paper_json = serde_json::to_string(&paper).map_err(ApiError::internal)?;
    let row = AttemptRow {
        id: new_id(),
        user_id: user_id.to_string(),
        course_id: quiz.course_id.to_string(),
        quiz_key: quiz.key.to_string(),
        release: quiz.release,
        number: so_far.count as i32 + 1,
        status: "open".into(),
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
            status: "open",
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
            let open = rows.into_iter().find(|r| r.status == "open");
            open.map(|r| (r, false)).ok_or_else(|| {
                ApiError::conflict("conflict", "Another attempt was started at the same time.")
            })
        }
        Err(e) => Err(e.into()),
    }
}

fn submitted_conflict() -> ApiError {
    ApiError::conflict(
        "attempt_submitted",
        "This attempt is already submitted; answers can no longer change.",
    )
}

/// Saves answers (partial, repeatable, idempotent). Every answer is checked first: one bad
/// answer → 422 naming it, and nothing is saved.
pub fn save_answers(
    conn: &mut DbConn,
    clock: &Clock,
    id: &str,
    user_id: &str,
    answers: Vec<Answer>,
) -> ApiResult<AttemptRow> {
    let row = load(conn, clock, id, user_id)?;
    if row.status != "open" {
        return Err(if row.late {
            ApiError::conflict(
                "attempt_closed",
                "The time for this attempt is over; it has been graded.",
            )
        } else {
            submitted_conflict()
        });
    }
    let paper = paper(&row)?;
    let errors: Vec<FieldError> = answers
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            check_answer(&paper, a).err().map(|message| FieldError {
                field: format!("answers[{i}]"),
                code: "invalid_answer".into(),
                message,
            })
        })
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let mut stored = saved(&row)?;
    let now = clock.now();
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
pub fn submit(conn: &mut DbConn, clock: &Clock, id: &str, user_id: &str) -> ApiResult<AttemptRow> {
    let row = load(conn, clock, id, user_id)?;
    if row.status != "open" {
        return Ok(row);
    }
    finalize(conn, clock, row)
}

/// Grades an open attempt. After the deadline (plus grace) only answers saved before the
/// deadline count, and the attempt is marked late.
fn finalize(conn: &mut DbConn, clock: &Clock, row: AttemptRow) -> ApiResult<AttemptRow> {
    let now = clock.now();
    let late = row.deadline_at.is_some_and(|d| now > d + GRACE);
    let paper = paper(&row)?;
    let answers: BTreeMap<String, Answer> = saved(&row)?
        .into_iter()
        .filter(|(_, s)| !late || row.deadline_at.is_some_and(|d| s.saved_at <= d))
        .map(|(k, s)| (k, s.answer))
        .collect();
    let (results, score) = grade(&paper, &answers);
    let passed = score >= f64::from(paper.pass_mark);
    let score_bp = (score * 100.0).round() as i32;
    let result_json = serde_json::to_string(&results).map_err(ApiError::internal)?;
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
        status: "submitted".into(),
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
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("No quiz `{id}`."),
    )
}
