//! An external identity provider's signing keys, fetched from its JWKS URL (RFC 7517): cached, fetched
//! again when a token names a key not in the cache or the cache is older than its age limit, and never
//! more often than the refresh bound, so tokens with made-up key ids cannot make Switchboard hammer the
//! provider. Only keys of the configured algorithm are taken; a failed fetch keeps the keys it had.

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

/// Largest JWKS document read.
const MAX_DOCUMENT: u64 = 256 * 1024;
/// How long a fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Why no key verifies a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// The key is not known, and asking the provider again must wait (or did not help).
    Unknown(String),
    /// The keys must be fetched first: a caller that may not block asks again where it may.
    MustFetch,
}

#[derive(Default)]
struct Cached {
    keys: Vec<(Option<String>, DecodingKey)>,
    fetched_at: Option<Instant>,
}

/// The keys behind a JWKS URL.
pub struct Jwks {
    url: String,
    algorithm: Algorithm,
    min_refresh: Duration,
    max_age: Duration,
    agent: ureq::Agent,
    cached: RwLock<Cached>,
    /// When the keys were last asked for (successfully or not); held while asking.
    last_attempt: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Jwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwks").field("url", &self.url).field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

/// A JWKS URL is HTTPS, or plain HTTP to this machine (a provider's sidecar, the tests), with no
/// user name or password in it.
pub fn check_url(url: &str) -> Result<(), String> {
    let refused = || {
        format!(
            "external_jwt.jwks_url `{url}` must be https (plain http only to 127.0.0.1, localhost or [::1]), with no user info"
        )
    };
    let uri: actix_web::http::Uri = url.parse().map_err(|_| refused())?;
    let authority = uri.authority().ok_or_else(refused)?;
    if authority.as_str().contains('@') {
        return Err(refused());
    }
    let loopback = matches!(authority.host(), "127.0.0.1" | "localhost" | "[::1]" | "::1");
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if loopback => Ok(()),
        _ => Err(refused()),
    }
}

impl Jwks {
    pub fn new(url: &str, algorithm: Algorithm, min_refresh: Duration, max_age: Duration) -> Result<Jwks, String> {
        check_url(url)?;
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(FETCH_TIMEOUT))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(concat!("Switchboard/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Jwks {
            url: url.to_owned(),
            algorithm,
            min_refresh,
            max_age,
            agent: config.new_agent(),
            cached: RwLock::default(),
            last_attempt: Mutex::default(),
        })
    }

    /// The key that verifies a token naming `kid` (or none). With `may_fetch` false (a thread that
    /// must not wait on the network), a fetch that is due is answered [`KeyError::MustFetch`].
    pub fn key(&self, kid: Option<&str>, may_fetch: bool) -> Result<DecodingKey, KeyError> {
        let (found, fresh) = self.lookup(kid);
        if let (Some(key), true) = (&found, fresh) {
            return Ok(key.clone());
        }
        if !self.fetch_allowed() {
            return found.ok_or_else(|| unknown(kid));
        }
        if !may_fetch {
            return Err(KeyError::MustFetch);
        }
        self.refresh();
        self.lookup(kid).0.ok_or_else(|| unknown(kid))
    }

    /// The cached key for `kid`, and whether the cache is within its age.
    fn lookup(&self, kid: Option<&str>) -> (Option<DecodingKey>, bool) {
        let Ok(cached) = self.cached.read() else { return (None, false) };
        let fresh = cached.fetched_at.is_some_and(|at| at.elapsed() < self.max_age);
        let key = match kid {
            Some(kid) => cached.keys.iter().find(|(id, _)| id.as_deref() == Some(kid)).map(|(_, k)| k.clone()),
            // a token without `kid` is verified only where the provider has exactly one key
            None if cached.keys.len() == 1 => Some(cached.keys[0].1.clone()),
            None => None,
        };
        (key, fresh)
    }

    /// Whether a fetch is due; never waits (a worker thread asks).
    fn fetch_allowed(&self) -> bool {
        self.last_attempt.try_lock().map(|last| last.is_none_or(|at| at.elapsed() >= self.min_refresh)).unwrap_or(false)
    }

    /// Asks the provider for its keys, unless another thread did within the refresh bound. The
    /// attempt is recorded before the network is used, so no lock is held while it is.
    pub fn refresh(&self) {
        {
            let Ok(mut last) = self.last_attempt.lock() else { return };
            if last.is_some_and(|at| at.elapsed() < self.min_refresh) {
                return;
            }
            *last = Some(Instant::now());
        }
        match self.fetch() {
            Ok(keys) if keys.is_empty() => {
                log::warn!(
                    "the identity provider's JWKS at {} holds no usable signing key; keeping the keys known",
                    self.url
                );
            }
            Ok(keys) => {
                log::info!("fetched {} signing key(s) of the identity provider from {}", keys.len(), self.url);
                if let Ok(mut cached) = self.cached.write() {
                    *cached = Cached { keys, fetched_at: Some(Instant::now()) };
                }
            }
            Err(why) => {
                log::warn!("cannot fetch the identity provider's keys from {}: {why}; keeping the keys known", self.url)
            }
        }
    }

    fn fetch(&self) -> Result<Vec<(Option<String>, DecodingKey)>, String> {
        let response = self.agent.get(&self.url).call().map_err(|e| e.to_string())?;
        if response.status() != 200 {
            return Err(format!("answered {}", response.status()));
        }
        let text =
            response.into_body().with_config().limit(MAX_DOCUMENT).read_to_string().map_err(|e| e.to_string())?;
        let set: JwkSet = serde_json::from_str(&text).map_err(|e| format!("not a JWKS document: {e}"))?;
        Ok(set
            .keys
            .iter()
            .filter(|jwk| usable(jwk, self.algorithm))
            .filter_map(|jwk| DecodingKey::from_jwk(jwk).ok().map(|key| (jwk.common.key_id.clone(), key)))
            .collect())
    }
}

