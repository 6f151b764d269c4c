//! Roles (definition, origin, optimistic version), copies, members, and role assignment in the
//! `single` and `combinable` modes, one user or many at once.

use crate::common::{Actor, Page, PageRequest, audit, bump_access_version, from_db_time, ids, now, to_db_time};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
pub use crate::repo::grants::Grant;
use crate::repo::grants::insert_bounded;
use crate::repo::users::{self, User, UserAccess, UserRow};
use crate::schema::{role_assignments, role_scope_numbers, roles, users as users_t};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use switchboard_core::{
    AccountId, Guards, NumberId, RecentsScope, RoleDefinition, RoleId, RoleMode, RoleOrigin, ScopeKind, UserId,
};

/// A role as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredRole {
    pub id: RoleId,
    pub account_id: AccountId,
    pub origin: RoleOrigin,
    pub definition: RoleDefinition,
    /// Optimistic concurrency: pass it back as `expected_version` to change the role.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// For a custom role copied from a preset role: that role's key.
    pub copied_from_preset: Option<String>,
}

/// A row of `roles`, as read (grants and guards are JSON).
#[derive(Queryable, Selectable)]
#[diesel(table_name = roles, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct RoleRow {
    account_id: AccountId,
    id: RoleId,
    key: String,
    name: String,
    description: String,
    origin: String,
    scope: String,
    recents: String,
    grants: String,
    guards: String,
    kinds: String,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    copied_from_preset: Option<String>,
}
fn scope_of(s: &str) -> StoreResult<ScopeKind> {
    ScopeKind::ALL_KINDS
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| StoreError::InvalidInput(format!("stored scope `{s}` is not known")))
}

fn recents_str(r: RecentsScope) -> &'static str {
    match r {
        RecentsScope::All => "all",
        RecentsScope::Personal => "personal",
    }
}

fn role_of(r: RoleRow, scope_numbers: Vec<NumberId>) -> StoreResult<StoredRole> {
    let guards: Guards = serde_json::from_str(&r.guards)?;
    Ok(StoredRole {
        account_id: r.account_id,
        id: r.id,
        origin: RoleOrigin::try_from(r.origin).map_err(StoreError::InvalidInput)?,
        definition: RoleDefinition {
            key: r.key,
            name: r.name,
            description: r.description,
            grants: serde_json::from_str(&r.grants)?,
            scope: scope_of(&r.scope)?,
            scope_numbers,
            recents: if r.recents == "all" { RecentsScope::All } else { RecentsScope::Personal },
            kinds: serde_json::from_str(&r.kinds)?,
            guards,
        },
        version: r.version,
        created_at: from_db_time(r.created_at),
        updated_at: from_db_time(r.updated_at),
        copied_from_preset: r.copied_from_preset,
    })
}

fn load_with_numbers(conn: &mut DbConn, account: AccountId, rows: Vec<RoleRow>) -> StoreResult<Vec<StoredRole>> {
    let role_ids: Vec<RoleId> = rows.iter().map(|r| r.id).collect();
    let mut numbers: Vec<(RoleId, NumberId)> = Vec::new();
    for chunk in role_ids.chunks(500) {
        numbers.extend(
            role_scope_numbers::table
                .filter(role_scope_numbers::account_id.eq(account))
                .filter(role_scope_numbers::role_id.eq_any(chunk))
                .select((role_scope_numbers::role_id, role_scope_numbers::number_id))
                .order((role_scope_numbers::role_id, role_scope_numbers::number_id))
                .load::<(RoleId, NumberId)>(conn)?,
        );
    }
    rows.into_iter()
        .map(|r| {
            let mine = numbers.iter().filter(|(role, _)| *role == r.id).map(|(_, n)| *n).collect();
            role_of(r, mine)
        })
        .collect()
}

fn definition_json(d: &RoleDefinition) -> serde_json::Value {
    serde_json::to_value(d).unwrap_or(serde_json::Value::Null)
}

