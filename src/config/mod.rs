//! Settings: defaults, then an optional `hocso.toml`, then `HOCSO_*` environment variables.
//!
//! Every key is flat so that the file key `bind` and the variable `HOCSO_BIND` name the same
//! setting. docs/CONFIGURATION.md lists them all; a test keeps the two in step.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

mod secrets;
#[cfg(test)]
mod tests;

pub use secrets::*;

/// The effective configuration of one server process.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// `sqlite://PATH` or `postgres://...`; empty means `sqlite://{data_dir}/hocso.db`.
    pub database_url: String,
    /// Comma-separated `postgres://` URLs of hot standbys for the reads that may be a moment old
    /// (reports, staff lists, certificate verification, the catalogue's refresh check); empty:
    /// every read goes to the primary (src/db/replicas.rs, docs/SCALING.md).
    pub database_replica_urls: String,
    /// A replica whose lag passes this is skipped until it catches up.
    pub database_replica_max_lag_ms: u64,
    /// How often the replicas' health and lag are checked.
    pub database_replica_check_ms: u64,
    pub bind: String,
    pub data_dir: PathBuf,
    pub public_url: String,
    /// `pretty` (default) or `json`.
    pub log_format: String,
    /// A `tracing` filter such as `info` or `hocso=debug,info`.
    pub log_level: String,
    /// Number of HTTP worker threads; 0 means one per core.
    pub workers: usize,
    pub db_pool_size: u32,
    /// How long a request waits for a database connection before it answers 503.
    pub db_timeout_ms: u64,
    pub max_body_bytes: usize,
    /// SQLite's `synchronous` on the server's connections: `full` (default: a commit is on disk
    /// before it is acknowledged, power cuts included) or `normal` (WAL: survives a crash of the
    /// process, may lose the last commits on a power cut or an OS crash).
    pub sqlite_synchronous: String,
    /// Comma-separated list of allowed CORS origins; empty means none.
    pub cors_origins: String,
    /// Comma-separated list of proxy IP addresses whose `X-Forwarded-For` is trusted.
    pub trusted_proxies: String,
    #[serde(skip_serializing)]
    pub jwt_secret: Option<SecretString>,
    /// The Ed25519 seed (64 hex digits) that signs certificates; generated into the data
    /// directory when not given. Instances behind one balancer must share it (and `jwt_secret`).
    #[serde(skip_serializing)]
    pub cert_signing_seed: Option<SecretString>,
    pub access_token_minutes: i64,
    pub refresh_token_days: i64,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    /// Attempts per minute per client IP on login, register, refresh and forgot.
    pub rate_limit_ip_per_minute: u32,
    /// Attempts per minute per login identifier on login and forgot.
    pub rate_limit_login_per_minute: u32,
    /// The controller of the personal data this deployment keeps (the commune or organisation
    /// running it), named in the privacy notice; its contact (a phone, an address, an e-mail).
    pub privacy_controller_name: String,
    pub privacy_controller_contact: String,
    /// Days between a request to erase a person's data and its erasure, during which the request
    /// can be cancelled (0 to 365; src/privacy/erasure.rs).
    pub erasure_grace_days: i64,
    /// A person's own data as a file (src/privacy/export.rs): hours an export is kept before it
    /// expires (1 or more), the size of history (rows) from which it is built in the background
    /// rather than at once (0: always in the background), and how often the background worker
    /// looks for pending exports.
    pub export_ttl_hours: u32,
    pub export_inline_max_rows: u32,
    pub export_poll_seconds: u64,
    /// Retention (src/privacy/retention.rs, docs/PRIVACY.md): how often the server deletes what
    /// is past its time (0: never, run `hocso retention run` instead), and how many days each
    /// kind is kept (0: for ever).
    pub retention_interval_seconds: u64,
    pub retention_progress_events_days: u32,
    pub retention_sessions_days: u32,
    pub retention_one_time_tokens_days: u32,
    pub retention_mail_body_days: u32,
    pub retention_mail_days: u32,
    pub retention_audit_days: u32,
    pub retention_exports_days: u32,
    /// Backups of an SQLite database made by the server (src/backup.rs, docs/OPERATIONS.md):
    /// the folder they go to (empty: none are made; refused on PostgreSQL), hours between two
    /// (1 or more), and how many are kept (the oldest beyond are deleted; 0 keeps them all).
    pub backup_dir: PathBuf,
    pub backup_every_hours: u32,
    pub backup_keep: u32,
    /// Where the rate limit counters live: `auto` (default: `database` on PostgreSQL, `memory`
    /// on SQLite), `database` (PostgreSQL only: every instance counts in the same buckets) or
    /// `memory` (each process counts on its own).
    pub rate_limit_store: String,
    /// `file` (writes .eml files under `{data_dir}/mail`) or `smtp`.
    pub mail_transport: String,
    pub mail_from: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `none`, `starttls` or `tls`.
    pub smtp_tls: String,
    pub smtp_username: String,
    #[serde(skip_serializing)]
    pub smtp_password: Option<SecretString>,
    pub mail_max_attempts: i32,
    /// Seconds of the first retry delay; each further retry doubles it.
    pub mail_retry_base_seconds: i64,
    pub mail_poll_ms: u64,
    /// Import and publish the course files under `courses_dir` when the database has no course.
    pub import_courses_on_start: bool,
    /// Serve the web pages (src/web/). Off for a deployment that brings its own frontend: then
    /// only the JSON API, the verification page and the docs answer, and `/` is a 404 problem.
    pub web_pages: bool,
    pub courses_dir: PathBuf,
    /// How often a server re-reads which releases are current (to follow other replicas); 0 = never.
    pub catalogue_refresh_seconds: u64,
    /// The issuing body at the top left of the certificate PDF; a line break starts a new line.
    pub certificate_issuing_body: String,
    /// The place in the certificate's "<place>, ngày … tháng … năm …" line; empty: no place.
    pub certificate_place: String,
    /// The signer's title above the signature; a line break starts a new line.
    pub certificate_signer_title: String,
    /// The signer's name under the signature; empty: none.
    pub certificate_signer_name: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: String::new(),
            database_replica_urls: String::new(),
            database_replica_max_lag_ms: 5000,
            database_replica_check_ms: 1000,
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("data"),
            public_url: "http://127.0.0.1:8080".into(),
            log_format: "pretty".into(),
            log_level: "info".into(),
            workers: 0,
            db_pool_size: 8,
            db_timeout_ms: 3000,
            max_body_bytes: 1024 * 1024,
            sqlite_synchronous: "full".into(),
            cors_origins: String::new(),
            trusted_proxies: String::new(),
            jwt_secret: None,
            cert_signing_seed: None,
            access_token_minutes: 15,
            refresh_token_days: 30,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            rate_limit_ip_per_minute: 30,
            rate_limit_login_per_minute: 10,
            rate_limit_store: "auto".into(),
            privacy_controller_name: String::new(),
            privacy_controller_contact: String::new(),
            erasure_grace_days: 7,
            export_ttl_hours: 72,
            export_inline_max_rows: 2000,
            export_poll_seconds: 2,
            retention_interval_seconds: 3600,
            retention_progress_events_days: 365,
            retention_sessions_days: 30,
            retention_one_time_tokens_days: 7,
            retention_mail_body_days: 7,
            retention_mail_days: 365,
            retention_audit_days: 730,
            retention_exports_days: 30,
            backup_dir: PathBuf::new(),
            backup_every_hours: 24,
            backup_keep: 7,
            mail_transport: "file".into(),
            mail_from: "Học số <no-reply@hocso.local>".into(),
            smtp_host: "localhost".into(),
            smtp_port: 25,
            smtp_tls: "none".into(),
            smtp_username: String::new(),
            smtp_password: None,
            mail_max_attempts: 8,
            mail_retry_base_seconds: 30,
            mail_poll_ms: 1000,
            import_courses_on_start: true,
            web_pages: true,
            courses_dir: PathBuf::from("courses"),
            catalogue_refresh_seconds: 10,
            certificate_issuing_body: crate::certs::ISSUER_NAME.into(),
            certificate_place: String::new(),
            certificate_signer_title: "Đại diện đơn vị cấp".into(),
            certificate_signer_name: String::new(),
        }
    }
}

