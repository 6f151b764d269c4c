//! What every handler can reach.

use crate::access::cache::PolicyCache;
use crate::auth::jwt::Tokens;
use crate::metrics::Metrics;
use crate::packs::Packs;
use switchboard_store::Store;

#[derive(Debug)]
pub struct AppState {
    pub store: Store,
    pub packs: Packs,
    pub policies: PolicyCache,
    pub tokens: Tokens,
    pub metrics: Metrics,
    pub logins: crate::auth::limiter::LoginLimiter,
    /// SHA-256 of the operator key; operator endpoints are disabled when `None`.
    pub operator_key_hash: Option<String>,
    /// SHA-256 of the metrics token; `/metrics` also takes the operator key.
    pub metrics_token_hash: Option<String>,
    /// Seals two-factor secrets at rest.
    pub sealing: crate::auth::totp::SealingKey,
    /// Seals webhook signing secrets at rest (they must be read again, to sign).
    pub webhook_sealing: crate::auth::totp::SealingKey,
    /// Derives the console's CSRF tokens.
    pub console: crate::auth::csrf::CsrfKey,
    /// How events leave the server.
    pub events: crate::config::EventSettings,
}
