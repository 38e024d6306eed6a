//! SQLite files for backups and restores (src/backup.rs): SQLite's online backup, the checks of
//! a copy, and holding a database file alone. Each on a raw connection of its own
//! (libsqlite3-sys, the library diesel's SQLite connections are built on), outside the pool:
//! the backup API is not in diesel.

use std::ffi::{c_int, CStr, CString};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use libsqlite3_sys as ffi;

/// One raw SQLite connection, closed when dropped.
pub struct RawDb {
    db: *mut ffi::sqlite3,
}

/// An SQLite error with its result code (`SQLITE_BUSY` is told apart).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SqliteError {
    pub code: c_int,
    pub message: String,
}

impl SqliteError {
    pub fn is_busy(&self) -> bool {
        self.code & 0xff == ffi::SQLITE_BUSY || self.code & 0xff == ffi::SQLITE_LOCKED
    }
}

fn c_path(path: &Path) -> anyhow::Result<CString> {
    let text = path
        .to_str()
        .ok_or_else(|| anyhow!("the path {} is not UTF-8", path.display()))?;
    CString::new(text).map_err(|_| anyhow!("the path {} holds a NUL byte", path.display()))
}

impl RawDb {
    /// Opens `path` for reading and writing; creates it only when `create`.
    pub fn open(path: &Path, create: bool) -> anyhow::Result<RawDb> {
        let name = c_path(path)?;
        let mut flags = ffi::SQLITE_OPEN_READWRITE;
        if create {
            flags |= ffi::SQLITE_OPEN_CREATE;
        }
        let mut db = std::ptr::null_mut();
        // SAFETY: `name` is a NUL-terminated string that outlives the call, `db` a valid out
        // pointer; a null VFS name means the default VFS.
        let rc = unsafe { ffi::sqlite3_open_v2(name.as_ptr(), &mut db, flags, std::ptr::null()) };
        // Even a failed open gives a handle to close (null only when memory ran out).
        let raw = RawDb { db };
        if rc != ffi::SQLITE_OK {
            bail!("cannot open {}: {}", path.display(), raw.error(rc));
        }
        raw.busy_timeout(Duration::from_secs(10));
        Ok(raw)
    }

    fn error(&self, code: c_int) -> SqliteError {
        let message = if self.db.is_null() {
            "out of memory".to_string()
        } else {
            // SAFETY: `self.db` is an open handle; sqlite3_errmsg returns a NUL-terminated string
            // owned by the handle, copied here before any other call.
            unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.db)) }
                .to_string_lossy()
                .into_owned()
        };
        SqliteError { code, message }
    }

    /// How long a statement waits for a lock another connection holds (zero: not at all).
    pub fn busy_timeout(&self, wait: Duration) {
        // SAFETY: `self.db` is an open handle.
        unsafe {
            ffi::sqlite3_busy_timeout(self.db, wait.as_millis().min(i32::MAX as u128) as c_int)
        };
    }

    /// Runs `sql` (one or more statements), rows ignored.
    pub fn execute(&self, sql: &str) -> Result<(), SqliteError> {
        let text = CString::new(sql).map_err(|_| SqliteError {
            code: ffi::SQLITE_MISUSE,
            message: "a statement with a NUL byte".into(),
        })?;
        // SAFETY: an open handle and a NUL-terminated statement; no callback.
        let rc = unsafe {
            ffi::sqlite3_exec(
                self.db,
                text.as_ptr(),
                None,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(self.error(rc))
        }
    }

    /// The first column of every row of the statement `sql`, as text (NULL as empty).
    pub fn strings(&self, sql: &str) -> Result<Vec<String>, SqliteError> {
        let text = CString::new(sql).map_err(|_| SqliteError {
            code: ffi::SQLITE_MISUSE,
            message: "a statement with a NUL byte".into(),
        })?;
        let mut stmt = std::ptr::null_mut();
        // SAFETY: an open handle, a NUL-terminated statement (-1: read to the NUL), a valid out
        // pointer; the statement is finalized below on every path.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(self.db, text.as_ptr(), -1, &mut stmt, std::ptr::null_mut())
        };
        if rc != ffi::SQLITE_OK {
            return Err(self.error(rc));
        }
        let mut rows = Vec::new();
        let outcome = loop {
            // SAFETY: `stmt` is a prepared statement of this handle, not yet finalized.
            match unsafe { ffi::sqlite3_step(stmt) } {
                ffi::SQLITE_ROW => {
                    // SAFETY: a row is current; the text pointer is valid until the next step,
                    // and is copied at once.
                    let value = unsafe { ffi::sqlite3_column_text(stmt, 0) };
                    rows.push(if value.is_null() {
                        String::new()
                    } else {
                        // SAFETY: sqlite3_column_text returns a NUL-terminated string.
                        unsafe { CStr::from_ptr(value.cast()) }
                            .to_string_lossy()
                            .into_owned()
                    });
                }
                ffi::SQLITE_DONE => break Ok(rows),
                rc => break Err(self.error(rc)),
            }
        };
        // SAFETY: finalized once; the handle stays open.
        unsafe { ffi::sqlite3_finalize(stmt) };
        outcome
    }
}

