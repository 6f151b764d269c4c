//! Reach (DESIGN §2 rule 8): decisions about a person are made on that person.
//!
//! A person's *reach* is what their roles and memberships open to them: everything (scope `all`, or
//! the superadmin), or the concrete workgroups, business numbers, dashboard workgroups and IVRs their
//! scope uses, and whether they see all recents. Status does not matter: an invited or disabled
//! person is one password or one click away from what they hold. The personal part every user has
//! (rule MC-18) is not part of it.
//!
//! An actor may change a person (credentials, status, email, roles, memberships, dashboard access,
//! API keys, duplicate, delete) only when that person's reach before and after the change lies within
//! the actor's own. The `can_*_person*` functions take the person as loaded ([`Subject`]), apply the
//! change, and judge both sides together with the rules of the change itself.

pub use crate::decision::ReachPart;
use crate::decision::{Decision, Excess, Via};
use crate::error::Result;
use crate::ids::{IvrId, NumberId, UserId, WorkgroupId};
use crate::policy::{DashboardAccess, Policy, Principal, Subject, UserAction, UserStatus};
use crate::role::RoleMode;
use crate::scope::{KindFlags, ScopeKind};

/// A person's reach, borrowed from their principal. Parts their scope does not use are empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reach<'a> {
    pub everything: bool,
    pub recents_all: bool,
    /// The kinds of data the parts below show.
    pub kinds: KindFlags,
    /// Sorted: their workgroups, when their scope is `workgroup` or `numbers`.
    pub workgroups: &'a [WorkgroupId],
    /// Sorted: their assigned and selected numbers, when their scope is `numbers`.
    pub numbers: &'a [NumberId],
    /// Sorted: their dashboard workgroups, when their scope is `dashboard`.
    pub dashboard_workgroups: &'a [WorkgroupId],
    /// Sorted: their dashboard IVRs, when their scope is `dashboard`.
    pub dashboard_ivrs: &'a [IvrId],
}

impl Principal {
    /// What this person's roles and memberships open, whatever their status.
    pub fn reach(&self) -> Reach<'_> {
        let scope = self.held_scope;
        let everything = self.superadmin || scope.has(ScopeKind::All);
        let dashboard = scope.has(ScopeKind::Dashboard);
        Reach {
            everything,
            recents_all: everything || self.held_recents_all,
            kinds: if self.superadmin { KindFlags::ALL } else { self.held_kinds },
            workgroups: if scope.has(ScopeKind::Workgroup) { &self.workgroups } else { &[] },
            numbers: if scope.has(ScopeKind::Numbers) { &self.numbers } else { &[] },
            dashboard_workgroups: if dashboard { &self.dashboard_workgroups } else { &[] },
            dashboard_ivrs: if dashboard { &self.dashboard_ivrs } else { &[] },
        }
    }
}

impl Reach<'_> {
    /// A workgroup's records are open through membership (`workgroup` scope) or dashboard access.
    pub fn covers_workgroup(&self, workgroup: WorkgroupId) -> bool {
        self.everything
            || self.workgroups.binary_search(&workgroup).is_ok()
            || self.dashboard_workgroups.binary_search(&workgroup).is_ok()
    }

    pub fn covers_number(&self, number: NumberId) -> bool {
        self.everything || self.numbers.binary_search(&number).is_ok()
    }

    pub fn covers_ivr(&self, ivr: IvrId) -> bool {
        self.everything || self.dashboard_ivrs.binary_search(&ivr).is_ok()
    }

    /// The first dashboard entry (workgroups first, then IVRs) this reach does not cover, as what
    /// handing it out or taking it away would exceed.
    pub fn dashboard_excess<'e>(
        &self,
        workgroups: impl IntoIterator<Item = &'e WorkgroupId>,
        ivrs: impl IntoIterator<Item = &'e IvrId>,
    ) -> Option<Excess> {
        if let Some(w) = workgroups.into_iter().find(|w| !self.covers_workgroup(**w)) {
            return Some(Excess::Workgroup { workgroup: *w });
        }
        ivrs.into_iter().find(|i| !self.covers_ivr(**i)).map(|i| Excess::Ivr { ivr: *i })
    }

    /// The first part of `other` that this reach does not cover, if any.
    pub fn excess(&self, other: &Reach<'_>) -> Option<ReachPart> {
        if self.everything && self.kinds.is_all() {
            return None;
        }
        if other.everything && !self.everything {
            return Some(ReachPart::Everything);
        }
        let workgroups = other.workgroups.iter().chain(other.dashboard_workgroups);
        if let Some(w) = workgroups.copied().find(|w| !self.covers_workgroup(*w)) {
            return Some(ReachPart::Workgroup(w));
        }
        if let Some(n) = other.numbers.iter().copied().find(|n| !self.covers_number(*n)) {
            return Some(ReachPart::Number(n));
        }
        if let Some(i) = other.dashboard_ivrs.iter().copied().find(|i| !self.covers_ivr(*i)) {
            return Some(ReachPart::Ivr(i));
        }
        if other.recents_all && !self.recents_all {
            return Some(ReachPart::Recents);
        }
        self.kinds.first_missing(other.kinds).map(ReachPart::Kind)
    }
}

