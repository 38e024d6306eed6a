//! Learning without a connection: a course kept offline from its page (service worker and
//! cache), three lessons opened and marked learned with the browser offline (the events wait
//! in IndexedDB), then the connection back: one page load sends them, and the server holds
//! each lesson done exactly once.

use diesel::prelude::*;
use hocso::db::schema::progress_events;
use serde_json::Value;

use crate::both_backends;
use crate::browser::Browser;
use crate::course::{import_shipped, SLUG};
use crate::helpers::{learner, login, Backend, TestApp};
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

    let b = Browser::start(&app.address).await;
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
    b.set_offline(true).await;
    b.wait_js(
        "the browser to be offline",
        "return navigator.onLine === false",
    )
    .await;
    for (i, key) in keys.iter().enumerate() {
        b.open(&format!("/courses/{SLUG}/lessons/{key}")).await;
        // Each new page sees the emulated network state before "learned" is pressed.
        b.wait_js(
            "the lesson page to be offline",
            "return navigator.onLine === false",
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
    let waiting = b.text("#sync-status").await;
    assert!(
        waiting.starts_with(&format!("3 {}", T.offline_waiting)),
        "{waiting}"
    );
    assert!(
        completed_lessons(&app, &user_id).await.is_empty(),
        "nothing reached the server offline"
    );

    // Back online: a page load sends the queue.
    b.set_offline(false).await;
    b.open(&format!("/courses/{SLUG}")).await;
    b.wait_js(
        "the queue to be sent",
        "const s = document.getElementById('sync-status'); \
         return !s.hidden && s.textContent.startsWith('Đã gửi')",
    )
    .await;
    assert_eq!(queued(&b).await, 0);
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
