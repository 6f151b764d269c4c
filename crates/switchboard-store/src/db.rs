//! Connections, the pool and migrations.
//!
//! One [`DbConn`] (`diesel::MultiConnection`) covers SQLite and PostgreSQL; the backend is picked
//! from the URL: `postgres://…` / `postgresql://…` is PostgreSQL, anything else (a file path or
//! `sqlite://path`) is SQLite.
//!
//! SQLite: WAL is switched on and migrations run on a single connection *before* the pool opens its
//! connections (setting WAL from every pooled connection at once races into "database is locked");
//! `foreign_keys` and `busy_timeout` are set on every pooled connection when it is opened.
//!
//! Outages: while the pool's last attempt to open a connection failed (PostgreSQL stopped or
//! restarting), [`Store::conn`] does not wait for one — it reports [`StoreError::Unavailable`] at
//! once, so requests fail fast with 503. The pool keeps reconnecting in the background (r2d2 backs off
//! up to half the connection timeout), and the first connection it opens ends the outage.

use crate::error::{StoreError, StoreResult};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Migrations of the SQLite dialect, embedded in the binary.
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
/// Migrations of the PostgreSQL dialect, embedded in the binary.
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Runs `$body` on the concrete connection inside a [`DbConn`], for the few statements diesel cannot
/// express over the multi-backend (batch inserts, `UNION ALL`). Inside a transaction opened on the
/// `DbConn`, the statement runs in that transaction.
#[macro_export]
#[doc(hidden)]
macro_rules! per_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgresql($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

/// A connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

impl fmt::Debug for DbConn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DbConn::Postgresql(_) => "DbConn::Postgresql",
            DbConn::Sqlite(_) => "DbConn::Sqlite",
        })
    }
}

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Postgresql(_) => Backend::Postgres,
            DbConn::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// The database behind a URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names, and the string to hand to the driver.
    pub fn from_url(url: &str) -> (Backend, &str) {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url)
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            (Backend::Sqlite, path)
        } else {
            (Backend::Sqlite, url.strip_prefix("sqlite:").unwrap_or(url))
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Pooled connections to an SQLite file. SQLite work is CPU-bound and runs on the server's own cores
/// (readers proceed in parallel under WAL, writers one at a time), so connections beyond a few only
/// wait — while each holds its own page cache ([`SQLITE_CACHE_KIB`]), schema and statements.
pub const SQLITE_POOL_SIZE: u32 = 4;
/// Pooled connections to PostgreSQL: their work waits on the network and the database server.
pub const POSTGRES_POOL_SIZE: u32 = 8;
/// Page cache of each SQLite connection, in KiB (SQLite's default is 2,000). The operating system
/// caches the file too; a smaller cache per connection costs the scoped page no measurable time
/// (`docs/benchmarks.md`) and keeps the server's memory bounded.
pub const SQLITE_CACHE_KIB: u32 = 1024;
/// Pages a write transaction may change before SQLite writes them out ahead of its commit (its page
/// cache is otherwise the bound: 1 MiB). A page written ahead is written again if changed again, and
/// an ingest of 500 records changes a few hundred pages of each index. Only the one writer grows past
/// the cache, for as long as its transaction lasts.
pub const SQLITE_SPILL_PAGES: u32 = 4096;

/// Pages of the write-ahead log past which the writer copies them into the database as it commits
/// (SQLite's default, which the other connections keep, is 1,000). The server's upkeep thread copies
/// them every second anyway, on the other core and off the requests' path; copying seldom copies a
/// page that many commits change once, not once per 1,000 pages: the store's ingest 1.4× (`docs/benchmarks.md`).
pub const WRITER_CHECKPOINT_PAGES: u32 = 16_384;

/// Bytes the write-ahead log file keeps when it starts again from the beginning (more is truncated).
pub const WAL_FILE_LIMIT: u64 = 64 << 20;
/// Pages of the write-ahead log past which the server has it start again ([`Store::keep_wal_under`]).
pub const WAL_RESTART_FRAMES: i64 = 16_384;

/// How long a restart of the write-ahead log waits for its readers (writers wait meanwhile).
const WAL_RESTART_WAIT: Duration = Duration::from_millis(100);

/// How often a writer waiting for SQLite's write lock asks for it again.
const WRITE_LOCK_POLL: Duration = Duration::from_micros(500);

/// Takes SQLite's write lock for the transaction `lite` is in (it must not have read yet), waiting up
/// to the connection's busy timeout. SQLite's own wait sleeps 1, 2, 5, … up to 100 ms between tries,
/// so a writer queued behind another slept on while the lock was free: four concurrent ingests stored
/// half of what one writer at a time could, at a p99 of seconds. The lock is asked for every
/// [`WRITE_LOCK_POLL`] instead.
pub(crate) fn take_sqlite_write_lock(lite: &mut SqliteConnection) -> StoreResult<()> {
    // a statement that writes nothing, but needs the lock
    const TAKE: &str = "UPDATE accounts SET version = version WHERE 0";
    with_busy_timeout(lite, Duration::ZERO, |lite, wait| {
        let deadline = Instant::now() + wait;
        loop {
            match lite.batch_execute(TAKE) {
                Err(diesel::result::Error::DatabaseError(_, info))
                    if info.message().contains("database is locked") && Instant::now() < deadline =>
                {
                    std::thread::sleep(WRITE_LOCK_POLL);
                }
                other => return Ok(other?),
            }
        }
    })
}

/// Runs `f` with the connection's busy timeout set to `timeout`, then sets it back; `f` is given the
/// connection's own timeout.
fn with_busy_timeout<T>(
    lite: &mut SqliteConnection,
    timeout: Duration,
    f: impl FnOnce(&mut SqliteConnection, Duration) -> StoreResult<T>,
) -> StoreResult<T> {
    #[derive(QueryableByName)]
    struct BusyTimeout {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        timeout: i32,
    }
    let own = diesel::sql_query("PRAGMA busy_timeout").get_result::<BusyTimeout>(lite)?.timeout;
    lite.batch_execute(&format!("PRAGMA busy_timeout = {}", timeout.as_millis()))?;
    let out = f(lite, Duration::from_millis(u64::try_from(own).unwrap_or_default()));
    lite.batch_execute(&format!("PRAGMA busy_timeout = {own}"))?;
    out
}

/// How to open the store.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    /// `postgres://…`, `postgresql://…`, `sqlite://path` or a file path.
    pub url: String,
    /// Connections in the pool (default: [`SQLITE_POOL_SIZE`] or [`POSTGRES_POOL_SIZE`]).
    pub pool_size: u32,
    /// How long to wait for a pooled connection before reporting the database unavailable.
    pub connection_timeout: Duration,
    /// SQLite: how long a writer waits for the lock before giving up.
    pub busy_timeout: Duration,
    /// Apply pending migrations on open.
    pub run_migrations: bool,
}

