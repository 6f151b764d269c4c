//! A groups claim in an identity provider's token: the groups the provider says a person is in, read
//! on a token's first use. Each mapped group (one with a group mapping) the claim names by its
//! workgroup's name or by the `externalId` SCIM gave it, and the person is not in, they join; each
//! mapped group they are in that the claim does not name, they leave. Other workgroups are Switchboard's
//! own and the claim does not touch them.
//!
//! A move into or out of a group is made under that group's mapping: judged as the mapping's writer
//! would be judged making it through SCIM, audited with the provider (the mapping) as actor, and
//! followed by what the mappings now give ([`super::group_mappings::apply`]), all in one transaction.
//! A refusal changes nothing and refuses the token: a person must not keep a role a group should
//! have taken away. The superadmin, and a mapping's writer for their own mapping, are not moved.

use super::{Change, memberships};
use crate::access::gone;
use crate::problem::ApiError;
use crate::state::AppState;
use switchboard_core::{AccountId, UserId};
use switchboard_store::repo::group_mappings::{self, ClaimableGroup};
use switchboard_store::repo::{accounts, users, workgroups};
use switchboard_store::{Actor, DbConn, StoreError};

/// Whether `claimed` names `group`.
fn names(claimed: &[String], group: &ClaimableGroup) -> bool {
    claimed.iter().any(|c| *c == group.name || group.external_id.as_deref() == Some(c.as_str()))
}

/// The mapped groups `user` joins (`true`) or leaves as `claimed` says: none for the superadmin, nor
/// for a mapping's writer into or out of their own mapping's group.
fn moves(
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    claimed: &[String],
) -> Result<Vec<(ClaimableGroup, bool)>, ApiError> {
    let groups = group_mappings::claimable(conn, account)?;
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let person = users::subject(conn, account, user).map_err(|e| match e {
        StoreError::NotFound { .. } => gone(),
        other => other.into(),
    })?;
    if person.superadmin {
        return Ok(Vec::new());
    }
    Ok(groups
        .into_iter()
        .filter(|g| g.mapping.written_by != Some(user))
        .filter_map(|g| {
            let joins = names(claimed, &g);
            (joins != person.workgroups.contains(&g.mapping.workgroup_id)).then_some((g, joins))
        })
        .collect())
}

/// Moves `user` into and out of the account's mapped groups as `claimed` says (see the module's docs).
pub fn follow(
    state: &AppState,
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    claimed: &[String],
) -> Result<(), ApiError> {
    // Most first uses move nobody: find that out without the account's change lock.
    if moves(conn, account, user, claimed)?.is_empty() {
        return Ok(());
    }
    let (_, moved) = accounts::change(conn, account, |conn, current| {
        let started_at = current.access_version;
        let moves = moves(conn, account, user, claimed)?;
        if moves.is_empty() {
            return Ok::<_, ApiError>(((), false));
        }
        let access = state.policies.get(&state.packs, conn, &current)?;
        for (group, joins) in moves {
            let refused = |why: String| ApiError::GroupsClaimRefused(format!("group \"{}\": {why}", group.name));
            let writer = group
                .mapping
                .written_by
                .ok_or_else(|| refused("its mapping names no writer: write the mapping again".into()))?;
            let subject = users::subject(conn, account, writer)
                .map_err(|_| refused("the writer of its mapping is gone: write the mapping again".into()))?;
            let actor = access.policy.principal(&subject)?;
            if !actor.active {
                return Err(refused("the writer of its mapping is not active: write the mapping again".into()));
            }
            let who = Actor::IdentityProvider(group.mapping.id);
            let mut cx = Change { conn: &mut *conn, state, access: access.clone(), actor, who, session: None };
            let group_id = group.mapping.workgroup_id;
            let mut members = workgroups::get(cx.conn, account, group_id)?.members;
            if joins {
                members.push(user);
            } else {
                members.retain(|m| *m != user);
            }
            memberships::set_workgroup_members(&mut cx, group_id, &members).map_err(|e| match e {
                ApiError::Forbidden(reason) => refused(format!("its mapping's writer may not: {}", reason.message)),
                other => other,
            })?;
        }
        let ended_at = accounts::access_version(conn, account).ok();
        Ok(((), ended_at != Some(started_at)))
    })?;
    if moved {
        state.policies.invalidate(account);
    }
    Ok(())
}
