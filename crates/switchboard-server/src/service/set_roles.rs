//! Replacing one person's roles, from their profile (rule MC-22), judged on that person (rule 8).

use super::invite::role_ids;
use super::{Change, PersonView};
use crate::problem::ApiError;
use switchboard_core::{CredentialChange, RoleMode, Subject, UserId};
use switchboard_store::Bounds;
use switchboard_store::repo::roles::{self, Grant};

pub fn set_roles(
    cx: &mut Change<'_>,
    id: UserId,
    keys: Vec<String>,
    expected: Option<i64>,
) -> Result<PersonView, ApiError> {
    cx.require_session_for_own(id, CredentialChange::OwnRoles)?;
    let person = cx.person(id)?;
    cx.allow_result(cx.policy().can_set_person_roles(&cx.actor, &person, &keys))?;
    let ids = role_ids(cx, &keys, "roles")?;
    let mode = cx.policy().settings().role_mode;
    roles::set_user_roles(cx.conn, cx.account(), id, &ids, mode, expected, &cx.who)?;
    super::sessions::after_role_change(cx, &person)?;
    cx.person_view(id)
}

/// What a change does with one role: in a bulk change, or giving it to someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleChange {
    Replace,
    Add,
    Remove,
}

impl RoleChange {
    /// Giving someone a role: beside theirs where roles combine, instead of theirs where they hold one.
    pub fn give(mode: RoleMode) -> RoleChange {
        match mode {
            RoleMode::Single => RoleChange::Replace,
            RoleMode::Combinable => RoleChange::Add,
        }
    }

    /// A person's roles after the change.
    pub fn apply(self, current: &[String], key: &str) -> Vec<String> {
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

/// Judges, for every user, the change of their roles to `next(current)`; the first denial is the
/// answer, and nothing is written until all are allowed. Unknown users are a 422 naming `field`.
pub fn judge_many(
    cx: &mut Change<'_>,
    users: &[UserId],
    field: &str,
    next: impl Fn(&[String]) -> Vec<String>,
) -> Result<Vec<Subject>, ApiError> {
    let mut judged = Vec::with_capacity(users.len());
    for user in users {
        cx.require_session_for_own(*user, CredentialChange::OwnRoles)?;
        let person = cx.named_person(*user, field)?;
        let roles = next(&person.roles);
        cx.allow_result(cx.policy().can_set_person_roles(&cx.actor, &person, &roles))?;
        judged.push(person);
    }
    Ok(judged)
}

/// A role key the core did not know, named as `field` (a request that gives one role calls it `role`).
pub fn unknown_role_as(field: &'static str) -> impl Fn(ApiError) -> ApiError {
    move |e| match e {
        ApiError::Invalid { field: Some(f), detail } if f == "roles" => {
            ApiError::Invalid { field: Some(field.into()), detail }
        }
        other => other,
    }
}

/// Refuses bounds that cannot hold: an end not in the future, or not after the start.
pub fn check_bounds(bounds: &Bounds) -> Result<(), ApiError> {
    if let Some(end) = bounds.expires_at {
        if end <= switchboard_store::now() {
            return Err(ApiError::invalid("expires_at", "the end of a grant must be in the future"));
        }
        if bounds.starts_at.is_some_and(|start| start >= end) {
            return Err(ApiError::invalid("starts_at", "a grant must start before it expires"));
        }
    }
    Ok(())
}

/// Gives one person one role, for a time (`bounds`) or for good, judged as adding it to their roles
/// now (in single-role accounts, as replacing theirs). A role they hold already takes these bounds.
pub fn grant_role(cx: &mut Change<'_>, id: UserId, key: String, bounds: Bounds) -> Result<PersonView, ApiError> {
    check_bounds(&bounds)?;
    cx.require_session_for_own(id, CredentialChange::OwnRoles)?;
    let person = cx.person(id)?;
    let mode = cx.policy().settings().role_mode;
    let next = RoleChange::give(mode).apply(&person.roles, &key);
    cx.allow_result(cx.policy().can_set_person_roles(&cx.actor, &person, &next)).map_err(unknown_role_as("role"))?;
    let role = role_ids(cx, std::slice::from_ref(&key), "role")?[0];
    let grant = Grant { bounds, ..Grant::by(&cx.who) };
    roles::assign_granted(cx.conn, cx.account(), id, role, mode, &grant, &cx.who)?;
    super::sessions::after_role_change(cx, &person)?;
    cx.person_view(id)
}
