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
use diesel::{Connection, QueryResult};

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

/// The way to the connection that writes, held by the application state (cloned, it is the same
/// way). A job sent here is owned (`'static`): it gets the connection to write on and its answer
/// comes back once what it wrote is committed.
///
/// On SQLite, which lets one connection write at a time, the database file that the server
/// serves has one connection of its own for writing, owned by a thread of its own that runs the
/// jobs one after another ([`SqliteWriter`]). It takes every job that is queued (up to
/// [`MAX_BATCH`]), runs each in a savepoint of one transaction and commits them together (group
/// commit), then answers each. So the writing connection is never idle while a write waits
/// (writers taking a lock in turn left it idle while the next one was scheduled: with 64 clients
/// on 2 cores, most of a write's time), one commit stores the pages that several writes share
/// once, and the connection keeps its page cache (a connection drops its whole cache when it finds
/// that another connection wrote). A job that fails or panics rolls back to its savepoint and
/// leaves the others of its batch; a caller has its answer only once its write is committed.
/// Other processes on the same file still meet `busy_timeout`. See PERFORMANCE.md.
///
/// On PostgreSQL, where writers take row locks and need no turn, a job runs on a pooled
/// connection.
#[derive(Clone)]
pub enum Writer {
    Sqlite(SqliteWriter),
    Postgres(DbPool),
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Writer::Sqlite(_) => "Writer::Sqlite",
            Writer::Postgres(_) => "Writer::Postgres",
        })
    }
}

impl Writer {
    /// The writer of the database `pool` serves: on SQLite it opens the writing connection and
    /// starts its thread, on PostgreSQL it writes on the pool's connections.
    pub fn open(pool: &DbPool, target: &DbTarget, sync: SqliteSync) -> Result<Writer, ConnError> {
        Ok(match target {
            DbTarget::Sqlite(path) => Writer::Sqlite(SqliteWriter::open(path, sync)?),
            DbTarget::Postgres(_) => Writer::Postgres(pool.clone()),
        })
    }

    /// Runs `f` in a write transaction and waits until it is committed (or rolled back): for
    /// callers that may block (a blocking-pool thread, a command). On SQLite `f` runs on the writer
    /// thread in a savepoint of the batch it commits next, and a panic in `f` continues here; a
    /// job that itself queues a job fails at once instead of waiting for itself. On PostgreSQL
    /// it is [`transaction`] on a pooled connection.
    pub fn transaction<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<diesel::result::Error> + Send + 'static,
    {
        match self {
            Writer::Sqlite(w) => w.run_blocking(f),
            Writer::Postgres(pool) => transaction(&mut *pooled(pool)?, f),
        }
    }

    /// Runs `f` on the connection that writes and awaits its outcome, without a thread of the
    /// caller's waiting: a request that writes sends all its database work here, reads included,
    /// one hop from the async runtime and one back. On SQLite `f` runs on the writer thread in a
    /// savepoint of the batch it commits next (so all of it, or nothing, is kept); a panic in `f`
    /// becomes an error. On PostgreSQL `f` runs on a pooled connection on the blocking pool,
    /// outside any transaction: one statement needs none, and `f` opens one ([`transaction`])
    /// where it needs more.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<diesel::result::Error> + Send + 'static,
    {
        match self {
            Writer::Sqlite(w) => w.run(f).await,
            Writer::Postgres(pool) => {
                let pool = pool.clone();
                tokio::task::spawn_blocking(move || f(&mut *pooled(&pool)?))
                    .await
                    .unwrap_or_else(|e| match e.try_into_panic() {
                        Ok(payload) => Err(panicked(&payload).into()),
                        Err(e) => {
                            Err(diesel_error_text(format!("a write was cancelled: {e}")).into())
                        }
                    })
            }
        }
    }
}

/// A connection of `pool`; a pool that gives none within its timeout is unreachable (503).
fn pooled(pool: &DbPool) -> QueryResult<PooledConn> {
    pool.get().map_err(|e| {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ClosedConnection,
            Box::new(format!("database pool: {e}")),
        )
    })
}

/// The writer thread of an SQLite database file and its queue (see [`Writer`]). Cloned, it is
/// the same thread; the thread ends, and closes its connection, once the last clone is dropped
/// and the jobs queued before have been answered.
#[derive(Clone)]
pub struct SqliteWriter(std::sync::Arc<WriterThread>);

