//! Reports counted from the records: one grouped SQL statement, in which every part of the scope is an
//! indexable condition, OR-ed. On PostgreSQL the user's own records are `id = ANY(ARRAY(…))` (a
//! primary-key lookup, so the planner ORs bitmap index scans instead of a subplan over the whole
//! account); on SQLite `id IN (…)`.

use crate::db::{Backend, DbConn};
use crate::error::StoreResult;
use crate::repo::communications::{
    CommunicationFilter, ScopePart, kinds_shown, push_column_part, push_filters, scope_parts,
};
use crate::repo::history_sql::{CountRow, SqlBuf};
use crate::repo::reports::from_totals::TotalRow;
use crate::repo::totals::Sums;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use switchboard_core::{AccountId, CommunicationKind, UserId, Visibility};

/// What a report groups by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ReportDimension))]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Kind,
    /// The UTC day a communication started.
    Day,
    Number,
    Workgroup,
    Ivr,
    /// Each participant (a communication with two participants counts for both; one without any
    /// counts once, with a `null` key).
    User,
}

impl Dimension {
    /// The communications' column of the references a report by this dimension groups on.
    pub(crate) fn reference_column(self) -> Option<&'static str> {
        match self {
            Dimension::Number => Some("number_id"),
            Dimension::Workgroup => Some("workgroup_id"),
            Dimension::Ivr => Some("ivr_id"),
            Dimension::Kind | Dimension::Day | Dimension::User => None,
        }
    }
}

/// A report's groups: (key, kind) → sums; the key is `None` for records without one.
pub(crate) type Groups = BTreeMap<(Option<String>, String), Sums>;

/// Writes the SQL of a dimension's key, on the communications aliased `c` (and their participants `g`).
fn push_key(b: &mut SqlBuf, dimension: Dimension) {
    match (dimension.reference_column(), dimension, b.backend()) {
        (Some(column), ..) => b.sql("c.").sql(column),
        // timestamps are stored as `YYYY-MM-DD HH:MM:SS…` text on SQLite
        (None, Dimension::Day, Backend::Sqlite) => b.sql("substr(c.started_at, 1, 10)"),
        (None, Dimension::Day, Backend::Postgres) => b.sql("to_char(c.started_at, 'YYYY-MM-DD')"),
        (None, Dimension::User, _) => b.sql("g.user_id"),
        // by kind
        (None, ..) => b.sql("c.kind"),
    };
}

/// The condition that a record of the communications aliased `c` is one of the user's own: on
/// PostgreSQL a primary-key lookup (`id = ANY(ARRAY(…))`), so the planner ORs bitmap index scans
/// instead of running a subplan over the account; on SQLite `id IN (…)`.
pub(crate) fn push_participant(b: &mut SqlBuf, account: AccountId, user: UserId) {
    let (open, close) = match b.backend() {
        Backend::Postgres => ("c.id = ANY(ARRAY(", "))"),
        Backend::Sqlite => ("c.id IN (", ")"),
    };
    b.sql(open)
        .sql("SELECT p.communication_id FROM communication_participants p WHERE p.account_id = ")
        .text(account)
        .sql(" AND p.user_id = ")
        .text(user)
        .sql(close);
}

/// `AND` the records aliased `c` lie within the scope and match the filter.
fn push_scope(b: &mut SqlBuf, account: AccountId, visibility: &Visibility<'_>, filter: &CommunicationFilter) {
    push_filters(b, account, filter);
    let parts = scope_parts(visibility, false);
    if parts.is_empty() {
        return;
    }
    let shown = kinds_shown(visibility);
    b.sql(" AND (");
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            b.sql(" OR ");
        }
        match part {
            ScopePart::Participant(user) => push_participant(b, account, *user),
            ScopePart::Account | ScopePart::Column(..) => {
                b.sql("(1 = 1");
                push_column_part(b, part, shown.as_deref());
                b.sql(")");
            }
        }
    }
    b.sql(")");
}

/// The report's groups counted from the records, in one statement.
pub(crate) fn counted(
    conn: &mut DbConn,
    account: AccountId,
    visibility: &Visibility<'_>,
    filter: &CommunicationFilter,
    dimension: Dimension,
) -> StoreResult<Groups> {
    let whole_account = *visibility == Visibility::Everything && filter.is_empty();
    let mut out = Groups::new();
    count_records(conn, account, dimension, whole_account, &mut out, |b| push_scope(b, account, visibility, filter))?;
    Ok(out)
}

