//! Workgroups and their members (`/v1/workgroups`).

use crate::common::{
    Actor, Page, PageRequest, RecordChange, audit_event, bump_access_version, change_record, check_name, from_db_time,
    ids, now, parse_ids, to_db_time,
};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{workgroup_members, workgroups};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use switchboard_core::{AccountId, UserId, WorkgroupId};

/// The first of `wanted` that is not a workgroup of the account.
pub fn first_unknown_workgroup(
    conn: &mut DbConn,
    account: AccountId,
    wanted: &[WorkgroupId],
) -> StoreResult<Option<WorkgroupId>> {
    let a = account.to_string();
    crate::common::first_unknown(wanted, |chunk| {
        Ok(workgroups::table
            .filter(workgroups::account_id.eq(&a).and(workgroups::id.eq_any(chunk)))
            .select(workgroups::id)
            .load::<String>(conn)?)
    })
}

/// A workgroup with its members (sorted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Workgroup {
    pub id: WorkgroupId,
    pub name: String,
    pub members: Vec<UserId>,
    pub created_at: DateTime<Utc>,
}

/// A row of `workgroups`, as read.
#[derive(Queryable, Selectable)]
#[diesel(table_name = workgroups, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct WorkgroupRow {
    #[diesel(deserialize_as = String)]
    id: WorkgroupId,
    name: String,
    created_at: NaiveDateTime,
}

/// Workgroups with their members, the members of all of them read in one query.
fn workgroups_of(conn: &mut DbConn, account: AccountId, rows: Vec<WorkgroupRow>) -> StoreResult<Vec<Workgroup>> {
    let owners: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
    let mut members = crate::common::members_by_owner!(conn, workgroup_members, account, workgroup_id, user_id, owners);
    rows.into_iter()
        .map(|r| {
            Ok(Workgroup {
                members: parse_ids(members.remove(&r.id.to_string()))?,
                id: r.id,
                name: r.name,
                created_at: from_db_time(r.created_at),
            })
        })
        .collect()
}

fn workgroup_of(conn: &mut DbConn, account: AccountId, row: WorkgroupRow) -> StoreResult<Workgroup> {
    workgroups_of(conn, account, vec![row])?.pop().ok_or(StoreError::not_found("workgroup"))
}

pub fn create_workgroup(
    conn: &mut DbConn,
    account: AccountId,
    name: &str,
    members: &[UserId],
    actor: &Actor,
) -> StoreResult<Workgroup> {
    check_name(name)?;
    crate::common::write_tx(conn, |conn| {
        let id = WorkgroupId::new_random();
        diesel::insert_into(workgroups::table)
            .values((
                workgroups::account_id.eq(account.to_string()),
                workgroups::id.eq(id.to_string()),
                workgroups::name.eq(name.trim()),
                workgroups::created_at.eq(to_db_time(now())),
            ))
            .execute(conn)?;
        write_members(conn, account, id, members)?;
        let w = get_workgroup(conn, account, id)?;
        bump_access_version(conn, account)?;
        audit_event(conn, account, actor, "workgroup.create", "workgroup", id.to_string(), None, Some(json!(w)))?;
        Ok(w)
    })
}

pub fn get_workgroup(conn: &mut DbConn, account: AccountId, id: WorkgroupId) -> StoreResult<Workgroup> {
    let row = crate::common::find_row!(conn, workgroups, account, id, WorkgroupRow, "workgroup");
    workgroup_of(conn, account, row)
}

/// Workgroups ordered by name.
pub fn list_workgroups(conn: &mut DbConn, account: AccountId, page: &PageRequest) -> StoreResult<Page<Workgroup>> {
    let (rows, limit) = crate::common::page_by_text!(conn, workgroups of account, by name, WorkgroupRow, page);
    let items = workgroups_of(conn, account, rows)?;
    Ok(Page::from_rows(items, limit, |w| vec![w.name.clone()]))
}

