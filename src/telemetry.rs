//! Structured logs with `tracing`, and `run_blocking` for database and password work.

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
