//! Moving an account onto another preset pack (seed 003's migration), planned and, unless a dry run,
//! applied in the same transaction. Only the superadmin may. The plan says, per user, what access
//! they would lose; asked to keep access, it applies the pack's access-keeping mapping (AC-17).

use super::Change;
use crate::problem::ApiError;
use std::collections::BTreeMap;
use std::sync::Arc;
use switchboard_core::{
    AccessLoss, Catalog, MigrationSubject, Policy, PresetPack, Principal, RoleOrigin, Subject, UserId, UserMigration,
    plan_migration,
};
use switchboard_plugin_host::LoadedPack;
use switchboard_store::PageRequest;
use switchboard_store::repo::{accounts, roles, users};

/// What a migration does (or did).
#[derive(Debug)]
pub struct Migration {
    pub from_pack: String,
    pub to_pack: String,
    pub roles_created: Vec<String>,
    pub roles_removed: Vec<String>,
    pub users: Vec<UserMigration>,
}

/// Every user of the account with their preset and custom role keys.
pub(super) fn subjects(cx: &mut Change<'_>) -> Result<Vec<MigrationSubject>, ApiError> {
    let (account, superadmin) = (cx.account(), cx.access.account.superadmin);
    let mut subjects = Vec::new();
    let mut page = PageRequest::first(switchboard_store::MAX_PAGE);
    loop {
        let list = users::list(cx.conn, account, &page)?;
        for user in &list.items {
            let access = users::access(cx.conn, account, user.id)?;
            let mut subject = MigrationSubject {
                user_id: user.id,
                superadmin: user.id == superadmin,
                roles: vec![],
                custom_roles: vec![],
            };
            for role in access.roles.iter().filter_map(|id| cx.access.role_by_id(*id)) {
                let key = role.definition.key.clone();
                if role.origin.is_preset() { subject.roles.push(key) } else { subject.custom_roles.push(key) }
            }
            subjects.push(subject);
        }
        match list.next_cursor {
            Some(cursor) => page = PageRequest::after(switchboard_store::MAX_PAGE, cursor),
            None => return Ok(subjects),
        }
    }
}

/// Refuses (409) a move onto `catalog` — `what`, e.g. "the `aircall` catalog" — that a custom role of
/// the account does not fit: custom roles stay as they are.
pub(super) fn custom_roles_fit(cx: &Change<'_>, catalog: &Catalog, what: &str) -> Result<(), ApiError> {
    for role in cx.access.roles.iter().filter(|r| !r.origin.is_preset()) {
        role.definition.compile_access(catalog).map_err(|e| {
            ApiError::Conflict(format!("custom role `{}` does not fit {what}: {e}", role.definition.key))
        })?;
    }
    Ok(())
}

/// The account's policy were its preset roles `pack`'s: the pack's roles and the account's custom roles.
pub(super) fn policy_under(cx: &Change<'_>, pack: &PresetPack, catalog: Arc<Catalog>) -> Result<Policy, ApiError> {
    let customs = cx.access.roles.iter().filter(|r| !r.origin.is_preset()).map(|r| r.definition.clone());
    Ok(pack.policy(catalog, customs)?)
}

/// A person's principal now, and under `will` holding `roles` instead of their roles now.
pub(super) fn principals(
    cx: &mut Change<'_>,
    will: &Policy,
    user: UserId,
    roles: &[String],
) -> Result<(Principal, Principal), ApiError> {
    let subject = cx.person(user)?;
    let before = cx.policy().principal(&subject)?;
    let after = will.principal(&Subject { roles: roles.to_vec(), ..subject })?;
    Ok((before, after))
}

/// Fills in what each user would lose: their access now against their new roles under the target
/// pack's roles and the account's custom roles.
fn losses(cx: &mut Change<'_>, target: &LoadedPack, plan: &mut [UserMigration]) -> Result<(), ApiError> {
    let will = policy_under(cx, &target.pack, target.catalog.clone())?;
    for user in plan {
        let (before, after) = principals(cx, &will, user.user_id, &user.to)?;
        user.loses = AccessLoss::between(cx.policy(), &before, &will, &after);
    }
    Ok(())
}

pub fn migrate(
    cx: &mut Change<'_>,
    target: Arc<LoadedPack>,
    dry_run: bool,
    keep_access: bool,
) -> Result<Migration, ApiError> {
    cx.allow(cx.policy().can_migrate_pack(&cx.actor))?;
    let to_pack = target.pack.name.clone();
    // Both refusals below are about the account's current state, not the request: 409.
    if to_pack == cx.access.account.preset_pack {
        return Err(ApiError::Conflict(format!("the account is already on the `{to_pack}` pack")));
    }
    custom_roles_fit(cx, &target.catalog, &format!("the `{to_pack}` catalog"))?;
    let subjects = subjects(cx)?;
    let mut migrations =
        plan_migration(&target.pack, &subjects, keep_access).map_err(|e| ApiError::Conflict(e.to_string()))?;
    losses(cx, &target, &mut migrations)?;
    let old_presets: Vec<_> = cx.access.roles.iter().filter(|r| r.origin.is_preset()).cloned().collect();
    let plan = Migration {
        from_pack: cx.access.account.preset_pack.clone(),
        to_pack: to_pack.clone(),
        roles_created: target.pack.roles.iter().map(|r| r.key.clone()).collect(),
        roles_removed: old_presets.iter().map(|r| r.definition.key.clone()).collect(),
        users: migrations,
    };
    if dry_run {
        return Ok(plan);
    }
    let (account, who) = (cx.account(), cx.who.clone());
    let customs: BTreeMap<String, _> =
        cx.access.roles.iter().filter(|r| !r.origin.is_preset()).map(|r| (r.definition.key.clone(), r.id)).collect();
    let old_mode = cx.policy().settings().role_mode;
    // Users keep only their custom roles while the presets are swapped.
    for user in &plan.users {
        let kept: Vec<_> = user.from.iter().filter_map(|k| customs.get(k).copied()).collect();
        roles::set_user_roles(cx.conn, account, user.user_id, &kept, old_mode, None, &who)?;
    }
    for role in &old_presets {
        roles::delete(cx.conn, account, role.id, None, &who)?;
    }
    accounts::set_preset_pack(cx.conn, account, &to_pack, &target.pack.version, &who)?;
    let origin = RoleOrigin::Preset { pack: to_pack };
    let mut ids = customs;
    for definition in &target.pack.roles {
        ids.insert(definition.key.clone(), roles::create(cx.conn, account, &origin, definition, &who)?.id);
    }
    for user in &plan.users {
        let new: Vec<_> = user.to.iter().filter_map(|k| ids.get(k).copied()).collect();
        roles::set_user_roles(cx.conn, account, user.user_id, &new, target.pack.role_mode, None, &who)?;
    }
    Ok(plan)
}
