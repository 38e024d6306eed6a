use std::process::Command;

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

both_backends!(
    authoring_permission_matrix,
    draft_to_release_and_immutability,
    publish_lists_every_problem,
    bad_authoring_input,
    catalogue_search_filters_and_pagination,
    etag_and_not_modified,
    lesson_html_is_sanitized,
    import_is_idempotent_and_export_round_trips,
    first_start_imports_the_shipped_courses,
    replicas_follow_new_releases,
);

fn course_body(slug: &str) -> Value {
    json!({
        "slug": slug,
        "title": "Thanh toán an toàn",
        "title_en": "Paying safely",
        "summary": "Chuyển tiền và quét mã VietQR.",
        "summary_en": "Transfers and VietQR.",
        "topic": "basic_skills",
        "level": "basic",
        "groups": ["citizen"],
        "competences": ["4.2"],
        "estimated_minutes": 30
    })
}

fn lesson_body(key: &str, body: &str) -> Value {
    json!({
        "key": key,
        "title": format!("Bài {key}"),
        "title_en": format!("Lesson {key}"),
        "estimated_minutes": 5,
        "competences": ["4.2"],
        "sources": [{"title": "Nguồn", "url": "https://example.vn"}],
        "body": body
    })
}

/// Creates a publishable course owned by `token`'s user.
async fn make_course(app: &TestApp, token: &str, slug: &str) {
    let res = app
        .post("/api/v1/courses")
        .token(token)
        .json(&course_body(slug))
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let res = app
        .post(&format!("/api/v1/courses/{slug}/modules"))
        .token(token)
        .json(&json!({"key": "m1", "title": "Phần 1", "title_en": "Part 1"}))
        .await;
    assert_eq!(res.status(), 201);
    for key in ["bai-1", "bai-2"] {
        let res = app
            .post(&format!("/api/v1/courses/{slug}/modules/m1/lessons"))
            .token(token)
            .json(&lesson_body(key, "Quét mã **VietQR** để chuyển tiền."))
            .await;
        assert_eq!(res.status(), 201);
    }
}

async fn authoring_permission_matrix(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, owner) = instructor(&app, "owner@example.vn").await;
    let (co_id, co) = instructor(&app, "co@example.vn").await;
    let (_, other) = instructor(&app, "other@example.vn").await;
    let (_, learner_token) = learner(&app, "learner@example.vn").await;
    let (_, admin_token) = admin(&app).await;

    // Only instructors and admins create courses.
    let res = app
        .post("/api/v1/courses")
        .token(&learner_token)
        .json(&course_body("x"))
        .await;
    assert_problem(res, 403, "forbidden").await;
    let res = app.post("/api/v1/courses").json(&course_body("x")).await;
    assert_problem(res, 401, "unauthenticated").await;
    make_course(&app, &owner, "khoa-a").await;
    let draft = app
        .post("/api/v1/courses/khoa-a/authors")
        .token(&owner)
        .json(&json!({"user_id": co_id}))
        .expect(200)
        .await;
    assert_eq!(draft["co_authors"], json!([co_id]));

    let edit = |token: Option<String>, title: &'static str| {
        let mut req = app
            .patch("/api/v1/courses/khoa-a")
            .json(&json!({"title": title}));
        if let Some(t) = token {
            req = req.token(t);
        }
        async move { req.await.status().as_u16() }
    };
    assert_eq!(edit(None, "A").await, 401);
    assert_eq!(edit(Some(learner_token.clone()), "B").await, 403);
    assert_eq!(edit(Some(other.clone()), "C").await, 403);
    assert_eq!(edit(Some(owner.clone()), "Chủ sửa").await, 200);
    assert_eq!(edit(Some(co.clone()), "Đồng tác giả sửa").await, 200);
    assert_eq!(edit(Some(admin_token.clone()), "Quản trị sửa").await, 200);

    // Draft content is for authors only; unpublished courses do not exist for the public.
    for (token, status) in [
        (&learner_token, 403),
        (&other, 403),
        (&owner, 200),
        (&co, 200),
        (&admin_token, 200),
    ] {
        let res = app.get("/api/v1/courses/khoa-a/draft").token(token).await;
        assert_eq!(res.status().as_u16(), status);
    }
    assert_problem(app.get("/api/v1/courses/khoa-a").await, 404, "not_found").await;
    let res = app
        .post("/api/v1/courses/khoa-a/publish")
        .token(&other)
        .await;
    assert_problem(res, 403, "forbidden").await;
    let res = app.post("/api/v1/courses/khoa-a/publish").token(&co).await;
    assert_eq!(res.status(), 201);
    let res = app
        .get("/api/v1/courses/khoa-a/releases")
        .token(&learner_token)
        .await;
    assert_problem(res, 403, "forbidden").await;

    // Removing the co-author takes their rights away.
    let res = app
        .delete(&format!("/api/v1/courses/khoa-a/authors/{co_id}"))
        .token(&owner)
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(edit(Some(co), "Không được").await, 403);
}

