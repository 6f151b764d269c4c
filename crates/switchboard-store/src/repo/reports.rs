//! Reports: the communications of a scope counted by kind, recording and duration, grouped by a
//! dimension (kind, day, business number, workgroup, IVR or participant) in one SQL statement.
//!
//! Every part of the scope is an indexable condition, OR-ed: on PostgreSQL the user's own records are
//! `id = ANY(ARRAY(…))` (a primary-key lookup, so the planner ORs bitmap index scans instead of a
//! subplan over the whole account); on SQLite `id IN (…)`. A whole account on SQLite is one pass over
//! the table (`NOT INDEXED`): given statistics, its planner otherwise walks an index on `account_id`
//! and reads every record from it in index order, about 4× slower at 1M records.

use crate::db::{Backend, DbConn};
use crate::error::StoreResult;
use crate::repo::communications::{
    CommunicationFilter, CommunicationKind, ScopePart, condition, kind_of, kinds_shown, push_column_part, push_filters,
    scope_parts,
};
use crate::repo::history_sql::{CountRow, SqlBuf};
use crate::schema::communications as comms;
use diesel::dsl::{count_star, sum};
use diesel::prelude::*;
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
    let mut rows: Vec<ReportRow> = Vec::new();
    for r in grouped(conn, account, visibility, filter, dimension)? {
        let kind = kind_of(&r.kind)?;
        let (n, total) = (r.n, r.total.unwrap_or(0));
        match rows.last_mut() {
            Some(last) if last.key == r.key && last.kind == kind => {
                last.count += n;
                last.total_duration_seconds += total;
                last.with_recording += if r.has_recording { n } else { 0 };
            }
            _ => rows.push(ReportRow {
                key: r.key,
                kind,
                count: n,
                with_recording: if r.has_recording { n } else { 0 },
                total_duration_seconds: total,
            }),
        }
    }
    Ok(rows)
}

/// The grouped counts: one row per (key, kind, has_recording), ordered by key then kind.
pub(crate) fn grouped(
    conn: &mut DbConn,
    account: AccountId,
    visibility: &Visibility<'_>,
    filter: &CommunicationFilter,
    dimension: Dimension,
) -> StoreResult<Vec<CountRow>> {
    let backend = conn.backend();
    let a = account.to_string();
    let mut b = SqlBuf::new(backend);
    let key = match (dimension, backend) {
        (Dimension::Kind, _) => "c.kind",
        // timestamps are stored as `YYYY-MM-DD HH:MM:SS…` text on SQLite
        (Dimension::Day, Backend::Sqlite) => "substr(c.started_at, 1, 10)",
        (Dimension::Day, Backend::Postgres) => "to_char(c.started_at, 'YYYY-MM-DD')",
        (Dimension::Number, _) => "c.number_id",
        (Dimension::Workgroup, _) => "c.workgroup_id",
        (Dimension::Ivr, _) => "c.ivr_id",
        (Dimension::User, _) => "g.user_id",
    };
    b.sql("SELECT ").sql(key).sql(
        " AS key, c.kind AS kind, c.has_recording AS has_recording, COUNT(*) AS n, \
         SUM(c.duration_seconds) AS total FROM communications c",
    );
    let whole_account = *visibility == Visibility::Everything && filter.is_empty();
    if backend == Backend::Sqlite && whole_account {
        b.sql(" NOT INDEXED");
    }
    if dimension == Dimension::User {
        b.sql(" LEFT JOIN communication_participants g ON g.account_id = c.account_id AND g.communication_id = c.id");
    }
    b.sql(" WHERE c.account_id = ").text(&a);
    push_filters(&mut b, &a, filter);
    let parts = scope_parts(visibility, false);
    let shown = kinds_shown(visibility);
    if !parts.is_empty() {
        b.sql(" AND (");
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                b.sql(" OR ");
            }
            match part {
                ScopePart::Participant(user) => {
                    let (open, close) = match backend {
                        Backend::Postgres => ("c.id = ANY(ARRAY(", "))"),
                        Backend::Sqlite => ("c.id IN (", ")"),
                    };
                    b.sql(open)
                        .sql("SELECT p.communication_id FROM communication_participants p WHERE p.account_id = ")
                        .text(&a)
                        .sql(" AND p.user_id = ")
                        .text(user)
                        .sql(close);
                }
                ScopePart::Account | ScopePart::Column(..) => {
                    b.sql("(1 = 1");
                    push_column_part(&mut b, part, shown.as_deref());
                    b.sql(")");
                }
            }
        }
        b.sql(")");
    }
    b.sql(" GROUP BY 1, c.kind, c.has_recording");
    let mut rows: Vec<CountRow> = b.load(conn)?;
    // the same order on both backends, communications without a key last
    rows.sort_by(|x, y| {
        (x.key.is_none(), &x.key, &x.kind, x.has_recording).cmp(&(y.key.is_none(), &y.key, &y.kind, y.has_recording))
    });
    Ok(rows)
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

/// kind, has_recording, count, total duration
type GroupCount = (String, bool, i64, Option<i64>);

fn grouped_counts(
    conn: &mut DbConn,
    account: AccountId,
    visibility: &Visibility<'_>,
    filter: &CommunicationFilter,
) -> StoreResult<Vec<GroupCount>> {
    let rows = grouped(conn, account, visibility, filter, Dimension::Kind)?;
    Ok(rows.into_iter().map(|r| (r.kind, r.has_recording, r.n, r.total)).collect())
}

/// Counts the communications visible under `visibility` that match `filter`, grouped in the database.
pub fn counts(
    conn: &mut DbConn,
    account: AccountId,
    visibility: &Visibility<'_>,
    filter: &CommunicationFilter,
) -> StoreResult<CommunicationCounts> {
    let mut out = CommunicationCounts::default();
    if *visibility == Visibility::Nothing {
        return Ok(out);
    }
    let whole_account = *visibility == Visibility::Everything && filter.is_empty();
    let rows: Vec<GroupCount> = match conn.backend() {
        // SQLite, a whole account: one pass over the table. Given the statistics, its planner prefers
        // walking an index on `account_id` and reading every record from it in index order, about 4×
        // slower at 1M records (3.6 s against 0.9 s).
        Backend::Sqlite if whole_account => grouped_counts(conn, account, visibility, filter)?,
        // SQLite counts fastest in one pass over the account's rows with the OR of the scope
        Backend::Sqlite => comms::table
            .filter(condition(account, visibility, filter))
            .group_by((comms::kind, comms::has_recording))
            .select((comms::kind, comms::has_recording, count_star(), sum(comms::duration_seconds)))
            .load(conn)?,
        // PostgreSQL: bitmap index scans of the scope's parts, OR-ed, then one grouped pass
        Backend::Postgres => grouped_counts(conn, account, visibility, filter)?,
    };

    for (kind, recorded, count, duration) in rows {
        let entry = out.by_kind.entry(kind_of(&kind)?).or_default();
        for c in [entry, &mut out.total] {
            c.count += count;
            c.total_duration_seconds += duration.unwrap_or(0);
            if recorded {
                c.with_recording += count;
            }
        }
    }
    Ok(out)
}
