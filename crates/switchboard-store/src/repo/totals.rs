//! Totals of the communications (issue 20), kept by the transaction that stores them: for the whole
//! account and for each number, workgroup and IVR, per UTC day and per month: per kind, the records,
//! those recorded and their seconds (the kinds are columns: an ingest writes one row per reference and
//! period). Reports read them (`reports::from_totals`).

use crate::db::{Backend, DbConn};
use crate::error::StoreResult;
use crate::repo::history_sql::{Bind, SqlBuf};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use std::collections::BTreeMap;
use std::fmt::Write;
use switchboard_core::{AccountId, CommunicationKind};

/// Totals rows written per statement (17 or 18 bound values each).
const UPSERT_ROWS: usize = 1_000;
/// Rows of totals per key on PostgreSQL: as many ingests as this add at once without waiting for
/// each other (an ingest holds its rows until it commits); reports sum them.
const STRIPES: i64 = 4;
/// The advisory locks (class, stripe) by which concurrent ingests on PostgreSQL take distinct stripes.
const STRIPE_LOCK_CLASS: i32 = 2_026_120_801;
/// What a row of totals counts: every record of the account, or those of one reference in a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Across {
    Account,
    Number,
    Workgroup,
    Ivr,
}

impl Across {
    const ALL: [Across; 4] = [Across::Account, Across::Number, Across::Workgroup, Across::Ivr];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Across::Account => "account",
            Across::Number => "number",
            Across::Workgroup => "workgroup",
            Across::Ivr => "ivr",
        }
    }

    /// The communications' column of its references (the account's: `account_id`).
    pub(crate) fn column(self) -> &'static str {
        match self {
            Across::Account => "account_id",
            Across::Number => "number_id",
            Across::Workgroup => "workgroup_id",
            Across::Ivr => "ivr_id",
        }
    }

    pub(crate) fn of_column(column: &str) -> Option<Across> {
        match column {
            "number_id" => Some(Across::Number),
            "workgroup_id" => Some(Across::Workgroup),
            "ivr_id" => Some(Across::Ivr),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Grain {
    Day,
    Month,
}

impl Grain {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Month => "month",
        }
    }

    /// The period a day falls in, as stored: `YYYY-MM-DD` or `YYYY-MM`.
    pub(crate) fn period(self, day: NaiveDate) -> String {
        match self {
            Grain::Day => day.format("%Y-%m-%d").to_string(),
            Grain::Month => day.format("%Y-%m").to_string(),
        }
    }
}

/// Records, recorded records and their seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Sums {
    pub records: i64,
    pub recorded: i64,
    pub duration_seconds: i64,
}

impl Sums {
    /// The values of a kind's three columns, in the order [`kind_columns`] names them.
    fn values(self) -> [i64; 3] {
        [self.records, self.recorded, self.duration_seconds]
    }
}

impl std::ops::SubAssign for Sums {
    fn sub_assign(&mut self, o: Sums) {
        self.records -= o.records;
        self.recorded -= o.recorded;
        self.duration_seconds -= o.duration_seconds;
    }
}

impl std::ops::AddAssign for Sums {
    fn add_assign(&mut self, o: Sums) {
        self.records += o.records;
        self.recorded += o.recorded;
        self.duration_seconds += o.duration_seconds;
    }
}

/// The sums of each kind, in the order of [`CommunicationKind::ALL`].
pub(crate) type PerKind = [Sums; 4];

/// The value columns of a totals row, in the order of [`PerKind`]: each kind's records, recorded
/// records and seconds.
pub(crate) fn kind_columns() -> impl Iterator<Item = String> {
    CommunicationKind::ALL
        .into_iter()
        .flat_map(|k| ["records", "recorded", "seconds"].map(|c| format!("{}_{c}", k.as_str())))
}