async fn draft_to_release_and_immutability(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, t) = instructor(&app, "gv@example.vn").await;
    make_course(&app, &t, "thanh-toan").await;
    let body = app
        .post("/api/v1/courses/thanh-toan/publish")
        .token(&t)
        .expect(201)
        .await;
    assert_eq!(body["release"], 1);
    // Publishing the same content again makes no new release.
    let res = app
        .post("/api/v1/courses/thanh-toan/publish")
        .token(&t)
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["release"], 1);

    let outline: Value = app.get("/api/v1/courses/thanh-toan").value().await;
    assert_eq!(outline["release"], 1);
    assert_eq!(outline["modules"][0]["items"].as_array().unwrap().len(), 2);
    assert!(outline["modules"][0]["items"][0].get("body").is_none());

    // Editing the draft changes nothing for learners until the next publish.
    let res = app
        .patch("/api/v1/courses/thanh-toan/lessons/bai-1")
        .token(&t)
        .json(&json!({"title": "Tiêu đề mới", "body": "Nội dung mới."}))
        .await;
    assert_eq!(res.status(), 200);
    let lesson: Value = app
        .get("/api/v1/courses/thanh-toan/lessons/bai-1")
        .value()
        .await;
    assert_eq!(lesson["title"], "Bài bai-1");
    assert!(lesson["html"]
        .as_str()
        .unwrap()
        .contains("<strong>VietQR</strong>"));
    assert_eq!(lesson["next"], "bai-2");
    assert!(lesson.get("previous").is_none());

    let res = app
        .post("/api/v1/courses/thanh-toan/publish")
        .token(&t)
        .await;
    assert_eq!(res.status(), 201);
    let lesson: Value = app
        .get("/api/v1/courses/thanh-toan/lessons/bai-1")
        .value()
        .await;
    assert_eq!(lesson["title"], "Tiêu đề mới");
    assert_eq!(lesson["release"], 2);

    // Release 1 is frozen.
    let rel: Value = app
        .get("/api/v1/courses/thanh-toan/releases/1")
        .token(&t)
        .value()
        .await;
    assert_eq!(
        rel["content"]["modules"][0]["items"][0]["meta"]["title"],
        "Bài bai-1"
    );
    assert!(rel["html"]["bai-1"].as_str().unwrap().contains("VietQR"));
    let list: Value = app
        .get("/api/v1/courses/thanh-toan/releases")
        .token(&t)
        .value()
        .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["number"], 2);
    let res = app
        .get("/api/v1/courses/thanh-toan/releases/9")
        .token(&t)
        .await;
    assert_problem(res, 404, "not_found").await;

    // Reorder and delete in the draft.
    let draft = app
        .put("/api/v1/courses/thanh-toan/modules/m1/items")
        .token(&t)
        .json(&json!({"keys": ["bai-2", "bai-1"]}))
        .expect(200)
        .await;
    assert_eq!(draft["draft"]["modules"][0]["items"][0]["key"], "bai-2");
    let draft = app
        .delete("/api/v1/courses/thanh-toan/lessons/bai-1")
        .token(&t)
        .expect(200)
        .await;
    assert_eq!(
        draft["draft"]["modules"][0]["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // A published course cannot be deleted; a draft-only one can.
    let res = app.delete("/api/v1/courses/thanh-toan").token(&t).await;
    assert_problem(res, 409, "course_published").await;
    let res = app
        .post("/api/v1/courses")
        .token(&t)
        .json(&course_body("nhap"))
        .await;
    assert_eq!(res.status(), 201);
    let res = app.delete("/api/v1/courses/nhap").token(&t).await;
    assert_eq!(res.status(), 204);
    let res = app.get("/api/v1/courses/nhap/draft").token(&t).await;
    assert_problem(res, 404, "not_found").await;
}

async fn publish_lists_every_problem(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, t) = instructor(&app, "gv@example.vn").await;
    let res = app
        .post("/api/v1/courses")
        .token(&t)
        .json(&course_body("thieu"))
        .await;
    assert_eq!(res.status(), 201);
    app.post("/api/v1/courses/thieu/modules")
        .token(&t)
        .json(&json!({"key": "m1", "title": "Một", "title_en": "One"}))
        .await;
    app.post("/api/v1/courses/thieu/modules")
        .token(&t)
        .json(&json!({"key": "m2", "title": "Hai", "title_en": "Two"}))
        .await;
    let mut lesson = lesson_body("bai", "Xem [bài khác](lesson:khong-co).");
    lesson["sources"] = json!([]);
    app.post("/api/v1/courses/thieu/modules/m1/lessons")
        .token(&t)
        .json(&lesson)
        .await;
    let res = app.post("/api/v1/courses/thieu/publish").token(&t).await;
    let body = assert_problem(res, 422, "course_invalid").await;
    let errors = body["errors"].as_array().unwrap();
    let text = body.to_string();
    assert_eq!(errors.len(), 3, "{text}");
    assert!(text.contains("modules[0].items[0].sources"), "{text}");
    assert!(text.contains("lesson:khong-co"), "{text}");
    assert!(text.contains("module `m2` is empty"), "{text}");
    assert_problem(app.get("/api/v1/courses/thieu").await, 404, "not_found").await;
}

