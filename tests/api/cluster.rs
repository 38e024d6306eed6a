//! PostgreSQL clusters of the tests' own (`initdb`, `pg_basebackup`), hocso server processes and
//! an HAProxy in front of them: what the outage, replication and failover tests stand on.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::fixture;

/// A free TCP port on 127.0.0.1 (free when asked; the caller binds it soon after).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// How a primary replicates to its standbys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replication {
    /// No standby.
    None,
    /// Standbys stream the WAL; a commit does not wait for them.
    Asynchronous,
    /// A commit is acknowledged once the standby named `standby1` has applied it
    /// (`synchronous_commit = remote_apply`), the mode docs/SCALING.md recommends.
    Synchronous,
}

/// A PostgreSQL cluster in a temporary directory, on a port of its own, run as the `postgres`
/// system user when the tests run as root (initdb refuses root).
pub struct PgCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    as_postgres: bool,
}

impl PgCluster {
    fn bin_dir() -> Option<PathBuf> {
        let from_config = Command::new("pg_config")
            .arg("--bindir")
            .output()
            .ok()
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
        let mut candidates: Vec<PathBuf> = from_config.into_iter().collect();
        if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
            let mut versions: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            versions.sort();
            candidates.extend(versions.into_iter().rev().map(|v| v.join("bin")));
        }
        candidates.into_iter().find(|d| {
            d.join("initdb").exists()
                && d.join("pg_ctl").exists()
                && d.join("pg_basebackup").exists()
        })
    }

    /// An empty directory for a cluster, owned by the user that runs it.
    fn new() -> PgCluster {
        let bin = Self::bin_dir().expect("PostgreSQL server binaries (initdb, pg_ctl)");
        let dir = tempfile::tempdir().unwrap();
        let uid = Command::new("id").arg("-u").output().unwrap();
        let as_postgres = String::from_utf8_lossy(&uid.stdout).trim() == "0";
        if as_postgres {
            let ok = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(ok.success());
        }
        PgCluster {
            dir,
            bin,
            port: free_port(),
            as_postgres,
        }
    }

    /// A new cluster (initdb), started.
    pub fn start() -> PgCluster {
        Self::primary(Replication::None)
    }

    /// A new cluster that standbys can follow as `replication` says, started.
    pub fn primary(replication: Replication) -> PgCluster {
        let cluster = Self::new();
        cluster.run(
            "initdb",
            &[
                "-D",
                &cluster.data(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        let mut conf = String::from(
            "listen_addresses = '127.0.0.1'\nfsync = off\nwal_level = replica\n\
             max_wal_senders = 10\nhot_standby = on\nwal_keep_size = '256MB'\n",
        );
        if replication == Replication::Synchronous {
            conf.push_str(
                "synchronous_standby_names = 'standby1'\nsynchronous_commit = remote_apply\n",
            );
        }
        cluster.append_conf(&conf);
        cluster.up();
        cluster
    }

    /// A hot standby of `primary` (pg_basebackup), named `name` (its `application_name`),
    /// started and streaming.
    pub fn standby_of(primary: &PgCluster, name: &str) -> PgCluster {
        let cluster = Self::new();
        let conninfo = format!(
            "host=127.0.0.1 port={} user=postgres application_name={name}",
            primary.port
        );
        cluster.run(
            "pg_basebackup",
            &[
                "-d",
                &conninfo,
                "-D",
                &cluster.data(),
                "-R",
                "-X",
                "stream",
                "--no-sync",
            ],
        );
        // The copied configuration names the primary's synchronous standby; promoted, this one
        // has none left, and would wait for it for ever at every commit (docs/SCALING.md: the
        // failover procedure says which standbys a new primary waits for).
        cluster.append_conf("synchronous_standby_names = ''\n");
        cluster.up();
        primary.wait_for_standby(name);
        cluster
    }

    fn append_conf(&self, text: &str) {
        use std::io::Write;
        let path = Path::new(&self.data()).join("postgresql.conf");
        let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    pub fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// A command for one of the server programs, run as `postgres` when we are root.
    fn command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn up(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-w",
                "-o",
                &options,
                "start",
            ],
        );
    }

    pub fn down(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    /// The machine is lost: the postmaster and every backend killed with SIGKILL at once.
    pub fn kill(&self) {
        let pid_file = Path::new(&self.data()).join("postmaster.pid");
        let pid = std::fs::read_to_string(pid_file)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .trim()
            .to_string();
        // The backends first (children of the postmaster), then the postmaster, so that
        // nothing is left to finish a commit or write a shutdown record.
        let _ = Command::new("pkill").args(["-KILL", "-P", &pid]).status();
        let ok = Command::new("kill").args(["-KILL", &pid]).status().unwrap();
        assert!(ok.success(), "kill -KILL {pid}");
        let _ = Command::new("pkill").args(["-KILL", "-P", &pid]).status();
    }

    /// Promotes a standby to primary and waits until it accepts writes.
    pub fn promote(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-w", "promote"]);
    }

    /// One SQL statement through psql; its rows, one per line, fields separated by `|`.
    pub fn psql(&self, sql: &str) -> String {
        let out = Command::new("psql")
            .args(["-X", "-A", "-t", "-h", "127.0.0.1", "-U", "postgres", "-p"])
            .arg(self.port.to_string())
            .args(["-d", "postgres", "-c", sql])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Waits until the standby `name` streams from this primary.
    fn wait_for_standby(&self, name: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = self.psql(&format!(
                "SELECT state FROM pg_stat_replication WHERE application_name = '{name}'"
            ));
            if state == "streaming" {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "standby {name} is not streaming: `{state}`"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// What the server logged, for a failing test.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self
            .command("pg_ctl")
            .args(["-D", data.as_str(), "-m", "immediate", "stop"])
            .output();
    }
}

/// libpq's multi-host URL of `hosts` that connects to the one that accepts writes.
pub fn failover_url(hosts: &[&PgCluster]) -> String {
    let hosts: Vec<String> = hosts
        .iter()
        .map(|c| format!("127.0.0.1:{}", c.port))
        .collect();
    format!(
        "postgres://postgres@{}/postgres?target_session_attrs=read-write",
        hosts.join(",")
    )
}

/// A hocso server process (the real binary), stopped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    pub dir: PathBuf,
    /// What it logged before it listened (its start-up).
    pub startup_log: String,
}

/// A server process spawned and not yet listening.
pub struct Starting {
    child: Child,
    dir: PathBuf,
}

/// Settings every test server gets: cheap password hashing, the fixture courses.
const COMMON: [(&str, &str); 4] = [
    ("HOCSO_ARGON2_MEMORY_KIB", "1024"),
    ("HOCSO_ARGON2_ITERATIONS", "1"),
    ("HOCSO_RATE_LIMIT_IP_PER_MINUTE", "1000"),
    ("HOCSO_LOG_LEVEL", "info"),
];

impl Server {
    /// Starts the binary in `dir` on `url` with `env` on top of the common settings, and waits
    /// until it listens.
    pub fn start(dir: &Path, url: &str, env: &[(&str, String)]) -> Server {
        Self::spawn(dir, url, env)
            .listening()
            .unwrap_or_else(|why| panic!("the server did not come up: {why}"))
    }

    /// Spawns the binary in `dir` (none of the caller's `HOCSO_*` variables, only the common
    /// settings and `env`), without waiting: several can be started at the same moment.
    pub fn spawn(dir: &Path, url: &str, env: &[(&str, String)]) -> Starting {
        std::fs::create_dir_all(dir).unwrap();
        let mut cmd = crate::cli::hocso(dir);
        cmd.env("HOCSO_DATABASE_URL", url)
            .env("HOCSO_COURSES_DIR", fixture("courses"));
        for (k, v) in COMMON {
            cmd.env(k, v);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.join("stderr.log")).unwrap())
            .spawn()
            .unwrap();
        Starting {
            child,
            dir: dir.to_path_buf(),
        }
    }

    /// The process (to kill it as a crash would, or to see whether it still runs).
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    pub fn port(&self) -> u16 {
        self.base.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// What the server logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("stdout.log")).unwrap_or_default()
    }

    /// The value of the Prometheus sample `name` with exactly `labels` (`a="b",c="d"`).
    pub async fn metric(&self, name: &str, labels: &str) -> Option<f64> {
        let text = reqwest::get(format!("{}/metrics", self.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        metric_in(&text, name, labels)
    }
}

impl Starting {
    /// Waits until the server listens, and gives it with what it logged until then; or why it
    /// did not come up (it exited: its output).
    // The child is waited for here, or by the `Server` it becomes.
    #[allow(clippy::zombie_processes)]
    pub fn listening(mut self) -> Result<Server, String> {
        let mut out = BufReader::new(self.child.stdout.take().unwrap());
        let (mut log, mut line) = (String::new(), String::new());
        loop {
            line.clear();
            if out.read_line(&mut line).unwrap_or(0) == 0 {
                let status = self.child.wait().ok();
                let err = std::fs::read_to_string(self.dir.join("stderr.log")).unwrap_or_default();
                return Err(format!("exited ({status:?}): {err}{log}"));
            }
            if let Some(rest) = line.strip_prefix("hocso listening on ") {
                let base = rest.split(' ').next().unwrap().to_string();
                // Keep draining stdout (the log) into a file, so the server never blocks on a
                // full pipe and a failing test can show it.
                let mut file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.dir.join("stdout.log"))
                    .unwrap();
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut out, &mut file);
                });
                return Ok(Server {
                    child: self.child,
                    base,
                    dir: self.dir,
                    startup_log: log,
                });
            }
            log.push_str(&line);
        }
    }
}

