//! One account's compiled roles and every decision made over them (DESIGN §2).
//!
//! A [`Policy`] is built once per account (and rebuilt when a role changes); a [`Principal`] is a
//! user compiled against it. Decisions take principals, never raw rows, so the hot path is bit tests
//! and binary searches over sorted slices.

use crate::catalog::{Catalog, Permission};
use crate::decision::{Decision, Excess, Via};
use crate::error::{CoreError, Result};
use crate::ids::{IvrId, NumberId, UserId, WorkgroupId};
use crate::permset::{PermissionSet, Surplus};
pub use crate::role::RoleIdx;
use crate::role::{RoleAccess, RoleDefinition, RoleMode, RoleOrigin, SUPERADMIN_GUARD};
use crate::scope::{CommunicationKind, KindFlags, ScopeFlags, ScopeKind};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// Most roles one account may define.
pub const MAX_ROLES: usize = 4096;

/// Account-wide settings a preset pack fixes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicySettings {
    pub role_mode: RoleMode,
    /// The role every new user gets; in combinable mode every user keeps it (rule AC-10).
    pub default_role: Option<String>,
    /// The permission needed to assign roles and to create, edit and delete them (rule 1).
    pub roles_permission: String,
    /// The pack's roles whose holders read the audit log (besides the superadmin, and anyone who
    /// views both roles and the account).
    pub audit_readers: Vec<String>,
    /// Rights only the pack's preset roles hold (MightyCall: supervising users, MC-34).
    pub reserved_rights: Vec<String>,
    /// What widens reports from the user's own interactions to their data scope (MC-5, MC-26).
    pub reports_permission: String,
    /// What downloading a report or the history as CSV needs.
    pub reports_download_permission: String,
    /// What playing others' recordings needs besides the `recordings` kind (Aircall: the call
    /// recordings section); `None`: the kind alone.
    pub recordings_permission: Option<String>,
}

impl Default for PolicySettings {
    fn default() -> Self {
        PolicySettings {
            role_mode: RoleMode::Single,
            default_role: None,
            roles_permission: "team.roles:manage".into(),
            audit_readers: Vec::new(),
            reserved_rights: Vec::new(),
            reports_permission: "reports.all".into(),
            reports_download_permission: "reports.download".into(),
            recordings_permission: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct AssignableBy {
    superadmin: bool,
    roles: Vec<RoleIdx>,
}

/// A role of the policy, compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledRole {
    definition: RoleDefinition,
    origin: RoleOrigin,
    access: RoleAccess,
    assignable_by: Option<AssignableBy>,
    can_assign: Option<Vec<RoleIdx>>,
}

impl CompiledRole {
    pub fn key(&self) -> &str {
        &self.definition.key
    }
    pub fn definition(&self) -> &RoleDefinition {
        &self.definition
    }
    pub fn origin(&self) -> &RoleOrigin {
        &self.origin
    }
    pub fn access(&self) -> &RoleAccess {
        &self.access
    }
    pub(crate) fn assignable_by_description(&self) -> String {
        self.definition
            .guards
            .assignable_by
            .iter()
            .map(|k| if k == SUPERADMIN_GUARD { "the superadmin".to_owned() } else { format!("holders of `{k}`") })
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

/// A user's status.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    #[default]
    Invited,
    Active,
    Disabled,
}

/// The workgroups and IVRs whose data a user may see and filter (seed 002 "Dashboard access").
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardAccess {
    /// At most 1000.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 1000))]
    pub workgroups: Vec<WorkgroupId>,
    /// At most 1000.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 1000))]
    pub ivrs: Vec<IvrId>,
}

/// Most workgroups, and most IVRs, one user's dashboard access names.
pub const MAX_DASHBOARD: usize = 1000;

/// Everything about a user that decisions depend on, as loaded from storage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subject {
    pub user_id: UserId,
    pub status: UserStatus,
    pub superadmin: bool,
    /// Keys of the roles the user holds.
    pub roles: Vec<String>,
    /// Business numbers assigned to the user.
    pub numbers: Vec<NumberId>,
    pub workgroups: Vec<WorkgroupId>,
    pub dashboard: DashboardAccess,
}

impl Default for UserId {
    fn default() -> Self {
        UserId(uuid::Uuid::nil())
    }
}

fn sorted<T: Ord + Copy>(items: impl IntoIterator<Item = T>) -> Box<[T]> {
    let mut v: Vec<T> = items.into_iter().collect();
    v.sort_unstable();
    v.dedup();
    v.into_boxed_slice()
}

/// A user compiled against a policy: the compact set every hot-path decision reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub active: bool,
    pub superadmin: bool,
    /// Union of the user's roles (everything for the superadmin, nothing when inactive).
    pub permissions: PermissionSet,
    pub scope: ScopeFlags,
    pub recents_all: bool,
    /// The kinds of data the scope and recents show beyond the user's own records.
    pub kinds: KindFlags,
    /// Sorted.
    pub roles: Box<[RoleIdx]>,
    /// Sorted: the user's assigned numbers and the numbers selected by their `numbers`-scoped roles.
    pub numbers: Box<[NumberId]>,
    /// Sorted.
    pub workgroups: Box<[WorkgroupId]>,
    /// Sorted.
    pub dashboard_workgroups: Box<[WorkgroupId]>,
    /// Sorted.
    pub dashboard_ivrs: Box<[IvrId]>,
    /// What the user's roles give whatever their status (everything for the superadmin). A change to
    /// a person is judged on this: an invited or disabled user is one password or one click away
    /// from using it.
    pub held_permissions: PermissionSet,
    pub held_scope: ScopeFlags,
    pub held_recents_all: bool,
    pub held_kinds: KindFlags,
}

/// What a communication's visibility depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommunicationRef<'a> {
    pub kind: CommunicationKind,
    pub number: Option<NumberId>,
    pub workgroup: Option<WorkgroupId>,
    pub ivr: Option<IvrId>,
    pub participants: &'a [UserId],
}

