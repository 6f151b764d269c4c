//! Ending signed-in sessions: one's own (sign-out, or one from the list), and every session of a
//! person whose password changed, who was disabled, or who lost authority. Ending any moves the
//! account's access version on, so every instance refuses the ended tokens within its refresh bound.

use super::Change;
use crate::problem::ApiError;
use switchboard_core::{CredentialChange, Subject, UserId};
use switchboard_store::repo::sessions::{self, EndedWhy};
use uuid::Uuid;

/// Ends one of the actor's own sessions.
pub fn end_own(cx: &mut Change<'_>, id: Uuid, why: EndedWhy) -> Result<(), ApiError> {
    cx.require_session(CredentialChange::Sessions)?;
    let (account, user) = (cx.account(), cx.actor.user_id);
    Ok(sessions::end(cx.conn, account, user, id, why, &cx.who)?)
}

/// Ends every session of `user` but the one making the change (when it is theirs).
pub fn end_all_of(cx: &mut Change<'_>, user: UserId, why: EndedWhy) -> Result<usize, ApiError> {
    let keep = if user == cx.actor.user_id { cx.session } else { None };
    let account = cx.account();
    Ok(sessions::end_all(cx.conn, account, user, keep, why, &cx.who)?)
}

/// After a change to `before`'s roles: when the person lost authority (a manage level, a right, the
/// superadmin role), their sessions end and they sign in again with what they have now.
pub fn after_role_change(cx: &mut Change<'_>, before: &Subject) -> Result<(), ApiError> {
    let after = cx.person(before.user_id)?;
    let policy = cx.policy();
    let (was, is) = (policy.principal(before)?, policy.principal(&after)?);
    if was.loses_authority_to(&is) {
        end_all_of(cx, before.user_id, EndedWhy::AccessReduced)?;
    }
    Ok(())
}