impl StoreConfig {
    pub fn new(url: impl Into<String>) -> StoreConfig {
        let url = url.into();
        let pool_size = match Backend::from_url(&url).0 {
            Backend::Sqlite => SQLITE_POOL_SIZE,
            Backend::Postgres => POSTGRES_POOL_SIZE,
        };
        StoreConfig {
            url,
            pool_size,
            connection_timeout: Duration::from_secs(10),
            busy_timeout: Duration::from_secs(5),
            run_migrations: true,
        }
    }
}

/// Opens connections of one backend for the pool.
#[derive(Clone, Debug)]
pub struct ConnectionManager {
    backend: Backend,
    target: String,
    busy_timeout_ms: u128,
    /// SQLite: whether the connections it opens are the writer's ([`Store::write_conn`]).
    writer: bool,
    /// Whether the last attempt to open a connection failed: the database is down, don't wait for it.
    unreachable: Arc<AtomicBool>,
}

impl ConnectionManager {
    fn establish(&self) -> StoreResult<DbConn> {
        Ok(match self.backend {
            Backend::Postgres => DbConn::Postgresql(PgConnection::establish(&self.target)?),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.target)?;
                // Temporary files (a large report's sorter, a statement journal past 64 KiB) are files:
                // in memory, a count grouped over ten million records took 14 s instead of 4 s, held
                // its sort in the server's resident memory, and the connection's next statement waited
                // a second while it was freed (`docs/benchmarks.md`).
                conn.batch_execute(&format!(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {}; PRAGMA synchronous = NORMAL; \
                     PRAGMA cache_size = -{SQLITE_CACHE_KIB}; PRAGMA cache_spill = {SQLITE_SPILL_PAGES}; \
                     PRAGMA temp_store = FILE; PRAGMA journal_size_limit = {WAL_FILE_LIMIT};",
                    self.busy_timeout_ms
                ))?;
                if self.writer {
                    conn.batch_execute(&format!("PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINT_PAGES};"))?;
                }
                DbConn::Sqlite(conn)
            }
        })
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = StoreError;

    fn connect(&self) -> StoreResult<DbConn> {
        let conn = self.establish();
        self.unreachable.store(conn.is_err(), Ordering::Relaxed);
        conn
    }

    fn is_valid(&self, conn: &mut DbConn) -> StoreResult<()> {
        conn.ping().map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

/// A pooled connection.
pub type PooledConn = r2d2::PooledConnection<ConnectionManager>;

/// The store: a connection pool over one database.
#[derive(Clone)]
pub struct Store {
    pool: r2d2::Pool<ConnectionManager>,
    /// SQLite: the one connection changes are made on ([`Store::write_conn`]).
    writer: Option<r2d2::Pool<ConnectionManager>>,
    backend: Backend,
    connection_timeout: Duration,
    unreachable: Arc<AtomicBool>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).field("pool", &self.pool.state()).finish()
    }
}

