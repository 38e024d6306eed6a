//! Database access: one connection type over SQLite and PostgreSQL, the pool, migrations.
//!
//! The backend is chosen by the URL scheme and nothing else: a mistyped URL is refused, never
//! turned into a new SQLite file. Backend-specific SQL (upserts, row locking) lives in this
//! module tree only, as a `match` on [`DbConn`].

pub mod community;
pub mod courses;
pub mod learning;
pub mod mail;
pub mod migrate;
pub mod prepared;
pub mod quiz;
pub mod schema;
pub mod seed;
pub mod users;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = r2d2::Pool<ConnManager>;
pub type PooledConn = r2d2::PooledConnection<ConnManager>;

/// Where the database lives, parsed from `HOCSO_DATABASE_URL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DbTarget {
    Postgres(String),
    Sqlite(PathBuf),
}

impl DbTarget {
    pub fn parse(url: &str) -> anyhow::Result<DbTarget> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbTarget::Postgres(url.to_string()));
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                bail!("database URL `sqlite://` has no file path");
            }
            return Ok(DbTarget::Sqlite(PathBuf::from(path)));
        }
        let scheme = url.split(':').next().unwrap_or("");
        bail!(
            "unsupported database URL scheme `{scheme}`: use sqlite://PATH or postgres://USER@HOST/DB"
        )
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DbTarget::Postgres(_) => "postgres",
            DbTarget::Sqlite(_) => "sqlite",
        }
    }
}

