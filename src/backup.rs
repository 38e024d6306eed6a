//! Backups of an SQLite deployment and their restore (issue 22, item 7; docs/OPERATIONS.md).
//!
//! [`backup`] copies the live database into a folder (a USB disk, a mounted share) while the
//! server keeps serving: SQLite's online backup in steps over one read transaction
//! ([`crate::db::backup::copy`]), under a temporary name; the copy is checked
//! (`PRAGMA integrity_check`, the table of migrations), synced, and only then given its name,
//! `hocso-YYYYMMDDTHHMMSSZ.db` (UTC), so a file with that name is always a whole, sound copy.
//! `hocso backup DIR` makes one; the server makes one every `backup_every_hours` into
//! `backup_dir` ([`run_every`]), and [`rotate`] keeps the newest `backup_keep`.
//!
//! [`restore`] puts a copy in place of a database that no process has open: it copies the file
//! beside the target, checks that copy (integrity, a hocso database whose migrations this
//! binary knows), and only then moves the current database aside (`.before-restore-…`, never
//! deleted) and the checked copy into its place.
//!
//! PostgreSQL has its own tools for this (base backups and WAL archiving, docs/OPERATIONS.md);
//! these functions are for SQLite only.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::db::backup::{self as raw, Copied};
use crate::db::DbTarget;

/// Pages copied per step (4 MiB at SQLite's 4 KiB pages) and the pause between two steps, so
/// that the copy leaves the disk and the cores to the server between steps (writes are never
/// blocked by it: see [`raw::copy`]). Measured in docs/OPERATIONS.md.
pub const PAGES_PER_STEP: i32 = 1024;
pub const PAUSE: Duration = Duration::from_millis(20);

const PREFIX: &str = "hocso-";
const SUFFIX: &str = ".db";
const STAMP: &str = "%Y%m%dT%H%M%SZ";

/// The file name of a backup made at `at`: `hocso-20261206T054500Z.db`.
pub fn file_name(at: DateTime<Utc>) -> String {
    format!("{PREFIX}{}{SUFFIX}", at.format(STAMP))
}

/// The time in a backup's file name; `None` for any other name (such files are never touched).
pub fn parse_name(name: &str) -> Option<NaiveDateTime> {
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    NaiveDateTime::parse_from_str(stamp, STAMP).ok()
}

