//! `hocso serve`, `hocso migrate` and `hocso config`.

use hocso::config::Settings;
use hocso::startup::Application;

/// Prints the effective settings, secrets masked.
pub fn config(settings: &Settings) -> anyhow::Result<()> {
    for (key, value) in settings.masked_entries() {
        println!("{key} = {value}");
    }
    Ok(())
}

pub fn serve(settings: Settings) -> anyhow::Result<()> {
    hocso::telemetry::init(&settings.log_format, &settings.log_level, std::io::stdout);
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings.clone()).await?;
        let db = hocso::config::mask_url_password(&settings.effective_database_url());
        let host = settings
            .bind
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or("127.0.0.1");
        println!(
            "hocso listening on http://{host}:{} (database {db})",
            app.port()
        );
        tracing::info!(port = app.port(), "server started");
        app.run_until_stopped().await?;
        tracing::info!("server stopped");
        Ok(())
    })
}

pub fn migrate(settings: Settings, status: bool) -> anyhow::Result<()> {
    use diesel::r2d2::ManageConnection;
    use hocso::db::{migrate, ConnManager, DbTarget};
    let url = settings.effective_database_url();
    let target = DbTarget::parse(&url)?;
    if let DbTarget::Sqlite(path) = &target {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
    }
    let mut conn = ConnManager::new(target.clone()).connect().map_err(|e| {
        anyhow::anyhow!(
            "cannot connect to the {} database: {e}",
            target.backend_name()
        )
    })?;
    if status {
        let s = migrate::status(&mut conn)?;
        for v in &s.applied {
            println!("applied  {v}");
        }
        for v in &s.pending {
            println!("pending  {v}");
        }
    } else {
        let done = migrate::run_pending(&mut conn)?;
        if done.is_empty() {
            println!("database is up to date");
        }
        for v in done {
            println!("applied  {v}");
        }
    }
    Ok(())
}
