//! The account itself: its superadmin hands the role to another active person (DESIGN §1: the
//! superadmin is transferable and never missing); it is renamed, or deleted with everything in it.

use super::{Change, sessions};
use crate::problem::ApiError;
use switchboard_core::{CredentialChange, Decision, DisplayName, UserId};
use switchboard_store::repo::account_deletion::{self, AccountDeletion};
use switchboard_store::repo::accounts::{self, Account};
use switchboard_store::repo::users;

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

/// Renames the account (`account:manage`); `expected_version` guards against lost updates.
pub fn rename(cx: &mut Change<'_>, name: &DisplayName, expected_version: Option<i64>) -> Result<Account, ApiError> {
    cx.require("account:manage")?;
    Ok(account_deletion::rename(cx.conn, cx.account(), name, expected_version, &cx.who)?)
}

/// Deletes the account and every record of it (rule MC-2): `account:manage`, signed in, and the
/// account's slug typed back as confirmation. All of it commits together or nothing does.
pub fn delete(cx: &mut Change<'_>, confirm_slug: &str) -> Result<AccountDeletion, ApiError> {
    cx.require("account:manage")?;
    cx.require_session(CredentialChange::DeleteAccount)?;
    let slug = accounts::get(cx.conn, cx.account())?.slug;
    if confirm_slug != slug {
        return Err(ApiError::invalid("confirm_slug", "type the account's slug to confirm deleting it"));
    }
    let email = users::get(cx.conn, cx.account(), cx.actor.user_id)?.email;
    let deletion = account_deletion::delete(cx.conn, cx.account(), &cx.who, &email)?;
    let records: i64 = deletion.records.values().sum();
    log::warn!(
        "account {} ({}) deleted by user {}: {records} records",
        deletion.slug,
        deletion.account_id,
        cx.actor.user_id
    );
    Ok(deletion)
}