pub(crate) fn kind_index(kind: CommunicationKind) -> usize {
    CommunicationKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// A stored communication, as the totals count it (references as stored text).
pub(crate) struct Entry {
    pub started_at: NaiveDateTime,
    pub kind: CommunicationKind,
    pub number: Option<String>,
    pub workgroup: Option<String>,
    pub ivr: Option<String>,
    pub has_recording: bool,
    pub duration_seconds: i32,
}

/// Two columns whose totals are kept together, by month (`communication_pair_totals`), in the order of
/// the table's `ref_a` and `ref_b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Pair {
    NumberWorkgroup,
    NumberIvr,
    WorkgroupIvr,
}

impl Pair {
    const ALL: [Pair; 3] = [Pair::NumberWorkgroup, Pair::NumberIvr, Pair::WorkgroupIvr];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Pair::NumberWorkgroup => "number_workgroup",
            Pair::NumberIvr => "number_ivr",
            Pair::WorkgroupIvr => "workgroup_ivr",
        }
    }

    /// The columns of `ref_a` and `ref_b`.
    pub(crate) fn columns(self) -> (Across, Across) {
        match self {
            Pair::NumberWorkgroup => (Across::Number, Across::Workgroup),
            Pair::NumberIvr => (Across::Number, Across::Ivr),
            Pair::WorkgroupIvr => (Across::Workgroup, Across::Ivr),
        }
    }

    /// The pair of two distinct columns (in either order); `None` for the account or one column twice.
    pub(crate) fn of(x: Across, y: Across) -> Option<Pair> {
        Pair::ALL.into_iter().find(|p| p.columns() == (x, y) || p.columns() == (y, x))
    }
}

impl Entry {
    fn reference(&self, across: Across) -> Option<&String> {
        match across {
            Across::Account => None,
            Across::Number => self.number.as_ref(),
            Across::Workgroup => self.workgroup.as_ref(),
            Across::Ivr => self.ivr.as_ref(),
        }
    }
}

/// Adds newly stored communications to the totals, in the caller's transaction: each column's by day
/// and by month, and each pair's by month where a record has both. Rows are written in key order, so
/// concurrent ingests on PostgreSQL take the rows they share in the same order.
pub(crate) fn add(conn: &mut DbConn, account: AccountId, items: &[Entry]) -> StoreResult<()> {
    let mut single: BTreeMap<[String; 4], PerKind> = BTreeMap::new();
    let mut pairs: BTreeMap<[String; 4], PerKind> = BTreeMap::new();
    for c in items {
        let day = c.started_at.date();
        let sums =
            Sums { records: 1, recorded: i64::from(c.has_recording), duration_seconds: i64::from(c.duration_seconds) };
        for grain in [Grain::Day, Grain::Month] {
            let (grain_name, period) = (grain.name().to_owned(), grain.period(day));
            for across in Across::ALL {
                let reference = c.reference(across).cloned().unwrap_or_default();
                let key = [across.name().to_owned(), grain_name.clone(), reference, period.clone()];
                single.entry(key).or_default()[kind_index(c.kind)] += sums;
            }
        }
        // pairs by month only (see the migration)
        let month = Grain::Month.period(day);
        for pair in Pair::ALL {
            let (a, b) = pair.columns();
            if let (Some(a), Some(b)) = (c.reference(a), c.reference(b)) {
                let key = [pair.name().to_owned(), a.clone(), month.clone(), b.clone()];
                pairs.entry(key).or_default()[kind_index(c.kind)] += sums;
            }
        }
    }
    let stripe = free_stripe(conn)?;
    upsert(conn, account, stripe, "communication_totals", &["dimension", "grain", "ref_id", "period"], single)?;
    upsert(conn, account, stripe, "communication_pair_totals", &["pair", "ref_a", "period", "ref_b"], pairs)
}

