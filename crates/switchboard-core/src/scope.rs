//! Data scopes (which communications a role may see, seed 000), recents scopes, and the kinds of
//! data (calls, messages, voicemails, recordings) a role shows within them.

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

/// What a communication is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommunicationKind {
    Call,
    Message,
    Voicemail,
    /// A recording kept on its own (a recorded conversation outside a call record).
    Recording,
}

impl CommunicationKind {
    pub const ALL: [CommunicationKind; 4] = [
        CommunicationKind::Call,
        CommunicationKind::Message,
        CommunicationKind::Voicemail,
        CommunicationKind::Recording,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            CommunicationKind::Call => "call",
            CommunicationKind::Message => "message",
            CommunicationKind::Voicemail => "voicemail",
            CommunicationKind::Recording => "recording",
        }
    }

    pub fn parse(s: &str) -> Option<CommunicationKind> {
        CommunicationKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl fmt::Display for CommunicationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn yes() -> bool {
    true
}

/// The kinds of data a role shows (rule MC-7: "custom roles limit access to calls, call recordings,
/// voicemails and analytics"). They narrow the role's data scope beyond the holder's own
/// communications, which every user keeps whatever their kind (rule MC-18, AC-9).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataKinds {
    /// Calls within the data scope.
    #[serde(default = "yes")]
    pub calls: bool,
    /// Messages within the data scope.
    #[serde(default = "yes")]
    pub messages: bool,
    /// Voicemails within the data scope (a visible voicemail may be played: it is its recording).
    #[serde(default = "yes")]
    pub voicemails: bool,
    /// Playing the recordings of communications within the data scope, and seeing stand-alone
    /// recordings there.
    #[serde(default = "yes")]
    pub recordings: bool,
}

impl Default for DataKinds {
    /// Every kind: a role that says nothing of kinds limits nothing.
    fn default() -> Self {
        DataKinds { calls: true, messages: true, voicemails: true, recordings: true }
    }
}

impl DataKinds {
    /// Each field of a role's `kinds`: (key, label, description), for catalogs and role editors.
    pub const FIELDS: [(&'static str, &'static str, &'static str); 4] = [
        ("calls", "Calls", "Calls within the role's data scope and recents."),
        ("messages", "Messages", "Messages within the role's data scope and recents."),
        ("voicemails", "Voicemails", "Voicemails within the role's data scope and recents, which also plays them."),
        (
            "recordings",
            "Call recordings",
            "Playing the recordings of communications within the role's data scope, and stand-alone recordings \
             there. Everyone plays the recordings of their own communications.",
        ),
    ];

    pub const fn flags(self) -> KindFlags {
        let mut bits = 0;
        if self.calls {
            bits |= CommunicationKind::Call.bit();
        }
        if self.messages {
            bits |= CommunicationKind::Message.bit();
        }
        if self.voicemails {
            bits |= CommunicationKind::Voicemail.bit();
        }
        if self.recordings {
            bits |= CommunicationKind::Recording.bit();
        }
        KindFlags(bits)
    }

    pub const fn of(flags: KindFlags) -> DataKinds {
        DataKinds {
            calls: flags.has(CommunicationKind::Call),
            messages: flags.has(CommunicationKind::Message),
            voicemails: flags.has(CommunicationKind::Voicemail),
            recordings: flags.has(CommunicationKind::Recording),
        }
    }

    pub const fn is_all(self) -> bool {
        self.calls && self.messages && self.voicemails && self.recordings
    }
}

/// A set of communication kinds; [`CommunicationKind::Recording`] also stands for playing recordings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct KindFlags(u8);

impl KindFlags {
    pub const NONE: KindFlags = KindFlags(0);
    pub const ALL: KindFlags = KindFlags(0b1111);

    pub const fn has(self, kind: CommunicationKind) -> bool {
        self.0 & kind.bit() != 0
    }

    pub const fn union(self, other: KindFlags) -> KindFlags {
        KindFlags(self.0 | other.0)
    }

    pub const fn is_all(self) -> bool {
        self.0 == Self::ALL.0
    }

    pub const fn without(self, kind: CommunicationKind) -> KindFlags {
        KindFlags(self.0 & !kind.bit())
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The kinds held, in declaration order.
    pub fn kinds(self) -> impl Iterator<Item = CommunicationKind> {
        CommunicationKind::ALL.into_iter().filter(move |k| self.has(*k))
    }

    /// The kinds of `other` not in this set.
    pub fn missing_from(self, other: KindFlags) -> impl Iterator<Item = CommunicationKind> {
        other.kinds().filter(move |k| !self.has(*k))
    }

    /// The first kind of `other` not in this set.
    pub fn first_missing(self, other: KindFlags) -> Option<CommunicationKind> {
        other.kinds().find(|k| !self.has(*k))
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
