//! Configuration: command-line flags, then `SWITCHBOARD_*` environment variables (clap reads both),
//! then an optional TOML file, then defaults. Secrets never appear in `Debug` output.

use clap::Args;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use switchboard_plugin_host::{Describer, Limits};

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "switchboard-data";
pub const DEFAULT_ISSUER: &str = "switchboard";
pub const DEFAULT_AUDIENCE: &str = "switchboard-api";
pub const DEFAULT_TOKEN_TTL: i64 = 3600;
pub const DEFAULT_MAX_BODY: usize = 256 * 1024;

/// Flags shared by every subcommand that touches the database or plugins.
#[derive(Debug, Clone, Default, Args)]
pub struct CommonArgs {
    /// TOML configuration file (lowest precedence after defaults).
    #[arg(long, env = "SWITCHBOARD_CONFIG")]
    pub config: Option<PathBuf>,
    /// Directory for the embedded database and the generated JWT secret.
    #[arg(long, env = "SWITCHBOARD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// `postgres://…` to use PostgreSQL; default: an SQLite file in the data directory.
    #[arg(long, env = "SWITCHBOARD_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Directory the preset plugins are loaded from; default: next to the executable.
    #[arg(long, env = "SWITCHBOARD_PLUGINS_DIR")]
    pub plugins_dir: Option<PathBuf>,
    /// Refuse to start when any plugin is broken.
    #[arg(long, env = "SWITCHBOARD_STRICT_PLUGINS")]
    pub strict_plugins: bool,
    /// How long one plugin may take to be described (in its own process) before it is stopped.
    #[arg(long, env = "SWITCHBOARD_PLUGIN_TIME_LIMIT_MS")]
    pub plugin_time_limit_ms: Option<u64>,
}

/// Flags of `switchboard serve`.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SWITCHBOARD_BIND")]
    pub bind: Option<SocketAddr>,
    /// Create a sample account for each preset pack on first start, and print how to log in.
    #[arg(long, env = "SWITCHBOARD_DEMO")]
    pub demo: bool,
    /// On PostgreSQL, do not listen for other instances' access changes: rely on the 250 ms check
    /// alone (for measuring the difference).
    #[arg(long, env = "SWITCHBOARD_NO_ACCESS_NOTIFICATIONS")]
    pub no_access_notifications: bool,
}

/// The optional TOML file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub plugins_dir: Option<PathBuf>,
    pub strict_plugins: Option<bool>,
    pub plugin_time_limit_ms: Option<u64>,
    pub jwt_issuer: Option<String>,
    pub jwt_audience: Option<String>,
    pub token_ttl_seconds: Option<i64>,
    pub max_body_bytes: Option<usize>,
    pub external_jwt: Option<ExternalJwtConfig>,
    pub events: Option<EventsConfig>,
}

/// `[events]`: how change events leave the server (webhooks, the NATS sink).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsConfig {
    /// How long a receiver has to answer, in milliseconds (default 10 000).
    pub webhook_timeout_ms: Option<u64>,
    /// The first retry's wait, doubled after each failure (default 1 000 ms) …
    pub webhook_retry_base_ms: Option<u64>,
    /// … up to this (default 15 minutes).
    pub webhook_retry_max_ms: Option<u64>,
    /// Webhooks delivered at once by this instance (default 4).
    pub webhook_workers: Option<usize>,
    /// Whether receivers may be on this machine or a private network (10/8, 172.16/12, 192.168/16,
    /// 100.64/10, fc00::/7, loopback). Default off (on with `--demo`): an account's admin must not
    /// make the server post into the operator's own network.
    pub allow_private_receivers: Option<bool>,
    /// Publish every event to NATS JetStream at this URL (`nats://host:4222`); also
    /// `SWITCHBOARD_EVENTS_NATS_URL`. Default: no sink.
    pub nats_url: Option<String>,
    /// The JetStream stream (created when missing; default `SWITCHBOARD_EVENTS`).
    pub nats_stream: Option<String>,
    /// Subjects are `<prefix>.<account id>` (default `switchboard.events`).
    pub nats_subject_prefix: Option<String>,
}

/// Resolved `[events]` settings.
#[derive(Clone, PartialEq, Eq)]
pub struct EventSettings {
    pub webhook_timeout: std::time::Duration,
    pub webhook_retry_base: std::time::Duration,
    pub webhook_retry_max: std::time::Duration,
    pub webhook_workers: usize,
    pub allow_private_receivers: bool,
    pub nats_url: Option<String>,
    pub nats_stream: String,
    pub nats_subject_prefix: String,
}

