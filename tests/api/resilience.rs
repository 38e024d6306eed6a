//! Resilience: acknowledged writes survive a SIGKILL, a PostgreSQL outage under load is answered
//! with 503 and recovered from, and three instances deliver each mail exactly once.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use hocso::db::schema::{mail_outbox, progress_events};
use serde_json::{json, Value};

use crate::both_backends;
use crate::cluster::{PgCluster, Server};
use crate::helpers::*;

/// Registers an account on a server and returns its access token.
async fn register_and_login(
    client: &reqwest::Client,
    base: &str,
    name: &str,
    email: &str,
    password: &str,
) -> String {
    let res = client
        .post(format!("{base}/api/v1/auth/register"))
        .json(
            &json!({"display_name": name, "email": email, "password": password,
            "accept_privacy_notice": hocso::privacy::NOTICE_VERSION}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let tokens: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": email, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokens["access_token"].as_str().unwrap().to_string()
}

async fn acknowledged_writes_survive_sigkill(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), url, &[]);
    let base = server.base.clone();
    let client = reqwest::Client::new();
    let token =
        register_and_login(&client, &base, "Bền", "ben@example.vn", "ben-vung-mat-khau").await;
    let pid = server.child().id();
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
    let _ = server.child().wait();
    assert!(
        acknowledged.len() > 5,
        "only {} writes before the kill",
        acknowledged.len()
    );
    // Restart on the same database; every acknowledged event is there.
    let mut again = Server::start(dir.path(), url, &[]);
    let base = again.base.clone();
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
    let _ = again.child().kill();
    let _ = again.child().wait();
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
#[ignore = "PostgreSQL: set HOCSO_TEST_POSTGRES_URL and run with --include-ignored"]
async fn postgres_writes_survive_sigkill() {
    let admin = pg_admin();
    let (url, name) = create_pg_database(&admin);
    acknowledged_writes_survive_sigkill(&url).await;
    drop_pg_database(&admin, &name);
}

/// Three server instances on one database, SMTP down then back: every mail is delivered exactly
/// once, none lost, none twice (the outbox lease decides which instance sends).
async fn three_instances_deliver_each_mail_once(backend: Backend) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let first = TestApp::spawn_with(backend, smtp_settings(port)).await;
    let second = TestApp::spawn_beside(&first, smtp_settings(port)).await;
    let third = TestApp::spawn_beside(&first, smtp_settings(port)).await;
    let addresses: Vec<String> = (0..12).map(|i| format!("thu{i}@example.vn")).collect();
    for (i, email) in addresses.iter().enumerate() {
        let app = [&first, &second, &third][i % 3];
        let res = register(
            app,
            json!({"display_name": format!("Thư {i}"), "email": email, "password": "thu-gui-mot-lan-thoi"}),
        )
        .await;
        assert_eq!(res.status(), 201);
    }
    // SMTP is down: every mail stays pending while the instances retry.
    for _ in 0..200 {
        let rows = first
            .db(|c| {
                mail_outbox::table
                    .select((mail_outbox::status, mail_outbox::attempts))
                    .load::<(String, i32)>(c)
                    .unwrap()
            })
            .await;
        assert_eq!(rows.len(), addresses.len());
        assert!(rows.iter().all(|(status, _)| status == "pending"));
        if rows.iter().all(|(_, attempts)| *attempts >= 2) {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let sink = SmtpSink::start_on(port);
    for email in &addresses {
        sink.wait_for(email).await;
    }
    // Give a duplicate every chance to arrive.
    actix_web::rt::time::sleep(Duration::from_millis(800)).await;
    for email in &addresses {
        assert_eq!(sink.find(email).len(), 1, "{email}: delivered exactly once");
    }
    assert_eq!(sink.messages.lock().unwrap().len(), addresses.len());
    let statuses = first
        .db(|c| {
            mail_outbox::table
                .select(mail_outbox::status)
                .load::<String>(c)
                .unwrap()
        })
        .await;
    assert!(statuses.iter().all(|s| s == "sent"), "{statuses:?}");
    drop(second);
    drop(third);
}

both_backends!(three_instances_deliver_each_mail_once);

/// A worker whose batch outlived its lease (a slow mail server) does not send a mail another
/// worker has leased since: the lease is renewed mail by mail, and only by the worker that holds
/// it.
async fn a_mail_leased_again_is_not_sent_by_the_first_worker(backend: Backend) {
    // The app's own worker looks once at start, then sleeps for an hour (it is woken only by
    // mail queued through the app): let it have its first look before the mail is queued.
    let app = TestApp::spawn_with(backend, |s| s.mail_poll_ms = 3_600_000).await;
    actix_web::rt::time::sleep(std::time::Duration::from_secs(1)).await;
    let (first, second, renewed) = app
        .db(|c| {
            use hocso::db::mail;
            mail::enqueue(
                c,
                &mail::MailContent {
                    kind: hocso::kinds::MailKind::VerifyEmail,
                    to: "cham@example.vn".into(),
                    subject: "Xác nhận".into(),
                    text: "...".into(),
                    html: "...".into(),
                },
            )
            .unwrap();
            // The first worker's lease has run out by the time it gets to this mail...
            let first = mail::lease_due(c, 20, chrono::TimeDelta::seconds(-1)).unwrap();
            // ...and another worker leased it meanwhile.
            let second = mail::lease_due(c, 20, chrono::TimeDelta::seconds(120)).unwrap();
            assert_eq!((first.len(), second.len()), (1, 1));
            let late = mail::renew_lease(c, &first[0], chrono::TimeDelta::seconds(120)).unwrap();
            let holder = mail::renew_lease(c, &second[0], chrono::TimeDelta::seconds(120)).unwrap();
            (
                late,
                holder,
                mail::lease_due(c, 20, chrono::TimeDelta::seconds(120))
                    .unwrap()
                    .len(),
            )
        })
        .await;
    assert!(!first, "the worker whose lease ran out must not send");
    assert!(second, "the worker holding the lease sends");
    assert_eq!(
        renewed, 0,
        "a renewed lease keeps the mail from a third worker"
    );
}

both_backends!(a_mail_leased_again_is_not_sent_by_the_first_worker);

/// What the load saw: status (0 for a transport error) and latency of every request.
type Seen = Arc<Mutex<Vec<(u16, Duration)>>>;

async fn timed(req: reqwest::RequestBuilder) -> (u16, Duration, Option<Value>) {
    let started = Instant::now();
    match req.timeout(Duration::from_secs(20)).send().await {
        Ok(res) => {
            let status = res.status().as_u16();
            let problem = res
                .headers()
                .get("content-type")
                .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
            let body = res.json::<Value>().await.ok().filter(|_| problem);
            (status, started.elapsed(), body)
        }
        Err(_) => (0, started.elapsed(), None),
    }
}

/// PostgreSQL stopped and started under load: readiness turns 503 while it is down, requests
/// answer 503 problem+json within a bounded time, nothing panics, and service is back within
/// 5 s of the database. `HOCSO_LONG_RESILIENCE=1` repeats the outage more times.
#[actix_web::test]
#[ignore = "PostgreSQL: set HOCSO_TEST_POSTGRES_URL and run with --include-ignored"]
async fn postgres_outage_under_load() {
    // A cluster of its own (initdb), on a machine with PostgreSQL: run with the other
    // PostgreSQL tests.
    let _ = pg_admin();
    let rounds = if std::env::var("HOCSO_LONG_RESILIENCE").is_ok() {
        5
    } else {
        1
    };
    let cluster = PgCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), &cluster.url(), &[]);
    let base = server.base.clone();
    let client = reqwest::Client::new();
    let token = register_and_login(
        &client,
        &base,
        "Vững",
        "vung@example.vn",
        "vung-vang-mat-khau",
    )
    .await;

    // Load: four clients writing progress and reading their profile.
    let stop = Arc::new(AtomicBool::new(false));
    let seen: Seen = Arc::default();
    let mut load = Vec::new();
    for _ in 0..4 {
        let (stop, seen, client, base, token) = (
            stop.clone(),
            seen.clone(),
            client.clone(),
            base.clone(),
            token.clone(),
        );
        load.push(actix_web::rt::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let write = client
                    .put(format!("{base}/api/v1/me/courses/mini/lessons/chao-mung/progress"))
                    .bearer_auth(&token)
                    .json(&json!({"client_event_id": uuid::Uuid::new_v4().to_string(), "status": "started", "time_spent_seconds": 1, "occurred_at": chrono::Utc::now().to_rfc3339()}));
                let (status, took, _) = timed(write).await;
                seen.lock().unwrap().push((status, took));
                let (status, took, _) =
                    timed(client.get(format!("{base}/api/v1/me")).bearer_auth(&token)).await;
                seen.lock().unwrap().push((status, took));
                actix_web::rt::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;

    for round in 0..rounds {
        cluster.down();
        // Readiness turns 503 (problem+json) while the database is down.
        let mut ready_down = false;
        for _ in 0..50 {
            let (status, took, body) = timed(client.get(format!("{base}/health/ready"))).await;
            assert!(took < Duration::from_secs(5), "readiness took {took:?}");
            if status == 503 {
                assert_eq!(body.unwrap()["code"], "service_unavailable");
                ready_down = true;
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(ready_down, "round {round}: /health/ready never turned 503");
        // Requests that need the database answer 503 problem+json, without hanging.
        for _ in 0..3 {
            let (status, took, body) =
                timed(client.get(format!("{base}/api/v1/me")).bearer_auth(&token)).await;
            assert_eq!(
                status,
                503,
                "round {round}: while the database is down; server log:\n{}",
                std::fs::read_to_string(dir.path().join("stdout.log")).unwrap_or_default()
            );
            assert_eq!(body.unwrap()["code"], "service_unavailable");
            assert!(took < Duration::from_secs(5), "a request took {took:?}");
        }
        // The published catalogue is served from memory all along.
        let (status, _, _) = timed(client.get(format!("{base}/api/v1/courses"))).await;
        assert_eq!(status, 200);

        cluster.up();
        let back = Instant::now();
        loop {
            let (ready, _, _) = timed(client.get(format!("{base}/health/ready"))).await;
            let (me, _, _) =
                timed(client.get(format!("{base}/api/v1/me")).bearer_auth(&token)).await;
            if ready == 200 && me == 200 {
                break;
            }
            assert!(
                back.elapsed() < Duration::from_secs(5),
                "round {round}: not back 5 s after the database ({ready}, {me})"
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    }

    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }
    let seen = seen.lock().unwrap().clone();
    let worst = seen.iter().map(|(_, took)| *took).max().unwrap();
    assert!(worst < Duration::from_secs(5), "slowest answer {worst:?}");
    let unexpected: Vec<u16> = seen
        .iter()
        .map(|(status, _)| *status)
        .filter(|s| !matches!(s, 200 | 503))
        .collect();
    assert!(
        unexpected.is_empty(),
        "only 200 or 503 under an outage, saw {unexpected:?}"
    );
    assert!(seen.iter().any(|(s, _)| *s == 503));
    assert!(
        server.child().try_wait().unwrap().is_none(),
        "the server exited during the outage"
    );
    let _ = server.child().kill();
    let _ = server.child().wait();
    let log = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap_or_default();
    assert!(!log.contains("panicked"), "the server panicked:\n{log}");
}
