//! Workgroups (+ members), business numbers (+ assigned users) and IVRs (+ linked numbers).

use crate::common::{
    Actor, AuditEntry, Page, PageRequest, audit, bump_access_version, from_db_time, ids, now, parse_id, to_db_time,
};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{ivr_numbers, ivrs, number_users, numbers, workgroup_members, workgroups};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use switchboard_core::{AccountId, IvrId, NumberId, UserId, WorkgroupId};

fn check_name(name: &str) -> StoreResult<()> {
    if name.trim().is_empty() || name.chars().count() > 200 {
        return Err(StoreError::invalid_field("name", "a name must have 1 to 200 characters, not all blank"));
    }
    Ok(())
}

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

/// The first of `wanted` that is not a business number of the account.
pub fn first_unknown_number(
    conn: &mut DbConn,
    account: AccountId,
    wanted: &[NumberId],
) -> StoreResult<Option<NumberId>> {
    let a = account.to_string();
    crate::common::first_unknown(wanted, |chunk| {
        Ok(numbers::table
            .filter(numbers::account_id.eq(&a).and(numbers::id.eq_any(chunk)))
            .select(numbers::id)
            .load::<String>(conn)?)
    })
}

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

#[allow(clippy::too_many_arguments)] // one audit entry, spelled out at each call site
fn event(
    conn: &mut DbConn,
    account: AccountId,
    actor: &Actor,
    action: &str,
    target_type: &str,
    id: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> StoreResult<()> {
    audit(conn, AuditEntry { account, actor, action, target_type, target_id: Some(id), before, after })
}

// ---------------------------------------------------------------- workgroups

/// A workgroup with its members (sorted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Workgroup {
    pub id: WorkgroupId,
    pub name: String,
    pub members: Vec<UserId>,
    pub created_at: DateTime<Utc>,
}

fn workgroup_of(conn: &mut DbConn, account: AccountId, row: (String, String, NaiveDateTime)) -> StoreResult<Workgroup> {
    let members: Vec<String> = workgroup_members::table
        .filter(workgroup_members::account_id.eq(account.to_string()))
        .filter(workgroup_members::workgroup_id.eq(&row.0))
        .select(workgroup_members::user_id)
        .order(workgroup_members::user_id)
        .load(conn)?;
    Ok(Workgroup {
        id: parse_id(&row.0)?,
        name: row.1,
        members: members.iter().map(|m| parse_id(m)).collect::<StoreResult<_>>()?,
        created_at: from_db_time(row.2),
    })
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
        event(conn, account, actor, "workgroup.create", "workgroup", id.to_string(), None, Some(json!(w)))?;
        Ok(w)
    })
}

pub fn get_workgroup(conn: &mut DbConn, account: AccountId, id: WorkgroupId) -> StoreResult<Workgroup> {
    let row = workgroups::table
        .filter(workgroups::account_id.eq(account.to_string()).and(workgroups::id.eq(id.to_string())))
        .select((workgroups::id, workgroups::name, workgroups::created_at))
        .first::<(String, String, NaiveDateTime)>(conn)
        .optional()?
        .ok_or(StoreError::not_found("workgroup"))?;
    workgroup_of(conn, account, row)
}

