//! Pieces every repository uses: time, pages and cursors, actors, audit writing, id parsing.

use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{accounts, audit_events, event_counters};
use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use serde::Serialize;
use switchboard_core::AccountId;
use uuid::Uuid;

/// Largest page a list call returns.
pub const MAX_PAGE: u32 = 500;

/// Current time, at the microsecond precision both backends keep.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub(crate) fn to_db_time(t: DateTime<Utc>) -> NaiveDateTime {
    t.trunc_subsecs(6).naive_utc()
}

pub(crate) fn from_db_time(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

pub(crate) fn parse_id<T: From<Uuid>>(s: &str) -> StoreResult<T> {
    Uuid::parse_str(s).map(T::from).map_err(|e| StoreError::InvalidInput(format!("stored id `{s}` is not a UUID: {e}")))
}

/// Which page of a list to read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// Items per page, 1 to [`MAX_PAGE`] (0 means the default of 50).
    pub limit: u32,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageRequest {
    pub fn first(limit: u32) -> PageRequest {
        PageRequest { limit, cursor: None }
    }

    pub fn after(limit: u32, cursor: impl Into<String>) -> PageRequest {
        PageRequest { limit, cursor: Some(cursor.into()) }
    }

    pub(crate) fn effective_limit(&self) -> i64 {
        i64::from(if self.limit == 0 { 50 } else { self.limit.min(MAX_PAGE) })
    }

    /// The decoded cursor parts, checked to have `n` parts.
    pub(crate) fn cursor_parts(&self, n: usize) -> StoreResult<Option<Vec<String>>> {
        match &self.cursor {
            None => Ok(None),
            Some(c) => {
                let parts = decode_cursor(c)?;
                if parts.len() != n {
                    return Err(bad_cursor());
                }
                Ok(Some(parts))
            }
        }
    }
}

/// One page of a list and the cursor of the next one (`None` at the end).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows: the extra row only says that there is a next page.
    pub(crate) fn from_rows(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> Vec<String>) -> Page<T> {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|last| encode_cursor(&key(last)))
        } else {
            None
        };
        Page { items: rows, next_cursor }
    }
}

pub(crate) fn bad_cursor() -> StoreError {
    StoreError::InvalidInput("the cursor is not one this list produced".into())
}

