//! Decisions and their reasons. A decision is `Copy` and holds only indices, so the hot path never
//! allocates; [`Decision::explain`] turns it into the machine-readable reason the API returns.

use crate::catalog::{Level, RightId, SectionId};
use crate::ids::{IvrId, NumberId, UserId, WorkgroupId};
use crate::role::RoleIdx;
use crate::scope::{CommunicationKind, ScopeKind};
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
    Level {
        section: SectionId,
        granted: Level,
        held: Level,
    },
    Right {
        right: RightId,
    },
    Scope {
        scope: ScopeKind,
    },
    Number {
        number: NumberId,
    },
    Recents,
    Workgroup {
        workgroup: WorkgroupId,
    },
    Ivr {
        ivr: IvrId,
    },
    /// A kind of data (or playing recordings) the actor's scope does not show.
    Kind {
        kind: CommunicationKind,
    },
}

/// The part of a person's reach that decided an `out_of_reach` denial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReachPart {
    /// Every communication of the account (scope `all`, or the superadmin).
    Everything,
    /// All recents (rule MC-12).
    Recents,
    Workgroup(WorkgroupId),
    Number(NumberId),
    Ivr(IvrId),
    /// A kind of data (or playing recordings) beyond the person's own records.
    Kind(CommunicationKind),
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
    /// The record is within the user's data scope, but their roles do not show its kind there (or,
    /// for `recording`, do not play others' recordings).
    KindNotShown {
        kind: CommunicationKind,
    },
    /// The communication has no recording to play.
    NoRecording,
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
    /// An API key is an integration's credential: it never changes credentials (passwords, emails,
    /// keys) nor its own user's roles or status. Signing in as the user does.
    InteractiveOnly,
    /// Nobody gives an emergency role: its holders-to-be take it themselves (break-glass).
    EmergencyOnly {
        role: RoleIdx,
    },
    /// Break-glass takes only a role marked as an emergency role.
    NotEmergency {
        role: RoleIdx,
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
    InteractiveOnly,
    KindNotShown,
    NoRecording,
    EmergencyOnly,
}

impl ReasonCode {
    /// Every code, in declaration order (`code as usize` is its index).
    pub const ALL: [ReasonCode; 20] = [
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
        ReasonCode::InteractiveOnly,
        ReasonCode::KindNotShown,
        ReasonCode::NoRecording,
        ReasonCode::EmergencyOnly,
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
            ReasonCode::InteractiveOnly => "interactive_only",
            ReasonCode::KindNotShown => "kind_not_shown",
            ReasonCode::NoRecording => "no_recording",
            ReasonCode::EmergencyOnly => "emergency_only",
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
    /// The kind of data that decided it (`kind_not_shown`, `escalation`, `out_of_reach`); `recording`
    /// also stands for playing recordings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<CommunicationKind>,
}

impl Reason {
    /// Why `key` can't be taken in an emergency: the same whether it names a role that is not an
    /// emergency role or no role at all, so that asking tells nobody which role keys exist.
    pub fn not_an_emergency_role(key: &str) -> Reason {
        let mut reason = Reason::new(ReasonCode::EmergencyOnly, format!("`{key}` is not an emergency role"));
        reason.role = Some(key.to_owned());
        reason
    }

    pub(crate) fn new(code: ReasonCode, message: String) -> Reason {
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
            kind: None,
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
            Decision::InteractiveOnly => ReasonCode::InteractiveOnly,
            Decision::KindNotShown { .. } => ReasonCode::KindNotShown,
            Decision::NoRecording => ReasonCode::NoRecording,
            Decision::EmergencyOnly { .. } | Decision::NotEmergency { .. } => ReasonCode::EmergencyOnly,
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