fn check_definition(d: &RoleDefinition) -> StoreResult<()> {
    switchboard_core::RoleKey::parse(&d.key)?;
    switchboard_core::RoleName::parse(&d.name)?;
    if d.scope != ScopeKind::Numbers && !d.scope_numbers.is_empty() {
        return Err(StoreError::InvalidInput("`scope_numbers` is only meaningful with scope `numbers`".into()));
    }
    Ok(())
}

fn write_scope_numbers(conn: &mut DbConn, account: AccountId, role: RoleId, numbers: &[NumberId]) -> StoreResult<()> {
    crate::common::replace_rows!(conn, role_scope_numbers, account, role_id = role, number_id, ids(numbers));
    Ok(())
}

fn insert(
    conn: &mut DbConn,
    account: AccountId,
    origin: &RoleOrigin,
    definition: &RoleDefinition,
) -> StoreResult<RoleId> {
    check_definition(definition)?;
    let id = RoleId::new_random();
    let t = to_db_time(now());
    diesel::insert_into(roles::table)
        .values((
            roles::account_id.eq(account),
            roles::id.eq(id),
            roles::key.eq(&definition.key),
            roles::name.eq(&definition.name),
            roles::description.eq(&definition.description),
            roles::origin.eq(origin.to_string()),
            roles::scope.eq(definition.scope.as_str()),
            roles::recents.eq(recents_str(definition.recents)),
            roles::grants.eq(serde_json::to_string(&definition.grants)?),
            roles::guards.eq(serde_json::to_string(&definition.guards)?),
            roles::kinds.eq(serde_json::to_string(&definition.kinds)?),
            roles::created_at.eq(t),
            roles::updated_at.eq(t),
        ))
        .execute(conn)?;
    write_scope_numbers(conn, account, id, &definition.scope_numbers)?;
    Ok(id)
}

/// Creates a role. Validating it against the catalog is the core's job ([`RoleDefinition::compile_access`]).
pub fn create(
    conn: &mut DbConn,
    account: AccountId,
    origin: &RoleOrigin,
    definition: &RoleDefinition,
    actor: &Actor,
) -> StoreResult<StoredRole> {
    crate::common::write_tx(conn, |conn| {
        let id = insert(conn, account, origin, definition)?;
        bump_access_version(conn, account)?;
        let role = get(conn, account, id)?;
        let after = json!({"origin": role.origin, "definition": definition_json(&role.definition)});
        audit(conn, account, actor, "role.create", "role", id, None, Some(after))?;
        Ok(role)
    })
}

pub fn get(conn: &mut DbConn, account: AccountId, id: RoleId) -> StoreResult<StoredRole> {
    let row = crate::common::find_row!(conn, roles, account, id, RoleRow, "role");
    load_with_numbers(conn, account, vec![row])?.pop().ok_or(StoreError::not_found("role"))
}

pub fn get_by_key(conn: &mut DbConn, account: AccountId, key: &str) -> StoreResult<StoredRole> {
    let row: Option<RoleRow> = roles::table
        .filter(roles::account_id.eq(account).and(roles::key.eq(key)))
        .select(RoleRow::as_select())
        .first(conn)
        .optional()?;
    let row = row.ok_or(StoreError::not_found("role"))?;
    load_with_numbers(conn, account, vec![row])?.pop().ok_or(StoreError::not_found("role"))
}

/// Every role of the account, ordered by key: what [`switchboard_core::Policy::new`] is built from.
pub fn load_all(conn: &mut DbConn, account: AccountId) -> StoreResult<Vec<StoredRole>> {
    let rows: Vec<RoleRow> =
        roles::table.filter(roles::account_id.eq(account)).select(RoleRow::as_select()).order(roles::key).load(conn)?;
    load_with_numbers(conn, account, rows)
}

/// A role and how many users hold it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleSummary {
    pub role: StoredRole,
    pub members: i64,
}

