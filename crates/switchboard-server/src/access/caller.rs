//! Who is calling: the authenticated user of a request, their account's roles and the credential
//! they came with. A [`Caller`] is made by `service::authentication`; here it only answers what its
//! person may do.

use super::cache::{AccountPolicy, CachedUser};
use crate::problem::ApiError;
use std::sync::Arc;
use switchboard_core::{Decision, Policy, Principal, UserId, UserStatus};
use switchboard_store::repo::{accounts, users};
use switchboard_store::{Actor, DbConn, Store, StoreError};
use uuid::Uuid;

/// The authenticated user of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: Arc<accounts::Account>,
    pub user: Arc<users::User>,
    pub principal: Arc<Principal>,
    pub access: Arc<AccountPolicy>,
    pub actor: Actor,
    /// The signed-in session the request's token belongs to (none for API keys and tokens of an
    /// identity provider).
    pub session: Option<Uuid>,
    /// Whether the user signs in with two factors.
    pub two_factor: bool,
}

pub(crate) fn gone() -> ApiError {
    ApiError::Unauthenticated("the token's user no longer exists or is not active".into())
}

/// A failure to read (the database is down, or failed) says nothing about the credential: it must
/// answer 503 (or 500), not 401, or clients would throw away valid tokens during an outage.
pub(crate) fn unreadable(e: &StoreError) -> bool {
    matches!(e, StoreError::Unavailable(_) | StoreError::Database(_))
}

pub(crate) fn session_ended() -> ApiError {
    ApiError::Unauthenticated("the session has ended: sign in again".into())
}

/// The caller a user (as read) makes, if they are still active and the token's session, if it names
/// one, is among their sessions.
pub(crate) fn caller_of(
    access: &Arc<AccountPolicy>,
    user: &CachedUser,
    actor: Actor,
    session: Option<Uuid>,
) -> Result<Caller, ApiError> {
    if user.user.status != UserStatus::Active {
        return Err(gone());
    }
    if session.is_some_and(|s| !user.sessions.contains(&s)) {
        return Err(session_ended());
    }
    Ok(Caller {
        account: access.account.clone(),
        user: user.user.clone(),
        principal: user.principal.clone(),
        access: access.clone(),
        actor,
        session,
        two_factor: user.two_factor,
    })
}

impl Caller {
    pub fn policy(&self) -> &Policy {
        &self.access.policy
    }

    /// Whether the account requires two factors of this person, signed in, who has not enrolled.
    pub fn must_enroll_two_factor(&self) -> bool {
        self.account.require_two_factor
            && !self.two_factor
            && matches!(self.actor, Actor::User(_))
            && self.policy().needs_two_factor(&self.principal)
    }

    /// Turns a denial into a 403 carrying its reason.
    pub fn allow(&self, decision: Decision, metrics: &crate::metrics::Metrics) -> Result<(), ApiError> {
        metrics.decided(decision.code());
        if decision.is_allowed() { Ok(()) } else { Err(ApiError::Forbidden(Box::new(decision.explain(self.policy())))) }
    }

    /// Requires a permission reference such as `team.roles:view` or `numbers.add`.
    pub fn require(&self, permission: &str, metrics: &crate::metrics::Metrics) -> Result<(), ApiError> {
        let resolved = self
            .policy()
            .catalog()
            .permission(permission)
            .map_err(|e| ApiError::Internal(format!("route names an unknown permission: {e}")))?;
        self.allow(self.policy().check(&self.principal, resolved), metrics)
    }

    /// A principal for a read-only decision (`/v1/authorize`): the caller's own, or another user's
    /// from the account's cache (valid within the refresh bound), loading and caching it if absent.
    /// Never use it for a change: changes read everything inside their own transaction (`service`).
    pub fn principal_for_decision(&self, store: &Store, user: UserId) -> Result<Arc<Principal>, ApiError> {
        if let Some(known) = self.cached_principal(user) {
            return Ok(known);
        }
        let mut conn = store.conn()?;
        self.principal_in(&mut conn, user)
    }

    /// [`Caller::principal_for_decision`] on a connection the caller already holds.
    pub fn principal_in(&self, conn: &mut DbConn, user: UserId) -> Result<Arc<Principal>, ApiError> {
        match self.cached_principal(user) {
            Some(known) => Ok(known),
            None => Ok(self.access.load_user(conn, user, true)?.principal.clone()),
        }
    }

    /// The principal of a person of the caller's account from memory alone: the caller's own, or
    /// one the account's cache holds at its current version.
    pub fn cached_principal(&self, user: UserId) -> Option<Arc<Principal>> {
        if user == self.user.id {
            return Some(self.principal.clone());
        }
        let users = self.access.users.read().ok()?;
        users.get(&user).filter(|cached| cached.is_current()).map(|cached| cached.principal.clone())
    }

    /// The principal of another user of the caller's account, read fresh (404 when there is none).
    pub fn principal_of(&self, conn: &mut DbConn, user: UserId) -> Result<Principal, ApiError> {
        let subject = users::subject(conn, self.account.id, user)?;
        self.policy().principal(&subject).map_err(|e| ApiError::Internal(e.to_string()))
    }
}
