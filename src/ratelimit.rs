//! Rate limits on the authentication endpoints, per client IP and per login.
//!
//! Where the counters live is the setting `rate_limit_store`: in PostgreSQL ([`Shared`], the
//! default there), so that every instance behind a load balancer counts in the same buckets and
//! N instances keep the configured limits; or in the process (GCRA via `governor`, the default
//! on SQLite, whose deployments are one process), where each instance counts on its own.
//! PostgreSQL rather than Redis: every instance already has it, it is the one service a
//! deployment must keep up anyway (a login without it fails regardless), one statement per
//! attempt is small beside the password hash an attempt costs, and nothing else needs Redis.
//!
//! In memory:
//! Clients choose the keys (an address, a login), so the counters are kept in a store of our
//! own with a hard cap on keys ([`BoundedStore`]). A key is dropped only once its bucket is
//! full again (it then says nothing a fresh bucket would not); a live bucket is never evicted,
//! so filling the table cannot reset someone's counter. When the table is full of live buckets,
//! a key not in it is admitted without being counted (client addresses: availability first, the
//! per-login limit still holds) or shares one bucket with every other such key (logins: a flood
//! slows new logins down until it stops, instead of opening the door to guessing).

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock, Reference};
use governor::middleware::{NoOpMiddleware, StateInformationMiddleware};
use governor::nanos::Nanos;
use governor::state::keyed::ShrinkableKeyedStateStore;
use governor::state::StateStore;
use governor::{Quota, RateLimiter};

use crate::accounts::LoginId;
use crate::config::Settings;
use crate::db::{self, DbConn, DbPool};
use crate::error::{ApiError, ApiResult, Code};

/// Most keys one limiter keeps (each costs some 40 bytes: a 64-bit hash of the key and the
/// bucket's state), so about 4 MB per limiter at worst.
pub const MAX_KEYS: usize = 100_000;

/// How often buckets that are full again are dropped; more often (at most once per
/// [`SWEEP_WHEN_FULL`]) while the table is full.
const SWEEP_EVERY: Duration = Duration::from_secs(60);
const SWEEP_WHEN_FULL: Duration = Duration::from_secs(1);

const SHARDS: usize = 16;

/// What a key that is not in a full table gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    /// Admitted, not counted.
    Admit,
    /// Counted in one bucket that every such key shares.
    Share,
}

/// A governor state store keyed by a 64-bit hash of the key (SipHash with a key drawn per
/// process, so nobody can aim two keys at one bucket) that holds at most `cap` keys.
pub struct BoundedStore {
    shards: Vec<Mutex<HashMap<u64, u64>>>,
    hasher: RandomState,
    len: AtomicUsize,
    cap: usize,
    overflow: Overflow,
    /// The theoretical arrival time of the shared bucket (`Overflow::Share`); 0 when unused.
    shared: AtomicU64,
}

impl BoundedStore {
    pub fn new(cap: usize, overflow: Overflow) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            hasher: RandomState::new(),
            len: AtomicUsize::new(0),
            cap: cap.max(1),
            overflow,
            shared: AtomicU64::new(0),
        }
    }

    fn shard(&self, hash: u64) -> std::sync::MutexGuard<'_, HashMap<u64, u64>> {
        self.shards[(hash % SHARDS as u64) as usize]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn measure_shared<T, F, E>(&self, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        let mut prev = self.shared.load(Ordering::Acquire);
        loop {
            let state = (prev != 0).then(|| Nanos::from(prev));
            let (out, next) = f(state)?;
            match self.shared.compare_exchange_weak(
                prev,
                next.as_u64(),
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Ok(out),
                Err(now) => prev = now,
            }
        }
    }
}

impl StateStore for BoundedStore {
    type Key = String;

    fn measure_and_replace<T, F, E>(&self, key: &String, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        let hash = self.hasher.hash_one(key);
        let mut shard = self.shard(hash);
        if let Some(tat) = shard.get_mut(&hash) {
            let (out, next) = f(Some(Nanos::from(*tat)))?;
            *tat = next.as_u64();
            return Ok(out);
        }
        if self.len.load(Ordering::Relaxed) >= self.cap {
            drop(shard);
            return match self.overflow {
                Overflow::Admit => f(None).map(|(out, _)| out),
                Overflow::Share => self.measure_shared(f),
            };
        }
        let (out, next) = f(None)?;
        shard.insert(hash, next.as_u64());
        self.len.fetch_add(1, Ordering::Relaxed);
        Ok(out)
    }
}

