//! Compiled policies by account, and the users compiled against them, valid while the account's
//! `access_version` is unchanged (storage bumps it on every change that affects permissions).

use crate::packs::Packs;
use crate::problem::ApiError;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use switchboard_core::{AccountId, Policy, Principal, UserId};
use switchboard_plugin_host::LoadedPack;
use switchboard_store::DbConn;
use switchboard_store::repo::roles::StoredRole;
use switchboard_store::repo::{accounts, roles, sessions, two_factor, users};

/// One account's compiled roles, and its users compiled against them.
#[derive(Debug)]
pub struct AccountPolicy {
    pub account: Arc<accounts::Account>,
    pub pack: Arc<LoadedPack>,
    pub policy: Policy,
    /// The stored roles, in the policy's order (index `i` is the policy's role `i`).
    pub roles: Vec<StoredRole>,
    /// Users seen since this version was compiled: a cached decision touches no database.
    pub(crate) users: RwLock<HashMap<UserId, Arc<CachedUser>>>,
}

/// A user as decisions need them; shared with every caller made from it, so that a cached
/// request copies no strings or lists.
#[derive(Debug)]
pub struct CachedUser {
    pub user: Arc<users::User>,
    pub principal: Arc<Principal>,
    /// The user's sessions that had neither ended nor expired when this was read.
    pub sessions: Arc<[uuid::Uuid]>,
    /// Whether they sign in with two factors (a confirmed enrolment).
    pub two_factor: bool,
    /// When a time-bound grant of theirs next starts or expires: this is stale from then on.
    pub good_until: Option<chrono::DateTime<chrono::Utc>>,
}

impl CachedUser {
    /// Whether this still says what the user holds: no time-bound grant of theirs has started or
    /// expired since it was read. Every instance judges this by the clock alone, so a grant ends at
    /// its instant everywhere, with no request or sweep needed.
    pub fn is_current(&self) -> bool {
        self.good_until.is_none_or(|at| switchboard_store::now() < at)
    }
}

impl AccountPolicy {
    pub(crate) fn load_user(&self, conn: &mut DbConn, user: UserId, cache: bool) -> Result<Arc<CachedUser>, ApiError> {
        let mut record = users::get(conn, self.account.id, user)?;
        // Decisions never need it: keep password hashes out of the caches (and out of every `Caller`).
        record.password_hash = None;
        let subject = users::subject(conn, self.account.id, user)?;
        let principal = self.policy.principal(&subject).map_err(|e| ApiError::Internal(e.to_string()))?;
        let sessions: Vec<uuid::Uuid> = sessions::active(conn, self.account.id, user, switchboard_store::now())?
            .into_iter()
            .map(|s| s.id)
            .collect();
        let loaded = Arc::new(CachedUser {
            user: Arc::new(record),
            principal: Arc::new(principal),
            sessions: sessions.into(),
            two_factor: two_factor::get(conn, self.account.id, user)?.is_some_and(|t| t.confirmed_at.is_some()),
            good_until: users::next_access_change(conn, self.account.id, user)?,
        });
        if cache && let Ok(mut users) = self.users.write() {
            users.insert(user, loaded.clone());
        }
        Ok(loaded)
    }

    pub fn role_by_id(&self, id: switchboard_core::RoleId) -> Option<&StoredRole> {
        self.roles.iter().find(|r| r.id == id)
    }

    pub fn role_by_key(&self, key: &str) -> Option<&StoredRole> {
        self.roles.iter().find(|r| r.definition.key == key)
    }
}

/// How often each instance checks the access versions of the accounts it has cached: the bound on
/// how long a change made through another instance (sharing the database) can go unseen. Changes
/// made through this instance are seen at once.
pub const REFRESH_INTERVAL: std::time::Duration = std::time::Duration::from_millis(250);

