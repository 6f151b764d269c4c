//! Changing the role of many users at once, all or nothing (rule MC-21).

use super::Change;
use super::set_roles::{judge_many, unknown_role_as};
use crate::problem::ApiError;
use switchboard_core::UserId;
use switchboard_store::repo::roles::{self, BulkRoleChange};

/// What a bulk change does with the role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleChange {
    Replace,
    Add,
    Remove,
}

impl RoleChange {
    /// A person's roles after the change.
    fn apply(self, current: &[String], key: &str) -> Vec<String> {
        let mut next = current.to_vec();
        match self {
            RoleChange::Replace => next = vec![key.to_owned()],
            RoleChange::Add if !next.iter().any(|k| k == key) => next.push(key.to_owned()),
            RoleChange::Add => {}
            RoleChange::Remove => next.retain(|k| k != key),
        }
        next
    }
}

/// Gives `users` the role `key` (`change` says how), judged on each of them before the key is
/// looked up: someone who may not change their roles learns nothing of which keys exist.
pub fn bulk_role(cx: &mut Change<'_>, users: &[UserId], key: &str, change: RoleChange) -> Result<(), ApiError> {
    let judged =
        judge_many(cx, users, "user_ids", |current| change.apply(current, key)).map_err(unknown_role_as("role"))?;
    let role = cx.access.role_by_key(key).ok_or_else(|| ApiError::invalid("role", format!("unknown role `{key}`")))?;
    let stored = match change {
        RoleChange::Replace => BulkRoleChange::Replace(role.id),
        RoleChange::Add => BulkRoleChange::Add(role.id),
        RoleChange::Remove => BulkRoleChange::Remove(role.id),
    };
    let mode = cx.policy().settings().role_mode;
    roles::bulk_change(cx.conn, cx.account(), users, stored, mode, &cx.who)?;
    for person in &judged {
        super::sessions::after_role_change(cx, person)?;
    }
    Ok(())
}
