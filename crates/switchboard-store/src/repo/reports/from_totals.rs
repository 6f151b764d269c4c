//! Reports read from the totals kept at ingest (`repo::totals`). A report whose scope is the whole
//! account, or the records of one or two columns' references (a manager's workgroups, a number user's
//! numbers and workgroup, a dashboard's workgroups and IVRs) beside the person's own records, reads the
//! totals of its whole days (whole months from the month rows) and counts from the records only what
//! the totals cannot say: the partial days at either end of its range (or, where it is shorter, the
//! rest of such a day, taken away from the day's totals: a range ending now reads its last day's totals
//! less nothing), and the person's own records outside the scope's columns, which are few. A scope over
//! two columns is both columns' totals less those of the pair (`communication_pair_totals`); a
//! grouping or filter on another column than the scope's reads the pair's totals too. Those are kept
//! by month: such a report counts its partial months from the records (or reads them as above), and by
//! day counts the pair's records (few: two columns at once) over its whole days. Whatever would need three columns at once, a report by participant, or a participant
//! filter is counted from the records ([`plan`] answers `None`).

use super::records::{Dimension, Groups, count_records, push_participant};
use crate::common::{from_db_time, to_db_time};
use crate::db::DbConn;
use crate::error::StoreResult;
use crate::repo::communications::{
    CommunicationFilter, ScopePart, kinds_shown, push_column_part, push_filters, scope_parts,
};
use crate::repo::history_sql::SqlBuf;
use crate::repo::totals::{Across, Grain, Pair, PerKind, Sums, kind_columns};
use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use std::collections::BTreeMap;
use std::fmt::Write;
use switchboard_core::{AccountId, CommunicationKind, UserId, Visibility};

/// References per statement when reading totals.
const REFS_PER_READ: usize = 1_000;

/// How a report is answered from the totals.
pub(crate) struct Plan {
    /// The whole days are the signed sum of these terms (inclusion and exclusion over the scope's
    /// columns).
    terms: Vec<Term>,
    /// The kinds counted (`None`: every kind): the scope's, narrowed by the filter's.
    kinds: Option<Vec<String>>,
    /// The scope's parts the totals stand for (the whole account, or each column's references), and
    /// the kinds they show.
    parts: Vec<ScopePart>,
    shown: Option<Vec<String>>,
    /// The person whose own records count too, where the parts do not already hold them all.
    own: Option<UserId>,
}

impl Plan {
    /// Whether a term reads a pair's totals, which are kept by month only: whole months are read from
    /// the totals, and the partial months at either end are counted from the records.
    fn by_month(&self) -> bool {
        self.terms.iter().any(|t| matches!(t.reading, Reading::Pair(_)))
    }
}

/// The records whose columns each hold one of the given references (no column: every record),
/// counted with a sign.
struct Term {
    sign: i64,
    conds: BTreeMap<Across, Vec<String>>,
    reading: Reading,
}

/// Where a term is read: the totals of one column (or the account's), those of a pair, or the records
/// (two columns by day: a pair's totals are by month, and the records of two columns' references at
/// once are few). Every column the term is limited to or grouped by is the column or in the pair.
enum Reading {
    Single(Across),
    Pair(Pair),
    Records,
}

/// The column a report by `dimension` groups on, if it groups on one.
fn grouped_on(dimension: Dimension) -> Option<Across> {
    dimension.reference_column().and_then(Across::of_column)
}