/// The filter a principal's data scope puts on communications, for storage to turn into a query.
/// A record is visible when the user took part in it, or when it is of one of `kinds` and matches
/// any of the other present parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility<'a> {
    Nothing,
    Everything,
    Filter {
        /// Records this user took part in, whatever their kind.
        participant: UserId,
        /// The kinds the parts below show.
        kinds: KindFlags,
        /// Every record of the account (of `kinds`).
        all: bool,
        /// Records of these workgroups (empty slice: none).
        workgroups: &'a [WorkgroupId],
        /// Records on these business numbers.
        numbers: &'a [NumberId],
        /// Records handled by these workgroups (dashboard access).
        dashboard_workgroups: &'a [WorkgroupId],
        /// Records that passed through these IVRs (dashboard access).
        dashboard_ivrs: &'a [IvrId],
    },
}

impl Principal {
    pub fn holds(&self, role: RoleIdx) -> bool {
        self.roles.binary_search(&role).is_ok()
    }

    /// The communications filter of this principal's data scope.
    pub fn visibility(&self) -> Visibility<'_> {
        if !self.active {
            return Visibility::Nothing;
        }
        if self.superadmin || (self.scope.has(ScopeKind::All) && self.kinds.is_all()) {
            return Visibility::Everything;
        }
        if self.kinds.is_empty() {
            return self.personal_visibility();
        }
        let dashboard = self.scope.has(ScopeKind::Dashboard);
        Visibility::Filter {
            participant: self.user_id,
            kinds: self.kinds,
            all: self.scope.has(ScopeKind::All),
            workgroups: if self.scope.has(ScopeKind::Workgroup) { &self.workgroups } else { &[] },
            numbers: if self.scope.has(ScopeKind::Numbers) { &self.numbers } else { &[] },
            dashboard_workgroups: if dashboard { &self.dashboard_workgroups } else { &[] },
            dashboard_ivrs: if dashboard { &self.dashboard_ivrs } else { &[] },
        }
    }

    /// The recents filter: all calls, or only the user's own (rule MC-12).
    pub fn recents_visibility(&self) -> Visibility<'_> {
        if !self.active {
            Visibility::Nothing
        } else if self.superadmin || (self.recents_all && self.kinds.is_all()) {
            Visibility::Everything
        } else if self.recents_all && !self.kinds.is_empty() {
            Visibility::Filter {
                participant: self.user_id,
                kinds: self.kinds,
                all: true,
                workgroups: &[],
                numbers: &[],
                dashboard_workgroups: &[],
                dashboard_ivrs: &[],
            }
        } else {
            self.personal_visibility()
        }
    }

    /// Only the communications the user took part in (rule MC-18).
    pub fn personal_visibility(&self) -> Visibility<'_> {
        if !self.active {
            return Visibility::Nothing;
        }
        Visibility::Filter {
            participant: self.user_id,
            kinds: KindFlags::NONE,
            all: false,
            workgroups: &[],
            numbers: &[],
            dashboard_workgroups: &[],
            dashboard_ivrs: &[],
        }
    }
}

/// What a user-management action needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserAction {
    /// Change one's name or password: everyone may on their own profile; on anyone else's it is
    /// an [`UserAction::Edit`].
    EditProfile,
    /// Edit settings: name, numbers, workgroups (`team.members.edit`).
    Edit,
    /// Disable a user (`team.members.delete`: it takes away all their access).
    Disable,
    /// Delete a user (`team.members.delete`).
    Delete,
}

/// One account's compiled roles.
#[derive(Clone, Debug)]
pub struct Policy {
    catalog: Arc<Catalog>,
    everything: PermissionSet,
    settings: PolicySettings,
    roles_permission: Permission,
    reports_permission: Permission,
    reports_download_permission: Permission,
    recordings_permission: Option<Permission>,
    default_role: Option<RoleIdx>,
    audit_readers: Vec<RoleIdx>,
    roles: Vec<CompiledRole>,
    index: HashMap<String, RoleIdx>,
}

