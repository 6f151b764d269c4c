//! Use cases: the changes Switchboard makes, one module each. A use case runs inside [`run`]: one
//! write transaction that takes the account's change lock, loads the acting user and the account's
//! roles as committed, loads what it judges, asks the core, and writes. Handlers only parse, call a
//! use case and render; no decision is made on a cached or half-read state.
//!
//! Cached access is dropped because storage says so: when the account's access version moved during
//! the change, the account's compiled policy is forgotten once the change is committed.

pub mod account;
pub mod api_keys;
pub mod authentication;
pub mod bulk_role;
pub mod dashboard_access;
pub mod duplicate;
pub mod edit_user;
pub mod emergency;
pub mod group_mappings;
pub mod groups_claim;
pub mod invite;
pub mod memberships;
pub mod migrate;
pub mod reviews;
pub mod role_members;
pub mod roles;
pub mod scim;
pub mod sessions;
pub mod set_roles;
pub mod team;
pub mod two_factor;
pub mod upgrade;
pub mod webhooks;

use crate::access::{AccountPolicy, Caller, gone};
use crate::blocking::write;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::web;
use std::sync::Arc;
use switchboard_core::{
    AccountId, CoreError, Credential, CredentialChange, Decision, Policy, Principal, Subject, UserId,
};
use switchboard_store::repo::users::{self, User, UserAccess};
use switchboard_store::repo::{accounts, api_keys as keys};
use switchboard_store::{Actor, DbConn, StoreError};

/// One change in progress: the transaction, and everything it is judged on, as committed.
pub struct Change<'a> {
    pub conn: &'a mut DbConn,
    pub state: &'a AppState,
    /// The account's roles compiled at the locked access version.
    pub access: Arc<AccountPolicy>,
    /// The acting user, read inside the transaction.
    pub actor: Principal,
    /// Who the audit log names.
    pub who: Actor,
    /// The signed-in session making the change, if the request came with one.
    pub session: Option<uuid::Uuid>,
}

impl std::fmt::Debug for Change<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Change")
            .field("account", &self.account())
            .field("actor", &self.actor.user_id)
            .finish_non_exhaustive()
    }
}

impl Change<'_> {
    pub fn policy(&self) -> &Policy {
        &self.access.policy
    }

    pub fn account(&self) -> AccountId {
        self.access.account.id
    }

    /// Turns a denial into a 403 carrying its reason.
    pub fn allow(&self, decision: Decision) -> Result<(), ApiError> {
        self.state.metrics.decided(decision.code());
        if decision.is_allowed() { Ok(()) } else { Err(ApiError::Forbidden(Box::new(decision.explain(self.policy())))) }
    }

    /// [`Change::allow`] for decisions that can fail on unknown roles.
    pub fn allow_result(&self, decision: Result<Decision, CoreError>) -> Result<(), ApiError> {
        self.allow(decision?)
    }

    /// Requires a permission reference such as `team.roles:view` or `numbers.add` of the actor.
    pub fn require(&self, permission: &str) -> Result<(), ApiError> {
        let resolved = self
            .policy()
            .catalog()
            .permission(permission)
            .map_err(|e| ApiError::Internal(format!("a use case names an unknown permission: {e}")))?;
        self.allow(self.policy().check(&self.actor, resolved))
    }

    /// How the change's request proved who it is.
    pub fn credential(&self) -> Credential {
        match self.who {
            Actor::ApiKey(_) => Credential::ApiKey,
            Actor::ScimToken(_) | Actor::IdentityProvider(_) => Credential::IdentityProvider,
            _ => Credential::Session,
        }
    }

    /// Refuses a change to credentials, or to the acting user's own roles or status, that the
    /// request's credential may not make (an API key never may: `interactive_only`).
    pub fn require_session(&self, change: CredentialChange) -> Result<(), ApiError> {
        self.allow(switchboard_core::credential::may_change(self.credential(), change))
    }

    /// [`Change::require_session`] for `change` when `user` is the acting user.
    pub fn require_session_for_own(&self, user: UserId, change: CredentialChange) -> Result<(), ApiError> {
        if user == self.actor.user_id { self.require_session(change) } else { Ok(()) }
    }

    /// A person of the account as storage has them now (404 when there is none).
    pub fn person(&mut self, user: UserId) -> Result<Subject, ApiError> {
        Ok(users::subject(self.conn, self.account(), user)?)
    }

    /// [`Change::person`], for a user named in a request body: 422 naming `field` when unknown.
    pub fn named_person(&mut self, user: UserId, field: &str) -> Result<Subject, ApiError> {
        self.person(user).map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::invalid(field, format!("user {user} is not in this account")),
            other => other,
        })
    }

    /// A user as the API shows them after the change.
    pub fn person_view(&mut self, user: UserId) -> Result<PersonView, ApiError> {
        let record = users::get(self.conn, self.account(), user)?;
        let access = users::access(self.conn, self.account(), user)?;
        Ok(PersonView { user: record, access, policy: self.access.clone() })
    }
}

