//! Rows and queries of quiz attempts and per-question outcomes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{attempt_answers, quiz_attempts};
use super::DbConn;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = quiz_attempts)]
pub struct AttemptRow {
    pub id: String,
    pub user_id: String,
    pub course_id: String,
    pub quiz_key: String,
    pub release: i32,
    pub number: i32,
    pub status: String,
    pub paper: String,
    pub answers: String,
    pub started_at: NaiveDateTime,
    pub deadline_at: Option<NaiveDateTime>,
    pub submitted_at: Option<NaiveDateTime>,
    pub late: bool,
    pub score_bp: Option<i32>,
    pub passed: Option<bool>,
    pub result: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = quiz_attempts)]
pub struct NewAttempt<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub course_id: &'a str,
    pub quiz_key: &'a str,
    pub release: i32,
    pub number: i32,
    pub status: &'a str,
    pub paper: &'a str,
    pub answers: &'a str,
    pub started_at: NaiveDateTime,
    pub deadline_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = attempt_answers)]
pub struct NewAttemptAnswer<'a> {
    pub attempt_id: &'a str,
    pub course_id: &'a str,
    pub quiz_key: &'a str,
    pub question_key: &'a str,
    pub user_id: &'a str,
    pub correct: bool,
    pub credit_bp: i32,
    pub wrong_answer: Option<&'a str>,
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<AttemptRow>> {
    quiz_attempts::table
        .find(id)
        .select(AttemptRow::as_select())
        .first(conn)
        .optional()
}

/// What starting an attempt needs to know of the earlier ones (not their papers).
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = quiz_attempts)]
pub struct AttemptBrief {
    pub id: String,
    pub status: String,
    pub deadline_at: Option<NaiveDateTime>,
    pub submitted_at: Option<NaiveDateTime>,
}

/// Every attempt of a user at a quiz, oldest first, without papers and answers.
pub fn briefs_of(
    conn: &mut DbConn,
    user_id: &str,
    course_id: &str,
    quiz_key: &str,
) -> QueryResult<Vec<AttemptBrief>> {
    quiz_attempts::table
        .filter(quiz_attempts::user_id.eq(user_id))
        .filter(quiz_attempts::course_id.eq(course_id))
        .filter(quiz_attempts::quiz_key.eq(quiz_key))
        .order(quiz_attempts::number)
        .select(AttemptBrief::as_select())
        .load(conn)
}

/// Every attempt of a user at a quiz, oldest first.
pub fn of_user(
    conn: &mut DbConn,
    user_id: &str,
    course_id: &str,
    quiz_key: &str,
) -> QueryResult<Vec<AttemptRow>> {
    quiz_attempts::table
        .filter(quiz_attempts::user_id.eq(user_id))
        .filter(quiz_attempts::course_id.eq(course_id))
        .filter(quiz_attempts::quiz_key.eq(quiz_key))
        .order(quiz_attempts::number)
        .select(AttemptRow::as_select())
        .load(conn)
}

pub fn insert(conn: &mut DbConn, a: &NewAttempt<'_>) -> QueryResult<usize> {
    diesel::insert_into(quiz_attempts::table)
        .values(a)
        .execute(conn)
}

pub fn save_answers(conn: &mut DbConn, id: &str, answers: &str) -> QueryResult<usize> {
    diesel::update(
        quiz_attempts::table
            .filter(quiz_attempts::id.eq(id))
            .filter(quiz_attempts::status.eq("open")),
    )
    .set(quiz_attempts::answers.eq(answers))
    .execute(conn)
}

/// Marks an open attempt graded; 0 when another request graded it first.
pub fn mark_submitted(
    conn: &mut DbConn,
    id: &str,
    at: NaiveDateTime,
    late: bool,
    score_bp: i32,
    passed: bool,
    result: &str,
) -> QueryResult<usize> {
    diesel::update(
        quiz_attempts::table
            .filter(quiz_attempts::id.eq(id))
            .filter(quiz_attempts::status.eq("open")),
    )
    .set((
        quiz_attempts::status.eq("submitted"),
        quiz_attempts::submitted_at.eq(Some(at)),
        quiz_attempts::late.eq(late),
        quiz_attempts::score_bp.eq(Some(score_bp)),
        quiz_attempts::passed.eq(Some(passed)),
        quiz_attempts::result.eq(Some(result)),
    ))
    .execute(conn)
}

pub fn insert_answers(conn: &mut DbConn, rows: &[NewAttemptAnswer<'_>]) -> QueryResult<()> {
    // One row at a time: multi-row inserts do not compile on the multi-backend connection.
    for r in rows {
        diesel::insert_into(attempt_answers::table)
            .values(r)
            .execute(conn)?;
    }
    Ok(())
}

/// Scores (basis points) and pass flags of the submitted attempts at a quiz.
pub fn submitted_scores(
    conn: &mut DbConn,
    course_id: &str,
    quiz_key: &str,
) -> QueryResult<Vec<(Option<i32>, Option<bool>)>> {
    quiz_attempts::table
        .filter(quiz_attempts::course_id.eq(course_id))
        .filter(quiz_attempts::quiz_key.eq(quiz_key))
        .filter(quiz_attempts::status.eq("submitted"))
        .select((quiz_attempts::score_bp, quiz_attempts::passed))
        .load(conn)
}

/// Per question: (key, times answered, times correct).
pub fn question_counts(
    conn: &mut DbConn,
    course_id: &str,
    quiz_key: &str,
) -> QueryResult<Vec<(String, i64, i64)>> {
    use diesel::dsl::count_star;
    let answered: Vec<(String, i64)> = attempt_answers::table
        .filter(attempt_answers::course_id.eq(course_id))
        .filter(attempt_answers::quiz_key.eq(quiz_key))
        .group_by(attempt_answers::question_key)
        .select((attempt_answers::question_key, count_star()))
        .load(conn)?;
    let correct: Vec<(String, i64)> = attempt_answers::table
        .filter(attempt_answers::course_id.eq(course_id))
        .filter(attempt_answers::quiz_key.eq(quiz_key))
        .filter(attempt_answers::correct.eq(true))
        .group_by(attempt_answers::question_key)
        .select((attempt_answers::question_key, count_star()))
        .load(conn)?;
    Ok(answered
        .into_iter()
        .map(|(k, n)| {
            let c = correct
                .iter()
                .find(|(ck, _)| *ck == k)
                .map(|(_, c)| *c)
                .unwrap_or(0);
            (k, n, c)
        })
        .collect())
}

/// Per question: (key, wrong answer, count), most frequent first.
pub fn wrong_answers(
    conn: &mut DbConn,
    course_id: &str,
    quiz_key: &str,
) -> QueryResult<Vec<(String, Option<String>, i64)>> {
    use diesel::dsl::count_star;
    attempt_answers::table
        .filter(attempt_answers::course_id.eq(course_id))
        .filter(attempt_answers::quiz_key.eq(quiz_key))
        .filter(attempt_answers::wrong_answer.is_not_null())
        .group_by((attempt_answers::question_key, attempt_answers::wrong_answer))
        .select((
            attempt_answers::question_key,
            attempt_answers::wrong_answer,
            count_star(),
        ))
        .order(count_star().desc())
        .load(conn)
}