async fn bad_authoring_input(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, t) = instructor(&app, "gv@example.vn").await;
    make_course(&app, &t, "khoa").await;
    let res = app
        .post("/api/v1/courses")
        .token(&t)
        .json(&course_body("khoa"))
        .await;
    assert_problem(res, 409, "course_exists").await;
    let res = app
        .post("/api/v1/courses")
        .token(&t)
        .json(&course_body("Khóa Học"))
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "slug");
    let mut bad = course_body("khoa-2");
    bad["topic"] = json!("cooking");
    bad["groups"] = json!([]);
    let res = app.post("/api/v1/courses").token(&t).json(&bad).await;
    let body = assert_problem(res, 422, "validation_failed").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"topic") && fields.contains(&"groups"),
        "{fields:?}"
    );

    assert_problem(
        app.get("/api/v1/courses/khong-ton-tai/draft")
            .token(&t)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get("/api/v1/courses/khong-ton-tai").await,
        404,
        "not_found",
    )
    .await;

    // Duplicate lesson key, bad key, oversized body.
    let res = app
        .post("/api/v1/courses/khoa/modules/m1/lessons")
        .token(&t)
        .json(&lesson_body("bai-1", "x"))
        .await;
    assert_problem(res, 409, "key_taken").await;
    let res = app
        .post("/api/v1/courses/khoa/modules/m1/lessons")
        .token(&t)
        .json(&lesson_body("Bài 3", "x"))
        .await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app
        .post("/api/v1/courses/khoa/modules/m1/lessons")
        .token(&t)
        .json(&lesson_body("bai-lon", &"chữ ".repeat(60_000)))
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "body");
    let res = app
        .post("/api/v1/courses/khoa/modules/m1/lessons")
        .token(&t)
        .json(&lesson_body("bai-qua-lon", &"x".repeat(2 * 1024 * 1024)))
        .await;
    assert_problem(res, 413, "payload_too_large").await;
    let res = app
        .post("/api/v1/courses/khoa/modules/khong-co/lessons")
        .token(&t)
        .json(&lesson_body("bai-9", "x"))
        .await;
    assert_problem(res, 404, "not_found").await;

    // Reorders that miss or invent keys.
    for keys in [
        json!(["bai-1"]),
        json!(["bai-1", "bai-2", "bai-9"]),
        json!(["bai-1", "bai-1"]),
    ] {
        let res = app
            .put("/api/v1/courses/khoa/modules/m1/items")
            .token(&t)
            .json(&json!({"keys": keys}))
            .await;
        let body = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(body["errors"][0]["code"], "not_a_permutation");
    }
    let res = app
        .put("/api/v1/courses/khoa/modules")
        .token(&t)
        .json(&json!({"keys": []}))
        .await;
    assert_problem(res, 422, "validation_failed").await;
    // Nothing was half-written: the draft still has its two lessons in order.
    let draft: Value = app
        .get("/api/v1/courses/khoa/draft")
        .token(&t)
        .value()
        .await;
    let keys: Vec<&str> = draft["draft"]["modules"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["bai-1", "bai-2"]);
}