/// Compiled policies by account, valid while the account's access version is unchanged.
#[derive(Debug, Default)]
pub struct PolicyCache {
    entries: RwLock<HashMap<AccountId, Arc<AccountPolicy>>>,
}

impl PolicyCache {
    /// The cached policy of an account, if any (no database involved).
    pub fn cached(&self, account: AccountId) -> Option<Arc<AccountPolicy>> {
        self.entries.read().ok()?.get(&account).cloned()
    }

    /// Forgets an account's policy and users: the next request recompiles from storage.
    pub fn invalidate(&self, account: AccountId) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(&account);
        }
    }

    /// Forgets every account: used when their versions cannot be checked (the database is down), so
    /// the refresh bound holds through an outage.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }

    /// The accounts cached, with the access version each was compiled at.
    pub fn versions(&self) -> Vec<(AccountId, i64)> {
        self.entries
            .read()
            .map(|e| e.iter().map(|(id, p)| (*id, p.account.access_version)).collect())
            .unwrap_or_default()
    }

    /// Drops every cached account whose access version moved on in storage.
    pub fn refresh(&self, conn: &mut DbConn) -> Result<usize, ApiError> {
        let mut dropped = 0;
        for (account, version) in self.versions() {
            let current = accounts::access_version(conn, account).ok();
            if current != Some(version) {
                self.invalidate(account);
                dropped += 1;
            }
        }
        Ok(dropped)
    }

    /// The account's policy at `access_version`, compiling it from storage when the cached one is older.
    pub fn get(
        &self,
        packs: &Packs,
        conn: &mut DbConn,
        account: &accounts::Account,
    ) -> Result<Arc<AccountPolicy>, ApiError> {
        if let Ok(entries) = self.entries.read()
            && let Some(hit) = entries.get(&account.id)
            && hit.account.access_version == account.access_version
        {
            return Ok(hit.clone());
        }
        let compiled = Arc::new(compile(packs, conn, account)?);
        if let Ok(mut entries) = self.entries.write() {
            let newer =
                entries.get(&account.id).is_some_and(|e| e.account.access_version > compiled.account.access_version);
            if !newer {
                entries.insert(account.id, compiled.clone());
            }
        }
        Ok(compiled)
    }
}

/// Refuses (422) a change that leaves the account with roles its pack's compiler rejects: committed, it
/// would answer 500 to every later request of the account. The use cases judge each role as they make
/// it; this holds whatever a use case missed, in the change's own transaction.
pub(crate) fn still_compiles(packs: &Packs, conn: &mut DbConn, account: &accounts::Account) -> Result<(), ApiError> {
    compile(packs, conn, account).map(drop).map_err(|e| match e {
        ApiError::Internal(detail) => ApiError::Invalid { field: None, detail },
        other => other,
    })
}

fn compile(packs: &Packs, conn: &mut DbConn, account: &accounts::Account) -> Result<AccountPolicy, ApiError> {
    let pack = packs.get(&account.preset_pack).cloned().ok_or_else(|| {
        ApiError::Unavailable(format!("the preset pack `{}` of this account is not loaded", account.preset_pack))
    })?;
    let mut stored = roles::load_all(conn, account.id)?;
    // Presets first, in the pack's order; then custom roles by key.
    let order = |r: &StoredRole| {
        pack.pack.roles.iter().position(|p| p.key == r.definition.key && r.origin.is_preset()).unwrap_or(usize::MAX)
    };
    stored.sort_by(|a, b| order(a).cmp(&order(b)).then_with(|| a.definition.key.cmp(&b.definition.key)));
    let policy = Policy::new(
        pack.catalog.clone(),
        pack.pack.settings(),
        stored.iter().map(|r| (r.origin.clone(), r.definition.clone())),
    )
    .map_err(|e| ApiError::Internal(format!("account {} has roles its pack rejects: {e}", account.slug)))?;
    Ok(AccountPolicy { account: Arc::new(account.clone()), pack, policy, roles: stored, users: RwLock::default() })
}
