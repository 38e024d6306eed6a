//! The `hocso` binary: start-up failures, `config`, `migrate --status`.

use std::process::Command;

use crate::helpers::{create_pg_database, drop_pg_database, pg_admin};

/// `hocso` with no HOCSO_* variable of the test's environment, in `dir`.
pub fn hocso(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hocso"));
    cmd.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("HOCSO_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("HOCSO_BIND", "127.0.0.1:0");
    cmd
}

#[test]
fn unsupported_database_scheme_stops_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = hocso(dir.path())
        .env("HOCSO_DATABASE_URL", "mysql://root@localhost/hocso")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("unsupported database URL scheme `mysql`"),
        "{stderr}"
    );
    // Never a silently created SQLite file.
    assert!(!dir.path().join("data/hocso.db").exists());
}

#[test]
fn refused_postgres_connection_reports_the_real_cause() {
    let dir = tempfile::tempdir().unwrap();
    let out = hocso(dir.path())
        .env("HOCSO_DATABASE_URL", "postgres://postgres@127.0.0.1:1/none")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("cannot connect to the postgres database"),
        "{stderr}"
    );
    assert!(stderr.to_lowercase().contains("refused"), "{stderr}");
    assert!(!dir.path().join("data/hocso.db").exists());
}

#[test]
#[ignore = "PostgreSQL: set HOCSO_TEST_POSTGRES_URL and run with --include-ignored"]
fn unknown_postgres_role_is_named() {
    let admin = pg_admin();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_username("no_such_role_hocso").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = hocso(dir.path())
        .env("HOCSO_DATABASE_URL", url.as_str())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no_such_role_hocso"), "{stderr}");
}

#[test]
fn config_masks_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let out = hocso(dir.path())
        .arg("config")
        .env("HOCSO_JWT_SECRET", "very-secret-signing-key-0123456789")
        .env(
            "HOCSO_DATABASE_URL",
            "postgres://app:db-password-xyz@localhost/hocso",
        )
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("bind = 127.0.0.1:0"), "{stdout}");
    assert!(stdout.contains("jwt_secret = ******** (set)"), "{stdout}");
    assert!(!stdout.contains("very-secret-signing-key"));
    assert!(!stdout.contains("db-password-xyz"));
}

#[test]
fn config_file_is_read_and_env_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hocso.toml"),
        "public_url = \"https://hocso.example.vn\"\nmax_body_bytes = 2048\n",
    )
    .unwrap();
    let out = hocso(dir.path())
        .args(["--config", "hocso.toml", "config"])
        .env("HOCSO_MAX_BODY_BYTES", "4096")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("public_url = https://hocso.example.vn"),
        "{stdout}"
    );
    assert!(stdout.contains("max_body_bytes = 4096"), "{stdout}");
}

#[test]
fn migrate_then_status_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let out = hocso(dir.path())
        .args(["migrate", "--status"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.lines().all(|l| l.starts_with("pending")), "{stdout}");
    let out = hocso(dir.path()).arg("migrate").output().unwrap();
    assert!(out.status.success());
    let out = hocso(dir.path())
        .args(["migrate", "--status"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.is_empty() && stdout.lines().all(|l| l.starts_with("applied")),
        "{stdout}"
    );
    assert!(dir.path().join("data/hocso.db").exists());
}

#[test]
#[ignore = "PostgreSQL: set HOCSO_TEST_POSTGRES_URL and run with --include-ignored"]
fn migrate_on_postgres() {
    let admin = pg_admin();
    let (url, name) = create_pg_database(&admin);
    let dir = tempfile::tempdir().unwrap();
    let out = hocso(dir.path())
        .arg("migrate")
        .env("HOCSO_DATABASE_URL", &url)
        .output()
        .unwrap();
    let ok = out.status.success();
    let status = hocso(dir.path())
        .args(["migrate", "--status"])
        .env("HOCSO_DATABASE_URL", &url)
        .output()
        .unwrap();
    drop_pg_database(&admin, &name);
    assert!(ok, "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&status.stdout);
    assert!(stdout.lines().all(|l| l.starts_with("applied")), "{stdout}");
}

#[test]
fn help_on_every_command() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["config", "--help"],
    ] {
        let out = hocso(dir.path()).args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
    }
}

#[test]
fn every_setting_is_documented() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/CONFIGURATION.md"
    ))
    .unwrap();
    for (key, _) in hocso::config::Settings::default().masked_entries() {
        assert!(
            doc.contains(&format!("| `{key}` |")),
            "docs/CONFIGURATION.md lacks `{key}`"
        );
    }
}

#[test]
fn sigterm_shuts_down_gracefully() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = hocso(dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "server exited early"
        );
        if line.starts_with("hocso listening on http://127.0.0.1:") {
            break;
        }
    }
    let port: u16 = line
        .trim_start_matches("hocso listening on http://127.0.0.1:")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    {
        use std::io::{Read, Write};
        let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        conn.write_all(b"GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        conn.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    assert!(dir.path().join("data/hocso.db").exists());
    // The signal handlers are installed once the server runs; give it a moment.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status {status:?}");
}

fn seed_and_count(dir: &std::path::Path, url: Option<&str>) {
    let mut cmd = hocso(dir);
    cmd.args(["dev", "seed", "--learners", "250"])
        .env(
            "HOCSO_COURSES_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/courses"),
        )
        .env("HOCSO_ARGON2_MEMORY_KIB", "1024")
        .env("HOCSO_ARGON2_ITERATIONS", "1");
    if let Some(url) = url {
        cmd.env("HOCSO_DATABASE_URL", url);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("seeded 250 learners"));
    use diesel::prelude::*;
    use hocso::db::schema::{households, learner_profiles, localities, users};
    let url = url
        .map(String::from)
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("data/hocso.db").display()));
    let mut conn = hocso::db::connect_once(&url).unwrap();
    let count = |n: QueryResult<i64>| n.unwrap();
    assert_eq!(
        count(learner_profiles::table.count().get_result(&mut conn)),
        250
    );
    assert_eq!(
        count(
            users::table
                .filter(users::username.like("seed%"))
                .count()
                .get_result(&mut conn)
        ),
        250
    );
    assert_eq!(
        count(
            localities::table
                .filter(localities::kind.eq("village"))
                .count()
                .get_result(&mut conn)
        ),
        10
    );
    assert!(count(households::table.count().get_result(&mut conn)) >= 63);
}

#[test]
fn dev_seed_generates_benchmark_data() {
    let dir = tempfile::tempdir().unwrap();
    seed_and_count(dir.path(), None);
}

#[test]
#[ignore = "PostgreSQL: set HOCSO_TEST_POSTGRES_URL and run with --include-ignored"]
fn dev_seed_generates_benchmark_data_on_postgres() {
    let admin = pg_admin();
    let (url, name) = create_pg_database(&admin);
    let dir = tempfile::tempdir().unwrap();
    seed_and_count(dir.path(), Some(&url));
    drop_pg_database(&admin, &name);
}
