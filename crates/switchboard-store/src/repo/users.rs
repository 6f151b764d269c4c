//! Users, their numbers, workgroups and dashboard access, duplication, and the effective-permission
//! inputs of a user ([`subject`]).

use crate::common::{
    Actor, Bounds, Page, PageRequest, audit, bump_access_version, check_name, from_db_time, holding_at, ids, now,
    parse_id, to_db_time,
};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::repo::history_sql::SqlBuf;
use crate::schema::{
    accounts, dashboard_ivrs, dashboard_workgroups, number_users, role_assignments, users, workgroup_members,
};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use switchboard_core::{
    AccountId, DashboardAccess, Email, IvrId, NumberId, RoleId, Subject, UserId, UserStatus, WorkgroupId,
};

/// A user of an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub account_id: AccountId,
    pub email: String,
    pub name: String,
    pub status: UserStatus,
    /// The argon2 hash (PHC string); `None` until the user sets a password.
    #[serde(skip)]
    pub password_hash: Option<String>,
    /// Optimistic concurrency: pass it back as `expected_version` to change the user.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A user to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub status: UserStatus,
    pub password_hash: Option<String>,
}

impl NewUser {
    /// An invited user without a password.
    pub fn invited(email: impl Into<String>, name: impl Into<String>) -> NewUser {
        NewUser { email: email.into(), name: name.into(), status: UserStatus::Invited, password_hash: None }
    }
}

/// A change to a user; `None` fields are left as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserPatch {
    pub email: Option<String>,
    pub name: Option<String>,
    pub status: Option<UserStatus>,
    /// `Some(None)` removes the password.
    pub password_hash: Option<Option<String>>,
}

/// A row of `users`, as read.
#[derive(Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct UserRow {
    account_id: AccountId,
    id: UserId,
    email: String,
    name: String,
    status: String,
    password_hash: Option<String>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}
impl UserRow {
    pub(crate) fn id(&self) -> UserId {
        self.id
    }
}

pub(crate) fn status_str(s: UserStatus) -> &'static str {
    match s {
        UserStatus::Invited => "invited",
        UserStatus::Active => "active",
        UserStatus::Disabled => "disabled",
    }
}

pub(crate) fn parse_status(s: &str) -> StoreResult<UserStatus> {
    match s {
        "invited" => Ok(UserStatus::Invited),
        "active" => Ok(UserStatus::Active),
        "disabled" => Ok(UserStatus::Disabled),
        other => Err(StoreError::InvalidInput(format!("stored user status `{other}` is not known"))),
    }
}

pub(crate) fn user_of(r: UserRow) -> StoreResult<User> {
    Ok(User {
        account_id: r.account_id,
        id: r.id,
        email: r.email,
        name: r.name,
        status: parse_status(&r.status)?,
        password_hash: r.password_hash,
        version: r.version,
        created_at: from_db_time(r.created_at),
        updated_at: from_db_time(r.updated_at),
    })
}

/// Emails are compared case-insensitively: stored as [`Email`] keeps them, trimmed and lowercased.
pub fn normalize_email(email: &str) -> StoreResult<String> {
    Ok(Email::parse(email)?.into_inner())
}

/// The first of `wanted` that is not a user of the account (one query per 500 ids).
pub fn first_unknown(conn: &mut DbConn, account: AccountId, wanted: &[UserId]) -> StoreResult<Option<UserId>> {
    crate::common::first_unknown(wanted, |chunk| {
        Ok(users::table
            .filter(users::account_id.eq(account).and(users::id.eq_any(chunk)))
            .select(users::id)
            .load(conn)?)
    })
}

fn user_json(u: &User) -> serde_json::Value {
    json!({"email": u.email, "name": u.name, "status": u.status, "version": u.version,
        "has_password": u.password_hash.is_some()})
}

pub(crate) fn insert(conn: &mut DbConn, account: AccountId, id: UserId, new: &NewUser) -> StoreResult<User> {
    let email = normalize_email(&new.email)?;
    check_name(&new.name)?;
    let t = to_db_time(now());
    diesel::insert_into(users::table)
        .values((
            users::account_id.eq(account),
            users::id.eq(id),
            users::email.eq(email),
            users::name.eq(new.name.trim()),
            users::status.eq(status_str(new.status)),
            users::password_hash.eq(&new.password_hash),
            users::created_at.eq(t),
            users::updated_at.eq(t),
        ))
        .execute(conn)?;
    get(conn, account, id)
}