impl Store {
    /// Opens the database at `url` with default settings and applies pending migrations.
    pub fn open(url: &str) -> StoreResult<Store> {
        Store::open_with(&StoreConfig::new(url))
    }

    /// Opens the database; with `run_migrations`, applies pending migrations first, on one connection.
    pub fn open_with(config: &StoreConfig) -> StoreResult<Store> {
        let (backend, target) = Backend::from_url(&config.url);
        if backend == Backend::Sqlite
            && (target.trim().is_empty() || target.contains(":memory:") || target.contains("mode=memory"))
        {
            // every pooled connection would open its own empty database
            return Err(StoreError::InvalidInput("SQLite needs a database file, not an in-memory database".into()));
        }
        let unreachable = Arc::new(AtomicBool::new(false));
        let manager = ConnectionManager {
            backend,
            target: target.to_owned(),
            busy_timeout_ms: config.busy_timeout.as_millis(),
            writer: false,
            unreachable: unreachable.clone(),
        };
        {
            let mut first = manager.establish()?;
            if backend == Backend::Sqlite {
                first.batch_execute("PRAGMA journal_mode = WAL;")?;
            }
            if config.run_migrations {
                run_migrations(&mut first)?;
            }
            if backend == Backend::Sqlite {
                // SQLite has no autovacuum to keep planner statistics: gather them (sampled, so cheap on
                // any size) for tables that never had any or changed a lot since, as SQLite advises for
                // long-lived connections. Without them, a history page can pick a scan over an index range.
                first.batch_execute("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;")?;
            }
        }
        let open = |size: u32, manager: ConnectionManager| {
            r2d2::Pool::builder()
                .max_size(size)
                .connection_timeout(config.connection_timeout)
                .build(manager)
                .map_err(|e| StoreError::Unavailable(e.to_string()))
        };
        let writer = match backend {
            Backend::Sqlite => Some(open(1, ConnectionManager { writer: true, ..manager.clone() })?),
            Backend::Postgres => None,
        };
        let pool = open(config.pool_size.max(1), manager)?;
        Ok(Store { pool, writer, backend, connection_timeout: config.connection_timeout, unreachable })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// SQLite: when the write-ahead log holds more than `frames` pages, waits for the readers on it to
    /// finish and has the next writer start it again from the beginning. SQLite's own checkpoints
    /// after each commit copy pages to the database but restart the log only when no reader is on
    /// it, which under steady concurrent load is never: it grew to 7 GB in five minutes of ingest.
    /// Answers the pages the log held (0 on PostgreSQL); [`StoreError::Unavailable`] when readers or
    /// a writer kept it busy past [`WAL_RESTART_WAIT`]: call again later.
    pub fn keep_wal_under(&self, frames: i64) -> StoreResult<i64> {
        #[derive(QueryableByName)]
        struct Checkpoint {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            busy: i32,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            log: i64,
        }
        if self.backend != Backend::Sqlite {
            return Ok(0);
        }
        let mut conn = self.conn()?;
        let DbConn::Sqlite(lite) = &mut *conn else { return Ok(0) };
        let held = diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result::<Checkpoint>(lite)?.log;
        if held <= frames {
            return Ok(held);
        }
        // A restart holds writers back while it waits for readers: wait briefly, and try again on the
        // next call rather than stall writes behind a long report.
        let restarted = with_busy_timeout(lite, WAL_RESTART_WAIT, |lite, _| {
            Ok(diesel::sql_query("PRAGMA wal_checkpoint(RESTART)").get_result::<Checkpoint>(lite)?)
        })?;
        if restarted.busy != 0 {
            return Err(StoreError::Unavailable(format!("the write-ahead log ({held} pages) is busy")));
        }
        Ok(held)
    }

    /// Connections the pool opens at most.
    pub fn pool_size(&self) -> u32 {
        self.pool.max_size()
    }

    /// A connection from the pool; [`StoreError::Unavailable`] when none comes within the connection
    /// timeout, or at once while the database is unreachable (an idle connection is still used).
    pub fn conn(&self) -> StoreResult<PooledConn> {
        self.conn_from(&self.pool)
    }

    /// A connection to make a change on. SQLite has one writer at a time anyway: on one connection
    /// that does every change, its page cache stays warm from one change to the next (a connection's
    /// cache is dropped whenever another connection writes), and writers wait their turn here rather
    /// than polling SQLite's lock. On PostgreSQL, [`Store::conn`]. A change made on another
    /// connection is still safe (SQLite's lock serialises it), only slower.
    pub fn write_conn(&self) -> StoreResult<PooledConn> {
        self.conn_from(self.writer.as_ref().unwrap_or(&self.pool))
    }

    fn conn_from(&self, pool: &r2d2::Pool<ConnectionManager>) -> StoreResult<PooledConn> {
        /// How often a caller waiting for a connection checks whether the database went down.
        const CHECK: Duration = Duration::from_millis(50);
        let deadline = Instant::now() + self.connection_timeout;
        loop {
            let unreachable = self.unreachable.load(Ordering::Relaxed);
            let remaining = deadline.saturating_duration_since(Instant::now());
            let wait = if unreachable { Duration::ZERO } else { remaining.min(CHECK) };
            match pool.get_timeout(wait) {
                Ok(conn) => return Ok(conn),
                Err(_) if unreachable => {
                    return Err(StoreError::Unavailable("no connection can be opened".into()));
                }
                Err(e) if remaining <= wait => return Err(StoreError::Unavailable(e.to_string())),
                Err(_) => {}
            }
        }
    }

    /// Checks that the database answers (for `/readyz`).
    pub fn ping(&self) -> StoreResult<()> {
        self.conn()?.ping().map_err(|e| StoreError::Unavailable(e.to_string()))
    }
}

const MIGRATION_LOCK_KEY: i64 = 0x5357_4254_4348; // "SWBTCH": serialises migrations of instances sharing one PostgreSQL

/// Applies the pending migrations of the connection's dialect; returns the versions applied.
pub fn run_migrations(conn: &mut DbConn) -> StoreResult<Vec<String>> {
    let applied = match conn {
        DbConn::Postgresql(pg) => {
            pg.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = pg.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| versions(&v));
            pg.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
            result
        }
        DbConn::Sqlite(lite) => lite.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| versions(&v)),
    };
    applied.map_err(|e| StoreError::Migration(e.to_string()))
}