/// The backups in `dir`, oldest first.
pub fn list(dir: &Path) -> anyhow::Result<Vec<(NaiveDateTime, PathBuf)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        if let Some(at) = name.to_str().and_then(parse_name) {
            if entry.file_type()?.is_file() {
                found.push((at, entry.path()));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Deletes the oldest backups in `dir` beyond the newest `keep` (0 keeps them all); returns
/// what it deleted. Only files named as [`file_name`] names them are counted or deleted.
pub fn rotate(dir: &Path, keep: usize) -> anyhow::Result<Vec<PathBuf>> {
    if keep == 0 {
        return Ok(Vec::new());
    }
    let all = list(dir)?;
    let excess = all.len().saturating_sub(keep);
    let mut removed = Vec::new();
    for (_, path) in all.into_iter().take(excess) {
        std::fs::remove_file(&path)
            .with_context(|| format!("cannot delete the old backup {}", path.display()))?;
        removed.push(path);
    }
    Ok(removed)
}

/// A backup made by [`backup`].
#[derive(Debug, Clone)]
pub struct Made {
    pub path: PathBuf,
    pub bytes: u64,
    pub copied: Copied,
    pub elapsed: Duration,
}

/// The SQLite file of the database URL `url`; an error naming PostgreSQL's way otherwise.
pub fn sqlite_path(url: &str) -> anyhow::Result<PathBuf> {
    match DbTarget::parse(url)? {
        DbTarget::Sqlite(path) => Ok(path),
        DbTarget::Postgres(_) => bail!(
            "hocso's backups copy an SQLite database; this one is PostgreSQL: use base backups \
             with WAL archiving (pg_basebackup, docs/OPERATIONS.md)"
        ),
    }
}

/// Copies the live database `db` into the folder `dir` (which must exist: a folder on a disk
/// that is not mounted is not created on the disk underneath) as `hocso-<UTC time>.db`.
pub fn backup(db: &Path, dir: &Path, at: DateTime<Utc>) -> anyhow::Result<Made> {
    let started = Instant::now();
    if !dir.is_dir() {
        bail!(
            "the backup folder {} does not exist (is its disk mounted?)",
            dir.display()
        );
    }
    let name = file_name(at);
    let path = dir.join(&name);
    if path.exists() {
        bail!("{} exists already", path.display());
    }
    let partial = dir.join(format!(".{name}.partial"));
    let made = (|| {
        let copied = raw::copy(db, &partial, PAGES_PER_STEP, PAUSE)?;
        let problems = raw::integrity_problems(&partial)?;
        if !problems.is_empty() {
            bail!(
                "the copy failed its integrity check: {}",
                problems.join("; ")
            );
        }
        raw::applied_migrations(&partial).context("the copy")?;
        let file = std::fs::File::open(&partial)?;
        file.sync_all()
            .with_context(|| format!("cannot sync {}", partial.display()))?;
        let bytes = file.metadata()?.len();
        std::fs::rename(&partial, &path)
            .with_context(|| format!("cannot name the copy {}", path.display()))?;
        sync_dir(dir);
        Ok(Made {
            path: path.clone(),
            bytes,
            copied,
            elapsed: started.elapsed(),
        })
    })();
    if made.is_err() {
        remove_with_journals(&partial);
    }
    made
}

/// Syncs a directory, so that a rename in it is on disk (best effort: not every file system
/// lets a directory be opened for it).
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_with_journals(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
}

/// The migration versions this binary knows for SQLite.
pub fn known_migrations() -> anyhow::Result<Vec<String>> {
    use diesel::migration::MigrationSource;
    let all = MigrationSource::<diesel::sqlite::Sqlite>::migrations(&crate::db::migrate::SQLITE)
        .map_err(|e| anyhow!("cannot list the migrations: {e}"))?;
    Ok(all.iter().map(|m| m.name().version().to_string()).collect())
}

/// What [`restore`] did.
#[derive(Debug, Clone)]
pub struct Restored {
    /// Where the database that was replaced now is (none when there was none).
    pub set_aside: Option<PathBuf>,
    /// The copy's last migration, and how many of this binary's it lacks (the server applies
    /// them when it starts).
    pub last_migration: String,
    pub pending_migrations: usize,
}

/// Puts the backup `file` in place of the SQLite database `target` (see the module's text).
/// Refuses, replacing nothing, when `target` is open in another process, or when the copy is
/// not sound, not a hocso database or made by a newer hocso.
pub fn restore(file: &Path, target: &Path, at: DateTime<Utc>) -> anyhow::Result<Restored> {
    if !file.is_file() {
        bail!("the backup {} does not exist", file.display());
    }
    if target.exists() && same_file(file, target) {
        bail!("{} is the database itself", file.display());
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        bail!("the folder of {} does not exist", target.display());
    }
    // The current database, held alone until the copy is in its place.
    let alone = if target.exists() {
        match raw::hold_alone(target) {
            Ok(Some(held)) => Some(held),
            Ok(None) => bail!(
                "the database {} is in use (is a hocso server running on it?): stop it, then \
                 restore",
                target.display()
            ),
            // A database that cannot be read (the reason to restore, perhaps) is set aside as
            // it is, with its WAL.
            Err(_) => None,
        }
    } else {
        None
    };
    let stamp = at.format(STAMP);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "hocso.db".into());
    let partial = dir.join(format!(".{name}.restore-{stamp}.partial"));
    let checked = (|| {
        std::fs::copy(file, &partial)
            .with_context(|| format!("cannot copy {} to {}", file.display(), partial.display()))?;
        let problems = raw::integrity_problems(&partial)?;
        if !problems.is_empty() {
            bail!(
                "{} failed its integrity check, nothing was replaced: {}",
                file.display(),
                problems.join("; ")
            );
        }
        let applied = raw::applied_migrations(&partial)
            .map_err(|e| anyhow!("{}: {e:#}; nothing was replaced", file.display()))?;
        let known = known_migrations()?;
        if let Some(unknown) = applied.iter().find(|v| !known.contains(v)) {
            bail!(
                "{} was made by a newer hocso (migration {unknown} is unknown to this one): \
                 restore it with that version; nothing was replaced",
                file.display()
            );
        }
        let last = applied.last().cloned().ok_or_else(|| {
            anyhow!(
                "{} has no migration applied; nothing was replaced",
                file.display()
            )
        })?;
        // A file complete in itself, synced before it takes the database's name.
        raw::RawDb::open(&partial, false)?
            .strings("PRAGMA journal_mode = DELETE")
            .context("cannot take the copy out of WAL mode")?;
        std::fs::File::open(&partial)?.sync_all()?;
        Ok((last, known.len().saturating_sub(applied.len())))
    })();
    let (last_migration, pending_migrations) = match checked {
        Ok(c) => c,
        Err(e) => {
            remove_with_journals(&partial);
            return Err(e);
        }
    };
    let mut set_aside = None;
    if target.exists() {
        if let Some(held) = &alone {
            held.without_wal()?;
        }
        let aside = with_suffix(target, &format!(".before-restore-{stamp}"));
        std::fs::rename(target, &aside)
            .with_context(|| format!("cannot move {} aside", target.display()))?;
        // A WAL left beside the new file would be replayed into it.
        for suffix in ["-wal", "-shm", "-journal"] {
            let from = with_suffix(target, suffix);
            if from.exists() {
                std::fs::rename(&from, with_suffix(&aside, suffix))
                    .with_context(|| format!("cannot move {} aside", from.display()))?;
            }
        }
        set_aside = Some(aside);
    }
    std::fs::rename(&partial, target)
        .with_context(|| format!("cannot move the copy to {}", target.display()))?;
    sync_dir(&dir);
    drop(alone);
    Ok(Restored {
        set_aside,
        last_migration,
        pending_migrations,
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// When the next backup is due: `every` after the newest in `dir`, at once when there is none
/// (or the folder cannot be read: the attempt then says why).
pub fn next_due(dir: &Path, every: Duration, now: DateTime<Utc>) -> Duration {
    let newest = list(dir).ok().and_then(|all| all.last().map(|(at, _)| *at));
    match newest {
        Some(at) => {
            let due = at.and_utc() + chrono::TimeDelta::from_std(every).unwrap_or_default();
            (due - now).to_std().unwrap_or(Duration::ZERO)
        }
        None => Duration::ZERO,
    }
}

/// A failed scheduled backup is tried again after this long (a disk not mounted yet).
const RETRY: Duration = Duration::from_secs(600);

/// The server's job (SQLite only; start-up refuses `backup_dir` on PostgreSQL): a backup of
/// `db` into `dir` every `every` (the first when the newest there is that old, at once when
/// there is none), then the oldest beyond `keep` deleted. Each logged; a failure is logged
/// as a warning and tried again after ten minutes.
pub async fn run_every(db: PathBuf, dir: PathBuf, every: Duration, keep: usize) {
    loop {
        let wait = next_due(&dir, every, Utc::now());
        tokio::time::sleep(wait).await;
        let (db, dir2) = (db.clone(), dir.clone());
        let done = actix_web::web::block(move || -> anyhow::Result<(Made, Vec<PathBuf>)> {
            let made = backup(&db, &dir2, Utc::now())?;
            let removed = rotate(&dir2, keep)?;
            Ok((made, removed))
        })
        .await;
        match done {
            Ok(Ok((made, removed))) => tracing::info!(
                path = %made.path.display(),
                bytes = made.bytes,
                elapsed_ms = made.elapsed.as_millis() as u64,
                removed = removed.len(),
                "backup made"
            ),
            Ok(Err(e)) => {
                tracing::warn!(error = %format!("{e:#}"), dir = %dir.display(), "backup failed");
                tokio::time::sleep(RETRY.min(every)).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "backup failed");
                tokio::time::sleep(RETRY.min(every)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
    }

    #[test]
    fn names_carry_the_utc_time_and_other_files_are_not_backups() {
        let t = at("2026-12-06 05:45:07");
        assert_eq!(file_name(t), "hocso-20261206T054507Z.db");
        assert_eq!(parse_name(&file_name(t)), Some(t.naive_utc()));
        for other in [
            "hocso.db",
            "hocso-20261206T054507Z.db.partial",
            ".hocso-20261206T054507Z.db.partial",
            "hocso-2026.db",
            "notes.txt",
        ] {
            assert_eq!(parse_name(other), None, "{other}");
        }
    }

    #[test]
    fn rotation_keeps_the_newest_and_touches_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let times = [
            "2026-12-01 02:00:00",
            "2026-12-03 02:00:00",
            "2026-12-02 02:00:00",
            "2026-12-05 02:00:00",
            "2026-12-04 02:00:00",
        ];
        for t in times {
            std::fs::write(dir.path().join(file_name(at(t))), b"x").unwrap();
        }
        for other in [
            "hocso.db",
            "notes.txt",
            ".hocso-20261201T010000Z.db.partial",
        ] {
            std::fs::write(dir.path().join(other), b"x").unwrap();
        }
        let removed = rotate(dir.path(), 3).unwrap();
        let names = |paths: Vec<PathBuf>| {
            let mut v: Vec<String> = paths
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            names(removed),
            ["hocso-20261201T020000Z.db", "hocso-20261202T020000Z.db"]
        );
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".hocso-20261201T010000Z.db.partial",
                "hocso-20261203T020000Z.db",
                "hocso-20261204T020000Z.db",
                "hocso-20261205T020000Z.db",
                "hocso.db",
                "notes.txt",
            ]
        );
        // Fewer than `keep`, or 0 (keep every copy): nothing goes.
        assert!(rotate(dir.path(), 3).unwrap().is_empty());
        assert!(rotate(dir.path(), 0).unwrap().is_empty());
        assert_eq!(rotate(dir.path(), 1).unwrap().len(), 2);
    }

    #[test]
    fn the_next_backup_is_due_an_interval_after_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let day = Duration::from_secs(24 * 3600);
        let now = at("2026-12-06 06:00:00");
        assert_eq!(next_due(dir.path(), day, now), Duration::ZERO);
        std::fs::write(dir.path().join(file_name(at("2026-12-06 02:00:00"))), b"x").unwrap();
        assert_eq!(
            next_due(dir.path(), day, now),
            Duration::from_secs(20 * 3600)
        );
        std::fs::write(dir.path().join(file_name(at("2026-12-04 02:00:00"))), b"x").unwrap();
        assert_eq!(
            next_due(dir.path(), day, now),
            Duration::from_secs(20 * 3600)
        );
        assert_eq!(
            next_due(dir.path(), day, at("2026-12-08 00:00:00")),
            Duration::ZERO
        );
    }
}
