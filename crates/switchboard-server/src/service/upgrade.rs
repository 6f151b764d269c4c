//! Upgrading an account's preset roles to the version of its pack that is loaded now, planned and,
//! unless a dry run, applied in the same transaction. Only the superadmin may. Changed roles are
//! replaced in place (their holders keep them), new ones created, removed ones deleted after their
//! holders moved to the successors the pack declares; custom roles copied from a changed or removed
//! preset are reported, never changed.

use super::Change;
use super::migrate::{custom_roles_fit, policy_under, principals, subjects};
use crate::problem::ApiError;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use switchboard_core::{
    AccessLoss, PresetRoleChange, PresetRoleStatus, RoleOrigin, UserId, plan_upgrade, upgraded_roles, version_order,
};
use switchboard_store::repo::{accounts, roles};

/// What an upgrade does to one user.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UserUpgrade {
    pub user_id: UserId,
    /// Their roles before and after (custom roles stay).
    pub from: Vec<String>,
    pub to: Vec<String>,
    /// Removed preset roles without a successor: they are dropped.
    pub dropped: Vec<String>,
    /// What they would hold that they do not now (sections: `from` the level now, `to` the level after).
    pub gains: AccessLoss,
    /// What they hold now that they would not.
    pub loses: AccessLoss,
}

/// A custom role copied from a preset role that the upgrade changes or removes; left as it is.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CopiedRole {
    pub role: String,
    pub copied_from: String,
    /// What happens to the preset it was copied from: `changed` or `removed`.
    pub source: PresetRoleStatus,
}

/// What an upgrade does (or did).
#[derive(Debug)]
pub struct Upgrade {
    pub pack: String,
    pub from_version: String,
    pub to_version: String,
    pub roles: Vec<PresetRoleChange>,
    pub users: Vec<UserUpgrade>,
    pub copied_roles: Vec<CopiedRole>,
}

pub fn upgrade(cx: &mut Change<'_>, dry_run: bool) -> Result<Upgrade, ApiError> {
    cx.allow(cx.policy().can_migrate_pack(&cx.actor))?;
    let account = cx.access.account.clone();
    let target = cx.state.packs.get(&account.preset_pack).cloned().ok_or_else(|| {
        ApiError::Unavailable(format!("the account's preset pack `{}` is not loaded", account.preset_pack))
    })?;
    let (pack, catalog) = (&target.pack, target.catalog.clone());
    if version_order(&account.preset_version, &pack.version) == Ordering::Greater {
        return Err(ApiError::Conflict(format!(
            "the account's preset roles come from version {} of `{}`, newer than the loaded {}",
            account.preset_version, pack.name, pack.version
        )));
    }
    custom_roles_fit(cx, &catalog, &format!("version {} of the `{}` catalog", pack.version, pack.name))?;
    for role in cx.access.roles.iter().filter(|r| !r.origin.is_preset()) {
        if pack.roles.iter().any(|p| p.key == role.definition.key) {
            return Err(ApiError::Conflict(format!(
                "custom role `{}` has the key of a preset role of version {}: rename it first",
                role.definition.key, pack.version
            )));
        }
    }
    let presets: Vec<_> = cx.access.roles.iter().filter(|r| r.origin.is_preset()).cloned().collect();
    let stored: Vec<_> = presets.iter().map(|r| r.definition.clone()).collect();
    let changes = plan_upgrade(&stored, pack);
    let status_of = |key: &str| changes.iter().find(|c| c.role == key).map(|c| c.status);
    let copied_roles = cx
        .access
        .roles
        .iter()
        .filter_map(|r| {
            let source = r.copied_from_preset.as_deref()?;
            match status_of(source)? {
                status @ (PresetRoleStatus::Changed | PresetRoleStatus::Removed) => {
                    Some(CopiedRole { role: r.definition.key.clone(), copied_from: source.to_owned(), source: status })
                }
                _ => None,
            }
        })
        .collect();
    let will = policy_under(cx, pack, catalog)?;
    let mut users = Vec::new();
    for subject in subjects(cx)? {
        let (mut to, dropped) = upgraded_roles(pack, &subject.roles);
        to.extend(subject.custom_roles.iter().cloned());
        let mut from = subject.roles.clone();
        from.extend(subject.custom_roles.iter().cloned());
        let (before, after) = principals(cx, &will, subject.user_id, &to)?;
        let loses = AccessLoss::between(cx.policy(), &before, &will, &after);
        let mut gains = AccessLoss::between(&will, &after, cx.policy(), &before);
        // A gain reads forwards: from the level held now to the one held after.
        for section in &mut gains.sections {
            std::mem::swap(&mut section.from, &mut section.to);
        }
        if from != to || !loses.is_empty() || !gains.is_empty() {
            users.push(UserUpgrade { user_id: subject.user_id, from, to, dropped, gains, loses });
        }
    }
    let plan = Upgrade {
        pack: pack.name.clone(),
        from_version: account.preset_version.clone(),
        to_version: pack.version.clone(),
        roles: changes,
        users,
        copied_roles,
    };
    if dry_run {
        return Ok(plan);
    }
    let who = cx.who.clone();
    let origin = RoleOrigin::Preset { pack: pack.name.clone() };
    let mut ids: BTreeMap<String, _> = cx.access.roles.iter().map(|r| (r.definition.key.clone(), r.id)).collect();
    for change in &plan.roles {
        let definition = pack.roles.iter().find(|r| r.key == change.role);
        let stored = presets.iter().find(|r| r.definition.key == change.role);
        match (change.status, definition, stored) {
            (PresetRoleStatus::Added, Some(definition), _) => {
                ids.insert(definition.key.clone(), roles::create(cx.conn, account.id, &origin, definition, &who)?.id);
            }
            (PresetRoleStatus::Changed, Some(definition), Some(stored)) => {
                roles::update(cx.conn, account.id, stored.id, stored.version, definition, &who)?;
            }
            _ => {}
        }
    }
    for user in plan.users.iter().filter(|u| u.from != u.to) {
        let new: Vec<_> = user.to.iter().filter_map(|k| ids.get(k).copied()).collect();
        roles::set_user_roles(cx.conn, account.id, user.user_id, &new, pack.role_mode, None, &who)?;
    }
    for change in plan.roles.iter().filter(|c| c.status == PresetRoleStatus::Removed) {
        if let Some(stored) = presets.iter().find(|r| r.definition.key == change.role) {
            roles::delete(cx.conn, account.id, stored.id, None, &who)?;
        }
    }
    accounts::set_preset_version(cx.conn, account.id, &pack.version, &who)?;
    Ok(plan)
}
