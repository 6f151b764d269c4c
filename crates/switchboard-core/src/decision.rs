//! Decisions and their reasons. A decision is `Copy` and holds only indices, so the hot path never
//! allocates; [`Decision::explain`] turns it into the machine-readable reason the API returns.

use crate::catalog::{Level, RightId, SectionId};
use crate::ids::{IvrId, NumberId, UserId, WorkgroupId};
use crate::policy::{Policy, RoleIdx};
use crate::reach::ReachPart;
use crate::scope::ScopeKind;
use serde::{Deserialize, Serialize};

/// Why something was allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// The superadmin holds everything.
    Superadmin,
    /// A role grants it.
    Grant,
    /// The record is within the given data scope (`personal`: the user took part in it).
    Scope(ScopeKind),
}

/// What a role, assignment or access change would give beyond the actor's own access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Excess {
    Level { section: SectionId, granted: Level, held: Level },
    Right { right: RightId },
    Scope { scope: ScopeKind },
    Number { number: NumberId },
    Recents,
    Workgroup { workgroup: WorkgroupId },
    Ivr { ivr: IvrId },
}

/// The outcome of every question Switchboard answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allowed(Via),
    /// The section is held below the level required.
    MissingPermission {
        section: SectionId,
        required: Level,
        held: Level,
    },
    /// The section level is there, the right is not.
    MissingRight {
        right: RightId,
    },
    /// Rule 4: the change would give more than the actor holds.
    Escalation(Excess),
    /// Rule 2: only holders of certain roles (or the superadmin) may assign or remove this role.
    GuardedRole {
        role: RoleIdx,
    },
    /// Rule 3: the actor's roles may assign only certain roles, and this is not one of them.
    NotAssignable {
        role: RoleIdx,
    },
    /// Rule 5: actor and target both hold this protected role.
    PeerProtected {
        role: RoleIdx,
    },
    /// Rule 6: nobody changes their own access, except the superadmin.
    SelfModification,
    /// The record is outside the user's data scope.
    OutOfScope,
    /// The acting user is invited or disabled.
    InactiveUser,
    /// Rule 7: preset roles are immutable; copy them to customise.
    PresetImmutable {
        role: RoleIdx,
    },
    /// Rule 7: the superadmin cannot be removed, disabled or re-roled by anyone else.
    SuperadminProtected,
    /// The account's role mode is `single`: one role per user.
    SingleRoleMode,
    /// Every user keeps the pack's default role (rule AC-10).
    DefaultRoleRequired {
        role: RoleIdx,
    },
    /// Only the account's superadmin may do this (e.g. move the account to another preset pack).
    SuperadminOnly,
    /// `role` is named by the guards of role `by`, which would dangle without it.
    ReferencedRole {
        role: RoleIdx,
        by: RoleIdx,
    },
    /// Only the superadmin writes `assignable_by` or `peer_protected` guards: from anyone else they
    /// could lock out people who out-rank the author.
    GuardsBySuperadminOnly,
    /// Rule 8: the person's reach, before or after the change, is not within the actor's.
    OutOfReach {
        user: UserId,
        part: ReachPart,
    },
}

/// Stable, machine-readable reason codes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    Allowed,
    MissingPermission,
    MissingRight,
    Escalation,
    GuardedRole,
    PeerProtected,
    SelfModification,
    OutOfScope,
    InactiveUser,
    PresetImmutable,
    SuperadminProtected,
    SingleRoleMode,
    DefaultRoleRequired,
    ReferencedRole,
    SuperadminOnly,
    OutOfReach,
}

impl ReasonCode {
    /// Every code, in declaration order (`code as usize` is its index).
    pub const ALL: [ReasonCode; 16] = [
        ReasonCode::Allowed,
        ReasonCode::MissingPermission,
        ReasonCode::MissingRight,
        ReasonCode::Escalation,
        ReasonCode::GuardedRole,
        ReasonCode::PeerProtected,
        ReasonCode::SelfModification,
        ReasonCode::OutOfScope,
        ReasonCode::InactiveUser,
        ReasonCode::PresetImmutable,
        ReasonCode::SuperadminProtected,
        ReasonCode::SingleRoleMode,
        ReasonCode::DefaultRoleRequired,
        ReasonCode::ReferencedRole,
        ReasonCode::SuperadminOnly,
        ReasonCode::OutOfReach,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ReasonCode::Allowed => "allowed",
            ReasonCode::MissingPermission => "missing_permission",
            ReasonCode::MissingRight => "missing_right",
            ReasonCode::Escalation => "escalation",
            ReasonCode::GuardedRole => "guarded_role",
            ReasonCode::PeerProtected => "peer_protected",
            ReasonCode::SelfModification => "self_modification",
            ReasonCode::OutOfScope => "out_of_scope",
            ReasonCode::InactiveUser => "inactive_user",
            ReasonCode::PresetImmutable => "preset_immutable",
            ReasonCode::SuperadminProtected => "superadmin_protected",
            ReasonCode::SingleRoleMode => "single_role_mode",
            ReasonCode::DefaultRoleRequired => "default_role_required",
            ReasonCode::ReferencedRole => "referenced_role",
            ReasonCode::SuperadminOnly => "superadmin_only",
            ReasonCode::OutOfReach => "out_of_reach",
        }
    }
}

