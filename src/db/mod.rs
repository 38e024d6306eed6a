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
            sqlite_sync: SqliteSync::default(),
            _writer: None,
        }
    }

    /// A manager for a pool: on SQLite it also opens the database's writing connection.
    pub fn for_pool(target: DbTarget, sqlite_sync: SqliteSync) -> Result<Self, ConnError> {
        let writer = match &target {
            DbTarget::Sqlite(path) => Some(SqliteWriter::open(path, sqlite_sync)?),
            DbTarget::Postgres(_) => None,
        };
        Ok(Self {
            target,
            sqlite_sync,
            _writer: writer,
        })
    }

    pub fn target(&self) -> &DbTarget {
        &self.target
    }
}

fn sqlite_connect(path: &Path, sync: SqliteSync) -> Result<SqliteConnection, ConnError> {
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
            DbConn::Pg(c) => c.is_broken(),
            DbConn::Sqlite(c) => c.is_broken(),
        }
    }
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
    let manager = ConnManager::for_pool(target, sqlite_sync)
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
/// connection of its own for writing, owned by a thread of its own that runs the process's writes
/// one after another. Requests queue their writes for it and wait; it takes every write that is
/// queued (up to [`MAX_BATCH`]), runs each in a savepoint of one transaction and commits them
/// together (group commit), then answers each. So the writing connection is never idle while a
/// write waits (writers taking a lock in turn left it idle while the next one was scheduled:
/// with 64 clients on 2 cores, most of a write's time), one commit stores the pages that several
/// writes share once, and the connection keeps its page cache (a connection drops its whole cache
/// when it finds that another connection wrote). A write that fails rolls back to its savepoint
/// and leaves the others of its batch; a request has its answer only once its write is committed.
/// Other processes on the same file still meet `busy_timeout`. See PERFORMANCE.md.
pub struct SqliteWriter {
    queue: Option<std::sync::mpsc::Sender<WriteRequest>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// At most this many writes share a commit.
pub const MAX_BATCH: usize = 32;

/// A write for the writer thread: true when it succeeded (its savepoint is kept).
type Job<'a> = dyn FnMut(&mut DbConn) -> bool + Send + 'a;

struct WriteRequest {
    job: JobRef,
    reply: Reply,
}

/// A queued write: borrowed from a thread that waits for it ([`SqliteWriter::run`]), or owned
/// ([`SqliteWriter::run_queued`]).
enum JobRef {
    Borrowed(&'static mut Job<'static>),
    Owned(Box<Job<'static>>),
}

/// Where a write's outcome goes: to a thread that waits, or to a task that awaits it.
enum Reply {
    Wait(std::sync::mpsc::SyncSender<Outcome>),
    Wake(tokio::sync::oneshot::Sender<Outcome>),
}

impl WriteRequest {
    fn run(&mut self, conn: &mut DbConn) -> bool {
        match &mut self.job {
            JobRef::Borrowed(job) => job(conn),
            JobRef::Owned(job) => job(conn),
        }
    }

