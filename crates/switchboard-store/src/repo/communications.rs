//! Communications (calls, messages, voicemails, recordings): ingest, and the scoped history.
//!
//! A [`Visibility`] (a principal's data scope, computed by the core) is evaluated by the database,
//! never by loading the account's records:
//! - pages ([`list`]): one statement in which every part of the scope (the user's own records, each
//!   workgroup, number and IVR) reads its own ordered index range up to one page, `UNION ALL`, cut to
//!   the page — a sparse scope costs about a page of index entries per part (see `history_sql`);
//! - counts ([`counts`]): grouped in SQL over the OR of the scope's conditions, written on PostgreSQL
//!   so that every part is an index condition (bitmap scans OR-ed) rather than a subplan;
//! - one record ([`get`]): the OR of the scope's conditions and the id.
//!
//! The storage test-suite checks all three against the core's `Policy::can_see` on random data.

use crate::common::{Actor, AuditEntry, Page, PageRequest, from_db_time, to_db_time, write_audit};
use crate::db::{Backend, DbConn, MultiBackend};
use crate::error::{StoreError, StoreResult};
use crate::repo::history_sql::{Bind, COMM_COLUMNS, CommRow, SqlBuf};
use crate::schema::{communication_participants as parts, communications as comms};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use switchboard_core::{
    AccountId, CommunicationId, CommunicationRef, IvrId, NumberId, UserId, Visibility, WorkgroupId,
};
use uuid::Uuid;

pub use switchboard_core::CommunicationKind;

/// A stored kind, read back.
pub(crate) fn kind_of(s: &str) -> StoreResult<CommunicationKind> {
    CommunicationKind::parse(s).ok_or_else(|| StoreError::InvalidInput(format!("`{s}` is not a communication kind")))
}

/// Which way a communication went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DirectionView))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
    Internal,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
            Direction::Internal => "internal",
        }
    }

    fn parse(s: &str) -> StoreResult<Direction> {
        match s {
            "inbound" => Ok(Direction::Inbound),
            "outbound" => Ok(Direction::Outbound),
            "internal" => Ok(Direction::Internal),
            other => Err(StoreError::InvalidInput(format!("`{other}` is not a direction"))),
        }
    }
}

// Stored ones have their id; one to ingest ([`NewCommunication`]) may leave it out to have one
// generated.
/// The metadata of one call, message, voicemail or recording.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Communication<Id = CommunicationId> {
    pub id: Id,
    pub kind: CommunicationKind,
    pub direction: Direction,
    pub number: Option<NumberId>,
    pub workgroup: Option<WorkgroupId>,
    pub ivr: Option<IvrId>,
    /// The users who took part, sorted.
    pub participants: Vec<UserId>,
    pub started_at: DateTime<Utc>,
    pub duration_seconds: i32,
    pub has_recording: bool,
}

impl<Id> Communication<Id> {
    /// What the core's [`switchboard_core::Policy::can_see`] needs.
    pub fn as_ref(&self) -> CommunicationRef<'_> {
        CommunicationRef {
            kind: self.kind,
            number: self.number,
            workgroup: self.workgroup,
            ivr: self.ivr,
            participants: &self.participants,
        }
    }
}

/// A communication to ingest. `id`: `None` to have one generated.
pub type NewCommunication = Communication<Option<CommunicationId>>;

/// Filters of the history list; all present filters must match. `from` and `until` make a half-open
/// range: one that is empty (`until` at or before `from`) simply matches nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct CommunicationFilter {
    pub kind: Option<CommunicationKind>,
    pub number: Option<NumberId>,
    pub workgroup: Option<WorkgroupId>,
    pub ivr: Option<IvrId>,
    /// Records this user took part in.
    pub user: Option<UserId>,
    /// Started at or after (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Started before (RFC 3339).
    pub until: Option<DateTime<Utc>>,
}

impl CommunicationFilter {
    /// Whether no filter is set.
    pub(crate) fn is_empty(&self) -> bool {
        *self == CommunicationFilter::default()
    }
}

/// Most communications one ingest call takes.
pub const MAX_INGEST: usize = 10_000;
const ROWS_PER_INSERT: usize = 500;

