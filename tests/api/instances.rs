//! Several instances on one PostgreSQL database (docs/OPERATIONS.md, "Several instances"): three
//! `hocso` processes started at the same moment all come up, and what an instance does by itself
//! at start (migrations, the shipped courses' import, the indicator facts' rebuild) is done once.
//! The other background work with N instances: the mail (tests/api/resilience.rs), retention
//! (tests/api/retention.rs), erasures (below).

use chrono::TimeDelta;
use diesel::prelude::*;
use serde_json::json;

use crate::cli::hocso;
use crate::cluster::{Server, Starting};
use crate::community::world;
use crate::helpers::*;

/// An instance that came up, or why it did not.
type Instance = Result<Server, String>;

/// Starts `n` instances at the same moment (every process spawned before any is waited for) and
/// waits until each listens or exits.
fn start_at_once(
    n: usize,
    url: &str,
    courses: &std::path::Path,
) -> (Vec<Instance>, Vec<tempfile::TempDir>) {
    let dirs: Vec<tempfile::TempDir> = (0..n).map(|_| tempfile::tempdir().unwrap()).collect();
    let env = [
        ("HOCSO_COURSES_DIR", courses.display().to_string()),
        ("HOCSO_LOG_FORMAT", "json".to_string()),
        ("HOCSO_WORKERS", "1".to_string()),
    ];
    let starting: Vec<Starting> = dirs
        .iter()
        .map(|d| Server::spawn(d.path(), url, &env))
        .collect();
    let waiting: Vec<_> = starting
        .into_iter()
        .map(|s| std::thread::spawn(move || s.listening()))
        .collect();
    let instances = waiting.into_iter().map(|t| t.join().unwrap()).collect();
    (instances, dirs)
}

/// How many of the instances logged `message` while starting.
fn logged(instances: &[Instance], message: &str) -> usize {
    instances
        .iter()
        .filter(|i| i.as_ref().is_ok_and(|s| s.startup_log.contains(message)))
        .count()
}

async fn all_ready(instances: &[Instance]) {
    for (n, i) in instances.iter().enumerate() {
        let i = i
            .as_ref()
            .unwrap_or_else(|why| panic!("instance {n} did not come up: {why}"));
        let res = reqwest::get(format!("{}/health/ready", i.base))
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "instance {n}");
    }
}