/// Whether the scope holds more than `n` records: from the totals where they answer (the report by
/// kind), else counted up to `n + 1` through the scope's own indexes.
pub(crate) fn holds_more_than(
    conn: &mut DbConn,
    account: AccountId,
    visibility: &Visibility<'_>,
    filter: &CommunicationFilter,
    n: i64,
) -> StoreResult<bool> {
    if let Some(plan) = super::from_totals::plan(visibility, filter, Dimension::Kind) {
        let groups = super::from_totals::answer(conn, account, &plan, filter, Dimension::Kind)?;
        return Ok(groups.values().map(|s| s.records).sum::<i64>() > n);
    }
    #[derive(diesel::QueryableByName)]
    struct Counted {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut b = SqlBuf::new(conn.backend());
    b.sql("SELECT COUNT(*) AS n FROM (SELECT 1 FROM communications c WHERE c.account_id = ").text(account);
    push_scope(&mut b, account, visibility, filter);
    b.sql(" LIMIT ").sql(&n.saturating_add(1).to_string()).sql(") AS capped");
    Ok(b.load::<Counted>(conn)?.first().is_some_and(|r| r.n > n))
}

/// A page of the report by participant: the first `limit` people after `after` (in id order) who
/// took part in a record of the scope, each with their groups, and whether more follow. One pass
/// over the participants' index in id order, each person's records summed per kind in one row, stopped
/// after one more person than the page holds: the work is the page's people's own records, not the
/// whole scope. The records without a participant (key `None`) come last, on a page of their own if
/// the last people fill theirs.
pub(crate) fn counted_by_participant(
    conn: &mut DbConn,
    account: AccountId,
    visibility: &Visibility<'_>,
    filter: &CommunicationFilter,
    after: Option<&str>,
    limit: usize,
) -> StoreResult<(Groups, bool)> {
    if conn.backend() == Backend::Postgres {
        // parallel workers each walk a share of the index, and the page waits for all of them (for the
        // rest of the snapshot's transaction, or of the caller's when it runs in one)
        diesel::connection::SimpleConnection::batch_execute(conn, "SET LOCAL max_parallel_workers_per_gather = 0")?;
    }
    let mut b = SqlBuf::new(conn.backend());
    b.sql("SELECT g.user_id AS key");
    for kind in CommunicationKind::ALL {
        let kind = kind.as_str();
        let _ = write!(
            b.text_mut(),
            ", SUM(CASE WHEN c.kind = '{kind}' THEN 1 ELSE 0 END) AS {kind}_records, \
             SUM(CASE WHEN c.kind = '{kind}' AND c.has_recording THEN 1 ELSE 0 END) AS {kind}_recorded, \
             SUM(CASE WHEN c.kind = '{kind}' THEN c.duration_seconds ELSE 0 END) AS {kind}_seconds"
        );
    }
    // SQLite's planner may otherwise count every record of the scope and sort the people after: the
    // participants' index in id order is named and made the outer loop (a CROSS JOIN keeps its order)
    b.sql(match conn.backend() {
        Backend::Sqlite => {
            " FROM communication_participants g INDEXED BY communication_participants_user CROSS JOIN communications c"
        }
        Backend::Postgres => " FROM communication_participants g JOIN communications c",
    });
    b.sql(" ON c.account_id = g.account_id AND c.id = g.communication_id WHERE g.account_id = ").text(account);
    if let Some(after) = after {
        b.sql(" AND g.user_id > ").text(after);
    }
    push_scope(&mut b, account, visibility, filter);
    b.sql(" GROUP BY g.user_id ORDER BY g.user_id LIMIT ").sql(&(limit + 1).to_string());
    let mut people = b.load::<TotalRow>(conn)?;
    let mut more = people.len() > limit;
    people.truncate(limit);
    let mut out = Groups::new();
    for person in &people {
        for (kind, sums) in CommunicationKind::ALL.into_iter().zip(person.per_kind()) {
            if sums.records > 0 {
                *out.entry((Some(person.key.clone()), kind.as_str().to_owned())).or_default() += sums;
            }
        }
    }
    if !more {
        let mut b = SqlBuf::new(conn.backend());
        b.sql("SELECT CAST(NULL AS TEXT) AS key, c.kind AS kind, c.has_recording AS has_recording, COUNT(*) AS n, ")
            .sql("SUM(c.duration_seconds) AS total FROM communications c WHERE c.account_id = ")
            .text(account)
            .sql(" AND NOT EXISTS (SELECT 1 FROM communication_participants g WHERE g.account_id = c.account_id")
            .sql(" AND g.communication_id = c.id)");
        push_scope(&mut b, account, visibility, filter);
        b.sql(" GROUP BY c.kind, c.has_recording");
        let unattended = b.load::<CountRow>(conn)?;
        if people.len() < limit {
            add_counts(&mut out, unattended);
        } else {
            // a full page: the group without a participant is the next page
            more = !unattended.is_empty();
        }
    }
    Ok((out, more))
}

fn add_counts(out: &mut Groups, rows: Vec<CountRow>) {
    for r in rows {
        let sums = Sums {
            records: r.n,
            recorded: if r.has_recording { r.n } else { 0 },
            duration_seconds: r.total.unwrap_or(0),
        };
        *out.entry((r.key, r.kind)).or_default() += sums;
    }
}

/// Counts records of the account matching what `conditions` adds (`AND …` on the records aliased
/// `c`), grouped by the report's dimension, into `out`. A report by participant joins them (`g`).
/// `whole_account` on SQLite forces one pass over the table: given statistics, its planner otherwise
/// walks an index on `account_id` and reads every record from it in index order, about 4× slower.
pub(crate) fn count_records(
    conn: &mut DbConn,
    account: AccountId,
    dimension: Dimension,
    whole_account: bool,
    out: &mut Groups,
    conditions: impl FnOnce(&mut SqlBuf),
) -> StoreResult<()> {
    let mut b = SqlBuf::new(conn.backend());
    b.sql("SELECT ");
    push_key(&mut b, dimension);
    b.sql(
        " AS key, c.kind AS kind, c.has_recording AS has_recording, COUNT(*) AS n, \
         SUM(c.duration_seconds) AS total FROM communications c",
    );
    if whole_account && conn.backend() == Backend::Sqlite {
        b.sql(" NOT INDEXED");
    }
    if dimension == Dimension::User {
        b.sql(" LEFT JOIN communication_participants g ON g.account_id = c.account_id AND g.communication_id = c.id");
    }
    b.sql(" WHERE c.account_id = ").text(account);
    conditions(&mut b);
    b.sql(" GROUP BY 1, c.kind, c.has_recording");
    add_counts(out, b.load::<CountRow>(conn)?);
    Ok(())
}