/// Stores communications and their participants in one transaction (all or nothing). Every
/// reference must name a record of the same account; the database refuses anything else.
pub fn ingest(
    conn: &mut DbConn,
    account: AccountId,
    items: &[NewCommunication],
    actor: &Actor,
) -> StoreResult<Vec<CommunicationId>> {
    ingest_judged(conn, account, items, actor, |_| Ok(()))
}

/// [`ingest`], with `judge` run first inside the same write transaction: whoever stores on someone's
/// behalf decides there, on what storage holds at that moment, whether they still may (and checks
/// what the records name), and nothing is stored unless `judge` says yes. One transaction, not a
/// transaction around another: a savepoint would journal every page the batch changes.
pub fn ingest_judged<E: From<StoreError>>(
    conn: &mut DbConn,
    account: AccountId,
    items: &[NewCommunication],
    actor: &Actor,
    judge: impl FnOnce(&mut DbConn) -> Result<(), E>,
) -> Result<Vec<CommunicationId>, E> {
    if items.len() > MAX_INGEST {
        return Err(StoreError::InvalidInput(format!("at most {MAX_INGEST} communications per call")).into());
    }
    if let Some(bad) = items.iter().find(|c| c.duration_seconds < 0) {
        return Err(StoreError::InvalidInput(format!("negative duration {}", bad.duration_seconds)).into());
    }
    store(conn, account, items, actor, "communications.ingest", judge)
}

/// Stores `items` in one transaction with one audit event (naming the communication when there is
/// just one). A record whose id this account already holds is a retry: with the same contents it is
/// answered as the first time and stored once; with other contents it is a conflict naming the id.
fn store<E: From<StoreError>>(
    conn: &mut DbConn,
    account: AccountId,
    items: &[NewCommunication],
    actor: &Actor,
    action: &str,
    judge: impl FnOnce(&mut DbConn) -> Result<(), E>,
) -> Result<Vec<CommunicationId>, E> {
    // Ids the store makes are time-ordered (UUIDv7): a batch's rows go to the end of the indexes led by
    // the id, not to a random page each, which every commit would write again.
    let ids: Vec<CommunicationId> =
        items.iter().map(|c| c.id.unwrap_or_else(|| CommunicationId::from(Uuid::now_v7()))).collect();
    crate::common::write_transaction(conn, |conn| {
        judge(conn)?;
        let stored = already_stored(conn, account, items)?;
        let mut fresh = Vec::with_capacity(items.len());
        let mut fresh_ids = Vec::with_capacity(items.len());
        for (item, id) in items.iter().zip(&ids) {
            match stored.get(id) {
                Some(existing) if same_contents(existing, item) => {}
                Some(_) => {
                    let message = crate::error::ALREADY_INGESTED.to_owned();
                    return Err(StoreError::Conflict { field: Some("id"), message }.into());
                }
                None => {
                    fresh.push(item.clone());
                    fresh_ids.push(*id);
                }
            }
        }
        if fresh.is_empty() {
            return Ok(ids);
        }
        insert_rows(conn, account, &fresh, &fresh_ids)?;
        // before the audit event, which concurrent writers of the account take in turns until commit
        let entries: Vec<crate::repo::totals::Entry> = fresh
            .iter()
            .map(|c| crate::repo::totals::Entry {
                started_at: to_db_time(c.started_at),
                kind: c.kind,
                number: c.number.map(|n| n.to_string()),
                workgroup: c.workgroup.map(|w| w.to_string()),
                ivr: c.ivr.map(|i| i.to_string()),
                has_recording: c.has_recording,
                duration_seconds: c.duration_seconds,
            })
            .collect();
        crate::repo::totals::add(conn, account, &entries)?;
        write_audit(
            conn,
            AuditEntry {
                account,
                actor,
                action,
                target_type: "communication",
                target_id: if fresh_ids.len() == 1 { fresh_ids.first().map(ToString::to_string) } else { None },
                before: None,
                after: Some(json!({"count": fresh_ids.len()})),
            },
        )?;
        Ok(ids)
    })
}