/// A decision explained: what the API and the CLI show.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: ReasonCode,
    /// One human sentence.
    pub message: String,
    /// The section that decided it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right: Option<String>,
    /// The role that decided it (its key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<Level>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<Level>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<ScopeKind>,
    /// The person a change was judged on (`out_of_reach`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserId>,
    /// The workgroup that decided it (`out_of_reach`, `escalation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workgroup: Option<WorkgroupId>,
    /// The business number that decided it (`out_of_reach`, `escalation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<NumberId>,
    /// The IVR that decided it (`out_of_reach`, `escalation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ivr: Option<IvrId>,
}

impl Reason {
    fn new(code: ReasonCode, message: String) -> Reason {
        Reason {
            code,
            message,
            section: None,
            right: None,
            role: None,
            required: None,
            held: None,
            scope: None,
            user: None,
            workgroup: None,
            number: None,
            ivr: None,
        }
    }
}

impl Decision {
    #[inline]
    pub const fn is_allowed(self) -> bool {
        matches!(self, Decision::Allowed(_))
    }

    pub const fn code(self) -> ReasonCode {
        match self {
            Decision::Allowed(_) => ReasonCode::Allowed,
            Decision::MissingPermission { .. } => ReasonCode::MissingPermission,
            Decision::MissingRight { .. } => ReasonCode::MissingRight,
            Decision::Escalation(_) => ReasonCode::Escalation,
            Decision::GuardedRole { .. } | Decision::NotAssignable { .. } => ReasonCode::GuardedRole,
            Decision::PeerProtected { .. } => ReasonCode::PeerProtected,
            Decision::SelfModification => ReasonCode::SelfModification,
            Decision::OutOfScope => ReasonCode::OutOfScope,
            Decision::InactiveUser => ReasonCode::InactiveUser,
            Decision::PresetImmutable { .. } => ReasonCode::PresetImmutable,
            Decision::SuperadminProtected => ReasonCode::SuperadminProtected,
            Decision::SingleRoleMode => ReasonCode::SingleRoleMode,
            Decision::DefaultRoleRequired { .. } => ReasonCode::DefaultRoleRequired,
            Decision::ReferencedRole { .. } => ReasonCode::ReferencedRole,
            Decision::SuperadminOnly | Decision::GuardsBySuperadminOnly => ReasonCode::SuperadminOnly,
            Decision::OutOfReach { .. } => ReasonCode::OutOfReach,
        }
    }

