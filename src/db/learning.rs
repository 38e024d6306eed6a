//! Enrolments, lesson progress, progress events, programs and certificates.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{
    certificates, courses, enrollments, lesson_progress, programs, progress_events, quiz_attempts,
};
use super::DbConn;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = enrollments)]
pub struct Enrollment {
    pub user_id: String,
    pub course_id: String,
    pub status: String,
    pub enrolled_at: NaiveDateTime,
    pub last_activity_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = progress_events)]
pub struct NewEvent<'a> {
    pub user_id: &'a str,
    pub client_event_id: &'a str,
    pub course_id: &'a str,
    pub lesson_key: &'a str,
    pub status: &'a str,
    pub time_spent_seconds: i64,
    pub occurred_at: NaiveDateTime,
    pub received_at: NaiveDateTime,
    pub recorded_by: Option<&'a str>,
}

#[derive(Insertable)]
#[diesel(table_name = lesson_progress)]
pub struct NewLessonProgress<'a> {
    pub user_id: &'a str,
    pub course_id: &'a str,
    pub lesson_key: &'a str,
    pub status: &'a str,
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
    pub kind: String,
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
        enrollments::status.eq("in_progress"),
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

/// Enrols (when needed) and records activity now, in one statement.
pub fn enrol_and_touch(
    conn: &mut DbConn,
    user_id: &str,
    course_id: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    use diesel::upsert::excluded;
    let values = (
        enrollments::user_id.eq(user_id),
        enrollments::course_id.eq(course_id),
        enrollments::status.eq("in_progress"),
        enrollments::enrolled_at.eq(at),
        enrollments::last_activity_at.eq(at),
    );
    macro_rules! upsert {
        ($c:expr) => {
            diesel::insert_into(enrollments::table)
                .values(values)
                .on_conflict((enrollments::user_id, enrollments::course_id))
                .do_update()
                .set(enrollments::last_activity_at.eq(excluded(enrollments::last_activity_at)))
                .execute($c)
        };
    }
    match conn {
        DbConn::Pg(c) => upsert!(c)?,
        DbConn::Sqlite(c) => upsert!(c)?,
    };
    touch_profile(conn, user_id, at)
}

/// Marks the learner (their profile, if they have one) active now, writing at most once a day:
/// reports count people active since the start of a day.
pub fn touch_profile(conn: &mut DbConn, user_id: &str, at: NaiveDateTime) -> QueryResult<()> {
    use crate::db::schema::learner_profiles as lp;
    let day_start = at.date().and_time(chrono::NaiveTime::MIN);
    diesel::update(
        lp::table.find(user_id).filter(
            lp::last_active_at
                .is_null()
                .or(lp::last_active_at.lt(day_start)),
        ),
    )
    .set(lp::last_active_at.eq(Some(at)))
    .execute(conn)?;
    Ok(())
}

/// Records an event; false when this client event id was already recorded.
pub fn insert_event(conn: &mut DbConn, e: &NewEvent<'_>) -> QueryResult<bool> {
    let n = match conn {
        DbConn::Pg(c) => diesel::insert_into(progress_events::table)
            .values(e)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_into(progress_events::table)
            .values(e)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok(n == 1)
}

pub fn event_exists(conn: &mut DbConn, user_id: &str, client_event_id: &str) -> QueryResult<bool> {
    let n: i64 = progress_events::table
        .filter(progress_events::user_id.eq(user_id))
        .filter(progress_events::client_event_id.eq(client_event_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Adds time and raises the status of a lesson (a completed lesson never goes back), in one
/// statement.
pub fn record_lesson(conn: &mut DbConn, p: &NewLessonProgress<'_>) -> QueryResult<()> {
    use diesel::dsl::case_when;
    use diesel::upsert::excluded;
    use lesson_progress::dsl as lp;
    macro_rules! upsert {
        ($c:expr) => {
            diesel::insert_into(lesson_progress::table)
                .values(p)
                .on_conflict((lp::user_id, lp::course_id, lp::lesson_key))
                .do_update()
                .set((
                    lp::time_spent_seconds
                        .eq(lp::time_spent_seconds + excluded(lp::time_spent_seconds)),
                    lp::updated_at.eq(excluded(lp::updated_at)),
                    lp::status.eq(case_when(lp::status.eq("completed"), lp::status)
                        .otherwise(excluded(lp::status))),
                    lp::completed_at.eq(case_when(
                        lp::completed_at.is_null(),
                        excluded(lp::completed_at),
                    )
                    .otherwise(lp::completed_at)),
                ))
                .execute($c)
        };
    }
    match conn {
        DbConn::Pg(c) => upsert!(c)?,
        DbConn::Sqlite(c) => upsert!(c)?,
    };
    Ok(())
}

/// (lesson key, status, seconds) of a user's lessons in a course.
pub fn lessons_of(
    conn: &mut DbConn,
    user_id: &str,
    course_id: &str,
) -> QueryResult<Vec<(String, String, i64)>> {
    lesson_progress::table
        .filter(lesson_progress::user_id.eq(user_id))
        .filter(lesson_progress::course_id.eq(course_id))
        .select((
            lesson_progress::lesson_key,
            lesson_progress::status,
            lesson_progress::time_spent_seconds,
        ))
        .load(conn)
}

/// Keys of the quizzes of a course that the user has passed.
pub fn passed_quizzes(
    conn: &mut DbConn,
    user_id: &str,
    course_id: &str,
) -> QueryResult<Vec<String>> {
    quiz_attempts::table
        .filter(quiz_attempts::user_id.eq(user_id))
        .filter(quiz_attempts::course_id.eq(course_id))
        .filter(quiz_attempts::passed.eq(true))
        .select(quiz_attempts::quiz_key)
        .distinct()
        .load(conn)
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
            .filter(enrollments::status.ne("completed")),
    )
    .set((
        enrollments::status.eq("completed"),
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

/// Slugs of the courses a user completed.
pub fn completed_slugs(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<String>> {
    enrollments::table
        .inner_join(courses::table)
        .filter(enrollments::user_id.eq(user_id))
        .filter(enrollments::status.eq("completed"))
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
    let exists = program(conn, slug)?.is_some();
    if exists {
        diesel::update(programs::table.find(slug))
            .set((
                programs::title.eq(title),
                programs::title_en.eq(title_en),
                programs::summary.eq(summary),
                programs::summary_en.eq(summary_en),
                programs::groups.eq(groups),
                programs::courses.eq(courses_json),
                programs::updated_at.eq(at),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(programs::table)
            .values((
                programs::slug.eq(slug),
                programs::title.eq(title),
                programs::title_en.eq(title_en),
                programs::summary.eq(summary),
                programs::summary_en.eq(summary_en),
                programs::groups.eq(groups),
                programs::courses.eq(courses_json),
                programs::updated_at.eq(at),
            ))
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