/// Adds `rows` (key columns' values → sums) to a totals table's rows of `stripe`.
fn upsert<const N: usize>(
    conn: &mut DbConn,
    account: AccountId,
    stripe: i64,
    table: &str,
    key: &[&str; N],
    rows: BTreeMap<[String; N], PerKind>,
) -> StoreResult<()> {
    let rows: Vec<_> = rows.into_iter().collect();
    if let DbConn::Postgresql(pg) = conn {
        return Ok(upsert_unnested(pg, account, stripe, table, key, &rows)?);
    }
    for chunk in rows.chunks(UPSERT_ROWS) {
        let mut b = SqlBuf::new(conn.backend());
        let _ = write!(b.text_mut(), "INSERT INTO {table} (account_id, {}, stripe", key.join(", "));
        for column in kind_columns() {
            let _ = write!(b.text_mut(), ", {column}");
        }
        b.sql(") VALUES ");
        for (i, (values, kinds)) in chunk.iter().enumerate() {
            b.sql(if i == 0 { "(" } else { ", (" }).text(account);
            for v in values {
                b.sql(", ").text(v);
            }
            b.sql(", ").bind(Bind::Int(stripe));
            for value in kinds.iter().flat_map(|s| s.values()) {
                b.sql(", ").bind(Bind::Int(value));
            }
            b.sql(")");
        }
        b.sql(&adding_on_conflict(table, key));
        b.execute(conn)?;
    }
    Ok(())
}

/// [`upsert`] on PostgreSQL: one array per column, `unnest`ed by one short statement, where rows of
/// `VALUES` are parsed and planned value by value on every call.
fn upsert_unnested<const N: usize>(
    conn: &mut diesel::PgConnection,
    account: AccountId,
    stripe: i64,
    table: &str,
    key: &[&str; N],
    rows: &[([String; N], PerKind)],
) -> diesel::QueryResult<()> {
    use diesel::RunQueryDsl;
    use diesel::sql_types::{Array, Text};
    if rows.is_empty() {
        return Ok(());
    }
    let columns: Vec<String> = kind_columns().collect();
    let arrays = (0..N + columns.len())
        .map(|i| format!("${}::{}[]", i + 3, if i < N { "text" } else { "int8" }))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO {table} (account_id, stripe, {keys}, {values}) SELECT $1, $2, * FROM unnest({arrays}){adding}",
        keys = key.join(", "),
        values = columns.join(", "),
        adding = adding_on_conflict(table, key),
    );
    let mut q = diesel::sql_query(sql).into_boxed::<diesel::pg::Pg>();
    q = q.bind::<Text, _>(account.to_string()).bind::<BigInt, _>(stripe);
    for k in 0..N {
        q = q.bind::<Array<Text>, _>(rows.iter().map(|(values, _)| values[k].clone()).collect::<Vec<_>>());
    }
    for k in 0..columns.len() {
        let column = rows.iter().map(|(_, kinds)| kinds[k / 3].values()[k % 3]);
        q = q.bind::<Array<BigInt>, _>(column.collect::<Vec<_>>());
    }
    q.execute(conn).map(|_| ())
}

/// ` ON CONFLICT … DO UPDATE`: a row of totals that exists gets the new sums added to its own.
fn adding_on_conflict(table: &str, key: &[&str]) -> String {
    let sums: Vec<String> = kind_columns().map(|c| format!("{c} = {table}.{c} + excluded.{c}")).collect();
    format!(" ON CONFLICT (account_id, {}, stripe) DO UPDATE SET {}", key.join(", "), sums.join(", "))
}

#[derive(QueryableByName)]
struct StripeRow {
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    stripe: Option<i64>,
}

/// The stripe this transaction adds to: on PostgreSQL the first no other transaction holds (held until
/// this one ends), or the connection's own when all are taken; on SQLite, whose writers take turns, 0.
fn free_stripe(conn: &mut DbConn) -> StoreResult<i64> {
    if conn.backend() == Backend::Sqlite {
        return Ok(0);
    }
    let mut b = SqlBuf::new(Backend::Postgres);
    let _ = write!(
        b.text_mut(),
        "SELECT COALESCE((SELECT s FROM generate_series(0, {last}) AS s \
         WHERE pg_try_advisory_xact_lock({STRIPE_LOCK_CLASS}, s::int) LIMIT 1), pg_backend_pid() % {STRIPES})::bigint \
         AS stripe",
        last = STRIPES - 1
    );
    Ok(b.load::<StripeRow>(conn)?.first().and_then(|r| r.stripe).unwrap_or(0))
}