/// The value of the sample `name{labels}` in a Prometheus text exposition.
pub fn metric_in(text: &str, name: &str, labels: &str) -> Option<f64> {
    let key = if labels.is_empty() {
        name.to_string()
    } else {
        format!("{name}{{{labels}}}")
    };
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(&key).and_then(|v| v.trim().parse().ok()))
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// HAProxy (Debian's package) balancing HTTP round robin over `servers`, with health checks.
pub struct Balancer {
    child: Child,
    _dir: tempfile::TempDir,
    pub base: String,
}

impl Balancer {
    // The process is killed and waited for in `Drop`.
    #[allow(clippy::zombie_processes)]
    pub fn start(servers: &[&Server]) -> Balancer {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut cfg = format!(
            "global\n  maxconn 2000\n\
             defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n  option forwardfor\n\
             frontend hocso\n  bind 127.0.0.1:{port}\n  default_backend instances\n\
             backend instances\n  balance roundrobin\n  option httpchk GET /health/live\n"
        );
        for (i, s) in servers.iter().enumerate() {
            cfg.push_str(&format!(
                "  server i{i} 127.0.0.1:{} check inter 500ms\n",
                s.port()
            ));
        }
        let path = dir.path().join("haproxy.cfg");
        std::fs::write(&path, cfg).unwrap();
        let exe = ["/usr/sbin/haproxy", "/usr/bin/haproxy"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("HAProxy (apt-get install haproxy)");
        let child = Command::new(exe)
            .arg("-db")
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("haproxy.log")).unwrap())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "HAProxy did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Balancer {
            child,
            _dir: dir,
            base,
        }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
