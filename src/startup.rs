//! Application wiring shared by `main` and the tests.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App};
use anyhow::Context;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use tokio::sync::Notify;

use crate::api::{self, extract, middleware, system::RouteTable};
use crate::auth::password::PasswordHasherConfig;
use crate::auth::tokens::JwtKeys;
use crate::config::Settings;
use crate::content::catalogue::Catalogue;
use crate::db::{self, DbPool, DbTarget};
use crate::ratelimit::{RateLimits, SharedStore};
pub use crate::state::AppState;
use secrecy::ExposeSecret;

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    /// Connects to the database, migrates it, and binds the listener (port 0 picks a free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "cannot create data directory {}",
                settings.data_dir.display()
            )
        })?;
        let secrets = settings.resolve_secrets()?;
        let url = settings.effective_database_url();
        let db_target = DbTarget::parse(&url)?;
        let (pool_size, timeout, sqlite_sync) = (
            settings.db_pool_size,
            Duration::from_millis(settings.db_timeout_ms),
            settings.sqlite_sync(),
        );
        // Backups by the server are SQLite's (src/backup.rs); refused on PostgreSQL rather than
        // silently not made.
        let backups = if settings.backup_dir.as_os_str().is_empty() {
            None
        } else {
            match &db_target {
                DbTarget::Sqlite(path) => Some(path.clone()),
                DbTarget::Postgres(_) => anyhow::bail!(
                    "backup_dir is set but the database is PostgreSQL: hocso's backups copy an \
                     SQLite file; back PostgreSQL up with base backups and WAL archiving \
                     (docs/OPERATIONS.md) and leave backup_dir empty"
                ),
            }
        };
        let (pool, writer) =
            web::block(move || db::connect_and_serve(&url, pool_size, timeout, sqlite_sync))
                .await
                .context("start-up task failed")??;

        let mut openapi = api::openapi();
        api::document_body_limit(&mut openapi, settings.max_body_bytes);
        let routes = RouteTable::from_openapi(&openapi);
        let openapi_json = serde_json::to_string(&openapi)?;

        let metrics_registry = prometheus::Registry::new();
        let metrics = crate::telemetry::HttpMetrics::new("hocso", &metrics_registry)?;

        // Hot standbys for the reads that may be a moment old (src/db/replicas.rs).
        let replica_urls = settings.replica_url_list();
        let replicas = if replica_urls.is_empty() {
            db::replicas::Replicas::none()
        } else {
            if !matches!(db_target, DbTarget::Postgres(_)) {
                anyhow::bail!(
                    "database_replica_urls is set but the database is SQLite: replicas are \
                     PostgreSQL hot standbys (docs/SCALING.md); leave it empty"
                );
            }
            let replicas = db::replicas::Replicas::open(
                &replica_urls,
                pool_size,
                timeout.min(Duration::from_secs(1)),
                Duration::from_millis(settings.database_replica_max_lag_ms),
                &metrics_registry,
            )?;
            let (r, p) = (replicas.clone(), pool.clone());
            web::block(move || r.check(&p)).await?;
            actix_web::rt::spawn(replicas.clone().watch(
                pool.clone(),
                Duration::from_millis(settings.database_replica_check_ms),
            ));
            replicas
        };
        let hasher = PasswordHasherConfig::from_settings(&settings)?;
        let jwt = JwtKeys::new(&secrets.jwt_secret);
        let issuer = crate::certs::IssuerKeys::from_seed(&secrets.cert_signing_seed)?;
        let shared_limits = match (settings.rate_limit_store.as_str(), &db_target) {
            ("memory", _) | ("auto", DbTarget::Sqlite(_)) => None,
            (_, DbTarget::Postgres(_)) => Some(SharedStore::new(
                pool.clone(),
                secrets.jwt_secret.expose_secret(),
            )),
            (_, DbTarget::Sqlite(_)) => anyhow::bail!(
                "rate_limit_store `database` needs PostgreSQL: an SQLite deployment is one \
                 process, use `memory` (or `auto`)"
            ),
        };
        let limits = RateLimits::new(&settings, shared_limits);
        let mail_notify = Arc::new(Notify::new());
        let catalogue = Catalogue::default();
        {
            let (pool, settings) = (pool.clone(), settings.clone());
            let catalogue_ref = &catalogue;
            let loaded = std::thread::scope(|s| {
                s.spawn(move || load_courses(&pool, &settings, catalogue_ref))
                    .join()
            });
            loaded.map_err(|_| anyhow::anyhow!("course loading panicked"))??;
        }
        let settings = Arc::new(settings);
        actix_web::rt::spawn(crate::mail::run_worker(
            pool.clone(),
            settings.clone(),
            mail_notify.clone(),
        ));
        let state = web::Data::new(AppState {
            settings: settings.clone(),
            secrets,
            pool,
            writer,
            replicas,
            db_target,
            openapi_json,
            routes,
            metrics_registry,
            jwt,
            hasher,
            limits,
            mail_notify,
            report_slots: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
            catalogue,
            clock: crate::clock::Clock::default(),
            issuer,
        });
        if settings.retention_interval_seconds > 0 {
            actix_web::rt::spawn(crate::privacy::retention::run_every(
                state.clone(),
                Duration::from_secs(settings.retention_interval_seconds),
            ));
        }
        if let Some(db) = backups {
            actix_web::rt::spawn(crate::backup::run_every(
                db,
                settings.backup_dir.clone(),
                Duration::from_secs(u64::from(settings.backup_every_hours) * 3600),
                settings.backup_keep as usize,
            ));
        }
        // Personal data exports too large to build at once (docs/PRIVACY.md).
        actix_web::rt::spawn(crate::privacy::export::run_worker(
            state.pool.clone(),
            state.writer.clone(),
            Duration::from_secs(settings.export_poll_seconds.max(1)),
        ));
        // Erasures whose day has come (docs/PRIVACY.md), every hour.
        actix_web::rt::spawn(crate::privacy::erasure::run_every_hour(state.clone()));
        if settings.catalogue_refresh_seconds > 0 {
            actix_web::rt::spawn(refresh_catalogue_every(
                state.clone(),
                Duration::from_secs(settings.catalogue_refresh_seconds),
            ));
        }

        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let body_limit = extract::BodyLimit(settings.max_body_bytes);
        let cors_origins = settings.cors_origin_list();
        let app_state = state.clone();
        let payload_config = web::PayloadConfig::new(settings.max_body_bytes);
        let local_addr = listener.local_addr()?;
        let web_pages = settings.web_pages;
        let make_app = move || {
            let mut cors = Cors::default()
                .allow_any_method()
                .allow_any_header()
                .expose_headers(["x-request-id", "link", "retry-after", "etag"])
                .max_age(3600);
            for origin in &cors_origins {
                cors = cors.allowed_origin(origin);
            }
            let (app, openapi) = App::new()
                .into_utoipa_app()
                .openapi(api::ApiDoc::openapi())
                .configure(api::configure)
                .split_for_parts();
            app.app_data(app_state.clone())
                .app_data(body_limit)
                // Bodies read whole as bytes (the CSV imports) have the same limit as JSON.
                .app_data(payload_config.clone())
                .app_data(extract::query_config())
                .app_data(extract::path_config())
                .service(web::redirect("/docs", "/docs/").permanent())
                .service(
                    SwaggerUi::new("/docs/{_:.*}")
                        .url("/api/v1/openapi.json", openapi)
                        .config(utoipa_swagger_ui::Config::default().validator_url("none")),
                )
                .configure(|cfg| {
                    if web_pages {
                        crate::web::configure(cfg)
                    }
                })
                .default_service(web::to(api::system::fallback))
                .wrap(from_fn(middleware::control_characters))
                .wrap(from_fn(middleware::problems))
                .wrap(cors)
                .wrap(from_fn(middleware::cors_refusals))
                .wrap(from_fn(middleware::request_id))
                .wrap(Compress::default())
                .wrap(from_fn(middleware::security_headers))
                .wrap(metrics.clone())
        };
        // actix-web's `HttpServer`, assembled from its parts so that each connection's socket
        // can be wrapped: the answers actix-http writes itself (400, 408, 431) become problems.
        let builder = actix_server::Server::build();
        let shutdown = builder.graceful_shutdown_signal();
        let mut server = builder
            .listen("hocso", listener, move || {
                use actix_service::{IntoServiceFactory, ServiceFactoryExt};
                let signal = shutdown.clone();
                let app = make_app()
                    .into_factory()
                    .map_err(|err: actix_web::Error| err.error_response());
                let http = actix_http::HttpService::build()
                    .keep_alive(actix_http::KeepAlive::Timeout(Duration::from_secs(5)))
                    .client_request_timeout(Duration::from_secs(5))
                    .client_disconnect_timeout(Duration::from_secs(1))
                    .local_addr(local_addr)
                    .graceful_shutdown_signal(move || {
                        let signal = signal.clone();
                        async move { signal.notified().await }
                    })
                    .h1(actix_service::map_config(app, |_| {
                        actix_web::dev::AppConfig::default()
                    }));
                actix_service::fn_service(|io: actix_web::rt::net::TcpStream| {
                    // Answers written in more than one piece (a compressed body's last chunk)
                    // must not wait for the client's delayed ACK (Nagle): ~40 ms each otherwise
                    // (bench/results/2026-12-05T2110-lesson-compressed.md).
                    let _ = io.set_nodelay(true);
                    let peer = io.peer_addr().ok();
                    std::future::ready(Ok::<_, actix_http::error::DispatchError>((
                        api::wire::ProblemStream::new(io),
                        peer,
                    )))
                })
                .and_then(http)
            })?
            // Blocking work is database queries (bounded by the pool) and password hashing
            // (bounded by its own gate); actix's default of 512 threads per worker only adds
            // memory under load. As many threads per worker as pooled connections keep the
            // pool busy.
            .worker_max_blocking_threads((settings.db_pool_size as usize).max(4))
            .shutdown_timeout(30);
        if settings.workers > 0 {
            server = server.workers(settings.workers);
        }
        let server = server.run();
        Ok(Self {
            port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until SIGINT or SIGTERM; in-flight requests finish first.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

use utoipa::OpenApi;

/// On first start (no course in the database) imports the shipped course files; then brings the
/// indicator facts in line with the indicator configuration, and loads every latest release into
/// the in-memory catalogue.
///
/// Instances started at the same moment on one PostgreSQL database do the first two one at a
/// time, under the advisory lock of the start-up work (held on the connection that does it,
/// waiting for it): the first imports the courses and rebuilds the facts; the next finds courses
/// in the database and the facts' fingerprint current, and does neither. Without it every
/// instance would find the database empty and import the courses (all but one failing on the
/// slugs taken meanwhile), and would rebuild the counts at the same time as the others.
/// Loading the catalogue is each instance's own (its memory).
fn load_courses(pool: &DbPool, settings: &Settings, catalogue: &Catalogue) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    db::advisory::alone(&mut conn, db::advisory::Work::StartUp, |conn| {
        import_shipped_courses(conn, settings)?;
        if crate::reports::ensure_facts(conn, false).map_err(api)? {
            tracing::info!("indicator facts rebuilt for the current indicator configuration");
        }
        anyhow::Ok(())
    })?;
    let n = crate::courses::refresh_catalogue(&mut conn, catalogue).map_err(api)?;
    tracing::info!(courses = n, "catalogue loaded");
    Ok(())
}

fn api(e: crate::error::ApiError) -> anyhow::Error {
    anyhow::anyhow!("{e:?}")
}

/// Imports the shipped course files when the database has no course and the settings ask for it.
fn import_shipped_courses(conn: &mut db::DbConn, settings: &Settings) -> anyhow::Result<()> {
    if !settings.import_courses_on_start || crate::db::courses::count(conn)? != 0 {
        return Ok(());
    }
    let dir = &settings.courses_dir;
    if !dir.is_dir() {
        tracing::warn!(
            "courses directory {} not found; nothing imported",
            dir.display()
        );
        return Ok(());
    }
    let tree = crate::content::files::load_tree(dir);
    for p in &tree.problems {
        tracing::warn!(problem = %p, "course file problem; that course is not imported");
    }
    let done = crate::courses::import_tree(conn, &tree, None, None).map_err(api)?;
    tracing::info!(
        courses = done.len(),
        "imported the shipped courses from {}",
        dir.display()
    );
    Ok(())
}

async fn refresh_catalogue_every(state: web::Data<AppState>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        let st = state.clone();
        // The check may be a moment old (a replica); the refresh itself reads the primary.
        let result = web::block(move || -> anyhow::Result<usize> {
            let api = |e: crate::error::ApiError| anyhow::anyhow!("{e:?}");
            let differs = st
                .read_stale(|conn| crate::courses::catalogue_differs(conn, &st.catalogue))
                .map_err(api)?;
            if !differs {
                return Ok(0);
            }
            crate::courses::refresh_catalogue(&mut *st.pool.get()?, &st.catalogue).map_err(api)
        })
        .await;
        match result {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(courses = n, "catalogue refreshed"),
            Ok(Err(e)) => tracing::warn!(error = %e, "catalogue refresh failed"),
            Err(e) => tracing::warn!(error = %e, "catalogue refresh failed"),
        }
    }
}