/// An r2d2 manager that dispatches on the URL scheme and sets SQLite pragmas on every connection.
#[derive(Clone, Debug)]
pub struct ConnManager {
    target: DbTarget,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnError {
    #[error("{0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("{0}")]
    Query(#[from] diesel::result::Error),
    #[error("the SQLite database file {0} is gone")]
    SqliteFileGone(PathBuf),
}

impl ConnManager {
    pub fn new(target: DbTarget) -> Self {
        Self { target }
    }

    pub fn target(&self) -> &DbTarget {
        &self.target
    }
}

fn sqlite_connect(path: &Path) -> Result<SqliteConnection, ConnError> {
    let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
    conn.batch_execute(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
    )?;
    Ok(conn)
}

impl ManageConnection for ConnManager {
    type Connection = DbConn;
    type Error = ConnError;

    fn connect(&self) -> Result<DbConn, ConnError> {
        match &self.target {
            DbTarget::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                // The report queries' row estimates are poor (recursive locality trees), and JIT
                // compilation then costs more than the query: 2.4 s → 0.7 s for a commune of
                // 20,000 among 1,000,000 learners. The other queries are far below its threshold.
                conn.batch_execute("SET jit = off")?;
                Ok(DbConn::Pg(conn))
            }
            DbTarget::Sqlite(path) => Ok(DbConn::Sqlite(sqlite_connect(path)?)),
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), ConnError> {
        if let DbTarget::Sqlite(path) = &self.target {
            if !path.exists() {
                return Err(ConnError::SqliteFileGone(path.clone()));
            }
        }
        conn.batch_execute("SELECT 1")?;
        Ok(())
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        match conn {
            DbConn::Pg(c) => c.is_broken(),
            DbConn::Sqlite(c) => c.is_broken(),
        }
    }
}

/// Opens one connection directly (so that the real cause of a failure is reported), applies the
/// migrations on it, then builds the pool.
pub fn connect_and_migrate(url: &str, pool_size: u32, timeout: Duration) -> anyhow::Result<DbPool> {
    let target = DbTarget::parse(url)?;
    let mut first = connect_once(url)?;
    migrate::run_pending(&mut first)?;
    drop(first);
    build_pool(ConnManager::new(target), pool_size, timeout)
}

/// One connection, outside any pool, with the real cause of a failure in the error.
/// Creates the directory of an SQLite file.
pub fn connect_once(url: &str) -> anyhow::Result<DbConn> {
    let target = DbTarget::parse(url)?;
    if let DbTarget::Sqlite(path) = &target {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create database directory {}", dir.display()))?;
        }
    }
    ConnManager::new(target.clone()).connect().map_err(|e| {
        anyhow::anyhow!(
            "cannot connect to the {} database: {}",
            target.backend_name(),
            one_line(&e.to_string())
        )
    })
}

pub fn build_pool(manager: ConnManager, size: u32, timeout: Duration) -> anyhow::Result<DbPool> {
    r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(timeout)
        .test_on_check_out(false)
        .build(manager)
        .context("cannot build the database pool")
}

/// Readiness: a pooled connection answers a query within `timeout`.
pub fn ping(pool: &DbPool, target: &DbTarget, timeout: Duration) -> Result<(), String> {
    let mut conn = pool.get_timeout(timeout).map_err(|e| e.to_string())?;
    ConnManager::new(target.clone())
        .is_valid(&mut conn)
        .map_err(|e| e.to_string())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// SQLite lets one connection write at a time. Writers of this process queue here, so that they
/// wake as soon as the previous one commits instead of polling the file lock (SQLite's busy
/// handler sleeps 1, 2, 5, 10 ms … between tries): progress writes 4,180/s → see PERFORMANCE.md.
/// Other processes on the same file still meet `busy_timeout`.
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

thread_local! {
    /// Set while this thread holds `SQLITE_WRITER` (nested transactions do not take it again).
    static HOLDS_WRITER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Holds `SQLITE_WRITER` for this thread until dropped.
struct WriterTurn(Option<std::sync::MutexGuard<'static, ()>>);

impl WriterTurn {
    fn take() -> Self {
        if HOLDS_WRITER.with(|h| h.get()) {
            return WriterTurn(None);
        }
        // A panic while writing poisons nothing that matters here: the guard protects no data.
        let guard = SQLITE_WRITER
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        HOLDS_WRITER.with(|h| h.set(true));
        WriterTurn(Some(guard))
    }
}

impl Drop for WriterTurn {
    fn drop(&mut self) {
        if self.0.is_some() {
            HOLDS_WRITER.with(|h| h.set(false));
        }
    }
}

/// Runs `f` in a transaction that writes. On SQLite the process's writers take turns
/// (`SQLITE_WRITER`) and the transaction begins with `BEGIN IMMEDIATE`, which takes the write lock
/// first, so that it waits for writers of other processes (`busy_timeout`) instead of failing with
/// SQLITE_BUSY when it reads and then writes while another connection committed. (It used to take
/// the lock with a no-op `UPDATE users`, whose foreign-key checks SQLite compiled on every call:
/// a quarter of the CPU of a progress write.)
pub fn transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConn::Sqlite(s) = conn else {
        return conn.transaction(f);
    };
    if AnsiTransactionManager::transaction_manager_status_mut(s)
        .transaction_depth()?
        .is_some()
    {
        // Nested: a savepoint inside the transaction that holds the lock already.
        return conn.transaction(f);
    }
    let _turn = WriterTurn::take();
    AnsiTransactionManager::begin_transaction_sql(s, "BEGIN IMMEDIATE")?;
    let result = f(conn);
    if let DbConn::Sqlite(s) = conn {
        match &result {
            Ok(_) => AnsiTransactionManager::commit_transaction(s)?,
            Err(_) => AnsiTransactionManager::rollback_transaction(s)?,
        }
    }
    result
}

/// Runs a write of one statement. On SQLite it takes the writers' turn like [`transaction`]: a
/// write in autocommit mode that meets another connection's write lock waits in SQLite's busy
/// handler, which sleeps 1, 2, 5, 10 ms … between tries while the CPU idles. On PostgreSQL the
/// statement runs as it is (one round trip).
pub fn write<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Pg(_) => f(conn),
        DbConn::Sqlite(_) => transaction(conn, f),
    }
}

/// The row of a `SELECT COUNT(*) AS n …`.
#[derive(diesel::QueryableByName)]
pub struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub n: i64,
}

/// A fresh random id, stored as text on both backends.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Now, in UTC, as stored in `Timestamp` columns (microsecond precision on both backends).
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::DurationRound::duration_trunc(now, chrono::TimeDelta::microseconds(1)).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_sqlite_keeps_its_query_plans() {
        // .cargo/config.toml builds SQLite with SQLITE_ENABLE_QPSG; without it every `.first()`
        // (a bound `LIMIT`) is prepared again on each call.
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct Used {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            used: i32,
        }
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        let row: Used =
            diesel::sql_query("SELECT sqlite_compileoption_used('ENABLE_QPSG') AS used")
                .get_result(&mut conn)
                .unwrap();
        assert_eq!(row.used, 1);
    }

    #[test]
    fn parses_urls_by_scheme() {
        assert_eq!(
            DbTarget::parse("sqlite://data/hocso.db").unwrap(),
            DbTarget::Sqlite(PathBuf::from("data/hocso.db"))
        );
        assert!(matches!(
            DbTarget::parse("postgres://u@localhost/db").unwrap(),
            DbTarget::Postgres(_)
        ));
        let err = DbTarget::parse("mysql://root@localhost/db").unwrap_err();
        assert!(err
            .to_string()
            .contains("unsupported database URL scheme `mysql`"));
        assert!(DbTarget::parse("data/hocso.db").is_err());
    }
}
