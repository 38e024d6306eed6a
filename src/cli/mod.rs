//! The families of the `hocso` command, one module each. Binary side: they read arguments,
//! call the library's use cases and print; what they do lives in the library.

pub mod backup;
pub mod courses;
pub mod dev;
pub mod imports;
pub mod privacy;
pub mod reports;
pub mod server;
pub mod users;

use hocso::auth::password::PasswordHasherConfig;
use hocso::config::Settings;
use hocso::db::DbPool;

/// The database a command works on: one connection, the pending migrations applied.
pub fn pool(settings: &Settings) -> anyhow::Result<DbPool> {
    hocso::db::connect_and_migrate(
        &settings.effective_database_url(),
        1,
        std::time::Duration::from_millis(settings.db_timeout_ms),
    )
}

/// A use case's error as a command prints it: its detail.
pub fn detail(e: hocso::error::ApiError) -> anyhow::Error {
    anyhow::anyhow!("{}", e.detail)
}

/// The password hasher with the configured argon2id parameters.
pub fn hasher(settings: &Settings) -> anyhow::Result<PasswordHasherConfig> {
    PasswordHasherConfig::from_settings(settings)
}
