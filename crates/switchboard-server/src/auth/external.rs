//! An external identity provider's keys: the algorithms accepted (asymmetric only, so a public key
//! can never be used as an HMAC secret), a public key read from PEM or the keys of a JWKS URL.

use super::claims::{Claims, TokenError};
use super::jwks::{Jwks, KeyError};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

/// Where an external provider's keys come from.
#[derive(Clone)]
pub enum ExternalKeys {
    /// One public key, from a file.
    Pem(DecodingKey),
    /// The provider's published keys, chosen by the token's `kid`.
    Jwks(Arc<Jwks>),
}

impl std::fmt::Debug for ExternalKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExternalKeys::Pem(_) => f.write_str("Pem"),
            ExternalKeys::Jwks(jwks) => f.debug_tuple("Jwks").field(jwks).finish(),
        }
    }
}

/// An external identity provider's verification keys.
#[derive(Clone)]
pub struct ExternalKey {
    pub algorithm: Algorithm,
    pub keys: ExternalKeys,
    pub issuer: String,
    pub audience: String,
    /// The claim naming the person's groups (`groups`), when group mappings follow it.
    pub groups_claim: Option<String>,
}

impl ExternalKey {
    /// The key for a token naming `kid`; see [`Jwks::key`] for `may_fetch`.
    pub fn key(&self, kid: Option<&str>, may_fetch: bool) -> Result<DecodingKey, KeyError> {
        match &self.keys {
            ExternalKeys::Pem(key) => Ok(key.clone()),
            ExternalKeys::Jwks(jwks) => jwks.key(kid, may_fetch),
        }
    }
}

impl std::fmt::Debug for ExternalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalKey")
            .field("algorithm", &self.algorithm)
            .field("keys", &self.keys)
            .field("issuer", &self.issuer)
            .finish()
    }
}

/// Parses an algorithm name allowed for external providers.
pub fn external_algorithm(name: &str) -> Result<Algorithm, String> {
    match name {
        "RS256" => Ok(Algorithm::RS256),
        "ES256" => Ok(Algorithm::ES256),
        "EdDSA" => Ok(Algorithm::EdDSA),
        other => Err(format!("unsupported external JWT algorithm `{other}`: use RS256, ES256 or EdDSA")),
    }
}

/// Reads an external provider's public key (PEM) for the given algorithm.
pub fn external_key(algorithm: Algorithm, pem: &[u8]) -> Result<DecodingKey, String> {
    let key = match algorithm {
        Algorithm::RS256 => DecodingKey::from_rsa_pem(pem),
        Algorithm::ES256 => DecodingKey::from_ec_pem(pem),
        Algorithm::EdDSA => DecodingKey::from_ed_pem(pem),
        other => return Err(format!("unsupported external JWT algorithm {other:?}")),
    };
    key.map_err(|e| format!("cannot read the public key: {e}"))
}

/// The claims of an external provider's token, with the others kept to find its groups claim.
#[derive(Debug, Deserialize)]
pub(super) struct ExternalClaims {
    #[serde(flatten)]
    pub claims: Claims,
    #[serde(flatten)]
    pub other: HashMap<String, serde_json::Value>,
}

/// The groups an external token names under `claim`: absent, or a list of strings (else the token is
/// refused, as any other malformed claim is).
pub(super) fn claimed_groups(
    other: &mut HashMap<String, serde_json::Value>,
    claim: &str,
) -> Result<Option<Vec<String>>, TokenError> {
    let malformed = || TokenError(format!("the token's `{claim}` claim is not a list of group names"));
    match other.remove(claim) {
        None => Ok(None),
        Some(serde_json::Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                serde_json::Value::String(group) => Ok(group),
                _ => Err(malformed()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(malformed()),
    }
}