/// Cursors are opaque to clients: the sort key of the last item, hex-encoded.
pub(crate) fn encode_cursor(parts: &[String]) -> String {
    let joined = parts.join("\u{1f}");
    joined.bytes().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn decode_cursor(cursor: &str) -> StoreResult<Vec<String>> {
    if !cursor.len().is_multiple_of(2) || cursor.len() > 4096 {
        return Err(bad_cursor());
    }
    let bytes = (0..cursor.len())
        .step_by(2)
        .map(|i| cursor.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(bad_cursor)?;
    let text = String::from_utf8(bytes).map_err(|_| bad_cursor())?;
    Ok(text.split('\u{1f}').map(str::to_owned).collect())
}

/// Who made a change (recorded in the audit log).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    /// A user of the account, signed in.
    User(switchboard_core::UserId),
    /// An API key acting as its user.
    ApiKey(Uuid),
    /// An identity provider, through its SCIM token (judged as the token's creator).
    ScimToken(Uuid),
    /// An identity provider, through a groups claim in its token, under this group mapping's
    /// authority (judged as the mapping's writer).
    IdentityProvider(Uuid),
    /// The platform operator.
    Operator,
    /// Switchboard itself (migrations, defaults).
    System,
}

impl Actor {
    pub(crate) fn columns(&self) -> (&'static str, Option<String>) {
        match self {
            Actor::User(u) => ("user", Some(u.to_string())),
            Actor::ApiKey(k) => ("api_key", Some(k.to_string())),
            Actor::ScimToken(k) => ("scim_token", Some(k.to_string())),
            Actor::IdentityProvider(m) => ("identity_provider", Some(m.to_string())),
            Actor::Operator => ("operator", None),
            Actor::System => ("system", None),
        }
    }

    /// `user:<id>`, `api_key:<id>`, `operator` or `system`: who acted, in one text column.
    pub(crate) fn label(&self) -> String {
        match self.columns() {
            (kind, Some(id)) => format!("{kind}:{id}"),
            (kind, None) => kind.to_owned(),
        }
    }

    pub(crate) fn from_columns(kind: &str, id: Option<&str>) -> StoreResult<Actor> {
        Ok(match (kind, id) {
            ("user", Some(id)) => Actor::User(parse_id(id)?),
            ("api_key", Some(id)) => Actor::ApiKey(parse_id(id)?),
            ("scim_token", Some(id)) => Actor::ScimToken(parse_id(id)?),
            ("identity_provider", Some(id)) => Actor::IdentityProvider(parse_id(id)?),
            ("operator", _) => Actor::Operator,
            ("system", _) => Actor::System,
            _ => return Err(StoreError::InvalidInput(format!("stored actor `{kind}` is not known"))),
        })
    }
}

/// An audit entry about to be written, inside the transaction of the change it records.
pub(crate) struct AuditEntry<'a> {
    pub account: AccountId,
    pub actor: &'a Actor,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Writes the entry, which is also the account's next change event (the audit log is the outbox of
/// webhooks, the event feed and the NATS sink). The account's event counter is moved on in the same
/// transaction: that locks the counter's row until commit, so events commit in the order of their
/// numbers and a reader that has seen number n has seen every number before it. The counter is a row
/// of its own, taken when the change is audited (after the rows it writes), so it adds no lock-order
/// cycle with the transactions that lock the account row or a record first.
pub(crate) fn write_audit(conn: &mut DbConn, entry: AuditEntry<'_>) -> StoreResult<()> {
    let (actor_kind, actor_id) = entry.actor.columns();
    transaction(conn, |conn| {
        let account = entry.account;
        let first = (event_counters::account_id.eq(&account), event_counters::seq.eq(1i64));
        crate::per_backend!(&mut *conn, c => diesel::insert_into(event_counters::table)
            .values(first)
            .on_conflict(event_counters::account_id)
            .do_update()
            .set(event_counters::seq.eq(event_counters::seq + 1))
            .execute(c))?;
        let seq: i64 = event_counters::table.find(&account).select(event_counters::seq).first(conn)?;
        diesel::insert_into(audit_events::table)
            .values((
                audit_events::account_id.eq(&account),
                audit_events::id.eq(Uuid::new_v4().to_string()),
                audit_events::actor_kind.eq(actor_kind),
                audit_events::actor_id.eq(actor_id),
                audit_events::action.eq(entry.action),
                audit_events::target_type.eq(entry.target_type),
                audit_events::target_id.eq(entry.target_id),
                audit_events::before_state.eq(entry.before.map(|v| v.to_string())),
                audit_events::after_state.eq(entry.after.map(|v| v.to_string())),
                audit_events::at.eq(to_db_time(now())),
                audit_events::seq.eq(seq),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Marks the account's permission inputs as changed (roles, assignments, memberships, numbers,
/// dashboard access, user status): caches keyed by the account's access version become stale.
pub(crate) fn bump_access_version(conn: &mut DbConn, account: AccountId) -> StoreResult<()> {
    let n = diesel::update(accounts::table.find(account))
        .set(accounts::access_version.eq(accounts::access_version + 1))
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::not_found("account"));
    }
    // Other instances sharing PostgreSQL hear of it when (and only if) the transaction commits.
    if let DbConn::Postgresql(pg) = conn {
        crate::notify::announce(pg, account)?;
    }
    Ok(())
}

/// Runs `f` in a transaction (a savepoint inside another) and, when it fails, answers `f`'s own error.
/// diesel answers the rollback's error instead when the rollback fails, which it does whenever SQLite
/// already rolled the transaction back on its own (a full disk, an I/O error): the cause was lost
/// behind "not in transaction". A connection whose rollback failed is still dropped by the pool.
pub(crate) fn transaction<T, E: From<diesel::result::Error>>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E> {
    let mut cause = None;
    let out = conn.transaction(|conn| {
        f(conn).map_err(|e| {
            cause = Some(e);
            diesel::result::Error::RollbackTransaction
        })
    });
    out.map_err(|rollback| cause.unwrap_or_else(|| rollback.into()))
}

/// Runs `f` on one snapshot of the database, so that several statements reading what ingest changes
/// together (a report's totals and the records counted beside them) agree: a record stored between two
/// of them would otherwise be taken away by one and never added by the other. PostgreSQL: a read-only
/// `REPEATABLE READ` transaction; SQLite: a deferred one, whose first read fixes the snapshot. Inside a
/// caller's transaction, that one's.
pub fn read_snapshot<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> StoreResult<T>) -> StoreResult<T> {
    use diesel::connection::{Connection, TransactionManager};
    let depth = <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn).transaction_depth()?;
    if depth.is_some() {
        return f(conn);
    }
    transaction(conn, |conn| {
        if conn.backend() == crate::db::Backend::Postgres {
            diesel::connection::SimpleConnection::batch_execute(
                conn,
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
            )?;
        }
        f(conn)
    })
}

/// Runs `f` in a transaction that writes. On SQLite the write lock is taken first (waiting up to the
/// busy timeout): a transaction that read before writing would otherwise have to upgrade its read
/// snapshot, which SQLite refuses at once with "database is locked" when another writer got there first.
pub(crate) fn write_tx<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> StoreResult<T>) -> StoreResult<T> {
    write_transaction(conn, f)
}

/// How work in a transaction failed: storage, or the work itself with an error of its own.
pub(crate) enum Failed<E> {
    Storage(StoreError),
    Work(E),
}

impl<E> From<diesel::result::Error> for Failed<E> {
    fn from(e: diesel::result::Error) -> Self {
        Failed::Storage(e.into())
    }
}

impl<E: From<StoreError>> Failed<E> {
    pub(crate) fn into_error(self) -> E {
        match self {
            Failed::Storage(e) => E::from(e),
            Failed::Work(e) => e,
        }
    }
}

/// [`write_tx`] for work whose errors are its caller's own (a server's decision inside the
/// transaction that stores, say): whatever `work` answers, or storage's error turned into `E`.
pub fn write_transaction<T, E: From<StoreError>>(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E> {
    transaction(conn, |conn| -> Result<T, Failed<E>> {
        if let DbConn::Sqlite(lite) = conn {
            crate::db::take_sqlite_write_lock(lite).map_err(Failed::Storage)?;
        }
        work(conn).map_err(Failed::Work)
    })
    .map_err(Failed::into_error)
}

/// The first of `wanted` that `existing` does not find. `existing` gets the distinct ids, 500 at a
/// time, and answers those that name a record (of the caller's account).
pub(crate) fn first_unknown<T: Copy + Ord>(
    wanted: &[T],
    mut existing: impl FnMut(&[T]) -> StoreResult<Vec<T>>,
) -> StoreResult<Option<T>> {
    let mut known = std::collections::BTreeSet::new();
    for chunk in ids(wanted).chunks(500) {
        known.extend(existing(chunk)?);
    }
    Ok(wanted.iter().copied().find(|w| !known.contains(w)))
}

pub(crate) fn ids<T: Ord + Copy>(ids: &[T]) -> Vec<T> {
    let mut v = ids.to_vec();
    v.sort();
    v.dedup();
    v
}

/// A name of a workgroup, IVR or user ([`DisplayName`]'s rule).
pub(crate) fn check_name(name: &str) -> StoreResult<()> {
    switchboard_core::DisplayName::parse(name)?;
    Ok(())
}

/// The audit event of a change to one record.
#[allow(clippy::too_many_arguments)] // one audit entry, spelled out at each call site
pub(crate) fn audit(
    conn: &mut DbConn,
    account: AccountId,
    actor: &Actor,
    action: &str,
    target_type: &str,
    id: impl ToString,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> StoreResult<()> {
    let target_id = Some(id.to_string());
    write_audit(conn, AuditEntry { account, actor, action, target_type, target_id, before, after })
}

/// What a change to one record is: its account, who makes it, the audit action, the record's type
/// and id, and whether it changes anybody's access (then the account's access version moves on).
pub(crate) struct RecordChange<'a> {
    pub account: AccountId,
    pub actor: &'a Actor,
    pub action: &'static str,
    pub target_type: &'static str,
    pub id: String,
    pub changes_access: bool,
}

/// A change to one record in one transaction: reads it, writes, reads it again, and audits both
/// states. Gives the record as it is after.
pub(crate) fn change_record<T: serde::Serialize>(
    conn: &mut DbConn,
    change: RecordChange<'_>,
    read: impl Fn(&mut DbConn) -> StoreResult<T>,
    write: impl FnOnce(&mut DbConn) -> StoreResult<()>,
) -> StoreResult<T> {
    write_tx(conn, |conn| {
        let before = read(conn)?;
        write(conn)?;
        let after = read(conn)?;
        if change.changes_access {
            bump_access_version(conn, change.account)?;
        }
        let (before_json, after_json) = (serde_json::to_value(&before)?, serde_json::to_value(&after)?);
        let RecordChange { account, actor, action, target_type, id, .. } = change;
        audit(conn, account, actor, action, target_type, id, Some(before_json), Some(after_json))?;
        Ok(after)
    })
}

/// Most rows one `INSERT` of membership rows writes (three bound parameters each).
pub(crate) const ROWS_PER_STATEMENT: usize = 1000;

/// Replaces the rows of a membership table that belong to one owner (a user's numbers, a workgroup's
/// members, a number's users, an IVR's numbers): deletes them, then inserts one row per value (typed ids).
macro_rules! replace_rows {
    ($conn:expr, $table:ident, $account:expr, $owner_col:ident = $owner:expr, $member_col:ident, $values:expr) => {{
        let (a, o) = ($account, $owner);
        diesel::delete($table::table.filter($table::account_id.eq(a).and($table::$owner_col.eq(o))))
            .execute(&mut *$conn)?;
        // In statements of at most ROWS_PER_STATEMENT rows: one statement for a large group would pass
        // the bound parameters a statement may carry (32,766 on SQLite, 65,535 on PostgreSQL).
        for chunk in $values.chunks(crate::common::ROWS_PER_STATEMENT) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|v| ($table::account_id.eq(a), $table::$owner_col.eq(o), $table::$member_col.eq(*v)))
                .collect();
            crate::per_backend!(&mut *$conn, c => diesel::insert_into($table::table).values(rows).execute(c))?;
        }
    }};
}
pub(crate) use replace_rows;

/// The rows of a membership table for many owners at once, as owner id → member ids (each list
/// sorted): one query per 500 owners, so a page of records costs one query, not one per record.
macro_rules! members_by_owner {
    (
        $conn:expr, $table:ident, $account:expr, $owner_col:ident: $Owner:ty, $member_col:ident: $Member:ty,
        $owners:expr
    ) => {{
        let a = $account;
        let mut by_owner: std::collections::HashMap<$Owner, Vec<$Member>> = std::collections::HashMap::new();
        for chunk in $owners.chunks(500) {
            let pairs: Vec<($Owner, $Member)> = $table::table
                .filter($table::account_id.eq(a).and($table::$owner_col.eq_any(chunk)))
                .select(($table::$owner_col, $table::$member_col))
                .order(($table::$owner_col, $table::$member_col))
                .load(&mut *$conn)?;
            for (owner, member) in pairs {
                by_owner.entry(owner).or_default().push(member);
            }
        }
        by_owner
    }};
}
pub(crate) use members_by_owner;

/// The row of one of an account's records, by id, read as `$row`; [`StoreError::NotFound`] naming
/// `$entity` when the account has no such record.
macro_rules! find_row {
    ($conn:expr, $table:ident, $account:expr, $id:expr, $row:ty, $entity:literal) => {
        $table::table
            .filter($table::account_id.eq($account).and($table::id.eq($id)))
            .select(<$row>::as_select())
            .first::<$row>(&mut *$conn)
            .optional()?
            .ok_or(crate::error::StoreError::not_found($entity))?
    };
}
pub(crate) use find_row;

/// One page of records ordered by a unique text column (an email, a key, a name, an E.164 number):
/// the first `limit + 1` rows of `$query` after the cursor, read as `$row`. Gives the rows and the
/// page's limit, for [`Page::from_rows`].
macro_rules! page_by_text {
    // The account's records of `$table`, by `$column`.
    ($conn:expr, $table:ident of $account:expr, by $column:ident, $row:ty, $page:expr) => {
        crate::common::page_by_text!(
            $conn,
            $table::table.filter($table::account_id.eq($account)),
            by $table::$column,
            $row,
            $page
        )
    };
    // By a column of ids: the cursor's value is read back into the id type.
    ($conn:expr, $query:expr, by id $column:expr => $Id:ty, $row:ty, $page:expr) => {
        crate::common::page_by_text!(@after $conn, $query, $column, $row, $page,
            |c: &str| -> crate::error::StoreResult<$Id> {
                crate::common::parse_id(c).map_err(|_| crate::common::bad_cursor())
            })
    };
    ($conn:expr, $query:expr, by $column:expr, $row:ty, $page:expr) => {
        crate::common::page_by_text!(@after $conn, $query, $column, $row, $page,
            |c: &str| -> crate::error::StoreResult<String> { Ok(c.to_owned()) })
    };
    // The page after the cursor, whose value `$key` reads.
    (@after $conn:expr, $query:expr, $column:expr, $row:ty, $page:expr, $key:expr) => {{
        let limit = $page.effective_limit();
        let mut q = $query.select(<$row>::as_select()).order($column.asc()).limit(limit + 1).into_boxed();
        if let Some(c) = $page.cursor_parts(1)? {
            q = q.filter($column.gt(($key)(&c[0])?));
        }
        let rows: Vec<$row> = q.load(&mut *$conn)?;
        (rows, limit)
    }};
}
pub(crate) use page_by_text;

/// An account's records of `$table` in order of creation, for SCIM's index paging: how many there
/// are, and the rows at `offset..offset + limit`, read as `$row` (`limit: None` reads to the end).
macro_rules! by_creation {
    ($conn:expr, $table:ident of $account:expr, $row:ty, $offset:expr, $limit:expr) => {{
        let of_account = || $table::table.filter($table::account_id.eq($account));
        let total: i64 = of_account().count().get_result(&mut *$conn)?;
        let query = of_account().order(($table::created_at, $table::id)).select(<$row>::as_select()).offset($offset);
        let rows: Vec<$row> = match $limit {
            Some(limit) => query.limit(limit).load(&mut *$conn)?,
            None => query.load(&mut *$conn)?,
        };
        (total, rows)
    }};
}
pub(crate) use by_creation;

/// When a grant (a role assignment, a dashboard-access entry) holds: from `starts_at` (at once when
/// absent) until `expires_at` (for good when absent). Decisions read only the grants holding now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Bounds {
    pub starts_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl Bounds {
    pub fn is_permanent(&self) -> bool {
        self.starts_at.is_none() && self.expires_at.is_none()
    }
}

/// The rows of `$table` (with `starts_at`/`expires_at` columns) that hold at `$at` (a database time).
macro_rules! holding_at {
    ($table:ident, $at:expr) => {
        $table::starts_at
            .is_null()
            .or($table::starts_at.le($at))
            .and($table::expires_at.is_null().or($table::expires_at.gt($at)))
    };
}
pub(crate) use holding_at;
