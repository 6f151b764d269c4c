//! Changing the role of many users at once, all or nothing (rule MC-21).

use super::Change;
use super::invite::role_ids;
use super::set_roles::{RoleChange, judge_many, unknown_role_as};
use crate::problem::ApiError;
use switchboard_core::UserId;
use switchboard_store::repo::roles::{self, BulkRoleChange};

/// Gives `users` the role `key` (`change` says how), judged on each of them before the key is
/// looked up: someone who may not change their roles learns nothing of which keys exist.
pub fn bulk_role(cx: &mut Change<'_>, users: &[UserId], key: &str, change: RoleChange) -> Result<(), ApiError> {
    let judged =
        judge_many(cx, users, "user_ids", |current| change.apply(current, key)).map_err(unknown_role_as("role"))?;
    let role = role_ids(cx, &[key.to_owned()], "role")?[0];
    let stored = match change {
        RoleChange::Replace => BulkRoleChange::Replace(role),
        RoleChange::Add => BulkRoleChange::Add(role),
        RoleChange::Remove => BulkRoleChange::Remove(role),
    };
    let mode = cx.policy().settings().role_mode;
    roles::bulk_change(cx.conn, cx.account(), users, stored, mode, &cx.who)?;
    for person in &judged {
        super::sessions::after_role_change(cx, person)?;
    }
    Ok(())
}
