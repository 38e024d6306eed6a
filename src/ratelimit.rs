//! Rate limits on the authentication endpoints, per client IP and per login identifier.
//!
//! Counters live in the process (GCRA via `governor`); with several replicas each keeps its
//! own, so the effective limit is per replica (docs/SECURITY.md).

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::config::Settings;
use crate::error::{ApiError, ApiResult};

type Keyed =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

pub struct RateLimits {
    per_ip: Keyed,
    per_login: Keyed,
    ip_limit: u32,
    login_limit: u32,
    trusted_proxies: Vec<IpAddr>,
}

fn limiter(per_minute: u32) -> Keyed {
    let n = NonZeroU32::new(per_minute.max(1)).expect("non-zero");
    RateLimiter::keyed(Quota::per_minute(n)).with_middleware::<StateInformationMiddleware>()
}

impl RateLimits {
    pub fn new(settings: &Settings) -> Self {
        Self {
            per_ip: limiter(settings.rate_limit_ip_per_minute),
            per_login: limiter(settings.rate_limit_login_per_minute),
            ip_limit: settings.rate_limit_ip_per_minute.max(1),
            login_limit: settings.rate_limit_login_per_minute.max(1),
            trusted_proxies: settings.trusted_proxy_list(),
        }
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

    /// Counts one attempt of `action`; 429 with `Retry-After` when a limit is exceeded.
    pub fn check(&self, req: &HttpRequest, action: &str, login: Option<&str>) -> ApiResult<()> {
        let ip_key = format!("{action}:{}", self.client_ip(req));
        check_one(&self.per_ip, ip_key, self.ip_limit)?;
        if let Some(login) = login
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty())
        {
            check_one(
                &self.per_login,
                format!("{action}:{login}"),
                self.login_limit,
            )?;
        }
        Ok(())
    }
}

fn check_one(limiter: &Keyed, key: String, limit: u32) -> ApiResult<()> {
    match limiter.check_key(&key) {
        Ok(_) => Ok(()),
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let secs = secs.max(1).to_string();
            let value = |s: &str| HeaderValue::from_str(s).unwrap_or(HeaderValue::from_static("1"));
            Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
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
            .with_header(HeaderName::from_static("ratelimit-reset"), value(&secs)))
        }
    }
}
