//! Editing a person (name, email, status, password) and deleting them. Setting someone's password is
//! signing in as them: it is judged like every other change to that person, on who they are
//! (whatever their status) and what they reach.

use super::{Change, PersonView, sessions};
use crate::auth::password;
use crate::problem::ApiError;
use switchboard_core::{Credential, CredentialChange, Decision, UserAction, UserId, UserStatus};
use switchboard_store::repo::sessions::EndedWhy;
use switchboard_store::repo::users::{self, UserPatch};

/// A change to a user; `None` leaves a field as it is. The new password arrives hashed; changing
/// one's own needs the current one.
#[derive(Debug, Default)]
pub struct UserEdit {
    pub email: Option<String>,
    pub name: Option<String>,
    pub status: Option<UserStatus>,
    pub password_hash: Option<String>,
    pub current_password: Option<String>,
}

pub fn edit(cx: &mut Change<'_>, id: UserId, expected: Option<i64>, edit: UserEdit) -> Result<PersonView, ApiError> {
    if edit.password_hash.is_some() {
        cx.require_session(CredentialChange::Password)?;
    }
    if edit.email.is_some() {
        cx.require_session(CredentialChange::Email)?;
    }
    if edit.status.is_some() {
        cx.require_session_for_own(id, CredentialChange::OwnStatus)?;
    }
    let person = cx.person(id)?;
    // A provider changes the emails of the people it provisions: not its token's creator's, nor the
    // superadmin's (their sign-in), which only a signed-in session changes.
    if edit.email.is_some()
        && cx.credential() == Credential::IdentityProvider
        && (id == cx.actor.user_id || person.superadmin)
    {
        cx.allow(Decision::InteractiveOnly)?;
    }
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
    if edit.password_hash.is_some() && id == cx.actor.user_id {
        check_current_password(cx, id, edit.current_password.as_ref())?;
    }
    let changes_password = edit.password_hash.is_some();
    let patch = UserPatch { email: edit.email, name: edit.name, status, password_hash: edit.password_hash.map(Some) };
    users::update(cx.conn, cx.account(), id, expected, &patch, &cx.who)?;
    // A new password, or a disable, ends the person's other sessions (a stolen token dies with it).
    if changes_password {
        sessions::end_all_of(cx, id, EndedWhy::PasswordChanged)?;
    }
    if status == Some(UserStatus::Disabled) {
        sessions::end_all_of(cx, id, EndedWhy::Disabled)?;
    }
    cx.person_view(id)
}

/// Changing one's own password takes the current one: a stolen session must not become a lasting
/// takeover.
pub(super) fn check_current_password(
    cx: &mut Change<'_>,
    id: UserId,
    current: Option<&String>,
) -> Result<(), ApiError> {
    let Some(current) = current else {
        return Err(ApiError::invalid("current_password", "changing your own password needs your current password"));
    };
    let stored = users::get(cx.conn, cx.account(), id)?.password_hash;
    let matches = match stored.as_deref() {
        Some(hash) => password::verify(current, hash)?,
        None => false,
    };
    if matches { Ok(()) } else { Err(ApiError::invalid("current_password", "that is not your current password")) }
}

pub fn delete(cx: &mut Change<'_>, id: UserId, expected: Option<i64>) -> Result<(), ApiError> {
    cx.require_session_for_own(id, CredentialChange::OwnStatus)?;
    let person = cx.person(id)?;
    cx.allow_result(cx.policy().can_manage_person(&cx.actor, &person, UserAction::Delete))?;
    Ok(users::delete(cx.conn, cx.account(), id, expected, &cx.who)?)
}
