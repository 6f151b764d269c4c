//! Building and running the server: `Application::build` binds the listener (port 0 in tests),
//! `port()` says where, `run_until_stopped()` serves until SIGINT/SIGTERM and drains gracefully.

mod tokens;

use tokens::jwt_secret;
pub use tokens::tokens;

use crate::auth;
use crate::config::{Settings, redact_url};
use crate::metrics::Metrics;
use crate::packs::Packs;
use crate::state::AppState;
use actix_web::dev::{Server, Service};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{Condition, Logger};
use actix_web::{App, HttpMessage, HttpServer, web};
use std::net::TcpListener;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use switchboard_plugin_host::PluginHost;
use switchboard_store::{Store, StoreConfig};
use utoipa_actix_web::AppExt;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("configuration: {0}")]
    Config(String),
    #[error("database {url}: {cause}")]
    Database { url: String, cause: String },
    #[error("cannot listen on {addr}: {cause}")]
    Bind { addr: String, cause: String },
    #[error("plugins: {0}")]
    Plugins(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The request id of the current request (from `X-Request-Id`, or generated).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

const REQUEST_ID: &str = "x-request-id";
/// The log target of the access log (actix's default, set explicitly so the check below agrees).
const ACCESS_LOG_TARGET: &str = "actix_web::middleware::logger";

/// A request id for a request that brings none: UUID-shaped (36 characters, version 8 "custom"), made
/// of a random per-process prefix and a counter, so it is unique without a system call per request.
/// Not a secret.
fn new_request_id() -> String {
    static PREFIX: OnceLock<u64> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let prefix = *PREFIX.get_or_init(|| uuid::Uuid::new_v4().as_u64_pair().0);
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&prefix.to_be_bytes());
    bytes[8..].copy_from_slice(&NEXT.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    uuid::Builder::from_custom_bytes(bytes).into_uuid().to_string()
}

/// Threads each actix worker may run storage work on (`web::block`). Storage work needs a pooled
/// connection, so threads beyond the pool's share only wait for one — yet every thread costs a stack
/// and, with glibc, a malloc arena of its own. The workers together get about one thread per
/// pooled connection (at least two each).
fn blocking_threads_per_worker(pool_size: u32, workers: usize) -> usize {
    (pool_size as usize).div_ceil(workers.max(1)).max(2)
}

/// Opens the database and applies migrations.
pub fn open_store(settings: &Settings) -> Result<Store, StartupError> {
    if !settings.uses_postgres() {
        std::fs::create_dir_all(&settings.data_dir)?;
    }
    Store::open_with(&StoreConfig::new(settings.database_url.clone()))
        .map_err(|e| StartupError::Database { url: redact_url(&settings.database_url), cause: e.to_string() })
}

/// Loads the preset packs; broken plugins are logged and skipped unless loading is strict.
pub fn load_packs(settings: &Settings) -> Result<Packs, StartupError> {
    let report = PluginHost::new(&settings.plugins_dir, settings.plugin_describer.clone())
        .strict(settings.strict_plugins)
        .load()
        .map_err(|e| StartupError::Plugins(e.to_string()))?;
    for problem in &report.problems {
        log::warn!("skipped plugin {} ({}): {}", problem.file.display(), problem.error.kind(), problem.error);
    }
    let packs = Packs::from_report(report);
    log::info!("preset packs from {}: {}", settings.plugins_dir.display(), packs.names().join(", "));
    Ok(packs)
}

/// How often each instance ends the time-bound grants that are due (removing them, with an audit
/// event each) and, on SQLite, keeps the write-ahead log small. Decisions do not wait for it: they
/// read only the grants holding at the instant.
pub const EXPIRY_SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// Every [`EXPIRY_SWEEP_INTERVAL`], sweeps expired grants and restarts a large SQLite write-ahead log;
/// stops with the server.
fn spawn_upkeep(state: &web::Data<AppState>) {
    let weak = std::sync::Arc::downgrade(&state.clone().into_inner());
    let spawned = std::thread::Builder::new().name("upkeep".into()).spawn(move || {
        loop {
            std::thread::sleep(EXPIRY_SWEEP_INTERVAL);
            let Some(state) = weak.upgrade() else { return };
            let swept =
                state.store.conn().map_err(|e| e.to_string()).and_then(|mut conn| {
                    switchboard_store::repo::expiry::expire_due(&mut conn).map_err(|e| e.to_string())
                });
            match swept {
                Ok(0) => {}
                Ok(n) => log::info!("access expiry: {n} time-bound grants ended"),
                Err(e) => log::warn!("access expiry sweep failed: {e}"),
            }
            match state.store.keep_wal_under(switchboard_store::db::WAL_RESTART_FRAMES) {
                Ok(pages) if pages > switchboard_store::db::WAL_RESTART_FRAMES => {
                    log::info!("the write-ahead log ({pages} pages) starts again from the beginning");
                }
                Ok(_) => {}
                // readers kept it busy (a long report): tried again a second later
                Err(switchboard_store::StoreError::Unavailable(e)) => log::debug!("{e}"),
                Err(e) => log::warn!("the write-ahead log could not start again: {e}"),
            }
        }
    });
    if let Err(e) = spawned {
        log::error!("cannot start the upkeep thread: {e}");
    }
}

pub struct Application {
    port: u16,
    server: Server,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application").field("port", &self.port).finish_non_exhaustive()
    }
}