async fn catalogue_search_filters_and_pagination(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, t) = instructor(&app, "gv@example.vn").await;
    make_course(&app, &t, "thanh-toan").await;
    app.post("/api/v1/courses/thanh-toan/publish")
        .token(&t)
        .await;
    let mut b = course_body("lua-dao");
    b["title"] = json!("Phòng tránh lừa đảo qua mạng");
    b["title_en"] = json!("Avoiding online scams");
    b["summary"] = json!("Nhận biết kẻ gian.");
    b["summary_en"] = json!("Spotting crooks.");
    b["topic"] = json!("online_safety");
    b["groups"] = json!(["official"]);
    app.post("/api/v1/courses").token(&t).json(&b).await;
    app.post("/api/v1/courses/lua-dao/modules")
        .token(&t)
        .json(&json!({"key": "m", "title": "M", "title_en": "M"}))
        .await;
    app.post("/api/v1/courses/lua-dao/modules/m/lessons")
        .token(&t)
        .json(&lesson_body(
            "dich-vu",
            "Nộp hồ sơ trên Cổng Dịch vụ công quốc gia.",
        ))
        .await;
    app.post("/api/v1/courses/lua-dao/publish").token(&t).await;

    let slugs = |path: String| {
        let req = app.get(&path);
        async move {
            let v: Value = req.value().await;
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["slug"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        slugs("/api/v1/courses".into()).await,
        ["lua-dao", "thanh-toan"]
    );
    assert_eq!(
        slugs("/api/v1/courses?q=lua%20dao".into()).await,
        ["lua-dao"]
    );
    assert_eq!(
        slugs("/api/v1/courses?q=L%E1%BB%ABA%20%C4%90%E1%BA%A2O".into()).await,
        ["lua-dao"]
    );
    // Found in lesson text, without diacritics.
    assert_eq!(
        slugs("/api/v1/courses?q=dich%20vu%20cong".into()).await,
        ["lua-dao"]
    );
    assert_eq!(
        slugs("/api/v1/courses?q=vietqr".into()).await,
        ["thanh-toan"]
    );
    assert!(slugs("/api/v1/courses?q=khong%20co%20dau".into())
        .await
        .is_empty());
    assert_eq!(
        slugs("/api/v1/courses?topic=online_safety".into()).await,
        ["lua-dao"]
    );
    assert_eq!(
        slugs("/api/v1/courses?group=citizen".into()).await,
        ["thanh-toan"]
    );
    assert_eq!(
        slugs("/api/v1/courses?competence=4.2&level=basic&language=vi".into()).await,
        ["lua-dao", "thanh-toan"]
    );

    let res = app.get("/api/v1/courses?limit=1").await;
    assert!(res.headers()["link"]
        .to_str()
        .unwrap()
        .contains("rel=\"next\""));
    let page: Value = res.json().await.unwrap();
    let card = &page["items"][0];
    assert_eq!(card["lesson_count"], 1);
    assert_eq!(card["release"], 1);
    let next = page["next_cursor"].as_str().unwrap();
    assert_eq!(
        slugs(format!("/api/v1/courses?limit=1&cursor={next}")).await,
        ["thanh-toan"]
    );
    assert_problem(
        app.get("/api/v1/courses?limit=0").await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.get("/api/v1/courses?limit=abc").await,
        400,
        "invalid_query",
    )
    .await;
}

async fn etag_and_not_modified(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, t) = instructor(&app, "gv@example.vn").await;
    make_course(&app, &t, "khoa").await;
    app.post("/api/v1/courses/khoa/publish").token(&t).await;
    for path in ["/api/v1/courses/khoa", "/api/v1/courses/khoa/lessons/bai-1"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200);
        let etag = res.headers()["etag"].to_str().unwrap().to_string();
        let res = app.get(path).header("If-None-Match", &etag).await;
        assert_eq!(res.status(), 304);
        assert!(res.bytes().await.unwrap().is_empty());
        let res = app.get(path).header("If-None-Match", "\"other\"").await;
        assert_eq!(res.status(), 200);
    }
    // Compressed when asked.
    let res = app
        .get("/api/v1/courses/khoa")
        .header("Accept-Encoding", "gzip")
        .await;
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let res = app.get("/api/v1/courses/khoa/lessons/khong-co").await;
    assert_problem(res, 404, "not_found").await;
}

