use crate::both_backends;
use crate::helpers::{assert_problem, learner, Backend, TestApp};
use serde_json::{json, Value};

both_backends!(
    health_endpoints,
    ready_turns_503_when_database_goes_away,
    metrics_count_requests_by_route_and_status,
    unknown_route_and_wrong_method,
    request_ids,
    openapi_lists_every_route,
    openapi_states_the_request_rules,
    request_bodies_are_read_as_documented,
    docs_are_served_from_the_binary,
    migrations_up_down_up,
);

async fn health_endpoints(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.get("/health/live").await;
    assert_eq!(res.status(), 200);
    let body = app.get("/health/ready").expect(200).await;
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected);
}

async fn ready_turns_503_when_database_goes_away(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(app.get("/health/ready").await.status(), 200);
    app.break_database();
    let started = std::time::Instant::now();
    let res = app.get("/health/ready").await;
    let body = assert_problem(res, 503, "service_unavailable").await;
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // Internals (paths, driver messages) never reach the client.
    let text = body.to_string();
    assert!(
        !text.contains("test.db") && !text.contains("hocso_t_"),
        "{text}"
    );
    // Liveness does not depend on the database.
    assert_eq!(app.get("/health/live").await.status(), 200);
}

async fn metrics_count_requests_by_route_and_status(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.get("/health/live").await;
    app.get("/no/such/route").await;
    let res = app.get("/metrics").await;
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
    let res = app.get("/api/v1/nothing-here").await;
    let body = assert_problem(res, 404, "not_found").await;
    assert_eq!(body["title"], "Không tìm thấy");

    let res = app
        .get("/api/v1/nothing-here")
        .header("Accept-Language", "en-US,en;q=0.9")
        .await;
    assert_eq!(res.headers()["content-language"], "en");
    let body = assert_problem(res, 404, "not_found").await;
    assert_eq!(body["title"], "Not found");

    let res = app.post("/health/live").await;
    let allow = res.headers()["allow"].to_str().unwrap().to_string();
    assert_eq!(allow, "GET, HEAD");
    assert_problem(res, 405, "method_not_allowed").await;
}

async fn request_ids(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app
        .get("/health/live")
        .header("X-Request-Id", "abc-123")
        .await;
    assert_eq!(res.headers()["x-request-id"], "abc-123");
    let res = app.get("/health/live").await;
    let generated = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    // An unsafe id is replaced, never echoed.
    let res = app
        .get("/api/v1/no-route")
        .header("X-Request-Id", "bad id <script>")
        .await;
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_ne!(id, "bad id <script>");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["request_id"], id.as_str());
}

/// Every served route, as `METHOD path`; a new route must be added here (and documented).
const ROUTES: &[&str] = &[
    "GET /api/v1/privacy",
    "GET /api/v1/me/consents",
    "POST /api/v1/me/consents",
    "POST /api/v1/me/consents/{id}/withdraw",
    "GET /api/v1/me/privacy/choices",
    "PUT /api/v1/me/privacy/choices",
    "GET /api/v1/me/erasure",
    "POST /api/v1/me/erasure",
    "DELETE /api/v1/me/erasure",
    "GET /api/v1/facilitator/residents/{id}/erasure",
    "POST /api/v1/facilitator/residents/{id}/erasure",
    "DELETE /api/v1/facilitator/residents/{id}/erasure",
    "POST /api/v1/admin/erasures/run",
    "GET /api/v1/me/access-records",
    "POST /api/v1/me/exports",
    "GET /api/v1/me/exports/{id}",
    "GET /api/v1/me/exports/{id}/download",
    "GET /api/v1/facilitator/residents/{id}",
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
    "GET /api/v1/admin/localities/{id}/certificate-signer",
    "GET /api/v1/admin/localities/{id}/households",
    "GET /api/v1/admin/residents/{id}/audit",
    "GET /api/v1/admin/users",
    "GET /api/v1/admin/users/{id}",
    "GET /api/v1/attempts/{id}",
    "GET /api/v1/certificates/{serial}",
    "GET /api/v1/certificates/{serial}/pdf",
    "GET /api/v1/credentials/status/{list}",
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
    "GET /api/v1/me/village-link",
    "GET /api/v1/me/programs",
    "GET /api/v1/me/quizzes/{id}/attempts",
    "GET /api/v1/openapi.json",
    "GET /api/v1/programs",
    "GET /api/v1/programs/{slug}",
    "GET /api/v1/reports/localities/{id}/indicators",
    "GET /api/v1/reports/localities/{id}/indicators.csv",
    "GET /api/v1/reports/localities/{id}/indicators/timeline",
    "GET /health/live",
    "GET /issuer",
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
    "PUT /api/v1/admin/localities/{id}/certificate-signer",
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
    "POST /api/v1/me/village-link",
];

