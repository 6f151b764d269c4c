//! Reports: the communications of a scope counted by kind, recording and duration, grouped by a
//! dimension (kind, day, business number, workgroup, IVR or participant). Where the scope allows they
//! are read from the totals kept at ingest ([`from_totals`]); otherwise counted from the records
//! ([`records`]).

mod from_totals;
mod records;

pub use records::Dimension;

use crate::db::DbConn;
use crate::error::StoreResult;
use crate::repo::communications::{CommunicationFilter, CommunicationKind, kind_of};
use serde::Serialize;
use std::collections::BTreeMap;
use switchboard_core::{AccountId, Visibility};

/// One group and kind of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ReportRowView))]
pub struct ReportRow {
    /// The group: a day (`YYYY-MM-DD`), the id of a number, workgroup, IVR or user, or the kind;
    /// `null` for communications without one (no number, say).
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
    // totals and records read in several statements: one snapshot
    let groups = crate::common::read_snapshot(conn, |conn| match from_totals::plan(visibility, filter, dimension) {
        Some(plan) => from_totals::answer(conn, account, &plan, filter, dimension),
        None => records::counted(conn, account, visibility, filter, dimension),
    })?;
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

/// Counts of one kind of communication.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Counts))]
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
