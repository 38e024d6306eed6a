//! A person's own data (issue 21, item 3): the `exports` table (each requested export, its state,
//! its file, when it expires) and the queries that gather everything hocso holds about one person
//! for it (`person`). Secrets (password, session, refresh and one-time token hashes) are never
//! selected.

mod person;

use chrono::NaiveDateTime;
use diesel::prelude::*;

pub use person::{
    account, actions, attempts, certificates, consents, enrolments, history_size, lessons, mail,
    one_time_tokens, profile, progress_events, reads, roles, sessions, token_addresses,
    village_links, AccountData, ActionRow, AttemptRow, CertificateData, ConsentData, EnrolmentData,
    HouseholdData, LessonData, MailData, OneTimeTokenData, ProfileData, ProgressEventData,
    ReadData, RoleData, SessionData, VillageLinkData,
};

use super::schema::exports;
use super::DbConn;
use crate::kinds::ExportStatus;

// ---------------------------------------------------------------- the exports table

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = exports)]
pub struct ExportRow {
    pub id: String,
    pub user_id: String,
    pub status: ExportStatus,
    pub requested_at: NaiveDateTime,
    pub started_at: Option<NaiveDateTime>,
    pub ready_at: Option<NaiveDateTime>,
    pub expires_at: NaiveDateTime,
    pub size_bytes: Option<i64>,
}

#[derive(Insertable)]
#[diesel(table_name = exports)]
pub struct NewExport<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub status: ExportStatus,
    pub requested_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, e: &NewExport<'_>) -> QueryResult<()> {
    diesel::insert_into(exports::table)
        .values(e)
        .execute(conn)
        .map(drop)
}

/// The export `id` of `user_id` (none for another person's).
pub fn of_user(conn: &mut DbConn, user_id: &str, id: &str) -> QueryResult<Option<ExportRow>> {
    exports::table
        .filter(exports::id.eq(id))
        .filter(exports::user_id.eq(user_id))
        .select(ExportRow::as_select())
        .first(conn)
        .optional()
}

/// The exports of `user_id`, newest first.
pub fn all_of_user(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<ExportRow>> {
    exports::table
        .filter(exports::user_id.eq(user_id))
        .order((exports::requested_at.desc(), exports::id.desc()))
        .select(ExportRow::as_select())
        .load(conn)
}

/// The file of the export `id` of `user_id` (none before it is ready, or once removed).
pub fn content(conn: &mut DbConn, user_id: &str, id: &str) -> QueryResult<Option<String>> {
    exports::table
        .filter(exports::id.eq(id))
        .filter(exports::user_id.eq(user_id))
        .select(exports::content)
        .first::<Option<String>>(conn)
        .optional()
        .map(Option::flatten)
}

/// Up to `limit` exports waiting for the worker: pending, or building since before `stale` (a
/// worker that stopped), oldest first.
pub fn due(conn: &mut DbConn, stale: NaiveDateTime, limit: i64) -> QueryResult<Vec<ExportRow>> {
    exports::table
        .filter(
            exports::status.eq(ExportStatus::Pending).or(exports::status
                .eq(ExportStatus::Building)
                .and(exports::started_at.lt(stale))),
        )
        .order(exports::requested_at.asc())
        .limit(limit)
        .select(ExportRow::as_select())
        .load(conn)
}

/// Takes the export `id` for building (once: whether this caller got it), unless another worker
/// took it since it was read (`seen` is the status it had).
pub fn claim(
    conn: &mut DbConn,
    id: &str,
    seen: ExportStatus,
    seen_started: Option<NaiveDateTime>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let base = exports::table
        .filter(exports::id.eq(id))
        .filter(exports::status.eq(seen));
    let n = match seen_started {
        Some(s) => diesel::update(base.filter(exports::started_at.eq(s)))
            .set((
                exports::status.eq(ExportStatus::Building),
                exports::started_at.eq(at),
            ))
            .execute(conn)?,
        None => diesel::update(base.filter(exports::started_at.is_null()))
            .set((
                exports::status.eq(ExportStatus::Building),
                exports::started_at.eq(at),
            ))
            .execute(conn)?,
    };
    Ok(n > 0)
}

/// Stores the file of the export `id`: ready now.
pub fn store(conn: &mut DbConn, id: &str, content: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(exports::table.filter(exports::id.eq(id)))
        .set((
            exports::status.eq(ExportStatus::Ready),
            exports::content.eq(Some(content)),
            exports::size_bytes.eq(Some(content.len() as i64)),
            exports::ready_at.eq(Some(at)),
        ))
        .execute(conn)
        .map(drop)
}

/// Marks the export `id` failed (the worker could not build it).
pub fn fail(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::update(exports::table.filter(exports::id.eq(id)))
        .set(exports::status.eq(ExportStatus::Failed))
        .execute(conn)
        .map(drop)
}