async fn openapi_lists_every_route(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc = app.get("/api/v1/openapi.json").expect(200).await;
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

/// The whole OpenAPI document, fetched over HTTP, against the reviewed snapshot
/// `tests/api/snapshots/api__system__openapi.snap`: every change of the API shows in review. After
/// an intended change: `INSTA_UPDATE=always cargo test openapi_document` (or `cargo insta review`),
/// then read the snapshot's diff. CI runs with `INSTA_UPDATE=no`: a difference fails, nothing is
/// written. The same document on both databases, so SQLite only.
#[actix_web::test]
async fn openapi_document() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut doc = app.get("/api/v1/openapi.json").expect(200).await;
    // Birth years go up to this year: the one value that changes with the date.
    fn redact_year(v: &mut Value, year: i32) {
        match v {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if k == "maximum" && *v == json!(year) {
                        *v = json!("[this year]");
                    } else {
                        redact_year(v, year);
                    }
                }
            }
            Value::Array(list) => list.iter_mut().for_each(|v| redact_year(v, year)),
            _ => {}
        }
    }
    redact_year(&mut doc, chrono::Datelike::year(&chrono::Utc::now()));
    insta::assert_json_snapshot!("openapi", doc);
}

/// The shapes and simple bounds handlers check are in the document (so clients and the fuzzer in
/// tests/api-fuzz follow them), the rules only the server can judge in descriptions; a few of
/// them, as a guard against their silent loss.
async fn openapi_states_the_request_rules(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc: Value = app.get("/api/v1/openapi.json").value().await;
    let schemas = &doc["components"]["schemas"];
    let prop = |schema: &str, field: &str| schemas[schema]["properties"][field].clone();
    // Validator::length(1, 254) and (1, 1024): lengths (counted once trimmed, as the
    // descriptions say); no pattern restates the trimming.
    let login = prop("LoginRequest", "login");
    assert_eq!(
        (login["minLength"].as_u64(), login["maxLength"].as_u64()),
        (Some(1), Some(254))
    );
    assert!(login["pattern"].is_null());
    assert!(login["description"].as_str().unwrap().contains("trimmed"));
    assert_eq!(prop("LoginRequest", "password")["maxLength"], 1024);
    assert_eq!(prop("RevokeRequest", "reason")["maxLength"], 500);
    assert_eq!(prop("ProgramDoc", "title")["minLength"], 1);
    // check_strength: 8–128 characters, not a common password.
    let new_password = prop("RegisterRequest", "password");
    assert_eq!(
        (
            new_password["minLength"].as_u64(),
            new_password["maxLength"].as_u64()
        ),
        (Some(8), Some(128))
    );
    assert!(new_password["not"].is_null());
    assert!(new_password["description"]
        .as_str()
        .unwrap()
        .contains("common passwords"));
    // An e-mail address or a phone number: one object type, the rule in its description.
    let register = &schemas["RegisterRequest"];
    assert!(register["anyOf"].is_null());
    assert!(register["description"]
        .as_str()
        .unwrap()
        .contains("an e-mail address, a phone number or both"));
    assert_eq!(
        prop("RegisterRequest", "email")["type"],
        json!(["string", "null"])
    );
    assert_eq!(prop("RegisterResidentRequest", "password")["minLength"], 6);

    // Keys and slugs: content::is_valid_key; enumerations; ranges.
    let slug = prop("CreateCourseRequest", "slug");
    assert_eq!(slug["pattern"], "^[a-z0-9]+(-[a-z0-9]+)*$");
    assert_eq!(slug["maxLength"], 64);
    assert_eq!(
        prop("CreateCourseRequest", "topic")["enum"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
    let groups = prop("CreateCourseRequest", "groups");
    assert_eq!(
        (groups["minItems"].as_u64(), groups["uniqueItems"].as_bool()),
        (Some(1), Some(true))
    );
    let minutes = prop("CreateLessonRequest", "estimated_minutes");
    assert_eq!(
        (minutes["minimum"].as_u64(), minutes["maximum"].as_u64()),
        (Some(1), Some(600))
    );
    let event = &schemas["ProgressEvent"]["properties"];
    assert_eq!(event["client_event_id"]["format"], "uuid");
    assert_eq!(event["status"]["enum"], json!(["started", "completed"]));
    assert_eq!(event["time_spent_seconds"]["maximum"], 86400);
    assert_eq!(prop("ProfileUpdate", "birth_year")["minimum"], 1900);
    // Up to this year, whichever year the server runs in.
    let this_year = chrono::Datelike::year(&chrono::Utc::now());
    assert_eq!(prop("ProfileUpdate", "birth_year")["maximum"], this_year);
    assert_eq!(prop("MyProfileUpdate", "birth_year")["maximum"], this_year);
    assert_eq!(prop("MyProfileUpdate", "eid_status")["type"], "null");
    assert_eq!(prop("CensusRequest", "population")["maximum"], 200_000_000);
    // Fields that go together: said in the descriptions (422 answers).
    for name in [
        "CreateLocalityRequest",
        "CreateLessonRequest",
        "QualificationRequest",
    ] {
        assert!(schemas[name]["anyOf"].is_null(), "{name}");
        assert!(schemas[name]["description"]
            .as_str()
            .unwrap()
            .contains("422"));
    }
    // Tagged unions have a discriminator; files are binary; uploads are CSV or a form.
    assert_eq!(schemas["ItemDoc"]["discriminator"]["propertyName"], "kind");
    assert_eq!(
        schemas["ItemDoc"]["discriminator"]["mapping"]["quiz"],
        "#/components/schemas/QuizItem"
    );
    assert_eq!(
        doc["paths"]["/api/v1/certificates/{serial}/pdf"]["get"]["responses"]["200"]["content"]
            ["application/pdf"]["schema"]["format"],
        "binary"
    );
    let upload = &doc["paths"]["/api/v1/admin/imports/residents"]["post"]["requestBody"]["content"];
    assert_eq!(upload["text/csv"]["schema"]["type"], "string");
    assert!(upload["multipart/form-data"]["schema"].is_object());

    // Parameters.
    let param = |path: &str, method: &str, name: &str| {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{method} {path}: no parameter {name}"))["schema"]
            .clone()
    };
    let limit = param("/api/v1/admin/users", "get", "limit");
    assert_eq!(
        (limit["minimum"].as_u64(), limit["maximum"].as_u64()),
        (Some(1), Some(100))
    );
    let year = param("/api/v1/admin/localities/{id}/census/{year}", "put", "year");
    assert_eq!(
        (year["minimum"].as_u64(), year["maximum"].as_u64()),
        (Some(2000), Some(2100))
    );
    assert_eq!(
        param("/api/v1/admin/programs/{slug}", "put", "slug")["pattern"],
        slug["pattern"]
    );
    assert_eq!(
        param(
            "/api/v1/reports/localities/{id}/indicators",
            "get",
            "breakdown"
        )["enum"],
        // A query parameter is absent, never null.
        json!(["children"])
    );

    // Every request body can be generated: an `allOf` part with `additionalProperties: false`
    // refuses the other parts' properties (what `#[serde(flatten)]` of such a struct produces).
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(schema) =
                op["requestBody"]["content"]["application/json"]["schema"].as_object()
            else {
                continue;
            };
            let schema = match schema.get("$ref").and_then(Value::as_str) {
                Some(r) => &schemas[r.trim_start_matches("#/components/schemas/")],
                None => &Value::Object(schema.clone()),
            };
            for part in schema["allOf"].as_array().into_iter().flatten() {
                let part = match part["$ref"].as_str() {
                    Some(r) => &schemas[r.trim_start_matches("#/components/schemas/")],
                    None => part,
                };
                assert_ne!(
                    part["additionalProperties"],
                    json!(false),
                    "{method} {path}"
                );
            }
        }
    }
}

