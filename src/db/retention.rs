//! Retention (`privacy::retention`): one batch of deletions at a time, and on PostgreSQL the
//! advisory lock that lets one instance run a pass while the others skip it.
//!
//! Every batch finds at most `limit` rows past their time by an indexed time (migration
//! `2026-12-06-033000_retention`) and deletes them (or, for mail, blanks their bodies) in one
//! statement, so a batch is one short write. Each statement is idempotent by nature: a row past
//! its time stays past its time, and a row deleted by somebody else is simply not found again.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use super::DbConn;

/// One batch of one kind, with the time before which a row is past its time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Batch {
    /// Progress events received before the time.
    ProgressEvents(NaiveDateTime),
    /// Refresh tokens that expired before the time (spent ones of a live session stay until
    /// then: a spent token presented again ends its session, which needs the spent row).
    RefreshTokens(NaiveDateTime),
    /// Sessions ended (logged out, revoked) before the time.
    RevokedSessions(NaiveDateTime),
    /// Sessions that were not revoked but expired before `ended_before`: last used (a browser
    /// session: started) before `last_used_before` (= `ended_before` less a session's lifetime),
    /// and with no refresh token that expires at `ended_before` or later.
    ExpiredSessions {
        ended_before: NaiveDateTime,
        last_used_before: NaiveDateTime,
    },
    /// One-time tokens (password reset, e-mail verification) used or expired before the time.
    OneTimeTokens(NaiveDateTime),
    /// The bodies (text and HTML) of mail sent or failed for good, queued before the time:
    /// blanked, the row (recipient, kind, subject, times) stays.
    MailBodies(NaiveDateTime),
    /// Mail sent or failed for good, queued before the time: the whole row.
    Mail(NaiveDateTime),
    /// Audit entries written before the time.
    AuditEntries(NaiveDateTime),
    /// Records of access (a staff member's read of a person's data) made before the time.
    AccessRecords(NaiveDateTime),
    /// The files of personal data exports that expired before the time: removed (the row, which
    /// says when it was asked for and built, stays; its download answers 410 as when expired).
    ExportFiles(NaiveDateTime),
    /// The rows of personal data exports that expired before the time.
    Exports(NaiveDateTime),
}

/// Runs one batch of at most `limit` rows; the number of rows deleted (or blanked).
pub fn run(conn: &mut DbConn, batch: Batch, limit: i64) -> QueryResult<usize> {
    macro_rules! exec {
        ($sql:expr, $($ty:ty => $value:expr),*) => {
            match conn {
                DbConn::Pg(c) => diesel::sql_query($sql)$(.bind::<$ty, _>($value))*.execute(c),
                DbConn::Sqlite(c) => diesel::sql_query($sql)$(.bind::<$ty, _>($value))*.execute(c),
            }
        };
    }
    match batch {
        Batch::ProgressEvents(before) => exec!(
            "DELETE FROM progress_events WHERE (user_id, client_event_id) IN \
             (SELECT user_id, client_event_id FROM progress_events WHERE received_at < $1 LIMIT $2)",
            Timestamp => before, BigInt => limit
        ),
        Batch::RefreshTokens(before) => exec!(
            "DELETE FROM refresh_tokens WHERE id IN \
             (SELECT id FROM refresh_tokens WHERE expires_at < $1 LIMIT $2)",
            Timestamp => before, BigInt => limit
        ),
        Batch::RevokedSessions(before) => exec!(
            "DELETE FROM sessions WHERE id IN \
             (SELECT id FROM sessions WHERE revoked_at < $1 LIMIT $2)",
            Timestamp => before, BigInt => limit
        ),
        Batch::ExpiredSessions {
            ended_before,
            last_used_before,
        } => exec!(
            "DELETE FROM sessions WHERE id IN \
             (SELECT s.id FROM sessions s WHERE s.revoked_at IS NULL AND s.last_used_at < $1 \
              AND NOT EXISTS (SELECT 1 FROM refresh_tokens r \
                              WHERE r.session_id = s.id AND r.expires_at >= $2) \
              LIMIT $3)",
            Timestamp => last_used_before, Timestamp => ended_before, BigInt => limit
        ),
        Batch::OneTimeTokens(before) => exec!(
            "DELETE FROM one_time_tokens WHERE id IN \
             (SELECT id FROM one_time_tokens WHERE expires_at < $1 OR used_at < $1 LIMIT $2)",
            Timestamp => before, BigInt => limit
        ),
        Batch::MailBodies(before) => exec!(
            "UPDATE mail_outbox SET body_text = '', body_html = '' WHERE id IN \
             (SELECT id FROM mail_outbox WHERE created_at < $1 AND status <> 'pending' \
              AND (body_text <> '' OR body_html <> '') LIMIT $2)",
            Timestamp => before, BigInt => limit
        ),
        Batch::Mail(before) => exec!(
            "DELETE FROM mail_outbox WHERE id IN \
             (SELECT id FROM mail_outbox WHERE created_at < $1 AND status <> 'pending' LIMIT $2)",
            Timestamp => before, BigInt => limit
        ),
        Batch::AuditEntries(before) => exec!(
            "DELETE FROM audit_log WHERE id IN \
             (SELECT id FROM audit_log WHERE at < $1 LIMIT $2)",
            Timestamp => before, BigInt => limit
        ),
        Batch::AccessRecords(before) => exec!(
            "DELETE FROM access_records WHERE id IN \
             (SELECT id FROM access_records WHERE read_at < $1 LIMIT $2)",
            Timestamp => before, BigInt => limit
        ),
        Batch::ExportFiles(before) => exec!(
            "UPDATE exports SET content = NULL WHERE id IN \
             (SELECT id FROM exports WHERE expires_at <= $1 AND content IS NOT NULL LIMIT $2)",
            Timestamp => before, BigInt => limit
        ),
        Batch::Exports(before) => exec!(
            "DELETE FROM exports WHERE id IN \
             (SELECT id FROM exports WHERE expires_at < $1 LIMIT $2)",
            Timestamp => before, BigInt => limit
        ),
    }
}

/// The key of the PostgreSQL advisory lock a retention pass holds ("hocso_rt").
pub const LOCK_KEY: i64 = super::advisory::Work::Retention.key();

/// Runs `f` on `conn` alone: on PostgreSQL while holding the session-level advisory lock of
/// retention, taken without waiting ([`super::advisory::alone_or_skip`]): `None` when another
/// session (another instance, or `hocso retention run`) holds it. On SQLite, whose writes are one
/// at a time anyway, `f` just runs.
pub fn alone<T, E, F>(conn: &mut DbConn, f: F) -> Result<Option<T>, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    super::advisory::alone_or_skip(conn, super::advisory::Work::Retention, f)
}
