//! An external identity provider's keys: the algorithms accepted (asymmetric only, so a public key
//! can never be used as an HMAC secret) and reading a public key from PEM.

use jsonwebtoken::{Algorithm, DecodingKey};

/// An external identity provider's verification key.
#[derive(Clone)]
pub struct ExternalKey {
    pub algorithm: Algorithm,
    pub key: DecodingKey,
    pub issuer: String,
    pub audience: String,
}

impl std::fmt::Debug for ExternalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalKey").field("algorithm", &self.algorithm).field("issuer", &self.issuer).finish()
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