/// Workgroups ordered by name.
pub fn list_workgroups(conn: &mut DbConn, account: AccountId, page: &PageRequest) -> StoreResult<Page<Workgroup>> {
    let limit = page.effective_limit();
    let mut q = workgroups::table
        .filter(workgroups::account_id.eq(account.to_string()))
        .select((workgroups::id, workgroups::name, workgroups::created_at))
        .order(workgroups::name.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(c) = page.cursor_parts(1)? {
        q = q.filter(workgroups::name.gt(c[0].clone()));
    }
    let rows: Vec<(String, String, NaiveDateTime)> = q.load(conn)?;
    let items = rows.into_iter().map(|r| workgroup_of(conn, account, r)).collect::<StoreResult<Vec<_>>>()?;
    Ok(Page::from_rows(items, limit, |w| vec![w.name.clone()]))
}

pub fn rename_workgroup(
    conn: &mut DbConn,
    account: AccountId,
    id: WorkgroupId,
    name: &str,
    actor: &Actor,
) -> StoreResult<Workgroup> {
    check_name(name)?;
    crate::common::write_tx(conn, |conn| {
        let before = get_workgroup(conn, account, id)?;
        diesel::update(
            workgroups::table
                .filter(workgroups::account_id.eq(account.to_string()).and(workgroups::id.eq(id.to_string()))),
        )
        .set(workgroups::name.eq(name.trim()))
        .execute(conn)?;
        let after = get_workgroup(conn, account, id)?;
        event(
            conn,
            account,
            actor,
            "workgroup.update",
            "workgroup",
            id.to_string(),
            Some(json!(before)),
            Some(json!(after)),
        )?;
        Ok(after)
    })
}

fn write_members(conn: &mut DbConn, account: AccountId, id: WorkgroupId, members: &[UserId]) -> StoreResult<()> {
    let a = account.to_string();
    let w = id.to_string();
    diesel::delete(
        workgroup_members::table
            .filter(workgroup_members::account_id.eq(&a).and(workgroup_members::workgroup_id.eq(&w))),
    )
    .execute(conn)?;
    let rows: Vec<_> = ids(members)
        .into_iter()
        .map(|u| {
            (
                workgroup_members::account_id.eq(a.clone()),
                workgroup_members::workgroup_id.eq(w.clone()),
                workgroup_members::user_id.eq(u),
            )
        })
        .collect();
    if !rows.is_empty() {
        crate::per_backend!(&mut *conn, c => diesel::insert_into(workgroup_members::table).values(rows).execute(c))?;
    }
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
    crate::common::write_tx(conn, |conn| {
        let before = get_workgroup(conn, account, id)?;
        write_members(conn, account, id, members)?;
        let after = get_workgroup(conn, account, id)?;
        bump_access_version(conn, account)?;
        event(
            conn,
            account,
            actor,
            "workgroup.set_members",
            "workgroup",
            id.to_string(),
            Some(json!(before)),
            Some(json!(after)),
        )?;
        Ok(after)
    })
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
        event(conn, account, actor, "workgroup.delete", "workgroup", id.to_string(), Some(json!(before)), None)
    })
    .map_err(StoreError::on_delete("workgroup"))
}

// ---------------------------------------------------------------- numbers

/// What kind of business number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

/// A business number with its assigned users (sorted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BusinessNumber {
    pub id: NumberId,
    pub e164: String,
    pub label: String,
    pub kind: NumberKind,
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

/// `+` then 2 to 15 digits, the first not 0 (the OpenAPI pattern `^\+[1-9][0-9]{1,14}$`).
pub fn is_e164(s: &str) -> bool {
    let digits = s.strip_prefix('+').unwrap_or("");
    (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
}

fn check_number(n: &NumberInput) -> StoreResult<()> {
    if !is_e164(&n.e164) {
        return Err(StoreError::invalid_field(
            "e164",
            format!("`{}` is not an E.164 number: `+` and 2 to 15 digits, the first not 0", n.e164),
        ));
    }
    if n.label.chars().count() > 200 {
        return Err(StoreError::invalid_field("label", "a label has at most 200 characters"));
    }
    Ok(())
}

type NumberRow = (String, String, String, String, NaiveDateTime);

fn number_of(conn: &mut DbConn, account: AccountId, row: NumberRow) -> StoreResult<BusinessNumber> {
    let users: Vec<String> = number_users::table
        .filter(number_users::account_id.eq(account.to_string()))
        .filter(number_users::number_id.eq(&row.0))
        .select(number_users::user_id)
        .order(number_users::user_id)
        .load(conn)?;
    let ivr: Option<String> = ivr_numbers::table
        .filter(ivr_numbers::account_id.eq(account.to_string()).and(ivr_numbers::number_id.eq(&row.0)))
        .select(ivr_numbers::ivr_id)
        .first(conn)
        .optional()?;
    Ok(BusinessNumber {
        id: parse_id(&row.0)?,
        e164: row.1,
        label: row.2,
        kind: NumberKind::parse(&row.3)?,
        users: users.iter().map(|u| parse_id(u)).collect::<StoreResult<_>>()?,
        ivr: ivr.as_deref().map(parse_id).transpose()?,
        created_at: from_db_time(row.4),
    })
}

const NUMBER_COLUMNS: (numbers::id, numbers::e164, numbers::label, numbers::kind, numbers::created_at) =
    (numbers::id, numbers::e164, numbers::label, numbers::kind, numbers::created_at);

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
                numbers::account_id.eq(account.to_string()),
                numbers::id.eq(id.to_string()),
                numbers::e164.eq(&n.e164),
                numbers::label.eq(&n.label),
                numbers::kind.eq(n.kind.as_str()),
                numbers::created_at.eq(to_db_time(now())),
            ))
            .execute(conn)?;
        let created = get_number(conn, account, id)?;
        event(conn, account, actor, "number.create", "number", id.to_string(), None, Some(json!(created)))?;
        Ok(created)
    })
}

