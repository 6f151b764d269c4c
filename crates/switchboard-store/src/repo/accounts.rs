//! Accounts (tenants): creation with their superadmin, lookup, superadmin transfer, access version.

use crate::common::{Actor, Failed, Page, PageRequest, audit, from_db_time, now, to_db_time};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::repo::users::{self, NewUser, User};
use crate::schema::{accounts, users as users_t};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use switchboard_core::{AccountId, UserId};

/// An account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: AccountId,
    pub slug: String,
    pub name: String,
    pub preset_pack: String,
    pub superadmin: UserId,
    /// Changes with every change of the account's permission inputs.
    pub access_version: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Everyone who manages people or roles must sign in with two factors.
    pub require_two_factor: bool,
    /// The version of its pack the preset roles came from; empty where it was never recorded.
    pub preset_version: String,
}

/// A row of `accounts`, as read.
#[derive(Queryable, Selectable)]
#[diesel(table_name = accounts, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct AccountRow {
    id: AccountId,
    slug: String,
    name: String,
    preset_pack: String,
    superadmin_user_id: UserId,
    access_version: i64,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    require_two_factor: bool,
    preset_version: String,
}
fn account_of(r: AccountRow) -> StoreResult<Account> {
    Ok(Account {
        id: r.id,
        slug: r.slug,
        name: r.name,
        preset_pack: r.preset_pack,
        superadmin: r.superadmin_user_id,
        access_version: r.access_version,
        version: r.version,
        created_at: from_db_time(r.created_at),
        updated_at: from_db_time(r.updated_at),
        require_two_factor: r.require_two_factor,
        preset_version: r.preset_version,
    })
}

/// A new account and the user who owns it.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub slug: String,
    pub name: String,
    pub preset_pack: String,
    /// The version of the pack whose roles the account is created with.
    pub preset_version: String,
    pub owner: NewUser,
}

/// Creates an account and its superadmin in one transaction.
pub fn create(conn: &mut DbConn, new: &NewAccount, actor: &Actor) -> StoreResult<(Account, User)> {
    switchboard_core::Slug::parse(&new.slug)?;
    let account = AccountId::new_random();
    let owner = UserId::new_random();
    crate::common::write_tx(conn, |conn| {
        let t = to_db_time(now());
        diesel::insert_into(accounts::table)
            .values((
                accounts::id.eq(account),
                accounts::slug.eq(&new.slug),
                accounts::name.eq(&new.name),
                accounts::preset_pack.eq(&new.preset_pack),
                accounts::preset_version.eq(&new.preset_version),
                accounts::superadmin_user_id.eq(owner),
                accounts::created_at.eq(t),
                accounts::updated_at.eq(t),
            ))
            .execute(conn)?;
        let user = users::insert(conn, account, owner, &new.owner)?;
        let created = get(conn, account)?;
        let after = json!({"slug": new.slug, "name": new.name, "preset_pack": new.preset_pack,
            "preset_version": new.preset_version, "superadmin": owner});
        audit(conn, account, actor, "account.create", "account", account, None, Some(after))?;
        Ok((created, user))
    })
}

pub fn get(conn: &mut DbConn, account: AccountId) -> StoreResult<Account> {
    let row: Option<AccountRow> =
        accounts::table.find(account).select(AccountRow::as_select()).first(conn).optional()?;
    account_of(row.ok_or(StoreError::not_found("account"))?)
}

pub fn get_by_slug(conn: &mut DbConn, slug: &str) -> StoreResult<Account> {
    let row: Option<AccountRow> =
        accounts::table.filter(accounts::slug.eq(slug)).select(AccountRow::as_select()).first(conn).optional()?;
    account_of(row.ok_or(StoreError::not_found("account"))?)
}

/// Accounts ordered by slug.
pub fn list(conn: &mut DbConn, page: &PageRequest) -> StoreResult<Page<Account>> {
    let (rows, limit) = crate::common::page_by_text!(conn, accounts::table, by accounts::slug, AccountRow, page);
    let items = rows.into_iter().map(account_of).collect::<StoreResult<Vec<_>>>()?;
    Ok(Page::from_rows(items, limit, |a| vec![a.slug.clone()]))
}

/// The account's access version: changes whenever any permission input of the account changes, so
/// server instances sharing one database can tell that their cached policies are stale.
pub fn access_version(conn: &mut DbConn, account: AccountId) -> StoreResult<i64> {
    accounts::table
        .find(account)
        .select(accounts::access_version)
        .first(conn)
        .optional()?
        .ok_or(StoreError::not_found("account"))
}

/// How long a change waits for its account's change lock on PostgreSQL (SQLite's is its busy timeout).
const CHANGE_LOCK_TIMEOUT: &str = "SET LOCAL lock_timeout = '5s'";

