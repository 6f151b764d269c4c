//! Data scopes (which communications a role may see, seed 000) and recents scopes.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which communications a role may see.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    /// Everything in the account (rule MC-8).
    All,
    /// The role's selected business numbers or the user's assigned numbers, plus workgroup and personal (MC-9).
    Numbers,
    /// The user's workgroups, plus personal (MC-10).
    Workgroup,
    /// The user's dashboard-access workgroups and IVRs, plus personal (seed 002).
    Dashboard,
    /// Only communications the user took part in (MC-11).
    Personal,
}

impl ScopeKind {
    pub const ALL_KINDS: [ScopeKind; 5] =
        [ScopeKind::All, ScopeKind::Numbers, ScopeKind::Workgroup, ScopeKind::Dashboard, ScopeKind::Personal];

    pub const fn as_str(self) -> &'static str {
        match self {
            ScopeKind::All => "all",
            ScopeKind::Numbers => "numbers",
            ScopeKind::Workgroup => "workgroup",
            ScopeKind::Dashboard => "dashboard",
            ScopeKind::Personal => "personal",
        }
    }
}

impl fmt::Display for ScopeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much of the Recents list a role shows (rule MC-12).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RecentsScope {
    /// All calls of all users.
    All,
    /// Only the user's own calls.
    #[default]
    Personal,
}

/// The union of scope kinds a user holds, with each kind's implications folded in
/// (numbers includes workgroup and personal; workgroup and dashboard include personal).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ScopeFlags(u8);

impl ScopeFlags {
    pub const NONE: ScopeFlags = ScopeFlags(0);
    const ALL: u8 = 1;
    const NUMBERS: u8 = 2;
    const WORKGROUP: u8 = 4;
    const DASHBOARD: u8 = 8;
    const PERSONAL: u8 = 16;

    pub const fn of(kind: ScopeKind) -> ScopeFlags {
        ScopeFlags(match kind {
            ScopeKind::All => Self::ALL | Self::NUMBERS | Self::WORKGROUP | Self::DASHBOARD | Self::PERSONAL,
            ScopeKind::Numbers => Self::NUMBERS | Self::WORKGROUP | Self::PERSONAL,
            ScopeKind::Workgroup => Self::WORKGROUP | Self::PERSONAL,
            ScopeKind::Dashboard => Self::DASHBOARD | Self::PERSONAL,
            ScopeKind::Personal => Self::PERSONAL,
        })
    }

    pub const fn union(self, other: ScopeFlags) -> ScopeFlags {
        ScopeFlags(self.0 | other.0)
    }

    pub const fn contains(self, other: ScopeFlags) -> bool {
        self.0 & other.0 == other.0
    }

    #[inline]
    pub const fn has(self, kind: ScopeKind) -> bool {
        let bit = match kind {
            ScopeKind::All => Self::ALL,
            ScopeKind::Numbers => Self::NUMBERS,
            ScopeKind::Workgroup => Self::WORKGROUP,
            ScopeKind::Dashboard => Self::DASHBOARD,
            ScopeKind::Personal => Self::PERSONAL,
        };
        self.0 & bit != 0
    }

    /// The kinds held, broadest first (for display: `GET /v1/me`).
    pub fn kinds(self) -> impl Iterator<Item = ScopeKind> {
        ScopeKind::ALL_KINDS.into_iter().filter(move |k| self.has(*k))
    }

    /// The broadest single kind held, if the flags are the implication closure of one kind.
    pub fn widest(self) -> Option<ScopeKind> {
        self.kinds().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specific_numbers_scope_includes_workgroup_and_personal_history() {
        // rule MC-9: "includes access to the communication history within workgroups and personal interactions".
        let numbers = ScopeFlags::of(ScopeKind::Numbers);
        assert!(numbers.contains(ScopeFlags::of(ScopeKind::Workgroup)));
        assert!(numbers.contains(ScopeFlags::of(ScopeKind::Personal)));
        assert!(!numbers.contains(ScopeFlags::of(ScopeKind::Dashboard)));
    }

    #[test]
    fn workgroup_scope_includes_personal_interactions() {
        // rule MC-10: "all data within the user's workgroups, including any personal interactions".
        assert!(ScopeFlags::of(ScopeKind::Workgroup).contains(ScopeFlags::of(ScopeKind::Personal)));
    }

    #[test]
    fn scope_all_contains_every_other_scope() {
        // rule MC-8
        for kind in ScopeKind::ALL_KINDS {
            assert!(ScopeFlags::of(ScopeKind::All).contains(ScopeFlags::of(kind)));
        }
    }
}