    fn answer(self, outcome: Outcome) {
        // A caller that stopped waiting (a client gone) is not told.
        match self.reply {
            Reply::Wait(reply) => drop(reply.send(outcome)),
            Reply::Wake(reply) => drop(reply.send(outcome)),
        }
    }
}

/// What became of a queued write.
enum Outcome {
    /// It ran, and its batch was committed (its own result says whether it kept anything).
    Done,
    /// It panicked; its savepoint was rolled back.
    Panicked(Box<dyn std::any::Any + Send>),
    /// Its batch could not be begun or committed: nothing of it was kept.
    Failed(String),
}

/// The writing connection of each database file that a pool serves, by the file's name as SQLite
/// reports it. The pool's manager holds the writer; the map only finds it.
static SQLITE_WRITERS: std::sync::Mutex<
    std::collections::BTreeMap<String, std::sync::Weak<SqliteWriter>>,
> = std::sync::Mutex::new(std::collections::BTreeMap::new());

/// Writers of databases without a pool (a command's one connection) queue here instead.
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn locked<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while writing poisons nothing that matters here.
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
    /// Opens the writing connection of `path`, starts its thread and makes it findable from the
    /// pool's connections.
    fn open(path: &Path, sync: SqliteSync) -> Result<std::sync::Arc<SqliteWriter>, ConnError> {
        let mut conn = sqlite_connect(path, sync)?;
        let file = sqlite_file(&mut conn)?;
        let (queue, requests) = std::sync::mpsc::channel();
        let owned = path.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || serve_writes(&owned, sync, DbConn::Sqlite(conn), &requests))
            .map_err(|e| {
                ConnError::Query(diesel_error_text(format!(
                    "cannot start the writer thread: {e}"
                )))
            })?;
        let writer = std::sync::Arc::new(SqliteWriter {
            queue: Some(queue),
            thread: Some(thread),
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

    /// Runs `f` in a write transaction on the writer thread and waits until it is committed (or
    /// rolled back). A panic in `f` continues here.
    fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send,
        T: Send,
        E: From<diesel::result::Error> + Send,
    {
        if self.thread.as_ref().map(|t| t.thread().id()) == Some(std::thread::current().id()) {
            // A write on another connection from inside a write would wait for itself.
            return Err(diesel_error_text(
                "a write was queued from the SQLite writer thread itself".into(),
            )
            .into());
        }
        let mut out = None;
        let outcome = {
            let mut job = job_of(f, |result| out = Some(result));
            let job: &mut Job<'_> = &mut job;
            // SAFETY: the writer thread uses `job` (which borrows `f` and `out` on this stack)
            // only between receiving the request and sending its reply or dropping the request,
            // and this block is not left before one of those: `done.recv()` blocks until the
            // reply comes or the request's reply sender is dropped. Only the lifetime is changed.
            let job =
                unsafe { std::mem::transmute::<&mut Job<'_>, &'static mut Job<'static>>(job) };
            let (reply, done) = std::sync::mpsc::sync_channel(1);
            self.send(JobRef::Borrowed(job), Reply::Wait(reply))?;
            done.recv().ok()
        };
        if let Some(Outcome::Panicked(payload)) = outcome {
            std::panic::resume_unwind(payload)
        }
        result_of(outcome, out)
    }

    fn send(&self, job: JobRef, reply: Reply) -> QueryResult<()> {
        let queue = self
            .queue
            .as_ref()
            .expect("the queue lives as long as the writer");
        queue
            .send(WriteRequest { job, reply })
            .map_err(|_| writer_stopped())
    }

    /// The writer of the SQLite database a pool serves (`None` for PostgreSQL).
    pub fn of_pool(pool: &DbPool) -> anyhow::Result<Option<std::sync::Arc<SqliteWriter>>> {
        let mut conn = pool.get()?;
        Ok(match &mut *conn {
            DbConn::Sqlite(s) => SqliteWriter::of(s)?,
            DbConn::Pg(_) => None,
        })
    }

    /// Queues `f`, which owns what it needs, for the writer thread and awaits its outcome (once
    /// committed, or rolled back), without a thread of the caller's waiting: a request that
    /// writes runs all its queries here, one hop from the async runtime and one back. A panic in
    /// `f` becomes an error (a 500, logged with its message).
    pub async fn run_queued<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<diesel::result::Error> + Send + 'static,
    {
        let slot = std::sync::Arc::new(std::sync::Mutex::new(None));
        let out = slot.clone();
        let job = Box::new(job_of(f, move |result| *locked(&out) = Some(result)));
        let (reply, done) = tokio::sync::oneshot::channel();
        self.send(JobRef::Owned(job), Reply::Wake(reply))?;
        let outcome = done.await.ok();
        let out = locked(&slot).take();
        result_of(outcome, out)
    }
}

/// `f` as a job for the writer thread: its result goes to `keep`; true when it is `Ok`.
fn job_of<T, E, F>(f: F, mut keep: impl FnMut(Result<T, E>)) -> impl FnMut(&mut DbConn) -> bool
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
{
    let mut f = Some(f);
    move |conn| match f.take() {
        Some(f) => {
            let result = f(conn);
            let ok = result.is_ok();
            keep(result);
            ok
        }
        None => false,
    }
}

/// What a write's caller gets: its own result once its batch is committed, else why not.
fn result_of<T, E>(outcome: Option<Outcome>, out: Option<Result<T, E>>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    match outcome {
        Some(Outcome::Done) => {
            out.unwrap_or_else(|| Err(diesel_error_text("the write did not run".into()).into()))
        }
        Some(Outcome::Panicked(payload)) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(diesel_error_text(format!("a write panicked: {what}")).into())
        }
        Some(Outcome::Failed(e)) => Err(diesel_error_text(e).into()),
        None => Err(writer_stopped().into()),
    }
}

fn writer_stopped() -> diesel::result::Error {
    diesel_error_text("the SQLite writer thread has stopped".into())
}

impl Drop for SqliteWriter {
    fn drop(&mut self) {
        // The thread ends once its queue is closed and empty; it closes the connection.
        drop(self.queue.take());
        if let Some(t) = self.thread.take() {
            if t.thread().id() != std::thread::current().id() {
                let _ = t.join();
            }
        }
    }
}

/// The writer thread: runs queued writes in batches until the queue closes.
fn serve_writes(
    path: &Path,
    sync: SqliteSync,
    conn: DbConn,
    requests: &std::sync::mpsc::Receiver<WriteRequest>,
) {
    let mut conn = Some(conn);
    while let Ok(first) = requests.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match requests.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        let outcomes = match conn.as_mut() {
            Some(c) => run_batch(c, &mut batch),
            // Opening creates a missing file: a database removed under the server is not
            // replaced by an empty one.
            None if !path.exists() => {
                all_failed(batch.len(), &ConnError::SqliteFileGone(path.to_path_buf()))
            }
            None => match sqlite_connect(path, sync) {
                Ok(c) => run_batch(conn.insert(DbConn::Sqlite(c)), &mut batch),
                Err(e) => all_failed(batch.len(), &e),
            },
        };
        // A connection left broken or inside a transaction is not used again.
        if let Some(DbConn::Sqlite(c)) = conn.as_mut() {
            use diesel::connection::{AnsiTransactionManager, TransactionManager};
            let depth =
                AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth();
            if c.is_broken() || !matches!(depth, Ok(None)) {
                conn = None;
            }
        }
        for (request, outcome) in batch.into_iter().zip(outcomes) {
            request.answer(outcome);
        }
    }
}

/// The outcomes of a batch of `n` writes none of which was kept.
fn all_failed(n: usize, e: &dyn std::fmt::Display) -> Vec<Outcome> {
    let e = e.to_string();
    (0..n).map(|_| Outcome::Failed(e.clone())).collect()
}

/// One transaction for the writes of `batch`, each in a savepoint of its own.
fn run_batch(conn: &mut DbConn, batch: &mut [WriteRequest]) -> Vec<Outcome> {
    use diesel::connection::{AnsiTransactionManager as Tm, TransactionManager};
    fn sqlite(conn: &mut DbConn) -> QueryResult<&mut SqliteConnection> {
        match conn {
            DbConn::Sqlite(s) => Ok(s),
            DbConn::Pg(_) => Err(diesel_error_text(
                "the writing connection is not SQLite".into(),
            )),
        }
    }
    let n = batch.len();
    let failed = |e: diesel::result::Error| all_failed(n, &e);
    if let Err(e) = sqlite(conn).and_then(|s| Tm::begin_transaction_sql(s, "BEGIN IMMEDIATE")) {
        return failed(e);
    }
    let mut outcomes = Vec::with_capacity(batch.len());
    for request in batch.iter_mut() {
        let kept = sqlite(conn).and_then(Tm::begin_transaction).and_then(|()| {
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| request.run(conn)));
            let s = sqlite(conn)?;
            match ran {
                Ok(true) => Tm::commit_transaction(s).map(|()| Outcome::Done),
                Ok(false) => Tm::rollback_transaction(s).map(|()| Outcome::Done),
                Err(payload) => {
                    // Back to this write's savepoint, however deep the panic left it.
                    while Tm::transaction_manager_status_mut(s).transaction_depth()?
                        > std::num::NonZeroU32::new(1)
                    {
                        Tm::rollback_transaction(s)?;
                    }
                    Ok(Outcome::Panicked(payload))
                }
            }
        });
        match kept {
            Ok(o) => outcomes.push(o),
            Err(e) => {
                // A savepoint could not be released or rolled back: the batch is given up (and
                // the connection, which the writer thread then finds inside a transaction).
                if let Ok(s) = sqlite(conn) {
                    let _ = s.batch_execute("ROLLBACK");
                }
                return failed(e);
            }
        }
    }
    match sqlite(conn).and_then(Tm::commit_transaction) {
        Ok(()) => outcomes,
        Err(e) => {
            if let Ok(s) = sqlite(conn) {
                let _ = Tm::rollback_transaction(s);
            }
            // A panic stays a panic; the others learn that nothing was kept.
            let e = e.to_string();
            outcomes
                .into_iter()
                .map(|o| match o {
                    Outcome::Panicked(p) => Outcome::Panicked(p),
                    _ => Outcome::Failed(e.clone()),
                })
                .collect()
        }
    }
}

