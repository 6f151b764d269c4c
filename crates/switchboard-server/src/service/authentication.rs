//! Authenticating a request: the token or key it presents is verified, and its caller is taken from
//! the account's cache or loaded in one round trip, so a revoked role is honoured on the very next
//! request. A provider's token naming groups has them applied ([`super::groups_claim`]) before it is
//! let in. [`Caller`] itself only holds who is calling; this is where one is made.

use crate::access::Caller;
use crate::access::caller::{caller_of, gone, unreadable};
use crate::access::credential::{Credential, credential};
use crate::auth::{api_key, jwt};
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use switchboard_core::{AccountId, UserId};
use switchboard_store::repo::{accounts, api_keys};
use switchboard_store::{Actor, DbConn};
use uuid::Uuid;

/// What a person the account requires two factors of may do before enrolling: enrol, see themself
/// and their sessions, sign out.
fn open_before_enrolment(path: &str) -> bool {
    matches!(path, "/v1/me" | "/v1/auth/sign-out" | "/console/sign-out")
        || path.starts_with("/v1/me/two-factor")
        || path.starts_with("/v1/me/sessions")
}

/// Refuses every other request of a person who must enrol in two-factor sign-in first.
fn enrolment_gate(path: &str, caller: Result<Caller, ApiError>) -> Result<Caller, ApiError> {
    match caller {
        Ok(c) if c.must_enroll_two_factor() && !open_before_enrolment(path) => {
            Err(ApiError::TwoFactorEnrollmentRequired)
        }
        other => other,
    }
}

/// The caller from the cache alone, when both the account and the user are there, and the user's
/// cached sessions include the token's (a session started since is read afresh, in [`load_caller`]).
fn cached_caller(state: &AppState, subject: &jwt::TokenSubject) -> Option<Result<Caller, ApiError>> {
    let (account, user) = (AccountId(subject.account), UserId(subject.user));
    let access = state.policies.cached(account)?;
    let cached = access.users.read().ok()?.get(&user).cloned().filter(|c| c.is_current())?;
    if subject.session.is_some_and(|s| !cached.sessions.contains(&s)) {
        return None;
    }
    Some(caller_of(&access, &cached, Actor::User(user), subject.session))
}

/// Loads everything a caller needs, given who the credential names.
pub fn load_caller(
    state: &AppState,
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    actor: Actor,
    session: Option<Uuid>,
) -> Result<Caller, ApiError> {
    let account = accounts::get(conn, account).map_err(|e| if unreadable(&e) { e.into() } else { gone() })?;
    let access = state.policies.get(&state.packs, conn, &account)?;
    // Only cache against the version the user was read at: a newer policy means newer inputs.
    let cacheable = access.account.access_version == account.access_version;
    let cached = access.load_user(conn, user, cacheable).map_err(|e| match e {
        ApiError::NotFound(_) => gone(),
        other => other,
    })?;
    caller_of(&access, &cached, actor, session)
}

/// Who a token names: a bearer token as it is, the console's cookie only beside its session's CSRF
/// token (`csrf`).
fn named_by(state: &AppState, token: &str, csrf: Option<&str>) -> Result<jwt::Authenticated, ApiError> {
    let named = state.tokens.authenticate(token);
    with_csrf(state, named, csrf)
}

/// [`named_by`] on a worker thread, which must not wait on the network: `None` when an external
/// provider's keys must be fetched first (on a blocking thread, by [`named_by`]).
fn named_offline(state: &AppState, token: &str, csrf: Option<&str>) -> Option<Result<jwt::Authenticated, ApiError>> {
    Some(with_csrf(state, state.tokens.authenticate_offline(token)?, csrf))
}

fn with_csrf(
    state: &AppState,
    named: Result<jwt::Authenticated, jwt::TokenError>,
    csrf: Option<&str>,
) -> Result<jwt::Authenticated, ApiError> {
    let named = named.map_err(|e| ApiError::Unauthenticated(e.0))?;
    match (csrf, named.subject.session) {
        (None, _) => Ok(named),
        (Some(csrf), Some(session)) if state.console.verify(session, csrf) => Ok(named),
        (Some(_), _) => Err(ApiError::Unauthenticated("the X-CSRF-Token is not this session's".into())),
    }
}