    /// The reason, with names resolved against the policy that made the decision.
    pub fn explain(self, policy: &Policy) -> Reason {
        let catalog = policy.catalog();
        let section_key = |s: SectionId| catalog.section(s).def.key.clone();
        let role_key = |r: RoleIdx| policy.role(r).key().to_owned();
        let code = self.code();
        match self {
            Decision::Allowed(via) => {
                let mut reason = Reason::new(
                    code,
                    match via {
                        Via::Superadmin => "allowed: the superadmin holds every permission".into(),
                        Via::Grant => "allowed by the user's roles".into(),
                        Via::Scope(ScopeKind::Personal) => "allowed: the user took part in it".into(),
                        Via::Scope(scope) => format!("allowed by the `{scope}` data scope"),
                    },
                );
                if let Via::Scope(scope) = via {
                    reason.scope = Some(scope);
                }
                reason
            }
            Decision::MissingPermission { section, required, held } => {
                let key = section_key(section);
                let mut reason = Reason::new(code, format!("needs `{key}` at `{required}`, the user holds `{held}`"));
                reason.section = Some(key);
                reason.required = Some(required);
                reason.held = Some(held);
                reason
            }
            Decision::MissingRight { right } => {
                let r = catalog.right(right);
                let mut reason = Reason::new(code, format!("needs the right `{}` ({})", r.key, r.label));
                reason.section = Some(section_key(r.section));
                reason.right = Some(r.key.clone());
                reason
            }
            Decision::Escalation(excess) => {
                let mut reason = Reason::new(code, String::new());
                reason.message = match excess {
                    Excess::Level { section, granted, held } => {
                        let key = section_key(section);
                        reason.section = Some(key.clone());
                        reason.required = Some(granted);
                        reason.held = Some(held);
                        format!("would grant `{key}` at `{granted}`, above the actor's own `{held}`")
                    }
                    Excess::Right { right } => {
                        let r = catalog.right(right);
                        reason.section = Some(section_key(r.section));
                        reason.right = Some(r.key.clone());
                        format!("would grant the right `{}`, which the actor does not hold", r.key)
                    }
                    Excess::Scope { scope } => {
                        reason.scope = Some(scope);
                        format!("would grant the `{scope}` data scope, wider than the actor's own")
                    }
                    Excess::Number { number } => {
                        reason.scope = Some(ScopeKind::Numbers);
                        reason.number = Some(number);
                        format!("would grant access to business number {number}, outside the actor's own scope")
                    }
                    Excess::Recents => "would grant all recents, the actor sees only personal recents".into(),
                    Excess::Workgroup { workgroup } => {
                        reason.scope = Some(ScopeKind::Dashboard);
                        reason.workgroup = Some(workgroup);
                        format!("would grant access to workgroup {workgroup}, outside the actor's own scope")
                    }
                    Excess::Ivr { ivr } => {
                        reason.scope = Some(ScopeKind::Dashboard);
                        reason.ivr = Some(ivr);
                        format!("would grant access to IVR {ivr}, outside the actor's own scope")
                    }
                };
                reason
            }
            Decision::GuardedRole { role } | Decision::NotAssignable { role } => {
                let key = role_key(role);
                let message = if matches!(self, Decision::GuardedRole { .. }) {
                    let by = policy.role(role).assignable_by_description();
                    format!("role `{key}` can be assigned or removed only by {by}")
                } else {
                    format!("the actor's roles may not assign or remove role `{key}`")
                };
                let mut reason = Reason::new(code, message);
                reason.role = Some(key);
                reason
            }
            Decision::PeerProtected { role } => {
                let key = role_key(role);
                let mut reason = Reason::new(
                    code,
                    format!("a holder of `{key}` cannot change the access of another holder; only the superadmin can"),
                );
                reason.role = Some(key);
                reason
            }
            Decision::SelfModification => {
                Reason::new(code, "nobody changes their own roles or access, except the superadmin".into())
            }
            Decision::OutOfScope => Reason::new(code, "the record is outside the user's data scope".into()),
            Decision::InactiveUser => Reason::new(code, "the user is not active".into()),
            Decision::PresetImmutable { role } => {
                let key = role_key(role);
                let mut reason = Reason::new(code, format!("preset role `{key}` is immutable; copy it to customise"));
                reason.role = Some(key);
                reason
            }
            Decision::SuperadminProtected => Reason::new(
                code,
                "the account's superadmin cannot be removed, disabled or changed by anyone else".into(),
            ),
            Decision::SingleRoleMode => {
                Reason::new(code, "this account's roles are not combinable: a user holds at most one role".into())
            }
            Decision::SuperadminOnly => Reason::new(code, "only the account's superadmin may do this".into()),
            Decision::GuardsBySuperadminOnly => Reason::new(
                code,
                "only the account's superadmin may set or change `assignable_by` and `peer_protected`: from anyone \
                 else those guards could lock out people who out-rank the role's author"
                    .into(),
            ),
            Decision::OutOfReach { user, part } => {
                let mut reason = Reason::new(code, String::new());
                reason.user = Some(user);
                let what = match part {
                    ReachPart::Everything => {
                        reason.scope = Some(ScopeKind::All);
                        "sees every communication of the account".to_owned()
                    }
                    ReachPart::Recents => "sees all recents".to_owned(),
                    ReachPart::Workgroup(w) => {
                        reason.workgroup = Some(w);
                        format!("reaches workgroup {w}")
                    }
                    ReachPart::Number(n) => {
                        reason.number = Some(n);
                        format!("reaches business number {n}")
                    }
                    ReachPart::Ivr(i) => {
                        reason.ivr = Some(i);
                        format!("reaches IVR {i}")
                    }
                };
                reason.message = format!("user {user} {what}, outside the actor's own reach");
                reason
            }
            Decision::ReferencedRole { role, by } => {
                let key = role_key(role);
                let mut reason = Reason::new(
                    code,
                    format!("role `{key}` is named in the guards of role `{}`; change those first", role_key(by)),
                );
                reason.role = Some(key);
                reason
            }
            Decision::DefaultRoleRequired { role } => {
                let key = role_key(role);
                let mut reason = Reason::new(code, format!("every user keeps at least the `{key}` role"));
                reason.role = Some(key);
                reason
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ReasonCode;

    #[test]
    fn every_reason_code_is_listed_at_its_own_index() {
        for (i, code) in ReasonCode::ALL.iter().enumerate() {
            assert_eq!(*code as usize, i, "{code:?}");
        }
        let mut names: Vec<&str> = ReasonCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ReasonCode::ALL.len(), "codes have distinct names");
    }
}
