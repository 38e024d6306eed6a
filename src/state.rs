//! The application's state: what every worker shares (settings, pool, keys, catalogue, clock).
//! Built by `startup`, read by the HTTP layer; the domain takes what it needs as arguments.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::api::system::RouteTable;
use crate::auth::password::PasswordHasherConfig;
use crate::auth::tokens::JwtKeys;
use crate::config::{Secrets, Settings};
use crate::content::catalogue::Catalogue;
use crate::db::replicas::ReadOn;
use crate::db::{self, DbPool, DbTarget};
use crate::error::{ApiResult, Code};
use crate::ratelimit::RateLimits;

/// State shared by every worker.
pub struct AppState {
    pub settings: Arc<Settings>,
    pub secrets: Secrets,
    pub pool: DbPool,
    /// Where writes go: on SQLite the thread that runs the database's writes, on PostgreSQL the pool.
    pub writer: db::Writer,
    /// Hot standbys for the reads that may be a moment old ([`AppState::read_stale`]).
    pub replicas: db::replicas::Replicas,
    pub db_target: DbTarget,
    pub openapi_json: String,
    pub routes: RouteTable,
    pub metrics_registry: prometheus::Registry,
    pub jwt: JwtKeys,
    pub hasher: PasswordHasherConfig,
    pub limits: RateLimits,
    /// Wakes the mail worker when a mail is queued.
    pub mail_notify: Arc<Notify>,
    /// Report computations running at once: one per core. Each is a large read; more at once
    /// only share the cores and add their working memory (peak RSS), so the others wait here,
    /// without holding a blocking thread or a pooled connection.
    pub report_slots: Arc<tokio::sync::Semaphore>,
    /// The published catalogue, in memory.
    pub catalogue: Catalogue,
    /// The server's time (tests move it forward).
    pub clock: crate::clock::Clock,
    /// The Ed25519 key that signs certificates.
    pub issuer: crate::certs::IssuerKeys,
}

impl AppState {
    /// Runs a read that may be a moment old (reports, staff lists, certificate verification) on
    /// a usable replica when there is one, else on the primary (blocking: call it inside
    /// `run_blocking`). A replica that fails it for want of a connection is skipped from then on
    /// and the read runs again on the primary, so that a standby going away fails no read; a
    /// 404 or 403 from a replica is asked of the primary too (it may not have replayed the row
    /// or the role grant yet).
    pub fn read_stale<R>(&self, f: impl Fn(&mut db::DbConn) -> ApiResult<R>) -> ApiResult<R> {
        self.read_stale_on(|pool| f(&mut *pool.get()?))
    }

    /// [`AppState::read_stale`] for a use case that takes a pool to read on (it may read more
    /// than once); its writes, if any, go to the writer as always.
    pub fn read_stale_on<R>(&self, f: impl Fn(&DbPool) -> ApiResult<R>) -> ApiResult<R> {
        if let Some(chosen) = self.replicas.pick() {
            match f(chosen.replica().pool()) {
                Err(e) if e.code == Code::ServiceUnavailable => chosen.failed(),
                // What the replica has not seen yet (a certificate issued a moment ago, a
                // locality just made, a role just granted) is looked up on the primary.
                Err(e)
                    if e.status == actix_web::http::StatusCode::NOT_FOUND
                        || e.status == actix_web::http::StatusCode::FORBIDDEN => {}
                other => {
                    self.replicas.count(ReadOn::Replica);
                    return other;
                }
            }
        }
        self.replicas.count(ReadOn::Primary);
        f(&self.pool)
    }

    /// What completing a course needs from the application (`learning::complete`).
    pub fn completion(&self) -> crate::learning::Completion<'_> {
        crate::learning::Completion {
            issuer: crate::learning::Issuer {
                keys: &self.issuer,
                public_url: &self.settings.public_url,
            },
            clock: &self.clock,
            mail: &self.mail_notify,
        }
    }
}