fn unknown(kid: Option<&str>) -> KeyError {
    KeyError::Unknown(match kid {
        Some(_) => "the token's signing key is not one of the identity provider's".into(),
        None => "the token names no signing key (`kid`)".into(),
    })
}

/// Whether a published key is one for verifying signatures of `algorithm`.
fn usable(jwk: &Jwk, algorithm: Algorithm) -> bool {
    let signing = matches!(jwk.common.public_key_use, None | Some(PublicKeyUse::Signature));
    let declared = match jwk.common.key_algorithm {
        None => true,
        Some(KeyAlgorithm::RS256) => algorithm == Algorithm::RS256,
        Some(KeyAlgorithm::ES256) => algorithm == Algorithm::ES256,
        Some(KeyAlgorithm::EdDSA) => algorithm == Algorithm::EdDSA,
        Some(_) => false,
    };
    let kind = match (&jwk.algorithm, algorithm) {
        (AlgorithmParameters::RSA(_), Algorithm::RS256) => true,
        (AlgorithmParameters::EllipticCurve(p), Algorithm::ES256) => p.curve == EllipticCurve::P256,
        (AlgorithmParameters::OctetKeyPair(p), Algorithm::EdDSA) => p.curve == EllipticCurve::Ed25519,
        _ => false,
    };
    signing && declared && kind
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_https_or_this_machine() {
        assert!(check_url("https://idp.example/.well-known/jwks.json").is_ok());
        assert!(check_url("http://127.0.0.1:8080/jwks").is_ok());
        assert!(check_url("http://idp.example/jwks").is_err());
        assert!(check_url("http://127.0.0.1.evil.example/jwks").is_err());
        assert!(check_url("http://localhost:@evil.example/jwks").is_err());
        assert!(check_url("http://127.0.0.1:80@evil.example/").is_err());
        assert!(check_url("https://user:pass@idp.example/jwks").is_err());
        assert!(check_url("http://[::1]:8080/jwks").is_ok());
        assert!(check_url("file:///etc/passwd").is_err());
    }

    #[test]
    fn only_signing_keys_of_the_configured_algorithm_are_taken() {
        let ed = |extra: serde_json::Value| {
            let mut key = json!({"kty": "OKP", "crv": "Ed25519", "x": "yxvP4ZrBKZGu74XYWnyh1JwWTSZcmEea7axFnrdWPGY", "kid": "k1"});
            key.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            serde_json::from_value::<Jwk>(key).unwrap()
        };
        assert!(usable(&ed(json!({})), Algorithm::EdDSA));
        assert!(usable(&ed(json!({"use": "sig", "alg": "EdDSA"})), Algorithm::EdDSA));
        assert!(!usable(&ed(json!({"use": "enc"})), Algorithm::EdDSA));
        assert!(!usable(&ed(json!({})), Algorithm::RS256));
        assert!(!usable(&ed(json!({"alg": "RS256"})), Algorithm::EdDSA));
    }
}
