//! The application's state: what every worker shares (settings, pool, keys, catalogue, clock).
//! Built by `startup`, read by the HTTP layer; the domain takes what it needs as arguments.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::api::system::RouteTable;
use crate::auth::password::PasswordHasherConfig;
use crate::auth::tokens::JwtKeys;
use crate::config::{Secrets, Settings};
use crate::content::catalogue::Catalogue;
use crate::db::{self, DbPool, DbTarget};
use crate::ratelimit::RateLimits;

/// State shared by every worker.
pub struct AppState {
    pub settings: Arc<Settings>,
    pub secrets: Secrets,
    pub pool: DbPool,
    /// Where writes go: on SQLite the thread that runs the database's writes, on PostgreSQL the pool.
    pub writer: db::Writer,
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
