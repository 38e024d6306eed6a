//! Resilience: every write acknowledged with 2xx survives a SIGKILL of the server.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use diesel::prelude::*;
use hocso::db::schema::progress_events;
use serde_json::{json, Value};

use crate::helpers::{create_pg_database, drop_pg_database, fixture, pg_admin_url};

// The caller kills and waits for the returned child.
#[allow(clippy::zombie_processes)]
fn start(dir: &std::path::Path, url: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hocso"))
        .current_dir(dir)
        .env("HOCSO_BIND", "127.0.0.1:0")
        .env("HOCSO_DATABASE_URL", url)
        .env("HOCSO_COURSES_DIR", fixture("courses"))
        .env("HOCSO_ARGON2_MEMORY_KIB", "1024")
        .env("HOCSO_ARGON2_ITERATIONS", "1")
        .env("HOCSO_RATE_LIMIT_IP_PER_MINUTE", "1000")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        if out.read_line(&mut line).unwrap_or(0) == 0 {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server exited before listening");
        }
        if let Some(rest) = line.strip_prefix("hocso listening on ") {
            let base = rest.split(' ').next().unwrap().to_string();
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || {
                let mut sink = String::new();
                while out.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                    sink.clear();
                }
            });
            return (child, base);
        }
    }
}

async fn acknowledged_writes_survive_sigkill(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, base) = start(dir.path(), url);
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{base}/api/v1/auth/register"))
        .json(&json!({"display_name": "Bền", "email": "ben@example.vn", "password": "ben-vung-mat-khau"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let tokens: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": "ben@example.vn", "password": "ben-vung-mat-khau"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = tokens["access_token"].as_str().unwrap().to_string();
    let pid = server.id();
    let killer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(700));
        Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .unwrap();
    });
    let mut acknowledged = Vec::new();
    loop {
        let id = uuid::Uuid::new_v4().to_string();
        let sent = client
            .put(format!("{base}/api/v1/me/courses/mini/lessons/chao-mung/progress"))
            .bearer_auth(&token)
            .json(&json!({"client_event_id": id, "status": "started", "time_spent_seconds": 1, "occurred_at": chrono::Utc::now().to_rfc3339()}))
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => acknowledged.push(id),
            Ok(r) => panic!("unexpected status {}", r.status()),
            Err(_) => break,
        }
    }
    killer.join().unwrap();
    let _ = server.wait();
    assert!(
        acknowledged.len() > 5,
        "only {} writes before the kill",
        acknowledged.len()
    );
    // Restart on the same database; every acknowledged event is there.
    let (mut again, base) = start(dir.path(), url);
    assert_eq!(
        reqwest::get(format!("{base}/health/ready"))
            .await
            .unwrap()
            .status(),
        200
    );
    let db_url = if url.starts_with("sqlite://") {
        format!(
            "sqlite://{}",
            dir.path()
                .join(url.trim_start_matches("sqlite://"))
                .display()
        )
    } else {
        url.to_string()
    };
    let mut conn = hocso::db::connect_once(&db_url).unwrap();
    let stored: Vec<String> = progress_events::table
        .select(progress_events::client_event_id)
        .load(&mut conn)
        .unwrap();
    let _ = again.kill();
    let _ = again.wait();
    for id in &acknowledged {
        assert!(
            stored.contains(id),
            "acknowledged event {id} was lost ({} acknowledged)",
            acknowledged.len()
        );
    }
}

#[actix_web::test]
async fn sqlite_writes_survive_sigkill() {
    acknowledged_writes_survive_sigkill("sqlite://data/crash.db").await;
}

#[actix_web::test]
async fn postgres_writes_survive_sigkill() {
    let Some(admin) = pg_admin_url() else { return };
    let (url, name) = create_pg_database(&admin);
    acknowledged_writes_survive_sigkill(&url).await;
    drop_pg_database(&admin, &name);
}
