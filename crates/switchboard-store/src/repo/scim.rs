//! What an identity provider knows people and groups by (SCIM): a user's `userName`, unique in the
//! account without regard to case, its `externalId`, and the attributes Switchboard keeps for the
//! provider without using them; a group's (workgroup's) `externalId`. Rows go with their user or
//! workgroup.

use crate::common::{Actor, audit, ids};
use crate::db::DbConn;
use crate::error::StoreResult;
use crate::schema::{scim_groups, scim_users};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use switchboard_core::{AccountId, UserId, WorkgroupId};

/// A user as their identity provider knows them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScimUser {
    pub user_name: String,
    pub external_id: Option<String>,
    /// The provider's other attributes (`name`, `emails`, `title`…), kept as sent.
    pub attributes: Map<String, Value>,
}

/// The form a `userName` is unique in: without case.
pub fn user_name_key(user_name: &str) -> String {
    user_name.to_lowercase()
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = scim_users, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct ScimUserRow {
    user_id: UserId,
    user_name: String,
    external_id: Option<String>,
    attributes: String,
}

fn user_of(r: ScimUserRow) -> StoreResult<(UserId, ScimUser)> {
    let attributes = match serde_json::from_str(&r.attributes)? {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Ok((r.user_id, ScimUser { user_name: r.user_name, external_id: r.external_id, attributes }))
}

/// The provider's view of each of `people` that has one.
pub fn users_of(conn: &mut DbConn, account: AccountId, people: &[UserId]) -> StoreResult<BTreeMap<UserId, ScimUser>> {
    let wanted = ids(people);
    let mut found = BTreeMap::new();
    for chunk in wanted.chunks(500) {
        let rows: Vec<ScimUserRow> = scim_users::table
            .filter(scim_users::account_id.eq(account).and(scim_users::user_id.eq_any(chunk)))
            .select(ScimUserRow::as_select())
            .load(conn)?;
        for row in rows {
            let (id, user) = user_of(row)?;
            found.insert(id, user);
        }
    }
    Ok(found)
}

/// The user whose `userName` is `user_name` (without case), if any.
pub fn user_named(conn: &mut DbConn, account: AccountId, user_name: &str) -> StoreResult<Option<UserId>> {
    Ok(scim_users::table
        .filter(scim_users::account_id.eq(account))
        .filter(scim_users::user_name_key.eq(user_name_key(user_name)))
        .select(scim_users::user_id)
        .first(conn)
        .optional()?)
}

/// The ids in `$column` of the account's rows of `$table` with this `externalId` (case-exact).
macro_rules! with_external_id {
    ($conn:expr, $table:ident.$column:ident, $account:expr, $external_id:expr) => {{
        let of_account = $table::account_id.eq($account);
        Ok($table::table
            .filter(of_account.and($table::external_id.eq($external_id)))
            .select($table::$column)
            .load($conn)?)
    }};
}

/// The users with this `externalId` (case-exact).
pub fn users_with_external_id(conn: &mut DbConn, account: AccountId, external_id: &str) -> StoreResult<Vec<UserId>> {
    with_external_id!(conn, scim_users.user_id, account, external_id)
}

/// Stores the provider's view of `user`, replacing the one before, audited (`user.scim`).
pub fn put_user(
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    scim: &ScimUser,
    actor: &Actor,
) -> StoreResult<()> {
    let before = users_of(conn, account, &[user])?.remove(&user);
    if before.as_ref() == Some(scim) {
        return Ok(());
    }
    crate::repo::users::bump_version(conn, account, user, None)?;
    diesel::delete(scim_users::table.filter(scim_users::account_id.eq(account).and(scim_users::user_id.eq(user))))
        .execute(conn)?;
    diesel::insert_into(scim_users::table)
        .values((
            scim_users::account_id.eq(account),
            scim_users::user_id.eq(user),
            scim_users::user_name.eq(&scim.user_name),
            scim_users::user_name_key.eq(user_name_key(&scim.user_name)),
            scim_users::external_id.eq(scim.external_id.as_deref()),
            scim_users::attributes.eq(serde_json::to_string(&scim.attributes)?),
        ))
        .execute(conn)?;
    audit(conn, account, actor, "user.scim", "user", user, before.map(|b| json!(b)), Some(json!(scim)))
}

/// The `externalId` of each of `groups` that has one.
pub fn group_external_ids(
    conn: &mut DbConn,
    account: AccountId,
    groups: &[WorkgroupId],
) -> StoreResult<BTreeMap<WorkgroupId, String>> {
    let wanted = ids(groups);
    let mut found = BTreeMap::new();
    for chunk in wanted.chunks(500) {
        let rows: Vec<(WorkgroupId, Option<String>)> = scim_groups::table
            .filter(scim_groups::account_id.eq(account).and(scim_groups::workgroup_id.eq_any(chunk)))
            .select((scim_groups::workgroup_id, scim_groups::external_id))
            .load(conn)?;
        for (id, external) in rows {
            if let Some(external) = external {
                found.insert(id, external);
            }
        }
    }
    Ok(found)
}

/// The workgroups with this `externalId` (case-exact).
pub fn groups_with_external_id(conn: &mut DbConn, account: AccountId, id: &str) -> StoreResult<Vec<WorkgroupId>> {
    with_external_id!(conn, scim_groups.workgroup_id, account, id)
}

/// Sets (or, with `None`, clears) a workgroup's `externalId`, audited (`workgroup.scim`).
pub fn set_group_external_id(
    conn: &mut DbConn,
    account: AccountId,
    group: WorkgroupId,
    external_id: Option<&str>,
    actor: &Actor,
) -> StoreResult<()> {
    let before = group_external_ids(conn, account, &[group])?.remove(&group);
    if before.as_deref() == external_id {
        return Ok(());
    }
    diesel::delete(
        scim_groups::table.filter(scim_groups::account_id.eq(account).and(scim_groups::workgroup_id.eq(group))),
    )
    .execute(conn)?;
    if let Some(external_id) = external_id {
        diesel::insert_into(scim_groups::table)
            .values((
                scim_groups::account_id.eq(account),
                scim_groups::workgroup_id.eq(group),
                scim_groups::external_id.eq(external_id),
            ))
            .execute(conn)?;
    }
    let record = |e: Option<&str>| json!({ "external_id": e });
    let (before, after) = (record(before.as_deref()), record(external_id));
    audit(conn, account, actor, "workgroup.scim", "workgroup", group, Some(before), Some(after))
}