/// `hocso reports check`: the counts reports read equal what the profiles give.
fn reports_check(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = hocso(dir.path())
        .env("HOCSO_DATABASE_URL", url)
        .args(["reports", "check"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hocso reports check: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[actix_web::test]
#[ignore = "PostgreSQL: set HOCSO_TEST_POSTGRES_URL and run with --include-ignored"]
async fn three_instances_started_at_once_on_a_fresh_database() {
    let admin = pg_admin();
    let (url, name) = create_pg_database(&admin);
    let courses = fixture("courses");
    let (instances, _dirs) = start_at_once(3, &url, &courses);
    all_ready(&instances).await;
    // One applied the migrations, one imported the courses and built the facts (the import
    // builds them); the others found it done.
    assert_eq!(logged(&instances, "imported the shipped courses"), 1);
    assert_eq!(logged(&instances, "indicator facts rebuilt"), 1);
    let mut conn = hocso::db::connect_once(&url).unwrap();
    let status = hocso::db::migrate::status(&mut conn).unwrap();
    assert!(status.pending.is_empty(), "{:?}", status.pending);
    let applied: Vec<String> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
            .load::<Version>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|v| v.version)
            .collect();
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("up.sql").exists())
        .count();
    assert_eq!(applied.len(), shipped);
    // The shipped courses, each once, and each instance's catalogue has them all.
    use hocso::db::schema::courses;
    let slugs: Vec<String> = courses::table
        .select(courses::slug)
        .order(courses::slug)
        .load(&mut conn)
        .unwrap();
    assert_eq!(slugs, ["mini"]);
    for i in instances.iter().flatten() {
        let list: serde_json::Value = reqwest::get(format!("{}/api/v1/courses", i.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    }
    reports_check(&url);
    drop(instances);
    drop(conn);
    drop_pg_database(&admin, &name);
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

/// A database with people, enrolments and certificates whose indicator facts are stale (as after
/// an upgrade that counts differently, or a changed `indicators.toml`): three instances started
/// at once rebuild them once, and the counts are right.
#[actix_web::test]
#[ignore = "PostgreSQL: set HOCSO_TEST_POSTGRES_URL and run with --include-ignored"]
async fn three_instances_rebuild_stale_facts_once() {
    let admin = pg_admin();
    let (url, name) = create_pg_database(&admin);
    let courses = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("courses");
    let dir = tempfile::tempdir().unwrap();
    let seeded = hocso(dir.path())
        .env("HOCSO_DATABASE_URL", &url)
        .env("HOCSO_COURSES_DIR", &courses)
        .env("HOCSO_ARGON2_MEMORY_KIB", "1024")
        .env("HOCSO_ARGON2_ITERATIONS", "1")
        .args(["dev", "seed", "--learners", "3000"])
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    reports_check(&url);
    // Stale: the fingerprint is not the configuration's, and the counts are gone.
    let mut conn = hocso::db::connect_once(&url).unwrap();
    diesel::sql_query("UPDATE indicator_facts_basis SET config = 'an older configuration'")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("DELETE FROM report_counts")
        .execute(&mut conn)
        .unwrap();
    let (instances, _dirs) = start_at_once(3, &url, &courses);
    all_ready(&instances).await;
    assert_eq!(
        logged(
            &instances,
            "indicator facts rebuilt for the current indicator configuration"
        ),
        1
    );
    assert_eq!(logged(&instances, "indicator facts rebuilt"), 1);
    assert_eq!(logged(&instances, "imported the shipped courses"), 0);
    reports_check(&url);
    drop(instances);
    drop(conn);
    drop_pg_database(&admin, &name);
}

/// Three instances carry out the erasures whose day has come at the same moment (each its hourly
/// run, or an admin's on each): each person is erased once, and counted among the erased once.
async fn erasures_by_three_instances_at_once(backend: Backend) {
    // One secret for all three, as instances behind one balancer have: a token from one is good
    // on the others.
    let shared = |s: &mut hocso::config::Settings| {
        s.jwt_secret = Some("mot-bi-mat-chung-cua-ba-may-chu-du-dai".to_string().into());
    };
    let first = TestApp::spawn_with(backend, shared).await;
    let others = [
        TestApp::spawn_beside(&first, shared).await,
        TestApp::spawn_beside(&first, shared).await,
    ];
    let w = world(&first).await;
    // Residents of village V1 each ask for their data to be erased.
    let people = 12;
    let (village, hasher) = (w.v1.clone(), first.state.hasher.clone());
    first
        .db(move |conn| {
            for i in 0..people {
                let id = hocso::accounts::create_account(
                    conn,
                    &hasher,
                    hocso::accounts::NewAccount {
                        display_name: &format!("Người {i}"),
                        email: Some(&format!("xoa{i}@example.vn")),
                        phone: None,
                        username: None,
                        password: "mat-khau-rat-dai-1",
                        language: "vi",
                    },
                )
                .unwrap();
                hocso::privacy::record(conn, &id, hocso::privacy::ConsentWay::Paper, None).unwrap();
                let mut p = hocso::db::community::Profile::empty(&id);
                p.village_id = Some(village.clone());
                p.birth_year = Some(1970);
                hocso::community::save_profile(conn, &p).unwrap();
            }
        })
        .await;
    let mut tokens = Vec::new();
    for i in 0..people {
        let token = login(&first, &format!("xoa{i}@example.vn"), "mat-khau-rat-dai-1").await
            ["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        tokens.push(token);
    }
    for token in &tokens {
        first
            .post("/api/v1/me/erasure")
            .token(token)
            .json(&json!({"password": "mat-khau-rat-dai-1"}))
            .expect(201)
            .await;
    }
    for app in std::iter::once(&first).chain(&others) {
        app.state.clock.advance(TimeDelta::days(8));
    }
    let runs = futures_util::future::join_all(std::iter::once(&first).chain(&others).map(|app| {
        app.post("/api/v1/admin/erasures/run")
            .token(&w.admin)
            .expect(200)
    }))
    .await;
    let erased: i64 = runs.iter().map(|r| r["erased"].as_i64().unwrap()).sum();
    assert_eq!(erased, people);
    let rows: i64 = first
        .db(|c| {
            diesel::sql_query("SELECT COUNT(*) AS n FROM erased_facts")
                .get_result::<Count>(c)
                .unwrap()
                .n
        })
        .await;
    assert_eq!(rows, people, "each erased person counted once");
    let drift = first.db(|c| hocso::reports::drift(c).unwrap()).await;
    assert!(drift.is_empty(), "{drift:?}");
}

crate::both_backends!(erasures_by_three_instances_at_once);

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}
