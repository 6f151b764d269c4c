//! Reverse lookups (issue 17): not only *whether* someone may, but *what gives it to them* — the
//! superadmin's authority, their taking part in a communication, or which role and scope part.

use crate::catalog::Permission;
use crate::decision::{Decision, Via};
use crate::policy::{CommunicationRef, Policy, Principal, check_set};
use crate::role::RoleIdx;
use crate::scope::ScopeKind;

/// What gives a person something they may do or see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    /// The account's superadmin holds everything.
    pub superadmin: bool,
    /// The role that gives it (none for the superadmin, or for a communication they took part in).
    pub role: Option<RoleIdx>,
    /// For communications: the part of the data scope it is in (`personal`: they took part).
    pub scope: Option<ScopeKind>,
}

impl Policy {
    /// Whether a role grants the permission on its own.
    pub fn role_grants(&self, role: RoleIdx, permission: Permission) -> bool {
        check_set(self.catalog(), &self.role(role).access().permissions, permission).is_allowed()
    }

    /// The roles whose scope opens the communication to every holder, whatever their memberships:
    /// scope `all`, or a `numbers` scope selecting its number. (Memberships open the rest.)
    pub fn roles_opening<'a>(&'a self, c: &'a CommunicationRef<'a>) -> impl Iterator<Item = RoleIdx> + 'a {
        self.roles().filter_map(move |(idx, role)| {
            let access = role.access();
            let selects = |n: crate::ids::NumberId| access.scope_numbers.binary_search(&n).is_ok();
            let opens = access.scope.has(ScopeKind::All)
                || (access.scope.has(ScopeKind::Numbers) && c.number.is_some_and(selects));
            opens.then_some(idx)
        })
    }

    /// What gives `p` the permission, if they hold it: the first of their roles that grants it.
    pub fn permission_source(&self, p: &Principal, permission: Permission) -> Option<Source> {
        match self.check(p, permission) {
            Decision::Allowed(Via::Superadmin) => Some(Source { superadmin: true, role: None, scope: None }),
            Decision::Allowed(_) => {
                let role = p.roles.iter().copied().find(|r| self.role_grants(*r, permission));
                Some(Source { superadmin: false, role, scope: None })
            }
            _ => None,
        }
    }

    /// What lets `p` see the communication (or, with `play`, play its recording), or the decision
    /// that denies it.
    pub fn communication_source(
        &self,
        p: &Principal,
        c: &CommunicationRef<'_>,
        play: Option<bool>,
    ) -> Result<Source, Decision> {
        let decision = match play {
            Some(has_recording) => self.can_play_recording(p, c, has_recording),
            None => self.can_see(p, c),
        };
        match decision {
            Decision::Allowed(Via::Superadmin) => Ok(Source { superadmin: true, role: None, scope: None }),
            Decision::Allowed(Via::Scope(ScopeKind::Personal)) => {
                Ok(Source { superadmin: false, role: None, scope: Some(ScopeKind::Personal) })
            }
            Decision::Allowed(Via::Scope(part)) => {
                let gives = |r: &RoleIdx, kind_too: bool| {
                    let access = self.role(*r).access();
                    access.scope.has(part) && (!kind_too || access.kinds.has(c.kind))
                };
                let role = p.roles.iter().find(|r| gives(r, true)).or_else(|| p.roles.iter().find(|r| gives(r, false)));
                Ok(Source { superadmin: false, role: role.copied(), scope: Some(part) })
            }
            Decision::Allowed(Via::Grant) => Ok(Source { superadmin: false, role: None, scope: None }),
            denied => Err(denied),
        }
    }
}
