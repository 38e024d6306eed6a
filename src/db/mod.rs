//! Database access: one connection type over SQLite and PostgreSQL, the pool, migrations.
//!
//! The backend is chosen by the URL scheme and nothing else: a mistyped URL is refused, never
//! turned into a new SQLite file. Backend-specific SQL (upserts, row locking) lives in this
//! module tree only, as a `match` on [`DbConn`].

pub mod access_records;
pub mod advisory;
pub mod backup;
pub mod community;
pub mod consents;
pub mod courses;
mod enums;
pub mod erasure;
pub mod exports;
pub mod learning;
pub mod limits;
pub mod mail;
pub mod migrate;
mod pool;
pub mod prepared;
pub mod privacy_choices;
pub mod quiz;
pub mod replicas;
pub mod retention;
pub mod schema;
pub mod seed;
pub mod users;
mod writer;

pub use pool::*;
pub use writer::*;

use diesel::pg::PgConnection;
use diesel::r2d2;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = r2d2::Pool<ConnManager>;
pub type PooledConn = r2d2::PooledConnection<ConnManager>;

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
    use diesel::connection::SimpleConnection;
    use diesel::QueryResult;
    use diesel::RunQueryDsl;
    use std::path::{Path, PathBuf};
    use std::time::Duration;

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
