//! A role's members, from the role itself (rule MC-23): adding or removing them is a role change
//! of each person.

use super::Change;
use super::set_roles::RoleChange;
use crate::problem::ApiError;
use switchboard_core::{CredentialChange, RoleId, UserId};
use switchboard_store::repo::roles;

fn key_of(cx: &Change<'_>, role: RoleId) -> Result<String, ApiError> {
    cx.access.role_by_id(role).map(|r| r.definition.key.clone()).ok_or(ApiError::NotFound("role"))
}

/// Gives the role to users (in single-role accounts it replaces theirs): a bulk role change.
pub fn add(cx: &mut Change<'_>, role: RoleId, users: &[UserId]) -> Result<(), ApiError> {
    let key = key_of(cx, role)?;
    let change = RoleChange::give(cx.policy().settings().role_mode);
    super::bulk_role::bulk_role(cx, users, &key, change)
}

/// Takes the role away from one user.
pub fn remove(cx: &mut Change<'_>, role: RoleId, user: UserId) -> Result<(), ApiError> {
    let key = key_of(cx, role)?;
    cx.require_session_for_own(user, CredentialChange::OwnRoles)?;
    let person = cx.person(user)?;
    let next: Vec<String> = person.roles.iter().filter(|k| **k != key).cloned().collect();
    cx.allow_result(cx.policy().can_set_person_roles(&cx.actor, &person, &next))?;
    roles::unassign(cx.conn, cx.account(), user, role, &cx.who)?;
    super::sessions::after_role_change(cx, &person)?;
    Ok(())
}
