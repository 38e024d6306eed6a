//! The authoring pages of an instructor (issue 20), in Chromium: my courses and their drafts; a
//! lesson's Markdown edited, previewed exactly as learners will see it (sanitized: a `<script>`
//! written in the Markdown neither appears nor runs) and saved to the draft (checked through
//! the API); a save that conflicts with one made through the API in between shows the conflict
//! and keeps the author's text; a broken draft lists its problems by location and cannot be
//! published; once fixed it is published and the learner's lesson page shows the new text. A
//! form posted without its CSRF token changes nothing; a learner gets the 404 page on every
//! authoring page. Every page type is checked with axe-core and photographed at 360×800 and
//! 1366×768 (`target/web-screenshots/author-*.png`).

use serde_json::{json, Value};

use crate::accessibility::Audit;
use crate::browser::Browser;
use crate::helpers::{instructor, learner, Backend, TestApp};
use crate::staff::{check, log_in};
use crate::T;

crate::both_backends!(instructor_edits_previews_and_publishes);

const SLUG: &str = "soan-bai-thu";

/// A published course of `token`'s instructor: module `m` with lessons `a` and `b`.
async fn course(app: &TestApp, token: &str) {
    app.post("/api/v1/courses")
        .token(token)
        .json(
            &json!({"slug": SLUG, "title": "Dùng Zalo an toàn", "title_en": "Zalo safely",
            "summary": "S", "summary_en": "S", "topic": "online_safety", "level": "basic",
            "groups": ["citizen"], "estimated_minutes": 10}),
        )
        .expect(201)
        .await;
    app.post(&format!("/api/v1/courses/{SLUG}/modules"))
        .token(token)
        .json(&json!({"key": "m", "title": "Bắt đầu", "title_en": "Start"}))
        .expect(201)
        .await;
    for (key, title) in [("a", "Mở Zalo"), ("b", "Chặn người lạ")] {
        app.post(&format!("/api/v1/courses/{SLUG}/modules/m/lessons"))
            .token(token)
            .json(
                &json!({"key": key, "title": title, "title_en": key, "estimated_minutes": 5,
                "sources": [{"title": "Zalo", "url": "https://zalo.me"}], "body": "Bài cũ."}),
            )
            .expect(201)
            .await;
    }
    app.post(&format!("/api/v1/courses/{SLUG}/publish"))
        .token(token)
        .expect(201)
        .await;
}