struct WriterThread {
    queue: Option<std::sync::mpsc::Sender<WriteRequest>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// At most this many writes share a commit.
pub const MAX_BATCH: usize = 32;

/// A write for the writer thread: true when it succeeded (its savepoint is kept).
type Job = Box<dyn FnOnce(&mut DbConn) -> bool + Send>;

struct WriteRequest {
    job: Option<Job>,
    reply: Reply,
}

/// Where a write's outcome goes: to a thread that waits, or to a task that awaits it.
enum Reply {
    Wait(std::sync::mpsc::SyncSender<Outcome>),
    Wake(tokio::sync::oneshot::Sender<Outcome>),
}

impl WriteRequest {
    fn run(&mut self, conn: &mut DbConn) -> bool {
        self.job.take().is_some_and(|job| job(conn))
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

fn locked<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while writing poisons nothing that matters here.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Where the writer thread leaves a job's own result until its batch is committed.
type Slot<T, E> = std::sync::Arc<std::sync::Mutex<Option<Result<T, E>>>>;

impl SqliteWriter {
    /// Opens the writing connection of `path` and starts its thread.
    fn open(path: &Path, sync: SqliteSync) -> Result<SqliteWriter, ConnError> {
        let conn = sqlite_connect(path, sync)?;
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
        Ok(SqliteWriter(std::sync::Arc::new(WriterThread {
            queue: Some(queue),
            thread: Some(thread),
        })))
    }

    /// Queues `f` with `reply`; returns where its own result will be.
    fn send<T, E, F>(&self, f: F, reply: Reply) -> QueryResult<Slot<T, E>>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
    {
        let slot: Slot<T, E> = std::sync::Arc::new(std::sync::Mutex::new(None));
        let out = slot.clone();
        let job: Job = Box::new(move |conn| {
            let result = f(conn);
            let ok = result.is_ok();
            *locked(&out) = Some(result);
            ok
        });
        let queue = self
            .0
            .queue
            .as_ref()
            .expect("the queue lives as long as the writer");
        queue
            .send(WriteRequest {
                job: Some(job),
                reply,
            })
            .map_err(|_| writer_stopped())?;
        Ok(slot)
    }

    /// [`Writer::transaction`] on SQLite.
    fn run_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<diesel::result::Error> + Send + 'static,
    {
        if self.0.thread.as_ref().map(|t| t.thread().id()) == Some(std::thread::current().id()) {
            // A job that queues a job would wait for itself.
            return Err(diesel_error_text(
                "a write was queued from the SQLite writer thread itself".into(),
            )
            .into());
        }
        let (reply, done) = std::sync::mpsc::sync_channel(1);
        let slot = self.send(f, Reply::Wait(reply))?;
        let outcome = done.recv().ok();
        if let Some(Outcome::Panicked(payload)) = outcome {
            std::panic::resume_unwind(payload)
        }
        result_of(outcome, &slot)
    }

    /// [`Writer::run`] on SQLite.
    async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<diesel::result::Error> + Send + 'static,
    {
        let (reply, done) = tokio::sync::oneshot::channel();
        let slot = self.send(f, Reply::Wake(reply))?;
        let outcome = done.await.ok();
        result_of(outcome, &slot)
    }
}

/// What a write's caller gets: its own result once its batch is committed, else why not.
fn result_of<T, E>(outcome: Option<Outcome>, slot: &Slot<T, E>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    match outcome {
        Some(Outcome::Done) => locked(slot)
            .take()
            .unwrap_or_else(|| Err(diesel_error_text("the write did not run".into()).into())),
        Some(Outcome::Panicked(payload)) => Err(panicked(&payload).into()),
        Some(Outcome::Failed(e)) => Err(diesel_error_text(e).into()),
        None => Err(writer_stopped().into()),
    }
}

fn panicked(payload: &Box<dyn std::any::Any + Send>) -> diesel::result::Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    diesel_error_text(format!("a write panicked: {what}"))
}

fn writer_stopped() -> diesel::result::Error {
    diesel_error_text("the SQLite writer thread has stopped".into())
}

impl Drop for WriterThread {
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

/// Runs `f` in a transaction on `conn`. Inside a transaction already (a job on the writer thread
/// runs in one), it is a savepoint. On SQLite a transaction of its own begins with `BEGIN
/// IMMEDIATE`, which takes the write lock first, so that it waits for other writers
/// (`busy_timeout`) instead of failing with SQLITE_BUSY when it reads and then writes while
/// another connection committed. (It used to take the lock with a no-op `UPDATE users`, whose
/// foreign-key checks SQLite compiled on every call: a quarter of the CPU of a progress write.)
///
/// The server does not call it on its pooled SQLite connections: it sends its writes to the
/// [`Writer`], whose connection `f` then gets. A command writes on its own connection.
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
        return conn.transaction(f);
    }
    immediate(conn, f)
}

/// Runs a write of one statement on `conn`. On SQLite it is a [`transaction`]: a write in
/// autocommit mode that meets another connection's write lock waits in SQLite's busy handler,
/// which sleeps 1, 2, 5, 10 ms … between tries while the CPU idles (on the writer's connection it
/// is a savepoint of the job's). On PostgreSQL the statement runs as it is (one round trip).
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
    use diesel::RunQueryDsl;

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

    fn sqlite_pool(dir: &Path, name: &str) -> (DbPool, Writer) {
        let url = format!("sqlite://{}", dir.join(name).display());
        let (pool, writer) =
            connect_and_serve(&url, 8, Duration::from_secs(5), SqliteSync::default()).unwrap();
        pool.get()
            .unwrap()
            .batch_execute("CREATE TABLE t (x INTEGER)")
            .unwrap();
        (pool, writer)
    }

    fn insert(conn: &mut DbConn, x: i32) -> QueryResult<usize> {
        diesel::sql_query(format!("INSERT INTO t VALUES ({x})")).execute(conn)
    }