/// The plan for a report, when the totals can answer it.
pub(crate) fn plan(visibility: &Visibility<'_>, filter: &CommunicationFilter, dimension: Dimension) -> Option<Plan> {
    if dimension == Dimension::User || filter.user.is_some() {
        return None;
    }
    let (own, parts) = match *visibility {
        Visibility::Everything => (None, vec![ScopePart::Account]),
        Visibility::Nothing => return None,
        Visibility::Filter { .. } => {
            let mut parts = scope_parts(visibility, false).into_iter();
            match parts.next() {
                Some(ScopePart::Participant(user)) => (Some(user), parts.collect::<Vec<_>>()),
                _ => return None,
            }
        }
    };
    if parts.is_empty() || parts.iter().any(|p| matches!(p, ScopePart::Participant(_))) {
        return None;
    }
    let mut sets = Vec::new();
    for part in &parts {
        if let ScopePart::Column(column, values) = part {
            sets.push((Across::of_column(column)?, values.clone()));
        }
    }
    if sets.len() > 2 {
        return None;
    }
    let filtered = [
        (Across::Number, filter.number.map(|n| n.to_string())),
        (Across::Workgroup, filter.workgroup.map(|w| w.to_string())),
        (Across::Ivr, filter.ivr.map(|i| i.to_string())),
    ];
    let grouped = grouped_on(dimension);
    let mut terms = Vec::new();
    // every non-empty subset of the scope's columns, odd ones added and even ones taken away (the
    // account's scope has none: one term)
    for subset in 1..(1u32 << sets.len()).max(2) {
        let mut conds: BTreeMap<Across, Vec<String>> = BTreeMap::new();
        for (i, (across, values)) in sets.iter().enumerate() {
            if subset & (1 << i) != 0 {
                conds.insert(*across, values.clone());
            }
        }
        for (across, value) in &filtered {
            if let Some(v) = value {
                conds.entry(*across).and_modify(|refs| refs.retain(|r| r == v)).or_insert_with(|| vec![v.clone()]);
            }
        }
        let mut columns: Vec<Across> = conds.keys().copied().chain(grouped).collect();
        columns.sort();
        columns.dedup();
        let reading = match columns.as_slice() {
            [] => Reading::Single(Across::Account),
            [one] => Reading::Single(*one),
            [_, _] if dimension == Dimension::Day => Reading::Records,
            [x, y] => Reading::Pair(Pair::of(*x, *y)?),
            _ => return None,
        };
        if conds.values().any(Vec::is_empty) {
            continue;
        }
        terms.push(Term { sign: if subset.count_ones() % 2 == 1 { 1 } else { -1 }, conds, reading });
    }
    let shown = kinds_shown(visibility);
    let mut kinds = shown.clone();
    if let Some(k) = filter.kind {
        kinds = Some(match kinds {
            Some(ks) => ks.into_iter().filter(|x| x == k.as_str()).collect(),
            None => vec![k.as_str().to_owned()],
        });
    }
    // a part of every kind across the account holds the person's own records already
    let own = own.filter(|_| !matches!(parts.as_slice(), [ScopePart::Account]) || shown.is_some());
    Some(Plan { terms, kinds, parts, shown, own })
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
    if !plan.kinds.as_ref().is_some_and(Vec::is_empty) {
        let grain = if plan.by_month() { Grain::Month } else { Grain::Day };
        let (whole, edges) = split(filter.from.map(to_db_time), filter.until.map(to_db_time), grain);
        if let Some(days) = whole {
            add_terms(conn, account, plan, filter, days, dimension, &mut out)?;
        }
        let now = chrono::Utc::now().naive_utc();
        for edge in edges {
            match complement(edge, grain, now) {
                // the period's totals less its records outside the range
                Some((period, outside)) => {
                    add_terms(conn, account, plan, filter, (Some(period.0), Some(period.1)), dimension, &mut out)?;
                    let mut less = Groups::new();
                    for part in outside {
                        count_scope(conn, account, plan, filter, dimension, part, &mut less)?;
                    }
                    for (key, sums) in less {
                        *out.entry(key).or_default() -= sums;
                    }
                }
                None => count_scope(conn, account, plan, filter, dimension, edge, &mut out)?,
            }
        }
    }
    if let Some(user) = plan.own {
        count_records(conn, account, dimension, false, &mut out, |b| {
            b.sql(" AND ");
            push_participant(b, account, user);
            push_filters(b, account, filter);
            // outside every part (a record without a part's column is outside it)
            b.sql(" AND NOT (");
            push_parts(b, &plan.parts, plan.shown.as_deref(), true);
            b.sql(")");
        })?;
    }
    out.retain(|_, sums| *sums != Sums::default());
    Ok(out)
}