/// The body of lesson `key` in the draft, through the API.
async fn draft_body(app: &TestApp, token: &str, key: &str) -> (String, i64) {
    let d = app
        .get(&format!("/api/v1/courses/{SLUG}/draft"))
        .token(token)
        .expect(200)
        .await;
    let body = d["draft"]["modules"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap()["body"]
        .as_str()
        .unwrap()
        .to_string();
    (body, d["draft_version"].as_i64().unwrap())
}

/// Puts `text` in the editor's textarea.
async fn write(b: &Browser, text: &str) {
    b.js(
        "document.querySelector('#body').value = arguments[0]; return true",
        vec![json!(text)],
    )
    .await;
}

async fn value(b: &Browser, css: &str) -> String {
    b.js(
        "return document.querySelector(arguments[0]).value",
        vec![json!(css)],
    )
    .await
    .as_str()
    .unwrap()
    .to_string()
}

async fn instructor_edits_previews_and_publishes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = instructor(&app, "giang.vien@example.vn").await;
    course(&app, &token).await;
    learner(&app, "hoc.vien@example.vn").await;
    let mut audit = Audit::on();

    let b = Browser::start(&app.address).await;
    assert_eq!(
        log_in(&b, "giang.vien@example.vn", "mat-khau-rat-dai-1").await,
        "/"
    );

    // My courses: the course, published, its draft the same as the release.
    b.press(T.nav_author).await;
    assert_eq!(b.path().await, "/author");
    check(&b, &mut audit, "author-courses").await;
    let row = b.text("#author-courses li").await;
    assert!(row.contains("Dùng Zalo an toàn"), "{row}");
    assert!(row.contains(&format!("{} 1", T.author_release)), "{row}");
    assert!(row.contains(T.author_up_to_date), "{row}");

    // The course: its lessons, nothing to publish.
    b.press("Dùng Zalo an toàn").await;
    assert_eq!(b.path().await, format!("/author/courses/{SLUG}"));
    assert!(b.main_text().await.contains(T.author_nothing_new));
    check(&b, &mut audit, "author-course").await;

    // The lesson: preview shows the rendered, sanitized text; nothing is saved by it.
    b.press("Mở Zalo").await;
    assert_eq!(b.path().await, format!("/author/courses/{SLUG}/lessons/a"));
    assert_eq!(value(&b, "#body").await.trim(), "Bài cũ.");
    check(&b, &mut audit, "author-lesson").await;
    let text = "## Bước một\n\nBấm vào **biểu tượng Zalo**.\n\n<script>document.title = 'pwned'</script>\n\n<p onclick=\"alert(1)\">Chạm</p>";
    write(&b, text).await;
    b.press(T.author_preview_button).await;
    let preview: Value = b
        .js(
            "const p = document.querySelector('#preview');
             return {strong: p.querySelector('strong')?.textContent, h2: p.querySelector('h2')?.textContent,
                     scripts: document.querySelectorAll('main script').length,
                     onclick: p.querySelectorAll('[onclick]').length,
                     html: p.innerHTML, title: document.title}",
            vec![],
        )
        .await;
    assert_eq!(preview["strong"], "biểu tượng Zalo", "{preview}");
    assert_eq!(preview["h2"], "Bước một", "{preview}");
    assert_eq!(preview["scripts"], 0, "{preview}");
    assert_eq!(preview["onclick"], 0, "{preview}");
    assert!(
        !preview["html"].as_str().unwrap().contains("pwned"),
        "{preview}"
    );
    assert_ne!(preview["title"], "pwned");
    // The author's text is still in the form (a textarea keeps it as typed).
    assert_eq!(value(&b, "#body").await.replace("\r\n", "\n"), text);
    check(&b, &mut audit, "author-lesson-preview").await;
    assert_eq!(draft_body(&app, &token, "a").await.0.trim(), "Bài cũ.");

    // Saved: the draft holds the new text.
    let (_, before) = draft_body(&app, &token, "a").await;
    b.press(T.author_save_button).await;
    assert!(
        b.text("p.flash").await.starts_with(T.author_saved),
        "{}",
        b.main_text().await
    );
    let (saved, version) = draft_body(&app, &token, "a").await;
    assert!(saved.contains("Bấm vào **biểu tượng Zalo**."), "{saved}");
    assert_eq!(version, before + 1);

    // A conflict: someone saves through the API while the page is open; the author's text is
    // kept, the saved text is shown to compare, nothing is overwritten.
    app.patch(&format!("/api/v1/courses/{SLUG}/lessons/a"))
        .token(&token)
        .json(&json!({"body": "Văn bản của đồng tác giả."}))
        .expect(200)
        .await;
    let mine = "Bài của tôi, sửa cùng lúc.";
    write(&b, mine).await;
    b.press(T.author_save_button).await;
    assert_eq!(b.text("#conflict-title").await, T.author_conflict_title);
    assert_eq!(value(&b, "#body").await, mine);
    assert_eq!(
        value(&b, "#current").await.trim(),
        "Văn bản của đồng tác giả."
    );
    assert_eq!(
        draft_body(&app, &token, "a").await.0.trim(),
        "Văn bản của đồng tác giả."
    );
    check(&b, &mut audit, "author-lesson-conflict").await;

    // Saving again, knowingly, replaces it.
    b.press(T.author_save_button).await;
    assert!(b.text("p.flash").await.starts_with(T.author_saved));
    assert_eq!(draft_body(&app, &token, "a").await.0.trim(), mine);

    // An empty text is answered beside the field, and nothing is saved.
    write(&b, "   ").await;
    b.press(T.author_save_button).await;
    assert_eq!(b.text("#body-error").await, T.err_required);
    assert_eq!(draft_body(&app, &token, "a").await.0.trim(), mine);

    // Without the CSRF token: refused, nothing changed.
    b.open(&format!("/author/courses/{SLUG}/lessons/a")).await;
    b.js(
        "document.querySelector('form.author-editor input[name=csrf]').remove(); return true",
        vec![],
    )
    .await;
    write(&b, "Gửi không có mã CSRF.").await;
    b.press(T.author_save_button).await;
    assert_eq!(b.text("h1").await, T.csrf_title);
    assert_eq!(draft_body(&app, &token, "a").await.0.trim(), mine);

    // A broken internal link: saved in the draft, but the course check lists it by location
    // and there is no publish button.
    b.open(&format!("/author/courses/{SLUG}/lessons/b")).await;
    write(&b, "Xem [bài khác](lesson:khong-co).").await;
    b.press(T.author_save_button).await;
    assert!(b.text("p.flash").await.starts_with(T.author_saved));
    b.press("← Dùng Zalo an toàn").await;
    let problems = b.text("#problems").await;
    assert!(problems.contains("modules[0].items[1].body"), "{problems}");
    assert!(problems.contains("Chặn người lạ"), "{problems}");
    assert!(problems.contains("lesson:khong-co"), "{problems}");
    assert!(!b.has_text("button", T.author_publish_button).await);
    check(&b, &mut audit, "author-course-problems").await;

    // Fixed from the problem's link, then published.
    b.press(&format!("{} 1: Bắt đầu › Chặn người lạ", T.author_module))
        .await;
    write(&b, "Chặn tin nhắn của **người lạ**.").await;
    b.press(T.author_save_button).await;
    b.press("← Dùng Zalo an toàn").await;
    assert!(!b.has("#problems").await);
    b.press(T.author_publish_button).await;
    assert_eq!(
        b.text("p.flash").await,
        format!("{} 2.", T.author_published_flash)
    );
    let releases = b.text("#releases tbody").await;
    assert!(
        releases.contains('2') && releases.contains('1'),
        "{releases}"
    );
    check(&b, &mut audit, "author-course-published").await;
    b.open("/author").await;
    assert!(b
        .text("#author-courses li")
        .await
        .contains(&format!("{} 2", T.author_release)));
    b.close().await;

    // The learner's lesson pages show the new texts.
    let b = Browser::start(&app.address).await;
    assert_eq!(
        log_in(&b, "hoc.vien@example.vn", "mat-khau-rat-dai-1").await,
        "/"
    );
    b.open(&format!("/courses/{SLUG}/lessons/a")).await;
    assert!(
        b.main_text().await.contains(mine),
        "{}",
        b.main_text().await
    );
    b.open(&format!("/courses/{SLUG}/lessons/b")).await;
    assert_eq!(b.text("article.lesson strong").await, "người lạ");

    // A learner: no link, and the 404 page on every authoring page.
    assert!(!b.has_text("a", T.nav_author).await);
    for path in [
        "/author".to_string(),
        format!("/author/courses/{SLUG}"),
        format!("/author/courses/{SLUG}/lessons/a"),
    ] {
        b.open(&path).await;
        assert_eq!(b.text("h1").await, T.not_found_title, "{path}");
        assert!(!b.main_text().await.contains("Zalo"), "{path}");
    }
    b.close().await;
    audit.assert_clean();
}
