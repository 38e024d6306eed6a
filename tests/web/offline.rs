//! Learning without a connection: a course kept offline from its page (service worker and
//! cache), three lessons opened and marked learned with the network down (the events wait in
//! IndexedDB), then the network back: one page load sends them, and the server holds each
//! lesson done exactly once. The network is cut between the browser and the app
//! ([`Network`]), as mobile data fails: the browser still believes it is online.

use diesel::prelude::*;
use hocso::db::schema::progress_events;
use serde_json::Value;

use crate::both_backends;
use crate::browser::Browser;
use crate::course::{import_shipped, SLUG};
use crate::helpers::{learner, login, Backend, TestApp};
use crate::network::Network;
use crate::T;

both_backends!(lessons_learned_offline_are_sent_once);

/// The number of events waiting in the browser's queue (IndexedDB `hocso`/`events`).
const QUEUED: &str = r#"const done = arguments[0];
const o = indexedDB.open('hocso', 1);
o.onupgradeneeded = () => o.result.createObjectStore('events', { keyPath: 'client_event_id' });
o.onerror = () => done(-1);
o.onsuccess = () => { const r = o.result.transaction('events').objectStore('events').count();
  r.onsuccess = () => { done(r.result); o.result.close(); }; r.onerror = () => done(-1); };"#;

async fn queued(b: &Browser) -> i64 {
    b.c.execute_async(QUEUED, vec![])
        .await
        .unwrap()
        .as_i64()
        .unwrap()
}

/// The lessons of the learner's "completed" events on the server, one per event.
async fn completed_lessons(app: &TestApp, user_id: &str) -> Vec<String> {
    let uid = user_id.to_string();
    app.db(move |conn| {
        progress_events::table
            .filter(progress_events::user_id.eq(uid))
            .filter(progress_events::status.eq("completed"))
            .select(progress_events::lesson_key)
            .load::<String>(conn)
            .unwrap()
    })
    .await
}

async fn lessons_learned_offline_are_sent_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    import_shipped(&app).await;
    let (user_id, _) = learner(&app, "hv@example.vn").await;
    let doc = app.state.catalogue.get(SLUG).unwrap();
    let keys: Vec<String> = doc
        .content
        .doc
        .lessons()
        .map(|l| l.key.clone())
        .take(3)
        .collect();

    let net = Network::start(&app.address);
    let b = Browser::start(&net.address).await;
    b.open("/login").await;
    b.type_into("#login", "hv@example.vn").await;
    b.type_into("#password", "mat-khau-rat-dai-1").await;
    b.press(T.login_button).await;
    assert_eq!(b.path().await, "/");

    // Keep the course: the button appears once the service worker can serve it.
    b.open(&format!("/courses/{SLUG}")).await;
    b.press(T.enrol_button).await;
    b.wait_js(
        "the service worker to control the page",
        "return !!(navigator.serviceWorker && navigator.serviceWorker.controller)",
    )
    .await;
    b.wait_js(
        "the keep-offline section",
        "return !document.querySelector('.offline-keep').hidden",
    )
    .await;
    let keep = b.find(".offline-keep button.keep").await;
    let unkeep = b.find(".offline-keep button.unkeep").await;
    assert!(keep.is_displayed().await.unwrap());
    assert!(
        !unkeep.is_displayed().await.unwrap(),
        "“{}” is shown for a course not kept",
        T.unkeep_offline_button
    );
    keep.click().await.unwrap();
    b.wait_js(
        "the course to be kept",
        "const s = document.querySelector('.keep-status').textContent; \
         return s === 'Đã tải xong.' || s === 'Chưa tải được.'",
    )
    .await;
    assert_eq!(b.text(".keep-status").await, "Đã tải xong.");
    assert!(unkeep.is_displayed().await.unwrap());
    assert!(!keep.is_displayed().await.unwrap());

    // Offline: the kept lessons open from the cache, "learned" waits in the queue.
    net.set_up(false);
    for (i, key) in keys.iter().enumerate() {
        b.open(&format!("/courses/{SLUG}/lessons/{key}")).await;
        // The page's script is ready (it adds the event id to the form) before "learned".
        b.wait_js(
            "the lesson page's script",
            "return !!document.querySelector('form.learned input[name=event_id]')",
        )
        .await;
        let title = b.text("article.lesson h1").await;
        assert!(!title.is_empty(), "lesson {key} opens offline");
        b.press(T.learned_button).await;
        assert_eq!(queued(&b).await, i as i64 + 1, "queued after {key}");
    }
    // A page that was not kept: the offline page.
    b.open("/profile").await;
    assert_eq!(b.text("h1").await, T.offline_title);
    let waiting = format!("3 {}", T.offline_waiting);
    b.wait_js(
        "the queue to be shown as waiting",
        &format!(
            "const s = document.getElementById('sync-status'); \
             return !s.hidden && s.textContent.startsWith({})",
            serde_json::to_string(&waiting).unwrap()
        ),
    )
    .await;
    assert!(
        completed_lessons(&app, &user_id).await.is_empty(),
        "nothing reached the server offline"
    );

    // The network back: a page load sends the queue.
    net.set_up(true);
    b.open(&format!("/courses/{SLUG}")).await;
    let mut trace = Vec::new();
    let started = std::time::Instant::now();
    loop {
        let seen = b
            .js(
                "const s = document.getElementById('sync-status'); \
                 return [location.pathname, navigator.onLine, s ? s.hidden : null, \
                 s ? s.textContent : null, document.readyState]",
                vec![],
            )
            .await;
        let q = queued(&b).await;
        let server = completed_lessons(&app, &user_id).await.len();
        trace.push(format!(
            "{:?} {seen} queued={q} on the server={server}",
            started.elapsed()
        ));
        if q == 0 && seen[2] == false && seen[3].as_str().unwrap_or("").starts_with("Đã gửi") {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the queue was not sent:\n{}",
            trace.join("\n")
        );
        crate::browser::sleep(500).await;
    }
    // Loading more pages sends nothing twice.
    b.open(&format!("/courses/{SLUG}")).await;
    b.open("/").await;
    b.close().await;

    let mut done = completed_lessons(&app, &user_id).await;
    done.sort();
    let mut want = keys.clone();
    want.sort();
    assert_eq!(done, want, "each lesson done exactly once");
    let token = login(&app, "hv@example.vn", "mat-khau-rat-dai-1").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let p: Value = app
        .get(&format!("/api/v1/me/courses/{SLUG}/progress"))
        .token(&token)
        .value()
        .await;
    for item in p["items"].as_array().unwrap() {
        let key = item["key"].as_str().unwrap();
        let expected = if keys.iter().any(|k| k == key) {
            "done"
        } else {
            "not_started"
        };
        assert_eq!(item["status"], expected, "{key}: {p}");
    }
}
