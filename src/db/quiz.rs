//! Rows and queries of quiz attempts and per-question outcomes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{attempt_answers, quiz_attempts};
use super::DbConn;
use crate::kinds::AttemptStatus;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = quiz_attempts)]
pub struct AttemptRow {
    pub id: String,
    pub user_id: String,
    pub course_id: String,
    pub quiz_key: String,
    pub release: i32,
    pub number: i32,
    pub status: AttemptStatus,
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

pub struct NewAttempt<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub course_id: &'a str,
    pub quiz_key: &'a str,
    pub release: i32,
    pub number: i32,
    pub status: AttemptStatus,
    pub paper: &'a str,
    pub answers: &'a str,
    pub started_at: NaiveDateTime,
    pub deadline_at: Option<NaiveDateTime>,
}

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

/// What starting an attempt needs to know of a learner's earlier attempts at a quiz.
#[derive(Clone, Debug, Default)]
pub struct AttemptsSoFar {
    pub count: i64,
    /// When the latest one was submitted (`None` while it is open). Attempts follow one another
    /// (a new one starts after the open one is graded), so no earlier one was submitted later.
    pub last_submitted_at: Option<NaiveDateTime>,
    /// The open attempt (there is at most one: the latest).
    pub open_id: Option<String>,
    pub open_deadline_at: Option<NaiveDateTime>,
}

/// A learner's attempts at a quiz, summed up from the latest one: attempts are numbered 1, 2, 3 …
/// in the order they start and none is deleted alone, so its number is their count. One probe of
/// the `(user_id, course_id, quiz_key, number)` key, however many attempts there were (the sum of
/// every earlier attempt that this replaced cost a read per attempt: PostgreSQL's largest cost in
/// the quiz benchmark).
pub fn attempts_so_far(
    conn: &mut DbConn,
    user_id: &str,
    course_id: &str,
    quiz_key: &str,
) -> QueryResult<AttemptsSoFar> {
    #[derive(QueryableByName)]
    struct Latest {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        number: i32,
        #[diesel(sql_type = diesel::sql_types::Text)]
        status: AttemptStatus,
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
        deadline_at: Option<NaiveDateTime>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
        submitted_at: Option<NaiveDateTime>,
    }
    use diesel::sql_types::Text;
    macro_rules! latest {
        ($c:expr) => {
            crate::fixed!(
                "SELECT number, status, id, deadline_at, submitted_at FROM quiz_attempts \
                 WHERE user_id = $1 AND course_id = $2 AND quiz_key = $3 \
                 ORDER BY number DESC LIMIT 1"
            )
            .bind::<Text, _>(user_id)
            .bind::<Text, _>(course_id)
            .bind::<Text, _>(quiz_key)
            .get_result::<Latest>($c)
            .optional()
        };
    }
    let latest = match conn {
        DbConn::Pg(c) => latest!(c)?,
        DbConn::Sqlite(c) => latest!(c)?,
    };
    Ok(latest.map_or_else(AttemptsSoFar::default, |l| {
        let open = l.status == AttemptStatus::Open;
        AttemptsSoFar {
            count: l.number.into(),
            last_submitted_at: l.submitted_at,
            open_id: open.then_some(l.id),
            open_deadline_at: l.deadline_at.filter(|_| open),
        }
    }))
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
    use diesel::sql_types::{Integer, Nullable, Text, Timestamp};
    macro_rules! insert {
        ($c:expr) => {
            crate::fixed!(
                "INSERT INTO quiz_attempts (id, user_id, course_id, quiz_key, release, number, \
                 status, paper, answers, started_at, deadline_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            )
            .bind::<Text, _>(a.id)
            .bind::<Text, _>(a.user_id)
            .bind::<Text, _>(a.course_id)
            .bind::<Text, _>(a.quiz_key)
            .bind::<Integer, _>(a.release)
            .bind::<Integer, _>(a.number)
            .bind::<Text, _>(a.status)
            .bind::<Text, _>(a.paper)
            .bind::<Text, _>(a.answers)
            .bind::<Timestamp, _>(a.started_at)
            .bind::<Nullable<Timestamp>, _>(a.deadline_at)
            .execute($c)
        };
    }
    super::write(conn, |conn| match conn {
        DbConn::Pg(c) => insert!(c),
        DbConn::Sqlite(c) => insert!(c),
    })
}

/// Saves the answers of an open attempt; 0 when it is not open any more.
pub fn save_answers(conn: &mut DbConn, id: &str, answers: &str) -> QueryResult<usize> {
    use diesel::sql_types::Text;
    macro_rules! save {
        ($c:expr) => {
            crate::fixed!("UPDATE quiz_attempts SET answers = $2 WHERE id = $1 AND status = 'open'")
                .bind::<Text, _>(id)
                .bind::<Text, _>(answers)
                .execute($c)
        };
    }
    super::write(conn, |conn| match conn {
        DbConn::Pg(c) => save!(c),
        DbConn::Sqlite(c) => save!(c),
    })
}

/// The grading of an attempt: what `submit_graded` stores.
pub struct Grading<'a> {
    pub submitted_at: NaiveDateTime,
    pub late: bool,
    pub score_bp: i32,
    pub passed: bool,
    /// The per-question results shown to the learner (JSON).
    pub result: &'a str,
}

