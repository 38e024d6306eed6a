//! Structured logs with `tracing`, request metrics for Prometheus, and `run_blocking` for
//! database and password work.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::error::{ApiError, ApiResult};

/// Installs the global subscriber: human-readable by default, one JSON object per line with
/// `format = "json"`. `RUST_LOG` overrides `level` when set.
pub fn init<W>(format: &str, level: &str, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let registry = tracing_subscriber::registry().with(filter);
    let result = if format == "json" {
        registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_writer(writer),
            )
            .try_init()
    } else {
        registry
            .with(tracing_subscriber::fmt::layer().with_writer(writer))
            .try_init()
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}

/// Runs blocking work (diesel, argon2) on the blocking pool, inside the current span.
pub async fn run_blocking<F, R>(f: F) -> ApiResult<R>
where
    F: FnOnce() -> ApiResult<R> + Send + 'static,
    R: Send + 'static,
{
    let span = tracing::Span::current();
    actix_web::web::block(move || span.in_scope(f))
        .await
        .map_err(ApiError::from)?
}

/// Runs the database work of a request that writes on the state's [`Writer`](crate::db::Writer),
/// inside the current span, and awaits it: on SQLite all of it on the database's writer thread, in
/// a savepoint of the transaction it commits next, without a blocking-pool thread in between; on
/// PostgreSQL on the blocking pool with a pooled connection. `f` gets the connection to use.
pub async fn run_writing<F, R>(state: &crate::state::AppState, f: F) -> ApiResult<R>
where
    F: FnOnce(&mut crate::db::DbConn) -> ApiResult<R> + Send + 'static,
    R: Send + 'static,
{
    let span = tracing::Span::current();
    state
        .writer
        .run(move |conn| span.in_scope(|| f(conn)))
        .await
}

/// Request counts and durations for Prometheus, by route pattern, method and status:
/// `<namespace>_http_requests_total` and `<namespace>_http_requests_duration_seconds` (labels
/// `endpoint`, `method`, `status`; a path no route matched counts as `UNKNOWN`), the series
/// `actix-web-prom` kept before. Done here because `actix-web-prom` spent per request a map of the
/// route's parameters, a template expansion of the pattern and several copies of the path on
/// labels it then looked up twice (issue 22: a profile of the lesson read under load).
#[derive(Clone)]
pub struct HttpMetrics {
    total: prometheus::IntCounterVec,
    duration: prometheus::HistogramVec,
}

impl HttpMetrics {
    pub fn new(namespace: &str, registry: &prometheus::Registry) -> anyhow::Result<Self> {
        let labels = ["endpoint", "method", "status"];
        let total = prometheus::IntCounterVec::new(
            prometheus::Opts::new(
                format!("{namespace}_http_requests_total"),
                "Total number of HTTP requests",
            ),
            &labels,
        )?;
        let duration = prometheus::HistogramVec::new(
            prometheus::HistogramOpts::new(
                format!("{namespace}_http_requests_duration_seconds"),
                "HTTP request duration in seconds for all requests",
            ),
            &labels,
        )?;
        registry.register(Box::new(total.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        Ok(Self { total, duration })
    }
}

impl<S, B> actix_web::dev::Transform<S, ServiceRequest> for HttpMetrics
where
    S: actix_web::dev::Service<
        ServiceRequest,
        Response = ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: MessageBody,
{
    type Response = ServiceResponse<MeteredBody<B>>;
    type Error = actix_web::Error;
    type Transform = HttpMetricsService<S>;
    type InitError = ();
    type Future = std::future::Ready<Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        std::future::ready(Ok(HttpMetricsService {
            service,
            metrics: self.clone(),
        }))
    }
}

pub struct HttpMetricsService<S> {
    service: S,
    metrics: HttpMetrics,
}

impl<S, B> actix_web::dev::Service<ServiceRequest> for HttpMetricsService<S>
where
    S: actix_web::dev::Service<
        ServiceRequest,
        Response = ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: MessageBody,
{
    type Response = ServiceResponse<MeteredBody<B>>;
    type Error = actix_web::Error;
    type Future = MeteredFuture<S::Future>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        MeteredFuture {
            fut: self.service.call(req),
            started: std::time::Instant::now(),
            metrics: Some(self.metrics.clone()),
        }
    }
}

pin_project_lite::pin_project! {
    pub struct MeteredFuture<F> {
        #[pin]
        fut: F,
        started: std::time::Instant,
        metrics: Option<HttpMetrics>,
    }
}

impl<F, B> std::future::Future for MeteredFuture<F>
where
    F: std::future::Future<Output = Result<ServiceResponse<B>, actix_web::Error>>,
{
    type Output = Result<ServiceResponse<MeteredBody<B>>, actix_web::Error>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.project();
        let res = std::task::ready!(this.fut.poll(cx))?;
        // After routing the matched pattern is known without matching again.
        let endpoint = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "UNKNOWN".into());
        let method = res.request().method().clone();
        let (metrics, started) = (this.metrics.take(), *this.started);
        std::task::Poll::Ready(Ok(res.map_body(move |head, body| MeteredBody {
            body,
            done: metrics.map(|metrics| Done {
                metrics,
                endpoint,
                method,
                status: head.status,
                started,
            }),
        })))
    }
}

struct Done {
    metrics: HttpMetrics,
    endpoint: String,
    method: actix_web::http::Method,
    status: actix_web::http::StatusCode,
    started: std::time::Instant,
}

pin_project_lite::pin_project! {
    /// An answer's body; the request is counted when the body has been sent (or dropped).
    pub struct MeteredBody<B> {
        #[pin]
        body: B,
        done: Option<Done>,
    }

    impl<B> PinnedDrop for MeteredBody<B> {
        fn drop(this: Pin<&mut Self>) {
            if let Some(d) = this.project().done.take() {
                let labels = [d.endpoint.as_str(), d.method.as_str(), d.status.as_str()];
                d.metrics
                    .duration
                    .with_label_values(&labels)
                    .observe(d.started.elapsed().as_secs_f64());
                d.metrics.total.with_label_values(&labels).inc();
            }
        }
    }
}

impl<B: MessageBody> MessageBody for MeteredBody<B> {
    type Error = B::Error;

    fn size(&self) -> actix_web::body::BodySize {
        self.body.size()
    }

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<actix_web::web::Bytes, Self::Error>>> {
        self.project().body.poll_next(cx)
    }
}
