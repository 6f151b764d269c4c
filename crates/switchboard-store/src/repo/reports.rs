//! Reports: the communications of a scope counted by kind, recording and duration, grouped by a
//! dimension (kind, day, business number, workgroup, IVR or participant).
//!
//! Where the scope allows, they are read from the totals kept at ingest (`totals`): the whole account,
//! or one column's references beside the person's own records. Otherwise they are counted from the
//! records in one SQL statement, in which every part of the scope is an indexable condition, OR-ed: on
//! PostgreSQL the user's own records are `id = ANY(ARRAY(…))` (a primary-key lookup, so the planner
//! ORs bitmap index scans instead of a subplan over the whole account); on SQLite `id IN (…)`.

use crate::db::{Backend, DbConn};
use crate::error::StoreResult;
use crate::repo::communications::{
    CommunicationFilter, CommunicationKind, ScopePart, kind_of, kinds_shown, push_column_part, push_filters,
    scope_parts,
};
use crate::repo::history_sql::SqlBuf;
use crate::repo::totals::{self, Groups};
use serde::Serialize;
use std::collections::BTreeMap;
use switchboard_core::{AccountId, Visibility};

/// What a report groups by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Kind,
    /// The UTC day the communication started, `YYYY-MM-DD`.
    Day,
    Number,
    Workgroup,
    Ivr,
    /// Each participant: a communication with two participants counts for both, one without any
    /// counts once, without a key.
    User,
}

/// One row of a report: a group and kind, with its counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportRow {
    /// The group: a day, or the id of a number, workgroup, IVR or user; `None` for communications
    /// without one (no number, say). For [`Dimension::Kind`], the kind.
    pub key: Option<String>,
    pub kind: CommunicationKind,
    pub count: i64,
    pub with_recording: i64,
    pub total_duration_seconds: i64,
}

/// The report of the communications visible under `visibility` that match `filter`, grouped by
/// `dimension`, ordered by key (communications without one last) and kind.
pub fn report(
    conn: &mut DbConn,
    account: AccountId,
    visibility: &Visibility<'_>,
    filter: &CommunicationFilter,
    dimension: Dimension,
) -> StoreResult<Vec<ReportRow>> {
    if *visibility == Visibility::Nothing {
        return Ok(Vec::new());
    }
    let groups = match totals::plan(visibility, filter, dimension) {
        Some(plan) => totals::answer(conn, account, &plan, filter, dimension)?,
        None => counted(conn, account, visibility, filter, dimension)?,
    };
    let mut rows = groups
        .into_iter()
        .map(|((key, kind), s)| {
            Ok(ReportRow {
                key,
                kind: kind_of(&kind)?,
                count: s.records,
                with_recording: s.recorded,
                total_duration_seconds: s.duration_seconds,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    // the same order on both backends, communications without a key last
    rows.sort_by(|x, y| (x.key.is_none(), &x.key, x.kind.as_str()).cmp(&(y.key.is_none(), &y.key, y.kind.as_str())));
    Ok(rows)
}

/// The SQL of a dimension's key, on the communications aliased `c` (and their participants `g`).
pub(crate) fn key_expression(dimension: Dimension, backend: Backend) -> &'static str {
    match (dimension, backend) {
        (Dimension::Kind, _) => "c.kind",
        // timestamps are stored as `YYYY-MM-DD HH:MM:SS…` text on SQLite
        (Dimension::Day, Backend::Sqlite) => "substr(c.started_at, 1, 10)",
        (Dimension::Day, Backend::Postgres) => "to_char(c.started_at, 'YYYY-MM-DD')",
        (Dimension::Number, _) => "c.number_id",
        (Dimension::Workgroup, _) => "c.workgroup_id",
        (Dimension::Ivr, _) => "c.ivr_id",
        (Dimension::User, _) => "g.user_id",
    }
}

/// The condition that a record of the communications aliased `c` is one of the user's own: on
/// PostgreSQL a primary-key lookup (`id = ANY(ARRAY(…))`), so the planner ORs bitmap index scans
/// instead of running a subplan over the account; on SQLite `id IN (…)`.
pub(crate) fn push_participant(b: &mut SqlBuf, account: &str, user: &str) {
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

/// The report's groups counted from the records, in one statement.
fn counted(
    conn: &mut DbConn,
    account: AccountId,
    visibility: &Visibility<'_>,
    filter: &CommunicationFilter,
    dimension: Dimension,
) -> StoreResult<Groups> {
    let a = account.to_string();
    let whole_account = *visibility == Visibility::Everything && filter.is_empty();
    let parts = scope_parts(visibility, false);
    let shown = kinds_shown(visibility);
    let mut out = Groups::new();
    totals::count_records(conn, &a, dimension, whole_account, &mut out, |b| {
        push_filters(b, &a, filter);
        if parts.is_empty() {
            return;
        }
        b.sql(" AND (");
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                b.sql(" OR ");
            }
            match part {
                ScopePart::Participant(user) => push_participant(b, &a, user),
                ScopePart::Account | ScopePart::Column(..) => {
                    b.sql("(1 = 1");
                    push_column_part(b, part, shown.as_deref());
                    b.sql(")");
                }
            }
        }
        b.sql(")");
    })?;
    Ok(out)
}

/// Counts of one kind of communication.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct KindCounts {
    pub count: i64,
    pub with_recording: i64,
    pub total_duration_seconds: i64,
}

/// Analytics within a scope: per kind and in total.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CommunicationCounts {
    pub total: KindCounts,
    pub by_kind: BTreeMap<CommunicationKind, KindCounts>,
}

/// Counts the communications visible under `visibility` that match `filter`, per kind and in total.
pub fn counts(
    conn: &mut DbConn,
    account: AccountId,
    visibility: &Visibility<'_>,
    filter: &CommunicationFilter,
) -> StoreResult<CommunicationCounts> {
    let mut out = CommunicationCounts::default();
    for row in report(conn, account, visibility, filter, Dimension::Kind)? {
        let entry = out.by_kind.entry(row.kind).or_default();
        for c in [entry, &mut out.total] {
            c.count += row.count;
            c.with_recording += row.with_recording;
            c.total_duration_seconds += row.total_duration_seconds;
        }
    }
    Ok(out)
}
