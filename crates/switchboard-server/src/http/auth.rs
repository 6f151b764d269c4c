//! `POST /v1/auth/token`: password sign-in for the embedded identity.

use crate::auth::password;
use crate::auth::totp;
use crate::http::body::Body;
use crate::http::common::db;
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{HttpRequest, post, web};
use serde::{Deserialize, Serialize};
use switchboard_core::{Password, UserStatus};
use switchboard_store::Actor;
use switchboard_store::repo::{accounts, sessions, two_factor, users};
use switchboard_store::{StoreError, StoreResult};
use utoipa::ToSchema;

/// The longest second-factor code: a recovery code, with room to spare.
const MAX_CODE: usize = 32;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The account's slug.
    #[schema(example = "acme")]
    pub account: String,
    #[schema(example = "ada@example.com")]
    pub email: String,
    #[schema(example = "correct horse battery staple")]
    pub password: String,
    /// With two-factor sign-in on: the authenticator's current code, or a recovery code. Without
    /// it such a sign-in answers 401 `two_factor_required`.
    #[schema(max_length = 32)] // MAX_CODE
    pub code: Option<String>,
}

/// An OAuth2-style access token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the token expires.
    #[schema(example = 3600)]
    pub expires_in: i64,
}

/// Signs in with account, email and password.
#[utoipa::path(
    operation_id = "create_token",
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown account or email, wrong password, or inactive user", body = Problem,
         content_type = "application/problem+json"),
        (status = 422, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see `Retry-After`", body = Problem,
         content_type = "application/problem+json",
         headers(("Retry-After" = u64, description = "Seconds to wait before signing in again"))),
        (status = 503, description = "The database is unavailable, or too many sign-ins wait for a password check; nothing was counted against the sign-in limit",
         body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u64, description = "Seconds to wait before retrying"))),
    )
)]
#[post("/auth/token")]
pub async fn create_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<TokenRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    Ok(web::Json(token_for(&state, &req, body.parse()?).await?.0))
}

/// A token for a sign-in, with every check and limit of `POST /v1/auth/token` (the console signs in
/// through this too).
pub async fn token_for(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    request: TokenRequest,
) -> Result<(TokenResponse, uuid::Uuid), ApiError> {
    let TokenRequest { account, email, password, code } = request;
    let identity = format!("{}/{}", account.to_lowercase(), email.trim().to_lowercase());
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    if let Some(wait) = state.logins.check(&identity, &address) {
        return Err(ApiError::TooManyRequests(wait));
    }
    // Longer than any that can be right (the schema's bounds): refused like a wrong password, whether
    // or not the person has a second factor.
    let code_too_long = code.as_ref().is_some_and(|c| c.chars().count() > MAX_CODE);
    if password.chars().count() > Password::RULE.max_length || email.len() > 320 || account.len() > 63 || code_too_long
    {
        state.logins.failed(&identity, &address);
        return Err(ApiError::Unauthenticated("invalid account, email or password".into()));
    }
    let outcome = sign_in(state, account, email, password, code).await;
    let (user, account, session) = match outcome {
        Ok(found) => {
            state.logins.succeeded(&identity, &address);
            found
        }
        Err(e) => {
            if matches!(e, ApiError::Unauthenticated(_)) {
                state.logins.failed(&identity, &address);
            }
            return Err(e);
        }
    };
    let (access_token, expires_in) =
        state.tokens.mint(user.0, account.0, session).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((TokenResponse { access_token, token_type: "Bearer", expires_in }, session))
}

/// Signs a person in: the account and person are read, the password is checked off the storage
/// threads (waiting for a hashing slot holds no pooled connection), then the second factor is checked
/// and the session started. Only a wrong account, email, password or code is a refusal (counted
/// against the sign-in limit); an unreadable database or busy hashing slots answer 503.
async fn sign_in(
    state: &web::Data<AppState>,
    account: String,
    email: String,
    password: String,
    code: Option<String>,
) -> Result<(switchboard_core::UserId, switchboard_core::AccountId, uuid::Uuid), ApiError> {
    let refused = || ApiError::Unauthenticated("invalid account, email or password".into());
    let found = db(state, move |_, conn| {
        Ok(match existing(accounts::get_by_slug(conn, &account))? {
            Some(a) => existing(users::get_by_email(conn, a.id, &email))?.map(|u| (u, a)),
            None => None,
        })
    })
    .await?;
    let stored = found.as_ref().and_then(|(user, _)| user.password_hash.clone());
    let active = found.as_ref().is_some_and(|(user, _)| user.status == UserStatus::Active);
    let turn = password::turn().await?;
    let verified = web::block(move || match stored {
        Some(h) if active => password::verify(&password, &h),
        // inactive: refused without a check, as before
        Some(_) => Ok(false),
        // no such person, or no password yet: the same time as a real check
        None => password::verify_dummy(&password).map(|()| false),
    })
    .await??;
    drop(turn);
    let Some((user, account)) = found.filter(|_| verified) else { return Err(refused()) };
    db(state, move |state, conn| {
        if let Some(record) = two_factor::get(conn, account.id, user.id)?.filter(|t| t.confirmed_at.is_some()) {
            let Some(code) = code.as_deref() else { return Err(ApiError::TwoFactorRequired) };
            if !second_factor(state, conn, (account.id, user.id), &record, code)? {
                return Err(refused());
            }
        }
        let until = switchboard_store::now() + chrono::Duration::seconds(state.tokens.ttl_seconds());
        let session = sessions::start(conn, account.id, user.id, until)?;
        Ok((user.id, account.id, session.id))
    })
    .await
}

/// Whether `code` is the person's second factor: the authenticator's code of now (each works once)
/// or one of their unused recovery codes (used up).
fn second_factor(
    state: &AppState,
    conn: &mut switchboard_store::DbConn,
    (account, user): (switchboard_core::AccountId, switchboard_core::UserId),
    record: &two_factor::TwoFactor,
    code: &str,
) -> Result<bool, ApiError> {
    let digits = code.trim();
    if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
        let Some(secret) = state.sealing.open(&record.sealed_secret) else { return Ok(false) };
        let Some(step) = totp::matching_step(&secret, digits, totp::current_step()) else {
            return Ok(false);
        };
        return Ok(two_factor::use_step(conn, account, user, step as i64)?);
    }
    Ok(two_factor::use_recovery(conn, account, user, &totp::recovery_hash(code), &Actor::User(user))?)
}

/// `None` for a record that does not exist; every other failure stays an error.
fn existing<T>(found: StoreResult<T>) -> Result<Option<T>, ApiError> {
    match found {
        Ok(record) => Ok(Some(record)),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