/// How many workgroups the account has, and those at `offset..offset + limit` in order of creation
/// (SCIM's index paging). `limit: None` reads to the end.
pub fn workgroups_by_creation(
    conn: &mut DbConn,
    account: AccountId,
    offset: i64,
    limit: Option<i64>,
) -> StoreResult<(i64, Vec<Workgroup>)> {
    let of_account = || workgroups::table.filter(workgroups::account_id.eq(account.to_string()));
    let total: i64 = of_account().count().get_result(conn)?;
    let query =
        of_account().order((workgroups::created_at, workgroups::id)).select(WorkgroupRow::as_select()).offset(offset);
    let rows = match limit {
        Some(limit) => query.limit(limit).load(conn)?,
        None => query.load(conn)?,
    };
    Ok((total, workgroups_of(conn, account, rows)?))
}

/// The account's workgroups among `ids`, in order of creation.
pub fn workgroups_among(conn: &mut DbConn, account: AccountId, ids: &[WorkgroupId]) -> StoreResult<Vec<Workgroup>> {
    let wanted = crate::common::ids(ids);
    let rows: Vec<WorkgroupRow> = workgroups::table
        .filter(workgroups::account_id.eq(account.to_string()).and(workgroups::id.eq_any(wanted)))
        .order((workgroups::created_at, workgroups::id))
        .select(WorkgroupRow::as_select())
        .load(conn)?;
    workgroups_of(conn, account, rows)
}

pub fn rename_workgroup(
    conn: &mut DbConn,
    account: AccountId,
    id: WorkgroupId,
    name: &str,
    actor: &Actor,
) -> StoreResult<Workgroup> {
    check_name(name)?;
    let change = RecordChange {
        account,
        actor,
        action: "workgroup.update",
        target_type: "workgroup",
        id: id.to_string(),
        changes_access: false,
    };
    change_record(
        conn,
        change,
        |conn| get_workgroup(conn, account, id),
        |conn| {
            diesel::update(
                workgroups::table
                    .filter(workgroups::account_id.eq(account.to_string()).and(workgroups::id.eq(id.to_string()))),
            )
            .set(workgroups::name.eq(name.trim()))
            .execute(conn)?;
            Ok(())
        },
    )
}

fn write_members(conn: &mut DbConn, account: AccountId, id: WorkgroupId, members: &[UserId]) -> StoreResult<()> {
    crate::common::replace_rows!(conn, workgroup_members, account, workgroup_id = id, user_id, ids(members));
    Ok(())
}

/// Replaces a workgroup's members.
pub fn set_workgroup_members(
    conn: &mut DbConn,
    account: AccountId,
    id: WorkgroupId,
    members: &[UserId],
    actor: &Actor,
) -> StoreResult<Workgroup> {
    let change = RecordChange {
        account,
        actor,
        action: "workgroup.set_members",
        target_type: "workgroup",
        id: id.to_string(),
        changes_access: true,
    };
    change_record(
        conn,
        change,
        |conn| get_workgroup(conn, account, id),
        |conn| write_members(conn, account, id, members),
    )
}

/// Deletes a workgroup; refused ([`StoreError::InUse`]) when the history refers to it.
pub fn delete_workgroup(conn: &mut DbConn, account: AccountId, id: WorkgroupId, actor: &Actor) -> StoreResult<()> {
    crate::common::write_tx(conn, |conn| {
        let before = get_workgroup(conn, account, id)?;
        diesel::delete(
            workgroups::table
                .filter(workgroups::account_id.eq(account.to_string()).and(workgroups::id.eq(id.to_string()))),
        )
        .execute(conn)?;
        bump_access_version(conn, account)?;
        audit_event(conn, account, actor, "workgroup.delete", "workgroup", id.to_string(), Some(json!(before)), None)
    })
    .map_err(StoreError::on_delete("workgroup"))
}
