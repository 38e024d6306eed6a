//! Hot standbys for reads that may be a moment old (`database_replica_urls`, docs/SCALING.md).
//!
//! The server sends to a replica only the reads that may be a moment old (indicator reports and
//! timelines, lists for staff, the certificate verification, the catalogue's refresh check);
//! everything else, and everything inside a write, reads the primary.
//!
//! A check every `database_replica_check_ms` decides which replicas are usable: one that does
//! not answer, or whose lag is past `database_replica_max_lag_ms`, is skipped until a check finds
//! it well again. The lag is measured against the primary's own write position, not against the
//! time of the last replayed transaction (which grows on an idle primary): each check records the
//! primary's current WAL position with the time it was read, and a replica's lag is the age of the
//! newest such record that it has replayed. It is therefore an upper bound, within one check
//! interval, and 0 for a replica that has replayed everything the primary has written.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::sql_types::{BigInt, Bool, Nullable};
use diesel::RunQueryDsl;
use prometheus::{Gauge, GaugeVec, IntCounterVec, IntGauge, IntGaugeVec, Opts};

use super::{ConnManager, DbPool, DbTarget};

/// The replicas of a deployment (none on SQLite or when none is configured), shared by clones.
#[derive(Clone)]
pub struct Replicas {
    inner: Arc<Inner>,
}

struct Inner {
    replicas: Vec<Replica>,
    next: AtomicUsize,
    max_lag: Duration,
    /// The primary's WAL positions as read by the checks, oldest first.
    samples: Mutex<VecDeque<(Instant, i64)>>,
    reads: Option<IntCounterVec>,
}

/// One hot standby and what the last check found.
pub struct Replica {
    /// `host:port` (never the password), for logs and the metrics' label.
    pub label: String,
    pool: DbPool,
    usable: AtomicBool,
    lag: Gauge,
    up: IntGauge,
}

impl Replica {
    pub fn pool(&self) -> &DbPool {
        &self.pool
    }
}

/// A replica chosen for one read.
pub struct Chosen<'a> {
    replicas: &'a Replicas,
    index: usize,
}

impl Chosen<'_> {
    pub fn replica(&self) -> &Replica {
        &self.replicas.inner.replicas[self.index]
    }

    /// The replica failed this read: skip it until a check finds it well.
    pub fn failed(&self) {
        let r = self.replica();
        if r.usable.swap(false, Ordering::AcqRel) {
            r.up.set(0);
            tracing::warn!(replica = %r.label, "a read failed on a replica: skipped until it answers again");
        }
    }
}

/// Where a read that may be a moment old went, for `hocso_db_reads_total{pool}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadOn {
    Replica,
    Primary,
}

#[derive(diesel::QueryableByName)]
struct Position {
    #[diesel(sql_type = Nullable<BigInt>)]
    lsn: Option<i64>,
}

#[derive(diesel::QueryableByName)]
struct Standby {
    #[diesel(sql_type = Bool)]
    standby: bool,
    #[diesel(sql_type = Nullable<BigInt>)]
    lsn: Option<i64>,
}

/// How many primary positions are kept: enough to measure lags well past any sensible maximum.
const SAMPLES: usize = 600;

impl Replicas {
    /// No replica: every read goes to the primary.
    pub fn none() -> Self {
        Self {
            inner: Arc::new(Inner {
                replicas: Vec::new(),
                next: AtomicUsize::new(0),
                max_lag: Duration::ZERO,
                samples: Mutex::new(VecDeque::new()),
                reads: None,
            }),
        }
    }

    /// Pools for `urls` (PostgreSQL URLs), without connecting yet: a replica that is down at start
    /// is only skipped. Metrics go to `registry`. `timeout` bounds the wait for a replica's
    /// connection (a replica that does not answer costs a read that much before it falls back).
    pub fn open(
        urls: &[String],
        pool_size: u32,
        timeout: Duration,
        max_lag: Duration,
        registry: &prometheus::Registry,
    ) -> anyhow::Result<Self> {
        let lag = GaugeVec::new(
            Opts::new(
                "hocso_db_replica_lag_seconds",
                "Age of the newest primary write position the replica has replayed (upper bound)",
            ),
            &["replica"],
        )?;
        let up = IntGaugeVec::new(
            Opts::new(
                "hocso_db_replica_usable",
                "1 when the replica answers and lags less than database_replica_max_lag_ms",
            ),
            &["replica"],
        )?;
        let reads = IntCounterVec::new(
            Opts::new(
                "hocso_db_reads_total",
                "Reads that may be a moment old, by where they ran (replica or primary)",
            ),
            &["pool"],
        )?;
        registry.register(Box::new(lag.clone()))?;
        registry.register(Box::new(up.clone()))?;
        registry.register(Box::new(reads.clone()))?;
        let mut replicas = Vec::new();
        for (i, url) in urls.iter().enumerate() {
            let target = DbTarget::parse(url)?;
            if !matches!(target, DbTarget::Postgres(_)) {
                anyhow::bail!(
                    "database_replica_urls: replica {} is not a postgres:// URL",
                    i + 1
                );
            }
            let label = label_of(url).unwrap_or_else(|| format!("replica-{}", i + 1));
            let pool = diesel::r2d2::Pool::builder()
                .max_size(pool_size)
                .min_idle(Some(0))
                .connection_timeout(timeout)
                .test_on_check_out(false)
                .build_unchecked(ConnManager::new(target));
            replicas.push(Replica {
                lag: lag.with_label_values(&[&label]),
                up: up.with_label_values(&[&label]),
                label,
                pool,
                usable: AtomicBool::new(false),
            });
        }
        Ok(Self {
            inner: Arc::new(Inner {
                replicas,
                next: AtomicUsize::new(0),
                max_lag,
                samples: Mutex::new(VecDeque::new()),
                reads: Some(reads),
            }),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.inner.replicas.is_empty()
    }

    pub fn list(&self) -> &[Replica] {
        &self.inner.replicas
    }

    /// A usable replica, in turn among those usable; `None` when none is.
    pub fn pick(&self) -> Option<Chosen<'_>> {
        let n = self.inner.replicas.len();
        if n == 0 {
            return None;
        }
        let start = self.inner.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|k| (start + k) % n)
            .find(|&i| self.inner.replicas[i].usable.load(Ordering::Acquire))
            .map(|index| Chosen {
                replicas: self,
                index,
            })
    }