/// The account's roles with member counts, ordered by key.
pub fn list(conn: &mut DbConn, account: AccountId, page: &PageRequest) -> StoreResult<Page<RoleSummary>> {
    let (rows, limit) = crate::common::page_by_text!(conn, roles of account, by key, RoleRow, page);
    let role_ids: Vec<RoleId> = rows.iter().map(|r| r.id).collect();
    let counts: Vec<(RoleId, i64)> = role_assignments::table
        .filter(role_assignments::account_id.eq(account))
        .filter(role_assignments::role_id.eq_any(&role_ids))
        .group_by(role_assignments::role_id)
        .select((role_assignments::role_id, count_star()))
        .load(conn)?;
    let items = load_with_numbers(conn, account, rows)?
        .into_iter()
        .map(|role| {
            let members = counts.iter().find(|(r, _)| *r == role.id).map_or(0, |(_, n)| *n);
            RoleSummary { role, members }
        })
        .collect();
    Ok(Page::from_rows(items, limit, |r| vec![r.role.definition.key.clone()]))
}

/// Replaces a role's definition if it is still at `expected_version`; a stale write is refused
/// ([`StoreError::StaleVersion`]) and changes nothing.
pub fn update(
    conn: &mut DbConn,
    account: AccountId,
    id: RoleId,
    expected_version: i64,
    definition: &RoleDefinition,
    actor: &Actor,
) -> StoreResult<StoredRole> {
    check_definition(definition)?;
    crate::common::write_tx(conn, |conn| {
        let before = get(conn, account, id)?;
        let updated = diesel::update(
            roles::table
                .filter(roles::account_id.eq(account).and(roles::id.eq(id)).and(roles::version.eq(expected_version))),
        )
        .set((
            roles::key.eq(&definition.key),
            roles::name.eq(&definition.name),
            roles::description.eq(&definition.description),
            roles::scope.eq(definition.scope.as_str()),
            roles::recents.eq(recents_str(definition.recents)),
            roles::grants.eq(serde_json::to_string(&definition.grants)?),
            roles::guards.eq(serde_json::to_string(&definition.guards)?),
            roles::kinds.eq(serde_json::to_string(&definition.kinds)?),
            roles::version.eq(roles::version + 1),
            roles::updated_at.eq(to_db_time(now())),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Err(StoreError::StaleVersion {
                entity: "role",
                expected: expected_version,
                current: before.version,
            });
        }
        write_scope_numbers(conn, account, id, &definition.scope_numbers)?;
        bump_access_version(conn, account)?;
        let after = get(conn, account, id)?;
        let state = |r: &StoredRole| json!({"version": r.version, "definition": definition_json(&r.definition)});
        audit(conn, account, actor, "role.update", "role", id, Some(state(&before)), Some(state(&after)))?;
        Ok(after)
    })
}

/// Deletes a role; refused ([`StoreError::InUse`]) while users hold it.
pub fn delete(
    conn: &mut DbConn,
    account: AccountId,
    id: RoleId,
    expected_version: Option<i64>,
    actor: &Actor,
) -> StoreResult<()> {
    crate::common::write_tx(conn, |conn| {
        let before = get(conn, account, id)?;
        if let Some(expected) = expected_version
            && expected != before.version
        {
            return Err(StoreError::StaleVersion { entity: "role", expected, current: before.version });
        }
        diesel::delete(
            roles::table
                .filter(roles::account_id.eq(account).and(roles::id.eq(id)).and(roles::version.eq(before.version))),
        )
        .execute(conn)?;
        bump_access_version(conn, account)?;
        let before = json!({"origin": before.origin, "definition": definition_json(&before.definition)});
        audit(conn, account, actor, "role.delete", "role", id, Some(before), None)
    })
    .map_err(StoreError::on_delete("role"))
}

/// Creates a custom role with the settings of `source` under a new key and name; a copy of a preset
/// role remembers the preset's key.
pub fn copy(
    conn: &mut DbConn,
    account: AccountId,
    source: RoleId,
    definition: &RoleDefinition,
    actor: &Actor,
) -> StoreResult<StoredRole> {
    crate::common::write_tx(conn, |conn| {
        let source_role = get(conn, account, source)?;
        let id = insert(conn, account, &RoleOrigin::Custom, definition)?;
        if source_role.origin.is_preset() {
            diesel::update(roles::table.filter(roles::account_id.eq(account).and(roles::id.eq(id))))
                .set(roles::copied_from_preset.eq(&source_role.definition.key))
                .execute(conn)?;
        }
        bump_access_version(conn, account)?;
        let role = get(conn, account, id)?;
        let after = json!({"source": source, "definition": definition_json(&role.definition)});
        audit(conn, account, actor, "role.copy", "role", id, None, Some(after))?;
        Ok(role)
    })
}

/// The users holding a role, ordered by email.
pub fn members(conn: &mut DbConn, account: AccountId, role: RoleId, page: &PageRequest) -> StoreResult<Page<User>> {
    get(conn, account, role)?;
    let holders = role_assignments::table
        .filter(role_assignments::account_id.eq(account))
        .filter(role_assignments::role_id.eq(role))
        .select(role_assignments::user_id);
    let users = users_t::table.filter(users_t::account_id.eq(account)).filter(users_t::id.eq_any(holders));
    let (rows, limit) = crate::common::page_by_text!(conn, users, by users_t::email, UserRow, page);
    let items = rows.into_iter().map(users::user_of).collect::<StoreResult<Vec<_>>>()?;
    Ok(Page::from_rows(items, limit, |u| vec![u.email.clone()]))
}

fn insert_assignments(
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    roles: &[RoleId],
    actor: &Actor,
) -> StoreResult<()> {
    insert_bounded(conn, account, user, roles, &Grant::by(actor))
}

fn clear_assignments(conn: &mut DbConn, account: AccountId, user: UserId) -> StoreResult<()> {
    diesel::delete(
        role_assignments::table
            .filter(role_assignments::account_id.eq(account))
            .filter(role_assignments::user_id.eq(user)),
    )
    .execute(conn)?;
    Ok(())
}

/// Replaces a user's roles. In `single` mode at most one role is accepted.
pub fn set_user_roles(
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    roles: &[RoleId],
    mode: RoleMode,
    expected_user_version: Option<i64>,
    actor: &Actor,
) -> StoreResult<UserAccess> {
    let wanted = ids(roles);
    if mode == RoleMode::Single && wanted.len() > 1 {
        return Err(StoreError::InvalidInput(
            "this account's roles are not combinable: a user holds at most one role".into(),
        ));
    }
    crate::common::write_tx(conn, |conn| {
        let before = users::access(conn, account, user)?;
        users::bump_version(conn, account, user, expected_user_version)?;
        clear_assignments(conn, account, user)?;
        insert_assignments(conn, account, user, &wanted, actor)?;
        users::finish_access_change(conn, account, user, actor, "user.set_roles", before)
    })
}

/// Gives a user a role: in `single` mode it replaces the role they held, in `combinable` mode it is
/// added to their roles (holding it already is not an error).
pub fn assign(
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    role: RoleId,
    mode: RoleMode,
    actor: &Actor,
) -> StoreResult<UserAccess> {
    assign_granted(conn, account, user, role, mode, &Grant::by(actor), actor)
}

/// [`assign`] as `grant` says: for a time, with a reason. A role the user holds already takes the
/// grant's bounds (a permanent role made time-bound, or the other way round).
pub fn assign_granted(
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    role: RoleId,
    mode: RoleMode,
    grant: &Grant,
    actor: &Actor,
) -> StoreResult<UserAccess> {
    crate::common::write_tx(conn, |conn| {
        let before = users::access(conn, account, user)?;
        users::bump_version(conn, account, user, None)?;
        if mode == RoleMode::Single {
            clear_assignments(conn, account, user)?;
        } else {
            diesel::delete(
                role_assignments::table
                    .filter(role_assignments::account_id.eq(account))
                    .filter(role_assignments::user_id.eq(user))
                    .filter(role_assignments::role_id.eq(role)),
            )
            .execute(conn)?;
        }
        insert_bounded(conn, account, user, &[role], grant)?;
        let action = if grant.bounds.is_permanent() { "user.assign_role" } else { "user.assign_role_for_a_time" };
        let out = users::finish_access_change(conn, account, user, actor, action, before)?;
        if !grant.bounds.is_permanent() || grant.reason.is_some() {
            let after = json!({"role": role, "starts_at": grant.bounds.starts_at, "expires_at": grant.bounds.expires_at,
                "reason": grant.reason});
            // break-glass is its own action, so that every emergency use is found by it
            let action = if grant.reason.is_some() { "role.emergency_access" } else { "role_assignment.bounds" };
            audit(conn, account, actor, action, "user", user, None, Some(after))?;
        }
        Ok(out)
    })
}

/// Takes a role away from a user; [`StoreError::NotFound`] when they do not hold it.
pub fn unassign(
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    role: RoleId,
    actor: &Actor,
) -> StoreResult<UserAccess> {
    crate::common::write_tx(conn, |conn| {
        let before = users::access(conn, account, user)?;
        let n = diesel::delete(
            role_assignments::table
                .filter(role_assignments::account_id.eq(account))
                .filter(role_assignments::user_id.eq(user))
                .filter(role_assignments::role_id.eq(role)),
        )
        .execute(conn)?;
        if n == 0 {
            return Err(StoreError::not_found("role assignment"));
        }
        users::bump_version(conn, account, user, None)?;
        users::finish_access_change(conn, account, user, actor, "user.unassign_role", before)
    })
}

/// A change of role applied to many users at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkRoleChange {
    /// Every user ends up holding exactly this role (the only change allowed in `single` mode).
    Replace(RoleId),
    /// Every user gains this role (combinable mode).
    Add(RoleId),
    /// Every user loses this role (combinable mode).
    Remove(RoleId),
}

