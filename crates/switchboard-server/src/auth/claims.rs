//! What a token says (its claims) and why one is refused: shared by the tokens Switchboard mints
//! ([`super::jwt`]) and those of an external identity provider ([`super::external`]).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The claims Switchboard reads. Roles are never taken from a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: Uuid,
    /// The account id.
    pub acct: Uuid,
    pub iat: i64,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub iss: String,
    pub aud: String,
    /// The session the token belongs to (tokens Switchboard mints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
}

/// Why a token was refused. The message is safe to show the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TokenError(pub String);
