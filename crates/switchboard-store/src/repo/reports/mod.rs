//! Reports: the communications of a scope counted by kind, recording and duration, grouped by a
//! dimension (kind, day, business number, workgroup, IVR or participant). Where the scope allows they
//! are read from the totals kept at ingest ([`from_totals`]); otherwise counted from the records
//! ([`records`]). A page of a report by participant of a large scope sums only the page's people's
//! records ([`by_participant`]).

mod by_participant;
mod from_totals;
mod records;

pub use records::Dimension;
use records::Groups;

use crate::common::{PageRequest, encode_cursor};
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
    rows_of(groups)
}

/// The groups as rows, in the same order on both backends: by key, communications without one last,
/// then by kind.
fn rows_of(groups: Groups) -> StoreResult<Vec<ReportRow>> {
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
    rows.sort_by(|x, y| (x.key.is_none(), &x.key, x.kind.as_str()).cmp(&(y.key.is_none(), &y.key, y.kind.as_str())));
    Ok(rows)
}

/// A page of a report: the rows of at most `limit` groups (keys) after the cursor's, in the report's
/// order, and the cursor of the next page unless this is the last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportPage {
    pub rows: Vec<ReportRow>,
    pub next_cursor: Option<String>,
}

/// Records of a scope few enough to count whole for a page by participant: counting them costs about
/// what walking a page of people's records does.
const FEW_TO_COUNT: i64 = 50_000;

/// [`report`], a page of groups at a time. By participant, a page of a scope of many records counts
/// only its people's records (an account of 100,000 people has up to 400,000 rows by participant); by
/// the other dimensions, whose groups are few (a year of days, the account's numbers), and by
/// participant in a scope of few records, the page is cut from the whole report.
pub fn report_page(
    conn: &mut DbConn,
    account: AccountId,
    visibility: &Visibility<'_>,
    filter: &CommunicationFilter,
    dimension: Dimension,
    page: &PageRequest,
) -> StoreResult<ReportPage> {
    report_page_counting_whole(conn, account, visibility, filter, dimension, page, FEW_TO_COUNT)
}

/// [`report_page`], with the number of records up to which a scope's page by participant is cut from
/// the whole report (the tests read both ways on small data sets).
#[doc(hidden)]
pub fn report_page_counting_whole(
    conn: &mut DbConn,
    account: AccountId,
    visibility: &Visibility<'_>,
    filter: &CommunicationFilter,
    dimension: Dimension,
    page: &PageRequest,
    few_to_count: i64,
) -> StoreResult<ReportPage> {
    let mut after = page.cursor_parts(1)?.and_then(|mut parts| parts.pop());
    let limit = usize::try_from(page.effective_limit()).unwrap_or(usize::MAX);
    if *visibility == Visibility::Nothing {
        return Ok(ReportPage { rows: Vec::new(), next_cursor: None });
    }
    if dimension == Dimension::User {
        // a person's id, as stored, whichever way the page is read: the walk compares it in SQL (where
        // PostgreSQL refuses a NUL byte as text)
        if let Some(a) = &after {
            after = Some(uuid::Uuid::parse_str(a).map_err(|_| crate::common::bad_cursor())?.to_string());
        }
        let walked = crate::common::read_snapshot(conn, |conn| {
            // a scope of few records is counted whole (the walk would pass over everyone else's)
            if !by_participant::holds_more_than(conn, account, visibility, filter, few_to_count)? {
                return Ok(None);
            }
            by_participant::counted(conn, account, visibility, filter, after.as_deref(), limit).map(Some)
        })?;
        if let Some((groups, more)) = walked {
            let rows = rows_of(groups)?;
            let last = rows.last().and_then(|r| r.key.clone());
            return Ok(ReportPage { rows, next_cursor: last.filter(|_| more).map(|k| encode_cursor(&[k])) });
        }
    }
    let rows = report(conn, account, visibility, filter, dimension)?;
    // groups after the cursor's key; communications without a key come last, so always after
    let mut rows: Vec<ReportRow> = rows
        .into_iter()
        .filter(|r| match (&after, &r.key) {
            (Some(a), Some(k)) => k > a,
            _ => true,
        })
        .collect();
    let cut: usize = rows.chunk_by(|x, y| x.key == y.key).take(limit).map(<[ReportRow]>::len).sum();
    let next_cursor = if cut < rows.len() {
        rows[..cut].last().and_then(|r| r.key.clone()).map(|k| encode_cursor(&[k]))
    } else {
        None
    };
    rows.truncate(cut);
    Ok(ReportPage { rows, next_cursor })
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