/// Runs `work` as one change of the account's access, in one transaction: loaded, decided and
/// written together. It first takes the account's change lock — the account row on PostgreSQL (every
/// change of access bumps its access version there, so changes of one account are serialised), the
/// database's write lock on SQLite — then hands `work` the account as committed. A decision made
/// inside therefore sees every change committed before it, and none can commit under it.
pub fn change<T, E: From<StoreError>>(
    conn: &mut DbConn,
    account: AccountId,
    work: impl FnOnce(&mut DbConn, Account) -> Result<T, E>,
) -> Result<T, E> {
    let result = crate::common::transaction(conn, |conn| -> Result<T, Failed<E>> {
        // A change never waits for the lock without bound: as long as SQLite's busy timeout, then
        // the database is "unavailable" (503 with Retry-After), not a hung request.
        if let DbConn::Postgresql(pg) = conn {
            diesel::connection::SimpleConnection::batch_execute(pg, CHANGE_LOCK_TIMEOUT)?;
        }
        let locked = diesel::update(accounts::table.find(account))
            .set(accounts::access_version.eq(accounts::access_version))
            .execute(conn)?;
        if locked == 0 {
            return Err(Failed::Storage(StoreError::not_found("account")));
        }
        let current = get(conn, account).map_err(Failed::Storage)?;
        work(conn, current).map_err(Failed::Work)
    });
    result.map_err(Failed::into_error)
}

/// Makes another active user of the account its superadmin.
pub fn transfer_superadmin(conn: &mut DbConn, account: AccountId, to: UserId, actor: &Actor) -> StoreResult<Account> {
    crate::common::write_tx(conn, |conn| {
        let before = get(conn, account)?;
        let status: Option<String> = users_t::table
            .filter(users_t::account_id.eq(account).and(users_t::id.eq(to)))
            .select(users_t::status)
            .first(conn)
            .optional()?;
        match status.as_deref() {
            None => return Err(StoreError::InvalidReference { message: format!("user {to} is not in this account") }),
            Some("active") => {}
            Some(other) => {
                return Err(StoreError::InvalidInput(format!("the superadmin must be an active user, not {other}")));
            }
        }
        diesel::update(accounts::table.find(account)).set(accounts::superadmin_user_id.eq(to)).execute(conn)?;
        let (before, after) = (json!({"superadmin": before.superadmin}), json!({"superadmin": to}));
        changed(conn, account, actor, "account.transfer_superadmin", before, after)
    })
}

/// Moves the account onto another preset pack (its roles are replaced by the caller in the same
/// transaction); bumps the access version so every cached policy of the account is rebuilt.
/// Moves the account onto another pack, at `version`.
pub fn set_preset_pack(
    conn: &mut DbConn,
    account: AccountId,
    pack: &str,
    version: &str,
    actor: &Actor,
) -> StoreResult<Account> {
    crate::common::write_tx(conn, |conn| {
        let before = get(conn, account)?;
        diesel::update(accounts::table.find(account))
            .set((accounts::preset_pack.eq(pack), accounts::preset_version.eq(version)))
            .execute(conn)?;
        let before = json!({"preset_pack": before.preset_pack, "preset_version": before.preset_version});
        let after = json!({"preset_pack": pack, "preset_version": version});
        changed(conn, account, actor, "account.preset_pack", before, after)
    })
}

/// Records that the account's preset roles are those of `version` of its pack.
pub fn set_preset_version(conn: &mut DbConn, account: AccountId, version: &str, actor: &Actor) -> StoreResult<Account> {
    crate::common::write_tx(conn, |conn| {
        let before = get(conn, account)?;
        diesel::update(accounts::table.find(account)).set(accounts::preset_version.eq(version)).execute(conn)?;
        let (before, after) = (json!({"preset_version": before.preset_version}), json!({"preset_version": version}));
        changed(conn, account, actor, "account.preset_version", before, after)
    })
}

/// One account's pack and version, for start-up checks and listings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackUse {
    pub account: AccountId,
    pub slug: String,
    pub preset_pack: String,
    pub preset_version: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = accounts, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct PackUseRow {
    id: AccountId,
    slug: String,
    preset_pack: String,
    preset_version: String,
}

/// Every account's pack and version, by slug.
pub fn pack_uses(conn: &mut DbConn) -> StoreResult<Vec<PackUse>> {
    let rows: Vec<PackUseRow> = accounts::table.select(PackUseRow::as_select()).order(accounts::slug).load(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok(PackUse { account: r.id, slug: r.slug, preset_pack: r.preset_pack, preset_version: r.preset_version })
        })
        .collect()
}

/// Requires (or stops requiring) two-factor sign-in of everyone who manages people or roles.
pub fn set_require_two_factor(
    conn: &mut DbConn,
    account: AccountId,
    required: bool,
    actor: &Actor,
) -> StoreResult<Account> {
    crate::common::write_tx(conn, |conn| {
        let before = get(conn, account)?;
        diesel::update(accounts::table.find(account)).set(accounts::require_two_factor.eq(required)).execute(conn)?;
        let (before, after) =
            (json!({"require_two_factor": before.require_two_factor}), json!({"require_two_factor": required}));
        changed(conn, account, actor, "account.require_two_factor", before, after)
    })
}

/// Finishes a change to the account in its transaction: the next version, the next access version
/// (every cached policy of the account is rebuilt), the update time, and the audit event.
pub(crate) fn changed(
    conn: &mut DbConn,
    account: AccountId,
    actor: &Actor,
    action: &str,
    before: serde_json::Value,
    after: serde_json::Value,
) -> StoreResult<Account> {
    diesel::update(accounts::table.find(account))
        .set((
            accounts::version.eq(accounts::version + 1),
            accounts::access_version.eq(accounts::access_version + 1),
            accounts::updated_at.eq(to_db_time(now())),
        ))
        .execute(conn)?;
    audit(conn, account, actor, action, "account", account, Some(before), Some(after))?;
    get(conn, account)
}
