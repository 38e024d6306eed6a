//! Spawns the real application on port 0 with a fresh database per test.

use std::io::Write;
use std::sync::{Arc, LazyLock, Mutex};

use actix_web::web;
use diesel::pg::PgConnection;
use diesel::{Connection, RunQueryDsl};
use hocso::config::Settings;
use hocso::db::PooledConn;
use hocso::startup::{AppState, Application};
use serde_json::Value;
use tempfile::TempDir;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// `HOCSO_TEST_POSTGRES_URL`: when set, every test also runs on PostgreSQL.
pub fn pg_admin_url() -> Option<String> {
    std::env::var("HOCSO_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.trim().is_empty())
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
    pub backend: Backend,
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
        LazyLock::force(&LOGS);
        let dir = tempfile::tempdir().unwrap();
        let (database_url, pg) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.path().join("test.db").display()),
                None,
            ),
            Backend::Postgres => {
                let admin = pg_admin_url().expect("HOCSO_TEST_POSTGRES_URL");
                let (url, name) = create_pg_database(&admin);
                (url, Some((admin, name)))
            }
        };
        let mut settings = Settings {
            database_url: database_url.clone(),
            bind: "127.0.0.1:0".into(),
            data_dir: dir.path().join("data"),
            workers: 2,
            db_pool_size: 4,
            // Fast hashing in tests; the parameters still come from settings.
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
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
            backend,
            state,
            dir,
            database_url,
            pg,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.post(self.url(path))
    }

    pub fn put(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.put(self.url(path))
    }

    pub fn patch(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.patch(self.url(path))
    }

    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.delete(self.url(path))
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

/// Generates `mod NAME { sqlite, postgres }` tests calling `async fn NAME(Backend)`.
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
                async fn postgres() {
                    if $crate::helpers::pg_admin_url().is_some() {
                        super::$name($crate::helpers::Backend::Postgres).await
                    }
                }
            }
        )*
    };
}