/// A change to one person's workgroups or business numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MembershipChange {
    JoinWorkgroup(WorkgroupId),
    LeaveWorkgroup(WorkgroupId),
    AssignNumber(NumberId),
    UnassignNumber(NumberId),
}

impl MembershipChange {
    /// The person after the change.
    pub fn apply(self, subject: &Subject) -> Subject {
        let mut after = subject.clone();
        match self {
            MembershipChange::JoinWorkgroup(w) if !after.workgroups.contains(&w) => after.workgroups.push(w),
            MembershipChange::LeaveWorkgroup(w) => after.workgroups.retain(|x| *x != w),
            MembershipChange::AssignNumber(n) if !after.numbers.contains(&n) => after.numbers.push(n),
            MembershipChange::UnassignNumber(n) => after.numbers.retain(|x| *x != n),
            _ => {}
        }
        after
    }
}

impl Policy {
    /// Rule 8: both sides of a change to a person lie within the actor's reach.
    pub fn can_reach(&self, actor: &Principal, before: &Principal, after: &Principal) -> Decision {
        if !actor.active {
            return Decision::InactiveUser;
        }
        if actor.superadmin {
            return Decision::Allowed(Via::Superadmin);
        }
        let mine = actor.reach();
        for person in [before, after] {
            if let Some(part) = mine.excess(&person.reach()) {
                return Decision::OutOfReach { user: person.user_id, part };
            }
        }
        Decision::Allowed(Via::Grant)
    }

    /// `decision` when it and rule 8 allow the change from `before` to `after`.
    fn judged(&self, actor: &Principal, before: &Principal, after: &Principal, decision: Decision) -> Decision {
        if !decision.is_allowed() {
            return decision;
        }
        let reach = self.can_reach(actor, before, after);
        if reach.is_allowed() { decision } else { reach }
    }

    /// A change to a person, from `person` to `after`: `decide` judges the change's own rules on the
    /// person as they are, then rule 8 judges both sides.
    fn person_change(
        &self,
        actor: &Principal,
        person: &Subject,
        after: Subject,
        decide: impl FnOnce(&Principal) -> Result<Decision>,
    ) -> Result<Decision> {
        let before = self.principal(person)?;
        let decision = decide(&before)?;
        if !decision.is_allowed() {
            return Ok(decision);
        }
        let after = self.principal(&after)?;
        Ok(self.judged(actor, &before, &after, decision))
    }

    /// May the actor edit, disable, re-enable or delete this person, set their password or email, or
    /// revoke an API key acting as them ([`Policy::can_manage_user`] and rule 8)?
    pub fn can_manage_person(&self, actor: &Principal, person: &Subject, action: UserAction) -> Result<Decision> {
        if action == UserAction::EditProfile && actor.user_id == person.user_id {
            return Ok(self.can_manage_user(actor, &self.principal(person)?, action));
        }
        self.person_change(actor, person, person.clone(), |before| Ok(self.can_manage_user(actor, before, action)))
    }

    /// May the actor replace this person's roles with `roles` ([`Policy::can_set_roles`], with the
    /// roles judged on the person's concrete memberships: rule 8)?
    pub fn can_set_person_roles(&self, actor: &Principal, person: &Subject, roles: &[String]) -> Result<Decision> {
        let after = Subject { roles: roles.to_vec(), ..person.clone() };
        self.person_change(actor, person, after, |before| self.can_set_roles(actor, before, roles))
    }

    /// May the actor change this person's workgroups or numbers ([`Policy::can_set_membership`] and rule 8)?
    pub fn can_set_person_membership(
        &self,
        actor: &Principal,
        person: &Subject,
        change: MembershipChange,
    ) -> Result<Decision> {
        self.person_change(actor, person, change.apply(person), |before| Ok(self.can_set_membership(actor, before)))
    }

