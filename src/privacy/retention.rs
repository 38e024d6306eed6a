//! Retention (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15; issue 21, item 8; docs/PRIVACY.md):
//! what is kept only for a while is deleted once past its time, by a pass of [`purge`].
//!
//! Each kind has a setting in days (`retention_*_days`, docs/CONFIGURATION.md; 0 keeps it for
//! ever). A pass deletes each kind in batches of [`BATCH`] rows, each batch a transaction of its
//! own: on SQLite a job of the writer ([`crate::db::Writer`]), so that learners' writes go
//! between two batches and none waits for more than one batch. The server runs a pass every
//! `retention_interval_seconds` ([`run_every`]); `hocso retention run` runs one.
//!
//! With several instances on PostgreSQL, a pass holds a PostgreSQL advisory lock
//! (`pg_try_advisory_lock`, [`crate::db::retention::alone`]): an instance that finds it taken
//! skips its pass, so one instance works at a time and the others do not contend for the same
//! rows. The deletions would be correct without it (each is idempotent: a row past its time stays
//! past its time, and a row another instance deleted is not found again); the lock only saves the
//! duplicate work and the waiting on each other's row locks.

use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, TimeDelta};
use serde::Serialize;

use crate::config::Settings;
use crate::db::retention::{self as q, Batch};
use crate::db::{DbConn, DbPool, Writer};
use crate::error::ApiResult;

/// Rows per batch (per transaction). Measured on SQLite (docs/PRIVACY.md, "Retention"): 200
/// progress events take a median ~12–20 ms and at worst ~110 ms on a busy machine, against
/// ~50 ms and ~270 ms for 500, for the same rows per second: a learner's write waits at most
/// one batch.
pub const BATCH: i64 = 200;

/// How long each kind is kept, in days (0: for ever), from the settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub progress_events_days: u32,
    pub sessions_days: u32,
    pub one_time_tokens_days: u32,
    pub mail_body_days: u32,
    pub mail_days: u32,
    pub audit_days: u32,
    /// The rows of expired exports (their files go when they expire: `export_ttl_hours`).
    pub exports_days: u32,
    /// How long a session lasts when it is not ended: `refresh_token_days` (a session of API
    /// tokens lives while its last refresh token does; a browser session this long from its
    /// login).
    pub session_lifetime_days: i64,
}

impl Policy {
    pub fn of(settings: &Settings) -> Policy {
        Policy {
            progress_events_days: settings.retention_progress_events_days,
            sessions_days: settings.retention_sessions_days,
            one_time_tokens_days: settings.retention_one_time_tokens_days,
            mail_body_days: settings.retention_mail_body_days,
            mail_days: settings.retention_mail_days,
            audit_days: settings.retention_audit_days,
            exports_days: settings.retention_exports_days,
            session_lifetime_days: settings.refresh_token_days,
        }
    }

    /// The batches of a pass at `now`, each with its cut-off: kinds kept for ever are left out.
    /// Refresh tokens go before sessions (a session's tokens would otherwise go with it by
    /// cascade, in a batch of unknown size).
    pub fn batches(&self, now: NaiveDateTime) -> Vec<Batch> {
        let mut out = Vec::new();
        if let Some(t) = cutoff(now, self.progress_events_days) {
            out.push(Batch::ProgressEvents(t));
        }
        if let Some(t) = cutoff(now, self.sessions_days) {
            out.push(Batch::RefreshTokens(t));
            out.push(Batch::RevokedSessions(t));
            if let Some(last_used_before) = TimeDelta::try_days(self.session_lifetime_days)
                .and_then(|lifetime| t.checked_sub_signed(lifetime))
            {
                out.push(Batch::ExpiredSessions {
                    ended_before: t,
                    last_used_before,
                });
            }
        }
        if let Some(t) = cutoff(now, self.one_time_tokens_days) {
            out.push(Batch::OneTimeTokens(t));
        }
        // Whole rows first: a body is not blanked just before its row goes.
        if let Some(t) = cutoff(now, self.mail_days) {
            out.push(Batch::Mail(t));
        }
        if let Some(t) = cutoff(now, self.mail_body_days) {
            out.push(Batch::MailBodies(t));
        }
        if let Some(t) = cutoff(now, self.audit_days) {
            out.push(Batch::AuditEntries(t));
            out.push(Batch::AccessRecords(t));
        }
        // An export's row goes `exports_days` after it expired; its file as soon as it expires
        // (its own time, `export_ttl_hours`). Rows first, as for mail.
        if let Some(t) = cutoff(now, self.exports_days) {
            out.push(Batch::Exports(t));
        }
        out.push(Batch::ExportFiles(now));
        out
    }
}

