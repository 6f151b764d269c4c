//! What a credential may change. A person signs in with a password (and gets a session); an
//! integration holds an API key. A key acts with its user's access, or less, but it never changes
//! credentials (a password, an email, two-factor, keys) nor its own user's roles or status: a leaked
//! key must not become a takeover that outlives its revocation.

use crate::decision::{Decision, Via};
use crate::error::Result;
use crate::policy::{Policy, Principal};
use crate::role::{RoleAccess, RoleDefinition, SectionGrant};
use std::collections::BTreeMap;

/// How a request proved who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A signed-in person's token.
    Session,
    /// An integration's API key.
    ApiKey,
    /// An identity provider's SCIM token: the provider owns who a person is, so it may change their
    /// email, and nothing else a key may not.
    IdentityProvider,
}

/// A change to credentials, or to the acting user's own standing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialChange {
    Password,
    Email,
    TwoFactor,
    /// Minting an API key.
    ApiKeys,
    /// The roles of the credential's own user.
    OwnRoles,
    /// The status of the credential's own user (disabling or deleting them).
    OwnStatus,
    /// Ending signed-in sessions.
    Sessions,
    /// Deleting the account, every person in it included.
    DeleteAccount,
}

/// May `credential` make `change`? Only a session may; the rest of the rules still apply.
pub fn may_change(credential: Credential, change: CredentialChange) -> Decision {
    use CredentialChange::*;
    // Spelled out, so a new kind of change is decided here when it is added.
    match (credential, change) {
        (Credential::Session, _) => Decision::Allowed(Via::Grant),
        (Credential::IdentityProvider, Email) => Decision::Allowed(Via::Grant),
        (
            Credential::ApiKey | Credential::IdentityProvider,
            Password | Email | TwoFactor | ApiKeys | OwnRoles | OwnStatus | Sessions | DeleteAccount,
        ) => Decision::InteractiveOnly,
    }
}

/// The role a key's grants make: the grants, personal scope, nothing else.
const KEY_ROLE: &str = "api_key";

impl Policy {
    /// What an API key limited to `grants` (section → level and rights, as in a role) may hold.
    pub fn key_access(&self, grants: &BTreeMap<String, SectionGrant>) -> Result<RoleAccess> {
        let mut role = RoleDefinition::new(KEY_ROLE, "API key");
        role.grants = grants.clone();
        role.compile_access(self.catalog())
    }

    /// May `actor` make a key limited to `access`? Never beyond what they hold (rule 4).
    pub fn can_limit_key(&self, actor: &Principal, access: &RoleAccess) -> Decision {
        if !actor.active {
            return Decision::InactiveUser;
        }
        match self.access_surplus(access, actor) {
            Some(excess) => Decision::Escalation(excess),
            None => Decision::Allowed(Via::Grant),
        }
    }
}

impl Principal {
    /// Whether `after` (the same person after a change) lost authority this principal had: the
    /// superadmin role, a section at its top level (manage or full) or a right, whatever their status.
    /// A person who loses authority signs in again: their sessions end.
    pub fn loses_authority_to(&self, after: &Principal) -> bool {
        (self.superadmin && !after.superadmin)
            || !self.held_permissions.authority().is_subset_of(&after.held_permissions.authority())
    }

    /// The principal a key limited to `access` acts as: its user's permissions cut down to the key's.
    /// The superadmin's limited key is not the superadmin; the user's data scope stays theirs.
    pub fn narrowed(&self, access: &RoleAccess) -> Principal {
        let mut p = self.clone();
        p.superadmin = false;
        p.permissions = p.permissions.intersection(&access.permissions);
        p.held_permissions = p.held_permissions.intersection(&access.permissions);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_key_changes_no_credentials_and_not_its_own_users_standing() {
        use CredentialChange::*;
        for change in [Password, Email, TwoFactor, ApiKeys, OwnRoles, OwnStatus, Sessions] {
            assert_eq!(may_change(Credential::ApiKey, change), Decision::InteractiveOnly, "{change:?}");
            assert!(may_change(Credential::Session, change).is_allowed(), "{change:?}");
        }
    }

    #[test]
    fn an_identity_provider_changes_emails_and_no_other_credential_nor_its_creators_standing() {
        use CredentialChange::*;
        assert!(may_change(Credential::IdentityProvider, Email).is_allowed());
        for change in [Password, TwoFactor, ApiKeys, OwnRoles, OwnStatus, Sessions, DeleteAccount] {
            assert_eq!(may_change(Credential::IdentityProvider, change), Decision::InteractiveOnly, "{change:?}");
        }
    }
}