fn diesel_error_text(e: String) -> diesel::result::Error {
    diesel::result::Error::DatabaseError(
        diesel::result::DatabaseErrorKind::UnableToSendCommand,
        Box::new(e),
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

/// Runs `f` in a transaction that writes. On SQLite it runs on the database's writer thread
/// ([`SqliteWriter`]), in a savepoint of a transaction shared with the writes queued beside it, and
/// returns once that transaction is committed. The transaction begins with `BEGIN IMMEDIATE`,
/// which takes the write lock first, so that it waits for writers of other processes
/// (`busy_timeout`) instead of failing with SQLITE_BUSY when it reads and then writes while
/// another connection committed. (It used to take the lock with a no-op `UPDATE users`,
/// whose foreign-key checks SQLite compiled on every call: a quarter of the CPU of a progress
/// write.) `f` gets the connection it is to use: the writing one, not `conn`.
pub fn transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E> + Send,
    T: Send,
    E: From<diesel::result::Error> + Send,
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
    F: FnOnce(&mut DbConn) -> Result<T, E> + Send,
    T: Send,
    E: From<diesel::result::Error> + Send,
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
        let pool = connect_and_migrate(&url, 8, Duration::from_secs(5)).unwrap();
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
    fn writes_committed_together_keep_apart_what_each_did() {
        // While the writer thread is busy, writes queue up and are committed as one batch: one
        // that fails or panics is rolled back to its savepoint and leaves the others.
        let dir = tempfile::tempdir().unwrap();
        let pool = sqlite_pool(dir.path(), "g.db");
        std::thread::scope(|scope| {
            let busy = scope.spawn(|| {
                transaction(&mut pool.get().unwrap(), |c| {
                    std::thread::sleep(Duration::from_millis(300));
                    insert(c, 0)
                })
            });
            std::thread::sleep(Duration::from_millis(50));
            let writers: Vec<_> = (1..=6)
                .map(|x| {
                    let pool = &pool;
                    scope.spawn(move || {
                        transaction(&mut pool.get().unwrap(), |c| {
                            insert(c, x)?;
                            match x {
                                4 | 5 => Err(diesel::result::Error::RollbackTransaction),
                                6 => panic!("a bug while writing"),
                                _ => Ok(x),
                            }
                        })
                    })
                })
                .collect();
            assert_eq!(busy.join().unwrap().unwrap(), 1);
            let results: Vec<_> = writers.into_iter().map(|w| w.join()).collect();
            for (x, r) in (1..=6).zip(&results) {
                match x {
                    1..=3 => assert_eq!(*r.as_ref().unwrap().as_ref().unwrap(), x),
                    4 | 5 => assert!(r.as_ref().unwrap().is_err()),
                    _ => assert!(r.is_err(), "the panic reaches the writer's caller"),
                }
            }
        });
        assert_eq!(count(&pool, "t WHERE x IN (0, 1, 2, 3)"), 4);
        assert_eq!(count(&pool, "t WHERE x IN (4, 5, 6)"), 0);
        // The connection goes on writing.
        transaction(&mut pool.get().unwrap(), |c| insert(c, 7)).unwrap();
        assert_eq!(count(&pool, "t"), 5);
    }

    #[test]
    fn a_queued_request_that_panics_gets_an_error_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let pool = sqlite_pool(dir.path(), "q.db");
        let writer = SqliteWriter::of_pool(&pool)
            .unwrap()
            .expect("an SQLite pool has a writer");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let panicked: QueryResult<usize> = rt.block_on(writer.run_queued(|c| {
            insert(c, 1)?;
            panic!("a bug while writing")
        }));
        assert!(panicked
            .unwrap_err()
            .to_string()
            .contains("a bug while writing"));
        let failed: QueryResult<usize> = rt.block_on(writer.run_queued(|c| {
            insert(c, 2)?;
            Err(diesel::result::Error::NotFound)
        }));
        assert!(matches!(failed, Err(diesel::result::Error::NotFound)));
        // A write on another connection from inside a write fails instead of waiting for itself.
        let nested = {
            let pool = pool.clone();
            rt.block_on(
                writer.run_queued(move |_| transaction(&mut pool.get().unwrap(), |c| insert(c, 4))),
            )
        };
        assert!(nested
            .unwrap_err()
            .to_string()
            .contains("writer thread itself"));
        assert_eq!(rt.block_on(writer.run_queued(|c| insert(c, 3))).unwrap(), 1);
        assert_eq!(count(&pool, "t"), 1, "only the write that succeeded stays");
        assert_eq!(count(&pool, "t WHERE x = 3"), 1);
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
