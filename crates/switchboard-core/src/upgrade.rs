//! Upgrading an account's preset roles to the version of its pack that is loaded now: what changes
//! per preset role, and which roles each user holds afterwards, following the pack's renames and
//! splits ([`crate::RoleSuccession`]). Comparing versions is [`version_order`]'s job.

use crate::{PresetPack, RoleDefinition};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// How a preset role changes in an upgrade.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresetRoleStatus {
    /// New in this version: created.
    Added,
    /// Its definition differs: replaced in place, so its holders keep it.
    Changed,
    /// No longer in the pack: deleted, its holders moved to its successors (if any).
    Removed,
    Unchanged,
}

/// One preset role in an upgrade.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresetRoleChange {
    pub role: String,
    pub status: PresetRoleStatus,
    /// What differs, one line each: `name "Agent" → "Rep"`, `section reports: view → manage`,
    /// `right reports.download added`, `scope workgroup → all`, …
    pub changes: Vec<String>,
    /// For a removed role: the roles its holders get instead (renamed or split); empty: none.
    pub successors: Vec<String>,
}

/// What changes, role by role: the pack's roles in its order, then the stored ones it no longer has.
pub fn plan_upgrade(stored: &[RoleDefinition], pack: &PresetPack) -> Vec<PresetRoleChange> {
    let mut plan: Vec<PresetRoleChange> = pack
        .roles
        .iter()
        .map(|new| match stored.iter().find(|old| old.key == new.key) {
            None => PresetRoleChange {
                role: new.key.clone(),
                status: PresetRoleStatus::Added,
                changes: vec![],
                successors: vec![],
            },
            Some(old) => {
                let changes = differences(old, new);
                let status = if changes.is_empty() { PresetRoleStatus::Unchanged } else { PresetRoleStatus::Changed };
                PresetRoleChange { role: new.key.clone(), status, changes, successors: vec![] }
            }
        })
        .collect();
    for old in stored.iter().filter(|old| !pack.roles.iter().any(|new| new.key == old.key)) {
        let successors = pack.successions.iter().find(|s| s.from == old.key).map(|s| s.to.clone()).unwrap_or_default();
        plan.push(PresetRoleChange {
            role: old.key.clone(),
            status: PresetRoleStatus::Removed,
            changes: vec![],
            successors,
        });
    }
    plan
}

/// A user's preset roles after the upgrade, and those dropped without a successor. Roles the pack
/// keeps stay; a renamed or split role becomes its successors; the order is kept, without repeats.
pub fn upgraded_roles(pack: &PresetPack, held: &[String]) -> (Vec<String>, Vec<String>) {
    let (mut to, mut dropped) = (Vec::<String>::new(), Vec::new());
    for key in held {
        let successors: Vec<&String> = if pack.roles.iter().any(|r| &r.key == key) {
            vec![key]
        } else if let Some(succession) = pack.successions.iter().find(|s| &s.from == key) {
            succession.to.iter().collect()
        } else {
            dropped.push(key.clone());
            continue;
        };
        for successor in successors {
            if !to.contains(successor) {
                to.push(successor.clone());
            }
        }
    }
    (to, dropped)
}

/// Orders two pack versions: dotted numbers compare numerically (`0.10.0` after `0.9.1`), a
/// pre-release (`1.0.0-rc.1`) before its release; anything else compares as text.
pub fn version_order(a: &str, b: &str) -> Ordering {
    fn parts(v: &str) -> Option<(Vec<u64>, Option<&str>)> {
        let (release, pre) = match v.split_once('-') {
            Some((release, pre)) => (release, Some(pre)),
            None => (v.split('+').next().unwrap_or(v), None),
        };
        let numbers = release.split('.').map(|n| n.parse().ok()).collect::<Option<Vec<u64>>>()?;
        Some((numbers, pre))
    }
    match (parts(a), parts(b)) {
        (Some((x, xp)), Some((y, yp))) => x.cmp(&y).then(match (xp, yp) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(p), Some(q)) => p.cmp(q),
        }),
        _ => a.cmp(b),
    }
}

/// What differs between two definitions of the same role, one line each.
fn differences(old: &RoleDefinition, new: &RoleDefinition) -> Vec<String> {
    let mut lines = Vec::new();
    if old.name != new.name {
        lines.push(format!("name {:?} → {:?}", old.name, new.name));
    }
    if old.description != new.description {
        lines.push("description changed".to_owned());
    }
    let sections = old.grants.keys().chain(new.grants.keys()).collect::<std::collections::BTreeSet<_>>();
    for section in sections {
        let (before, after) = (old.grants.get(section), new.grants.get(section));
        let level = |g: Option<&crate::SectionGrant>| g.map_or(crate::Level::None, |g| g.level);
        if level(before) != level(after) {
            lines.push(format!("section {section}: {} → {}", level(before), level(after)));
        }
        let rights = |g: Option<&crate::SectionGrant>| g.map(|g| g.rights.clone()).unwrap_or_default();
        let (had, has) = (rights(before), rights(after));
        lines.extend(has.difference(&had).map(|r| format!("right {r} added")));
        lines.extend(had.difference(&has).map(|r| format!("right {r} removed")));
    }
    if old.scope != new.scope {
        lines.push(format!("scope {} → {}", old.scope, new.scope));
    }
    if old.scope_numbers != new.scope_numbers {
        lines.push("scope numbers changed".to_owned());
    }
    if old.recents != new.recents {
        lines.push(format!("recents {:?} → {:?}", old.recents, new.recents).to_lowercase());
    }
    if old.kinds != new.kinds {
        lines.push("kinds of data changed".to_owned());
    }
    if old.guards != new.guards {
        lines.push("assignment guards changed".to_owned());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_their_numbers_with_pre_releases_first() {
        assert_eq!(version_order("0.10.0", "0.9.1"), Ordering::Greater);
        assert_eq!(version_order("1.0.0", "1.0.0"), Ordering::Equal);
        assert_eq!(version_order("1.0.0-rc.1", "1.0.0"), Ordering::Less);
        assert_eq!(version_order("1.2", "1.2.0"), Ordering::Less);
        assert_eq!(version_order("", "0.1.0"), Ordering::Less, "an unrecorded version is behind");
    }
}
