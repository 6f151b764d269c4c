//! What every handler can reach.

use crate::auth::jwt::Tokens;
use crate::metrics::Metrics;
use switchboard_store::Store;

#[derive(Debug)]
pub struct AppState {
    pub store: Store,
    pub tokens: Tokens,
    pub metrics: Metrics,
    /// SHA-256 of the operator key; operator endpoints are disabled when `None`.
    pub operator_key_hash: Option<String>,
}