/// The time before which a row kept `days` days is past its time at `now`; `None` when it is
/// kept for ever (0 days), or when `days` reach back before the calendar's first date (then
/// nothing is that old).
pub fn cutoff(now: NaiveDateTime, days: u32) -> Option<NaiveDateTime> {
    if days == 0 {
        return None;
    }
    now.checked_sub_signed(TimeDelta::days(i64::from(days)))
}

/// What a pass removed, by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Purged {
    pub progress_events: u64,
    pub sessions: u64,
    pub refresh_tokens: u64,
    pub one_time_tokens: u64,
    /// Mail whose bodies were blanked (the row stays).
    pub mail_bodies: u64,
    /// Mail rows deleted.
    pub mail: u64,
    pub audit_entries: u64,
    /// Records of access, kept as long as audit entries.
    pub access_records: u64,
    /// Files of expired personal data exports removed (the row stays).
    pub export_files: u64,
    /// Rows of expired exports deleted.
    pub exports: u64,
}

impl Purged {
    fn add(&mut self, batch: &Batch, n: u64) {
        let field = match batch {
            Batch::ProgressEvents(_) => &mut self.progress_events,
            Batch::RefreshTokens(_) => &mut self.refresh_tokens,
            Batch::RevokedSessions(_) | Batch::ExpiredSessions { .. } => &mut self.sessions,
            Batch::OneTimeTokens(_) => &mut self.one_time_tokens,
            Batch::MailBodies(_) => &mut self.mail_bodies,
            Batch::Mail(_) => &mut self.mail,
            Batch::AuditEntries(_) => &mut self.audit_entries,
            Batch::AccessRecords(_) => &mut self.access_records,
            Batch::ExportFiles(_) => &mut self.export_files,
            Batch::Exports(_) => &mut self.exports,
        };
        *field += n;
    }

    /// Each kind and its count, in a fixed order (what `hocso retention run` prints).
    pub fn entries(&self) -> [(&'static str, u64); 10] {
        [
            ("progress_events", self.progress_events),
            ("sessions", self.sessions),
            ("refresh_tokens", self.refresh_tokens),
            ("one_time_tokens", self.one_time_tokens),
            ("mail_bodies", self.mail_bodies),
            ("mail", self.mail),
            ("audit_entries", self.audit_entries),
            ("access_records", self.access_records),
            ("export_files", self.export_files),
            ("exports", self.exports),
        ]
    }

    pub fn total(&self) -> u64 {
        self.entries().iter().map(|(_, n)| n).sum()
    }
}

/// A pass's counts, and how long it and its longest batch took.
#[derive(Clone, Debug)]
pub struct Pass {
    pub purged: Purged,
    pub batches: usize,
    pub longest_batch: Duration,
    pub elapsed: Duration,
}

/// One batch sent to where it runs, answering how many rows it removed.
pub type Run<'a> = dyn FnMut(Batch) -> ApiResult<usize> + 'a;

/// One pass at `now`: every kind, batch after batch through `run`, until a batch finds fewer
/// than [`BATCH`] rows.
pub fn purge(run: &mut Run<'_>, policy: &Policy, now: NaiveDateTime) -> ApiResult<Pass> {
    let started = Instant::now();
    let mut pass = Pass {
        purged: Purged::default(),
        batches: 0,
        longest_batch: Duration::ZERO,
        elapsed: Duration::ZERO,
    };
    for batch in policy.batches(now) {
        loop {
            let t = Instant::now();
            let n = run(batch)?;
            pass.longest_batch = pass.longest_batch.max(t.elapsed());
            pass.batches += 1;
            pass.purged.add(&batch, n as u64);
            if (n as i64) < BATCH {
                break;
            }
        }
    }
    pass.elapsed = started.elapsed();
    Ok(pass)
}

/// One pass on `conn` (a command's own connection, or one of the pool), each batch a transaction
/// of its own on it; on PostgreSQL only while holding the retention lock: `None` when another
/// instance is running a pass.
pub fn pass_on(conn: &mut DbConn, policy: &Policy, now: NaiveDateTime) -> ApiResult<Option<Pass>> {
    q::alone(conn, |conn| {
        purge(
            &mut |batch| crate::db::transaction(conn, |c| Ok(q::run(c, batch, BATCH)?)),
            policy,
            now,
        )
    })
}

/// One pass of the server: on SQLite each batch is a job of the writer (learners' writes go
/// between batches); on PostgreSQL the pass runs on one pooled connection holding the lock
/// ([`pass_on`]). Blocks: call it from a blocking thread.
pub fn pass(
    writer: &Writer,
    pool: &DbPool,
    policy: &Policy,
    now: NaiveDateTime,
) -> ApiResult<Option<Pass>> {
    match writer {
        Writer::Sqlite(_) => purge(
            &mut |batch| writer.transaction(move |c| Ok(q::run(c, batch, BATCH)?)),
            policy,
            now,
        )
        .map(Some),
        Writer::Postgres(_) => pass_on(&mut *pool.get()?, policy, now),
    }
}

/// The server's job: a pass at once and then every `every`, at the server's clock; each pass
/// logged with its counts when it removed anything.
pub async fn run_every(state: actix_web::web::Data<crate::state::AppState>, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let st = state.clone();
        let done = actix_web::web::block(move || {
            let policy = Policy::of(&st.settings);
            pass(&st.writer, &st.pool, &policy, st.clock.now())
        })
        .await;
        match done {
            Ok(Ok(Some(p))) => log(&p),
            Ok(Ok(None)) => tracing::debug!("retention pass skipped: another instance runs one"),
            Ok(Err(e)) => tracing::warn!(error = ?e, "retention pass failed"),
            Err(e) => tracing::warn!(error = %e, "retention pass failed"),
        }
    }
}