impl ShrinkableKeyedStateStore<String> for BoundedStore {
    fn retain_recent(&self, drop_below: Nanos) {
        let below = drop_below.as_u64();
        let mut kept = 0;
        for shard in &self.shards {
            let mut map = shard
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            map.retain(|_, tat| *tat > below);
            kept += map.len();
        }
        self.len.store(kept, Ordering::Relaxed);
        if self.shared.load(Ordering::Relaxed) <= below {
            self.shared.store(0, Ordering::Relaxed);
        }
    }

    fn shrink_to_fit(&self) {
        for shard in &self.shards {
            let mut map = shard
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if map.capacity() > 4 * map.len().max(64) {
                map.shrink_to_fit();
            }
        }
    }

    fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One keyed limit: `per_minute` attempts per key, in a [`BoundedStore`].
pub struct Limiter<C: Clock = DefaultClock> {
    inner: RateLimiter<String, BoundedStore, C, StateInformationMiddleware>,
    limit: u32,
    cap: usize,
    start: C::Instant,
    /// When buckets were last swept, in nanoseconds since `start`.
    swept: AtomicU64,
}

impl Limiter<DefaultClock> {
    pub fn new(per_minute: u32, cap: usize, overflow: Overflow) -> Self {
        Self::with_clock(per_minute, cap, overflow, DefaultClock::default())
    }
}

impl<C: Clock> Limiter<C> {
    pub fn with_clock(per_minute: u32, cap: usize, overflow: Overflow, clock: C) -> Self {
        let limit = per_minute.max(1);
        let quota = Quota::per_minute(NonZeroU32::new(limit).expect("non-zero"));
        let start = clock.now();
        let cap = cap.max(1);
        let inner = RateLimiter::<_, _, _, NoOpMiddleware<C::Instant>>::new(
            quota,
            BoundedStore::new(cap, overflow),
            clock,
        )
        .with_middleware::<StateInformationMiddleware>();
        Self {
            inner,
            limit,
            cap,
            start,
            swept: AtomicU64::new(0),
        }
    }

    /// Keys held now.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Drops the buckets that are full again, every [`SWEEP_EVERY`], or every
    /// [`SWEEP_WHEN_FULL`] while the table is full; one caller sweeps, the others go on.
    fn sweep_when_due(&self, now: C::Instant) {
        let now = now.duration_since(self.start).as_u64();
        let last = self.swept.load(Ordering::Relaxed);
        let every = if self.inner.len() >= self.cap {
            SWEEP_WHEN_FULL
        } else {
            SWEEP_EVERY
        };
        if now.saturating_sub(last) < every.as_nanos() as u64 {
            return;
        }
        if self
            .swept
            .compare_exchange(last, now, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            self.inner.retain_recent();
            self.inner.shrink_to_fit();
        }
    }

    /// Counts one attempt under `key`; 429 with `Retry-After` when its bucket is empty.
    pub fn check(&self, key: String) -> ApiResult<()> {
        let now = self.inner.clock().now();
        self.sweep_when_due(now);
        match self.inner.check_key(&key) {
            Ok(_) => Ok(()),
            Err(not_until) => Err(rate_limited(not_until.wait_time_from(now), self.limit)),
        }
    }
}

fn rate_limited(wait: Duration, limit: u32) -> ApiError {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let secs = secs.max(1).to_string();
    let value = |s: &str| HeaderValue::from_str(s).unwrap_or(HeaderValue::from_static("1"));
    ApiError::of(
        Code::RateLimited,
        format!("Too many attempts; try again in {secs} seconds."),
    )
    .with_header(actix_web::http::header::RETRY_AFTER, value(&secs))
    .with_header(
        HeaderName::from_static("ratelimit-limit"),
        value(&limit.to_string()),
    )
    .with_header(
        HeaderName::from_static("ratelimit-remaining"),
        HeaderValue::from_static("0"),
    )
    .with_header(HeaderName::from_static("ratelimit-reset"), value(&secs))
}

/// How often an instance deletes the shared buckets that are full again.
const SHARED_SWEEP_EVERY: Duration = Duration::from_secs(60);

/// The buckets of every instance, in PostgreSQL (`db::limits`). Keys are stored as an HMAC
/// (with a key derived from the deployment's JWT secret, which every instance shares), so the
/// table holds no address and no login.
pub struct SharedStore {
    pool: DbPool,
    key: ring::hmac::Key,
    /// When this instance last swept, in milliseconds since 1970.
    swept: AtomicU64,
}

impl SharedStore {
    pub fn new(pool: DbPool, secret: &str) -> Arc<Self> {
        Arc::new(Self {
            pool,
            key: crate::config::derived_key(secret, "rate limits"),
            swept: AtomicU64::new(0),
        })
    }

