use crate::both_backends;
use crate::helpers::{assert_problem, Backend, TestApp};
use serde_json::Value;

both_backends!(
    health_endpoints,
    ready_turns_503_when_database_goes_away,
    metrics_count_requests_by_route_and_status,
    unknown_route_and_wrong_method,
    request_ids,
    openapi_lists_every_route,
    docs_are_served_from_the_binary,
    migrations_up_down_up,
);

async fn health_endpoints(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.get("/health/live").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = app.get("/health/ready").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected);
}

async fn ready_turns_503_when_database_goes_away(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(app.get("/health/ready").send().await.unwrap().status(), 200);
    app.break_database();
    let started = std::time::Instant::now();
    let res = app.get("/health/ready").send().await.unwrap();
    let body = assert_problem(res, 503, "service_unavailable").await;
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // Internals (paths, driver messages) never reach the client.
    let text = body.to_string();
    assert!(
        !text.contains("test.db") && !text.contains("hocso_t_"),
        "{text}"
    );
    // Liveness does not depend on the database.
    assert_eq!(app.get("/health/live").send().await.unwrap().status(), 200);
}

async fn metrics_count_requests_by_route_and_status(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.get("/health/live").send().await.unwrap();
    app.get("/no/such/route").send().await.unwrap();
    let res = app.get("/metrics").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("hocso_http_requests_total{")
                && l.contains("endpoint=\"/health/live\"")
                && l.contains("status=\"200\"")),
        "{text}"
    );
    assert!(text.contains("hocso_http_requests_duration_seconds_bucket{"));
    assert!(text
        .lines()
        .any(|l| l.contains("endpoint=\"UNKNOWN\"") && l.contains("status=\"404\"")));
}

async fn unknown_route_and_wrong_method(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.get("/api/v1/nothing-here").send().await.unwrap();
    let body = assert_problem(res, 404, "not_found").await;
    assert_eq!(body["title"], "Không tìm thấy");

    let res = app
        .get("/api/v1/nothing-here")
        .header("Accept-Language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-language"], "en");
    let body = assert_problem(res, 404, "not_found").await;
    assert_eq!(body["title"], "Not found");

    let res = app.post("/health/live").send().await.unwrap();
    let allow = res.headers()["allow"].to_str().unwrap().to_string();
    assert_eq!(allow, "GET, HEAD");
    assert_problem(res, 405, "method_not_allowed").await;
}

async fn request_ids(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app
        .get("/health/live")
        .header("X-Request-Id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "abc-123");
    let res = app.get("/health/live").send().await.unwrap();
    let generated = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    // An unsafe id is replaced, never echoed.
    let res = app
        .get("/no-route")
        .header("X-Request-Id", "bad id <script>")
        .send()
        .await
        .unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_ne!(id, "bad id <script>");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["request_id"], id.as_str());
}