/// Creates (invites) a user.
pub fn create(conn: &mut DbConn, account: AccountId, new: &NewUser, actor: &Actor) -> StoreResult<User> {
    crate::common::write_tx(conn, |conn| {
        let user = insert(conn, account, UserId::new_random(), new)?;
        audit(conn, account, actor, "user.create", "user", user.id, None, Some(user_json(&user)))?;
        Ok(user)
    })
}

pub fn get(conn: &mut DbConn, account: AccountId, id: UserId) -> StoreResult<User> {
    let row = crate::common::find_row!(conn, users, account, id, UserRow, "user");
    user_of(row)
}

pub fn get_by_email(conn: &mut DbConn, account: AccountId, email: &str) -> StoreResult<User> {
    let email = normalize_email(email)?;
    let row: Option<UserRow> = users::table
        .filter(users::account_id.eq(account).and(users::email.eq(email)))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    user_of(row.ok_or(StoreError::not_found("user"))?)
}

/// The account's users, ordered by email.
pub fn list(conn: &mut DbConn, account: AccountId, page: &PageRequest) -> StoreResult<Page<User>> {
    let (rows, limit) = crate::common::page_by_text!(conn, users of account, by email, UserRow, page);
    let items = rows.into_iter().map(user_of).collect::<StoreResult<Vec<_>>>()?;
    Ok(Page::from_rows(items, limit, |u| vec![u.email.clone()]))
}

/// How many users the account has, and those at `offset..offset + limit` in order of creation
/// (SCIM's index paging). `limit: None` reads to the end.
pub fn by_creation(
    conn: &mut DbConn,
    account: AccountId,
    offset: i64,
    limit: Option<i64>,
) -> StoreResult<(i64, Vec<User>)> {
    let (total, rows) = crate::common::by_creation!(conn, users of account, UserRow, offset, limit);
    Ok((total, rows.into_iter().map(user_of).collect::<StoreResult<Vec<_>>>()?))
}

/// The account's users among `ids`, in order of creation.
pub fn among(conn: &mut DbConn, account: AccountId, ids: &[UserId]) -> StoreResult<Vec<User>> {
    let wanted = crate::common::ids(ids);
    let mut found = Vec::new();
    for chunk in wanted.chunks(500) {
        let rows: Vec<UserRow> = users::table
            .filter(users::account_id.eq(account).and(users::id.eq_any(chunk)))
            .select(UserRow::as_select())
            .load(conn)?;
        found.extend(rows.into_iter().map(user_of).collect::<StoreResult<Vec<_>>>()?);
    }
    found.sort_by_key(|u: &User| (u.created_at, u.id.0));
    Ok(found)
}

/// Moves the user to the next version, refusing when `expected` is given and is not the current one.
/// Called first in every transaction that changes a user or their access, so a stale write changes nothing.
pub(crate) fn bump_version(
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    expected: Option<i64>,
) -> StoreResult<()> {
    let target = || users::table.filter(users::account_id.eq(account).and(users::id.eq(user)));
    let updated = match expected {
        Some(v) => diesel::update(target().filter(users::version.eq(v)))
            .set((users::version.eq(users::version + 1), users::updated_at.eq(to_db_time(now()))))
            .execute(conn)?,
        None => diesel::update(target())
            .set((users::version.eq(users::version + 1), users::updated_at.eq(to_db_time(now()))))
            .execute(conn)?,
    };
    if updated == 0 {
        let current: Option<i64> = target().select(users::version).first(conn).optional()?;
        return Err(match (current, expected) {
            (None, _) => StoreError::not_found("user"),
            (Some(current), Some(expected)) => StoreError::StaleVersion { entity: "user", expected, current },
            (Some(_), None) => StoreError::not_found("user"),
        });
    }
    Ok(())
}

