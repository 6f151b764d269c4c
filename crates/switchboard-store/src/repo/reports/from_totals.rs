//! Reports read from the totals kept at ingest (`repo::totals`). A report whose scope is the whole
//! account, or the records of one column's references (a manager's workgroups, a number user's
//! numbers, a dashboard's IVRs) beside the person's own records, reads the totals of its whole days
//! (whole months from the month rows) and counts from the records only what the totals cannot say: the
//! partial days at either end of its range, and the person's own records outside that part, which are
//! few. Everything else (a scope over two columns, a report by participant, a participant filter, or a
//! filter or grouping on another column than the scope's) is counted from the records ([`plan`]
//! answers `None`).

use super::records::{Dimension, Groups, count_records, push_participant};
use crate::common::{from_db_time, to_db_time};
use crate::db::DbConn;
use crate::error::StoreResult;
use crate::repo::communications::{
    CommunicationFilter, ScopePart, kinds_shown, push_column_part, push_filters, scope_parts,
};
use crate::repo::history_sql::SqlBuf;
use crate::repo::totals::{Across, Grain, PerKind, Sums, kind_columns};
use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use std::fmt::Write;
use switchboard_core::{AccountId, CommunicationKind, UserId, Visibility};

/// References per statement when reading totals.
const REFS_PER_READ: usize = 1_000;

/// How a report is answered from the totals.
pub(crate) struct Plan {
    across: Across,
    /// The references counted (`None`: every one, and records without one).
    refs: Option<Vec<String>>,
    /// The kinds counted (`None`: every kind): the scope's, narrowed by the filter's.
    kinds: Option<Vec<String>>,
    /// The scope's part the totals stand for: its column and references (`None`: the whole
    /// account), and the kinds it shows.
    part: ScopePart,
    shown: Option<Vec<String>>,
    /// The person whose own records count too, where the part does not already hold them all.
    own: Option<UserId>,
}

