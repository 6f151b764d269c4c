//! Who is in a workgroup and who a business number is assigned to. Each person added or removed is
//! a change to that person (rules 5 to 8): not oneself, not the superadmin, not a protected peer,
//! and within reach before and after.

use super::{Change, group_mappings};
use crate::problem::ApiError;
use switchboard_core::{MembershipChange, NumberId, UserId, WorkgroupId};
use switchboard_store::repo::numbers::{self, BusinessNumber};
use switchboard_store::repo::workgroups::{self, Workgroup};

/// Most users one workgroup or number lists.
pub const MAX_MEMBERS: usize = 1000;

/// Judges every person added to or removed from a membership list; `field` names the list in the body.
fn judge(
    cx: &mut Change<'_>,
    field: &str,
    before: &[UserId],
    after: &[UserId],
    change: impl Fn(bool) -> MembershipChange,
) -> Result<(), ApiError> {
    judge_people(cx, field, before, after, change, false)
}

/// Deleting a workgroup or number takes it from everyone in it: a change to each of them, except the
/// superadmin, whose access no membership changes and who is not singled out by it.
fn judge_deletion(
    cx: &mut Change<'_>,
    before: &[UserId],
    change: impl Fn(bool) -> MembershipChange,
) -> Result<(), ApiError> {
    judge_people(cx, "users", before, &[], change, true)
}

fn judge_people(
    cx: &mut Change<'_>,
    field: &str,
    before: &[UserId],
    after: &[UserId],
    change: impl Fn(bool) -> MembershipChange,
    deletion: bool,
) -> Result<(), ApiError> {
    if after.len() > MAX_MEMBERS {
        return Err(ApiError::invalid(field, format!("at most {MAX_MEMBERS} users")));
    }
    for (user, joins) in joined_and_left(before, after) {
        let person = cx.named_person(user, field)?;
        if deletion && person.superadmin {
            continue;
        }
        cx.allow_result(cx.policy().can_set_person_membership(&cx.actor, &person, change(joins)))?;
    }
    Ok(())
}

/// Who `after` adds to `before` (true) and who it takes away (false).
fn joined_and_left(before: &[UserId], after: &[UserId]) -> Vec<(UserId, bool)> {
    let added = after.iter().filter(|u| !before.contains(u)).map(|u| (*u, true));
    let removed = before.iter().filter(|u| !after.contains(u)).map(|u| (*u, false));
    added.chain(removed).collect()
}

fn workgroup_change(id: WorkgroupId) -> impl Fn(bool) -> MembershipChange {
    move |joins| if joins { MembershipChange::JoinWorkgroup(id) } else { MembershipChange::LeaveWorkgroup(id) }
}

fn number_change(id: NumberId) -> impl Fn(bool) -> MembershipChange {
    move |joins| if joins { MembershipChange::AssignNumber(id) } else { MembershipChange::UnassignNumber(id) }
}

/// Creates a workgroup with its first members, judged with the new workgroup's id before commit.
pub fn create_workgroup(cx: &mut Change<'_>, name: &str, members: &[UserId]) -> Result<Workgroup, ApiError> {
    cx.require("team.workgroups:manage")?;
    if members.len() > MAX_MEMBERS {
        return Err(ApiError::invalid("members", format!("at most {MAX_MEMBERS} users")));
    }
    if let Some(user) = switchboard_store::repo::users::first_unknown(cx.conn, cx.account(), members)? {
        return Err(ApiError::invalid("members", format!("user {user} is not in this account")));
    }
    let created = workgroups::create_workgroup(cx.conn, cx.account(), name, members, &cx.who)?;
    judge(cx, "members", &[], members, workgroup_change(created.id))?;
    Ok(created)
}

/// Sets a workgroup's members. Who joins or leaves a mapped group (an identity provider's) gets what
/// the mappings now give them, in the same transaction.
pub fn set_workgroup_members(cx: &mut Change<'_>, id: WorkgroupId, users: &[UserId]) -> Result<Workgroup, ApiError> {
    cx.require("team.workgroups:manage")?;
    let current = workgroups::get(cx.conn, cx.account(), id)?;
    judge(cx, "users", &current.members, users, workgroup_change(id))?;
    let updated = workgroups::set_workgroup_members(cx.conn, cx.account(), id, users, &cx.who)?;
    let mappings = group_mappings::mappings(cx)?;
    if mappings.iter().any(|m| m.workgroup_id == id) {
        let moved: Vec<UserId> = joined_and_left(&current.members, users).into_iter().map(|(user, _)| user).collect();
        group_mappings::apply(cx, &mappings, &moved)?;
    }
    Ok(updated)
}

/// Deleting a workgroup takes it from each of its members, and what its mapping gave them.
pub fn delete_workgroup(cx: &mut Change<'_>, id: WorkgroupId) -> Result<(), ApiError> {
    cx.require("team.workgroups:manage")?;
    let current = workgroups::get(cx.conn, cx.account(), id)?;
    judge_deletion(cx, &current.members, workgroup_change(id))?;
    let mut mappings = group_mappings::mappings(cx)?;
    let mapped = mappings.iter().any(|m| m.workgroup_id == id);
    workgroups::delete(cx.conn, cx.account(), id, &cx.who)?;
    if mapped {
        // its mapping went with it
        mappings.retain(|m| m.workgroup_id != id);
        group_mappings::apply(cx, &mappings, &current.members)?;
    }
    Ok(())
}

pub fn set_number_users(cx: &mut Change<'_>, id: NumberId, users: &[UserId]) -> Result<BusinessNumber, ApiError> {
    cx.require("numbers.edit")?;
    let current = numbers::get(cx.conn, cx.account(), id)?;
    judge(cx, "users", &current.users, users, number_change(id))?;
    Ok(numbers::set_number_users(cx.conn, cx.account(), id, users, &cx.who)?)
}

/// Deleting a number takes it from each user it is assigned to (rule MC-33).
pub fn delete_number(cx: &mut Change<'_>, id: NumberId) -> Result<(), ApiError> {
    cx.require("numbers.delete")?;
    let current = numbers::get(cx.conn, cx.account(), id)?;
    judge_deletion(cx, &current.users, number_change(id))?;
    Ok(numbers::delete(cx.conn, cx.account(), id, &cx.who)?)
}
