//! The account itself: its superadmin hands the role to another active person (DESIGN §1: the
//! superadmin is transferable and never missing).

use super::{Change, sessions};
use crate::problem::ApiError;
use switchboard_core::{CredentialChange, Decision, UserId};
use switchboard_store::repo::accounts::{self, Account};

/// Makes `to` the superadmin. Only the superadmin, signed in, may; they keep their roles, lose the
/// superadmin's authority, and their other sessions end.
pub fn transfer_superadmin(cx: &mut Change<'_>, to: UserId) -> Result<Account, ApiError> {
    if !cx.actor.superadmin {
        cx.allow(Decision::SuperadminOnly)?;
    }
    cx.require_session(CredentialChange::OwnRoles)?;
    let before = cx.person(cx.actor.user_id)?;
    let account = cx.account();
    let transferred =
        accounts::transfer_superadmin(cx.conn, account, to, &cx.who).map_err(|e| match ApiError::from(e) {
            ApiError::Invalid { detail, .. } => ApiError::invalid("user_id", detail),
            other => other,
        })?;
    sessions::after_role_change(cx, &before)?;
    Ok(transferred)
}
