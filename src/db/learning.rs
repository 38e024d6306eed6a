//! Enrolments, lesson progress, progress events, programs and certificates.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{certificates, courses, enrollments, programs, progress_events};
use super::DbConn;
use crate::kinds::CertificateKind;
use crate::kinds::{EnrollmentStatus, LessonStatus};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = enrollments)]
pub struct Enrollment {
    pub user_id: String,
    pub course_id: String,
    pub status: EnrollmentStatus,
    pub enrolled_at: NaiveDateTime,
    pub last_activity_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
}

pub struct NewEvent<'a> {
    pub user_id: &'a str,
    pub client_event_id: &'a str,
    pub course_id: &'a str,
    pub lesson_key: &'a str,
    pub status: LessonStatus,
    pub time_spent_seconds: i64,
    pub occurred_at: NaiveDateTime,
    pub received_at: NaiveDateTime,
    pub recorded_by: Option<&'a str>,
}

pub struct NewLessonProgress<'a> {
    pub user_id: &'a str,
    pub course_id: &'a str,
    pub lesson_key: &'a str,
    pub status: LessonStatus,
    pub time_spent_seconds: i64,
    pub started_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = programs)]
pub struct ProgramRow {
    pub slug: String,
    pub title: String,
    pub title_en: String,
    pub summary: String,
    pub summary_en: String,
    pub groups: String,
    pub courses: String,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = certificates)]
pub struct CertificateRow {
    pub id: String,
    pub serial: String,
    pub user_id: String,
    pub kind: CertificateKind,
    pub course_id: Option<String>,
    pub program_slug: Option<String>,
    pub title: String,
    pub title_en: String,
    pub recipient_name: String,
    pub issued_at: NaiveDateTime,
    pub credential: String,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
    /// The learner's village when it was issued (reports count a year's certificates there).
    pub village_id: Option<String>,
}

pub fn enrollment(
    conn: &mut DbConn,
    user_id: &str,
    course_id: &str,
) -> QueryResult<Option<Enrollment>> {
    enrollments::table
        .find((user_id, course_id))
        .select(Enrollment::as_select())
        .first(conn)
        .optional()
}

