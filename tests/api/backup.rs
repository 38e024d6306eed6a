//! Backups and restore of an SQLite deployment (issue 22, item 7; docs/OPERATIONS.md), through
//! the `hocso` binary against a running server: a backup taken while a learner's app streams
//! progress writes holds every write acknowledged before it began; `hocso restore` puts it into
//! a new file; a damaged copy, a file that is not a hocso database and a database in use are
//! refused with nothing replaced; the server's own schedule makes a backup and keeps the newest
//! `backup_keep`; on PostgreSQL the setting and the command are refused with the way to go.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use hocso::db::schema::progress_events;

use crate::helpers::*;

/// `hocso` with `args` on the app's database, off the test's runtime (the stream of writes goes
/// on meanwhile): success, standard output and error.
async fn cli(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let mut cmd = app.cli();
    cmd.args(args);
    let out = actix_web::rt::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn backups(dir: &Path) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(hocso::backup::parse_name)
                .is_some()
        })
        .collect();
    all.sort();
    all
}

fn event_ids(db: &Path) -> HashSet<String> {
    let mut conn = SqliteConnection::establish(&db.display().to_string()).unwrap();
    progress_events::table
        .select(progress_events::client_event_id)
        .load::<String>(&mut conn)
        .unwrap()
        .into_iter()
        .collect()
}

fn sha(path: &Path) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, &std::fs::read(path).unwrap()).as_ref())
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// One write of the stream: its event id, when its answer came (relative to the stream's
/// start), its status and how long it took.
struct Write {
    id: String,
    answered: Instant,
    status: u16,
    took: Duration,
}

#[actix_web::test]
async fn a_backup_under_writes_holds_every_write_acknowledged_before_it() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    simple_course(&app, "k").await;
    let mut tokens = Vec::new();
    for i in 0..3 {
        tokens.push(learner(&app, &format!("hv{i}@example.vn")).await.1);
    }
    let writes: Arc<Mutex<Vec<Write>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut streams = Vec::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let (client, url) = (
            app.client.clone(),
            app.url(&format!(
                "/api/v1/me/courses/k/lessons/{}/progress",
                ["a", "b"][i % 2]
            )),
        );
        let (writes, stop) = (writes.clone(), stop.clone());
        streams.push(actix_web::rt::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let body = event("started", 5);
                let id = body["client_event_id"].as_str().unwrap().to_string();
                let sent = Instant::now();
                let res = client
                    .put(&url)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                let _ = res.bytes().await;
                writes.lock().unwrap().push(Write {
                    id,
                    answered: Instant::now(),
                    status,
                    took: sent.elapsed(),
                });
            }
        }));
    }
    // Some writes first, then the backup while they go on.
    while writes.lock().unwrap().len() < 60 {
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    let dir = app.dir.path().join("backups");
    std::fs::create_dir(&dir).unwrap();
    let began = Instant::now();
    let (ok, stdout, stderr) = cli(&app, &["backup", &dir.display().to_string()]).await;
    let ended = Instant::now();
    stop.store(true, Ordering::Relaxed);
    for s in streams {
        s.await.unwrap();
    }
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("backup written"), "{stdout}");
    let writes = std::mem::take(&mut *writes.lock().unwrap());
    assert!(
        writes.iter().all(|w| w.status == 200),
        "every write acknowledged"
    );
    let before: Vec<&Write> = writes.iter().filter(|w| w.answered < began).collect();
    let during: Vec<&Write> = writes
        .iter()
        .filter(|w| w.answered >= began && w.answered <= ended)
        .collect();
    let longest = during.iter().map(|w| w.took).max().unwrap_or_default();
    println!(
        "{} writes before the backup, {} during it ({} ms), longest {} ms",
        before.len(),
        during.len(),
        (ended - began).as_millis(),
        longest.as_millis()
    );
    assert!(
        !during.is_empty(),
        "the server kept serving writes during the backup"
    );
    let made = backups(&dir);
    assert_eq!(made.len(), 1, "{:?}", names_in(&dir));
    assert_eq!(names_in(&dir).len(), 1, "no partial file left");

    // Restored into a new file: every write acknowledged before the backup began is there.
    let restored = app.dir.path().join("restored/hocso.db");
    std::fs::create_dir(restored.parent().unwrap()).unwrap();
    let (ok, stdout, stderr) = cli(
        &app,
        &[
            "restore",
            &made[0].display().to_string(),
            "--database",
            &restored.display().to_string(),
        ],
    )
    .await;
    assert!(ok, "{stdout}{stderr}");
    assert!(
        stdout.contains("there was no database there before"),
        "{stdout}"
    );
    let copied = event_ids(&restored);
    let missing: Vec<&str> = before
        .iter()
        .filter(|w| !copied.contains(&w.id))
        .map(|w| w.id.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged writes missing",
        missing.len()
    );
    // Nothing the stream did not write.
    let sent: HashSet<&str> = writes.iter().map(|w| w.id.as_str()).collect();
    assert!(copied.iter().all(|id| sent.contains(id.as_str())));

    // The server's own database is in use: refused, left as it is.
    let live = app.database_url.trim_start_matches("sqlite://").to_string();
    let (ok, _, stderr) = cli(&app, &["restore", &made[0].display().to_string()]).await;
    assert!(!ok);
    assert!(stderr.contains("is in use"), "{stderr}");
    assert!(event_ids(Path::new(&live)).len() >= writes.len());
    assert!(!names_in(Path::new(&live).parent().unwrap())
        .iter()
        .any(|n| n.contains("before-restore") || n.ends_with(".partial")));

    // A damaged copy: the first bytes of every page after the first overwritten.
    let damaged = dir.join("damaged.db");
    let mut bytes = std::fs::read(&made[0]).unwrap();
    for page in (4096..bytes.len()).step_by(4096) {
        bytes[page..page + 16].fill(0x5a);
    }
    std::fs::write(&damaged, &bytes).unwrap();
    let target_before = sha(&restored);
    let (ok, _, stderr) = cli(
        &app,
        &[
            "restore",
            &damaged.display().to_string(),
            "--database",
            &restored.display().to_string(),
        ],
    )
    .await;
    assert!(!ok);
    assert!(stderr.contains("failed its integrity check"), "{stderr}");
    assert!(stderr.contains("nothing was replaced"), "{stderr}");
    assert_eq!(sha(&restored), target_before);
    assert_eq!(names_in(restored.parent().unwrap()), ["hocso.db"]);

    // An SQLite file that is not a hocso database.
    let other = dir.join("other.db");
    SqliteConnection::establish(&other.display().to_string())
        .unwrap()
        .batch_execute("CREATE TABLE t (x INTEGER)")
        .unwrap();
    let (ok, _, stderr) = cli(
        &app,
        &[
            "restore",
            &other.display().to_string(),
            "--database",
            &restored.display().to_string(),
        ],
    )
    .await;
    assert!(!ok);
    assert!(stderr.contains("not a hocso one"), "{stderr}");
    assert_eq!(sha(&restored), target_before);
    assert_eq!(names_in(restored.parent().unwrap()), ["hocso.db"]);

    // Over a database no process has open: it is kept aside, not deleted.
    let (ok, stdout, stderr) = cli(
        &app,
        &[
            "restore",
            &made[0].display().to_string(),
            "--database",
            &restored.display().to_string(),
        ],
    )
    .await;
    assert!(ok, "{stdout}{stderr}");
    let names = names_in(restored.parent().unwrap());
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names[1].starts_with("hocso.db.before-restore-"),
        "{names:?}"
    );
    assert!(stdout.contains(&names[1]), "{stdout}");
    assert_eq!(
        event_ids(&restored.parent().unwrap().join(&names[1])),
        copied
    );
    assert_eq!(event_ids(&restored), copied);

    // A database that cannot be read at all (the reason to restore): set aside as it is. The
    // WAL left beside it is not one (SQLite drops it when it closes the file it held); in no case
    // is a WAL left beside the restored file, which would be replayed into it.
    let broken = app.dir.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    let garbage = broken.join("hocso.db");
    std::fs::write(&garbage, vec![0x17; 8192]).unwrap();
    std::fs::write(broken.join("hocso.db-wal"), b"old wal").unwrap();
    let (ok, stdout, stderr) = cli(
        &app,
        &[
            "restore",
            &made[0].display().to_string(),
            "--database",
            &garbage.display().to_string(),
        ],
    )
    .await;
    assert!(ok, "{stdout}{stderr}");
    let names = names_in(&broken);
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(names[0], "hocso.db");
    assert!(
        names[1].starts_with("hocso.db.before-restore-"),
        "{names:?}"
    );
    assert_eq!(
        std::fs::read(broken.join(&names[1])).unwrap(),
        vec![0x17; 8192]
    );
    assert_eq!(event_ids(&garbage), copied);

    // The restored file is a database a server starts on (and keeps open: last).
    let url = format!("sqlite://{}", restored.display());
    let again = TestApp::spawn_beside(&app, |s| s.database_url = url.clone()).await;
    again.get("/health/ready").expect(200).await;

    // A folder that does not exist is not created (a disk not mounted).
    let (ok, _, stderr) = cli(&app, &["backup", &dir.join("usb").display().to_string()]).await;
    assert!(!ok);
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(!dir.join("usb").exists());
}