impl Drop for RawDb {
    fn drop(&mut self) {
        if !self.db.is_null() {
            // SAFETY: the handle is closed once; every statement was finalized and every
            // backup finished by the functions that made them.
            unsafe { ffi::sqlite3_close(self.db) };
        }
    }
}

/// What [`copy`] did.
#[derive(Debug, Clone)]
pub struct Copied {
    /// Pages of the copy (of `page_size` bytes).
    pub pages: i64,
    pub page_size: i64,
    pub steps: u32,
    /// The longest step (the copy of `pages_per_step` pages).
    pub longest_step: Duration,
}

/// Copies the live database `src` into the new file `dest` with SQLite's online backup,
/// `pages_per_step` pages at a time with `pause` between steps.
///
/// The source connection holds one read transaction over every step, so the copy is of one
/// moment (a write committed before it began is in it, one committed after is not), and the
/// backup never restarts because of writes meanwhile (a backup whose source another
/// connection changes between two steps starts again from the first page). In WAL mode a
/// reader blocks no writer: the server's writes go on during the copy; only the checkpoint
/// cannot move the WAL's pages past that moment into the file until the copy ends, so the WAL
/// grows meanwhile. The steps and pauses leave the disk and the CPU to the server between steps.
///
/// Each step's pages are synced as they are written (a flush of the whole copy at the end held
/// the server's own synced commits behind it); the copy is then in rollback-journal mode (a file
/// complete in itself, without `-wal`). The caller checks it, syncs it and gives it its name.
pub fn copy(
    src: &Path,
    dest: &Path,
    pages_per_step: i32,
    pause: Duration,
) -> anyhow::Result<Copied> {
    if !src.is_file() {
        bail!("the database file {} does not exist", src.display());
    }
    let source = RawDb::open(src, false)?;
    source
        .execute("BEGIN")
        .and_then(|()| source.strings("SELECT count(*) FROM sqlite_schema"))
        .with_context(|| format!("cannot read {}", src.display()))?;
    let target = RawDb::open(dest, true)?;
    // Synced here step by step, not by SQLite at its commit.
    target.execute("PRAGMA synchronous = OFF")?;
    let main = c"main";
    // SAFETY: two open handles and NUL-terminated schema names; the backup is finished below on
    // every path before either handle is closed.
    let backup =
        unsafe { ffi::sqlite3_backup_init(target.db, main.as_ptr(), source.db, main.as_ptr()) };
    if backup.is_null() {
        // SAFETY: an open handle.
        let rc = unsafe { ffi::sqlite3_errcode(target.db) };
        bail!("cannot start the backup: {}", target.error(rc));
    }
    let (mut steps, mut longest) = (0u32, Duration::ZERO);
    let mut written: Option<std::fs::File> = None;
    let stepped = loop {
        let started = Instant::now();
        // SAFETY: `backup` is live (not finished).
        let rc = unsafe { ffi::sqlite3_backup_step(backup, pages_per_step) };
        // Each step's pages to the disk at once: synced whole at the end, half a gigabyte of
        // dirty pages held the server's own commits (each synced) for ~200 ms.
        if written.is_none() {
            written = std::fs::File::open(dest).ok();
        }
        if let Some(file) = &written {
            let _ = file.sync_data();
        }
        longest = longest.max(started.elapsed());
        steps += 1;
        match rc {
            ffi::SQLITE_DONE => break Ok(()),
            ffi::SQLITE_OK | ffi::SQLITE_BUSY | ffi::SQLITE_LOCKED => std::thread::sleep(pause),
            rc => break Err(target.error(rc)),
        }
    };
    // SAFETY: `backup` is live; reading its counts before finishing it.
    let pages = i64::from(unsafe { ffi::sqlite3_backup_pagecount(backup) });
    // SAFETY: finished once; `backup` is not used after.
    let finished = unsafe { ffi::sqlite3_backup_finish(backup) };
    stepped.with_context(|| format!("the backup of {} failed", src.display()))?;
    if finished != ffi::SQLITE_OK {
        bail!(
            "the backup of {} failed: {}",
            src.display(),
            target.error(finished)
        );
    }
    let _ = source.execute("COMMIT");
    drop(source);
    target
        .strings("PRAGMA journal_mode = DELETE")
        .context("cannot take the copy out of WAL mode")?;
    let page_size = target
        .strings("PRAGMA page_size")?
        .first()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4096);
    Ok(Copied {
        pages,
        page_size,
        steps,
        longest_step: longest,
    })
}

