//! A reviewer's decision on one role assignment (issue 17): recorded either way; a revocation takes
//! the role away as any role change does, judged on the person.

use super::Change;
use crate::problem::ApiError;
use switchboard_core::UserId;
use switchboard_store::repo::reviews::{self, ReviewDecision};

pub fn decide(
    cx: &mut Change<'_>,
    user: UserId,
    role_key: String,
    decision: ReviewDecision,
    note: &str,
) -> Result<(), ApiError> {
    // Who may review is who may read the audit log, judged on the reviewer as stored now.
    cx.allow_result(cx.policy().can_read_audit(&cx.actor))?;
    let role = cx
        .access
        .role_by_key(&role_key)
        .map(|r| r.id)
        .ok_or_else(|| ApiError::invalid("role", format!("no role `{role_key}` in this account")))?;
    cx.named_person(user, "user_id")?;
    if !reviews::is_assigned(cx.conn, cx.account(), user, role)? {
        return Err(ApiError::invalid("role", format!("user {user} does not hold role `{role_key}`")));
    }
    if decision == ReviewDecision::Revoke {
        super::role_members::remove(cx, role, user)?;
    }
    reviews::decide(cx.conn, cx.account(), user, role, decision, note, &cx.who)?;
    Ok(())
}