    /// Counts a read that may be a moment old where it ran.
    pub fn count(&self, on: ReadOn) {
        if let Some(reads) = &self.inner.reads {
            let pool = match on {
                ReadOn::Replica => "replica",
                ReadOn::Primary => "primary",
            };
            reads.with_label_values(&[pool]).inc();
        }
    }

    /// One check of every replica (blocking): reads the primary's write position, then each
    /// replica's replayed position, and marks each usable or not.
    pub fn check(&self, primary: &DbPool) {
        if self.is_empty() {
            return;
        }
        let now = Instant::now();
        let position = primary.get().ok().and_then(|mut c| {
            diesel::sql_query("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint AS lsn")
                .get_result::<Position>(&mut *c)
                .ok()
                .and_then(|p| p.lsn)
        });
        let samples = {
            let mut samples = self
                .inner
                .samples
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(lsn) = position {
                samples.push_back((now, lsn));
                while samples.len() > SAMPLES {
                    samples.pop_front();
                }
            }
            samples.clone()
        };
        for r in &self.inner.replicas {
            let state = r.pool.get().ok().and_then(|mut c| {
                diesel::sql_query(
                    "SELECT pg_is_in_recovery() AS standby, (CASE WHEN pg_is_in_recovery() \
                     THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END - '0/0'::pg_lsn)::bigint AS lsn",
                )
                .get_result::<Standby>(&mut *c)
                .ok()
            });
            let (usable, lag) = match state {
                None => (false, None),
                Some(s) => match lag_of(&samples, s.lsn, Instant::now()) {
                    // A replica promoted to primary (failover) has everything it has.
                    _ if !s.standby => (true, Some(Duration::ZERO)),
                    Some(lag) => (lag <= self.inner.max_lag, Some(lag)),
                    // The primary was never read: nothing to measure against; a replica that
                    // answers is better than no read at all.
                    None => (samples.is_empty(), None),
                },
            };
            if let Some(lag) = lag {
                r.lag.set(lag.as_secs_f64());
            }
            r.up.set(i64::from(usable));
            let was = r.usable.swap(usable, Ordering::AcqRel);
            if was != usable {
                if usable {
                    tracing::info!(replica = %r.label, lag_ms = lag.map(|l| l.as_millis() as u64), "replica usable for reads");
                } else {
                    tracing::warn!(replica = %r.label, lag_ms = lag.map(|l| l.as_millis() as u64), "replica skipped: down or lagging");
                }
            }
        }
    }

    /// Checks the replicas every `every`, for ever.
    pub async fn watch(self, primary: DbPool, every: Duration) {
        loop {
            tokio::time::sleep(every).await;
            let (me, primary) = (self.clone(), primary.clone());
            let _ = tokio::task::spawn_blocking(move || me.check(&primary)).await;
        }
    }
}

/// The lag of a replica that has replayed up to `replayed`, at `now`: the age of the newest
/// primary position at or below it; at least the age of the oldest when it is below them all;
/// `None` without positions.
fn lag_of(
    samples: &VecDeque<(Instant, i64)>,
    replayed: Option<i64>,
    now: Instant,
) -> Option<Duration> {
    let (oldest, _) = samples.front()?;
    let Some(replayed) = replayed else {
        return Some(now.saturating_duration_since(*oldest));
    };
    let reached = samples.iter().rev().find(|(_, lsn)| *lsn <= replayed);
    Some(now.saturating_duration_since(reached.map_or(*oldest, |(t, _)| *t)))
}

/// `host:port` of a PostgreSQL URL.
fn label_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?;
    Some(match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_is_the_age_of_the_newest_position_replayed() {
        let t0 = Instant::now();
        let s: VecDeque<(Instant, i64)> = [
            (t0, 100),
            (t0 + Duration::from_secs(1), 200),
            (t0 + Duration::from_secs(2), 300),
        ]
        .into_iter()
        .collect();
        let now = t0 + Duration::from_secs(2);
        assert_eq!(lag_of(&s, Some(300), now), Some(Duration::ZERO));
        assert_eq!(lag_of(&s, Some(350), now), Some(Duration::ZERO));
        assert_eq!(lag_of(&s, Some(250), now), Some(Duration::from_secs(1)));
        assert_eq!(lag_of(&s, Some(100), now), Some(Duration::from_secs(2)));
        // Behind every position read: at least as old as the oldest.
        assert_eq!(lag_of(&s, Some(50), now), Some(Duration::from_secs(2)));
        assert_eq!(lag_of(&s, None, now), Some(Duration::from_secs(2)));
        assert_eq!(lag_of(&VecDeque::new(), Some(1), now), None);
    }

    #[test]
    fn the_label_never_holds_the_password() {
        assert_eq!(
            label_of("postgres://u:secret@db2.example:5433/hocso").as_deref(),
            Some("db2.example:5433")
        );
        assert_eq!(label_of("postgres://db3/hocso").as_deref(), Some("db3"));
    }

    #[test]
    fn without_replicas_nothing_is_picked() {
        let r = Replicas::none();
        assert!(r.pick().is_none());
        r.count(ReadOn::Primary);
    }
}