#[actix_web::test]
async fn the_server_makes_backups_and_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    // Three older backups (their contents do not matter to the rotation) and a file of the
    // operator's own.
    for day in 1..=3 {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(2, 0, 0)
            .unwrap()
            .and_utc();
        std::fs::write(dir.path().join(hocso::backup::file_name(at)), b"old").unwrap();
    }
    std::fs::write(dir.path().join("README.txt"), b"USB disk of the commune").unwrap();
    let path = dir.path().to_path_buf();
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.backup_dir = path;
        s.backup_keep = 2;
    })
    .await;
    // The newest is weeks old: one is due at once, then the oldest beyond two go.
    let mut names = Vec::new();
    for _ in 0..100 {
        names = names_in(dir.path());
        if names.len() == 3 && !names[2].contains("202611") {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        names.len(),
        3,
        "the new backup, the newest old one and the README: {names:?}"
    );
    assert_eq!(names[0], "README.txt");
    assert_eq!(names[1], "hocso-20261103T020000Z.db");
    let new = dir.path().join(&names[2]);
    // A sound copy of the database, with the learner in it.
    let restored = app.dir.path().join("r.db");
    let out = app
        .cli()
        .args(["restore", &new.display().to_string(), "--database"])
        .arg(&restored)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    app.get("/health/ready").expect(200).await;
}

#[test]
fn postgres_deployments_are_told_the_way_to_back_up() {
    let dir = tempfile::tempdir().unwrap();
    let url = "postgres://hocso@127.0.0.1:1/hocso";
    let out = crate::cli::hocso(dir.path())
        .args(["backup", "."])
        .env("HOCSO_DATABASE_URL", url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("pg_basebackup"), "{stderr}");
    assert!(stderr.contains("docs/OPERATIONS.md"), "{stderr}");
    // The server refuses the setting at start (before it connects): a backup thought to be made
    // and never made is worse than none.
    let out = crate::cli::hocso(dir.path())
        .arg("serve")
        .env("HOCSO_DATABASE_URL", url)
        .env("HOCSO_BACKUP_DIR", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("backup_dir is set but the database is PostgreSQL"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}
