//! PostgreSQL advisory locks: how several server instances on one database do a piece of work
//! once (docs/OPERATIONS.md, "Several instances"). Every key hocso uses is here, so that two
//! kinds of work never share one by mistake.
//!
//! On SQLite, whose database one process serves and whose writes go one at a time anyway, the
//! work just runs.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};

use super::DbConn;

/// A kind of work done by one instance at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Work {
    /// Applying the migrations (at every start, and `hocso migrate`).
    Migrations,
    /// The start-up work on the data: importing the shipped courses into an empty database and
    /// bringing the indicator facts and counts in line with the configuration.
    StartUp,
    /// A retention pass (`privacy::retention`): an instance that finds it taken skips the pass.
    Retention,
    /// One batch of a rebuild of the indicator facts and counts (`reports::facts`), held for the
    /// batch's transaction: two rebuilds never recount one locality at the same time.
    RebuildBatch,
}

impl Work {
    /// The lock's key: eight ASCII letters, readable in `pg_locks` (classid and objid).
    pub const fn key(self) -> i64 {
        match self {
            Work::Migrations => i64::from_be_bytes(*b"hocso_mg"),
            Work::StartUp => i64::from_be_bytes(*b"hocso_st"),
            Work::Retention => i64::from_be_bytes(*b"hocso_rt"),
            Work::RebuildBatch => i64::from_be_bytes(*b"hocso_rb"),
        }
    }
}

#[derive(QueryableByName)]
struct Got {
    #[diesel(sql_type = Bool)]
    got: bool,
}

/// Runs `f` on `conn` holding the session-level advisory lock of `work`, waiting for it
/// (`pg_advisory_lock`) as long as another session holds it. The lock is released when `f`
/// returns or panics, and by PostgreSQL itself when the connection is lost (a killed instance
/// never leaves it taken).
pub fn alone<T, E, F>(conn: &mut DbConn, work: Work, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let DbConn::Pg(c) = conn else {
        return f(conn);
    };
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(work.key())
        .execute(c)?;
    holding(conn, work, f)
}

/// [`alone`] without waiting (`pg_try_advisory_lock`): `None` when another session holds the
/// lock of `work`, and `f` has not run.
pub fn alone_or_skip<T, E, F>(conn: &mut DbConn, work: Work, f: F) -> Result<Option<T>, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let DbConn::Pg(c) = conn else {
        return f(conn).map(Some);
    };
    let got: Got = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS got")
        .bind::<BigInt, _>(work.key())
        .get_result(c)?;
    if !got.got {
        return Ok(None);
    }
    holding(conn, work, f).map(Some)
}

/// Takes the transaction-level advisory lock of `work` in the transaction `conn` is in, waiting
/// for it (`pg_advisory_xact_lock`); PostgreSQL releases it at the commit or rollback.
pub fn in_transaction(conn: &mut DbConn, work: Work) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<BigInt, _>(work.key())
            .execute(c)?;
    }
    Ok(())
}

/// Runs `f` with the session lock of `work` taken on `conn` (PostgreSQL), then releases it.
fn holding<T, E, F>(conn: &mut DbConn, work: Work, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut *conn)));
    let DbConn::Pg(c) = conn else {
        unreachable!("advisory locks are taken on PostgreSQL connections")
    };
    let unlocked = diesel::sql_query("SELECT pg_advisory_unlock($1) AS got")
        .bind::<BigInt, _>(work.key())
        .get_result::<Got>(c);
    match ran {
        Err(payload) => std::panic::resume_unwind(payload),
        Ok(result) => {
            let value = result?;
            unlocked?;
            Ok(value)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_distinct_and_retentions_is_unchanged() {
        let all = [
            Work::Migrations,
            Work::StartUp,
            Work::Retention,
            Work::RebuildBatch,
        ];
        let keys: std::collections::BTreeSet<i64> = all.iter().map(|w| w.key()).collect();
        assert_eq!(keys.len(), all.len());
        // The key a retention pass held before the locks came together here: an instance of
        // the previous version running beside a new one still excludes it.
        assert_eq!(Work::Retention.key(), 0x686f_6373_6f5f_7274);
    }
}