async fn lesson_html_is_sanitized(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, t) = instructor(&app, "gv@example.vn").await;
    make_course(&app, &t, "xss").await;
    let payloads = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1))\n\n\
        [b](data:text/html;base64,PHNjcmlwdD4=)\n\n<iframe src=\"https://evil.example\"></iframe>\n\n\
        <a href=\"https://ok.example\" onclick=\"steal()\">ok</a>\n\n<svg onload=alert(1)></svg>";
    let res = app
        .patch("/api/v1/courses/xss/lessons/bai-1")
        .token(&t)
        .json(&json!({"body": payloads}))
        .await;
    assert_eq!(res.status(), 200);
    app.post("/api/v1/courses/xss/publish").token(&t).await;
    let lesson: Value = app.get("/api/v1/courses/xss/lessons/bai-1").value().await;
    let html = lesson["html"].as_str().unwrap().to_lowercase();
    for bad in [
        "<script",
        "onerror",
        "onclick",
        "onload",
        "javascript:",
        "data:",
        "<iframe",
        "<svg",
    ] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(
        html.contains("href=\"https://ok.example\" rel=\"noopener noreferrer\""),
        "{html}"
    );
}

fn tree_bytes(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

async fn import_is_idempotent_and_export_round_trips(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for round in 0..2 {
        let out = app
            .cli()
            .args(["courses", "import"])
            .arg(fixture("courses"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let expected = if round == 0 {
            "mini: created, release 1 (new)"
        } else {
            "mini: release 1 (unchanged)"
        };
        assert!(stdout.contains(expected), "{stdout}");
    }
    let export = app.dir.path().join("export");
    let out = app
        .cli()
        .args(["courses", "export", "mini"])
        .arg(&export)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = tree_bytes(&export.join("mini"));
    assert_eq!(
        first.len(),
        7,
        "{:?}",
        first.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    // Import the export: same content, so no new release; export again: byte-identical.
    let out = app
        .cli()
        .args(["courses", "import"])
        .arg(&export)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("mini: release 1 (unchanged)"));
    let again = app.dir.path().join("again");
    app.cli()
        .args(["courses", "export", "mini"])
        .arg(&again)
        .output()
        .unwrap();
    assert_eq!(first, tree_bytes(&again.join("mini")));
    // A changed file makes exactly one new release.
    let lesson = export.join("mini/01-bat-dau/01-chao-mung.md");
    let text = std::fs::read_to_string(&lesson)
        .unwrap()
        .replace("Xin chào bà con.", "Chào cả nhà.");
    std::fs::write(&lesson, text).unwrap();
    let out = app
        .cli()
        .args(["courses", "import"])
        .arg(&export)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("mini: release 2 (new)"));
}

async fn first_start_imports_the_shipped_courses(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.import_courses_on_start = true;
        s.courses_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("courses");
    })
    .await;
    let page: Value = app.get("/api/v1/courses?limit=100").value().await;
    assert!(page["items"].as_array().unwrap().len() >= 10);
    let outline: Value = app.get("/api/v1/courses/an-toan-tren-mang").value().await;
    assert_eq!(outline["release"], 1);
    // Quizzes are in the outline without their questions.
    let text = outline.to_string();
    assert!(text.contains("\"kind\":\"quiz\""));
    assert!(!text.contains("\"correct\"") && !text.contains("explanation"));
}

async fn replicas_follow_new_releases(backend: Backend) {
    let a = TestApp::spawn(backend).await;
    let url = a.database_url.clone();
    let b = TestApp::spawn_with(backend, move |s| {
        s.database_url = url;
        s.catalogue_refresh_seconds = 1;
    })
    .await;
    let (_, t) = instructor(&a, "gv@example.vn").await;
    make_course(&a, &t, "chung").await;
    assert_eq!(b.get("/api/v1/courses/chung").await.status(), 404);
    a.post("/api/v1/courses/chung/publish").token(&t).await;
    let mut seen = false;
    for _ in 0..60 {
        if b.get("/api/v1/courses/chung").await.status() == 200 {
            seen = true;
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        seen,
        "the second server serves the release published through the first"
    );
}

#[test]
fn validator_reports_file_and_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_hocso"))
        .args(["courses", "validate"])
        .arg(fixture("broken"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "cu-phap/01-m/01-sai.md:2: ",
        "cu-phap/02-n/module.toml:3: unknown field `colour`",
        "hong/course.toml:5: unknown topic `cooking`",
        "hong/course.toml:8: unknown competence code `9.9`",
        "hong/01-mot/01-bai.md:11: broken internal link `lesson:khong-co`",
        "hong/01-mot/02-bai.md: duplicate key `bai`",
        "hong/01-mot/03-hoi.quiz.toml:3: the pool has 1 questions",
        "hong/01-mot/03-hoi.quiz.toml:10: a single-choice question needs exactly one correct choice",
        "hong/02-rong: module `rong` is empty",
    ] {
        assert!(stdout.contains(expected), "missing `{expected}` in:\n{stdout}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_hocso"))
        .args(["courses", "validate"])
        .arg(fixture("courses"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