    fn hashed(&self, key: &str) -> String {
        let tag = ring::hmac::sign(&self.key, key.as_bytes());
        tag.as_ref()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Deletes the buckets full again, once a [`SHARED_SWEEP_EVERY`] per instance.
    fn sweep_when_due(&self, conn: &mut diesel::PgConnection) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let last = self.swept.load(Ordering::Relaxed);
        if now.saturating_sub(last) < SHARED_SWEEP_EVERY.as_millis() as u64 {
            return;
        }
        if self
            .swept
            .compare_exchange(last, now, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            if let Err(e) = db::limits::sweep(conn) {
                tracing::warn!(error = %e, "could not delete the rate limit buckets full again");
            }
        }
    }
}

/// One keyed limit in the [`SharedStore`].
pub struct Shared {
    store: Arc<SharedStore>,
    limit: u32,
}

impl Shared {
    /// Counts one attempt under `key`; 429 with `Retry-After` when its bucket is empty.
    fn check(&self, key: &str) -> ApiResult<()> {
        let mut conn = self.store.pool.get()?;
        let DbConn::Pg(conn) = &mut *conn else {
            return Err(ApiError::internal(anyhow::anyhow!(
                "shared rate limits need PostgreSQL"
            )));
        };
        self.store.sweep_when_due(conn);
        let interval_ms = (60_000 / i64::from(self.limit)).max(1);
        let burst_ms = interval_ms * i64::from(self.limit);
        match db::limits::take(conn, &self.store.hashed(key), interval_ms, burst_ms)? {
            None => Ok(()),
            Some(ms) => Err(rate_limited(Duration::from_millis(ms as u64), self.limit)),
        }
    }
}

/// Where one limit counts: in this process, or with every instance.
pub enum Counter {
    Memory(Limiter),
    Shared(Shared),
}

impl Counter {
    fn new(per_minute: u32, overflow: Overflow, store: Option<&Arc<SharedStore>>) -> Self {
        match store {
            Some(store) => Counter::Shared(Shared {
                store: store.clone(),
                limit: per_minute.max(1),
            }),
            None => Counter::Memory(Limiter::new(per_minute, MAX_KEYS, overflow)),
        }
    }

    fn check(&self, key: String) -> ApiResult<()> {
        match self {
            Counter::Memory(l) => l.check(key),
            Counter::Shared(s) => s.check(&key),
        }
    }
}

pub struct RateLimits {
    per_ip: Counter,
    per_login: Counter,
    trusted_proxies: Vec<IpAddr>,
}

impl RateLimits {
    /// The limits of `settings`, counted in `shared` (every instance) when given, else in this
    /// process.
    pub fn new(settings: &Settings, shared: Option<Arc<SharedStore>>) -> Self {
        let shared = shared.as_ref();
        Self {
            per_ip: Counter::new(settings.rate_limit_ip_per_minute, Overflow::Admit, shared),
            per_login: Counter::new(
                settings.rate_limit_login_per_minute,
                Overflow::Share,
                shared,
            ),
            trusted_proxies: settings.trusted_proxy_list(),
        }
    }

    /// Whether the counters are shared by every instance.
    pub fn shared(&self) -> bool {
        matches!(self.per_ip, Counter::Shared(_))
    }

    /// The client's address: the peer, or, when the peer is a trusted proxy, the right-most
    /// address of `X-Forwarded-For` that is not itself a trusted proxy.
    pub fn client_ip(&self, req: &HttpRequest) -> String {
        let peer = req.peer_addr().map(|a| a.ip());
        if let Some(peer) = peer {
            if self.trusted_proxies.contains(&peer) {
                let forwarded = req
                    .headers()
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let candidate = forwarded
                    .split(',')
                    .rev()
                    .filter_map(|s| s.trim().parse::<IpAddr>().ok())
                    .find(|ip| !self.trusted_proxies.contains(ip));
                if let Some(ip) = candidate {
                    return ip.to_string();
                }
            }
            return peer.to_string();
        }
        "unknown".into()
    }

    /// Counts one attempt of `action` from the client's address (an IPv6 client by its /64,
    /// the block one subscriber gets); 429 with `Retry-After` over the limit.
    pub fn check_ip(&self, req: &HttpRequest, action: &str) -> ApiResult<()> {
        self.check_client(&self.client_ip(req), action)
    }

    /// [`check_ip`](Self::check_ip) for a client address already read from the request
    /// ([`client_ip`](Self::client_ip)): what the use cases of `accounts` count, whichever front
    /// door the attempt came through.
    pub fn check_client(&self, client_ip: &str, action: &str) -> ApiResult<()> {
        let client = address_key(client_ip);
        self.per_ip.check(format!("{action}:{client}"))
    }