/// Changes a user's email, name, status or password hash.
pub fn update(
    conn: &mut DbConn,
    account: AccountId,
    id: UserId,
    expected_version: Option<i64>,
    patch: &UserPatch,
    actor: &Actor,
) -> StoreResult<User> {
    let email = patch.email.as_deref().map(normalize_email).transpose()?;
    if let Some(name) = &patch.name {
        check_name(name)?;
    }
    crate::common::write_tx(conn, |conn| {
        let before = get(conn, account, id)?;
        bump_version(conn, account, id, expected_version)?;
        let target = || users::table.filter(users::account_id.eq(account).and(users::id.eq(id)));
        if let Some(email) = email {
            diesel::update(target()).set(users::email.eq(email)).execute(conn)?;
        }
        if let Some(name) = &patch.name {
            diesel::update(target()).set(users::name.eq(name.trim())).execute(conn)?;
        }
        if let Some(status) = patch.status {
            diesel::update(target()).set(users::status.eq(status_str(status))).execute(conn)?;
            if status != before.status {
                bump_access_version(conn, account)?;
            }
        }
        if let Some(hash) = &patch.password_hash {
            diesel::update(target()).set(users::password_hash.eq(hash)).execute(conn)?;
        }
        let after = get(conn, account, id)?;
        let mut after_json = user_json(&after);
        // The hash never enters the log, but the fact that the password changed does.
        if let (Some(new), Some(map)) = (&patch.password_hash, after_json.as_object_mut()) {
            map.insert("password_changed".into(), json!(true));
            if new.is_none() {
                map.insert("password_removed".into(), json!(true));
            }
        }
        audit(conn, account, actor, "user.update", "user", id, Some(user_json(&before)), Some(after_json))?;
        Ok(after)
    })
}

/// Deletes a user with everything that hangs off them (assignments, memberships, keys). Refused
/// ([`StoreError::InUse`]) for the superadmin and for users who appear in the history.
pub fn delete(
    conn: &mut DbConn,
    account: AccountId,
    id: UserId,
    expected_version: Option<i64>,
    actor: &Actor,
) -> StoreResult<()> {
    crate::common::write_tx(conn, |conn| {
        let before = get(conn, account, id)?;
        bump_version(conn, account, id, expected_version)?;
        let superadmin: Option<AccountId> = accounts::table
            .filter(accounts::id.eq(account).and(accounts::superadmin_user_id.eq(id)))
            .select(accounts::id)
            .first(conn)
            .optional()?;
        if superadmin.is_some() {
            return Err(StoreError::InUse {
                entity: "user",
                message: "the account's superadmin cannot be deleted; transfer the role first".into(),
            });
        }
        diesel::delete(users::table.filter(users::account_id.eq(account).and(users::id.eq(id)))).execute(conn)?;
        bump_access_version(conn, account)?;
        audit(conn, account, actor, "user.delete", "user", id, Some(user_json(&before)), None)
    })
    .map_err(StoreError::on_delete("user"))
}

/// What a user has been given, beyond their record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UserAccess {
    pub roles: Vec<RoleId>,
    pub numbers: Vec<NumberId>,
    pub workgroups: Vec<WorkgroupId>,
    pub dashboard: DashboardAccess,
}

/// The user's roles, numbers, workgroups and dashboard access (sorted by id), in one round trip.
pub fn access(conn: &mut DbConn, account: AccountId, id: UserId) -> StoreResult<UserAccess> {
    let person = read_subjects(conn, account, &[id], RoleNamed::ById)?.pop().ok_or(StoreError::not_found("user"))?;
    Ok(UserAccess {
        roles: person.roles.iter().map(|s| parse_id(s)).collect::<StoreResult<_>>()?,
        numbers: person.numbers,
        workgroups: person.workgroups,
        dashboard: person.dashboard,
    })
}

/// The effective-permission inputs of a user, read in one round trip ([`subjects`] for one).
pub fn subject(conn: &mut DbConn, account: AccountId, id: UserId) -> StoreResult<Subject> {
    subjects(conn, account, &[id])?.pop().ok_or(StoreError::not_found("user"))
}

#[derive(QueryableByName)]
struct TaggedRow {
    #[diesel(sql_type = Text)]
    user_id: String,
    #[diesel(sql_type = Text)]
    tag: String,
    #[diesel(sql_type = Text)]
    value: String,
}

/// The effective-permission inputs of many people at once (status, superadmin flag, role keys,
/// numbers, workgroups, dashboard access; only the grants holding now), in one statement, in the
/// order of `people`. [`StoreError::NotFound`] when one is not a user of the account.
pub fn subjects(conn: &mut DbConn, account: AccountId, people: &[UserId]) -> StoreResult<Vec<Subject>> {
    read_subjects(conn, account, people, RoleNamed::ByKey)
}

