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
use diesel::{Connection, QueryResult, RunQueryDsl};

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
#[derive(Clone)]
pub struct ConnManager {
    target: DbTarget,
    /// SQLite: the connection that writes (see [`transaction`]), open while the pool lives.
    _writer: Option<std::sync::Arc<SqliteWriter>>,
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
            _writer: None,
        }
    }

    /// A manager for a pool: on SQLite it also opens the database's writing connection.
    pub fn for_pool(target: DbTarget) -> Result<Self, ConnError> {
        let writer = match &target {
            DbTarget::Sqlite(path) => Some(SqliteWriter::open(path)?),
            DbTarget::Postgres(_) => None,
        };
        Ok(Self {
            target,
            _writer: writer,
        })
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
    let manager = ConnManager::for_pool(target)
        .map_err(|e| anyhow::anyhow!("cannot open the database's writing connection: {e}"))?;
    build_pool(manager, pool_size, timeout)
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

/// SQLite lets one connection write at a time. Each database file that a pool serves has one
/// connection of its own for writing, which the process's writers take in turn: they wake as soon
/// as the previous one commits instead of polling the file lock (SQLite's busy handler sleeps 1, 2,
/// 5, 10 ms … between tries), and the writing connection keeps its page cache. (A connection
/// drops its whole cache when it finds that another connection wrote; with the pooled connections
/// writing in turn, every write began by reading its B-tree pages again. See PERFORMANCE.md.)
/// Other processes on the same file still meet `busy_timeout`.
pub struct SqliteWriter {
    path: PathBuf,
    /// `None` after the connection broke; the next writer opens a new one.
    conn: std::sync::Mutex<Option<DbConn>>,
}

/// The writing connection of each database file that a pool serves, by the file's name as SQLite
/// reports it. The pool's manager holds the writer; the map only finds it.
static SQLITE_WRITERS: std::sync::Mutex<
    std::collections::BTreeMap<String, std::sync::Weak<SqliteWriter>>,
> = std::sync::Mutex::new(std::collections::BTreeMap::new());

/// Writers of databases without a pool (a command's one connection) queue here instead.
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn locked<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while writing poisons nothing that matters here: a broken connection is replaced.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The file of a connection's main database, as SQLite names it.
fn sqlite_file(conn: &mut SqliteConnection) -> QueryResult<String> {
    #[derive(diesel::QueryableByName)]
    struct File {
        #[diesel(sql_type = diesel::sql_types::Text)]
        file: String,
    }
    let f: File = crate::fixed!("SELECT file FROM pragma_database_list WHERE name = 'main'")
        .get_result(conn)?;
    Ok(f.file)
}

impl SqliteWriter {
    /// Opens the writing connection of `path` and makes it findable from the pool's connections.
    fn open(path: &Path) -> Result<std::sync::Arc<SqliteWriter>, ConnError> {
        let mut conn = sqlite_connect(path)?;
        let file = sqlite_file(&mut conn)?;
        let writer = std::sync::Arc::new(SqliteWriter {
            path: path.to_path_buf(),
            conn: std::sync::Mutex::new(Some(DbConn::Sqlite(conn))),
        });
        let mut all = locked(&SQLITE_WRITERS);
        all.retain(|_, w| w.strong_count() > 0);
        all.insert(file, std::sync::Arc::downgrade(&writer));
        Ok(writer)
    }

    /// The writer of the database `conn` is connected to, when a pool serves it.
    fn of(conn: &mut SqliteConnection) -> QueryResult<Option<std::sync::Arc<SqliteWriter>>> {
        let file = sqlite_file(conn)?;
        Ok(locked(&SQLITE_WRITERS).get(&file).and_then(|w| w.upgrade()))
    }

    /// Runs `f` in a write transaction on the writing connection.
    fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        use diesel::connection::{AnsiTransactionManager, TransactionManager};
        let mut slot = locked(&self.conn);
        // A writer that panicked left its transaction open: that connection is not used again.
        if let Some(DbConn::Sqlite(c)) = slot.as_mut() {
            let depth =
                AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth();
            if c.is_broken() || !matches!(depth, Ok(None)) {
                *slot = None;
            }
        }
        let conn = match slot.as_mut() {
            Some(conn) => conn,
            None => slot.insert(DbConn::Sqlite(
                sqlite_connect(&self.path).map_err(|e| diesel_error(&e))?,
            )),
        };
        immediate(conn, f)
    }
}

/// A connection failure as a diesel error (what the callers of a write handle).
fn diesel_error(e: &ConnError) -> diesel::result::Error {
    diesel::result::Error::DatabaseError(
        diesel::result::DatabaseErrorKind::UnableToSendCommand,
        Box::new(e.to_string()),
    )
}

