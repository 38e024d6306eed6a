//! The one way to write: [`Writer`], and on SQLite the thread that owns the writing connection
//! and commits its jobs in groups ([`SqliteWriter`]).

use super::*;
use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;
use diesel::QueryResult;

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
