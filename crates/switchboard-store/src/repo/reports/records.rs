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
use crate::repo::totals::Sums;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use switchboard_core::{AccountId, UserId, Visibility};

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
pub(super) fn push_scope(
    b: &mut SqlBuf,
    account: AccountId,
    visibility: &Visibility<'_>,
    filter: &CommunicationFilter,
) {
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

pub(super) fn add_counts(out: &mut Groups, rows: Vec<CountRow>) {
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
