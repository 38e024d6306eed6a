//! The connection manager (one URL scheme per backend, SQLite pragmas on every connection), the
//! pool, and connecting at start-up (with migrations, and the writer).

use super::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;

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

/// SQLite's `synchronous` setting (docs/ARCHITECTURE.md). `Full` syncs the WAL at every
/// commit, so an acknowledged write survives a power cut; `Normal` only at checkpoints, so a
/// power cut or an OS crash may roll the last commits back (a killed process loses nothing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SqliteSync {
    #[default]
    Full,
    Normal,
}

impl SqliteSync {
    fn pragma(self) -> &'static str {
        match self {
            SqliteSync::Full => "FULL",
            SqliteSync::Normal => "NORMAL",
        }
    }
}

/// An r2d2 manager that dispatches on the URL scheme and sets SQLite pragmas on every connection.
#[derive(Clone)]
pub struct ConnManager {
    target: DbTarget,
    sqlite_sync: SqliteSync,
}

impl std::fmt::Debug for ConnManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnManager")
            .field("target", &self.target)
            .finish()
    }
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
        Self {
            target,
            sqlite_sync: SqliteSync::default(),
        }
    }

    /// A manager whose SQLite connections sync as `sqlite_sync` says.
    pub fn with_sync(target: DbTarget, sqlite_sync: SqliteSync) -> Self {
        Self {
            target,
            sqlite_sync,
        }
    }

    pub fn target(&self) -> &DbTarget {
        &self.target
    }
}

pub(super) fn sqlite_connect(path: &Path, sync: SqliteSync) -> Result<SqliteConnection, ConnError> {
    let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
    conn.batch_execute(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {}; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
        sync.pragma()
    ))?;
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
            DbTarget::Sqlite(path) => Ok(DbConn::Sqlite(sqlite_connect(path, self.sqlite_sync)?)),
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
            // diesel does not see every lost PostgreSQL connection (a statement that fails to
            // prepare on a dead socket leaves it looking sound), so while losses are recent a
            // connection coming back is asked once: a dead one is dropped instead of failing
            // every later request (a failover would otherwise never end for the pool).
            DbConn::Pg(c) => {
                c.is_broken() || (losses_are_recent() && c.batch_execute("SELECT 1").is_err())
            }
            DbConn::Sqlite(c) => c.is_broken(),
        }
    }
}

/// When a PostgreSQL connection was last seen lost (ms since the Unix epoch; 0: never).
static LAST_LOSS_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How long after a loss connections returned to the pool are checked.
const CHECK_AFTER_LOSS: Duration = Duration::from_secs(60);

fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Whether `e` says the connection to the database was lost (an outage, a failover: 503, not a
/// bug); if so, notes it, and for a while every connection returned to a pool is checked before
/// it is reused.
pub fn lost_connection(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    // libpq reports some losses without an SQLSTATE (diesel then says `Unknown`).
    const LOSS: [&str; 5] = [
        "no connection to the server",
        "server closed the connection unexpectedly",
        "could not receive data from server",
        "could not send data to server",
        "terminating connection due to administrator command",
    ];
    let lost = match e {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => true,
        Error::DatabaseError(_, info) => LOSS.iter().any(|m| info.message().contains(m)),
        _ => false,
    };
    if lost {
        LAST_LOSS_MS.store(unix_ms(), std::sync::atomic::Ordering::Relaxed);
    }
    lost
}

fn losses_are_recent() -> bool {
    let last = LAST_LOSS_MS.load(std::sync::atomic::Ordering::Relaxed);
    last != 0 && unix_ms().saturating_sub(last) < CHECK_AFTER_LOSS.as_millis() as u64
}

/// Opens one connection directly (so that the real cause of a failure is reported), applies the
/// migrations on it, then builds the pool.
pub fn connect_and_migrate(url: &str, pool_size: u32, timeout: Duration) -> anyhow::Result<DbPool> {
    connect_and_migrate_with(url, pool_size, timeout, SqliteSync::default())
}

/// [`connect_and_migrate`] with SQLite's `synchronous` chosen (the server's `sqlite_synchronous`).
pub fn connect_and_migrate_with(
    url: &str,
    pool_size: u32,
    timeout: Duration,
    sqlite_sync: SqliteSync,
) -> anyhow::Result<DbPool> {
    let target = DbTarget::parse(url)?;
    let mut first = connect_once(url)?;
    migrate::run_pending(&mut first)?;
    drop(first);
    build_pool(
        ConnManager::with_sync(target, sqlite_sync),
        pool_size,
        timeout,
    )
}

/// [`connect_and_migrate_with`], and the [`Writer`] of the database: what the server writes with.
pub fn connect_and_serve(
    url: &str,
    pool_size: u32,
    timeout: Duration,
    sqlite_sync: SqliteSync,
) -> anyhow::Result<(DbPool, Writer)> {
    let pool = connect_and_migrate_with(url, pool_size, timeout, sqlite_sync)?;
    let writer = Writer::open(&pool, &DbTarget::parse(url)?, sqlite_sync)
        .map_err(|e| anyhow::anyhow!("cannot open the database's writing connection: {e}"))?;
    Ok((pool, writer))
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