/// JSON as the document reads it: `3.0` is an integer, an object is not an array.
async fn request_bodies_are_read_as_documented(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = learner(&app, "so@example.vn").await;
    let profile = app
        .put("/api/v1/me/profile")
        .token(&token)
        .json(&json!({"birth_year": 1990.0, "gender": "female"}))
        .expect(200)
        .await;
    assert_eq!(profile["birth_year"], 1990);
    // Born this year: taken; next year: refused.
    let this_year = chrono::Datelike::year(&chrono::Utc::now());
    for (year, status) in [(this_year, 200), (this_year + 1, 422)] {
        let res = app
            .put("/api/v1/me/profile")
            .token(&token)
            .json(&json!({ "birth_year": year }))
            .await;
        assert_eq!(res.status(), status, "{year}");
    }
    let res = app
        .put("/api/v1/me/profile")
        .token(&token)
        .json(&json!({"birth_year": 1990.5}))
        .await;
    assert_problem(res, 422, "validation_failed").await;
    // serde reads a struct from an array of its fields too; the API does not.
    let res = app
        .patch("/api/v1/me")
        .token(&token)
        .json(&json!([null, null, null]))
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "body");
    let res = app
        .put("/api/v1/me/profile")
        .token(&token)
        .json(&json!({"eid_status": "level2"}))
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["code"], "forbidden");
}

async fn docs_are_served_from_the_binary(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.get("/docs/").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(!html.contains("cdn."), "no CDN scripts");
    let res = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(res.status(), 200);
    let res = app.get("/docs/swagger-initializer.js").await;
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
        .call(reqwest::Method::OPTIONS, "/api/v1/auth/login")
        .header("Origin", "https://app.hocso.vn")
        .header("Access-Control-Request-Method", "POST")
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://app.hocso.vn"
    );
    let res = app
        .get("/health/live")
        .header("Origin", "https://evil.example")
        .await;
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

/// `web_pages = false`: a deployment with its own frontend gets the API alone; `/` and the page
/// addresses answer as before the pages existed (404 problem+json), the API is unchanged.
async fn pages_can_be_turned_off(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.web_pages = false).await;
    for path in ["/", "/courses", "/login", "/assets/site.css", "/sw.js"] {
        let res = app.get(path).await;
        assert_problem(res, 404, "not_found").await;
    }
    app.get("/api/v1/courses").expect(200).await;

    let on = TestApp::spawn(backend).await;
    let res = on.get("/").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}
both_backends!(pages_can_be_turned_off);
