//! Inviting a member (rules MC-34, AC-10, GI-10): `team.members.invite`, the pack's default role
//! unless others are chosen (choosing them is assigning them), and the new person within reach.

use super::{Change, PersonView};
use crate::problem::ApiError;
use switchboard_core::{RoleId, Subject, UserId};
use switchboard_store::repo::roles;
use switchboard_store::repo::users::{self, NewUser};

/// The account's role ids for `keys`; 422 naming `field` for an unknown key.
pub fn role_ids(cx: &Change<'_>, keys: &[String], field: &str) -> Result<Vec<RoleId>, ApiError> {
    keys.iter()
        .map(|k| {
            cx.access
                .role_by_key(k)
                .map(|r| r.id)
                .ok_or_else(|| ApiError::invalid(field, format!("unknown role `{k}`")))
        })
        .collect()
}

/// Invites `new` with `roles` (default: the pack's default role, if any).
pub fn invite(cx: &mut Change<'_>, new: NewUser, roles: Option<Vec<String>>) -> Result<PersonView, ApiError> {
    let roles = roles.unwrap_or_else(|| cx.policy().settings().default_role.iter().cloned().collect());
    let person = Subject { user_id: UserId::new_random(), status: new.status, roles, ..Subject::default() };
    cx.allow_result(cx.policy().can_invite(&cx.actor, &person))?;
    let ids = role_ids(cx, &person.roles, "roles")?;
    let (account, mode) = (cx.account(), cx.policy().settings().role_mode);
    let user = users::create(cx.conn, account, &new, &cx.who)?;
    roles::set_user_roles(cx.conn, account, user.id, &ids, mode, None, &cx.who)?;
    cx.person_view(user.id)
}
