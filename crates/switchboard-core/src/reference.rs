//! A deliberately naive evaluator that works on role definitions and strings, straight from the
//! rules of DESIGN §2. It is slow and obvious on purpose: property tests (here and in the server's
//! fuzzers) check the compiled [`crate::Policy`] against it.

use crate::catalog::{Catalog, Level};
use crate::ids::{IvrId, NumberId, UserId, WorkgroupId};
use crate::policy::{Subject, UserStatus};
use crate::role::{RecentsScope, RoleDefinition};
use crate::scope::{CommunicationKind, ScopeKind};
use std::collections::{BTreeMap, BTreeSet};

/// A user's effective access, spelled out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Effective {
    /// Section key → highest rank held (1 view, 2 manage/full). Sections at none are absent.
    pub ranks: BTreeMap<String, u8>,
    pub rights: BTreeSet<String>,
    pub scopes: BTreeSet<ScopeKind>,
    pub numbers: BTreeSet<NumberId>,
    pub recents_all: bool,
    /// The kinds shown beyond the user's own records, by roles that open more than those.
    pub kinds: BTreeSet<CommunicationKind>,
    pub superadmin: bool,
}

/// The kinds a role's definition lets through.
fn kinds_of(role: &RoleDefinition) -> impl Iterator<Item = CommunicationKind> {
    let k = role.kinds;
    [
        (k.calls, CommunicationKind::Call),
        (k.messages, CommunicationKind::Message),
        (k.voicemails, CommunicationKind::Voicemail),
        (k.recordings, CommunicationKind::Recording),
    ]
    .into_iter()
    .filter_map(|(on, kind)| on.then_some(kind))
}

fn rank_of(level: Level) -> u8 {
    match level {
        Level::None => 0,
        Level::View => 1,
        Level::Manage | Level::Full => 2,
    }
}

/// The user's roles looked up by key in a list of definitions.
pub fn roles_of<'a>(subject: &Subject, roles: &'a [RoleDefinition]) -> Vec<&'a RoleDefinition> {
    roles.iter().filter(|r| subject.roles.iter().any(|k| k == &r.key)).collect()
}

/// What a list of roles gives together (the union of DESIGN §2).
pub fn union_of(roles: &[&RoleDefinition]) -> Effective {
    let mut e = Effective::default();
    for role in roles {
        for (section, grant) in &role.grants {
            let rank = rank_of(grant.level);
            if rank > 0 {
                let entry = e.ranks.entry(section.clone()).or_insert(0);
                *entry = (*entry).max(rank);
            }
            e.rights.extend(grant.rights.iter().cloned());
        }
        e.scopes.insert(role.scope);
        if role.scope == ScopeKind::Numbers {
            e.numbers.extend(role.scope_numbers.iter().copied());
        }
        e.recents_all |= role.recents == RecentsScope::All;
        if role.scope != ScopeKind::Personal || role.recents == RecentsScope::All {
            e.kinds.extend(kinds_of(role));
        }
    }
    e
}

/// A user's effective access.
pub fn effective(subject: &Subject, roles: &[RoleDefinition]) -> Effective {
    if subject.status != UserStatus::Active {
        return Effective::default();
    }
    let mut e = union_of(&roles_of(subject, roles));
    e.superadmin = subject.superadmin;
    e.scopes.insert(ScopeKind::Personal);
    e.numbers.extend(subject.numbers.iter().copied());
    e
}

/// `section:level` or a right, checked by walking the catalog's sections.
pub fn check(catalog: &Catalog, subject: &Subject, roles: &[RoleDefinition], permission: &str) -> bool {
    let e = effective(subject, roles);
    if subject.status != UserStatus::Active {
        return false;
    }
    if e.superadmin {
        return true;
    }
    if let Some((section, level)) = permission.split_once(':') {
        let need = match level {
            "view" => 1,
            "manage" | "full" => 2,
            _ => return false,
        };
        return e.ranks.get(section).copied().unwrap_or(0) >= need;
    }
    for s in catalog.sections() {
        for r in &s.def.rights {
            if r.key == permission {
                let held = e.ranks.get(&s.def.key).copied().unwrap_or(0);
                return held >= rank_of(r.min_level) && e.rights.contains(permission);
            }
        }
    }
    false
}

/// One communication's visibility inputs, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub kind: CommunicationKind,
    pub number: Option<NumberId>,
    pub workgroup: Option<WorkgroupId>,
    pub ivr: Option<IvrId>,
    pub participants: Vec<UserId>,
}