fn log(p: &Pass) {
    if p.purged.total() == 0 {
        return;
    }
    let c = &p.purged;
    tracing::info!(
        progress_events = c.progress_events,
        sessions = c.sessions,
        refresh_tokens = c.refresh_tokens,
        one_time_tokens = c.one_time_tokens,
        mail_bodies = c.mail_bodies,
        mail = c.mail,
        audit_entries = c.audit_entries,
        access_records = c.access_records,
        export_files = c.export_files,
        exports = c.exports,
        batches = p.batches,
        longest_batch_ms = p.longest_batch.as_millis() as u64,
        elapsed_ms = p.elapsed.as_millis() as u64,
        "retention pass: {} rows past their time removed",
        c.total()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn cutoff_is_now_less_the_days_and_zero_keeps_for_ever() {
        let now = at("2026-03-01 10:00:00");
        assert_eq!(cutoff(now, 0), None);
        assert_eq!(cutoff(now, 1), Some(at("2026-02-28 10:00:00")));
        // Through a leap day and a year.
        assert_eq!(
            cutoff(at("2028-03-01 10:00:00"), 1),
            Some(at("2028-02-29 10:00:00"))
        );
        assert_eq!(cutoff(now, 365), Some(at("2025-03-01 10:00:00")));
        // Far past the calendar's first date: nothing is that old, nothing goes.
        assert_eq!(cutoff(now, u32::MAX), None);
    }

    #[test]
    fn a_pass_has_a_batch_per_kind_kept_for_a_while() {
        let now = at("2026-12-06 00:00:00");
        let policy = Policy {
            progress_events_days: 0,
            sessions_days: 30,
            one_time_tokens_days: 7,
            mail_body_days: 0,
            mail_days: 365,
            audit_days: 0,
            exports_days: 0,
            session_lifetime_days: 30,
        };
        assert_eq!(
            policy.batches(now),
            vec![
                Batch::RefreshTokens(at("2026-11-06 00:00:00")),
                Batch::RevokedSessions(at("2026-11-06 00:00:00")),
                // Ended 30 days ago: last used 30 days before that.
                Batch::ExpiredSessions {
                    ended_before: at("2026-11-06 00:00:00"),
                    last_used_before: at("2026-10-07 00:00:00"),
                },
                Batch::OneTimeTokens(at("2026-11-29 00:00:00")),
                Batch::Mail(at("2025-12-06 00:00:00")),
                // An export's file goes when it expires, whatever the settings.
                Batch::ExportFiles(now),
            ]
        );
    }

    #[test]
    fn batches_go_on_until_one_finds_fewer_than_a_batch() {
        let policy = Policy {
            progress_events_days: 10,
            sessions_days: 0,
            one_time_tokens_days: 0,
            mail_body_days: 0,
            mail_days: 0,
            audit_days: 1,
            exports_days: 0,
            session_lifetime_days: 30,
        };
        // 500 events past their time (200, 200, 100), exactly 200 audit entries (200, 0), no
        // record of access (0) and no export file (0).
        let mut left = (500usize, 200usize, 0usize);
        let mut calls = Vec::new();
        let pass = purge(
            &mut |b| {
                calls.push(b);
                let pool = match b {
                    Batch::ProgressEvents(_) => &mut left.0,
                    Batch::AuditEntries(_) => &mut left.1,
                    _ => &mut left.2,
                };
                let n = (*pool).min(BATCH as usize);
                *pool -= n;
                Ok(n)
            },
            &policy,
            at("2026-12-06 00:00:00"),
        )
        .unwrap();
        assert_eq!(BATCH, 200);
        assert_eq!(pass.purged.progress_events, 500);
        assert_eq!(pass.purged.audit_entries, 200);
        assert_eq!(pass.batches, 7);
        assert_eq!(calls.len(), 7);
        assert_eq!(pass.purged.total(), 700);
    }
}