/// `PRAGMA integrity_check` of the database file `path`: empty when it is sound, else SQLite's
/// findings (at most 20). A file that is not a database is a finding too.
pub fn integrity_problems(path: &Path) -> anyhow::Result<Vec<String>> {
    let db = RawDb::open(path, false)?;
    match db.strings("PRAGMA integrity_check(20)") {
        Ok(rows) if rows == ["ok"] => Ok(Vec::new()),
        Ok(rows) => Ok(rows),
        Err(e) if e.is_busy() => Err(anyhow!("{} is locked: {e}", path.display())),
        Err(e) => Ok(vec![e.message]),
    }
}

/// The migration versions recorded in the database file `path` (diesel's table), in order;
/// an error when it has no such table (not a hocso database).
pub fn applied_migrations(path: &Path) -> anyhow::Result<Vec<String>> {
    let db = RawDb::open(path, false)?;
    let tables = db.strings(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name = '__diesel_schema_migrations'",
    )?;
    if tables.is_empty() {
        bail!("an SQLite database but not a hocso one (it has no table of migrations)");
    }
    Ok(db.strings("SELECT version FROM __diesel_schema_migrations ORDER BY version")?)
}

/// A database file held by this process alone ([`hold_alone`]), until dropped.
pub struct Alone(RawDb);

impl Alone {
    /// Takes the file out of WAL mode (its WAL checkpointed into it and removed), so that it is
    /// complete in itself before it is moved.
    pub fn without_wal(&self) -> anyhow::Result<()> {
        self.0
            .strings("PRAGMA journal_mode = DELETE")
            .context("cannot checkpoint the database's WAL")?;
        Ok(())
    }
}

/// Holds the database file `path` alone, or `Ok(None)` when another connection has it open (a
/// server running on it; in WAL mode every open connection keeps a shared lock on the file).
/// In exclusive locking mode, set before the first read, SQLite takes an exclusive lock on the
/// file and keeps it until the connection closes. `Err` when the file cannot be read as a
/// database at all.
pub fn hold_alone(path: &Path) -> anyhow::Result<Option<Alone>> {
    let db = RawDb::open(path, false)?;
    db.busy_timeout(Duration::ZERO);
    db.execute("PRAGMA locking_mode = EXCLUSIVE")?;
    match db.execute("BEGIN EXCLUSIVE; COMMIT") {
        Ok(()) => Ok(Some(Alone(db))),
        Err(e) if e.is_busy() => Ok(None),
        Err(e) => Err(anyhow!(
            "{} cannot be read as a database: {e}",
            path.display()
        )),
    }
}