/// Marks an open attempt graded, with `$1` the attempt id and `$2`–`$6` the grading.
macro_rules! mark_submitted_sql {
    () => {
        "UPDATE quiz_attempts SET status = 'submitted', submitted_at = $2, late = $3, \
         score_bp = $4, passed = $5, result = $6 WHERE id = $1 AND status = 'open'"
    };
}

/// Marks an open attempt graded and stores its per-question outcomes (for quiz statistics);
/// false, and nothing stored, when another request graded it first.
///
/// Prepared once per connection ([`fixed!`](crate::fixed)). On PostgreSQL it is one statement
/// (the outcomes as arrays), so one round trip; on SQLite one transaction.
pub fn submit_graded(
    conn: &mut DbConn,
    id: &str,
    grading: &Grading<'_>,
    rows: &[NewAttemptAnswer<'_>],
) -> QueryResult<bool> {
    use diesel::sql_types::{Array, Bool, Integer, Nullable, Text, Timestamp};
    macro_rules! mark {
        ($stmt:expr) => {
            $stmt
                .bind::<Text, _>(id)
                .bind::<Timestamp, _>(grading.submitted_at)
                .bind::<Bool, _>(grading.late)
                .bind::<Integer, _>(grading.score_bp)
                .bind::<Bool, _>(grading.passed)
                .bind::<Text, _>(grading.result)
        };
    }
    if let DbConn::Pg(c) = conn {
        let marked: super::Count = mark!(crate::fixed!(concat!(
            "WITH m AS (",
            mark_submitted_sql!(),
            " RETURNING course_id, quiz_key, user_id), a AS (INSERT INTO attempt_answers \
             (attempt_id, course_id, quiz_key, question_key, user_id, correct, credit_bp, \
             wrong_answer) SELECT $1, m.course_id, m.quiz_key, t.q, m.user_id, t.c, t.cr, t.w \
             FROM m, unnest($7::text[], $8::bool[], $9::int[], $10::text[]) AS t(q, c, cr, w)) \
             SELECT COUNT(*) AS n FROM m"
        )))
        .bind::<Array<Text>, _>(rows.iter().map(|r| r.question_key).collect::<Vec<_>>())
        .bind::<Array<Bool>, _>(rows.iter().map(|r| r.correct).collect::<Vec<_>>())
        .bind::<Array<Integer>, _>(rows.iter().map(|r| r.credit_bp).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(rows.iter().map(|r| r.wrong_answer).collect::<Vec<_>>())
        .get_result(c)?;
        return Ok(marked.n == 1);
    }
    super::transaction(conn, |conn| {
        let DbConn::Sqlite(c) = conn else {
            unreachable!("PostgreSQL returned above")
        };
        if mark!(crate::fixed!(mark_submitted_sql!())).execute(c)? == 0 {
            return Ok(false);
        }
        for r in rows {
            crate::fixed!(
                "INSERT INTO attempt_answers (attempt_id, course_id, quiz_key, question_key, \
                 user_id, correct, credit_bp, wrong_answer) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            )
            .bind::<Text, _>(r.attempt_id)
            .bind::<Text, _>(r.course_id)
            .bind::<Text, _>(r.quiz_key)
            .bind::<Text, _>(r.question_key)
            .bind::<Text, _>(r.user_id)
            .bind::<Bool, _>(r.correct)
            .bind::<Integer, _>(r.credit_bp)
            .bind::<Nullable<Text>, _>(r.wrong_answer)
            .execute(c)?;
        }
        Ok(true)
    })
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
        .filter(quiz_attempts::status.eq(AttemptStatus::Submitted))
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
    Ok(with_correct(answered, correct).collect())
}

/// (course id, quiz key, question key) of a question.
pub type QuestionRef = (String, String, String);

/// Per question of any quiz answered by the learners of `villages`: (question, times answered,
/// times correct).
pub fn question_counts_in(
    conn: &mut DbConn,
    villages: &[String],
) -> QueryResult<Vec<(QuestionRef, i64, i64)>> {
    use super::schema::learner_profiles;
    use diesel::dsl::count_star;
    let learners = || {
        learner_profiles::table
            .filter(learner_profiles::village_id.eq_any(villages))
            .select(learner_profiles::user_id)
    };
    let question = (
        attempt_answers::course_id,
        attempt_answers::quiz_key,
        attempt_answers::question_key,
    );
    let answered: Vec<(QuestionRef, i64)> = attempt_answers::table
        .filter(attempt_answers::user_id.eq_any(learners()))
        .group_by(question)
        .select((question, count_star()))
        .load(conn)?;
    let correct: Vec<(QuestionRef, i64)> = attempt_answers::table
        .filter(attempt_answers::user_id.eq_any(learners()))
        .filter(attempt_answers::correct.eq(true))
        .group_by(question)
        .select((question, count_star()))
        .load(conn)?;
    Ok(with_correct(answered, correct).collect())
}

/// Joins the times answered with the times correct by key (a question never answered right has
/// no row in `correct`), in the order of `answered`.
fn with_correct<K: std::hash::Hash + Eq>(
    answered: Vec<(K, i64)>,
    correct: Vec<(K, i64)>,
) -> impl Iterator<Item = (K, i64, i64)> {
    let correct: std::collections::HashMap<K, i64> = correct.into_iter().collect();
    answered.into_iter().map(move |(k, n)| {
        let c = correct.get(&k).copied().unwrap_or(0);
        (k, n, c)
    })
}

/// (user, course id, quiz key, passed) of a submitted attempt.
pub type SubmittedResult = (String, String, String, Option<bool>);

/// Every submitted attempt of the learners of `villages`.
pub fn submitted_results_in(
    conn: &mut DbConn,
    villages: &[String],
) -> QueryResult<Vec<SubmittedResult>> {
    use super::schema::learner_profiles;
    quiz_attempts::table
        .filter(
            quiz_attempts::user_id.eq_any(
                learner_profiles::table
                    .filter(learner_profiles::village_id.eq_any(villages))
                    .select(learner_profiles::user_id),
            ),
        )
        .filter(quiz_attempts::status.eq(AttemptStatus::Submitted))
        .select((
            quiz_attempts::user_id,
            quiz_attempts::course_id,
            quiz_attempts::quiz_key,
            quiz_attempts::passed,
        ))
        .load(conn)
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
