//! Spawns the real application on port 0 with a fresh database per test.

use std::io::Write;
use std::sync::{Arc, LazyLock, Mutex};

use actix_web::web;
use diesel::pg::PgConnection;
use diesel::{Connection, RunQueryDsl};
use hocso::config::Settings;
use hocso::db::PooledConn;
use hocso::startup::{AppState, Application};
use serde_json::{json, Value};
use tempfile::TempDir;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// `HOCSO_TEST_POSTGRES_URL`: the PostgreSQL server the PostgreSQL tests create their databases on.
pub fn pg_admin_url() -> Option<String> {
    std::env::var("HOCSO_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// The PostgreSQL tests are `#[ignore]`d (`cargo test` lists them as ignored, not as passed);
/// `cargo test -- --include-ignored` runs them, and then `HOCSO_TEST_POSTGRES_URL` must be set.
pub fn pg_admin() -> String {
    pg_admin_url().expect(
        "a PostgreSQL test was run without HOCSO_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)",
    )
}

/// Every log line of the test process, to check that secrets never reach the logs.
pub static LOGS: LazyLock<Arc<Mutex<Vec<u8>>>> = LazyLock::new(|| {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let writer = LogCapture(buf.clone());
    hocso::telemetry::init("json", "debug", move || writer.clone());
    buf
});

#[derive(Clone)]
struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl Write for LogCapture {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if std::env::var("TEST_LOG").is_ok() {
            std::io::stderr().write_all(data)?;
        }
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn captured_logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap()).to_string()
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: web::Data<AppState>,
    pub dir: TempDir,
    pub database_url: String,
    pg: Option<(String, String)>,
}

/// A Postgres database of its own, created from the admin URL.
pub fn create_pg_database(admin: &str) -> (String, String) {
    let name = format!("hocso_t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::establish(admin).expect("connect to HOCSO_TEST_POSTGRES_URL");
    diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .expect("create test database");
    let mut url = url::Url::parse(admin).expect("postgres URL");
    url.set_path(&format!("/{name}"));
    (url.to_string(), name)
}

pub fn drop_pg_database(admin: &str, name: &str) {
    if let Ok(mut conn) = PgConnection::establish(admin) {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&mut conn);
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let (database_url, pg) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.path().join("test.db").display()),
                None,
            ),
            Backend::Postgres => {
                let admin = pg_admin();
                let (url, name) = create_pg_database(&admin);
                (url, Some((admin, name)))
            }
        };
        Self::build(dir, database_url, pg, tweak).await
    }

    /// A second server instance on the database of `other` (which keeps owning it).
    pub async fn spawn_beside(other: &TestApp, tweak: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        Self::build(dir, other.database_url.clone(), None, tweak).await
    }

    async fn build(
        dir: TempDir,
        database_url: String,
        pg: Option<(String, String)>,
        tweak: impl FnOnce(&mut Settings),
    ) -> TestApp {
        LazyLock::force(&LOGS);
        let mut settings = Settings {
            database_url: database_url.clone(),
            bind: "127.0.0.1:0".into(),
            data_dir: dir.path().join("data"),
            workers: 2,
            db_pool_size: 4,
            // Fast hashing in tests; the parameters still come from settings.
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
            import_courses_on_start: false,
            catalogue_refresh_seconds: 0,
            ..Settings::default()
        };
        tweak(&mut settings);
        let app = Application::build(settings)
            .await
            .expect("application builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state();
        actix_web::rt::spawn(app.run_until_stopped());
        TestApp {
            address,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            state,
            dir,
            database_url,
            pg,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A request to this app: `app.post(path).token(t).json(&body).await` is the response,
    /// `.value().await` its JSON body, `.expect(201).await` its JSON body after checking the status.
    pub fn call(&self, method: reqwest::Method, path: &str) -> Req {
        Req(self.client.request(method, self.url(path)))
    }

    pub fn get(&self, path: &str) -> Req {
        self.call(reqwest::Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Req {
        self.call(reqwest::Method::POST, path)
    }

    pub fn put(&self, path: &str) -> Req {
        self.call(reqwest::Method::PUT, path)
    }

    pub fn patch(&self, path: &str) -> Req {
        self.call(reqwest::Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> Req {
        self.call(reqwest::Method::DELETE, path)
    }

    /// Runs `f` on a pooled connection of the app's database (to check what was stored).
    pub async fn db<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut PooledConn) -> R + Send + 'static,
    ) -> R {
        let pool = self.state.pool.clone();
        actix_web::rt::task::spawn_blocking(move || {
            let mut conn = pool.get().expect("pooled connection");
            f(&mut conn)
        })
        .await
        .unwrap()
    }

    /// The `hocso` binary, on this app's database and a data directory of its own.
    pub fn cli(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_hocso"));
        cmd.env("HOCSO_DATABASE_URL", &self.database_url)
            .env("HOCSO_DATA_DIR", self.dir.path().join("cli"));
        cmd
    }

    /// Imports and publishes the `tests/fixtures/courses` tree (the `mini` course: strict order;
    /// lessons chao-mung, ma-otp, optional dich-vu-cong; quiz kiem-tra).
    pub async fn import_fixture_courses(&self) {
        let state = self.state.clone();
        self.db(move |conn| {
            let tree = hocso::content::files::load_tree(&fixture("courses"));
            assert!(tree.problems.is_empty(), "{:?}", tree.problems);
            hocso::courses::import_tree(conn, &tree, None, Some(&state.catalogue)).unwrap();
        })
        .await;
    }

    /// Makes the database go away: the SQLite file is removed, the PostgreSQL database dropped.
    pub fn break_database(&self) {
        match &self.pg {
            Some((admin, name)) => drop_pg_database(admin, name),
            None => {
                let path = self.database_url.trim_start_matches("sqlite://");
                std::fs::remove_file(path).unwrap();
                let _ = std::fs::remove_file(format!("{path}-wal"));
                let _ = std::fs::remove_file(format!("{path}-shm"));
            }
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg {
            drop_pg_database(admin, name);
        }
    }
}

/// One request being built (see [`TestApp::call`]); awaiting it sends it.
pub struct Req(reqwest::RequestBuilder);

impl Req {
    /// `Authorization: Bearer <token>`.
    pub fn token(self, token: impl std::fmt::Display) -> Req {
        Req(self.0.bearer_auth(token))
    }

    /// A JSON body.
    pub fn json<T: serde::Serialize + ?Sized>(self, body: &T) -> Req {
        Req(self.0.json(body))
    }

    pub fn header(self, name: &str, value: impl AsRef<str>) -> Req {
        Req(self.0.header(name, value.as_ref()))
    }

    pub fn query<T: serde::Serialize + ?Sized>(self, query: &T) -> Req {
        Req(self.0.query(query))
    }

    pub fn body(self, body: impl Into<reqwest::Body>) -> Req {
        Req(self.0.body(body))
    }

    /// Sends the request (awaiting the `Req` does the same).
    pub fn send(
        self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = reqwest::Response> + Send>> {
        Box::pin(async move { self.0.send().await.expect("the request is sent") })
    }

    /// The body of the answer as JSON, whatever the status.
    pub async fn value<T: serde::de::DeserializeOwned>(self) -> T {
        self.await.json().await.expect("a JSON body")
    }

    /// The body of the answer as JSON, after checking its status.
    pub async fn expect(self, status: u16) -> Value {
        let res = self.await;
        let got = res.status().as_u16();
        let text = res.text().await.unwrap();
        assert_eq!(got, status, "unexpected status; body: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }
}

impl std::future::IntoFuture for Req {
    type Output = reqwest::Response;
    type IntoFuture =
        std::pin::Pin<Box<dyn std::future::Future<Output = reqwest::Response> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

/// Asserts a problem+json answer with the given status and code; returns the body.
pub async fn assert_problem(res: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status, "unexpected status");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        ct.starts_with("application/problem+json"),
        "content-type was {ct}"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "body: {body}");
    assert_eq!(body["status"], status);
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["type"].as_str().is_some());
    assert!(body["detail"].as_str().is_some());
    body
}

/// Generates `mod NAME { sqlite, postgres }` tests calling `async fn NAME(Backend)`. The
/// PostgreSQL variant is ignored unless asked for (`cargo test -- --include-ignored`, with
/// `HOCSO_TEST_POSTGRES_URL` set), so that a run without PostgreSQL says so.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[actix_web::test]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
                #[actix_web::test]
                #[ignore = "PostgreSQL: set HOCSO_TEST_POSTGRES_URL and run with --include-ignored"]
                async fn postgres() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            }
        )*
    };
}

/// A real SMTP server in the test process (mailin-embedded) that keeps every message.
pub struct SmtpSink {
    pub port: u16,
    pub messages: Arc<Mutex<Vec<Vec<u8>>>>,
}

#[derive(Clone)]
struct Collect {
    current: Vec<u8>,
    messages: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl mailin_embedded::Handler for Collect {
    fn data_start(&mut self, _: &str, _: &str, _: bool, _: &[String]) -> mailin_embedded::Response {
        self.current.clear();
        mailin_embedded::response::OK
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> mailin_embedded::Response {
        self.messages
            .lock()
            .unwrap()
            .push(std::mem::take(&mut self.current));
        mailin_embedded::response::OK
    }
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        Self::start_with(listener)
    }

    pub fn start_on(port: u16) -> SmtpSink {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        Self::start_with(listener)
    }

    fn start_with(listener: std::net::TcpListener) -> SmtpSink {
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let handler = Collect {
            current: Vec::new(),
            messages: messages.clone(),
        };
        let mut server = mailin_embedded::Server::new(handler);
        server.with_name("localhost").with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpSink { port, messages }
    }

    /// Waits up to 15 s for a message to `to`; returns (subject, text body).
    pub async fn wait_for(&self, to: &str) -> (String, String) {
        for _ in 0..300 {
            if let Some(found) = self.find(to).into_iter().next() {
                return found;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no mail to {to} arrived");
    }

    pub fn find(&self, to: &str) -> Vec<(String, String)> {
        self.messages
            .lock()
            .unwrap()
            .iter()
            .filter_map(|raw| {
                let msg = mail_parser::MessageParser::default().parse(raw)?;
                let addressed = msg
                    .to()
                    .and_then(|a| a.first())
                    .and_then(|a| a.address())
                    .is_some_and(|a| a.eq_ignore_ascii_case(to));
                addressed.then(|| {
                    (
                        msg.subject().unwrap_or_default().to_string(),
                        msg.body_text(0).unwrap_or_default().to_string(),
                    )
                })
            })
            .collect()
    }
}

/// Settings for an app that sends mail to `sink`.
pub fn smtp_settings(port: u16) -> impl FnOnce(&mut Settings) {
    move |s: &mut Settings| {
        s.mail_transport = "smtp".into();
        s.smtp_host = "127.0.0.1".into();
        s.smtp_port = port;
        s.smtp_tls = "none".into();
        s.mail_poll_ms = 50;
        s.mail_retry_base_seconds = 0;
        s.mail_max_attempts = 1000;
    }
}

/// The token in a mail body (`...token=XYZ`).
pub fn token_from(body: &str) -> String {
    let i = body.find("token=").expect("a link with a token") + 6;
    body[i..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Registers through the API; the body accepts the current privacy notice unless it says
/// otherwise (`"accept_privacy_notice": null` to register without consent).
pub async fn register(app: &TestApp, mut body: Value) -> reqwest::Response {
    if let Some(o) = body.as_object_mut() {
        o.entry("accept_privacy_notice")
            .or_insert(hocso::privacy::NOTICE_VERSION.into());
    }
    app.post("/api/v1/auth/register").json(&body).await
}

/// Logs in; returns the token response.
pub async fn login(app: &TestApp, login: &str, password: &str) -> Value {
    let res = app
        .post("/api/v1/auth/login")
        .json(&serde_json::json!({"login": login, "password": password}))
        .await;
    assert_eq!(res.status(), 200, "login of {login}");
    res.json().await.unwrap()
}

/// Creates a learner with e-mail and logs in; returns (user id, access token).
pub async fn learner(app: &TestApp, email: &str) -> (String, String) {
    let res = register(
        app,
        serde_json::json!({"display_name": "Học viên", "email": email, "password": "mat-khau-rat-dai-1"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let user: Value = res.json().await.unwrap();
    let tokens = login(app, email, "mat-khau-rat-dai-1").await;
    (
        user["id"].as_str().unwrap().to_string(),
        tokens["access_token"].as_str().unwrap().to_string(),
    )
}

/// Creates a global admin directly in the database and logs in; returns (id, access token).
pub async fn admin(app: &TestApp) -> (String, String) {
    let hasher = app.state.hasher.clone();
    let id = app
        .db(move |conn| {
            let id = hocso::accounts::create_account(
                conn,
                &hasher,
                hocso::accounts::NewAccount {
                    display_name: "Quản trị",
                    email: Some("admin@hocso.test"),
                    phone: None,
                    username: None,
                    password: "quan-tri-mat-khau-1",
                    language: "vi",
                },
            )
            .unwrap();
            hocso::api::admin::grant(conn, &id, hocso::auth::Role::Admin, None, None).unwrap();
            // As the CLI's admin would at the first login: the privacy notice accepted.
            hocso::privacy::record(conn, &id, hocso::privacy::ConsentWay::Online, None).unwrap();
            id
        })
        .await;
    let tokens = login(app, "admin@hocso.test", "quan-tri-mat-khau-1").await;
    (id, tokens["access_token"].as_str().unwrap().to_string())
}

/// A user with the instructor role; returns (id, access token).
pub async fn instructor(app: &TestApp, email: &str) -> (String, String) {
    let (id, _) = learner(app, email).await;
    let uid = id.clone();
    app.db(move |conn| {
        hocso::api::admin::grant(conn, &uid, hocso::auth::Role::Instructor, None, None).unwrap()
    })
    .await;
    let tokens = login(app, email, "mat-khau-rat-dai-1").await;
    (id, tokens["access_token"].as_str().unwrap().to_string())
}

/// Path of a test fixture.
pub fn fixture(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// Creates a locality through the admin API; returns its id.
pub async fn create_locality(app: &TestApp, token: &str, body: Value) -> String {
    let res = app
        .post("/api/v1/admin/localities")
        .token(token)
        .json(&body)
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The right answers to the fixture course `mini`'s quiz, for an attempt as the API gives it.
pub fn mini_quiz_answers(attempt: &Value) -> Vec<Value> {
    attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| match q["type"].as_str().unwrap() {
            "single" => json!({"question": q["id"], "choice": q["options"].as_array().unwrap().iter().find(|o| o["text"] == "Chỉ mình tôi").unwrap()["id"]}),
            "true_false" => json!({"question": q["id"], "value": true}),
            _ => {
                let order = ["Mở ứng dụng", "Đăng nhập", "Chuyển tiền"];
                json!({"question": q["id"], "order": order.iter().map(|t| q["options"].as_array().unwrap().iter().find(|o| o["text"] == *t).unwrap()["id"].clone()).collect::<Vec<_>>()})
            }
        })
        .collect()
}

/// A progress event with a new client event id, occurring now.
pub fn event(status: &str, seconds: i64) -> Value {
    json!({"client_event_id": uuid::Uuid::new_v4().to_string(), "status": status,
           "time_spent_seconds": seconds, "occurred_at": chrono::Utc::now().to_rfc3339()})
}

/// `PUT` a progress event for a lesson.
pub async fn progress(
    app: &TestApp,
    token: &str,
    slug: &str,
    lesson: &str,
    body: &Value,
) -> reqwest::Response {
    app.put(&format!(
        "/api/v1/me/courses/{slug}/lessons/{lesson}/progress"
    ))
    .token(token)
    .json(body)
    .await
}

/// A new draft course `slug` (online safety, basic, for citizens) titled `title` (Vietnamese,
/// English) with one module `m` titled `module`, created through the API by `token`'s instructor.
#[allow(dead_code)] // used by the web tests
pub async fn draft_with_module(
    app: &TestApp,
    token: &str,
    slug: &str,
    title: (&str, &str),
    module: (&str, &str),
) {
    app.post("/api/v1/courses")
        .token(token)
        .json(&json!({"slug": slug, "title": title.0, "title_en": title.1,
            "summary": "S", "summary_en": "S", "topic": "online_safety", "level": "basic",
            "groups": ["citizen"], "estimated_minutes": 10}))
        .expect(201)
        .await;
    app.post(&format!("/api/v1/courses/{slug}/modules"))
        .token(token)
        .json(&json!({"key": "m", "title": module.0, "title_en": module.1}))
        .expect(201)
        .await;
}

/// Adds each quiz of `quizzes` to module `m` of the draft `slug`, then publishes it.
#[allow(dead_code)] // used by the web tests
pub async fn publish_with_quizzes(app: &TestApp, token: &str, slug: &str, quizzes: &[Value]) {
    for quiz in quizzes {
        app.post(&format!("/api/v1/courses/{slug}/modules/m/quizzes"))
            .token(token)
            .json(quiz)
            .expect(200)
            .await;
    }
    app.post(&format!("/api/v1/courses/{slug}/publish"))
        .token(token)
        .expect(201)
        .await;
}

/// A published course with lessons `a` and `b` (no quiz), owned by a new instructor.
pub async fn simple_course(app: &TestApp, slug: &str) {
    let (_, t) = instructor(app, &format!("gv.{slug}@example.vn")).await;
    app.post("/api/v1/courses")
        .token(&t)
        .json(&json!({"slug": slug, "title": format!("Khóa {slug}"), "title_en": "Course", "summary": "S", "summary_en": "S",
            "topic": "basic_skills", "level": "basic", "groups": ["citizen"], "estimated_minutes": 10}))
        .await;
    app.post(&format!("/api/v1/courses/{slug}/modules"))
        .token(&t)
        .json(&json!({"key": "m", "title": "M", "title_en": "M"}))
        .await;
    for key in ["a", "b"] {
        app.post(&format!("/api/v1/courses/{slug}/modules/m/lessons"))
            .token(&t)
            .json(
                &json!({"key": key, "title": key, "title_en": key, "estimated_minutes": 5,
                "sources": [{"title": "N", "url": "https://example.vn"}], "body": "x"}),
            )
            .await;
    }
    let res = app
        .post(&format!("/api/v1/courses/{slug}/publish"))
        .token(&t)
        .await;
    assert_eq!(res.status(), 201);
}
