//! Renaming an account, and deleting one with every record it holds (rule MC-2: "edit and delete the
//! account"). A deletion leaves one row outside every tenant, `account_deletions`: who deleted which
//! account when, and how many records of each kind went with it.

use crate::common::{Actor, Page, PageRequest, from_db_time, now, to_db_time};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::repo::accounts::{self, Account};
use crate::schema;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use switchboard_core::{AccountId, DisplayName};

/// Renames the account. With `expected_version`, a stale version is [`StoreError::StaleVersion`] and
/// changes nothing.
pub fn rename(
    conn: &mut DbConn,
    account: AccountId,
    name: &DisplayName,
    expected_version: Option<i64>,
    actor: &Actor,
) -> StoreResult<Account> {
    crate::common::write_tx(conn, |conn| {
        let before = accounts::get(conn, account)?;
        if let Some(expected) = expected_version
            && expected != before.version
        {
            return Err(StoreError::StaleVersion { entity: "account", expected, current: before.version });
        }
        diesel::update(schema::accounts::table.find(account))
            .set(schema::accounts::name.eq(name.as_str()))
            .execute(conn)?;
        let (b, a) = (json!({"name": before.name}), json!({"name": name.as_str()}));
        accounts::changed(conn, account, actor, "account.update", b, a)
    })
}

/// What is left of a deleted account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountDeletion {
    pub account_id: AccountId,
    pub slug: String,
    pub name: String,
    pub preset_pack: String,
    /// Who deleted it: `{"kind": "user", "id": …, "email": …}` (their user record is gone with it).
    pub deleted_by: serde_json::Value,
    pub deleted_at: DateTime<Utc>,
    /// Records deleted, by table.
    pub records: BTreeMap<String, i64>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = schema::account_deletions, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct DeletionRow {
    deleted_account_id: AccountId,
    slug: String,
    name: String,
    preset_pack: String,
    deleted_by: String,
    deleted_at: NaiveDateTime,
    records: String,
}

fn deletion_of(r: DeletionRow) -> StoreResult<AccountDeletion> {
    Ok(AccountDeletion {
        account_id: r.deleted_account_id,
        slug: r.slug,
        name: r.name,
        preset_pack: r.preset_pack,
        deleted_by: serde_json::from_str(&r.deleted_by)?,
        deleted_at: from_db_time(r.deleted_at),
        records: serde_json::from_str(&r.records)?,
    })
}

/// Deletes, for one account, the rows of each table in turn (children before what they reference),
/// counting them.
macro_rules! delete_rows {
    ($conn:expr, $account:expr, $records:expr, $($table:ident),+ $(,)?) => {
        $(
            let n = diesel::delete(schema::$table::table.filter(schema::$table::account_id.eq($account)))
                .execute($conn)?;
            $records.insert(stringify!($table).to_owned(), n as i64);
        )+
    };
}

/// Deletes the account and every record of it in one transaction (all or nothing), and records the
/// deletion with `by_email`, the deleting person's email, since their user record goes too.
pub fn delete(conn: &mut DbConn, account: AccountId, actor: &Actor, by_email: &str) -> StoreResult<AccountDeletion> {
    crate::common::write_tx(conn, |conn| {
        let gone = accounts::get(conn, account)?;
        let mut records = BTreeMap::new();
        delete_rows!(
            conn,
            account,
            records,
            access_review_decisions,
            webhook_deliveries,
            webhooks,
            event_sink_cursors,
            event_counters,
            audit_events,
            sessions,
            two_factor,
            api_keys,
            communication_participants,
            communication_totals,
            communication_pair_totals,
            communications,
            dashboard_ivrs,
            dashboard_workgroups,
            role_assignments,
            role_scope_numbers,
            roles,
            ivr_numbers,
            ivrs,
            number_users,
            numbers,
            workgroup_members,
            workgroups,
            users,
        );
        diesel::delete(schema::accounts::table.find(account)).execute(conn)?;
        let (kind, id) = actor.columns();
        let deletion = AccountDeletion {
            account_id: account,
            slug: gone.slug,
            name: gone.name,
            preset_pack: gone.preset_pack,
            deleted_by: json!({"kind": kind, "id": id, "email": by_email}),
            deleted_at: now(),
            records,
        };
        diesel::insert_into(schema::account_deletions::table)
            .values((
                schema::account_deletions::deleted_account_id.eq(account),
                schema::account_deletions::slug.eq(&deletion.slug),
                schema::account_deletions::name.eq(&deletion.name),
                schema::account_deletions::preset_pack.eq(&deletion.preset_pack),
                schema::account_deletions::deleted_by.eq(deletion.deleted_by.to_string()),
                schema::account_deletions::deleted_at.eq(to_db_time(deletion.deleted_at)),
                schema::account_deletions::records.eq(serde_json::to_string(&deletion.records)?),
            ))
            .execute(conn)?;
        Ok(deletion)
    })
}

/// The deleted accounts, by account id.
pub fn deletions(conn: &mut DbConn, page: &PageRequest) -> StoreResult<Page<AccountDeletion>> {
    use schema::account_deletions;
    let (rows, limit) = crate::common::page_by_text!(conn, account_deletions::table, by id account_deletions::deleted_account_id => AccountId, DeletionRow, page);
    let items = rows.into_iter().map(deletion_of).collect::<StoreResult<Vec<_>>>()?;
    Ok(Page::from_rows(items, limit, |d| vec![d.account_id.to_string()]))
}