/// How [`read_subjects`] names a person's roles: by key, as decisions do, or by id, as [`access`] shows them.
#[derive(Clone, Copy)]
enum RoleNamed {
    ByKey,
    ById,
}

fn read_subjects(
    conn: &mut DbConn,
    account: AccountId,
    people: &[UserId],
    named: RoleNamed,
) -> StoreResult<Vec<Subject>> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = people.iter().map(ToString::to_string).collect();
    let t = to_db_time(now());
    let mut b = SqlBuf::new(conn.backend());
    b.sql("SELECT x.id AS user_id, 'status' AS tag, x.status AS value FROM users x WHERE x.account_id = ")
        .text(account);
    b.sql(" AND x.id IN ").list(&ids);
    b.sql(" UNION ALL SELECT x.superadmin_user_id AS user_id, 'superadmin' AS tag, x.id AS value FROM accounts x");
    b.sql(" WHERE x.id = ").text(account).sql(" AND x.superadmin_user_id IN ").list(&ids);
    let role = match named {
        RoleNamed::ByKey => "r.key",
        RoleNamed::ById => "r.id",
    };
    b.sql(&format!(" UNION ALL SELECT x.user_id AS user_id, 'role' AS tag, {role} AS value FROM role_assignments x"));
    b.sql(" JOIN roles r ON r.account_id = x.account_id AND r.id = x.role_id WHERE x.account_id = ").text(account);
    b.sql(" AND x.user_id IN ").list(&ids);
    b.holding(t);
    for (table, tag, column, bounded) in [
        ("number_users", "number", "number_id", false),
        ("workgroup_members", "workgroup", "workgroup_id", false),
        ("dashboard_workgroups", "dashboard_workgroup", "workgroup_id", true),
        ("dashboard_ivrs", "dashboard_ivr", "ivr_id", true),
    ] {
        b.sql(&format!(" UNION ALL SELECT x.user_id AS user_id, '{tag}' AS tag, x.{column} AS value FROM {table} x"));
        b.sql(" WHERE x.account_id = ").text(account).sql(" AND x.user_id IN ").list(&ids);
        if bounded {
            b.holding(t);
        }
    }
    let rows: Vec<TaggedRow> = b.load(conn)?;
    let mut by_person: BTreeMap<String, Subject> = BTreeMap::new();
    let mut found = std::collections::BTreeSet::new();
    for row in rows {
        let subject = by_person.entry(row.user_id.clone()).or_default();
        match row.tag.as_str() {
            "status" => {
                subject.user_id = parse_id(&row.user_id)?;
                subject.status = parse_status(&row.value)?;
                found.insert(row.user_id);
            }
            "superadmin" => subject.superadmin = true,
            "role" => subject.roles.push(row.value),
            "number" => subject.numbers.push(parse_id(&row.value)?),
            "workgroup" => subject.workgroups.push(parse_id(&row.value)?),
            "dashboard_workgroup" => subject.dashboard.workgroups.push(parse_id(&row.value)?),
            "dashboard_ivr" => subject.dashboard.ivrs.push(parse_id(&row.value)?),
            other => return Err(StoreError::InvalidInput(format!("unexpected subject row `{other}`"))),
        }
    }
    people
        .iter()
        .map(|p| {
            let key = p.to_string();
            let mut s = by_person.remove(&key).filter(|_| found.contains(&key)).ok_or(StoreError::not_found("user"))?;
            s.roles.sort();
            s.numbers.sort();
            s.workgroups.sort();
            s.dashboard.workgroups.sort();
            s.dashboard.ivrs.sort();
            Ok(s)
        })
        .collect()
}