/// A user with their roles, numbers, workgroups and dashboard access, and the roles they resolve against.
#[derive(Debug)]
pub struct PersonView {
    pub user: User,
    pub access: UserAccess,
    pub policy: Arc<AccountPolicy>,
}

/// The account's roles as committed at `current`, and the caller as they are now in storage: their
/// roles and reach, narrowed to a limited key's grants. A caller deleted, disabled or acting with a
/// revoked key is refused. For whatever is written on the caller's behalf, inside its transaction.
pub fn acting(
    state: &AppState,
    conn: &mut DbConn,
    caller: &Caller,
    current: &switchboard_store::repo::accounts::Account,
) -> Result<(Arc<AccountPolicy>, Principal), ApiError> {
    let account = caller.account.id;
    let access = state.policies.get(&state.packs, conn, current)?;
    let subject = users::subject(conn, account, caller.user.id).map_err(|e| match e {
        StoreError::NotFound { .. } => gone(),
        other => other.into(),
    })?;
    let mut actor = access.policy.principal(&subject)?;
    if !actor.active {
        return Err(gone());
    }
    if let Actor::ApiKey(key) | Actor::ScimToken(key) = caller.actor {
        let stored = keys::get(conn, account, key)?;
        if !stored.usable_at(switchboard_store::now()) || stored.user_id != caller.user.id {
            return Err(ApiError::Unauthenticated("the API key is invalid or revoked".into()));
        }
        // A limited key acts with no more than its grants, here as on every read.
        if let Some(grants) = &stored.grants {
            actor = actor.narrowed(&access.policy.key_access(grants)?);
        }
    }
    Ok((access, actor))
}

/// Runs `work` as the caller, judged on what storage holds now, in one write transaction that does
/// not take the account's change lock: for writes that change no access, which may run side by side.
/// A role or key revoked a moment ago decides nothing.
pub fn record<T>(
    state: &AppState,
    conn: &mut DbConn,
    caller: &Caller,
    work: impl FnOnce(&mut Change<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    switchboard_store::write_transaction(conn, |conn| as_stored(state, conn, caller, work))
}

/// Runs `work` as the caller read afresh on `conn`, inside a transaction the caller of this holds
/// (a store call that takes a judge, such as `communications::ingest_judged`).
pub fn as_stored<T>(
    state: &AppState,
    conn: &mut DbConn,
    caller: &Caller,
    work: impl FnOnce(&mut Change<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let current = accounts::get(conn, caller.account.id)?;
    let (access, actor) = acting(state, conn, caller, &current)?;
    let (who, session) = (caller.actor.clone(), caller.session);
    work(&mut Change { conn, state, access, actor, who, session })
}

/// Runs one change of the caller's account in one write transaction (see the module's docs).
pub async fn run<T, F>(state: &web::Data<AppState>, caller: Caller, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut Change<'_>) -> Result<T, ApiError> + Send + 'static,
{
    write(state, move |state, conn| {
        let account = caller.account.id;
        let (out, moved) = accounts::change(conn, account, |conn, current| {
            let started_at = current.access_version;
            let (access, actor) = acting(state, conn, &caller, &current)?;
            let (who, session) = (caller.actor.clone(), caller.session);
            let mut change = Change { conn, state, access, actor, who, session };
            let out = work(&mut change)?;
            // a deleted account has no version left: it moved on, for good
            let ended = accounts::get(change.conn, account).ok();
            let moved = ended.as_ref().map(|a| a.access_version) != Some(started_at);
            if let Some(now) = ended.filter(|_| moved) {
                crate::access::cache::still_compiles(&state.packs, change.conn, &now)?;
            }
            Ok::<_, ApiError>((out, moved))
        })?;
        if moved {
            state.policies.invalidate(account);
        }
        Ok(out)
    })
    .await
}
