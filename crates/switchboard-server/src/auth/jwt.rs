//! JWTs: HS256 tokens minted by `POST /v1/auth/token`, and tokens of an external identity provider
//! verified with its public key. Verification is strict: the algorithm is pinned per key (no `none`,
//! no HS/RS confusion), and `exp`, `iss`, `aud` and `sub` are required; `nbf` is honoured.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest token accepted; anything longer is refused before parsing.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: u64 = 30;

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
}

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

/// Mints and verifies tokens.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    pub issuer: String,
    pub audience: String,
    pub ttl_seconds: i64,
    external: Option<ExternalKey>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.debug_struct("Tokens")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("external", &self.external)
            .finish()
    }
}

/// Why a token was refused. The message is safe to show the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TokenError(pub String);

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}

impl Tokens {
    /// `secret` must be at least 32 bytes.
    pub fn new(secret: &[u8], issuer: String, audience: String, ttl_seconds: i64) -> Result<Tokens, String> {
        if secret.len() < 32 {
            return Err("the JWT secret must be at least 32 bytes".into());
        }
        Ok(Tokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            issuer,
            audience,
            ttl_seconds,
            external: None,
        })
    }

    pub fn with_external(mut self, external: ExternalKey) -> Tokens {
        self.external = Some(external);
        self
    }

    /// Mints an HS256 token for a user.
    pub fn mint(&self, user: Uuid, account: Uuid) -> Result<(String, i64), TokenError> {
        let iat = now();
        let claims = Claims {
            sub: user,
            acct: account,
            iat,
            exp: iat + self.ttl_seconds,
            nbf: Some(iat),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map(|t| (t, self.ttl_seconds))
            .map_err(|e| TokenError(format!("cannot sign the token: {e}")))
    }

    /// Verifies a token strictly and returns its claims.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError("the token is too large".into()));
        }
        let header = decode_header(token).map_err(|_| TokenError("the token is malformed".into()))?;
        let (key, algorithm, issuer, audience) = match (header.alg, &self.external) {
            (Algorithm::HS256, _) => (&self.decoding, Algorithm::HS256, &self.issuer, &self.audience),
            (alg, Some(ext)) if alg == ext.algorithm => (&ext.key, ext.algorithm, &ext.issuer, &ext.audience),
            (alg, _) => return Err(TokenError(format!("tokens signed with {alg:?} are not accepted"))),
        };
        let mut validation = Validation::new(algorithm);
        validation.algorithms = vec![algorithm];
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        decode::<Claims>(token, key, &validation).map(|data| data.claims).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            TokenError(
                match e.kind() {
                    K::ExpiredSignature => "the token has expired",
                    K::ImmatureSignature => "the token is not valid yet",
                    K::InvalidIssuer => "the token's issuer is not accepted",
                    K::InvalidAudience => "the token's audience is not accepted",
                    K::InvalidSignature => "the token's signature is invalid",
                    K::InvalidAlgorithm => "the token's algorithm is not accepted",
                    K::MissingRequiredClaim(_) => "the token lacks a required claim",
                    _ => "the token is invalid",
                }
                .into(),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> Tokens {
        Tokens::new(&[7u8; 32], "switchboard".into(), "switchboard-api".into(), 3600).unwrap()
    }

    #[test]
    fn a_minted_token_verifies_with_its_claims() {
        let t = tokens();
        let (user, account) = (Uuid::new_v4(), Uuid::new_v4());
        let (token, ttl) = t.mint(user, account).unwrap();
        assert_eq!(ttl, 3600);
        let claims = t.verify(&token).unwrap();
        assert_eq!((claims.sub, claims.acct), (user, account));
    }

    #[test]
    fn tokens_signed_with_another_secret_issuer_or_audience_are_refused() {
        let (token, _) = tokens().mint(Uuid::new_v4(), Uuid::new_v4()).unwrap();
        let other_key = Tokens::new(&[8u8; 32], "switchboard".into(), "switchboard-api".into(), 60).unwrap();
        assert!(other_key.verify(&token).is_err());
        let other_iss = Tokens::new(&[7u8; 32], "elsewhere".into(), "switchboard-api".into(), 60).unwrap();
        assert_eq!(other_iss.verify(&token).unwrap_err().0, "the token's issuer is not accepted");
        let other_aud = Tokens::new(&[7u8; 32], "switchboard".into(), "other".into(), 60).unwrap();
        assert_eq!(other_aud.verify(&token).unwrap_err().0, "the token's audience is not accepted");
    }

    #[test]
    fn expired_unsigned_and_oversized_tokens_are_refused() {
        let t = Tokens { ttl_seconds: -3600, ..tokens() };
        let (expired, _) = t.mint(Uuid::new_v4(), Uuid::new_v4()).unwrap();
        assert_eq!(tokens().verify(&expired).unwrap_err().0, "the token has expired");
        // alg: none
        let none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4In0.";
        assert!(tokens().verify(none).is_err());
        assert!(tokens().verify(&"a".repeat(MAX_TOKEN_BYTES + 1)).is_err());
        assert!(tokens().verify("garbage").is_err());
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(Tokens::new(b"short", "i".into(), "a".into(), 60).is_err());
    }
}