impl Settings {
    /// Loads defaults, then the TOML file (when given), then `HOCSO_*` variables.
    pub fn load(config_file: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = config_file {
            if !path.exists() {
                bail!("configuration file {} does not exist", path.display());
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment.merge(Env::prefixed("HOCSO_").ignore(&["TEST_POSTGRES_URL"]));
        let settings: Settings = figment.extract().context("invalid configuration")?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if !(0..=365).contains(&self.erasure_grace_days) {
            bail!(
                "erasure_grace_days must be from 0 to 365, not {}",
                self.erasure_grace_days
            );
        }
        if !matches!(self.log_format.as_str(), "pretty" | "json") {
            bail!(
                "log_format must be `pretty` or `json`, not `{}`",
                self.log_format
            );
        }
        if !matches!(self.mail_transport.as_str(), "file" | "smtp") {
            bail!(
                "mail_transport must be `file` or `smtp`, not `{}`",
                self.mail_transport
            );
        }
        if !matches!(self.smtp_tls.as_str(), "none" | "starttls" | "tls") {
            bail!(
                "smtp_tls must be `none`, `starttls` or `tls`, not `{}`",
                self.smtp_tls
            );
        }
        if !matches!(self.sqlite_synchronous.as_str(), "full" | "normal") {
            bail!(
                "sqlite_synchronous must be `full` or `normal`, not `{}`",
                self.sqlite_synchronous
            );
        }
        if !matches!(
            self.rate_limit_store.as_str(),
            "auto" | "database" | "memory"
        ) {
            bail!(
                "rate_limit_store must be `auto`, `database` or `memory`, not `{}`",
                self.rate_limit_store
            );
        }
        if self.backup_every_hours == 0 {
            bail!("backup_every_hours must be 1 or more");
        }
        if self.database_replica_check_ms == 0 {
            bail!("database_replica_check_ms must be 1 or more");
        }
        if self.db_pool_size == 0 {
            bail!("db_pool_size must be at least 1");
        }
        url::Url::parse(&self.public_url)
            .with_context(|| format!("public_url `{}` is not a URL", self.public_url))?;
        Ok(())
    }

    /// The database URL, with the SQLite default under the data directory filled in.
    pub fn effective_database_url(&self) -> String {
        if self.database_url.trim().is_empty() {
            format!("sqlite://{}", self.data_dir.join("hocso.db").display())
        } else {
            self.database_url.trim().to_string()
        }
    }

    /// SQLite's `synchronous` for the server's connections.
    pub fn sqlite_sync(&self) -> crate::db::SqliteSync {
        match self.sqlite_synchronous.as_str() {
            "normal" => crate::db::SqliteSync::Normal,
            _ => crate::db::SqliteSync::Full,
        }
    }

    /// The replicas' URLs (`database_replica_urls`).
    pub fn replica_url_list(&self) -> Vec<String> {
        split_list(&self.database_replica_urls)
    }

    pub fn cors_origin_list(&self) -> Vec<String> {
        split_list(&self.cors_origins)
    }

    pub fn trusted_proxy_list(&self) -> Vec<std::net::IpAddr> {
        split_list(&self.trusted_proxies)
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect()
    }

    /// Every setting with its effective value, secrets masked: what `hocso config` prints.
    pub fn masked_entries(&self) -> Vec<(&'static str, String)> {
        let secret = |s: &Option<SecretString>| match s {
            Some(_) => "******** (set)".to_string(),
            None => "(generated in data_dir)".to_string(),
        };
        vec![
            (
                "database_url",
                mask_url_password(&self.effective_database_url()),
            ),
            (
                "database_replica_urls",
                self.replica_url_list()
                    .iter()
                    .map(|u| mask_url_password(u))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            (
                "database_replica_max_lag_ms",
                self.database_replica_max_lag_ms.to_string(),
            ),
            (
                "database_replica_check_ms",
                self.database_replica_check_ms.to_string(),
            ),
            ("bind", self.bind.clone()),
            ("data_dir", self.data_dir.display().to_string()),
            ("public_url", self.public_url.clone()),
            ("log_format", self.log_format.clone()),
            ("log_level", self.log_level.clone()),
            ("workers", self.workers.to_string()),
            ("db_pool_size", self.db_pool_size.to_string()),
            ("db_timeout_ms", self.db_timeout_ms.to_string()),
            ("max_body_bytes", self.max_body_bytes.to_string()),
            ("sqlite_synchronous", self.sqlite_synchronous.clone()),
            ("cors_origins", self.cors_origins.clone()),
            ("trusted_proxies", self.trusted_proxies.clone()),
            ("jwt_secret", secret(&self.jwt_secret)),
            ("cert_signing_seed", secret(&self.cert_signing_seed)),
            (
                "access_token_minutes",
                self.access_token_minutes.to_string(),
            ),
            ("refresh_token_days", self.refresh_token_days.to_string()),
            ("argon2_memory_kib", self.argon2_memory_kib.to_string()),
            ("argon2_iterations", self.argon2_iterations.to_string()),
            ("argon2_parallelism", self.argon2_parallelism.to_string()),
            (
                "rate_limit_ip_per_minute",
                self.rate_limit_ip_per_minute.to_string(),
            ),
            (
                "rate_limit_login_per_minute",
                self.rate_limit_login_per_minute.to_string(),
            ),
            ("rate_limit_store", self.rate_limit_store.clone()),
            (
                "privacy_controller_name",
                self.privacy_controller_name.clone(),
            ),
            (
                "privacy_controller_contact",
                self.privacy_controller_contact.clone(),
            ),
            ("erasure_grace_days", self.erasure_grace_days.to_string()),
            ("export_ttl_hours", self.export_ttl_hours.to_string()),
            (
                "export_inline_max_rows",
                self.export_inline_max_rows.to_string(),
            ),
            ("export_poll_seconds", self.export_poll_seconds.to_string()),
            (
                "retention_interval_seconds",
                self.retention_interval_seconds.to_string(),
            ),
            (
                "retention_progress_events_days",
                self.retention_progress_events_days.to_string(),
            ),
            (
                "retention_sessions_days",
                self.retention_sessions_days.to_string(),
            ),
            (
                "retention_one_time_tokens_days",
                self.retention_one_time_tokens_days.to_string(),
            ),
            (
                "retention_mail_body_days",
                self.retention_mail_body_days.to_string(),
            ),
            ("retention_mail_days", self.retention_mail_days.to_string()),
            (
                "retention_audit_days",
                self.retention_audit_days.to_string(),
            ),
            (
                "retention_exports_days",
                self.retention_exports_days.to_string(),
            ),
            ("backup_dir", self.backup_dir.display().to_string()),
            ("backup_every_hours", self.backup_every_hours.to_string()),
            ("backup_keep", self.backup_keep.to_string()),
            ("mail_transport", self.mail_transport.clone()),
            ("mail_from", self.mail_from.clone()),
            ("smtp_host", self.smtp_host.clone()),
            ("smtp_port", self.smtp_port.to_string()),
            ("smtp_tls", self.smtp_tls.clone()),
            ("smtp_username", self.smtp_username.clone()),
            (
                "smtp_password",
                match &self.smtp_password {
                    Some(_) => "******** (set)".into(),
                    None => "(none)".into(),
                },
            ),
            ("mail_max_attempts", self.mail_max_attempts.to_string()),
            (
                "mail_retry_base_seconds",
                self.mail_retry_base_seconds.to_string(),
            ),
            ("mail_poll_ms", self.mail_poll_ms.to_string()),
            (
                "import_courses_on_start",
                self.import_courses_on_start.to_string(),
            ),
            ("web_pages", self.web_pages.to_string()),
            ("courses_dir", self.courses_dir.display().to_string()),
            (
                "catalogue_refresh_seconds",
                self.catalogue_refresh_seconds.to_string(),
            ),
            (
                "certificate_issuing_body",
                self.certificate_issuing_body.clone(),
            ),
            ("certificate_place", self.certificate_place.clone()),
            (
                "certificate_signer_title",
                self.certificate_signer_title.clone(),
            ),
            (
                "certificate_signer_name",
                self.certificate_signer_name.clone(),
            ),
        ]
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}
