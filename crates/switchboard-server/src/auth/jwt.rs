//! JWTs: HS256 tokens minted by `POST /v1/auth/token`, and tokens of an external identity provider
//! verified with its public key. Verification is strict: the algorithm is pinned per key (no `none`,
//! no HS/RS confusion), and `exp`, `iss`, `aud` and `sub` are required; `nbf` is honoured.
//!
//! Requests authenticate through [`Tokens::authenticate`], which remembers the tokens that passed
//! [`Tokens::verify`] (by their exact bytes, in a bounded map) so a client that reuses its token is
//! not re-verified on every request. That is sound because verification is a pure function of the
//! token's bytes, the keys, issuer and audience (all fixed for the life of the process) and the
//! clock: a remembered token's `exp` and `nbf` are checked against the clock on every use, exactly
//! as `verify` checks them, and a token that fails is never remembered. Revocation is unaffected:
//! tokens carry no roles, and the caller's status and roles are checked on every request (`access`).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use uuid::Uuid;

pub use super::claims::{Claims, TokenError};
use super::external::{ExternalClaims, ExternalKey, claimed_groups};
use super::jwks::KeyError;

/// Longest token accepted; anything longer is refused before parsing.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: u64 = 30;
/// Most verified tokens remembered by [`Tokens::authenticate`].
pub const REMEMBERED_TOKENS: usize = 1024;
/// Longest token remembered (ours are ~300 bytes): bounds the memory of the map to about 2 MiB.
pub const MAX_REMEMBERED_TOKEN_BYTES: usize = 2048;

/// Who a verified token names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSubject {
    /// The user id (`sub`).
    pub user: Uuid,
    /// The account id (`acct`).
    pub account: Uuid,
    /// The session (`sid`): every token Switchboard mints names one; an identity provider's do not.
    pub session: Option<Uuid>,
}

/// The groups an external provider's token names, when it carries the configured claim.
type Groups = Option<Vec<String>>;

/// What a request's token says: who it names and, on the first use of an external provider's token
/// carrying the configured groups claim, the groups it names. Such a token is remembered only once
/// its groups have been applied ([`Tokens::remember`]), so a refusal to apply them is met again on
/// its next use instead of being forgotten.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub subject: TokenSubject,
    pub groups: Groups,
    unremembered: Option<Verified>,
}

/// What [`Tokens::authenticate`] remembers of a token that passed verification.
#[derive(Debug, Clone, Copy)]
struct Verified {
    subject: TokenSubject,
    exp: i64,
    nbf: Option<i64>,
}

impl Verified {
    /// The time checks of [`Tokens::verify`] (jsonwebtoken's, with the same leeway), at `now`.
    fn current(&self, now: i64) -> bool {
        let leeway = LEEWAY_SECONDS as i64;
        self.exp >= now - leeway && self.nbf.is_none_or(|nbf| nbf <= now + leeway)
    }
}

/// Tokens that passed [`Tokens::verify`], by their exact bytes; at most [`REMEMBERED_TOKENS`].
#[derive(Debug, Default)]
struct VerifiedTokens {
    entries: RwLock<HashMap<Box<str>, Verified>>,
}

impl VerifiedTokens {
    fn get(&self, token: &str) -> Option<Verified> {
        self.entries.read().ok()?.get(token).copied()
    }

    fn remember(&self, token: &str, verified: Verified, now: i64) {
        if token.len() > MAX_REMEMBERED_TOKEN_BYTES {
            return;
        }
        let Ok(mut entries) = self.entries.write() else { return };
        if entries.len() >= REMEMBERED_TOKENS {
            entries.retain(|_, v| v.current(now));
            if entries.len() >= REMEMBERED_TOKENS {
                entries.clear();
            }
        }
        entries.insert(token.into(), verified);
    }