impl std::fmt::Debug for EventSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventSettings")
            .field("webhook_timeout", &self.webhook_timeout)
            .field("webhook_retry_base", &self.webhook_retry_base)
            .field("webhook_retry_max", &self.webhook_retry_max)
            .field("webhook_workers", &self.webhook_workers)
            .field("allow_private_receivers", &self.allow_private_receivers)
            // a NATS URL may carry credentials
            .field("nats_url", &self.nats_url.as_deref().map(redact_url))
            .field("nats_stream", &self.nats_stream)
            .field("nats_subject_prefix", &self.nats_subject_prefix)
            .finish()
    }
}

impl EventSettings {
    pub fn resolve(file: EventsConfig) -> Result<EventSettings, String> {
        let ms = std::time::Duration::from_millis;
        let settings = EventSettings {
            webhook_timeout: ms(file.webhook_timeout_ms.unwrap_or(10_000)),
            webhook_retry_base: ms(file.webhook_retry_base_ms.unwrap_or(1_000)),
            webhook_retry_max: ms(file.webhook_retry_max_ms.unwrap_or(15 * 60 * 1_000)),
            webhook_workers: file.webhook_workers.unwrap_or(4),
            allow_private_receivers: file.allow_private_receivers.unwrap_or(false),
            nats_url: env_secret("SWITCHBOARD_EVENTS_NATS_URL").or(file.nats_url),
            nats_stream: file.nats_stream.unwrap_or_else(|| "SWITCHBOARD_EVENTS".into()),
            nats_subject_prefix: file.nats_subject_prefix.unwrap_or_else(|| "switchboard.events".into()),
        };
        if !(100..=60_000).contains(&settings.webhook_timeout.as_millis()) {
            return Err("events.webhook_timeout_ms must be between 100 and 60000".into());
        }
        if settings.webhook_retry_base.is_zero() || settings.webhook_retry_max < settings.webhook_retry_base {
            return Err("events.webhook_retry_base_ms must be positive and at most webhook_retry_max_ms".into());
        }
        if !(1..=64).contains(&settings.webhook_workers) {
            return Err("events.webhook_workers must be between 1 and 64".into());
        }
        let token = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !token(&settings.nats_stream) {
            return Err("events.nats_stream may hold only letters, digits, `_` and `-`".into());
        }
        if !settings.nats_subject_prefix.split('.').all(token) {
            return Err(
                "events.nats_subject_prefix must be dot-separated tokens of letters, digits, `_` and `-`".into()
            );
        }
        Ok(settings)
    }
}

/// An external identity provider whose tokens are accepted.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalJwtConfig {
    /// `RS256`, `ES256` or `EdDSA`.
    pub algorithm: String,
    /// PEM file with the provider's public key; or else `jwks_url`.
    pub public_key_file: Option<PathBuf>,
    /// The provider's published keys (HTTPS; plain HTTP only to this machine), chosen by `kid`.
    pub jwks_url: Option<String>,
    /// Fewest seconds between two fetches of the JWKS (default 30): a token naming an unknown key
    /// fetches again at most this often.
    pub jwks_refresh_min_seconds: Option<u64>,
    /// Oldest the fetched keys may be before they are fetched again (default 3600 seconds).
    pub jwks_max_age_seconds: Option<u64>,
    pub issuer: String,
    pub audience: String,
    /// The claim that lists the person's groups (Okta and Entra call it `groups`): the account's
    /// group mappings follow it when set.
    pub groups_claim: Option<String>,
}

/// Fully resolved settings.
#[derive(Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub plugins_dir: PathBuf,
    pub strict_plugins: bool,
    /// Runs each plugin's code in a process of its own (DESIGN §3).
    pub plugin_describer: Describer,
    pub demo: bool,
    /// On PostgreSQL, hear of other instances' access changes as they commit (LISTEN/NOTIFY).
    pub access_notifications: bool,
    pub jwt_secret: Option<String>,
    pub operator_key: Option<String>,
    /// A token that reads `/metrics` (besides the operator key).
    pub metrics_token: Option<String>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub token_ttl_seconds: i64,
    pub max_body_bytes: usize,
    pub external_jwt: Option<ExternalJwtConfig>,
    pub events: EventSettings,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("database", &redact_url(&self.database_url))
            .field("plugins_dir", &self.plugins_dir)
            .field("strict_plugins", &self.strict_plugins)
            .field("plugin_describer", &self.plugin_describer)
            .field("demo", &self.demo)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "<set>"))
            .field("operator_key", &self.operator_key.as_ref().map(|_| "<set>"))
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "<set>"))
            .field("nats", &self.events.nats_url.as_deref().map(redact_url))
            .finish_non_exhaustive()
    }
}

