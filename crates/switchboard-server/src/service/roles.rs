//! Creating, editing, copying and deleting custom roles (rules MC-16, MC-35, DESIGN §2 rules 2 to 7),
//! judged against the account's roles as committed.

use super::Change;
use super::team::known_numbers;
use crate::problem::ApiError;
use switchboard_core::{RoleDefinition, RoleId, RoleIdx, RoleOrigin};
use switchboard_store::repo::roles::{self, StoredRole};

fn find(cx: &Change<'_>, id: RoleId) -> Result<(StoredRole, RoleIdx), ApiError> {
    let role = cx.access.role_by_id(id).ok_or(ApiError::NotFound("role"))?.clone();
    let idx = cx.policy().role_idx(&role.definition.key).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((role, idx))
}

pub fn create(cx: &mut Change<'_>, definition: &RoleDefinition) -> Result<StoredRole, ApiError> {
    cx.allow_result(cx.policy().can_edit_role(&cx.actor, None, definition))?;
    known_numbers(cx, &definition.scope_numbers, "scope_numbers")?;
    Ok(roles::create(cx.conn, cx.account(), &RoleOrigin::Custom, definition, &cx.who)?)
}

/// Edits a custom role: `patch` changes a copy of its current definition.
pub fn edit(
    cx: &mut Change<'_>,
    id: RoleId,
    expected: Option<i64>,
    patch: impl FnOnce(&mut RoleDefinition),
) -> Result<StoredRole, ApiError> {
    let (current, idx) = find(cx, id)?;
    let mut definition = current.definition.clone();
    patch(&mut definition);
    cx.allow_result(cx.policy().can_edit_role(&cx.actor, Some(idx), &definition))?;
    known_numbers(cx, &definition.scope_numbers, "scope_numbers")?;
    let version = expected.unwrap_or(current.version);
    Ok(roles::update(cx.conn, cx.account(), current.id, version, &definition, &cx.who)?)
}

/// A new custom role with another role's settings (rule MC-16), judged as creating it. A custom role
/// holds none of the pack's reserved rights (MC-34): the copy leaves them out.
pub fn copy(cx: &mut Change<'_>, source: RoleId, key: &str, name: &str) -> Result<StoredRole, ApiError> {
    let (source, _) = find(cx, source)?;
    let mut definition = cx.policy().without_reserved_rights(source.definition.clone());
    definition.key = key.to_owned();
    definition.name = name.to_owned();
    cx.allow_result(cx.policy().can_edit_role(&cx.actor, None, &definition))?;
    Ok(roles::copy(cx.conn, cx.account(), source.id, &definition, &cx.who)?)
}

pub fn delete(cx: &mut Change<'_>, id: RoleId, expected: Option<i64>) -> Result<(), ApiError> {
    let (role, idx) = find(cx, id)?;
    cx.allow(cx.policy().can_delete_role(&cx.actor, idx))?;
    Ok(roles::delete(cx.conn, cx.account(), role.id, expected, &cx.who)?)
}