/// Adds the signed sum of the plan's terms over whole days (or months) to `out`.
fn add_terms(
    conn: &mut DbConn,
    account: AccountId,
    plan: &Plan,
    filter: &CommunicationFilter,
    days: (Option<NaiveDate>, Option<NaiveDate>),
    dimension: Dimension,
    out: &mut Groups,
) -> StoreResult<()> {
    for term in &plan.terms {
        let mut groups = Groups::new();
        read_term(conn, account, term, plan.kinds.as_deref(), filter, days, dimension, &mut groups)?;
        for (key, sums) in groups {
            let total = out.entry(key).or_default();
            if term.sign > 0 {
                *total += sums;
            } else {
                *total -= sums;
            }
        }
    }
    Ok(())
}

/// Counts the records of the plan's parts in `[from, until)` (and the filter) into `out`.
fn count_scope(
    conn: &mut DbConn,
    account: AccountId,
    plan: &Plan,
    filter: &CommunicationFilter,
    dimension: Dimension,
    (from, until): (Bound, Bound),
    out: &mut Groups,
) -> StoreResult<()> {
    let window = CommunicationFilter { from: from.map(from_db_time), until: until.map(from_db_time), ..filter.clone() };
    count_records(conn, account, dimension, false, out, |b| {
        b.sql(" AND (");
        push_parts(b, &plan.parts, plan.shown.as_deref(), false);
        b.sql(")");
        push_filters(b, account, &window);
    })
}

/// The scope's parts OR-ed; `definite` makes each part false rather than unknown for a record without
/// its column, so that `NOT` of them holds such a record.
fn push_parts(b: &mut SqlBuf, parts: &[ScopePart], shown: Option<&[String]>, definite: bool) {
    for (i, part) in parts.iter().enumerate() {
        b.sql(if i == 0 { "(1 = 1" } else { " OR (1 = 1" });
        if let (ScopePart::Column(column, _), true) = (part, definite) {
            b.sql(" AND c.").sql(column).sql(" IS NOT NULL");
        }
        push_column_part(b, part, shown);
        b.sql(")");
    }
}

type Bound = Option<NaiveDateTime>;

fn midnight(day: NaiveDate) -> NaiveDateTime {
    day.and_time(NaiveTime::MIN)
}

/// Splits `[from, until)` into its whole UTC days (or months) `[first, end)` (`None` when it has none)
/// and the rest, at most two partial days (or months), each within one day (or month) unless the
/// calendar ends first.
#[allow(clippy::type_complexity)]
fn split(
    from: Bound,
    until: Bound,
    grain: Grain,
) -> (Option<(Option<NaiveDate>, Option<NaiveDate>)>, Vec<(Bound, Bound)>) {
    let whole_from = |day: NaiveDate| match grain {
        Grain::Day => day,
        Grain::Month => month_on_or_after(day),
    };
    let first = match from {
        Some(t) if t == midnight(t.date()) => Some(whole_from(t.date())),
        Some(t) => match t.date().succ_opt() {
            Some(next) => Some(whole_from(next)),
            // no day after `from` (the calendar's end): nothing whole
            None => return (None, vec![(from, until)]),
        },
        None => None,
    };
    let end = until.map(|t| match grain {
        Grain::Day => t.date(),
        Grain::Month => month_of(t.date()),
    });
    // within one day (or month), or empty
    if let (Some(f), Some(e)) = (first, end)
        && f > e
    {
        return (None, vec![(from, until)]);
    }
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
    // two partial days (or months) and nothing whole between them
    let whole = Some((first, end)).filter(|_| first.is_none() || first != end);
    (whole, edges)
}

