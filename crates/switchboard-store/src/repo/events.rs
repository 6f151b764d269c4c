//! Change events (issue 19): the audit log read in each account's event order. Every audited change
//! is numbered in its account as it commits (see `common::audit`), so "the events after n" is all a
//! reader — the event feed, a webhook's delivery, the NATS sink — needs to resume exactly where it
//! stopped, across restarts.

use crate::common::from_db_time;
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::repo::audit::{AuditEvent, EventRow};
use crate::schema::{audit_events, event_counters, event_sink_cursors};
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use switchboard_core::AccountId;
use uuid::Uuid;

/// Most events one read returns.
pub const MAX_BATCH: i64 = 500;

/// The account's events numbered after `after`, oldest first, at most `limit` (capped at [`MAX_BATCH`]).
pub fn after(conn: &mut DbConn, account: AccountId, after: i64, limit: i64) -> StoreResult<Vec<AuditEvent>> {
    let rows: Vec<EventRow> = audit_events::table
        .filter(audit_events::account_id.eq(account).and(audit_events::seq.gt(after)))
        .order(audit_events::seq.asc())
        .limit(limit.clamp(1, MAX_BATCH))
        .select(EventRow::as_select())
        .load(conn)?;
    rows.into_iter().map(EventRow::event).collect()
}

/// One event of the account, by id.
pub fn get(conn: &mut DbConn, account: AccountId, id: Uuid) -> StoreResult<AuditEvent> {
    let row: Option<EventRow> = audit_events::table
        .filter(audit_events::account_id.eq(account).and(audit_events::id.eq(id.to_string())))
        .select(EventRow::as_select())
        .first(conn)
        .optional()?;
    row.ok_or(StoreError::not_found("event"))?.event()
}

/// The number of the account's latest event (0 before the first).
pub fn latest(conn: &mut DbConn, account: AccountId) -> StoreResult<i64> {
    Ok(event_counters::table.find(account).select(event_counters::seq).first(conn).optional()?.unwrap_or(0))
}

/// When the account's event `seq` was recorded, if it still exists.
pub fn recorded_at(
    conn: &mut DbConn,
    account: AccountId,
    seq: i64,
) -> StoreResult<Option<chrono::DateTime<chrono::Utc>>> {
    let at: Option<chrono::NaiveDateTime> = audit_events::table
        .filter(audit_events::account_id.eq(account).and(audit_events::seq.eq(seq)))
        .select(audit_events::at)
        .first(conn)
        .optional()?;
    Ok(at.map(from_db_time))
}

/// An account whose events a sink has not all published: it has published them up to `published`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SinkBehind {
    pub account: AccountId,
    pub published: i64,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = event_sink_cursors, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct CursorRow {
    account_id: AccountId,
    seq: i64,
}

/// The accounts whose events a sink has not published yet, with how far it has: at most `limit`.
/// An account the sink has never published gets a cursor at 0 first (its whole history is published).
pub fn sink_behind(conn: &mut DbConn, sink: &str, limit: i64) -> StoreResult<Vec<SinkBehind>> {
    let missing: Vec<AccountId> = event_counters::table
        .filter(not(exists(event_sink_cursors::table.filter(
            event_sink_cursors::account_id.eq(event_counters::account_id).and(event_sink_cursors::sink.eq(sink)),
        ))))
        .select(event_counters::account_id)
        .load(conn)?;
    for account in missing {
        // another instance may add the same cursor at once: the first one stays
        let row = (
            event_sink_cursors::account_id.eq(account),
            event_sink_cursors::sink.eq(sink),
            event_sink_cursors::seq.eq(0i64),
        );
        crate::per_backend!(&mut *conn, c => diesel::insert_into(event_sink_cursors::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    let rows: Vec<CursorRow> = event_sink_cursors::table
        .inner_join(event_counters::table.on(event_counters::account_id.eq(event_sink_cursors::account_id)))
        .filter(event_sink_cursors::sink.eq(sink).and(event_counters::seq.gt(event_sink_cursors::seq)))
        .select(CursorRow::as_select())
        .order(event_sink_cursors::account_id)
        .limit(limit)
        .load(conn)?;
    rows.into_iter().map(|row| Ok(SinkBehind { account: row.account_id, published: row.seq })).collect()
}

/// Records that the sink has published the account's events up to `seq` (never moving back: two
/// instances publishing at once both end at the furthest point).
pub fn sink_published(conn: &mut DbConn, sink: &str, account: AccountId, seq: i64) -> StoreResult<()> {
    diesel::update(
        event_sink_cursors::table.filter(
            event_sink_cursors::account_id
                .eq(account)
                .and(event_sink_cursors::sink.eq(sink))
                .and(event_sink_cursors::seq.lt(seq)),
        ),
    )
    .set(event_sink_cursors::seq.eq(seq))
    .execute(conn)?;
    Ok(())
}