    /// Counts one attempt of `action` on a login: `key` from [`login_key`], so that every
    /// spelling of one account counts together.
    pub fn check_login(&self, action: &str, key: &str) -> ApiResult<()> {
        self.per_login.check(format!("{action}:{key}"))
    }
}

/// The per-login key: the account the login names when there is one, else the normalized
/// identifier (a phone number in E.164 form, a lower-cased e-mail address or username).
pub fn login_key(account: Option<&str>, login: &LoginId) -> String {
    match (account, login) {
        (Some(id), _) => format!("account:{id}"),
        (None, LoginId::Email(e)) => format!("email:{e}"),
        (None, LoginId::Phone(p)) => format!("phone:{p}"),
        (None, LoginId::Username(u)) => format!("username:{u}"),
    }
}

/// An IPv4 address as it is; an IPv6 address by its /64 prefix.
fn address_key(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            format!("{}/64", std::net::Ipv6Addr::from(prefix))
        }
        Ok(IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or(ip.to_string(), |v4| v4.to_string()),
        _ => ip.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    #[test]
    fn key_count_stays_bounded_under_many_distinct_keys() {
        for overflow in [Overflow::Admit, Overflow::Share] {
            let clock = FakeRelativeClock::default();
            let limiter = Limiter::with_clock(10, 1_000, overflow, clock.clone());
            for i in 0..50_000 {
                let _ = limiter.check(format!("login:someone-{i}@example.vn"));
                if i % 1_000 == 0 {
                    clock.advance(Duration::from_millis(100));
                }
            }
            assert!(limiter.len() <= 1_000, "{overflow:?}: {}", limiter.len());
        }
    }

    #[test]
    fn buckets_full_again_are_dropped() {
        let clock = FakeRelativeClock::default();
        let limiter = Limiter::with_clock(10, 1_000, Overflow::Share, clock.clone());
        for i in 0..500 {
            limiter.check(format!("k{i}")).unwrap();
        }
        assert_eq!(limiter.len(), 500);
        clock.advance(SWEEP_EVERY + Duration::from_secs(1));
        limiter.check("after".into()).unwrap();
        assert_eq!(limiter.len(), 1, "only the new key is left");
    }

    #[test]
    fn a_flood_of_new_keys_cannot_reset_a_victims_bucket() {
        let clock = FakeRelativeClock::default();
        let limiter = Limiter::with_clock(3, 100, Overflow::Share, clock.clone());
        for _ in 0..3 {
            limiter.check("login:account:victim".into()).unwrap();
        }
        assert_eq!(
            limiter
                .check("login:account:victim".into())
                .unwrap_err()
                .code,
            Code::RateLimited
        );
        // Ten times the table's size in new keys, over a few seconds of sweeps.
        for i in 0..1_000 {
            let _ = limiter.check(format!("login:flood-{i}"));
            if i % 100 == 0 {
                clock.advance(Duration::from_millis(1_500));
            }
        }
        assert!(limiter.len() <= 100);
        let err = limiter.check("login:account:victim".into()).unwrap_err();
        assert_eq!(err.code, Code::RateLimited);
        // Keys beyond the cap share one bucket of the same limit: the flood is slowed too.
        assert!(limiter.check("login:flood-new".into()).is_err());
        // A minute later the victim's bucket is full again, as it would have been anyway.
        clock.advance(Duration::from_secs(61));
        limiter.check("login:account:victim".into()).unwrap();
    }

    #[test]
    fn client_addresses_beyond_the_cap_are_admitted_not_stored() {
        let limiter = Limiter::with_clock(2, 10, Overflow::Admit, FakeRelativeClock::default());
        for i in 0..10 {
            limiter.check(format!("ip:{i}")).unwrap();
        }
        for _ in 0..5 {
            limiter.check("ip:new".into()).unwrap();
        }
        assert_eq!(limiter.len(), 10);
        limiter.check("ip:0".into()).unwrap();
        assert!(
            limiter.check("ip:0".into()).is_err(),
            "stored keys keep counting"
        );
    }

    #[test]
    fn one_key_per_account_or_normalized_login() {
        use crate::accounts::parse_login;
        let keys: Vec<String> = [
            " 0915000001 ",
            "+84915000001",
            "84 915000001",
            "0084915000001",
        ]
        .iter()
        .map(|s| login_key(None, &parse_login(s)))
        .collect();
        assert!(keys.iter().all(|k| k == "phone:+84915000001"), "{keys:?}");
        assert_eq!(
            login_key(None, &parse_login(" Ai@Example.VN ")),
            "email:ai@example.vn"
        );
        assert_eq!(
            login_key(Some("u1"), &parse_login("ai@example.vn")),
            "account:u1"
        );
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        assert_eq!(address_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(address_key("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
        assert_eq!(address_key("::ffff:203.0.113.7"), "203.0.113.7");
    }
}
