//! Changing the role of many users at once, all or nothing (rule MC-21).

use super::Change;
use super::set_roles::judge_many;
use crate::problem::ApiError;
use switchboard_core::UserId;
use switchboard_store::repo::roles::{self, BulkRoleChange};

pub fn bulk_role(cx: &mut Change<'_>, users: &[UserId], change: BulkRoleChange) -> Result<(), ApiError> {
    let (role, key) = match change {
        BulkRoleChange::Replace(id) | BulkRoleChange::Add(id) | BulkRoleChange::Remove(id) => {
            (id, cx.access.role_by_id(id).map(|r| r.definition.key.clone()))
        }
    };
    let key = key.ok_or_else(|| ApiError::invalid("role", format!("unknown role {role}")))?;
    let judged = judge_many(cx, users, "user_ids", |current| {
        let mut next = current.to_vec();
        match change {
            BulkRoleChange::Replace(_) => next = vec![key.clone()],
            BulkRoleChange::Add(_) if !next.contains(&key) => next.push(key.clone()),
            BulkRoleChange::Add(_) => {}
            BulkRoleChange::Remove(_) => next.retain(|k| *k != key),
        }
        next
    })?;
    let mode = cx.policy().settings().role_mode;
    roles::bulk_change(cx.conn, cx.account(), users, change, mode, &cx.who)?;
    for person in &judged {
        super::sessions::after_role_change(cx, person)?;
    }
    Ok(())
}
