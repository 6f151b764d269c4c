//! Business numbers and the users they are assigned to (`/v1/numbers`).

use crate::common::{
    Actor, Page, PageRequest, RecordChange, audit, bump_access_version, change_record, from_db_time, ids, now,
    to_db_time,
};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{ivr_numbers, number_users, numbers};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use switchboard_core::{AccountId, IvrId, NumberId, UserId};

/// The first of `wanted` that is not a business number of the account.
pub fn first_unknown(conn: &mut DbConn, account: AccountId, wanted: &[NumberId]) -> StoreResult<Option<NumberId>> {
    crate::common::first_unknown(wanted, |chunk| {
        Ok(numbers::table
            .filter(numbers::account_id.eq(account).and(numbers::id.eq_any(chunk)))
            .select(numbers::id)
            .load(conn)?)
    })
}

/// The kind of a business number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = NumberKindView))]
#[serde(rename_all = "snake_case")]
pub enum NumberKind {
    Local,
    TollFree,
    International,
}

impl NumberKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NumberKind::Local => "local",
            NumberKind::TollFree => "toll_free",
            NumberKind::International => "international",
        }
    }

    fn parse(s: &str) -> StoreResult<NumberKind> {
        match s {
            "local" => Ok(NumberKind::Local),
            "toll_free" => Ok(NumberKind::TollFree),
            "international" => Ok(NumberKind::International),
            other => Err(StoreError::InvalidInput(format!("stored number kind `{other}` is not known"))),
        }
    }
}

/// A business number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = NumberView))]
pub struct BusinessNumber {
    pub id: NumberId,
    #[cfg_attr(feature = "openapi", schema(example = "+14155550100"))]
    pub e164: String,
    #[cfg_attr(feature = "openapi", schema(example = "San Francisco office"))]
    pub label: String,
    pub kind: NumberKind,
    /// Users the number is assigned to (sorted).
    pub users: Vec<UserId>,
    /// The IVR the number's calls go through, if any.
    pub ivr: Option<IvrId>,
    pub created_at: DateTime<Utc>,
}

/// A number to create or the new settings of one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberInput {
    pub e164: String,
    pub label: String,
    pub kind: NumberKind,
}

fn check_number(n: &NumberInput) -> StoreResult<()> {
    switchboard_core::E164::parse(&n.e164)?;
    if n.label.chars().count() > 200 {
        return Err(StoreError::invalid_field("label", "a label has at most 200 characters"));
    }
    Ok(())
}

/// A row of `numbers`, as read.
#[derive(Queryable, Selectable)]
#[diesel(table_name = numbers, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct NumberRow {
    id: NumberId,
    e164: String,
    label: String,
    kind: String,
    created_at: NaiveDateTime,
}

/// Numbers with their users and IVR, read for all of them in one query each.
fn numbers_of(conn: &mut DbConn, account: AccountId, rows: Vec<NumberRow>) -> StoreResult<Vec<BusinessNumber>> {
    let owners: Vec<NumberId> = rows.iter().map(|r| r.id).collect();
    let mut users =
        crate::common::members_by_owner!(conn, number_users, account, number_id: NumberId, user_id: UserId, owners);
    let mut ivrs =
        crate::common::members_by_owner!(conn, ivr_numbers, account, number_id: NumberId, ivr_id: IvrId, owners);
    rows.into_iter()
        .map(|r| {
            Ok(BusinessNumber {
                users: users.remove(&r.id).unwrap_or_default(),
                ivr: ivrs.remove(&r.id).unwrap_or_default().into_iter().next(),
                id: r.id,
                e164: r.e164,
                label: r.label,
                kind: NumberKind::parse(&r.kind)?,
                created_at: from_db_time(r.created_at),
            })
        })
        .collect()
}

fn number_of(conn: &mut DbConn, account: AccountId, row: NumberRow) -> StoreResult<BusinessNumber> {
    numbers_of(conn, account, vec![row])?.pop().ok_or(StoreError::not_found("number"))
}

pub fn create_number(
    conn: &mut DbConn,
    account: AccountId,
    n: &NumberInput,
    actor: &Actor,
) -> StoreResult<BusinessNumber> {
    check_number(n)?;
    crate::common::write_tx(conn, |conn| {
        let id = NumberId::new_random();
        diesel::insert_into(numbers::table)
            .values((
                numbers::account_id.eq(account),
                numbers::id.eq(id),
                numbers::e164.eq(&n.e164),
                numbers::label.eq(&n.label),
                numbers::kind.eq(n.kind.as_str()),
                numbers::created_at.eq(to_db_time(now())),
            ))
            .execute(conn)?;
        let created = get(conn, account, id)?;
        audit(conn, account, actor, "number.create", "number", id, None, Some(json!(created)))?;
        Ok(created)
    })
}

pub fn get(conn: &mut DbConn, account: AccountId, id: NumberId) -> StoreResult<BusinessNumber> {
    let row = crate::common::find_row!(conn, numbers, account, id, NumberRow, "number");
    number_of(conn, account, row)
}

/// Numbers ordered by E.164.
pub fn list(conn: &mut DbConn, account: AccountId, page: &PageRequest) -> StoreResult<Page<BusinessNumber>> {
    let (rows, limit) = crate::common::page_by_text!(conn, numbers of account, by e164, NumberRow, page);
    let items = numbers_of(conn, account, rows)?;
    Ok(Page::from_rows(items, limit, |n| vec![n.e164.clone()]))
}

pub fn update_number(
    conn: &mut DbConn,
    account: AccountId,
    id: NumberId,
    n: &NumberInput,
    actor: &Actor,
) -> StoreResult<BusinessNumber> {
    check_number(n)?;
    let change = RecordChange {
        account,
        actor,
        action: "number.update",
        target_type: "number",
        id: id.to_string(),
        changes_access: false,
    };
    change_record(
        conn,
        change,
        |conn| get(conn, account, id),
        |conn| {
            diesel::update(numbers::table.filter(numbers::account_id.eq(account).and(numbers::id.eq(id))))
                .set((numbers::e164.eq(&n.e164), numbers::label.eq(&n.label), numbers::kind.eq(n.kind.as_str())))
                .execute(conn)?;
            Ok(())
        },
    )
}

/// Replaces the users assigned to a number.
pub fn set_number_users(
    conn: &mut DbConn,
    account: AccountId,
    id: NumberId,
    users: &[UserId],
    actor: &Actor,
) -> StoreResult<BusinessNumber> {
    let change = RecordChange {
        account,
        actor,
        action: "number.set_users",
        target_type: "number",
        id: id.to_string(),
        changes_access: true,
    };
    change_record(
        conn,
        change,
        |conn| get(conn, account, id),
        |conn| {
            crate::common::replace_rows!(conn, number_users, account, number_id = id, user_id, ids(users));
            Ok(())
        },
    )
}

/// Deletes a number; refused ([`StoreError::InUse`]) when the history refers to it.
pub fn delete(conn: &mut DbConn, account: AccountId, id: NumberId, actor: &Actor) -> StoreResult<()> {
    crate::common::write_tx(conn, |conn| {
        let before = get(conn, account, id)?;
        diesel::delete(numbers::table.filter(numbers::account_id.eq(account).and(numbers::id.eq(id)))).execute(conn)?;
        bump_access_version(conn, account)?;
        audit(conn, account, actor, "number.delete", "number", id, Some(json!(before)), None)
    })
    .map_err(StoreError::on_delete("number"))
}