fn authenticate(state: &AppState, credential: Credential<String>) -> Result<Caller, ApiError> {
    if let Some((token, csrf)) = credential.token() {
        let named = named_by(state, token, csrf)?;
        let (account, user) = (AccountId(named.subject.account), UserId(named.subject.user));
        let Some(groups) = &named.groups else {
            if let Some(cached) = cached_caller(state, &named.subject) {
                return cached;
            }
            let mut conn = state.store.conn()?;
            return load_caller(state, &mut conn, account, user, Actor::User(user), named.subject.session);
        };
        // A provider's token, first seen: its groups are applied before it is let in (or remembered).
        let mut conn = state.store.conn()?;
        let caller = load_caller(state, &mut conn, account, user, Actor::User(user), named.subject.session)?;
        super::groups_claim::follow(state, &mut conn, account, user, groups)?;
        state.tokens.remember(token, &named);
        return load_caller(state, &mut conn, account, user, caller.actor, named.subject.session);
    }
    match credential {
        Credential::Bearer(_) | Credential::Console { .. } => Err(ApiError::Internal("a token without a token".into())),
        Credential::ApiKey(key) => {
            let (mut caller, stored) = key_caller(state, &key, api_keys::KeyPurpose::Api)?;
            if let Some(grants) = &stored.grants {
                let limit = caller.policy().key_access(grants).map_err(|e| ApiError::Internal(e.to_string()))?;
                caller.principal = Arc::new(caller.principal.narrowed(&limit));
            }
            Ok(caller)
        }
    }
}

/// The caller a stored key makes (an API key, or a SCIM token): its creator, as they are now, acting
/// as the key. Keys are looked up every time, so a revocation is honoured on the next request, and a
/// key works only for its purpose.
fn key_caller(
    state: &AppState,
    key: &str,
    purpose: api_keys::KeyPurpose,
) -> Result<(Caller, api_keys::ApiKey), ApiError> {
    let (prefix, what) = match purpose {
        api_keys::KeyPurpose::Api => (api_key::prefix_of(key), "API key"),
        api_keys::KeyPurpose::Scim => (api_key::scim_prefix_of(key), "SCIM token"),
    };
    let invalid = || ApiError::Unauthenticated(format!("the {what} is invalid or revoked"));
    let prefix = prefix.ok_or_else(invalid)?;
    let mut conn = state.store.conn()?;
    let stored =
        api_keys::find_by_prefix(&mut conn, prefix).map_err(|e| if unreadable(&e) { e.into() } else { invalid() })?;
    let usable = stored.purpose == purpose && stored.usable_at(switchboard_store::now());
    if !usable || !api_key::verify(key, &stored.secret_hash) {
        return Err(invalid());
    }
    let actor = match purpose {
        api_keys::KeyPurpose::Api => Actor::ApiKey(stored.id),
        api_keys::KeyPurpose::Scim => Actor::ScimToken(stored.id),
    };
    let caller = load_caller(state, &mut conn, stored.account_id, stored.user_id, actor, None)?;
    api_keys::touch(&mut conn, stored.account_id, stored.id, switchboard_store::now())?;
    Ok((caller, stored))
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let credential = credential(req);
        // A cached bearer caller needs no database: answer on this worker, without a thread hop.
        let cached = match (&state, credential.as_ref().ok().and_then(Credential::token)) {
            (Some(state), Some((token, csrf))) => match named_offline(state, token, csrf) {
                // a provider's token naming groups is first seen: they are applied on a blocking thread
                Some(Ok(named)) if named.groups.is_none() => cached_caller(state, &named.subject),
                Some(Ok(_)) => None,
                Some(Err(e)) => Some(Err(e)),
                None => None,
            },
            _ => None,
        };
        let path = req.path().to_owned();
        // A query parameter the operation does not take is refused once the caller is known: 401 first.
        let refusal = crate::routes::of_request(req).and_then(|routes| routes.refusal(req));
        let gates = move |caller| match (enrolment_gate(&path, caller), refusal) {
            (Ok(_), Some(refused)) => Err(refused),
            (other, _) => other,
        };
        if let Some(result) = cached {
            return Box::pin(std::future::ready(gates(result)));
        }
        let credential = credential.map(|c| c.to_owned());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let credential = credential?;
            gates(web::block(move || authenticate(&state, credential)).await?)
        })
    }
}

/// The caller an identity provider's SCIM token (`Authorization: Bearer sbscim_…`) makes.
pub fn scim_caller(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    Ok(key_caller(state, token, api_keys::KeyPurpose::Scim)?.0)
}
