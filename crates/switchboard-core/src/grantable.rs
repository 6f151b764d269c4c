//! What a person may put into a custom role they create or edit (rule 4, MC-20), section by section
//! and right by right. The role editor shows the rest disabled, each with the reason the server gives
//! when a role granting it is saved: the same decision, asked before instead of after.

use crate::catalog::{Level, RightId, SectionId};
use crate::decision::{Decision, Excess, Reason, ReasonCode};
use crate::policy::{Policy, Principal};

/// One section of the catalog as the editor offers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantableSection {
    pub section: SectionId,
    /// Every level of the section, ascending; `Some` reason where the person may not grant it.
    pub levels: Vec<(Level, Option<Reason>)>,
    /// Every right of the section; `Some` reason where the person may not grant it.
    pub rights: Vec<(RightId, Option<Reason>)>,
}

impl Policy {
    /// What `actor` may grant in a custom role. The superadmin may grant everything but the pack's
    /// reserved rights; a person who may not manage roles at all may grant nothing (that reason on
    /// every level above `none` and every right).
    pub fn grantable(&self, actor: &Principal) -> Vec<GrantableSection> {
        let gate = self.role_admin_gate(actor);
        let refused = (!gate.is_allowed()).then(|| gate.explain(self));
        let catalog = self.catalog();
        catalog
            .sections()
            .iter()
            .map(|section| {
                let set = section.def.level_set;
                let held =
                    if actor.superadmin { set.top() } else { set.level_of_rank(actor.permissions.rank(section.id)) };
                let levels = set
                    .levels()
                    .iter()
                    .map(|&level| {
                        let reason = if level == Level::None {
                            None
                        } else if let Some(refused) = &refused {
                            Some(refused.clone())
                        } else if level.rank() > held.rank() {
                            let excess = Excess::Level { section: section.id, granted: level, held };
                            Some(Decision::Escalation(excess).explain(self))
                        } else {
                            None
                        };
                        (level, reason)
                    })
                    .collect();
                let rights = section
                    .rights
                    .iter()
                    .map(|&right| {
                        let key = &catalog.right(right).key;
                        let reason = if self.settings().reserved_rights.contains(key) {
                            let message = format!("the right `{key}` is reserved to the pack's preset roles");
                            let mut reason = Reason::new(ReasonCode::PresetImmutable, message);
                            reason.right = Some(key.clone());
                            Some(reason)
                        } else if let Some(refused) = &refused {
                            Some(refused.clone())
                        } else if !actor.superadmin && !actor.permissions.has_right(right) {
                            Some(Decision::Escalation(Excess::Right { right }).explain(self))
                        } else {
                            None
                        };
                        (right, reason)
                    })
                    .collect();
                GrantableSection { section: section.id, levels, rights }
            })
            .collect()
    }
}