impl Policy {
    /// Compiles an account's roles. Fails on any invalid role, duplicate key or guard naming an
    /// unknown role.
    pub fn new(
        catalog: Arc<Catalog>,
        settings: PolicySettings,
        roles: impl IntoIterator<Item = (RoleOrigin, RoleDefinition)>,
    ) -> Result<Policy> {
        let roles_permission = catalog.permission(&settings.roles_permission)?;
        let reports_permission = catalog.permission(&settings.reports_permission)?;
        let reports_download_permission = catalog.permission(&settings.reports_download_permission)?;
        let recordings_permission =
            settings.recordings_permission.as_deref().map(|p| catalog.permission(p)).transpose()?;
        let mut compiled = Vec::new();
        let mut index = HashMap::new();
        for (origin, definition) in roles {
            let access = definition.compile_access(&catalog)?;
            if compiled.len() >= MAX_ROLES {
                return Err(CoreError::InvalidRole {
                    role: definition.key,
                    message: format!("an account holds at most {MAX_ROLES} roles"),
                });
            }
            let idx = RoleIdx(compiled.len() as u16);
            if index.insert(definition.key.clone(), idx).is_some() {
                return Err(CoreError::DuplicateRole(definition.key));
            }
            compiled.push(CompiledRole { definition, origin, access, assignable_by: None, can_assign: None });
        }
        let resolve = |role: &str, key: &str| {
            index.get(key).copied().ok_or_else(|| CoreError::InvalidRole {
                role: role.into(),
                message: format!("its guards name unknown role `{key}`"),
            })
        };
        let mut guards = Vec::with_capacity(compiled.len());
        for role in &compiled {
            let g = &role.definition.guards;
            check_guard_rules(&role.definition)?;
            let assignable_by = if g.assignable_by.is_empty() {
                None
            } else {
                let mut by = AssignableBy { superadmin: false, roles: Vec::new() };
                for key in &g.assignable_by {
                    if key == SUPERADMIN_GUARD {
                        by.superadmin = true;
                    } else {
                        by.roles.push(resolve(role.key(), key)?);
                    }
                }
                Some(by)
            };
            let can_assign = match &g.can_assign {
                None => None,
                Some(keys) => Some(keys.iter().map(|k| resolve(role.key(), k)).collect::<Result<Vec<_>>>()?),
            };
            guards.push((assignable_by, can_assign));
        }
        for (role, (assignable_by, can_assign)) in compiled.iter_mut().zip(guards) {
            role.assignable_by = assignable_by;
            role.can_assign = can_assign;
        }
        let default_role = match &settings.default_role {
            None => None,
            Some(key) => Some(index.get(key).copied().ok_or_else(|| CoreError::UnknownRole(key.clone()))?),
        };
        // A reader the account no longer has (a migration) simply reads nothing.
        let audit_readers = settings.audit_readers.iter().filter_map(|key| index.get(key).copied()).collect();
        Ok(Policy {
            everything: PermissionSet::everything(&catalog),
            catalog,
            settings,
            roles_permission,
            reports_permission,
            reports_download_permission,
            recordings_permission,
            default_role,
            audit_readers,
            roles: compiled,
            index,
        })
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn catalog_arc(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    pub fn settings(&self) -> &PolicySettings {
        &self.settings
    }

    pub fn roles(&self) -> impl ExactSizeIterator<Item = (RoleIdx, &CompiledRole)> {
        self.roles.iter().enumerate().map(|(i, r)| (RoleIdx(i as u16), r))
    }

    pub fn role(&self, idx: RoleIdx) -> &CompiledRole {
        // RoleIdx values are only minted by this policy.
        &self.roles[idx.0 as usize]
    }

    pub fn role_idx(&self, key: &str) -> Result<RoleIdx> {
        self.index.get(key).copied().ok_or_else(|| CoreError::UnknownRole(key.into()))
    }

    pub fn default_role(&self) -> Option<RoleIdx> {
        self.default_role
    }

    /// Compiles a user. Fails only when the subject names a role this policy does not have.
    pub fn principal(&self, subject: &Subject) -> Result<Principal> {
        let roles = sorted(subject.roles.iter().map(|k| self.role_idx(k)).collect::<Result<Vec<_>>>()?);
        let active = subject.status == UserStatus::Active;
        let mut permissions = PermissionSet::EMPTY;
        // Rule MC-18: every user sees their personal calls, recordings, voicemails and analytics.
        let mut scope = ScopeFlags::of(ScopeKind::Personal);
        let mut recents_all = false;
        let mut kinds = KindFlags::NONE;
        let mut numbers = subject.numbers.clone();
        for idx in roles.iter() {
            let access = &self.role(*idx).access;
            permissions.union_with(&access.permissions);
            scope = scope.union(access.scope);
            recents_all |= access.recents_all;
            kinds = kinds.union(access.kinds);
            numbers.extend_from_slice(&access.scope_numbers);
        }
        if subject.superadmin {
            permissions = self.everything;
            scope = ScopeFlags::of(ScopeKind::All);
            recents_all = true;
            kinds = KindFlags::ALL;
        }
        // Playing others' recordings may also need a section (Aircall's call recordings).
        if let Some(needed) = self.recordings_permission
            && !subject.superadmin
            && !check_set(&self.catalog, &permissions, needed).is_allowed()
        {
            kinds = kinds.without(CommunicationKind::Recording);
        }
        let (held_permissions, held_scope, held_recents_all, held_kinds) = (permissions, scope, recents_all, kinds);
        if !active {
            permissions = PermissionSet::EMPTY;
            scope = ScopeFlags::NONE;
            recents_all = false;
            kinds = KindFlags::NONE;
        }
        Ok(Principal {
            user_id: subject.user_id,
            active,
            superadmin: subject.superadmin,
            permissions,
            scope,
            recents_all,
            kinds,
            roles,
            numbers: sorted(numbers),
            workgroups: sorted(subject.workgroups.iter().copied()),
            dashboard_workgroups: sorted(subject.dashboard.workgroups.iter().copied()),
            dashboard_ivrs: sorted(subject.dashboard.ivrs.iter().copied()),
            held_permissions,
            held_scope,
            held_recents_all,
            held_kinds,
        })
    }

    /// May the principal use this permission? The hot path: no allocation, no string lookups.
    #[inline]
    pub fn check(&self, p: &Principal, permission: Permission) -> Decision {
        if !p.active {
            return Decision::InactiveUser;
        }
        if p.superadmin {
            return Decision::Allowed(Via::Superadmin);
        }
        check_set(&self.catalog, &p.permissions, permission)
    }

    /// The sections the principal holds at `view` or above, in catalog order. Sections without access
    /// "simply won't be visible" (rule MC-17): a UI builds its navigation from this list.
    pub fn visible_sections<'p>(&'p self, p: &'p Principal) -> impl Iterator<Item = &'p crate::catalog::Section> + 'p {
        self.catalog.sections().iter().filter(move |s| p.active && (p.superadmin || p.permissions.rank(s.id) > 0))
    }

    /// May the principal see this communication (its data scope, DESIGN §2)?
    #[inline]
    pub fn can_see(&self, p: &Principal, c: &CommunicationRef<'_>) -> Decision {
        if !p.active {
            return Decision::InactiveUser;
        }
        if p.superadmin {
            return Decision::Allowed(Via::Superadmin);
        }
        if p.scope.has(ScopeKind::All) && p.kinds.has(c.kind) {
            return Decision::Allowed(Via::Scope(ScopeKind::All));
        }
        if c.participants.contains(&p.user_id) {
            return Decision::Allowed(Via::Scope(ScopeKind::Personal));
        }
        match self.scope_part(p, c) {
            Some(_) if !p.kinds.has(c.kind) => Decision::KindNotShown { kind: c.kind },
            Some(scope) => Decision::Allowed(Via::Scope(scope)),
            None => Decision::OutOfScope,
        }
    }

    /// May the principal play the recording of this communication (the question a media server asks
    /// before streaming)? Their own recordings always (rules MC-18, AC-9); others' within their data
    /// scope with the `recordings` kind. A voicemail's recording is the voicemail itself.
    pub fn can_play_recording(&self, p: &Principal, c: &CommunicationRef<'_>, has_recording: bool) -> Decision {
        let seen = self.can_see(p, c);
        if !seen.is_allowed() {
            return seen;
        }
        if !has_recording && c.kind != CommunicationKind::Recording {
            return Decision::NoRecording;
        }
        let own = p.superadmin || c.participants.contains(&p.user_id);
        let playable = matches!(c.kind, CommunicationKind::Voicemail | CommunicationKind::Recording);
        if own || playable || p.kinds.has(CommunicationKind::Recording) {
            seen
        } else {
            Decision::KindNotShown { kind: CommunicationKind::Recording }
        }
    }

    /// The part of the principal's data scope (other than their own records) a communication is in.
    fn scope_part(&self, p: &Principal, c: &CommunicationRef<'_>) -> Option<ScopeKind> {
        if p.scope.has(ScopeKind::All) {
            return Some(ScopeKind::All);
        }
        let in_slice = |id: Option<WorkgroupId>, set: &[WorkgroupId]| id.is_some_and(|w| set.binary_search(&w).is_ok());
        if p.scope.has(ScopeKind::Workgroup) && in_slice(c.workgroup, &p.workgroups) {
            return Some(ScopeKind::Workgroup);
        }
        if p.scope.has(ScopeKind::Numbers) && c.number.is_some_and(|n| p.numbers.binary_search(&n).is_ok()) {
            return Some(ScopeKind::Numbers);
        }
        if p.scope.has(ScopeKind::Dashboard)
            && (in_slice(c.workgroup, &p.dashboard_workgroups)
                || c.ivr.is_some_and(|i| p.dashboard_ivrs.binary_search(&i).is_ok()))
        {
            return Some(ScopeKind::Dashboard);
        }
        None
    }

    /// What the principal's reports count (rules MC-5, MC-26): with the pack's reports permission
    /// (`reports.all`), their data scope; without it, only the interactions they took part in.
    pub fn reports_visibility<'p>(&self, p: &'p Principal) -> Visibility<'p> {
        if self.reports_cover_scope(p) { p.visibility() } else { p.personal_visibility() }
    }

    /// Whether the principal's reports count their data scope, not only their own interactions.
    pub fn reports_cover_scope(&self, p: &Principal) -> bool {
        self.check(p, self.reports_permission).is_allowed()
    }

    /// May the principal download reports and the history as CSV (`reports.download`)?
    pub fn can_download_reports(&self, p: &Principal) -> Decision {
        self.check(p, self.reports_download_permission)
    }

    /// May the principal see this communication in Recents (rule MC-12)?
    pub fn can_see_recent(&self, p: &Principal, c: &CommunicationRef<'_>) -> Decision {
        if !p.active {
            Decision::InactiveUser
        } else if p.superadmin {
            Decision::Allowed(Via::Superadmin)
        } else if p.recents_all && p.kinds.has(c.kind) {
            Decision::Allowed(Via::Scope(ScopeKind::All))
        } else if c.participants.contains(&p.user_id) {
            Decision::Allowed(Via::Scope(ScopeKind::Personal))
        } else if p.recents_all {
            Decision::KindNotShown { kind: c.kind }
        } else {
            Decision::OutOfScope
        }
    }

    /// Whether an account that requires two-factor sign-in requires it of `p`: the superadmin and
    /// whoever holds (whatever their status) the management of people or the roles permission.
    pub fn needs_two_factor(&self, p: &Principal) -> bool {
        let manages_people = self
            .catalog
            .permission("team.members:manage")
            .is_ok_and(|people| check_set(&self.catalog, &p.held_permissions, people).is_allowed());
        p.superadmin
            || manages_people
            || check_set(&self.catalog, &p.held_permissions, self.roles_permission).is_allowed()
    }

    /// The first of the pack's reserved rights `access` holds, by key.
    fn reserved_held_by(&self, access: &RoleAccess) -> Option<String> {
        self.settings
            .reserved_rights
            .iter()
            .find(|key| self.catalog.right_id(key).is_ok_and(|right| access.permissions.has_right(right)))
            .cloned()
    }

    /// `definition` without the pack's reserved rights: what a custom copy of a preset role keeps.
    pub fn without_reserved_rights(&self, mut definition: RoleDefinition) -> RoleDefinition {
        for grant in definition.grants.values_mut() {
            grant.rights.retain(|right| !self.settings.reserved_rights.contains(right));
        }
        definition
    }

    /// May `p` read the account's audit log? The superadmin, holders of a role the pack names as an
    /// audit reader (Aircall: Owner), and anyone who views both the roles and the account.
    pub fn can_read_audit(&self, p: &Principal) -> Result<Decision> {
        if !p.active {
            return Ok(Decision::InactiveUser);
        }
        if p.superadmin {
            return Ok(Decision::Allowed(Via::Superadmin));
        }
        if self.audit_readers.iter().any(|r| p.holds(*r)) {
            return Ok(Decision::Allowed(Via::Grant));
        }
        let roles = self.check(p, self.catalog.permission("team.roles:view")?);
        if !roles.is_allowed() {
            return Ok(roles);
        }
        Ok(self.check(p, self.catalog.permission("account:view")?))
    }

    /// May the principal manage the account's webhooks (rule MC-36: "edit webhooks" is its own
    /// right)? A webhook receives every change event, which is the audit log, so its manager must
    /// also be one who reads the audit log: the right alone never opens the log through a receiver.
    pub fn can_manage_webhooks(&self, p: &Principal) -> Result<Decision> {
        let right = self.check(p, self.catalog.permission("integrations.api.webhooks")?);
        if !right.is_allowed() {
            return Ok(right);
        }
        self.can_read_audit(p)
    }

    /// The checks every change of another user's access starts with: an active actor, not themself
    /// (rule 6), not the superadmin, the roles permission (rule 1), no shared protected role (rule 5).
    pub fn can_change_access(&self, actor: &Principal, target: &Principal) -> Decision {
        if let Some(decided) = on_another_person(actor, target) {
            return decided;
        }
        let permitted = check_set(&self.catalog, &actor.permissions, self.roles_permission);
        if !permitted.is_allowed() {
            return permitted;
        }
        if let Some(role) = self.shared_protected_role(actor, target) {
            return Decision::PeerProtected { role };
        }
        Decision::Allowed(Via::Grant)
    }

    fn shared_protected_role(&self, actor: &Principal, target: &Principal) -> Option<RoleIdx> {
        actor.roles.iter().copied().find(|r| self.role(*r).definition.guards.peer_protected && target.holds(*r))
    }

    /// May the actor give `role` to the target, or take it away? Rules 1 to 6 of DESIGN §2.
    pub fn can_assign(&self, actor: &Principal, target: &Principal, role: RoleIdx) -> Decision {
        let gate = self.can_change_access(actor, target);
        if !gate.is_allowed() || actor.superadmin {
            return gate;
        }
        self.role_guard(actor, role)
    }

    /// Rule 3: the roles an actor may assign are the union of `can_assign` over the actor's roles
    /// that carry the roles permission (a role without `can_assign` restricts nothing).
    fn actor_may_assign(&self, actor: &Principal, role: RoleIdx) -> bool {
        actor.roles.iter().any(|held| {
            let r = self.role(*held);
            check_set(&self.catalog, &r.access.permissions, self.roles_permission).is_allowed()
                && r.can_assign.as_ref().is_none_or(|allowed| allowed.contains(&role))
        })
    }

    /// May the actor replace the target's roles with `new_roles` (keys)? Checks the role mode, the
    /// default role, and [`Policy::can_assign`] for every role added or removed.
    pub fn can_set_roles(&self, actor: &Principal, target: &Principal, new_roles: &[String]) -> Result<Decision> {
        // May the actor change this person's access at all? Judged before the roles asked for, so
        // that nobody without that right learns which role keys exist or how roles combine here.
        let gate = self.can_change_access(actor, target);
        if !gate.is_allowed() {
            return Ok(gate);
        }
        let wanted = sorted(new_roles.iter().map(|k| self.role_idx(k)).collect::<Result<Vec<_>>>()?);
        if self.settings.role_mode == RoleMode::Single && wanted.len() > 1 {
            return Ok(Decision::SingleRoleMode);
        }
        if self.settings.role_mode == RoleMode::Combinable
            && let Some(default) = self.default_role
            && !wanted.contains(&default)
        {
            return Ok(Decision::DefaultRoleRequired { role: default });
        }
        let added = wanted.iter().filter(|r| !target.holds(**r));
        if let Some(role) = added.clone().find(|r| self.role(**r).definition.guards.emergency) {
            return Ok(Decision::EmergencyOnly { role: *role });
        }
        let removed = target.roles.iter().filter(|r| !wanted.contains(r));
        for role in added.chain(removed) {
            let decision = self.can_assign(actor, target, *role);
            if !decision.is_allowed() {
                return Ok(decision);
            }
        }
        Ok(gate)
    }

    /// May the actor set the target's dashboard access (seed 002)? Besides the access-change checks,
    /// every workgroup or IVR added must be within the actor's own data scope.
    pub fn can_set_dashboard_access(
        &self,
        actor: &Principal,
        target: &Principal,
        access: &DashboardAccess,
    ) -> Decision {
        let gate = self.can_change_access(actor, target);
        if !gate.is_allowed() || actor.superadmin || actor.scope.has(ScopeKind::All) {
            return gate;
        }
        // Entries added or removed must both be within the actor's own scope: taking away what one
        // could not give is as much beyond one's reach as giving it (cf. rule 4 for roles).
        let added_wg = access.workgroups.iter().filter(|w| target.dashboard_workgroups.binary_search(w).is_err());
        let removed_wg = target.dashboard_workgroups.iter().filter(|w| !access.workgroups.contains(w));
        let added_ivr = access.ivrs.iter().filter(|i| target.dashboard_ivrs.binary_search(i).is_err());
        let removed_ivr = target.dashboard_ivrs.iter().filter(|i| !access.ivrs.contains(i));
        if let Some(excess) = actor.reach().dashboard_excess(added_wg.chain(removed_wg), added_ivr.chain(removed_ivr)) {
            return Decision::Escalation(excess);
        }
        gate
    }

    /// May the actor create a role (`existing` is `None`) or edit one? Rule 4: a custom role can't
    /// be created or edited beyond the actor's own access; rule 7: presets are immutable.
    pub fn can_edit_role(
        &self,
        actor: &Principal,
        existing: Option<RoleIdx>,
        definition: &RoleDefinition,
    ) -> Result<Decision> {
        // Who may manage roles at all is judged first: a person without that permission learns
        // nothing about which definitions would be valid, nor which role keys are taken.
        let gate = self.role_admin_gate(actor);
        if !gate.is_allowed() {
            return Ok(gate);
        }
        // A preset is not edited, whatever the definition sent: said before judging the definition,
        // which a preset's own may fail as a custom role's (it holds the pack's reserved rights).
        if let Some(idx) = existing.filter(|&idx| self.role(idx).origin.is_preset()) {
            return Ok(Decision::PresetImmutable { role: idx });
        }
        let access = definition.compile_access(&self.catalog)?;
        // Every role made or edited here is custom (presets are immutable): none holds a reserved right.
        if let Some(right) = self.reserved_held_by(&access) {
            return Err(CoreError::ReservedRight { right });
        }
        self.check_guard_keys(definition)?;
        match existing {
            Some(idx) => {
                let old = self.role(idx);
                if old.key() != definition.key {
                    return Err(CoreError::InvalidRole {
                        role: old.key().into(),
                        message: "the key of a role cannot change".into(),
                    });
                }
            }
            None if self.index.contains_key(&definition.key) => {
                return Err(CoreError::DuplicateRole(definition.key.clone()));
            }
            None => {}
        }
        if actor.superadmin {
            return Ok(gate);
        }
        // `assignable_by` and `peer_protected` decide who may touch a role's holders. Written by
        // anyone but the superadmin they could lock out people who out-rank the author (an
        // Administrator unable to disable a user holding a role its author guarded for themself).
        let (old_by, old_protected) = existing.map_or((&[][..], false), |i| {
            (&self.role(i).definition.guards.assignable_by[..], self.role(i).definition.guards.peer_protected)
        });
        let same_set = |a: &[String], b: &[String]| {
            let (mut a, mut b) = (a.to_vec(), b.to_vec());
            a.sort_unstable();
            a.dedup();
            b.sort_unstable();
            b.dedup();
            a == b
        };
        let old_emergency = existing.is_some_and(|i| self.role(i).definition.guards.emergency);
        if !same_set(old_by, &definition.guards.assignable_by)
            || old_protected != definition.guards.peer_protected
            || old_emergency != definition.guards.emergency
        {
            return Ok(Decision::GuardsBySuperadminOnly);
        }
        if let Some(idx) = existing {
            // Editing a role one holds changes one's own access, and that of every peer holding it
            // (rules 5 and 6): it could lift a `can_assign` restriction or peer protection.
            if actor.holds(idx) {
                return Ok(Decision::SelfModification);
            }
        }
        if let Some(excess) = self.access_surplus(&access, actor) {
            return Ok(Decision::Escalation(excess));
        }
        if let Some(idx) = existing {
            let guarded = self.role_guard(actor, idx);
            if !guarded.is_allowed() {
                return Ok(guarded);
            }
        }
        if let Some(guarded) = self.covers_guarded_role(actor, &access, existing) {
            return Ok(Decision::GuardedRole { role: guarded });
        }
        Ok(gate)
    }

    /// A role whose guard the actor does not satisfy, and whose access `access` would hand out in
    /// full: copying a guarded role's access into an unguarded role must not bypass the guard (rule 2).
    fn covers_guarded_role(&self, actor: &Principal, access: &RoleAccess, except: Option<RoleIdx>) -> Option<RoleIdx> {
        if actor.superadmin {
            return None;
        }
        self.roles().find_map(|(idx, guarded)| {
            let by = guarded.assignable_by.as_ref()?;
            let unguarded_for_actor = !by.roles.iter().any(|r| actor.holds(*r));
            let g = &guarded.access;
            let meaningful =
                !g.permissions.is_empty() || g.scope != ScopeFlags::of(ScopeKind::Personal) || g.recents_all;
            let covered = g.permissions.is_subset_of(&access.permissions)
                && access.scope.contains(g.scope)
                && (!g.recents_all || access.recents_all)
                && access.kinds.first_missing(g.kinds).is_none();
            (Some(idx) != except && unguarded_for_actor && meaningful && covered).then_some(idx)
        })
    }

    /// May the actor take an emergency role themselves (break-glass)? Only an emergency role, only a
    /// holder of one of its `assignable_by` roles (or the superadmin), only where roles combine. Rules 4
    /// and 6 are what breaking the glass sets aside; bounding it in time, stating why and auditing
    /// every use is what the caller must do.
    pub fn can_break_glass(&self, actor: &Principal, role: RoleIdx) -> Decision {
        if !actor.active {
            return Decision::InactiveUser;
        }
        let compiled = self.role(role);
        if !compiled.definition.guards.emergency {
            return Decision::NotEmergency { role };
        }
        if self.settings.role_mode == RoleMode::Single {
            return Decision::SingleRoleMode;
        }
        if actor.superadmin {
            return Decision::Allowed(Via::Superadmin);
        }
        match &compiled.assignable_by {
            Some(by) if by.roles.iter().any(|r| actor.holds(*r)) => Decision::Allowed(Via::Grant),
            _ => Decision::GuardedRole { role },
        }
    }

    /// May the actor delete a role? Presets never; custom roles within the actor's own access.
    pub fn can_delete_role(&self, actor: &Principal, role: RoleIdx) -> Decision {
        let gate = self.role_admin_gate(actor);
        if !gate.is_allowed() {
            return gate;
        }
        if self.role(role).origin.is_preset() {
            return Decision::PresetImmutable { role };
        }
        // A role named by another role's guards can't go: the guard would dangle (rule 2).
        let referencing = self.roles().find(|(idx, other)| {
            *idx != role
                && (other.assignable_by.as_ref().is_some_and(|by| by.roles.contains(&role))
                    || other.can_assign.as_ref().is_some_and(|list| list.contains(&role)))
        });
        if let Some((by, _)) = referencing {
            return Decision::ReferencedRole { role, by };
        }
        if actor.superadmin {
            return gate;
        }
        if actor.holds(role) {
            return Decision::SelfModification;
        }
        self.role_guard(actor, role)
    }

    /// Whether the actor may hand out or take away this role, whoever holds it: its guard (rule 2),
    /// the actor's `can_assign` (rule 3), its access (rule 4), and no guarded role's access inside it.
    /// A role the actor could not assign is also one they cannot edit or delete: either would change
    /// what its holders have.
    pub(crate) fn role_guard(&self, actor: &Principal, role: RoleIdx) -> Decision {
        let copied = self.copied_role(actor, role);
        // Its own guard first, then the actor's `can_assign`, then access and guarded roles inside it.
        if copied == (Decision::GuardedRole { role }) {
            return copied;
        }
        if !self.actor_may_assign(actor, role) {
            return Decision::NotAssignable { role };
        }
        copied
    }

    /// A role copied onto a new person (duplicate): its guard (rule 2), its access (rule 4) and no
    /// guarded role's access inside it — but not the roles permission or `can_assign`, which govern
    /// choosing roles, not copying them.
    pub(crate) fn copied_role(&self, actor: &Principal, role: RoleIdx) -> Decision {
        let compiled = self.role(role);
        if let Some(by) = &compiled.assignable_by
            && !by.roles.iter().any(|r| actor.holds(*r))
        {
            return Decision::GuardedRole { role };
        }
        if let Some(excess) = self.access_surplus(&compiled.access, actor) {
            return Decision::Escalation(excess);
        }
        if let Some(guarded) = self.covers_guarded_role(actor, &compiled.access, Some(role)) {
            return Decision::GuardedRole { role: guarded };
        }
        Decision::Allowed(Via::Grant)
    }

    pub(crate) fn role_admin_gate(&self, actor: &Principal) -> Decision {
        if !actor.active {
            Decision::InactiveUser
        } else if actor.superadmin {
            Decision::Allowed(Via::Superadmin)
        } else {
            check_set(&self.catalog, &actor.permissions, self.roles_permission)
        }
    }

    fn check_guard_keys(&self, definition: &RoleDefinition) -> Result<()> {
        check_guard_rules(definition)?;
        let g = &definition.guards;
        let known = |k: &String| k == &definition.key || self.index.contains_key(k);
        let named = g.assignable_by.iter().filter(|k| k.as_str() != SUPERADMIN_GUARD);
        for key in named.chain(g.can_assign.iter().flatten()) {
            if !known(key) {
                return Err(CoreError::InvalidRole {
                    role: definition.key.clone(),
                    message: format!("its guards name unknown role `{key}`"),
                });
            }
        }
        Ok(())
    }

    /// May the actor move the account onto another preset pack? It replaces every preset role and
    /// re-roles every user, so only the superadmin may (seed 003's migration is the owner's call).
    pub fn can_migrate_pack(&self, actor: &Principal) -> Decision {
        if !actor.active {
            Decision::InactiveUser
        } else if actor.superadmin {
            Decision::Allowed(Via::Superadmin)
        } else {
            Decision::SuperadminOnly
        }
    }

    /// May the actor edit, disable or delete the target user?
    pub fn can_manage_user(&self, actor: &Principal, target: &Principal, action: UserAction) -> Decision {
        if !actor.active {
            return Decision::InactiveUser;
        }
        let removes_access = matches!(action, UserAction::Disable | UserAction::Delete);
        if target.superadmin && (removes_access || !actor.superadmin) {
            return Decision::SuperadminProtected;
        }
        if actor.superadmin {
            return Decision::Allowed(Via::Superadmin);
        }
        if actor.user_id == target.user_id && removes_access {
            return Decision::SelfModification;
        }
        if action == UserAction::EditProfile && actor.user_id == target.user_id {
            return Decision::Allowed(Via::Grant);
        }
        let right = match action {
            UserAction::Edit | UserAction::EditProfile => "team.members.edit",
            UserAction::Disable | UserAction::Delete => "team.members.delete",
        };
        if let Ok(permission) = self.catalog.permission(right) {
            let decision = check_set(&self.catalog, &actor.permissions, permission);
            if !decision.is_allowed() {
                return decision;
            }
        }
        if actor.user_id != target.user_id {
            if let Some(role) = self.shared_protected_role(actor, target) {
                return Decision::PeerProtected { role };
            }
            // Disabling, deleting or editing someone is changing their access: not for users whose
            // roles the actor could not remove (rule 2), nor for users holding more than the actor
            // (rule 4).
            if let Some(role) = target.roles.iter().copied().find(|r| {
                self.role(*r).assignable_by.as_ref().is_some_and(|by| !by.roles.iter().any(|g| actor.holds(*g)))
            }) {
                return Decision::GuardedRole { role };
            }
            // What the target's roles hold, active or not: an invited Administrator is no less one.
            let held = RoleAccess {
                permissions: target.held_permissions,
                scope: target.held_scope,
                scope_numbers: Box::default(),
                recents_all: target.held_recents_all,
                kinds: target.held_kinds,
            };
            if let Some(excess) = self.access_surplus(&held, actor) {
                return Decision::Escalation(excess);
            }
        }
        Decision::Allowed(Via::Grant)
    }

    /// May the actor add the target to a workgroup or assign them a business number, or take it away?
    /// Nobody changes their own memberships but the superadmin (rule 6): joining a workgroup or number
    /// widens what the `workgroup` and `numbers` scopes show; nobody else changes the superadmin's
    /// (rule 7); peers of a protected role leave each other alone (rule 5). Whether the workgroup or
    /// number is within the actor's reach is rule 8, judged on the target's reach before and after
    /// ([`Policy::can_set_person_membership`]).
    pub fn can_set_membership(&self, actor: &Principal, target: &Principal) -> Decision {
        if let Some(decided) = on_another_person(actor, target) {
            return decided;
        }
        if let Some(role) = self.shared_protected_role(actor, target) {
            return Decision::PeerProtected { role };
        }
        Decision::Allowed(Via::Grant)
    }

    /// The first thing a role's access gives beyond the actor's (rule 4), if any.
    pub fn access_surplus(&self, access: &RoleAccess, actor: &Principal) -> Option<Excess> {
        if actor.superadmin {
            return None;
        }
        if let Some(surplus) = access.permissions.surplus_over(&actor.permissions) {
            return Some(match surplus {
                Surplus::Level { section, rank, other_rank } => {
                    let set = self.catalog.section(section).def.level_set;
                    Excess::Level { section, granted: set.level_of_rank(rank), held: set.level_of_rank(other_rank) }
                }
                Surplus::Right { right } => Excess::Right { right },
            });
        }
        if !actor.scope.contains(access.scope) {
            let scope = access.scope.widest().unwrap_or(ScopeKind::Personal);
            return Some(Excess::Scope { scope });
        }
        if !actor.scope.has(ScopeKind::All)
            && let Some(number) = access.scope_numbers.iter().find(|n| actor.numbers.binary_search(n).is_err())
        {
            return Some(Excess::Number { number: *number });
        }
        if access.recents_all && !actor.recents_all {
            return Some(Excess::Recents);
        }
        if let Some(kind) = actor.kinds.first_missing(access.kinds) {
            return Some(Excess::Kind { kind });
        }
        None
    }

    /// Compiles a role definition against this policy's catalog.
    pub fn compile(&self, definition: &RoleDefinition) -> Result<RoleAccess> {
        definition.compile_access(&self.catalog)
    }
}

