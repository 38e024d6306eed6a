//! Erasure requests (`erasure_requests`) and the erasure of a person's data
//! (src/privacy/erasure.rs says what is kept and why).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{
    attempt_answers, audit_log, certificates, consents, course_authors, enrollments,
    erasure_requests, exports, households, learner_profiles, lesson_progress, mail_outbox,
    one_time_tokens, progress_events, quiz_attempts, refresh_tokens, role_grants, sessions,
    team_members, users, village_links,
};
use super::DbConn;

#[derive(Queryable, Selectable, Insertable, Clone, Debug, PartialEq)]
#[diesel(table_name = erasure_requests)]
pub struct ErasureRequest {
    pub id: String,
    pub user_id: String,
    /// The facilitator or admin who asked on the person's documented request; `None`: the
    /// person asked.
    pub requested_by: Option<String>,
    pub reason: Option<String>,
    pub document_ref: Option<String>,
    pub requested_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub cancelled_at: Option<NaiveDateTime>,
    pub cancelled_by: Option<String>,
    pub done_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, r: &ErasureRequest) -> QueryResult<()> {
    diesel::insert_into(erasure_requests::table)
        .values(r)
        .execute(conn)?;
    Ok(())
}

/// The request of `user_id` waiting for its day (neither cancelled nor done), if any.
pub fn pending_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<ErasureRequest>> {
    erasure_requests::table
        .filter(erasure_requests::user_id.eq(user_id))
        .filter(erasure_requests::cancelled_at.is_null())
        .filter(erasure_requests::done_at.is_null())
        .order(erasure_requests::requested_at.desc())
        .select(ErasureRequest::as_select())
        .first(conn)
        .optional()
}

pub fn cancel(conn: &mut DbConn, id: &str, by: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        erasure_requests::table
            .find(id)
            .filter(erasure_requests::cancelled_at.is_null())
            .filter(erasure_requests::done_at.is_null()),
    )
    .set((
        erasure_requests::cancelled_at.eq(Some(at)),
        erasure_requests::cancelled_by.eq(Some(by)),
    ))
    .execute(conn)
}

/// The requests whose day has come by `at`, oldest first.
pub fn due(conn: &mut DbConn, at: NaiveDateTime) -> QueryResult<Vec<String>> {
    erasure_requests::table
        .filter(erasure_requests::due_at.le(at))
        .filter(erasure_requests::cancelled_at.is_null())
        .filter(erasure_requests::done_at.is_null())
        .order(erasure_requests::due_at)
        .select(erasure_requests::id)
        .load(conn)
}

/// The request `id` if it is still waiting and due by `at`.
pub fn due_one(
    conn: &mut DbConn,
    id: &str,
    at: NaiveDateTime,
) -> QueryResult<Option<ErasureRequest>> {
    macro_rules! query {
        () => {
            erasure_requests::table
                .find(id)
                .filter(erasure_requests::due_at.le(at))
                .filter(erasure_requests::cancelled_at.is_null())
                .filter(erasure_requests::done_at.is_null())
                .select(ErasureRequest::as_select())
        };
    }
    // On PostgreSQL the request's row stays locked until the erasure commits: another instance
    // erasing at the same moment waits, then finds it done (`done_at` is checked again on the
    // row as committed) and skips it, instead of counting the person among the erased twice.
    // SQLite's writes are one at a time anyway.
    match conn {
        DbConn::Pg(c) => query!().for_update().first(c).optional(),
        DbConn::Sqlite(c) => query!().first(c).optional(),
    }
}

/// Marks a request done; its free-text reason goes (it may name the person), the document's
/// reference stays as the proof of the request.
pub fn mark_done(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(erasure_requests::table.find(id))
        .set((
            erasure_requests::done_at.eq(Some(at)),
            erasure_requests::reason.eq(None::<String>),
        ))
        .execute(conn)
}