/// The account's communications among the ids `items` name.
fn already_stored(
    conn: &mut DbConn,
    account: AccountId,
    items: &[NewCommunication],
) -> StoreResult<BTreeMap<CommunicationId, Communication>> {
    let named: Vec<CommunicationId> = items.iter().filter_map(|c| c.id).collect();
    let mut stored = BTreeMap::new();
    for chunk in named.chunks(500) {
        let rows: Vec<CommRow> = comms::table
            .filter(comms::account_id.eq(account).and(comms::id.eq_any(chunk)))
            .select(CommRow::as_select())
            .load(conn)?;
        for c in with_participants(conn, account, rows)? {
            stored.insert(c.id, c);
        }
    }
    Ok(stored)
}

/// Whether a retry carries what was stored (participants as a set; times as stored).
fn same_contents(stored: &Communication, item: &NewCommunication) -> bool {
    let mut participants = item.participants.clone();
    participants.sort();
    participants.dedup();
    stored.kind == item.kind
        && stored.direction == item.direction
        && stored.number == item.number
        && stored.workgroup == item.workgroup
        && stored.ivr == item.ivr
        && stored.participants == participants
        && stored.started_at == from_db_time(to_db_time(item.started_at))
        && stored.duration_seconds == item.duration_seconds
        && stored.has_recording == item.has_recording
}

