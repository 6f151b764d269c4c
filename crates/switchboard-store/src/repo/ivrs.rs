//! IVRs / call flows and their linked numbers (`/v1/ivrs`).

use crate::common::{
    Actor, Page, PageRequest, RecordChange, audit_event, bump_access_version, change_record, check_name, from_db_time,
    ids, now, parse_ids, to_db_time,
};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{ivr_numbers, ivrs};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use switchboard_core::{AccountId, IvrId, NumberId};

/// The first of `wanted` that is not an IVR of the account.
pub fn first_unknown_ivr(conn: &mut DbConn, account: AccountId, wanted: &[IvrId]) -> StoreResult<Option<IvrId>> {
    let a = account.to_string();
    crate::common::first_unknown(wanted, |chunk| {
        Ok(ivrs::table
            .filter(ivrs::account_id.eq(&a).and(ivrs::id.eq_any(chunk)))
            .select(ivrs::id)
            .load::<String>(conn)?)
    })
}

/// An IVR / call flow with the numbers linked to it (sorted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ivr {
    pub id: IvrId,
    pub name: String,
    pub numbers: Vec<NumberId>,
    pub created_at: DateTime<Utc>,
}

/// A row of `ivrs`, as read.
#[derive(Queryable, Selectable)]
#[diesel(table_name = ivrs, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct IvrRow {
    #[diesel(deserialize_as = String)]
    id: IvrId,
    name: String,
    created_at: NaiveDateTime,
}

/// IVRs with their linked numbers, read for all of them in one query.
fn ivrs_of(conn: &mut DbConn, account: AccountId, rows: Vec<IvrRow>) -> StoreResult<Vec<Ivr>> {
    let owners: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
    let mut linked = crate::common::members_by_owner!(conn, ivr_numbers, account, ivr_id, number_id, owners);
    rows.into_iter()
        .map(|r| {
            Ok(Ivr {
                numbers: parse_ids(linked.remove(&r.id.to_string()))?,
                id: r.id,
                name: r.name,
                created_at: from_db_time(r.created_at),
            })
        })
        .collect()
}

fn ivr_of(conn: &mut DbConn, account: AccountId, row: IvrRow) -> StoreResult<Ivr> {
    ivrs_of(conn, account, vec![row])?.pop().ok_or(StoreError::not_found("IVR"))
}

fn write_ivr_numbers(conn: &mut DbConn, account: AccountId, id: IvrId, linked: &[NumberId]) -> StoreResult<()> {
    crate::common::replace_rows!(conn, ivr_numbers, account, ivr_id = id, number_id, ids(linked));
    Ok(())
}

/// Creates an IVR linked to `linked` numbers (a number belongs to at most one IVR).
pub fn create_ivr(
    conn: &mut DbConn,
    account: AccountId,
    name: &str,
    linked: &[NumberId],
    actor: &Actor,
) -> StoreResult<Ivr> {
    check_name(name)?;
    crate::common::write_tx(conn, |conn| {
        let id = IvrId::new_random();
        diesel::insert_into(ivrs::table)
            .values((
                ivrs::account_id.eq(account.to_string()),
                ivrs::id.eq(id.to_string()),
                ivrs::name.eq(name.trim()),
                ivrs::created_at.eq(to_db_time(now())),
            ))
            .execute(conn)?;
        write_ivr_numbers(conn, account, id, linked)?;
        let created = get_ivr(conn, account, id)?;
        audit_event(conn, account, actor, "ivr.create", "ivr", id.to_string(), None, Some(json!(created)))?;
        Ok(created)
    })
}

pub fn get_ivr(conn: &mut DbConn, account: AccountId, id: IvrId) -> StoreResult<Ivr> {
    let row = crate::common::find_row!(conn, ivrs, account, id, IvrRow, "ivr");
    ivr_of(conn, account, row)
}

/// IVRs ordered by name.
pub fn list_ivrs(conn: &mut DbConn, account: AccountId, page: &PageRequest) -> StoreResult<Page<Ivr>> {
    let (rows, limit) = crate::common::page_by_text!(conn, ivrs of account, by name, IvrRow, page);
    let items = ivrs_of(conn, account, rows)?;
    Ok(Page::from_rows(items, limit, |i| vec![i.name.clone()]))
}

/// Renames an IVR and/or replaces its linked numbers.
pub fn update_ivr(
    conn: &mut DbConn,
    account: AccountId,
    id: IvrId,
    name: Option<&str>,
    linked: Option<&[NumberId]>,
    actor: &Actor,
) -> StoreResult<Ivr> {
    if let Some(name) = name {
        check_name(name)?;
    }
    let change = RecordChange {
        account,
        actor,
        action: "ivr.update",
        target_type: "ivr",
        id: id.to_string(),
        changes_access: false,
    };
    change_record(
        conn,
        change,
        |conn| get_ivr(conn, account, id),
        |conn| {
            if let Some(name) = name {
                diesel::update(
                    ivrs::table.filter(ivrs::account_id.eq(account.to_string()).and(ivrs::id.eq(id.to_string()))),
                )
                .set(ivrs::name.eq(name.trim()))
                .execute(conn)?;
            }
            if let Some(linked) = linked {
                write_ivr_numbers(conn, account, id, linked)?;
            }
            Ok(())
        },
    )
}

/// Deletes an IVR; refused ([`StoreError::InUse`]) when the history refers to it.
pub fn delete_ivr(conn: &mut DbConn, account: AccountId, id: IvrId, actor: &Actor) -> StoreResult<()> {
    crate::common::write_tx(conn, |conn| {
        let before = get_ivr(conn, account, id)?;
        diesel::delete(ivrs::table.filter(ivrs::account_id.eq(account.to_string()).and(ivrs::id.eq(id.to_string()))))
            .execute(conn)?;
        bump_access_version(conn, account)?;
        audit_event(conn, account, actor, "ivr.delete", "ivr", id.to_string(), Some(json!(before)), None)
    })
    .map_err(StoreError::on_delete("ivr"))
}