/// For a partial day (or month) `[from, until)` within one, where it is cheaper: the whole period's
/// days and the parts of it outside the range, whose records are counted and taken away from its
/// totals. Cheaper is fewer records to count, taken as time before `now` (few records lie ahead): the
/// range's last day up to now is the day's totals less nothing.
#[allow(clippy::type_complexity)]
fn complement(
    (from, until): (Bound, Bound),
    grain: Grain,
    now: NaiveDateTime,
) -> Option<((NaiveDate, NaiveDate), Vec<(Bound, Bound)>)> {
    let (Some(from), Some(until)) = (from, until) else { return None };
    let start = match grain {
        Grain::Day => from.date(),
        Grain::Month => month_of(from.date()),
    };
    let end = match grain {
        Grain::Day => start.succ_opt()?,
        Grain::Month => start.checked_add_months(Months::new(1))?,
    };
    if from >= until || until > midnight(end) {
        return None;
    }
    let before_now = |a: NaiveDateTime, b: NaiveDateTime| (b.min(now) - a.min(now)).max(chrono::TimeDelta::zero());
    let outside = [(midnight(start), from), (until, midnight(end))];
    if outside.iter().map(|(a, b)| before_now(*a, *b)).sum::<chrono::TimeDelta>() >= before_now(from, until) {
        return None;
    }
    let parts = outside.into_iter().filter(|(a, b)| a < b).map(|(a, b)| (Some(a), Some(b))).collect();
    Some(((start, end), parts))
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

/// Where a term's totals are read: one column's rows (or the account's), for some references (`None`:
/// every one), or a pair's, for some references of either column (at least one of them).
enum Source<'a> {
    Single(Across, Option<&'a [String]>),
    Pair(Pair, Option<&'a [String]>, Option<&'a [String]>),
}

/// Adds a term's groups over whole days to `out`, from the totals or (by day over two columns) the
/// records. Grouped by a column the term does not limit, a pair's rows leave out the records without
/// that column: their group is the other column's totals less the pair's.
#[allow(clippy::too_many_arguments)]
fn read_term(
    conn: &mut DbConn,
    account: AccountId,
    term: &Term,
    kinds: Option<&[String]>,
    filter: &CommunicationFilter,
    days: (Option<NaiveDate>, Option<NaiveDate>),
    dimension: Dimension,
    out: &mut Groups,
) -> StoreResult<()> {
    let refs = |across: Across| term.conds.get(&across).map(Vec::as_slice);
    let account_ref = [String::new()];
    let source = match term.reading {
        Reading::Single(Across::Account) => Source::Single(Across::Account, Some(&account_ref[..])),
        Reading::Single(one) => Source::Single(one, refs(one)),
        Reading::Pair(pair) => Source::Pair(pair, refs(pair.columns().0), refs(pair.columns().1)),
        Reading::Records => {
            let (from, until) = days;
            let window = CommunicationFilter {
                from: from.map(|d| from_db_time(midnight(d))),
                until: until.map(|d| from_db_time(midnight(d))),
                ..filter.clone()
            };
            return count_records(conn, account, dimension, false, out, |b| {
                for (across, refs) in &term.conds {
                    push_column_part(b, &ScopePart::Column(across.column(), refs.clone()), None);
                }
                if let Some(kinds) = kinds {
                    b.sql(" AND c.kind IN ").list(kinds);
                }
                push_filters(b, account, &window);
            });
        }
    };
    read_whole_days(conn, account, &source, kinds, days, dimension, out)?;
    if let (Source::Pair(..), Some(g)) = (&source, grouped_on(dimension))
        && !term.conds.contains_key(&g)
        && let Some((&other, other_refs)) = term.conds.iter().next()
    {
        let mut without = Groups::new();
        let source = Source::Single(other, Some(other_refs));
        read_whole_days(conn, account, &source, kinds, days, Dimension::Kind, &mut without)?;
        for ((_, kind), sums) in out.iter() {
            *without.entry((Some(kind.clone()), kind.clone())).or_default() -= *sums;
        }
        for ((_, kind), sums) in without {
            if sums != Sums::default() {
                *out.entry((None, kind)).or_default() += sums;
            }
        }
    }
    Ok(())
}

/// The totals of whole days `[from, until)`: whole months from the month rows (but by day for a report
/// by day), the days around them from the day rows.
fn read_whole_days(
    conn: &mut DbConn,
    account: AccountId,
    source: &Source<'_>,
    kinds: Option<&[String]>,
    (from, until): (Option<NaiveDate>, Option<NaiveDate>),
    dimension: Dimension,
    out: &mut Groups,
) -> StoreResult<()> {
    let months_from = from.map(month_on_or_after);
    let months_until = until.map(month_of);
    let has_months = !matches!((months_from, months_until), (Some(f), Some(u)) if f >= u);
    let mut days = Vec::new();
    if dimension == Dimension::Day || !has_months {
        days.push((from, until));
    } else {
        let months = Rows { grain: Grain::Month, from: months_from, until: months_until };
        read(conn, account, source, kinds, months, dimension, out)?;
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
    // every reference of a column over some days: those with records in these days' months, each then
    // one range of the key (instead of every reference's every day)
    let listed;
    let source = match source {
        Source::Single(across, None) => {
            let mut b = SqlBuf::new(conn.backend());
            b.sql("SELECT DISTINCT ref_id");
            push_key_prefix(&mut b, account, *across, Grain::Month);
            b.sql(" AND (");
            for (i, (f, u)) in days.iter().enumerate() {
                let last = u.and_then(|u| u.pred_opt()).map(|d| month_of(d).checked_add_months(Months::new(1)));
                b.sql(if i == 0 { "(1 = 1" } else { " OR (1 = 1" });
                push_periods(&mut b, Grain::Month, f.map(month_of), last.flatten());
                b.sql(")");
            }
            b.sql(")");
            listed = b.load::<RefRow>(conn)?.into_iter().map(|r| r.ref_id).collect::<Vec<_>>();
            &Source::Single(*across, Some(&listed))
        }
        other => other,
    };
    for (from, until) in days {
        read(conn, account, source, kinds, Rows { grain: Grain::Day, from, until }, dimension, out)?;
    }
    Ok(())
}

/// Summed totals of one key, per kind.
#[derive(QueryableByName)]
pub(super) struct TotalRow {
    #[diesel(sql_type = Text)]
    pub(super) key: String,
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
    /// The kinds with records, and their sums.
    pub(super) fn counted_kinds(&self) -> impl Iterator<Item = (CommunicationKind, Sums)> {
        CommunicationKind::ALL.into_iter().zip(self.per_kind()).filter(|(_, sums)| sums.records > 0)
    }

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

/// A list of references in parts of at most [`REFS_PER_READ`] (`None`: one part, every reference).
fn chunks(refs: Option<&[String]>) -> Vec<Option<&[String]>> {
    match refs {
        Some(r) => r.chunks(REFS_PER_READ).map(Some).collect(),
        None => vec![None],
    }
}

/// Adds the totals of `rows` from `source` to `out`.
fn read(
    conn: &mut DbConn,
    account: AccountId,
    source: &Source<'_>,
    kinds: Option<&[String]>,
    rows: Rows,
    dimension: Dimension,
    out: &mut Groups,
) -> StoreResult<()> {
    let (table, named, name, a_column, a, b) = match *source {
        Source::Single(across, refs) => ("communication_totals", "dimension", across.name(), "ref_id", refs, None),
        // by month only: no grain
        Source::Pair(pair, a, b) => ("communication_pair_totals", "pair", pair.name(), "ref_a", a, b),
    };
    let grained = matches!(source, Source::Single(..));
    debug_assert!(grained || rows.grain == Grain::Month, "a pair's totals are kept by month only");
    // by kind: one group of every row (the kind is the key)
    let key = match (dimension, grouped_on(dimension), source) {
        (Dimension::Kind, ..) => named,
        (Dimension::Day, ..) => "period",
        (_, Some(g), Source::Pair(pair, ..)) if pair.columns().1 == g => "ref_b",
        _ => a_column,
    };
    for a_chunk in chunks(a) {
        for b_chunk in chunks(b) {
            let mut q = SqlBuf::new(conn.backend());
            q.sql("SELECT ").sql(key).sql(" AS key");
            for column in kind_columns() {
                let _ = write!(q.text_mut(), ", CAST(SUM({column}) AS BIGINT) AS {column}");
            }
            let _ = write!(q.text_mut(), " FROM {table} WHERE account_id = ");
            q.text(account).sql(" AND ").sql(named).sql(" = ").text(name);
            if grained {
                q.sql(" AND grain = ").text(rows.grain.name());
            }
            push_periods(&mut q, rows.grain, rows.from, rows.until);
            if let Some(r) = a_chunk {
                q.sql(" AND ").sql(a_column).sql(" IN ").list(r);
            }
            if let Some(r) = b_chunk {
                q.sql(" AND ref_b IN ").list(r);
            }
            q.sql(" GROUP BY ").sql(key);
            for r in q.load::<TotalRow>(conn)? {
                for (kind, sums) in r.counted_kinds() {
                    if !kinds.is_none_or(|ks| ks.iter().any(|k| k == kind.as_str())) {
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
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a time")
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a day")
    }

    #[test]
    fn a_range_ending_now_reads_its_last_days_totals_less_what_lies_ahead() {
        let now = at("2026-12-04 19:16");
        let (period, outside) =
            complement((Some(at("2026-12-04 00:00")), Some(now)), Grain::Day, now).expect("cheaper from the totals");
        assert_eq!(period, (day("2026-12-04"), day("2026-12-05")));
        assert_eq!(outside, vec![(Some(now), Some(at("2026-12-05 00:00")))]);
    }

    #[test]
    fn a_partial_day_counts_whichever_side_of_the_boundary_holds_less_time() {
        let now = at("2026-12-04 19:16");
        let late = (Some(at("2026-11-04 19:16")), Some(at("2026-11-05 00:00")));
        assert_eq!(complement(late, Grain::Day, now), None, "under five hours: counted");
        let early = (Some(at("2026-11-04 03:00")), Some(at("2026-11-05 00:00")));
        let (period, outside) = complement(early, Grain::Day, now).expect("the day less its first three hours");
        assert_eq!(period, (day("2026-11-04"), day("2026-11-05")));
        assert_eq!(outside, vec![(Some(at("2026-11-04 00:00")), Some(at("2026-11-04 03:00")))]);
        // both ends inside one day: the day less both sides, when they hold less
        let middle = (Some(at("2026-11-04 01:00")), Some(at("2026-11-04 23:00")));
        let (_, outside) = complement(middle, Grain::Day, now).expect("the day less two hours");
        assert_eq!(outside.len(), 2);
        assert_eq!(complement((Some(at("2026-11-04 10:00")), Some(at("2026-11-04 11:00"))), Grain::Day, now), None);
    }

    #[test]
    fn thirty_days_across_a_month_boundary_are_two_partial_months() {
        let now = at("2026-12-04 19:16");
        let from = at("2026-11-04 19:16");
        let (whole, edges) = split(Some(from), Some(now), Grain::Month);
        assert_eq!(whole, None);
        let first = at("2026-12-01 00:00");
        assert_eq!(edges, vec![(Some(from), Some(first)), (Some(first), Some(now))]);
        // November: its totals less its first days; December up to now: its totals
        let (november, before) = complement(edges[0], Grain::Month, now).expect("November less four days");
        assert_eq!(november, (day("2026-11-01"), day("2026-12-01")));
        assert_eq!(before, vec![(Some(at("2026-11-01 00:00")), Some(from))]);
        let (december, _) = complement(edges[1], Grain::Month, now).expect("December's totals");
        assert_eq!(december, (day("2026-12-01"), day("2027-01-01")));
    }

    #[test]
    fn a_range_within_one_day_or_backwards_is_one_partial_day() {
        let (from, until) = (at("2026-11-04 10:00"), at("2026-11-04 12:00"));
        assert_eq!(split(Some(from), Some(until), Grain::Day), (None, vec![(Some(from), Some(until))]));
        assert_eq!(split(Some(until), Some(from), Grain::Day), (None, vec![(Some(until), Some(from))]));
        assert_eq!(complement((Some(until), Some(from)), Grain::Day, until), None);
    }
}