/// A person's business numbers or workgroups, replaced as a whole.
#[derive(Debug, Clone, Copy)]
pub enum Memberships<'a> {
    Numbers(&'a [NumberId]),
    Workgroups(&'a [WorkgroupId]),
}

/// Replaces the business numbers assigned to a user, or the workgroups they belong to.
pub fn set_memberships(
    conn: &mut DbConn,
    account: AccountId,
    id: UserId,
    memberships: Memberships<'_>,
    expected_version: Option<i64>,
    actor: &Actor,
) -> StoreResult<UserAccess> {
    let target = (account, id, expected_version);
    match memberships {
        Memberships::Numbers(numbers) => {
            let values = ids(numbers);
            change_access(conn, target, actor, "user.set_numbers", |conn| {
                crate::common::replace_rows!(conn, number_users, account, user_id = id, number_id, values);
                Ok(())
            })
        }
        Memberships::Workgroups(workgroups) => {
            let values = ids(workgroups);
            change_access(conn, target, actor, "user.set_workgroups", |conn| {
                crate::common::replace_rows!(conn, workgroup_members, account, user_id = id, workgroup_id, values);
                Ok(())
            })
        }
    }
}

/// Replaces a user's dashboard access (workgroups and IVRs whose data they may see).
pub fn set_dashboard_access(
    conn: &mut DbConn,
    account: AccountId,
    id: UserId,
    dashboard: &DashboardAccess,
    expected_version: Option<i64>,
    actor: &Actor,
) -> StoreResult<UserAccess> {
    set_dashboard_access_bounded(conn, account, id, dashboard, Bounds::default(), expected_version, actor)
}

/// [`set_dashboard_access`] for a time: every entry holds within `bounds`.
pub fn set_dashboard_access_bounded(
    conn: &mut DbConn,
    account: AccountId,
    id: UserId,
    dashboard: &DashboardAccess,
    bounds: Bounds,
    expected_version: Option<i64>,
    actor: &Actor,
) -> StoreResult<UserAccess> {
    let wgs: Vec<_> = ids(&dashboard.workgroups).into_iter().map(|w| (w, bounds)).collect();
    let ivrs: Vec<_> = ids(&dashboard.ivrs).into_iter().map(|i| (i, bounds)).collect();
    change_access(conn, (account, id, expected_version), actor, "user.set_dashboard_access", |conn| {
        diesel::delete(
            dashboard_workgroups::table
                .filter(dashboard_workgroups::account_id.eq(account).and(dashboard_workgroups::user_id.eq(id))),
        )
        .execute(&mut *conn)?;
        diesel::delete(
            dashboard_ivrs::table.filter(dashboard_ivrs::account_id.eq(account).and(dashboard_ivrs::user_id.eq(id))),
        )
        .execute(&mut *conn)?;
        insert_bounded!(conn, dashboard_workgroups, account, id, workgroup_id, wgs);
        insert_bounded!(conn, dashboard_ivrs, account, id, ivr_id, ivrs);
        Ok(())
    })
}

/// Inserts one person's rows of a table of time-bound grants (`$member` and its bounds each).
macro_rules! insert_bounded {
    ($conn:expr, $table:ident, $account:expr, $user:expr, $member:ident, $rows:expr) => {{
        let t = to_db_time(crate::common::now());
        let rows: Vec<_> = $rows
            .iter()
            .map(|(member, bounds)| {
                let starts = bounds.starts_at.map(to_db_time);
                (
                    $table::account_id.eq($account),
                    $table::user_id.eq($user),
                    $table::$member.eq(*member),
                    $table::starts_at.eq(starts),
                    $table::expires_at.eq(bounds.expires_at.map(to_db_time)),
                    // a grant that starts later is announced by the sweep when it starts
                    $table::start_announced.eq(starts.is_none_or(|s| s <= t)),
                )
            })
            .collect();
        if !rows.is_empty() {
            crate::per_backend!(&mut *$conn, c => diesel::insert_into($table::table).values(rows).execute(c))?;
        }
    }};
}
use insert_bounded;

/// A person's grants of `$table` holding now, each with when it ends (a copy keeps the end).
macro_rules! holding_with_end {
    ($conn:expr, $table:ident, $account:expr, $user:expr, $member:ident: $Member:ty) => {{
        let t = to_db_time(now());
        let rows: Vec<($Member, Option<NaiveDateTime>)> = $table::table
            .filter($table::account_id.eq($account).and($table::user_id.eq($user)))
            .filter(holding_at!($table, t))
            .select(($table::$member, $table::expires_at))
            .load(&mut *$conn)?;
        rows.into_iter()
            .map(|(member, end)| (member, Bounds { starts_at: None, expires_at: end.map(from_db_time) }))
            .collect::<Vec<($Member, Bounds)>>()
    }};
}

/// The next instant a time-bound grant of the user starts or expires, if any: what the user's cached
/// access is good until.
pub fn next_access_change(conn: &mut DbConn, account: AccountId, id: UserId) -> StoreResult<Option<DateTime<Utc>>> {
    let t = to_db_time(now());
    let mut next: Option<NaiveDateTime> = None;
    macro_rules! earliest {
        ($table:ident) => {
            let starts: Option<NaiveDateTime> = $table::table
                .filter($table::account_id.eq(account).and($table::user_id.eq(id)))
                .filter($table::starts_at.gt(t))
                .select(diesel::dsl::min($table::starts_at))
                .first(conn)?;
            let expires: Option<NaiveDateTime> = $table::table
                .filter($table::account_id.eq(account).and($table::user_id.eq(id)))
                .filter($table::expires_at.gt(t))
                .select(diesel::dsl::min($table::expires_at))
                .first(conn)?;
            next = [next, starts, expires].into_iter().flatten().min();
        };
    }
    earliest!(role_assignments);
    earliest!(dashboard_workgroups);
    earliest!(dashboard_ivrs);
    Ok(next.map(from_db_time))
}

/// One change to a user's access, in one transaction: moves the user (account, id) to the next
/// version (refusing a stale `expected` one), writes, then audits the access before and after.
fn change_access(
    conn: &mut DbConn,
    (account, id, expected_version): (AccountId, UserId, Option<i64>),
    actor: &Actor,
    action: &str,
    write: impl FnOnce(&mut DbConn) -> StoreResult<()>,
) -> StoreResult<UserAccess> {
    crate::common::write_tx(conn, |conn| {
        let before = access(conn, account, id)?;
        bump_version(conn, account, id, expected_version)?;
        write(conn)?;
        finish_access_change(conn, account, id, actor, action, before)
    })
}

pub(crate) fn finish_access_change(
    conn: &mut DbConn,
    account: AccountId,
    id: UserId,
    actor: &Actor,
    action: &str,
    before: UserAccess,
) -> StoreResult<UserAccess> {
    let after = access(conn, account, id)?;
    bump_access_version(conn, account)?;
    let (before, after_json) = (serde_json::to_value(&before)?, serde_json::to_value(&after)?);
    audit(conn, account, actor, action, "user", id, Some(before), Some(after_json))?;
    Ok(after)
}

/// Invites a new user with the settings of `source`: roles, numbers, workgroups and dashboard access.
pub fn duplicate(
    conn: &mut DbConn,
    account: AccountId,
    source: UserId,
    new: &NewUser,
    actor: &Actor,
) -> StoreResult<(User, UserAccess)> {
    crate::common::write_tx(conn, |conn| {
        let from = access(conn, account, source)?;
        let user = insert(conn, account, UserId::new_random(), new)?;
        let id = user.id;
        // What holds now is copied, a time-bound grant with its end: a copy never outlives its source.
        for (role, bounds) in holding_with_end!(conn, role_assignments, account, source, role_id: RoleId) {
            let grant = crate::repo::grants::Grant { bounds, ..crate::repo::grants::Grant::by(actor) };
            crate::repo::grants::insert_bounded(conn, account, id, &[role], &grant)?;
        }
        crate::common::replace_rows!(conn, number_users, account, user_id = id, number_id, ids(&from.numbers));
        crate::common::replace_rows!(
            conn,
            workgroup_members,
            account,
            user_id = id,
            workgroup_id,
            ids(&from.workgroups)
        );
        let wgs = holding_with_end!(conn, dashboard_workgroups, account, source, workgroup_id: WorkgroupId);
        insert_bounded!(conn, dashboard_workgroups, account, id, workgroup_id, wgs);
        let ivrs = holding_with_end!(conn, dashboard_ivrs, account, source, ivr_id: IvrId);
        insert_bounded!(conn, dashboard_ivrs, account, id, ivr_id, ivrs);
        let copied = access(conn, account, id)?;
        bump_access_version(conn, account)?;
        let after = json!({"user": user_json(&user), "source": source, "access": copied});
        audit(conn, account, actor, "user.duplicate", "user", id, None, Some(after))?;
        Ok((user, copied))
    })
}