/// `f` in a transaction begun with `BEGIN IMMEDIATE` on an SQLite connection outside any
/// transaction.
fn immediate<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    if let DbConn::Sqlite(s) = conn {
        AnsiTransactionManager::begin_transaction_sql(s, "BEGIN IMMEDIATE")?;
    }
    let result = f(conn);
    if let DbConn::Sqlite(s) = conn {
        match &result {
            Ok(_) => AnsiTransactionManager::commit_transaction(s)?,
            Err(_) => AnsiTransactionManager::rollback_transaction(s)?,
        }
    }
    result
}

/// Runs `f` in a transaction that writes. On SQLite it runs on the database's writing connection
/// ([`SqliteWriter`]), in turn with the process's other writers, and the transaction begins with
/// `BEGIN IMMEDIATE`, which takes the write lock first, so that it waits for writers of other
/// processes (`busy_timeout`) instead of failing with SQLITE_BUSY when it reads and then writes
/// while another connection committed. (It used to take the lock with a no-op `UPDATE users`,
/// whose foreign-key checks SQLite compiled on every call: a quarter of the CPU of a progress
/// write.) `f` gets the connection it is to use: the writing one, not `conn`.
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
    if let Some(writer) = SqliteWriter::of(s)? {
        return writer.run(f);
    }
    let _turn = locked(&SQLITE_WRITER);
    immediate(conn, f)
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
        // And with the other options of .cargo/config.toml.
        for option in ["ENABLE_QPSG", "DEFAULT_MEMSTATUS=0", "THREADSAFE=2"] {
            let row: Used = diesel::sql_query(format!(
                "SELECT sqlite_compileoption_used('{option}') AS used"
            ))
            .get_result(&mut conn)
            .unwrap();
            assert_eq!(row.used, 1, "{option}");
        }
    }

    fn count(pool: &DbPool, table: &str) -> i64 {
        let mut conn = pool.get().unwrap();
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result::<Count>(&mut *conn)
            .unwrap()
            .n
    }

    fn sqlite_pool(dir: &Path, name: &str) -> DbPool {
        let url = format!("sqlite://{}", dir.join(name).display());
        let pool = connect_and_migrate(&url, 2, Duration::from_secs(5)).unwrap();
        pool.get()
            .unwrap()
            .batch_execute("CREATE TABLE t (x INTEGER)")
            .unwrap();
        pool
    }

    fn insert(conn: &mut DbConn, x: i32) -> QueryResult<usize> {
        diesel::sql_query(format!("INSERT INTO t VALUES ({x})")).execute(conn)
    }

    #[test]
    fn each_database_is_written_by_its_own_writing_connection() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (
            sqlite_pool(dir.path(), "a.db"),
            sqlite_pool(dir.path(), "b.db"),
        );
        for _ in 0..3 {
            transaction(&mut a.get().unwrap(), |c| insert(c, 1)).unwrap();
        }
        transaction(&mut b.get().unwrap(), |c| insert(c, 2)).unwrap();
        assert_eq!((count(&a, "t"), count(&b, "t")), (3, 1));
        // A connection of the pool sees what the writing connection committed, at once.
        let mut conn = a.get().unwrap();
        write(&mut conn, |c| insert(c, 3)).unwrap();
        assert_eq!(count(&a, "t WHERE x = 3"), 1);
        // A failed transaction leaves nothing.
        let failed: QueryResult<()> = transaction(&mut conn, |c| {
            insert(c, 4)?;
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(failed.is_err());
        assert_eq!(count(&a, "t WHERE x = 4"), 0);
    }

    #[test]
    fn the_wal_stays_bounded_under_a_stream_of_writes() {
        // The writing connection checkpoints after its own commits, so that the next write can
        // start the WAL over. (A checkpointing thread on a timer, tried once, let frames come in
        // between checkpoint and restart under sustained writes: 4.6 GB of WAL in a minute.)
        let dir = tempfile::tempdir().unwrap();
        let pool = sqlite_pool(dir.path(), "w.db");
        for i in 0..3000 {
            transaction(&mut pool.get().unwrap(), |c| {
                diesel::sql_query(format!("INSERT INTO t VALUES ({i}), (zeroblob(4000))"))
                    .execute(c)
            })
            .unwrap();
        }
        assert_eq!(count(&pool, "t"), 6000);
        let wal = std::fs::metadata(dir.path().join("w.db-wal"))
            .unwrap()
            .len();
        assert!(wal < 8 << 20, "WAL of {wal} bytes after 12 MB written");
    }

    #[test]
    fn a_writer_that_panicked_leaves_the_next_one_a_working_connection() {
        let dir = tempfile::tempdir().unwrap();
        let pool = sqlite_pool(dir.path(), "p.db");
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _: QueryResult<()> = transaction(&mut pool.get().unwrap(), |c| {
                insert(c, 1)?;
                panic!("a bug while writing");
            });
        }));
        assert!(panicked.is_err());
        transaction(&mut pool.get().unwrap(), |c| insert(c, 2)).unwrap();
        assert_eq!(
            count(&pool, "t WHERE x = 1"),
            0,
            "the panicked write is not kept"
        );
        assert_eq!(count(&pool, "t WHERE x = 2"), 1);
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