/// The plan for a report, when the totals can answer it.
pub(crate) fn plan(visibility: &Visibility<'_>, filter: &CommunicationFilter, dimension: Dimension) -> Option<Plan> {
    if dimension == Dimension::User || filter.user.is_some() {
        return None;
    }
    let (own, part) = match *visibility {
        Visibility::Everything => (None, ScopePart::Account),
        Visibility::Nothing => return None,
        Visibility::Filter { .. } => {
            let mut parts = scope_parts(visibility, false).into_iter();
            match (parts.next(), parts.next(), parts.next()) {
                (Some(ScopePart::Participant(user)), Some(part), None) => (Some(user), part),
                _ => return None,
            }
        }
    };
    let shown = kinds_shown(visibility);
    let filtered = [
        ("number_id", filter.number.map(|n| n.to_string())),
        ("workgroup_id", filter.workgroup.map(|w| w.to_string())),
        ("ivr_id", filter.ivr.map(|i| i.to_string())),
    ];
    let filtered: Vec<(&'static str, String)> =
        filtered.into_iter().filter_map(|(column, v)| v.map(|v| (column, v))).collect();
    let grouped = dimension.reference_column();
    // every column the report is limited to or grouped by must be one: a total is kept per column
    let mut column = match &part {
        ScopePart::Column(column, _) => Some(*column),
        _ => None,
    };
    for c in filtered.iter().map(|(c, _)| *c).chain(grouped) {
        match column {
            Some(other) if other != c => return None,
            _ => column = Some(c),
        }
    }
    let across = match column {
        Some(c) => Across::of_column(c)?,
        None => Across::Account,
    };
    let mut refs = match &part {
        ScopePart::Column(_, values) => Some(values.clone()),
        _ => None,
    };
    if let Some((_, value)) = filtered.first() {
        refs = Some(match refs {
            Some(r) => r.into_iter().filter(|x| x == value).collect(),
            None => vec![value.clone()],
        });
    }
    let mut kinds = shown.clone();
    if let Some(k) = filter.kind {
        kinds = Some(match kinds {
            Some(ks) => ks.into_iter().filter(|x| x == k.as_str()).collect(),
            None => vec![k.as_str().to_owned()],
        });
    }
    // a part of every kind across the account holds the person's own records already
    let own = own.filter(|_| !matches!(part, ScopePart::Account) || shown.is_some());
    Some(Plan { across, refs, kinds, part, shown, own })
}

/// The report's groups per [`Plan`]: totals for whole days, records for the rest.
pub(crate) fn answer(
    conn: &mut DbConn,
    account: AccountId,
    plan: &Plan,
    filter: &CommunicationFilter,
    dimension: Dimension,
) -> StoreResult<Groups> {
    let mut out = Groups::new();
    let nothing = plan.refs.as_ref().is_some_and(Vec::is_empty) || plan.kinds.as_ref().is_some_and(Vec::is_empty);
    if !nothing {
        let (whole, edges) = split(filter.from.map(to_db_time), filter.until.map(to_db_time));
        if let Some((from, until)) = whole {
            read_whole_days(conn, account, plan, from, until, dimension, &mut out)?;
        }
        for (from, until) in edges {
            let window =
                CommunicationFilter { from: from.map(from_db_time), until: until.map(from_db_time), ..filter.clone() };
            count_records(conn, account, dimension, false, &mut out, |b| {
                push_column_part(b, &plan.part, plan.shown.as_deref());
                push_filters(b, account, &window);
            })?;
        }
    }
    if let Some(user) = plan.own {
        count_records(conn, account, dimension, false, &mut out, |b| {
            b.sql(" AND ");
            push_participant(b, account, user);
            push_filters(b, account, filter);
            // outside the part (a record without the part's column is outside it)
            b.sql(" AND NOT (1 = 1");
            if let ScopePart::Column(column, _) = &plan.part {
                b.sql(" AND c.").sql(column).sql(" IS NOT NULL");
            }
            push_column_part(b, &plan.part, plan.shown.as_deref());
            b.sql(")");
        })?;
    }
    Ok(out)
}

type Bound = Option<NaiveDateTime>;

fn midnight(day: NaiveDate) -> NaiveDateTime {
    day.and_time(NaiveTime::MIN)
}

/// Splits `[from, until)` into its whole UTC days `[first, end)` (`None` when it has none) and the
/// rest, at most two partial days.
#[allow(clippy::type_complexity)]
fn split(from: Bound, until: Bound) -> (Option<(Option<NaiveDate>, Option<NaiveDate>)>, Vec<(Bound, Bound)>) {
    let first = match from {
        Some(t) if t == midnight(t.date()) => Some(Some(t.date())),
        Some(t) => Some(t.date().succ_opt()),
        None => None,
    };
    let end = until.map(|t| t.date());
    let (first, end) = match (first, end) {
        // no day after `from` (the calendar's end): nothing whole
        (Some(None), _) => return (None, vec![(from, until)]),
        (Some(Some(f)), Some(e)) if f >= e => return (None, vec![(from, until)]),
        (f, e) => (f.flatten(), e),
    };
    let mut edges = Vec::new();
    if let (Some(t), Some(f)) = (from, first)
        && t < midnight(f)
    {
        edges.push((Some(t), Some(midnight(f))));
    }
    if let (Some(e), Some(t)) = (end, until)
        && midnight(e) < t
    {
        edges.push((Some(midnight(e)), Some(t)));
    }
    (Some((first, end)), edges)
}

/// The first day of the month of `day`.
fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The first day of a month on or after `day` (the calendar's last day when there is none).
fn month_on_or_after(day: NaiveDate) -> NaiveDate {
    if day.day() == 1 {
        return day;
    }
    month_of(day).checked_add_months(Months::new(1)).unwrap_or(NaiveDate::MAX)
}

/// The totals of whole days `[from, until)`: whole months from the month rows (but by day for a report
/// by day), the days around them from the day rows.
fn read_whole_days(
    conn: &mut DbConn,
    account: AccountId,
    plan: &Plan,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
    dimension: Dimension,
    out: &mut Groups,
) -> StoreResult<()> {
    let months_from = from.map(month_on_or_after);
    let months_until = until.map(month_of);
    let has_months = !matches!((months_from, months_until), (Some(f), Some(u)) if f >= u);
    let refs = match (&plan.refs, plan.across) {
        (Some(r), _) => Some(r.clone()),
        (None, Across::Account) => Some(vec![String::new()]),
        (None, _) => None,
    };
    let mut days = Vec::new();
    if dimension == Dimension::Day || !has_months {
        days.push((from, until));
    } else {
        let months = Rows { grain: Grain::Month, from: months_from, until: months_until };
        read(conn, account, plan, refs.as_deref(), months, dimension, out)?;
        if let (Some(f), Some(m)) = (from, months_from)
            && f < m
        {
            days.push((Some(f), Some(m)));
        }
        if let (Some(m), Some(u)) = (months_until, until)
            && m < u
        {
            days.push((Some(m), Some(u)));
        }
    }
    if days.is_empty() {
        return Ok(());
    }
    // every reference over some days: those with records in these days' months, each then one range of
    // the key (instead of every reference's every day)
    let refs = match refs {
        Some(r) => r,
        None => {
            let mut b = SqlBuf::new(conn.backend());
            b.sql("SELECT DISTINCT ref_id");
            push_key_prefix(&mut b, account, plan.across, Grain::Month);
            b.sql(" AND (");
            for (i, (f, u)) in days.iter().enumerate() {
                let last = u.and_then(|u| u.pred_opt()).map(|d| month_of(d).checked_add_months(Months::new(1)));
                b.sql(if i == 0 { "(1 = 1" } else { " OR (1 = 1" });
                push_periods(&mut b, Grain::Month, f.map(month_of), last.flatten());
                b.sql(")");
            }
            b.sql(")");
            b.load::<RefRow>(conn)?.into_iter().map(|r| r.ref_id).collect()
        }
    };
    for (from, until) in days {
        read(conn, account, plan, Some(&refs), Rows { grain: Grain::Day, from, until }, dimension, out)?;
    }
    Ok(())
}

/// Summed totals of one key, per kind.
#[derive(QueryableByName)]
struct TotalRow {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    call_records: i64,
    #[diesel(sql_type = BigInt)]
    call_recorded: i64,
    #[diesel(sql_type = BigInt)]
    call_seconds: i64,
    #[diesel(sql_type = BigInt)]
    message_records: i64,
    #[diesel(sql_type = BigInt)]
    message_recorded: i64,
    #[diesel(sql_type = BigInt)]
    message_seconds: i64,
    #[diesel(sql_type = BigInt)]
    voicemail_records: i64,
    #[diesel(sql_type = BigInt)]
    voicemail_recorded: i64,
    #[diesel(sql_type = BigInt)]
    voicemail_seconds: i64,
    #[diesel(sql_type = BigInt)]
    recording_records: i64,
    #[diesel(sql_type = BigInt)]
    recording_recorded: i64,
    #[diesel(sql_type = BigInt)]
    recording_seconds: i64,
}

impl TotalRow {
    fn per_kind(&self) -> PerKind {
        let sums = |records, recorded, duration_seconds| Sums { records, recorded, duration_seconds };
        [
            sums(self.call_records, self.call_recorded, self.call_seconds),
            sums(self.message_records, self.message_recorded, self.message_seconds),
            sums(self.voicemail_records, self.voicemail_recorded, self.voicemail_seconds),
            sums(self.recording_records, self.recording_recorded, self.recording_seconds),
        ]
    }
}

#[derive(QueryableByName)]
struct RefRow {
    #[diesel(sql_type = Text)]
    ref_id: String,
}

/// The rows of one grain, from the period of `from` to that of `until` (exclusive).
#[derive(Clone, Copy)]
struct Rows {
    grain: Grain,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
}

/// `FROM … WHERE` for the totals of one column's references (or the account's) at one grain.
fn push_key_prefix(b: &mut SqlBuf, account: AccountId, across: Across, grain: Grain) {
    b.sql(" FROM communication_totals WHERE account_id = ").text(account);
    b.sql(" AND dimension = ").text(across.name()).sql(" AND grain = ").text(grain.name());
}

/// `AND` the periods from that of `from` to that of `until` (exclusive).
fn push_periods(b: &mut SqlBuf, grain: Grain, from: Option<NaiveDate>, until: Option<NaiveDate>) {
    if let Some(f) = from {
        b.sql(" AND period >= ").text(grain.period(f));
    }
    if let Some(u) = until {
        b.sql(" AND period < ").text(grain.period(u));
    }
}

/// Adds the totals of `rows` to `out`, for `refs` (`None`: every reference of the column).
fn read(
    conn: &mut DbConn,
    account: AccountId,
    plan: &Plan,
    refs: Option<&[String]>,
    rows: Rows,
    dimension: Dimension,
    out: &mut Groups,
) -> StoreResult<()> {
    // by kind: one group of every row (the kind is the key)
    let key = match dimension {
        Dimension::Kind => "dimension",
        Dimension::Day => "period",
        _ => "ref_id",
    };
    let chunks: Vec<Option<&[String]>> = match refs {
        Some(r) => r.chunks(REFS_PER_READ).map(Some).collect(),
        None => vec![None],
    };
    for chunk in chunks {
        let mut b = SqlBuf::new(conn.backend());
        b.sql("SELECT ").sql(key).sql(" AS key");
        for column in kind_columns() {
            let _ = write!(b.text_mut(), ", CAST(SUM({column}) AS BIGINT) AS {column}");
        }
        push_key_prefix(&mut b, account, plan.across, rows.grain);
        push_periods(&mut b, rows.grain, rows.from, rows.until);
        if let Some(r) = chunk {
            b.sql(" AND ref_id IN ").list(r);
        }
        b.sql(" GROUP BY ").sql(key);
        for r in b.load::<TotalRow>(conn)? {
            for (kind, sums) in CommunicationKind::ALL.into_iter().zip(r.per_kind()) {
                let counted = plan.kinds.as_ref().is_none_or(|ks| ks.iter().any(|k| k == kind.as_str()));
                if sums.records == 0 || !counted {
                    continue;
                }
                let key = match dimension {
                    Dimension::Kind => Some(kind.as_str().to_owned()),
                    // '' is a reference's "none"; a day is never empty
                    _ => Some(r.key.clone()).filter(|k| !k.is_empty()),
                };
                *out.entry((key, kind.as_str().to_owned())).or_default() += sums;
            }
        }
    }
    Ok(())
}
