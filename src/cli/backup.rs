//! `hocso backup` and `hocso restore` (SQLite).

use std::path::PathBuf;

use hocso::config::Settings;

pub fn backup(settings: Settings, dir: &std::path::Path) -> anyhow::Result<()> {
    let db = hocso::backup::sqlite_path(&settings.effective_database_url())?;
    let made = hocso::backup::backup(&db, dir, chrono::Utc::now())?;
    println!(
        "backup written: {} ({:.1} MB, {} pages in {} steps, longest step {} ms, {:.1} s; \
         integrity ok)",
        made.path.display(),
        made.bytes as f64 / 1e6,
        made.copied.pages,
        made.copied.steps,
        made.copied.longest_step.as_millis(),
        made.elapsed.as_secs_f64()
    );
    Ok(())
}

pub fn restore(
    settings: Settings,
    file: &std::path::Path,
    database: Option<PathBuf>,
) -> anyhow::Result<()> {
    let target = match database {
        Some(path) => path,
        None => hocso::backup::sqlite_path(&settings.effective_database_url())?,
    };
    let done = hocso::backup::restore(file, &target, chrono::Utc::now())?;
    println!(
        "restored {} into {} (integrity ok, last migration {}{})",
        file.display(),
        target.display(),
        done.last_migration,
        if done.pending_migrations > 0 {
            format!(
                "; {} newer migration(s) will be applied when the server starts",
                done.pending_migrations
            )
        } else {
            String::new()
        }
    );
    match done.set_aside {
        Some(aside) => println!("the database it replaced is kept as {}", aside.display()),
        None => println!("there was no database there before"),
    }
    Ok(())
}
