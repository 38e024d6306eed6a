//! The mail outbox: rows written in the transaction of the change that causes them, leased by
//! the worker. On PostgreSQL the lease takes rows with `FOR UPDATE SKIP LOCKED`, so two server
//! instances never send the same mail.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Timestamp};

use super::schema::mail_outbox;
use super::users::{NewOutboxMail, OutboxMail};
use super::{new_id, now, DbConn};
use crate::kinds::{MailKind, MailStatus};

pub struct MailContent {
    pub kind: MailKind,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub fn enqueue(conn: &mut DbConn, mail: &MailContent) -> QueryResult<String> {
    let id = new_id();
    let at = now();
    diesel::insert_into(mail_outbox::table)
        .values(NewOutboxMail {
            id: &id,
            kind: mail.kind.as_str(),
            to_address: &mail.to,
            subject: &mail.subject,
            body_text: &mail.text,
            body_html: &mail.html,
            status: MailStatus::Pending.as_str(),
            attempts: 0,
            next_attempt_at: at,
            created_at: at,
        })
        .execute(conn)?;
    Ok(id)
}

const LEASE_SQL_PG: &str = "UPDATE mail_outbox SET locked_until = $1 WHERE id IN (\
    SELECT id FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= $2 \
    AND (locked_until IS NULL OR locked_until < $2) ORDER BY next_attempt_at LIMIT $3 \
    FOR UPDATE SKIP LOCKED) RETURNING *";
const LEASE_SQL_SQLITE: &str = "UPDATE mail_outbox SET locked_until = ? WHERE id IN (\
    SELECT id FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= ? \
    AND (locked_until IS NULL OR locked_until < ?) ORDER BY next_attempt_at LIMIT ?) RETURNING *";

/// Leases up to `limit` due mails for `lease` (another worker skips them meanwhile).
pub fn lease_due(conn: &mut DbConn, limit: i32, lease: TimeDelta) -> QueryResult<Vec<OutboxMail>> {
    let at = now();
    let until = at + lease;
    // Nothing due: do not take SQLite's write lock just to find that out.
    let due: i64 = mail_outbox::table
        .filter(mail_outbox::status.eq(MailStatus::Pending))
        .filter(mail_outbox::next_attempt_at.le(at))
        .count()
        .get_result(conn)?;
    if due == 0 {
        return Ok(Vec::new());
    }
    match conn {
        DbConn::Pg(c) => diesel::sql_query(LEASE_SQL_PG)
            .bind::<Timestamp, _>(until)
            .bind::<Timestamp, _>(at)
            .bind::<Integer, _>(limit)
            .load(c),
        DbConn::Sqlite(c) => diesel::sql_query(LEASE_SQL_SQLITE)
            .bind::<Timestamp, _>(until)
            .bind::<Timestamp, _>(at)
            .bind::<Timestamp, _>(at)
            .bind::<Integer, _>(limit)
            .load(c),
    }
}

/// Renews the lease of one leased `mail` for `lease` from now, right before it is sent, if this
/// worker still holds it: the lease it was given (`locked_until` as the lease stored it) is still
/// the row's and the mail is still pending. False when another worker has leased it since (the
/// batch outlived its lease: a slow mail server), so that it is sent once, not twice.
pub fn renew_lease(conn: &mut DbConn, mail: &OutboxMail, lease: TimeDelta) -> QueryResult<bool> {
    let Some(held) = mail.locked_until else {
        return Ok(false);
    };
    let renewed = diesel::update(
        mail_outbox::table
            .find(&mail.id)
            .filter(mail_outbox::status.eq(MailStatus::Pending))
            .filter(mail_outbox::locked_until.eq(held)),
    )
    .set(mail_outbox::locked_until.eq(Some(now() + lease)))
    .execute(conn)?;
    Ok(renewed == 1)
}

pub fn mark_sent(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::status.eq(MailStatus::Sent),
            mail_outbox::sent_at.eq(Some(now())),
            mail_outbox::locked_until.eq(None::<NaiveDateTime>),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a failed attempt: retried after `base * 2^attempts`, or failed for good after
/// `max_attempts`. Returns true when the mail is now failed.
pub fn mark_attempt_failed(
    conn: &mut DbConn,
    mail: &OutboxMail,
    error: &str,
    max_attempts: i32,
    base_seconds: i64,
) -> QueryResult<bool> {
    let attempts = mail.attempts + 1;
    let failed = attempts >= max_attempts;
    let delay = base_seconds.saturating_mul(1i64 << attempts.clamp(0, 16));
    diesel::update(mail_outbox::table.find(&mail.id))
        .set((
            mail_outbox::attempts.eq(attempts),
            mail_outbox::status.eq(if failed {
                MailStatus::Failed
            } else {
                MailStatus::Pending
            }),
            mail_outbox::next_attempt_at.eq(now() + TimeDelta::seconds(delay)),
            mail_outbox::locked_until.eq(None::<NaiveDateTime>),
            mail_outbox::last_error.eq(Some(error.chars().take(500).collect::<String>())),
        ))
        .execute(conn)?;
    Ok(failed)
}
