//! Workgroups and their members (`/v1/workgroups`).

use crate::common::{Actor, Page, PageRequest};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::repo::named_group::named_group;
use crate::schema::{workgroup_members, workgroups};
use diesel::prelude::*;
use switchboard_core::{AccountId, UserId, WorkgroupId};

named_group!(
    /// A workgroup: users inbound calls are routed to.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = WorkgroupView))]
    Workgroup {
        name: "Support",
        /// Its members (sorted).
        members: UserId
    },
    WorkgroupId,
    workgroups,
    workgroup_members(workgroup_id, user_id),
    "workgroup"
);

/// Creates a workgroup of `members` (their access may depend on it).
pub fn create_workgroup(
    conn: &mut DbConn,
    account: AccountId,
    name: &str,
    members: &[UserId],
    actor: &Actor,
) -> StoreResult<Workgroup> {
    create_group(conn, (account, actor), name, members, true)
}

/// How many workgroups the account has, and those at `offset..offset + limit` in order of creation
/// (SCIM's index paging). `limit: None` reads to the end.
pub fn workgroups_by_creation(
    conn: &mut DbConn,
    account: AccountId,
    offset: i64,
    limit: Option<i64>,
) -> StoreResult<(i64, Vec<Workgroup>)> {
    let (total, rows) = crate::common::by_creation!(conn, workgroups of account, Row, offset, limit);
    Ok((total, records(conn, account, rows)?))
}

/// The account's workgroups among `ids`, in order of creation.
pub fn workgroups_among(conn: &mut DbConn, account: AccountId, ids: &[WorkgroupId]) -> StoreResult<Vec<Workgroup>> {
    let wanted = crate::common::ids(ids);
    let rows: Vec<Row> = workgroups::table
        .filter(workgroups::account_id.eq(account).and(workgroups::id.eq_any(wanted)))
        .order((workgroups::created_at, workgroups::id))
        .select(Row::as_select())
        .load(conn)?;
    records(conn, account, rows)
}

pub fn rename_workgroup(
    conn: &mut DbConn,
    account: AccountId,
    id: WorkgroupId,
    name: &str,
    actor: &Actor,
) -> StoreResult<Workgroup> {
    change_group(conn, (account, actor, "workgroup.update"), id, Some(name), None, false)
}

/// Replaces a workgroup's members.
pub fn set_workgroup_members(
    conn: &mut DbConn,
    account: AccountId,
    id: WorkgroupId,
    members: &[UserId],
    actor: &Actor,
) -> StoreResult<Workgroup> {
    change_group(conn, (account, actor, "workgroup.set_members"), id, None, Some(members), true)
}