/// The household of a profile, if any.
pub fn household_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<String>> {
    Ok(learner_profiles::table
        .find(user_id)
        .select(learner_profiles::household_id)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// The certificates' reason once revoked at the holder's request.
pub const HOLDER_REQUEST: &str =
    "Thu hồi theo yêu cầu của người được cấp / Revoked at the holder's request";

/// Removes what identifies `user_id` and what they did, in the caller's transaction: their
/// sessions, tokens, consents, privacy choices, exports of their data, learning records,
/// answers, village link requests, profile, team memberships and grants, co-authorships, the
/// mail sent to their address, the details of the audit entries about them; their certificates
/// revoked at their request without their name or credential; the account kept as an empty row
/// (no name, e-mail, phone or username, no usable password, disabled) so that the records of
/// others that name its id (an audit entry, a consent they recorded, a course they own) still
/// hold. The profile's facts must have been kept before (`reports::learner_erased`).
pub fn erase_person(conn: &mut DbConn, user_id: &str, at: NaiveDateTime) -> QueryResult<()> {
    let email: Option<String> = users::table
        .find(user_id)
        .select(users::email)
        .first(conn)?;
    let their_sessions = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .select(sessions::id);
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::session_id.eq_any(their_sessions)))
        .execute(conn)?;
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(one_time_tokens::table.filter(one_time_tokens::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(consents::table.filter(consents::user_id.eq(user_id))).execute(conn)?;
    super::privacy_choices::delete_of(conn, user_id)?;
    diesel::delete(exports::table.filter(exports::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(attempt_answers::table.filter(attempt_answers::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(quiz_attempts::table.filter(quiz_attempts::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(progress_events::table.filter(progress_events::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(lesson_progress::table.filter(lesson_progress::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(enrollments::table.filter(enrollments::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(village_links::table.filter(village_links::user_id.eq(user_id)))
        .execute(conn)?;
    let household = household_of(conn, user_id)?;
    diesel::delete(learner_profiles::table.find(user_id)).execute(conn)?;
    if let Some(h) = household {
        // A household whose last member this was keeps no label or address they gave it.
        let members: i64 = learner_profiles::table
            .filter(learner_profiles::household_id.eq(&h))
            .count()
            .get_result(conn)?;
        if members == 0 {
            diesel::update(households::table.find(&h))
                .set((
                    households::label.eq(households::code),
                    households::address.eq(None::<String>),
                ))
                .execute(conn)?;
        }
    }
    diesel::delete(team_members::table.filter(team_members::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(role_grants::table.filter(role_grants::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(course_authors::table.filter(course_authors::user_id.eq(user_id)))
        .execute(conn)?;
    if let Some(email) = email {
        diesel::delete(mail_outbox::table.filter(mail_outbox::to_address.eq(email)))
            .execute(conn)?;
    }
    diesel::update(
        certificates::table
            .filter(certificates::user_id.eq(user_id))
            .filter(certificates::revoked_at.is_null()),
    )
    .set(certificates::revoked_at.eq(Some(at)))
    .execute(conn)?;
    diesel::update(certificates::table.filter(certificates::user_id.eq(user_id)))
        .set((
            certificates::revoked_reason.eq(Some(HOLDER_REQUEST)),
            certificates::recipient_name.eq(""),
            certificates::credential.eq(""),
        ))
        .execute(conn)?;
    diesel::update(audit_log::table.filter(audit_log::subject_user_id.eq(user_id)))
        .set(audit_log::details.eq("{}"))
        .execute(conn)?;
    diesel::update(users::table.find(user_id))
        .set((
            users::display_name.eq(""),
            users::email.eq(None::<String>),
            users::email_verified_at.eq(None::<NaiveDateTime>),
            users::phone.eq(None::<String>),
            users::username.eq(None::<String>),
            users::password_hash.eq("!"),
            users::disabled_at.eq(Some(at)),
            users::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}