/// Every served route, as `METHOD path`; a new route must be added here (and documented).
const ROUTES: &[&str] = &[
    "DELETE /api/v1/admin/indicators/{key}",
    "DELETE /api/v1/admin/teams/{id}/members/{user_id}",
    "DELETE /api/v1/admin/users/{id}/roles",
    "DELETE /api/v1/courses/{slug}",
    "DELETE /api/v1/courses/{slug}/authors/{user_id}",
    "DELETE /api/v1/courses/{slug}/enrollment",
    "DELETE /api/v1/courses/{slug}/lessons/{key}",
    "DELETE /api/v1/courses/{slug}/modules/{module}",
    "DELETE /api/v1/courses/{slug}/quizzes/{key}",
    "DELETE /api/v1/courses/{slug}/quizzes/{key}/questions/{question}",
    "GET /.well-known/jwks.json",
    "GET /api/v1/admin/indicators",
    "GET /api/v1/admin/localities",
    "GET /api/v1/admin/localities/{id}",
    "GET /api/v1/admin/localities/{id}/census/{year}",
    "GET /api/v1/admin/localities/{id}/households",
    "GET /api/v1/admin/residents/{id}/audit",
    "GET /api/v1/admin/users",
    "GET /api/v1/admin/users/{id}",
    "GET /api/v1/attempts/{id}",
    "GET /api/v1/certificates/{serial}",
    "GET /api/v1/certificates/{serial}/pdf",
    "GET /api/v1/courses",
    "GET /api/v1/courses/{slug}",
    "GET /api/v1/courses/{slug}/draft",
    "GET /api/v1/courses/{slug}/lessons/{key}",
    "GET /api/v1/courses/{slug}/quizzes/{key}/stats",
    "GET /api/v1/courses/{slug}/releases",
    "GET /api/v1/courses/{slug}/releases/{n}",
    "GET /api/v1/facilitator/difficult-questions",
    "GET /api/v1/facilitator/needs-help",
    "GET /api/v1/facilitator/residents",
    "GET /api/v1/me",
    "GET /api/v1/me/certificates",
    "GET /api/v1/me/courses/{slug}/progress",
    "GET /api/v1/me/enrollments",
    "GET /api/v1/me/profile",
    "GET /api/v1/me/programs",
    "GET /api/v1/me/quizzes/{id}/attempts",
    "GET /api/v1/openapi.json",
    "GET /api/v1/programs",
    "GET /api/v1/programs/{slug}",
    "GET /api/v1/reports/localities/{id}/indicators",
    "GET /api/v1/reports/localities/{id}/indicators.csv",
    "GET /api/v1/reports/localities/{id}/indicators/timeline",
    "GET /health/live",
    "GET /health/ready",
    "GET /metrics",
    "GET /verify/{serial}",
    "PATCH /api/v1/admin/localities/{id}",
    "PATCH /api/v1/courses/{slug}",
    "PATCH /api/v1/courses/{slug}/lessons/{key}",
    "PATCH /api/v1/courses/{slug}/modules/{module}",
    "PATCH /api/v1/me",
    "POST /api/v1/admin/certificates/{serial}/revoke",
    "POST /api/v1/admin/imports/residents",
    "POST /api/v1/admin/localities",
    "POST /api/v1/admin/localities/{id}/households",
    "POST /api/v1/admin/teams",
    "POST /api/v1/admin/teams/{id}/members",
    "POST /api/v1/admin/users/{id}/disable",
    "POST /api/v1/admin/users/{id}/enable",
    "POST /api/v1/admin/users/{id}/password-reset",
    "POST /api/v1/admin/users/{id}/roles",
    "POST /api/v1/attempts/{id}/submit",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/logout",
    "POST /api/v1/auth/logout-all",
    "POST /api/v1/auth/password/forgot",
    "POST /api/v1/auth/password/reset",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/register",
    "POST /api/v1/auth/verify-email",
    "POST /api/v1/courses",
    "POST /api/v1/courses/{slug}/authors",
    "POST /api/v1/courses/{slug}/enrollment",
    "POST /api/v1/courses/{slug}/modules",
    "POST /api/v1/courses/{slug}/modules/{module}/lessons",
    "POST /api/v1/courses/{slug}/modules/{module}/quizzes",
    "POST /api/v1/courses/{slug}/publish",
    "POST /api/v1/courses/{slug}/quizzes/{key}/questions",
    "POST /api/v1/facilitator/residents",
    "POST /api/v1/facilitator/residents/{id}/enrollments",
    "POST /api/v1/facilitator/residents/{id}/password-reset",
    "POST /api/v1/me/password",
    "POST /api/v1/me/progress/batch",
    "POST /api/v1/quizzes/{id}/attempts",
    "PUT /api/v1/admin/indicators/{key}",
    "PUT /api/v1/admin/localities/{id}/census/{year}",
    "PUT /api/v1/admin/localities/{id}/targets/{year}/{indicator}",
    "PUT /api/v1/admin/programs/{slug}",
    "PUT /api/v1/attempts/{id}/answers",
    "PUT /api/v1/courses/{slug}/modules",
    "PUT /api/v1/courses/{slug}/modules/{module}/items",
    "PUT /api/v1/courses/{slug}/quizzes/{key}",
    "PUT /api/v1/courses/{slug}/quizzes/{key}/questions/{question}",
    "PUT /api/v1/facilitator/residents/{id}/courses/{slug}/lessons/{key}/progress",
    "PUT /api/v1/facilitator/residents/{id}/profile",
    "PUT /api/v1/me/courses/{slug}/lessons/{key}/progress",
    "PUT /api/v1/me/profile",
];

async fn openapi_lists_every_route(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.get("/api/v1/openapi.json").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            found.push(format!("{} {}", method.to_uppercase(), path));
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()));
        }
    }
    found.sort();
    let mut expected: Vec<String> = ROUTES.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(found, expected);
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

async fn docs_are_served_from_the_binary(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.get("/docs/").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(!html.contains("cdn."), "no CDN scripts");
    let res = app.get("/docs/swagger-ui-bundle.js").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .get("/docs/swagger-initializer.js")
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("/api/v1/openapi.json"));
}

async fn migrations_up_down_up(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (reverted, reapplied, status) = app
        .db(|conn| {
            let reverted = hocso::db::migrate::revert_all(conn).unwrap();
            let reapplied = hocso::db::migrate::run_pending(conn).unwrap();
            let status = hocso::db::migrate::status(conn).unwrap();
            (reverted, reapplied, status)
        })
        .await;
    assert!(!reverted.is_empty());
    assert_eq!(reverted.len(), reapplied.len());
    assert!(status.pending.is_empty());
    assert_eq!(status.applied.len(), migration_versions("sqlite").len());
}

pub fn migration_versions(tree: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(tree);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn both_migration_trees_have_the_same_versions() {
    let sqlite = migration_versions("sqlite");
    let postgres = migration_versions("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    for name in &sqlite {
        for tree in ["sqlite", "postgres"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(tree)
                .join(name);
            assert!(dir.join("up.sql").exists() && dir.join("down.sql").exists());
        }
    }
}

both_backends!(cors_for_configured_origins);

async fn cors_for_configured_origins(backend: Backend) {
    let app =
        TestApp::spawn_with(backend, |s| s.cors_origins = "https://app.hocso.vn".into()).await;
    let res = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/auth/login"))
        .header("Origin", "https://app.hocso.vn")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://app.hocso.vn"
    );
    let res = app
        .get("/health/live")
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}