/// Reverts every applied migration of the connection's dialect (newest first); returns the versions reverted.
pub fn revert_all_migrations(conn: &mut DbConn) -> StoreResult<Vec<String>> {
    let reverted = match conn {
        DbConn::Postgresql(pg) => pg.revert_all_migrations(POSTGRES_MIGRATIONS).map(|v| versions(&v)),
        DbConn::Sqlite(lite) => lite.revert_all_migrations(SQLITE_MIGRATIONS).map(|v| versions(&v)),
    };
    reverted.map_err(|e| StoreError::Migration(e.to_string()))
}

/// Reverts the applied migrations from `version` on (newest first), to see a later migration meet the
/// data of an earlier schema; returns the versions reverted.
pub fn revert_migrations_from(conn: &mut DbConn, version: &str) -> StoreResult<Vec<String>> {
    let mut reverted = Vec::new();
    while applied_migrations(conn)?.last().is_some_and(|last| last.as_str() >= version) {
        let last = match conn {
            DbConn::Postgresql(pg) => pg.revert_last_migration(POSTGRES_MIGRATIONS).map(|v| v.to_string()),
            DbConn::Sqlite(lite) => lite.revert_last_migration(SQLITE_MIGRATIONS).map(|v| v.to_string()),
        };
        reverted.push(last.map_err(|e| StoreError::Migration(e.to_string()))?);
    }
    Ok(reverted)
}

/// The migrations applied to this database, oldest first.
pub fn applied_migrations(conn: &mut DbConn) -> StoreResult<Vec<String>> {
    let applied = match conn {
        DbConn::Postgresql(pg) => pg.applied_migrations().map(|v| versions(&v)),
        DbConn::Sqlite(lite) => lite.applied_migrations().map(|v| versions(&v)),
    };
    applied
        .map(|mut v| {
            v.sort();
            v
        })
        .map_err(|e| StoreError::Migration(e.to_string()))
}

fn versions<V: fmt::Display>(v: &[V]) -> Vec<String> {
    v.iter().map(|m| m.to_string()).collect()
}
