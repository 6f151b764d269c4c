//! How a role is given to a person: the assignment rows, each with its time bounds, who gave it and
//! why. Shared by role assignment (`roles`) and the creation of people (`users`).

use crate::common::{Actor, Bounds, now, to_db_time};
use crate::db::DbConn;
use crate::error::StoreResult;
use crate::schema::role_assignments;
use diesel::prelude::*;
use switchboard_core::{AccountId, RoleId, UserId};

/// How a role is given: for a time, by whom, and why (break-glass).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grant {
    pub bounds: Bounds,
    /// `kind:id` of the actor (`user:…`, `api_key:…`), for access reviews.
    pub by: Option<String>,
    pub reason: Option<String>,
}

impl Grant {
    pub fn by(actor: &Actor) -> Grant {
        Grant { by: Some(actor.label()), ..Grant::default() }
    }
}

pub(crate) fn insert_bounded(
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    roles: &[RoleId],
    grant: &Grant,
) -> StoreResult<()> {
    let t = to_db_time(now());
    let (starts, expires) = (grant.bounds.starts_at.map(to_db_time), grant.bounds.expires_at.map(to_db_time));
    let rows: Vec<_> = roles
        .iter()
        .map(|r| {
            (
                role_assignments::account_id.eq(account),
                role_assignments::user_id.eq(user),
                role_assignments::role_id.eq(*r),
                role_assignments::assigned_at.eq(t),
                role_assignments::starts_at.eq(starts),
                role_assignments::expires_at.eq(expires),
                role_assignments::assigned_by.eq(grant.by.clone()),
                role_assignments::reason.eq(grant.reason.clone()),
                // a grant that starts later is announced by the sweep when it starts
                role_assignments::start_announced.eq(starts.is_none_or(|s| s <= t)),
            )
        })
        .collect();
    if !rows.is_empty() {
        crate::per_backend!(&mut *conn, c => diesel::insert_into(role_assignments::table).values(rows).execute(c))?;
    }
    Ok(())
}