/// A database URL with any password removed, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _password)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                // a lone token (`nats://<token>@host`) is the secret itself
                None => format!("{}***{}", &url[..scheme + 3], &url[at..]),
            }
        }
        _ => url.to_owned(),
    }
}

/// The hidden subcommand of this binary that describes one plugin, confined, in a process of its own.
pub const DESCRIBE_PLUGIN_COMMAND: &str = "describe-plugin";

/// The default time limit of describing one plugin.
pub const DEFAULT_PLUGIN_TIME_LIMIT_MS: u64 = 10_000;

/// This executable's `describe-plugin`, with the given time limit (default 10 s, 100 ms to 10 min).
pub fn plugin_describer(time_limit_ms: Option<u64>) -> Result<Describer, String> {
    let time_limit_ms = time_limit_ms.unwrap_or(DEFAULT_PLUGIN_TIME_LIMIT_MS);
    if !(100..=600_000).contains(&time_limit_ms) {
        return Err("plugin_time_limit_ms must be between 100 and 600000".into());
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate this executable: {e}"))?;
    let limits = Limits { time: std::time::Duration::from_millis(time_limit_ms), ..Limits::default() };
    Ok(Describer::new(exe, [DESCRIBE_PLUGIN_COMMAND]).with_limits(limits))
}

/// The embedded SQLite database of a data directory: the database when no URL is given.
pub fn embedded_database(data_dir: &Path) -> PathBuf {
    data_dir.join("switchboard.db")
}

/// The directory of the running executable: where plugins are found by default.
pub fn default_plugins_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."))
}

fn env_secret(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Settings {
    /// Merges flags (and their environment variables) over the TOML file over defaults.
    pub fn resolve(common: &CommonArgs, serve: &ServeArgs) -> Result<Settings, String> {
        let file = match &common.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read configuration file {}: {e}", path.display()))?;
                toml::from_str::<FileConfig>(&text)
                    .map_err(|e| format!("configuration file {}: {e}", path.display()))?
            }
            None => FileConfig::default(),
        };
        let data_dir =
            common.data_dir.clone().or(file.data_dir.clone()).unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let database_url = common
            .database_url
            .clone()
            .or(file.database_url.clone())
            .unwrap_or_else(|| embedded_database(&data_dir).to_string_lossy().into_owned());
        let bind = match serve.bind.or(file.bind) {
            Some(bind) => bind,
            None => DEFAULT_BIND.parse().map_err(|e| format!("default bind address: {e}"))?,
        };
        let token_ttl_seconds = file.token_ttl_seconds.unwrap_or(DEFAULT_TOKEN_TTL);
        if !(60..=86_400).contains(&token_ttl_seconds) {
            return Err("token_ttl_seconds must be between 60 and 86400".into());
        }
        Ok(Settings {
            bind,
            database_url,
            plugins_dir: common.plugins_dir.clone().or(file.plugins_dir.clone()).unwrap_or_else(default_plugins_dir),
            strict_plugins: common.strict_plugins || file.strict_plugins.unwrap_or(false),
            plugin_describer: plugin_describer(common.plugin_time_limit_ms.or(file.plugin_time_limit_ms))?,
            demo: serve.demo,
            access_notifications: !serve.no_access_notifications,
            jwt_secret: env_secret("SWITCHBOARD_JWT_SECRET"),
            operator_key: env_secret("SWITCHBOARD_OPERATOR_KEY"),
            metrics_token: env_secret("SWITCHBOARD_METRICS_TOKEN"),
            jwt_issuer: file.jwt_issuer.unwrap_or_else(|| DEFAULT_ISSUER.into()),
            jwt_audience: file.jwt_audience.unwrap_or_else(|| DEFAULT_AUDIENCE.into()),
            token_ttl_seconds,
            max_body_bytes: file.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY),
            external_jwt: file.external_jwt,
            events: {
                let mut events = EventSettings::resolve(file.events.unwrap_or_default())?;
                // the demo is a trial on one machine: its receivers are there too
                events.allow_private_receivers |= serve.demo;
                events
            },
            data_dir,
        })
    }

    pub fn uses_postgres(&self) -> bool {
        self.database_url.starts_with("postgres://") || self.database_url.starts_with("postgresql://")
    }
}

#[cfg(test)]
mod tests;