    fn forget(&self, token: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(token);
        }
    }
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
    /// The validation of our HS256 tokens, built once.
    validation: Validation,
    /// The validation of the external provider's tokens, built once.
    external_validation: Option<Validation>,
    verified: Arc<VerifiedTokens>,
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
            validation: validation(Algorithm::HS256, &issuer, &audience),
            issuer,
            audience,
            ttl_seconds,
            external: None,
            external_validation: None,
            verified: Arc::default(),
        })
    }

    pub fn with_external(mut self, external: ExternalKey) -> Tokens {
        self.external_validation = Some(validation(external.algorithm, &external.issuer, &external.audience));
        self.external = Some(external);
        // Keys changed: nothing verified under the old ones may be remembered.
        self.verified = Arc::default();
        self
    }

    /// How long a minted token (and its session) lasts, in seconds.
    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    /// Mints an HS256 token for a user's session.
    pub fn mint(&self, user: Uuid, account: Uuid, session: Uuid) -> Result<(String, i64), TokenError> {
        let iat = now();
        let claims = Claims {
            sub: user,
            acct: account,
            iat,
            exp: iat + self.ttl_seconds,
            nbf: Some(iat),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sid: Some(session),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map(|t| (t, self.ttl_seconds))
            .map_err(|e| TokenError(format!("cannot sign the token: {e}")))
    }

    /// Who a request's token names: [`Tokens::verify`], or the remembered outcome of an earlier
    /// verification of the very same token while its `exp` and `nbf` still hold (see the module docs).
    pub fn authenticate(&self, token: &str) -> Result<Authenticated, TokenError> {
        self.authenticate_with(token, true).unwrap_or_else(|| Err(TokenError("the token is invalid".into())))
    }

    /// [`Tokens::authenticate`] on a thread that must not wait on the network: `None` when the
    /// external provider's keys must be fetched first (ask again with [`Tokens::authenticate`]).
    pub fn authenticate_offline(&self, token: &str) -> Option<Result<Authenticated, TokenError>> {
        self.authenticate_with(token, false)
    }

    fn authenticate_with(&self, token: &str, may_fetch: bool) -> Option<Result<Authenticated, TokenError>> {
        let now = now();
        if let Some(verified) = self.verified.get(token) {
            if verified.current(now) {
                return Some(Ok(Authenticated { subject: verified.subject, groups: None, unremembered: None }));
            }
            // Expired since: forget it, and let `verify` say why it is refused.
            self.verified.forget(token);
        }
        let (claims, groups) = match self.verify_with(token, may_fetch)? {
            Ok(verified) => verified,
            Err(e) => return Some(Err(e)),
        };
        let verified = Verified {
            subject: TokenSubject { user: claims.sub, account: claims.acct, session: claims.sid },
            exp: claims.exp,
            nbf: claims.nbf,
        };
        let current = verified.current(now);
        if current && groups.is_none() {
            self.verified.remember(token, verified, now);
        }
        let unremembered = (current && groups.is_some()).then_some(verified);
        Some(Ok(Authenticated { subject: verified.subject, groups, unremembered }))
    }

    /// Remembers a token whose groups were applied (see [`Authenticated`]).
    pub fn remember(&self, token: &str, authenticated: &Authenticated) {
        if let Some(verified) = authenticated.unremembered {
            self.verified.remember(token, verified, now());
        }
    }

    /// Verifies a token strictly and returns its claims.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let verified = self.verify_with(token, true).unwrap_or_else(|| Err(TokenError("the token is invalid".into())));
        verified.map(|(claims, _)| claims)
    }

    /// The claims and, for an external provider's token, the groups its groups claim names. `None`
    /// when the keys must be fetched and `may_fetch` is false.
    fn verify_with(&self, token: &str, may_fetch: bool) -> Option<Result<(Claims, Groups), TokenError>> {
        if token.len() > MAX_TOKEN_BYTES {
            return Some(Err(TokenError("the token is too large".into())));
        }
        let Ok(header) = decode_header(token) else {
            return Some(Err(TokenError("the token is malformed".into())));
        };
        let external;
        let (key, validation) = match (header.alg, &self.external, &self.external_validation) {
            (Algorithm::HS256, _, _) => (&self.decoding, &self.validation),
            (alg, Some(ext), Some(validation)) if alg == ext.algorithm => {
                external = match ext.key(header.kid.as_deref(), may_fetch) {
                    Ok(key) => key,
                    Err(KeyError::MustFetch) => return None,
                    Err(KeyError::Unknown(why)) => return Some(Err(TokenError(why))),
                };
                (&external, validation)
            }
            (alg, _, _) => return Some(Err(TokenError(format!("tokens signed with {alg:?} are not accepted")))),
        };
        let ours = header.alg == Algorithm::HS256;
        let groups_claim = if ours { None } else { self.external.as_ref().and_then(|e| e.groups_claim.as_deref()) };
        let decoded = match groups_claim {
            None => decode::<Claims>(token, key, validation).map(|data| (data.claims, None)),
            Some(claim) => decode::<ExternalClaims>(token, key, validation).map(|data| {
                let ExternalClaims { claims, mut other } = data.claims;
                (claims, Some(claimed_groups(&mut other, claim)))
            }),
        };
        let claims = decoded.map_err(|e| {
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
        });
        // A token Switchboard minted belongs to a session that can be ended; one without is refused.
        Some(claims.and_then(|(claims, groups)| {
            if ours && claims.sid.is_none() {
                Err(TokenError("the token names no session: sign in again".into()))
            } else {
                Ok((claims, groups.transpose()?.flatten()))
            }
        }))
    }
}

/// The strict validation of one key: the algorithm pinned, `exp`, `iss`, `aud` and `sub` required,
/// `nbf` honoured, [`LEEWAY_SECONDS`] of skew.
fn validation(algorithm: Algorithm, issuer: &str, audience: &str) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.algorithms = vec![algorithm];
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation
}

#[cfg(test)]
mod tests;