/// The data-scope rules of DESIGN §2, one scope kind at a time.
pub fn can_see(subject: &Subject, roles: &[RoleDefinition], record: &Record) -> bool {
    if subject.status != UserStatus::Active {
        return false;
    }
    if subject.superadmin {
        return true;
    }
    let e = effective(subject, roles);
    if record.participants.contains(&subject.user_id) {
        return true;
    }
    let in_workgroups = record.workgroup.is_some_and(|w| subject.workgroups.contains(&w));
    e.kinds.contains(&record.kind)
        && e.scopes.iter().any(|scope| match scope {
            ScopeKind::All => true,
            ScopeKind::Personal => false,
            ScopeKind::Workgroup => in_workgroups,
            ScopeKind::Numbers => in_workgroups || record.number.is_some_and(|n| e.numbers.contains(&n)),
            ScopeKind::Dashboard => {
                record.workgroup.is_some_and(|w| subject.dashboard.workgroups.contains(&w))
                    || record.ivr.is_some_and(|i| subject.dashboard.ivrs.contains(&i))
            }
        })
}

/// Whether `granted` stays within `holder` (rule 4): levels, rights, scope, numbers and recents.
pub fn within(granted: &Effective, holder: &Effective) -> bool {
    if holder.superadmin {
        return true;
    }
    let levels = granted.ranks.iter().all(|(s, r)| holder.ranks.get(s).copied().unwrap_or(0) >= *r);
    let rights = granted.rights.is_subset(&holder.rights);
    let holder_all = holder.scopes.contains(&ScopeKind::All);
    let covers = |kind: &ScopeKind| {
        holder_all
            || match kind {
                ScopeKind::All => false,
                ScopeKind::Numbers => holder.scopes.contains(&ScopeKind::Numbers),
                ScopeKind::Workgroup => {
                    holder.scopes.contains(&ScopeKind::Workgroup) || holder.scopes.contains(&ScopeKind::Numbers)
                }
                ScopeKind::Dashboard => holder.scopes.contains(&ScopeKind::Dashboard),
                ScopeKind::Personal => true,
            }
    };
    let scopes = granted.scopes.iter().all(covers);
    let numbers = holder_all || granted.numbers.is_subset(&holder.numbers);
    let recents = !granted.recents_all || holder.recents_all;
    let kinds = granted.kinds.is_subset(&holder.kinds);
    levels && rights && scopes && numbers && recents && kinds
}

/// A person's reach (rule 8), spelled out: what their roles and memberships open, whatever their
/// status. The personal part every user has is left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    pub everything: bool,
    pub recents_all: bool,
    pub workgroups: BTreeSet<WorkgroupId>,
    pub numbers: BTreeSet<NumberId>,
    pub ivrs: BTreeSet<IvrId>,
    pub kinds: BTreeSet<CommunicationKind>,
}

/// A person's reach, one scope kind at a time.
pub fn reach(subject: &Subject, roles: &[RoleDefinition]) -> Reach {
    let e = union_of(&roles_of(subject, roles));
    let everything = subject.superadmin || e.scopes.contains(&ScopeKind::All);
    let kinds = if subject.superadmin { CommunicationKind::ALL.into_iter().collect() } else { e.kinds.clone() };
    let mut r = Reach { everything, recents_all: everything || e.recents_all, kinds, ..Reach::default() };
    if everything {
        return r;
    }
    for scope in &e.scopes {
        match scope {
            ScopeKind::Numbers => {
                r.workgroups.extend(subject.workgroups.iter().copied());
                r.numbers.extend(subject.numbers.iter().copied());
                r.numbers.extend(e.numbers.iter().copied());
            }
            ScopeKind::Workgroup => r.workgroups.extend(subject.workgroups.iter().copied()),
            ScopeKind::Dashboard => {
                r.workgroups.extend(subject.dashboard.workgroups.iter().copied());
                r.ivrs.extend(subject.dashboard.ivrs.iter().copied());
            }
            ScopeKind::All | ScopeKind::Personal => {}
        }
    }
    r
}

/// Whether everything `inner` reaches, `outer` reaches too.
pub fn reach_within(inner: &Reach, outer: &Reach) -> bool {
    let parts = outer.everything
        || (!inner.everything
            && inner.workgroups.is_subset(&outer.workgroups)
            && inner.numbers.is_subset(&outer.numbers)
            && inner.ivrs.is_subset(&outer.ivrs)
            && (!inner.recents_all || outer.recents_all));
    parts && inner.kinds.is_subset(&outer.kinds)
}