pub fn get_number(conn: &mut DbConn, account: AccountId, id: NumberId) -> StoreResult<BusinessNumber> {
    let row: NumberRow = numbers::table
        .filter(numbers::account_id.eq(account.to_string()).and(numbers::id.eq(id.to_string())))
        .select(NUMBER_COLUMNS)
        .first(conn)
        .optional()?
        .ok_or(StoreError::not_found("number"))?;
    number_of(conn, account, row)
}

/// Numbers ordered by E.164.
pub fn list_numbers(conn: &mut DbConn, account: AccountId, page: &PageRequest) -> StoreResult<Page<BusinessNumber>> {
    let limit = page.effective_limit();
    let mut q = numbers::table
        .filter(numbers::account_id.eq(account.to_string()))
        .select(NUMBER_COLUMNS)
        .order(numbers::e164.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(c) = page.cursor_parts(1)? {
        q = q.filter(numbers::e164.gt(c[0].clone()));
    }
    let rows: Vec<NumberRow> = q.load(conn)?;
    let items = rows.into_iter().map(|r| number_of(conn, account, r)).collect::<StoreResult<Vec<_>>>()?;
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
    crate::common::write_tx(conn, |conn| {
        let before = get_number(conn, account, id)?;
        diesel::update(
            numbers::table.filter(numbers::account_id.eq(account.to_string()).and(numbers::id.eq(id.to_string()))),
        )
        .set((numbers::e164.eq(&n.e164), numbers::label.eq(&n.label), numbers::kind.eq(n.kind.as_str())))
        .execute(conn)?;
        let after = get_number(conn, account, id)?;
        event(
            conn,
            account,
            actor,
            "number.update",
            "number",
            id.to_string(),
            Some(json!(before)),
            Some(json!(after)),
        )?;
        Ok(after)
    })
}

/// Replaces the users assigned to a number.
pub fn set_number_users(
    conn: &mut DbConn,
    account: AccountId,
    id: NumberId,
    users: &[UserId],
    actor: &Actor,
) -> StoreResult<BusinessNumber> {
    crate::common::write_tx(conn, |conn| {
        let before = get_number(conn, account, id)?;
        let a = account.to_string();
        let n = id.to_string();
        diesel::delete(number_users::table.filter(number_users::account_id.eq(&a).and(number_users::number_id.eq(&n))))
            .execute(conn)?;
        let rows: Vec<_> = ids(users)
            .into_iter()
            .map(|u| {
                (
                    number_users::account_id.eq(a.clone()),
                    number_users::number_id.eq(n.clone()),
                    number_users::user_id.eq(u),
                )
            })
            .collect();
        if !rows.is_empty() {
            crate::per_backend!(&mut *conn, c => diesel::insert_into(number_users::table).values(rows).execute(c))?;
        }
        let after = get_number(conn, account, id)?;
        bump_access_version(conn, account)?;
        event(
            conn,
            account,
            actor,
            "number.set_users",
            "number",
            id.to_string(),
            Some(json!(before)),
            Some(json!(after)),
        )?;
        Ok(after)
    })
}

/// Deletes a number; refused ([`StoreError::InUse`]) when the history refers to it.
pub fn delete_number(conn: &mut DbConn, account: AccountId, id: NumberId, actor: &Actor) -> StoreResult<()> {
    crate::common::write_tx(conn, |conn| {
        let before = get_number(conn, account, id)?;
        diesel::delete(
            numbers::table.filter(numbers::account_id.eq(account.to_string()).and(numbers::id.eq(id.to_string()))),
        )
        .execute(conn)?;
        bump_access_version(conn, account)?;
        event(conn, account, actor, "number.delete", "number", id.to_string(), Some(json!(before)), None)
    })
    .map_err(StoreError::on_delete("number"))
}

// ---------------------------------------------------------------- IVRs

/// An IVR / call flow with the numbers linked to it (sorted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ivr {
    pub id: IvrId,
    pub name: String,
    pub numbers: Vec<NumberId>,
    pub created_at: DateTime<Utc>,
}