    /// May the actor set this person's dashboard access ([`Policy::can_set_dashboard_access`] and rule 8)?
    pub fn can_set_person_dashboard(
        &self,
        actor: &Principal,
        person: &Subject,
        access: &DashboardAccess,
    ) -> Result<Decision> {
        let after = Subject { dashboard: access.clone(), ..person.clone() };
        self.person_change(actor, person, after, |before| Ok(self.can_set_dashboard_access(actor, before, access)))
    }

    /// May the actor invite this new person with the roles they chose (rules MC-34, AC-10, GI-10)?
    /// It takes `team.members.invite`. The pack's default role is not an assignment: it needs only to
    /// be within the actor's own access (rule 4); any other role is one, with every rule of
    /// [`Policy::can_assign`] (the roles permission, guards, `can_assign`). The new person's reach
    /// must lie within the actor's (rule 8).
    pub fn can_invite(&self, actor: &Principal, person: &Subject) -> Result<Decision> {
        self.judge_new_person(actor, person, false)
    }

    /// May the actor map an identity provider's group to `roles` and `dashboard` access? Whoever the
    /// provider puts in the group later gets them, so the mapping is judged now as giving them to a
    /// new person: the roles permission, each role within the actor's own access and assignable by
    /// them (rules 1 to 4), the dashboard entries within their view. Applying it to each member is
    /// judged again, on that member.
    pub fn can_map_group(&self, actor: &Principal, roles: &[String], dashboard: &DashboardAccess) -> Result<Decision> {
        let gate = self.role_admin_gate(actor);
        if !gate.is_allowed() {
            return Ok(gate);
        }
        // where roles combine, members keep the pack's default role beside what the mapping gives
        let mut roles = roles.to_vec();
        if self.settings().role_mode == RoleMode::Combinable
            && let Some(default) = self.default_role()
            && !roles.iter().any(|r| r == self.role(default).key())
        {
            roles.push(self.role(default).key().to_owned());
        }
        let member = Subject {
            user_id: UserId::new_random(),
            status: UserStatus::Active,
            roles,
            dashboard: dashboard.clone(),
            ..Subject::default()
        };
        self.judge_new_person(actor, &member, false)
    }

    /// May the actor "duplicate settings and invite" (rule MC-34): a new person with another's roles,
    /// numbers, workgroups and dashboard access? It takes `team.members.invite`, not the roles
    /// permission: the roles are copied, not chosen. Each must still be within the actor's own access
    /// (rule 4) and its `assignable_by` guard (rule 2); the dashboard entries within the actor's view;
    /// and the copy's reach within the actor's (rule 8).
    pub fn can_duplicate(&self, actor: &Principal, copy: &Subject) -> Result<Decision> {
        self.judge_new_person(actor, copy, true)
    }

    fn judge_new_person(&self, actor: &Principal, person: &Subject, copied: bool) -> Result<Decision> {
        if !actor.active {
            return Ok(Decision::InactiveUser);
        }
        let invite = match self.catalog().permission("team.members.invite") {
            Ok(permission) => self.check(actor, permission),
            Err(_) => self.role_admin_gate(actor),
        };
        if !invite.is_allowed() {
            return Ok(invite);
        }
        let wanted = person.roles.iter().map(|k| self.role_idx(k)).collect::<Result<Vec<_>>>()?;
        let mut distinct = wanted.clone();
        distinct.sort_unstable();
        distinct.dedup();
        if self.settings().role_mode == RoleMode::Single && distinct.len() > 1 {
            return Ok(Decision::SingleRoleMode);
        }
        if self.settings().role_mode == RoleMode::Combinable
            && let Some(default) = self.default_role()
            && !distinct.contains(&default)
        {
            return Ok(Decision::DefaultRoleRequired { role: default });
        }
        if actor.superadmin {
            return Ok(invite);
        }
        for role in distinct {
            let decision = if copied {
                self.copied_role(actor, role)
            } else if Some(role) == self.default_role() {
                match self.access_surplus(self.role(role).access(), actor) {
                    Some(excess) => Decision::Escalation(excess),
                    None => invite,
                }
            } else {
                let gate = self.role_admin_gate(actor);
                if gate.is_allowed() { self.role_guard(actor, role) } else { gate }
            };
            if !decision.is_allowed() {
                return Ok(decision);
            }
        }
        if let Some(excess) = actor.reach().dashboard_excess(&person.dashboard.workgroups, &person.dashboard.ivrs) {
            return Ok(Decision::Escalation(excess));
        }
        let new = self.principal(person)?;
        Ok(self.judged(actor, &new, &new, invite))
    }
}
