//! Replacing one person's roles, from their profile (rule MC-22), judged on that person (rule 8).

use super::invite::role_ids;
use super::{Change, PersonView};
use crate::problem::ApiError;
use switchboard_core::{CredentialChange, Subject, UserId};
use switchboard_store::repo::roles;

pub fn set_roles(
    cx: &mut Change<'_>,
    id: UserId,
    keys: Vec<String>,
    expected: Option<i64>,
) -> Result<PersonView, ApiError> {
    cx.require_session_for_own(id, CredentialChange::OwnRoles)?;
    let ids = role_ids(cx, &keys, "roles")?;
    let person = cx.person(id)?;
    cx.allow_result(cx.policy().can_set_person_roles(&cx.actor, &person, &keys))?;
    let mode = cx.policy().settings().role_mode;
    roles::set_user_roles(cx.conn, cx.account(), id, &ids, mode, expected, &cx.who)?;
    super::sessions::after_role_change(cx, &person)?;
    cx.person_view(id)
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