/// Applies one role change to many users in one transaction: every user is changed, or none is
/// (a missing user or role rolls the whole change back). Returns the users' new access, in input order.
pub fn bulk_change(
    conn: &mut DbConn,
    account: AccountId,
    users_to_change: &[UserId],
    change: BulkRoleChange,
    mode: RoleMode,
    actor: &Actor,
) -> StoreResult<Vec<UserAccess>> {
    if mode == RoleMode::Single && !matches!(change, BulkRoleChange::Replace(_)) {
        return Err(StoreError::InvalidInput("in single role mode a bulk change replaces the users' role".into()));
    }
    let mut seen = std::collections::HashSet::new();
    if !users_to_change.iter().all(|u| seen.insert(*u)) {
        return Err(StoreError::InvalidInput("a user is listed twice".into()));
    }
    crate::common::write_tx(conn, |conn| {
        let role = match change {
            BulkRoleChange::Replace(r) | BulkRoleChange::Add(r) | BulkRoleChange::Remove(r) => r,
        };
        get(conn, account, role)?;
        let mut out = Vec::with_capacity(users_to_change.len());
        for &user in users_to_change {
            let before = users::access(conn, account, user)?;
            users::bump_version(conn, account, user, None)?;
            match change {
                BulkRoleChange::Replace(r) => {
                    clear_assignments(conn, account, user)?;
                    insert_assignments(conn, account, user, &[r], actor)?;
                }
                BulkRoleChange::Add(r) => {
                    if !before.roles.contains(&r) {
                        insert_assignments(conn, account, user, &[r], actor)?;
                    }
                }
                BulkRoleChange::Remove(r) => {
                    diesel::delete(
                        role_assignments::table
                            .filter(role_assignments::account_id.eq(account))
                            .filter(role_assignments::user_id.eq(user))
                            .filter(role_assignments::role_id.eq(r)),
                    )
                    .execute(conn)?;
                }
            }
            out.push(users::finish_access_change(conn, account, user, actor, "user.bulk_role_change", before)?);
        }
        Ok(out)
    })
}
