//! Reports by participant a page at a time: a page of a large scope walks the participants' index in
//! id order and sums only the page's people's records; whether a scope is large is read from the
//! totals where they answer.

use super::from_totals::{self, TotalRow};
use super::records::{Dimension, Groups, add_counts, push_scope};
use crate::db::{Backend, DbConn};
use crate::error::StoreResult;
use crate::repo::communications::CommunicationFilter;
use crate::repo::history_sql::{CountRow, SqlBuf};
use std::fmt::Write as _;
use switchboard_core::{AccountId, CommunicationKind, Visibility};

#[derive(diesel::QueryableByName)]
struct Counted {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Whether the scope holds more than `n` records: from the totals where they answer (the report by
/// kind), else counted up to `n + 1` through the scope's own indexes.
pub(super) fn holds_more_than(
    conn: &mut DbConn,
    account: AccountId,
    visibility: &Visibility<'_>,
    filter: &CommunicationFilter,
    n: i64,
) -> StoreResult<bool> {
    if let Some(plan) = from_totals::plan(visibility, filter, Dimension::Kind) {
        let groups = from_totals::answer(conn, account, &plan, filter, Dimension::Kind)?;
        return Ok(groups.values().map(|s| s.records).sum::<i64>() > n);
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
pub(super) fn counted(
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
        for (kind, sums) in person.counted_kinds() {
            *out.entry((Some(person.key.clone()), kind.as_str().to_owned())).or_default() += sums;
        }
    }
    if !more {
        // NOT EXISTS rather than the whole report's outer join: SQLite reads it in about half the time
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
