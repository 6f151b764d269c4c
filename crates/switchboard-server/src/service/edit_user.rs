//! Editing a person (name, email, status, password) and deleting them. Setting someone's password is
//! signing in as them: it is judged like every other change to that person, on who they are
//! (whatever their status) and what they reach.

use super::{Change, PersonView};
use crate::problem::ApiError;
use switchboard_core::{UserAction, UserId, UserStatus};
use switchboard_store::repo::users::{self, UserPatch};

/// A change to a user; `None` leaves a field as it is. The password arrives hashed.
#[derive(Debug, Default)]
pub struct UserEdit {
    pub email: Option<String>,
    pub name: Option<String>,
    pub status: Option<UserStatus>,
    pub password_hash: Option<String>,
}

pub fn edit(cx: &mut Change<'_>, id: UserId, expected: Option<i64>, edit: UserEdit) -> Result<PersonView, ApiError> {
    let person = cx.person(id)?;
    let action = if edit.status.is_some() {
        UserAction::Disable
    } else if edit.email.is_some() {
        UserAction::Edit
    } else {
        UserAction::EditProfile
    };
    cx.allow_result(cx.policy().can_manage_person(&cx.actor, &person, action))?;
    let mut status = edit.status;
    // Setting a password for an invited user activates them.
    if edit.password_hash.is_some() && status.is_none() && person.status == UserStatus::Invited {
        status = Some(UserStatus::Active);
    }
    let patch = UserPatch { email: edit.email, name: edit.name, status, password_hash: edit.password_hash.map(Some) };
    users::update(cx.conn, cx.account(), id, expected, &patch, &cx.who)?;
    cx.person_view(id)
}

pub fn delete(cx: &mut Change<'_>, id: UserId, expected: Option<i64>) -> Result<(), ApiError> {
    let person = cx.person(id)?;
    cx.allow_result(cx.policy().can_manage_person(&cx.actor, &person, UserAction::Delete))?;
    Ok(users::delete(cx.conn, cx.account(), id, expected, &cx.who)?)
}
