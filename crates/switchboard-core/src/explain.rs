//! A decision explained: [`Decision::explain`] resolves its indices against the policy that made it
//! into the machine-readable reason the API returns.

use crate::catalog::SectionId;
use crate::decision::{Decision, Excess, ReachPart, Reason, Via};
use crate::policy::Policy;
use crate::role::RoleIdx;
use crate::scope::{CommunicationKind, ScopeKind};

impl Decision {
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
                    Excess::Kind { kind } => {
                        reason.kind = Some(kind);
                        format!("would show {}, which the actor's own scope does not show", kind_words(kind))
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
            Decision::KindNotShown { kind } => {
                let mut reason = Reason::new(
                    code,
                    format!("the user's roles do not show {} beyond their own communications", kind_words(kind)),
                );
                reason.kind = Some(kind);
                reason
            }
            Decision::NoRecording => Reason::new(code, "the communication has no recording".into()),
            Decision::NotEmergency { role } => Reason::not_an_emergency_role(&role_key(role)),
            Decision::EmergencyOnly { role } => {
                let key = role_key(role);
                let message = format!(
                    "`{key}` is an emergency role: nobody gives it; it is taken in an emergency, for a time, with a reason"
                );
                let mut reason = Reason::new(code, message);
                reason.role = Some(key);
                reason
            }
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
            Decision::InteractiveOnly => Reason::new(
                code,
                "an API key cannot change passwords, emails or keys, nor its own user's roles or status, and an \
                 identity provider's token changes only the emails of the people it provisions: sign in as the user"
                    .into(),
            ),
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
                    ReachPart::Kind(kind) => {
                        reason.kind = Some(kind);
                        format!("sees {}", kind_words(kind))
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

/// A kind in words: what a role shows of it.
fn kind_words(kind: CommunicationKind) -> &'static str {
    match kind {
        CommunicationKind::Call => "calls",
        CommunicationKind::Message => "messages",
        CommunicationKind::Voicemail => "voicemails",
        CommunicationKind::Recording => "recordings (playing them)",
    }
}