/// A permission check against a bare permission set.
#[inline]
/// The checks a change to another person's access starts with: an active actor (the superadmin
/// passes at once), not themself (rule 6), not the superadmin (rule 7). `None`: go on.
fn on_another_person(actor: &Principal, target: &Principal) -> Option<Decision> {
    if !actor.active {
        return Some(Decision::InactiveUser);
    }
    if actor.superadmin {
        return Some(Decision::Allowed(Via::Superadmin));
    }
    if actor.user_id == target.user_id {
        return Some(Decision::SelfModification);
    }
    if target.superadmin {
        return Some(Decision::SuperadminProtected);
    }
    None
}

pub(crate) fn check_set(catalog: &Catalog, set: &PermissionSet, permission: Permission) -> Decision {
    match permission {
        Permission::Section { section, level } => {
            let held = set.rank(section);
            if held >= level.rank() {
                Decision::Allowed(Via::Grant)
            } else {
                let level_set = catalog.section(section).def.level_set;
                Decision::MissingPermission { section, required: level, held: level_set.level_of_rank(held) }
            }
        }
        Permission::Right { right } => {
            let r = catalog.right(right);
            let held = set.rank(r.section);
            if held < r.min_level.rank() {
                let level_set = catalog.section(r.section).def.level_set;
                Decision::MissingPermission {
                    section: r.section,
                    required: r.min_level,
                    held: level_set.level_of_rank(held),
                }
            } else if set.has_right(right) {
                Decision::Allowed(Via::Grant)
            } else {
                Decision::MissingRight { right }
            }
        }
    }
}

/// What a role's guards must say whatever the account's other roles: an emergency role names who may
/// take it. Checked when a role is made or edited and when an account's roles are compiled, so a role
/// the compiler would refuse is never stored.
fn check_guard_rules(definition: &RoleDefinition) -> Result<()> {
    if definition.guards.emergency && definition.guards.assignable_by.is_empty() {
        return Err(CoreError::InvalidRole {
            role: definition.key.clone(),
            message: "an emergency role names who may take it in `assignable_by`".into(),
        });
    }
    Ok(())
}