fn ivr_of(conn: &mut DbConn, account: AccountId, row: (String, String, NaiveDateTime)) -> StoreResult<Ivr> {
    let linked: Vec<String> = ivr_numbers::table
        .filter(ivr_numbers::account_id.eq(account.to_string()).and(ivr_numbers::ivr_id.eq(&row.0)))
        .select(ivr_numbers::number_id)
        .order(ivr_numbers::number_id)
        .load(conn)?;
    Ok(Ivr {
        id: parse_id(&row.0)?,
        name: row.1,
        numbers: linked.iter().map(|n| parse_id(n)).collect::<StoreResult<_>>()?,
        created_at: from_db_time(row.2),
    })
}

fn write_ivr_numbers(conn: &mut DbConn, account: AccountId, id: IvrId, linked: &[NumberId]) -> StoreResult<()> {
    let a = account.to_string();
    let i = id.to_string();
    diesel::delete(ivr_numbers::table.filter(ivr_numbers::account_id.eq(&a).and(ivr_numbers::ivr_id.eq(&i))))
        .execute(conn)?;
    let rows: Vec<_> = ids(linked)
        .into_iter()
        .map(|n| {
            (ivr_numbers::account_id.eq(a.clone()), ivr_numbers::ivr_id.eq(i.clone()), ivr_numbers::number_id.eq(n))
        })
        .collect();
    if !rows.is_empty() {
        crate::per_backend!(&mut *conn, c => diesel::insert_into(ivr_numbers::table).values(rows).execute(c))?;
    }
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
        event(conn, account, actor, "ivr.create", "ivr", id.to_string(), None, Some(json!(created)))?;
        Ok(created)
    })
}

pub fn get_ivr(conn: &mut DbConn, account: AccountId, id: IvrId) -> StoreResult<Ivr> {
    let row = ivrs::table
        .filter(ivrs::account_id.eq(account.to_string()).and(ivrs::id.eq(id.to_string())))
        .select((ivrs::id, ivrs::name, ivrs::created_at))
        .first::<(String, String, NaiveDateTime)>(conn)
        .optional()?
        .ok_or(StoreError::not_found("ivr"))?;
    ivr_of(conn, account, row)
}

/// IVRs ordered by name.
pub fn list_ivrs(conn: &mut DbConn, account: AccountId, page: &PageRequest) -> StoreResult<Page<Ivr>> {
    let limit = page.effective_limit();
    let mut q = ivrs::table
        .filter(ivrs::account_id.eq(account.to_string()))
        .select((ivrs::id, ivrs::name, ivrs::created_at))
        .order(ivrs::name.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(c) = page.cursor_parts(1)? {
        q = q.filter(ivrs::name.gt(c[0].clone()));
    }
    let rows: Vec<(String, String, NaiveDateTime)> = q.load(conn)?;
    let items = rows.into_iter().map(|r| ivr_of(conn, account, r)).collect::<StoreResult<Vec<_>>>()?;
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
    crate::common::write_tx(conn, |conn| {
        let before = get_ivr(conn, account, id)?;
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
        let after = get_ivr(conn, account, id)?;
        event(conn, account, actor, "ivr.update", "ivr", id.to_string(), Some(json!(before)), Some(json!(after)))?;
        Ok(after)
    })
}

/// Deletes an IVR; refused ([`StoreError::InUse`]) when the history refers to it.
pub fn delete_ivr(conn: &mut DbConn, account: AccountId, id: IvrId, actor: &Actor) -> StoreResult<()> {
    crate::common::write_tx(conn, |conn| {
        let before = get_ivr(conn, account, id)?;
        diesel::delete(ivrs::table.filter(ivrs::account_id.eq(account.to_string()).and(ivrs::id.eq(id.to_string()))))
            .execute(conn)?;
        bump_access_version(conn, account)?;
        event(conn, account, actor, "ivr.delete", "ivr", id.to_string(), Some(json!(before)), None)
    })
    .map_err(StoreError::on_delete("ivr"))
}