impl Application {
    pub fn build(settings: &Settings) -> Result<Application, StartupError> {
        crate::memory::tune();
        let store = open_store(settings)?;
        let packs = load_packs(settings)?;
        crate::packs::check_standing(&store, &packs, settings.strict_plugins).map_err(StartupError::Plugins)?;
        let server_secret = jwt_secret(settings)?;
        let state = web::Data::new(AppState {
            store,
            packs,
            policies: Default::default(),
            logins: Default::default(),
            tokens: tokens(settings)?,
            metrics: Metrics::new().map_err(|e| StartupError::Config(e.to_string()))?,
            operator_key_hash: settings.operator_key.as_deref().map(auth::api_key::hash),
            metrics_token_hash: settings.metrics_token.as_deref().map(auth::api_key::hash),
            sealing: auth::totp::SealingKey::derive(server_secret.as_bytes()),
            webhook_sealing: auth::totp::SealingKey::derive_for(server_secret.as_bytes(), b"webhook secrets v1"),
            console: crate::auth::csrf::CsrfKey::derive(server_secret.as_bytes()),
            events: settings.events.clone(),
        });
        if settings.demo {
            let accounts = crate::demo::seed(&state.store, &state.packs)
                .map_err(|e| StartupError::Config(format!("demo data: {e}")))?;
            let listening = TcpListener::bind(settings.bind)
                .map_err(|e| StartupError::Bind { addr: settings.bind.to_string(), cause: e.to_string() })?;
            let base = format!("http://{}", listening.local_addr()?);
            println!("{}", crate::demo::instructions(&accounts, &base));
            return Self::serve(state, listening, settings);
        }
        let listener = TcpListener::bind(settings.bind)
            .map_err(|e| StartupError::Bind { addr: settings.bind.to_string(), cause: e.to_string() })?;
        Self::serve(state, listener, settings)
    }

    fn serve(
        state: web::Data<AppState>,
        listener: TcpListener,
        settings: &Settings,
    ) -> Result<Application, StartupError> {
        crate::coherence::spawn_refresher(&state);
        if settings.uses_postgres() && settings.access_notifications {
            crate::coherence::spawn_listener(&state, settings.database_url.clone());
        }
        spawn_upkeep(&state);
        crate::memory::spawn_trimmer();
        crate::events::webhooks::spawn(&state, &settings.events);
        crate::events::nats::spawn(&state, &settings.events);
        let port = listener.local_addr()?.port();
        log::info!("listening on {}", listener.local_addr()?);
        let max_body = settings.max_body_bytes;
        let access_log = log::log_enabled!(target: ACCESS_LOG_TARGET, log::Level::Info);
        let workers = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let blocking_threads = blocking_threads_per_worker(state.store.pool_size(), workers);
        // The route table (405s, and the query parameters each operation takes), from the document of
        // the routes below, built once.
        let route_table = web::Data::new(crate::routes::RouteTable::of(&crate::openapi::spec()));
        let server = HttpServer::new(move || {
            let metrics = state.metrics.clone();
            let (app, api) = App::new()
                .app_data(state.clone())
                .app_data(crate::http::path_config())
                .app_data(route_table.clone())
                .app_data(web::PayloadConfig::new(max_body))
                .app_data(crate::http::body::BodyLimit(max_body))
                .into_utoipa_app()
                .configure(crate::http::routes)
                .split_for_parts();
            // The document collected from the routes is not needed here (the server serves the one
            // built once): free it, and give back the worker's share of the allocator's free memory,
            // which would otherwise stay in this thread's arena for the life of the process.
            drop(api);
            crate::memory::give_back();
            // The last `wrap` is the outermost: the logger sees the request id set by `wrap_fn`.
            app.default_service(crate::http::fallback)
                .wrap_fn(move |req, srv| {
                    let started = Instant::now();
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .filter(|v| !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_graphic()))
                        .map_or_else(new_request_id, str::to_owned);
                    let id_header = HeaderValue::from_str(&id).ok();
                    req.extensions_mut().insert(RequestId(id));
                    let method = req.method().clone();
                    let metrics = metrics.clone();
                    let fut = srv.call(req);
                    async move {
                        let mut res = fut.await?;
                        let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".into());
                        let status = res.status();
                        metrics.requests.with_label_values(&[method.as_str(), route.as_str(), status.as_str()]).inc();
                        metrics.latency.with_label_values(&[route.as_str()]).observe(started.elapsed().as_secs_f64());
                        if let Some(value) = id_header {
                            res.headers_mut().insert(HeaderName::from_static(REQUEST_ID), value);
                        }
                        Ok(res)
                    }
                })
                // The access log is written at `info`: when that is filtered out (`RUST_LOG=warn`), the
                // logger would only format lines nobody sees, so it is left out.
                .wrap(Condition::new(
                    access_log,
                    Logger::new(r#"%{x-request-id}o %a "%r" %s %b %Dms"#).log_target(ACCESS_LOG_TARGET),
                ))
                .configure(crate::console::routes)
                .configure(crate::scim::routes)
                .route("/docs", web::get().to(crate::docs::redirect))
                .route("/openapi.json", web::get().to(crate::docs::document))
                .service(crate::docs::service())
        })
        .workers(workers)
        .worker_max_blocking_threads(blocking_threads)
        .listen(listener)?
        .shutdown_timeout(10)
        .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server from another thread (tests that run it in their own process).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_request_ids_are_uuid_shaped_and_distinct() {
        let (a, b) = (new_request_id(), new_request_id());
        assert_eq!(a.len(), 36);
        assert!(uuid::Uuid::parse_str(&a).is_ok(), "{a}");
        assert_ne!(a, b);
        assert_eq!(a[..18], b[..18], "one process prefix");
    }

    #[test]
    fn the_blocking_threads_follow_the_pool() {
        assert_eq!(blocking_threads_per_worker(8, 2), 4);
        assert_eq!(blocking_threads_per_worker(8, 3), 3);
        assert_eq!(blocking_threads_per_worker(1, 4), 2);
        assert_eq!(blocking_threads_per_worker(8, 0), 8);
    }
}