/// Enrols (idempotent); true when the enrolment is new.
pub fn ensure_enrollment(
    conn: &mut DbConn,
    user_id: &str,
    course_id: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let values = (
        enrollments::user_id.eq(user_id),
        enrollments::course_id.eq(course_id),
        enrollments::status.eq(EnrollmentStatus::InProgress),
        enrollments::enrolled_at.eq(at),
        enrollments::last_activity_at.eq(at),
    );
    let n = match conn {
        DbConn::Pg(c) => diesel::insert_into(enrollments::table)
            .values(values)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_into(enrollments::table)
            .values(values)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    touch_profile(conn, user_id, at)?;
    Ok(n == 1)
}

pub fn leave(conn: &mut DbConn, user_id: &str, course_id: &str) -> QueryResult<usize> {
    diesel::delete(enrollments::table.find((user_id, course_id))).execute(conn)
}

/// Marks a profile active at `$at` unless it was active since `$day_start` already (the
/// placeholders are the caller's).
macro_rules! touch_profile_sql {
    (user = $user:literal, at = $at:literal, day_start = $day:literal) => {
        concat!(
            "UPDATE learner_profiles SET last_active_at = ",
            $at,
            " WHERE user_id = ",
            $user,
            " AND (last_active_at IS NULL OR last_active_at < ",
            $day,
            ")"
        )
    };
}

/// Marks the learner (their profile, if they have one) active now, writing at most once a day:
/// reports count people active since the start of a day.
pub fn touch_profile(conn: &mut DbConn, user_id: &str, at: NaiveDateTime) -> QueryResult<()> {
    super::write(conn, |conn| touch(conn, user_id, at))?;
    Ok(())
}

/// The statement of [`touch_profile`], for a caller that writes already.
fn touch(conn: &mut DbConn, user_id: &str, at: NaiveDateTime) -> QueryResult<usize> {
    use diesel::sql_types::{Text, Timestamp};
    let day_start = at.date().and_time(chrono::NaiveTime::MIN);
    macro_rules! touch {
        ($c:expr) => {
            crate::fixed!(touch_profile_sql!(user = "$1", at = "$2", day_start = "$3"))
                .bind::<Text, _>(user_id)
                .bind::<Timestamp, _>(at)
                .bind::<Timestamp, _>(day_start)
                .execute($c)
        };
    }
    match conn {
        DbConn::Pg(c) => touch!(c),
        DbConn::Sqlite(c) => touch!(c),
    }
}

/// Inserts a progress event bound as `$1`–`$9` (see `record_event`), unless it is there.
macro_rules! event_insert_sql {
    () => {
        "INSERT INTO progress_events (user_id, client_event_id, course_id, lesson_key, status, \
         time_spent_seconds, occurred_at, received_at, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING"
    };
}

/// Enrols; an enrolment that exists already only records the activity.
macro_rules! enrollment_upsert_sql {
    ($values:literal) => {
        concat!(
            "INSERT INTO enrollments (user_id, course_id, status, enrolled_at, last_activity_at) ",
            $values,
            " ON CONFLICT (user_id, course_id) DO UPDATE \
             SET last_activity_at = excluded.last_activity_at"
        )
    };
}

/// Adds time and raises the status of a lesson: a completed lesson never goes back.
macro_rules! lesson_upsert_sql {
    ($values:literal) => {
        concat!(
            "INSERT INTO lesson_progress (user_id, course_id, lesson_key, status, \
             time_spent_seconds, started_at, completed_at, updated_at) ",
            $values,
            " ON CONFLICT (user_id, course_id, lesson_key) DO UPDATE SET \
             time_spent_seconds = lesson_progress.time_spent_seconds + excluded.time_spent_seconds, \
             updated_at = excluded.updated_at, \
             status = CASE WHEN lesson_progress.status = 'completed' THEN lesson_progress.status \
             ELSE excluded.status END, \
             completed_at = COALESCE(lesson_progress.completed_at, excluded.completed_at)"
        )
    };
}

/// Records a progress event once (by its client event id) and, when it is new, enrols the learner
/// or records the activity, marks their profile active today (as [`touch_profile`]) and raises
/// the lesson. False when the event was recorded before: then nothing changes.
///
/// The statements are prepared once per connection ([`fixed!`](crate::fixed)). On PostgreSQL
/// they are one statement (data-modifying CTEs): one round trip, no explicit transaction. On
/// SQLite they are four statements in one write transaction.
pub fn record_event(
    conn: &mut DbConn,
    e: &NewEvent<'_>,
    lesson: &NewLessonProgress<'_>,
) -> QueryResult<bool> {
    use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
    let day_start = e.received_at.date().and_time(chrono::NaiveTime::MIN);
    macro_rules! event {
        ($stmt:expr) => {
            $stmt
                .bind::<Text, _>(e.user_id)
                .bind::<Text, _>(e.client_event_id)
                .bind::<Text, _>(e.course_id)
                .bind::<Text, _>(e.lesson_key)
                .bind::<Text, _>(e.status)
                .bind::<BigInt, _>(e.time_spent_seconds)
                .bind::<Timestamp, _>(e.occurred_at)
                .bind::<Timestamp, _>(e.received_at)
                .bind::<Nullable<Text>, _>(e.recorded_by)
        };
    }
    if let DbConn::Pg(c) = conn {
        let inserted: super::Count = event!(crate::fixed!(concat!(
            "WITH ev AS (",
            event_insert_sql!(),
            " RETURNING 1), en AS (",
            enrollment_upsert_sql!("SELECT $1, $3, 'in_progress', $8, $8 FROM ev"),
            "), pr AS (",
            touch_profile_sql!(user = "$1", at = "$8", day_start = "$10"),
            " AND EXISTS (SELECT 1 FROM ev)), ls AS (",
            lesson_upsert_sql!("SELECT $1, $3, $4, $5, $6, $11, $12, $8 FROM ev"),
            ") SELECT COUNT(*) AS n FROM ev"
        )))
        .bind::<Timestamp, _>(day_start)
        .bind::<Timestamp, _>(lesson.started_at)
        .bind::<Nullable<Timestamp>, _>(lesson.completed_at)
        .get_result(c)?;
        return Ok(inserted.n == 1);
    }
    super::transaction(conn, |conn| {
        let DbConn::Sqlite(c) = conn else {
            unreachable!("PostgreSQL returned above")
        };
        if event!(crate::fixed!(event_insert_sql!())).execute(c)? == 0 {
            return Ok(false);
        }
        crate::fixed!(enrollment_upsert_sql!(
            "VALUES ($1, $2, 'in_progress', $3, $3)"
        ))
        .bind::<Text, _>(e.user_id)
        .bind::<Text, _>(e.course_id)
        .bind::<Timestamp, _>(e.received_at)
        .execute(c)?;
        crate::fixed!(lesson_upsert_sql!(
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind::<Text, _>(lesson.user_id)
        .bind::<Text, _>(lesson.course_id)
        .bind::<Text, _>(lesson.lesson_key)
        .bind::<Text, _>(lesson.status)
        .bind::<BigInt, _>(lesson.time_spent_seconds)
        .bind::<Timestamp, _>(lesson.started_at)
        .bind::<Nullable<Timestamp>, _>(lesson.completed_at)
        .bind::<Timestamp, _>(lesson.updated_at)
        .execute(c)?;
        touch(conn, e.user_id, e.received_at)?;
        Ok(true)
    })
}

pub fn event_exists(conn: &mut DbConn, user_id: &str, client_event_id: &str) -> QueryResult<bool> {
    let n: i64 = progress_events::table
        .filter(progress_events::user_id.eq(user_id))
        .filter(progress_events::client_event_id.eq(client_event_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

crate::text_enum! {
    /// What a row of [`course_state`] is about.
    pub enum StateKind {
        Lesson = "lesson",
        /// A passed quiz.
        Quiz = "quiz",
        Enrollment = "enrollment",
    }
}

/// One row of what a learner has done in a course (see [`course_state`]).
#[derive(QueryableByName, Debug)]
pub struct StateRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub kind: StateKind,
    /// The lesson or quiz key (empty for the enrolment).
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub key: String,
    /// The lesson's status (a lesson's row only).
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub lesson_status: Option<LessonStatus>,
    /// The enrolment's status (the enrolment's row only).
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub enrollment_status: Option<EnrollmentStatus>,
    /// Time spent on the lesson.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub seconds: i64,
}

/// A learner's lessons, passed quizzes and enrolment in a course, in one statement (one round
/// trip), prepared once per connection.
pub fn course_state(
    conn: &mut DbConn,
    user_id: &str,
    course_id: &str,
) -> QueryResult<Vec<StateRow>> {
    use diesel::sql_types::Text;
    macro_rules! state {
        ($c:expr) => {
            crate::fixed!(
                "SELECT 'lesson' AS kind, lesson_key AS key, status AS lesson_status, \
                 CAST(NULL AS TEXT) AS enrollment_status, time_spent_seconds AS seconds \
                 FROM lesson_progress WHERE user_id = $1 AND course_id = $2 \
                 UNION ALL SELECT DISTINCT 'quiz', quiz_key, CAST(NULL AS TEXT), CAST(NULL AS TEXT), 0 \
                 FROM quiz_attempts WHERE user_id = $1 AND course_id = $2 AND passed \
                 UNION ALL SELECT 'enrollment', '', CAST(NULL AS TEXT), status, 0 FROM enrollments \
                 WHERE user_id = $1 AND course_id = $2"
            )
            .bind::<Text, _>(user_id)
            .bind::<Text, _>(course_id)
            .load($c)
        };
    }
    match conn {
        DbConn::Pg(c) => state!(c),
        DbConn::Sqlite(c) => state!(c),
    }
}

/// Marks the enrolment completed once; false when it already was.
pub fn mark_completed(
    conn: &mut DbConn,
    user_id: &str,
    course_id: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        enrollments::table
            .find((user_id, course_id))
            .filter(enrollments::status.ne(EnrollmentStatus::Completed)),
    )
    .set((
        enrollments::status.eq(EnrollmentStatus::Completed),
        enrollments::completed_at.eq(Some(at)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// (enrolment, slug) of every course a user joined, most recent activity first.
pub fn enrollments_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<(Enrollment, String)>> {
    enrollments::table
        .inner_join(courses::table)
        .filter(enrollments::user_id.eq(user_id))
        .order(enrollments::last_activity_at.desc())
        .select((Enrollment::as_select(), courses::slug))
        .load(conn)
}

/// The learners of `villages` who started a lesson before `cutoff` and have not completed it.
pub fn stuck_in(
    conn: &mut DbConn,
    villages: &[String],
    cutoff: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    use super::schema::{learner_profiles, lesson_progress};
    lesson_progress::table
        .filter(
            lesson_progress::user_id.eq_any(
                learner_profiles::table
                    .filter(learner_profiles::village_id.eq_any(villages))
                    .select(learner_profiles::user_id),
            ),
        )
        .filter(lesson_progress::status.eq(LessonStatus::Started))
        .filter(lesson_progress::started_at.lt(cutoff))
        .select(lesson_progress::user_id)
        .distinct()
        .load(conn)
}

/// Course id → slug of every course.
pub fn course_slugs(conn: &mut DbConn) -> QueryResult<std::collections::HashMap<String, String>> {
    Ok(courses::table
        .select((courses::id, courses::slug))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// Slugs of the courses a user completed.
pub fn completed_slugs(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<String>> {
    enrollments::table
        .inner_join(courses::table)
        .filter(enrollments::user_id.eq(user_id))
        .filter(enrollments::status.eq(EnrollmentStatus::Completed))
        .select(courses::slug)
        .load(conn)
}

pub fn all_programs(conn: &mut DbConn) -> QueryResult<Vec<ProgramRow>> {
    programs::table
        .order(programs::slug)
        .select(ProgramRow::as_select())
        .load(conn)
}

pub fn program(conn: &mut DbConn, slug: &str) -> QueryResult<Option<ProgramRow>> {
    programs::table
        .find(slug)
        .select(ProgramRow::as_select())
        .first(conn)
        .optional()
}

#[allow(clippy::too_many_arguments)]
pub fn upsert_program(
    conn: &mut DbConn,
    slug: &str,
    title: &str,
    title_en: &str,
    summary: &str,
    summary_en: &str,
    groups: &str,
    courses_json: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let fields = (
        programs::title.eq(title),
        programs::title_en.eq(title_en),
        programs::summary.eq(summary),
        programs::summary_en.eq(summary_en),
        programs::groups.eq(groups),
        programs::courses.eq(courses_json),
        programs::updated_at.eq(at),
    );
    if program(conn, slug)?.is_some() {
        diesel::update(programs::table.find(slug))
            .set(fields)
            .execute(conn)?;
    } else {
        diesel::insert_into(programs::table)
            .values((programs::slug.eq(slug), fields))
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert_certificate(conn: &mut DbConn, c: &CertificateRow) -> QueryResult<()> {
    diesel::insert_into(certificates::table)
        .values(c)
        .execute(conn)?;
    Ok(())
}

pub fn certificate_by_serial(
    conn: &mut DbConn,
    serial: &str,
) -> QueryResult<Option<CertificateRow>> {
    certificates::table
        .filter(certificates::serial.eq(serial))
        .select(CertificateRow::as_select())
        .first(conn)
        .optional()
}

pub fn certificates_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<CertificateRow>> {
    certificates::table
        .filter(certificates::user_id.eq(user_id))
        .order(certificates::issued_at.desc())
        .select(CertificateRow::as_select())
        .load(conn)
}

pub fn has_program_certificate(conn: &mut DbConn, user_id: &str, slug: &str) -> QueryResult<bool> {
    let n: i64 = certificates::table
        .filter(certificates::user_id.eq(user_id))
        .filter(certificates::program_slug.eq(slug))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn revoke_certificate(
    conn: &mut DbConn,
    serial: &str,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(certificates::table.filter(certificates::serial.eq(serial)))
        .set((
            certificates::revoked_at.eq(Some(at)),
            certificates::revoked_reason.eq(Some(reason)),
        ))
        .execute(conn)
}

/// Inserts a certificate with its place in the revocation status list (see
/// [`next_status_index`]).
pub fn insert_certificate_at(
    conn: &mut DbConn,
    c: &CertificateRow,
    status_index: i64,
) -> QueryResult<()> {
    diesel::insert_into(certificates::table)
        .values((c, certificates::status_index.eq(Some(status_index))))
        .execute(conn)?;
    Ok(())
}

/// The place in the revocation status list that the next certificate takes: the sequence's next
/// value on PostgreSQL (concurrent issuers get different places), the largest place + 1 on
/// SQLite (whose writes are serialized).
pub fn next_status_index(conn: &mut DbConn) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Next {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        next: i64,
    }
    let next = match conn {
        DbConn::Pg(c) => diesel::sql_query("SELECT nextval('certificate_status_index') AS next")
            .get_result::<Next>(c)?,
        DbConn::Sqlite(c) => {
            diesel::sql_query("SELECT COALESCE(MAX(status_index) + 1, 0) AS next FROM certificates")
                .get_result::<Next>(c)?
        }
    };
    Ok(next.next)
}

/// What one status list shows: the revoked places in `first..first + len` with their revocation
/// times, and whether any certificate has a place at or after `first`.
pub fn revoked_in_status_list(
    conn: &mut DbConn,
    first: i64,
    len: i64,
) -> QueryResult<(Vec<(i64, NaiveDateTime)>, bool)> {
    let rows: Vec<(Option<i64>, Option<NaiveDateTime>)> = certificates::table
        .filter(certificates::status_index.ge(first))
        .filter(certificates::status_index.lt(first + len))
        .filter(certificates::revoked_at.is_not_null())
        .select((certificates::status_index, certificates::revoked_at))
        .order(certificates::status_index)
        .load(conn)?;
    let exists = certificates::table
        .filter(certificates::status_index.ge(first))
        .select(certificates::status_index)
        .first::<Option<i64>>(conn)
        .optional()?
        .is_some();
    Ok((
        rows.into_iter()
            .filter_map(|(i, at)| Some((i?, at?)))
            .collect(),
        exists,
    ))
}