    #[test]
    fn each_database_is_written_by_its_own_writing_connection() {
        let dir = tempfile::tempdir().unwrap();
        let ((a, wa), (b, wb)) = (
            sqlite_pool(dir.path(), "a.db"),
            sqlite_pool(dir.path(), "b.db"),
        );
        assert!(matches!(wa, Writer::Sqlite(_)));
        for _ in 0..3 {
            wa.transaction(|c| insert(c, 1)).unwrap();
        }
        wb.transaction(|c| insert(c, 2)).unwrap();
        assert_eq!((count(&a, "t"), count(&b, "t")), (3, 1));
        // A connection of the pool sees what the writing connection committed, at once.
        wa.clone()
            .transaction(|c| write(c, |c| insert(c, 3)))
            .unwrap();
        assert_eq!(count(&a, "t WHERE x = 3"), 1);
        // A failed transaction leaves nothing.
        let failed: QueryResult<()> = wa.transaction(|c| {
            insert(c, 4)?;
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(failed.is_err());
        assert_eq!(count(&a, "t WHERE x = 4"), 0);
    }

    #[test]
    fn a_transaction_runs_on_the_connection_it_is_given() {
        // A command's own connection (no writer): the transaction is on it, not on another one
        // (a temporary table exists on its connection alone).
        let dir = tempfile::tempdir().unwrap();
        let (pool, _writer) = sqlite_pool(dir.path(), "c.db");
        drop(pool);
        let url = format!("sqlite://{}", dir.path().join("c.db").display());
        let mut conn = connect_once(&url).unwrap();
        conn.batch_execute("CREATE TEMP TABLE mine (x INTEGER)")
            .unwrap();
        transaction(&mut conn, |c| {
            diesel::sql_query("INSERT INTO mine VALUES (1)").execute(c)?;
            // Nested: a savepoint on the same connection.
            transaction(c, |c| insert(c, 1))
        })
        .unwrap();
        let failed: QueryResult<()> = transaction(&mut conn, |c| {
            insert(c, 2)?;
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(failed.is_err());
        let n = |conn: &mut DbConn, sql: &str| {
            diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
        };
        assert_eq!(n(&mut conn, "SELECT COUNT(*) AS n FROM mine"), 1);
        assert_eq!(n(&mut conn, "SELECT COUNT(*) AS n FROM t WHERE x = 1"), 1);
        assert_eq!(n(&mut conn, "SELECT COUNT(*) AS n FROM t WHERE x = 2"), 0);
    }

    #[test]
    fn the_wal_stays_bounded_under_a_stream_of_writes() {
        // The writing connection checkpoints after its own commits, so that the next write can
        // start the WAL over. (A checkpointing thread on a timer, tried once, let frames come in
        // between checkpoint and restart under sustained writes: 4.6 GB of WAL in a minute.)
        let dir = tempfile::tempdir().unwrap();
        let (pool, writer) = sqlite_pool(dir.path(), "w.db");
        for i in 0..3000 {
            writer
                .transaction(move |c| {
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
        let (pool, writer) = sqlite_pool(dir.path(), "p.db");
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _: QueryResult<()> = writer.transaction(|c| {
                insert(c, 1)?;
                panic!("a bug while writing");
            });
        }));
        assert!(panicked.is_err());
        writer.transaction(|c| insert(c, 2)).unwrap();
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
        let (pool, writer) = sqlite_pool(dir.path(), "g.db");
        std::thread::scope(|scope| {
            let busy = scope.spawn(|| {
                writer.transaction(|c| {
                    std::thread::sleep(Duration::from_millis(300));
                    insert(c, 0)
                })
            });
            std::thread::sleep(Duration::from_millis(50));
            let writers: Vec<_> = (1..=6)
                .map(|x| {
                    let writer = &writer;
                    scope.spawn(move || {
                        writer.transaction(move |c| {
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
        writer.transaction(|c| insert(c, 7)).unwrap();
        assert_eq!(count(&pool, "t"), 5);
    }

    #[test]
    fn a_queued_request_that_panics_gets_an_error_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let (pool, writer) = sqlite_pool(dir.path(), "q.db");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let panicked: QueryResult<usize> = rt.block_on(writer.run(|c| {
            insert(c, 1)?;
            panic!("a bug while writing")
        }));
        assert!(panicked
            .unwrap_err()
            .to_string()
            .contains("a bug while writing"));
        let failed: QueryResult<usize> = rt.block_on(writer.run(|c| {
            insert(c, 2)?;
            Err(diesel::result::Error::NotFound)
        }));
        assert!(matches!(failed, Err(diesel::result::Error::NotFound)));
        // A job that queues a job fails instead of waiting for itself.
        let nested = {
            let again = writer.clone();
            rt.block_on(writer.run(move |_| again.transaction(|c| insert(c, 4))))
        };
        assert!(nested
            .unwrap_err()
            .to_string()
            .contains("writer thread itself"));
        assert_eq!(rt.block_on(writer.run(|c| insert(c, 3))).unwrap(), 1);
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