/// Writes the records and their participants: on SQLite one row per statement, the statement prepared
/// once per connection (a statement of 500 rows is prepared anew each call: 7% of the store's ingest);
/// on PostgreSQL one statement per table ([`insert_rows_unnested`]).
fn insert_rows(
    conn: &mut DbConn,
    account: AccountId,
    items: &[NewCommunication],
    ids: &[CommunicationId],
) -> StoreResult<()> {
    let conn = match conn {
        DbConn::Postgresql(pg) => return Ok(insert_rows_unnested(pg, account, items, ids)?),
        DbConn::Sqlite(lite) => lite,
    };
    for (c, id) in items.iter().zip(ids) {
        diesel::insert_into(comms::table)
            .values((
                comms::account_id.eq(account),
                comms::id.eq(*id),
                comms::kind.eq(c.kind.as_str()),
                comms::direction.eq(c.direction.as_str()),
                comms::number_id.eq(c.number),
                comms::workgroup_id.eq(c.workgroup),
                comms::ivr_id.eq(c.ivr),
                comms::started_at.eq(to_db_time(c.started_at)),
                comms::duration_seconds.eq(c.duration_seconds),
                comms::has_recording.eq(c.has_recording),
            ))
            .execute(conn)?;
        for u in crate::common::ids(&c.participants) {
            diesel::insert_into(parts::table)
                .values((
                    parts::account_id.eq(account),
                    parts::communication_id.eq(*id),
                    parts::user_id.eq(u),
                    parts::started_at.eq(to_db_time(c.started_at)),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// PostgreSQL: each table's rows as one array per column, `unnest`ed by one short statement, where
/// 500 rows of `VALUES` are parsed and planned value by value on every call.
fn insert_rows_unnested(
    conn: &mut diesel::PgConnection,
    account: AccountId,
    items: &[NewCommunication],
    ids: &[CommunicationId],
) -> QueryResult<()> {
    use diesel::sql_types::{Array, Integer, Text, Timestamp};
    for (chunk, chunk_ids) in items.chunks(ROWS_PER_INSERT).zip(ids.chunks(ROWS_PER_INSERT)) {
        let text = |f: &dyn Fn(&NewCommunication) -> Option<String>| chunk.iter().map(f).collect::<Vec<_>>();
        diesel::sql_query(
            "INSERT INTO communications (account_id, id, kind, direction, number_id, workgroup_id, ivr_id, \
             started_at, duration_seconds, has_recording) SELECT $1, * FROM unnest($2::text[], $3::text[], \
             $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamp[], $9::int4[], $10::bool[])",
        )
        .bind::<Text, _>(account.to_string())
        .bind::<Array<Text>, _>(chunk_ids.iter().map(ToString::to_string).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(chunk.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(chunk.iter().map(|c| c.direction.as_str()).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(text(&|c| c.number.map(|n| n.to_string())))
        .bind::<Array<Nullable<Text>>, _>(text(&|c| c.workgroup.map(|w| w.to_string())))
        .bind::<Array<Nullable<Text>>, _>(text(&|c| c.ivr.map(|i| i.to_string())))
        .bind::<Array<Timestamp>, _>(chunk.iter().map(|c| to_db_time(c.started_at)).collect::<Vec<_>>())
        .bind::<Array<Integer>, _>(chunk.iter().map(|c| c.duration_seconds).collect::<Vec<_>>())
        .bind::<Array<Bool>, _>(chunk.iter().map(|c| c.has_recording).collect::<Vec<_>>())
        .execute(conn)?;
        let (mut communication, mut user, mut started_at) = (Vec::new(), Vec::new(), Vec::new());
        for (c, id) in chunk.iter().zip(chunk_ids) {
            for u in crate::common::ids(&c.participants) {
                communication.push(id.to_string());
                user.push(u.to_string());
                started_at.push(to_db_time(c.started_at));
            }
        }
        if communication.is_empty() {
            continue;
        }
        diesel::sql_query(
            "INSERT INTO communication_participants (account_id, communication_id, user_id, started_at) \
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::timestamp[])",
        )
        .bind::<Text, _>(account.to_string())
        .bind::<Array<Text>, _>(communication)
        .bind::<Array<Text>, _>(user)
        .bind::<Array<Timestamp>, _>(started_at)
        .execute(conn)?;
    }
    Ok(())
}

/// Bulk load for seeding and imports: like [`ingest`] without the per-call limit, in one transaction,
/// with one audit event.
pub fn ingest_bulk(
    conn: &mut DbConn,
    account: AccountId,
    items: &[NewCommunication],
    actor: &Actor,
) -> StoreResult<usize> {
    Ok(store(conn, account, items, actor, "communications.import", |_| Ok::<_, StoreError>(()))?.len())
}

type Condition = Box<dyn BoxableExpression<comms::table, MultiBackend, SqlType = Nullable<Bool>>>;

fn took_part(account: AccountId, user: UserId) -> Condition {
    Box::new(
        comms::id
            .eq_any(
                parts::table
                    .filter(parts::account_id.eq(account))
                    .filter(parts::user_id.eq(user))
                    .select(parts::communication_id),
            )
            .nullable(),
    )
}

/// The scope condition of a visibility; `None` when everything is visible.
fn scope_condition(account: AccountId, visibility: &Visibility<'_>) -> Option<Condition> {
    match *visibility {
        Visibility::Everything => None,
        Visibility::Nothing => Some(Box::new(diesel::dsl::sql::<Bool>("1 = 0").nullable())),
        Visibility::Filter { participant, kinds, all, workgroups, numbers, dashboard_workgroups, dashboard_ivrs } => {
            // The OR of flat terms, each one index range (the kind goes into every term: the history
            // indexes carry it), so SQLite's planner can OR the ranges instead of scanning the account.
            let mut cond = took_part(account, participant);
            if kinds.is_empty() {
                return Some(cond);
            }
            let shown: Option<Vec<&'static str>> =
                (!kinds.is_all()).then(|| kinds.kinds().map(|k| k.as_str()).collect());
            let of_kinds = |term: Condition| -> Condition {
                match &shown {
                    Some(k) => Box::new(term.and(comms::kind.eq_any(k.clone()))),
                    None => term,
                }
            };
            if all {
                let every: Condition = Box::new(comms::account_id.eq(account).nullable());
                return Some(Box::new(cond.or(of_kinds(every))));
            }
            let mut wgs: Vec<WorkgroupId> = workgroups.iter().chain(dashboard_workgroups).copied().collect();
            wgs.sort();
            wgs.dedup();
            if !wgs.is_empty() {
                cond = Box::new(cond.or(of_kinds(Box::new(comms::workgroup_id.eq_any(wgs).nullable()))));
            }
            if !numbers.is_empty() {
                cond = Box::new(cond.or(of_kinds(Box::new(comms::number_id.eq_any(numbers.to_vec()).nullable()))));
            }
            if !dashboard_ivrs.is_empty() {
                cond = Box::new(cond.or(of_kinds(Box::new(comms::ivr_id.eq_any(dashboard_ivrs.to_vec()).nullable()))));
            }
            Some(cond)
        }
    }
}

/// Everything a history query filters on, as one boxed SQL condition.
pub(crate) fn condition(account: AccountId, visibility: &Visibility<'_>, filter: &CommunicationFilter) -> Condition {
    let mut cond: Condition = Box::new(comms::account_id.eq(account).nullable());
    if let Some(scope) = scope_condition(account, visibility) {
        cond = Box::new(cond.and(scope));
    }
    if let Some(kind) = filter.kind {
        cond = Box::new(cond.and(comms::kind.eq(kind.as_str())));
    }
    if let Some(n) = filter.number {
        cond = Box::new(cond.and(comms::number_id.eq(n)));
    }
    if let Some(w) = filter.workgroup {
        cond = Box::new(cond.and(comms::workgroup_id.eq(w)));
    }
    if let Some(i) = filter.ivr {
        cond = Box::new(cond.and(comms::ivr_id.eq(i)));
    }
    if let Some(u) = filter.user {
        cond = Box::new(cond.and(took_part(account, u)));
    }
    if let Some(from) = filter.from {
        cond = Box::new(cond.and(comms::started_at.ge(to_db_time(from))));
    }
    if let Some(until) = filter.until {
        cond = Box::new(cond.and(comms::started_at.lt(to_db_time(until))));
    }
    cond
}

fn with_participants(conn: &mut DbConn, account: AccountId, rows: Vec<CommRow>) -> StoreResult<Vec<Communication>> {
    let ids: Vec<CommunicationId> = rows.iter().map(|r| r.id).collect();
    let mut all: Vec<(CommunicationId, UserId)> = Vec::new();
    for chunk in ids.chunks(500) {
        all.extend(
            parts::table
                // the primary key: an id is unique within its account only
                .filter(parts::account_id.eq(account).and(parts::communication_id.eq_any(chunk)))
                .select((parts::communication_id, parts::user_id))
                .load::<(CommunicationId, UserId)>(conn)?,
        );
    }
    let mut by_comm: BTreeMap<CommunicationId, Vec<UserId>> = BTreeMap::new();
    for (c, u) in all {
        by_comm.entry(c).or_default().push(u);
    }
    rows.into_iter()
        .map(|r| {
            let mut participants = by_comm.remove(&r.id).unwrap_or_default();
            participants.sort();
            Ok(Communication {
                id: r.id,
                kind: kind_of(&r.kind)?,
                direction: Direction::parse(&r.direction)?,
                number: r.number_id,
                workgroup: r.workgroup_id,
                ivr: r.ivr_id,
                participants,
                started_at: from_db_time(r.started_at),
                duration_seconds: r.duration_seconds,
                has_recording: r.has_recording,
            })
        })
        .collect()
}

/// Scope parts with more values than this are read as one `IN` range instead of one range per value.
const SPLIT_LIMIT: usize = 32;

/// One part of a data scope: the user's own records, every record of the account, or records on
/// some workgroups/numbers/IVRs. The last two are limited to the scope's kinds ([`kinds_shown`]).
pub(crate) enum ScopePart {
    Participant(UserId),
    Account,
    Column(&'static str, Vec<String>),
}

/// The kinds the non-personal parts of a scope are limited to; `None` when they show every kind.
pub(crate) fn kinds_shown(visibility: &Visibility<'_>) -> Option<Vec<String>> {
    match *visibility {
        Visibility::Filter { kinds, .. } if !kinds.is_all() => {
            Some(kinds.kinds().map(|k| k.as_str().to_owned()).collect())
        }
        _ => None,
    }
}

pub(crate) fn scope_parts(visibility: &Visibility<'_>, split: bool) -> Vec<ScopePart> {
    let Visibility::Filter { participant, kinds, all, workgroups, numbers, dashboard_workgroups, dashboard_ivrs } =
        *visibility
    else {
        return Vec::new();
    };
    if kinds.is_empty() {
        return vec![ScopePart::Participant(participant)];
    }
    if all {
        return vec![ScopePart::Participant(participant), ScopePart::Account];
    }
    let sorted = |ids: Vec<String>| {
        let mut ids = ids;
        ids.sort();
        ids.dedup();
        ids
    };
    let mut parts = vec![ScopePart::Participant(participant)];
    let columns = [
        ("workgroup_id", sorted(workgroups.iter().chain(dashboard_workgroups).map(ToString::to_string).collect())),
        ("number_id", sorted(numbers.iter().map(ToString::to_string).collect())),
        ("ivr_id", sorted(dashboard_ivrs.iter().map(ToString::to_string).collect())),
    ];
    for (column, values) in columns {
        if values.is_empty() {
            continue;
        }
        if split && values.len() <= SPLIT_LIMIT {
            parts.extend(values.into_iter().map(|v| ScopePart::Column(column, vec![v])));
        } else {
            parts.push(ScopePart::Column(column, values));
        }
    }
    parts
}

/// `AND …` for every filter, on the communications aliased `c`.
pub(crate) fn push_filters(b: &mut SqlBuf, account: AccountId, filter: &CommunicationFilter) {
    if let Some(kind) = filter.kind {
        b.sql(" AND c.kind = ").text(kind.as_str());
    }
    if let Some(n) = filter.number {
        b.sql(" AND c.number_id = ").text(n);
    }
    if let Some(w) = filter.workgroup {
        b.sql(" AND c.workgroup_id = ").text(w);
    }
    if let Some(i) = filter.ivr {
        b.sql(" AND c.ivr_id = ").text(i);
    }
    if let Some(u) = filter.user {
        b.sql(" AND c.id IN (SELECT communication_id FROM communication_participants WHERE account_id = ")
            .text(account)
            .sql(" AND user_id = ")
            .text(u)
            .sql(")");
    }
    if let Some(from) = filter.from {
        b.sql(" AND c.started_at >= ").bind(Bind::Time(to_db_time(from)));
    }
    if let Some(until) = filter.until {
        b.sql(" AND c.started_at < ").bind(Bind::Time(to_db_time(until)));
    }
}

/// `(at, id) < cursor`, written as a range both planners seek to (`at <= t`) plus the tie-break.
fn push_keyset(b: &mut SqlBuf, at: &str, id: &str, cursor: &Option<(NaiveDateTime, String)>) {
    if let Some((t, last)) = cursor {
        b.sql(" AND ").sql(at).sql(" <= ").bind(Bind::Time(*t));
        b.sql(" AND (").sql(at).sql(" < ").bind(Bind::Time(*t)).sql(" OR ").sql(id).sql(" < ").text(last).sql(")");
    }
}

fn history_cursor(page: &PageRequest) -> StoreResult<Option<(NaiveDateTime, String)>> {
    let Some(c) = page.cursor_parts(2)? else {
        return Ok(None);
    };
    let bad = crate::common::bad_cursor;
    let micros: i64 = c[0].parse().map_err(|_| bad())?;
    let at = DateTime::<Utc>::from_timestamp_micros(micros).ok_or_else(bad)?;
    let id = Uuid::parse_str(&c[1]).map_err(|_| bad())?.to_string();
    Ok(Some((to_db_time(at), id)))
}

/// The communications visible under `visibility` that match `filter`, newest first (started_at,
/// then id, descending), one keyset page at a time, in one SQL statement:
/// - every scope part (the user's own records, each workgroup, number, IVR) is an arm yielding
///   `(started_at, id)` from its ordered, covering index range;
/// - the arms are united (a record in several parts is one row), ordered and cut to the page;
/// - only the page's rows are then read from `communications`.
///
/// The arms are written per planner. SQLite merges ordered arms lazily (`MERGE (UNION)`), so the
/// arms carry no limit and a page reads about one page of index entries in all, whatever the number
/// of parts. PostgreSQL unites by hashing, so there every arm is cut to one page first.
pub fn list(
    conn: &mut DbConn,
    account: AccountId,
    visibility: &Visibility<'_>,
    filter: &CommunicationFilter,
    page: &PageRequest,
) -> StoreResult<Page<Communication>> {
    let cursor = history_cursor(page)?;
    if *visibility == Visibility::Nothing {
        return Ok(Page { items: Vec::new(), next_cursor: None });
    }
    let limit = page.effective_limit();
    let backend = conn.backend();
    let mut b = SqlBuf::new(backend);
    let parts = scope_parts(visibility, true);
    let shown = kinds_shown(visibility);
    if parts.is_empty() {
        b.sql("SELECT ").sql(COMM_COLUMNS).sql(" FROM communications c WHERE c.account_id = ").text(account);
        push_filters(&mut b, account, filter);
        push_keyset(&mut b, "c.started_at", "c.id", &cursor);
        b.sql(" ORDER BY c.started_at DESC, c.id DESC LIMIT ").bind(Bind::Int(limit + 1));
    } else {
        b.sql("SELECT ").sql(COMM_COLUMNS).sql(" FROM (");
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                b.sql(" UNION ");
            }
            // SQLite merges an arm lazily only when its own index gives the order; an arm over
            // several values (an `IN` list) is several ranges, so it is cut to a page like on PostgreSQL
            let cut = backend == Backend::Postgres || matches!(part, ScopePart::Column(_, values) if values.len() > 1);
            b.sql(if cut { "SELECT * FROM (" } else { "" });
            push_scope_arm(&mut b, account, part, shown.as_deref(), filter, &cursor);
            if cut {
                b.sql(" ORDER BY 1 DESC, 2 DESC LIMIT ").bind(Bind::Int(limit + 1)).sql(&format!(") arm{i}"));
            }
        }
        b.sql(" ORDER BY 1 DESC, 2 DESC LIMIT ").bind(Bind::Int(limit + 1));
        // by primary key: an id is unique within its account only
        b.sql(") page JOIN communications c ON c.account_id = ").text(account);
        b.sql(" AND c.id = page.id ORDER BY c.started_at DESC, c.id DESC");
    }
    let rows: Vec<CommRow> = b.load(conn)?;
    let items = with_participants(conn, account, rows)?;
    Ok(Page::from_rows(items, limit, |c| vec![c.started_at.timestamp_micros().to_string(), c.id.to_string()]))
}

/// `SELECT started_at, id` of one scope part, filtered and after the cursor, in index order.
fn push_scope_arm(
    b: &mut SqlBuf,
    account: AccountId,
    part: &ScopePart,
    shown: Option<&[String]>,
    filter: &CommunicationFilter,
    cursor: &Option<(NaiveDateTime, String)>,
) {
    match part {
        ScopePart::Participant(user) => {
            b.sql("SELECT p.started_at AS started_at, p.communication_id AS id FROM communication_participants p");
            // the communication itself is read only when there are filters: each is on its columns
            if !filter.is_empty() {
                b.sql(" JOIN communications c ON c.account_id = p.account_id AND c.id = p.communication_id");
            }
            b.sql(" WHERE p.account_id = ").text(account).sql(" AND p.user_id = ").text(user);
            push_filters(b, account, filter);
            push_keyset(b, "p.started_at", "p.communication_id", cursor);
        }
        ScopePart::Account | ScopePart::Column(..) => {
            b.sql("SELECT c.started_at AS started_at, c.id AS id FROM communications c WHERE c.account_id = ")
                .text(account);
            push_column_part(b, part, shown);
            push_filters(b, account, filter);
            push_keyset(b, "c.started_at", "c.id", cursor);
        }
    }
}

/// `AND …` for a part other than the user's own records, on the communications aliased `c`: its
/// column, and the kinds the scope shows (the history indexes carry `kind`, so this is decided from
/// index entries).
pub(crate) fn push_column_part(b: &mut SqlBuf, part: &ScopePart, shown: Option<&[String]>) {
    if let ScopePart::Column(column, values) = part {
        b.sql(" AND c.").sql(column);
        match values.as_slice() {
            [one] => b.sql(" = ").text(one),
            many => b.sql(" IN ").list(many),
        };
    }
    if let Some(kinds) = shown {
        b.sql(" AND c.kind IN ").list(kinds);
    }
}

/// One communication, if it exists and is visible; [`StoreError::NotFound`] otherwise (out of
/// scope looks the same as absent).
pub fn get(
    conn: &mut DbConn,
    account: AccountId,
    visibility: &Visibility<'_>,
    id: CommunicationId,
) -> StoreResult<Communication> {
    if *visibility == Visibility::Nothing {
        return Err(StoreError::not_found("communication"));
    }
    let rows: Vec<CommRow> = comms::table
        .filter(condition(account, visibility, &CommunicationFilter::default()))
        .filter(comms::id.eq(id))
        .select(CommRow::as_select())
        .load(conn)?;
    with_participants(conn, account, rows)?.pop().ok_or(StoreError::not_found("communication"))
}
