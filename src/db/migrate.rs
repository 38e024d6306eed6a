//! Twin embedded migration trees, run on the concrete backend connection.

use anyhow::anyhow;
use diesel::migration::MigrationVersion;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DbConn;

pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applied and pending migration versions.
pub struct Status {
    pub applied: Vec<String>,
    pub pending: Vec<String>,
}

fn versions(v: Vec<MigrationVersion<'_>>) -> Vec<String> {
    v.into_iter().map(|v| v.to_string()).collect()
}

macro_rules! on_backend {
    ($conn:expr, |$c:ident, $m:ident| $body:expr) => {
        match $conn {
            DbConn::Pg($c) => {
                let $m = POSTGRES;
                $body
            }
            DbConn::Sqlite($c) => {
                let $m = SQLITE;
                $body
            }
        }
    };
}

/// Applies every pending migration; returns the versions applied now.
///
/// On PostgreSQL it holds the advisory lock of the migrations meanwhile (waiting for it), so that
/// instances started at the same moment on one database apply each migration once: the first
/// applies them, the others then find none pending. Without it two would both find a migration
/// pending and the second would fail on what the first created.
pub fn run_pending(conn: &mut DbConn) -> anyhow::Result<Vec<String>> {
    super::advisory::alone(conn, super::advisory::Work::Migrations, |conn| {
        on_backend!(conn, |c, m| c
            .run_pending_migrations(m)
            .map(versions)
            .map_err(|e| anyhow!("migration failed: {e}")))
    })
}

pub fn status(conn: &mut DbConn) -> anyhow::Result<Status> {
    on_backend!(conn, |c, m| {
        let applied = c
            .applied_migrations()
            .map_err(|e| anyhow!("cannot read applied migrations: {e}"))?;
        let pending = c
            .pending_migrations(m)
            .map_err(|e| anyhow!("cannot read pending migrations: {e}"))?;
        let mut applied = versions(applied);
        applied.sort();
        Ok(Status {
            applied,
            pending: pending
                .iter()
                .map(|m| m.name().version().to_string())
                .collect(),
        })
    })
}

/// Reverts every applied migration (used by the up/down/up test).
pub fn revert_all(conn: &mut DbConn) -> anyhow::Result<Vec<String>> {
    on_backend!(conn, |c, m| c
        .revert_all_migrations(m)
        .map(versions)
        .map_err(|e| anyhow!("revert failed: {e}")))
}
