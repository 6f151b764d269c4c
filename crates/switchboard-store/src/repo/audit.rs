//! Reading the audit log (writing happens inside every mutation's transaction).

use crate::common::{Actor, Page, PageRequest, from_db_time, parse_id, to_db_time};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::audit_events;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use switchboard_core::AccountId;
use uuid::Uuid;

/// One recorded change, with the record before and after.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub id: Uuid,
    /// The API shows who acted beside the event, naming keys by their prefix.
    #[serde(skip)]
    pub actor: Actor,
    #[cfg_attr(feature = "openapi", schema(example = "role.update"))]
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
    /// The event's number in its account: 1, 2, 3 … in commit order, without gaps (the `sequence` of
    /// its change event).
    #[serde(rename = "sequence")]
    pub seq: i64,
}

/// Filters of the audit list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub action: Option<String>,
    /// `user`, `api_key`, `operator` or `system`.
    pub actor_kind: Option<String>,
    /// The acting user's or key's id.
    pub actor_id: Option<String>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub until: Option<DateTime<Utc>>,
}

/// A row of `audit_events`, as read.
#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct EventRow {
    id: String,
    actor_kind: String,
    actor_id: Option<String>,
    action: String,
    target_type: String,
    target_id: Option<String>,
    before_state: Option<String>,
    after_state: Option<String>,
    at: NaiveDateTime,
    seq: i64,
}

impl EventRow {
    pub(crate) fn event(self) -> StoreResult<AuditEvent> {
        Ok(AuditEvent {
            id: parse_id(&self.id)?,
            actor: Actor::from_columns(&self.actor_kind, self.actor_id.as_deref())?,
            action: self.action,
            target_type: self.target_type,
            target_id: self.target_id,
            before: json_of(self.before_state)?,
            after: json_of(self.after_state)?,
            at: from_db_time(self.at),
            seq: self.seq,
        })
    }
}

fn json_of(s: Option<String>) -> StoreResult<Option<serde_json::Value>> {
    s.map(|s| serde_json::from_str(&s)).transpose().map_err(StoreError::from)
}

/// The account's audit events, newest first.
pub fn list(
    conn: &mut DbConn,
    account: AccountId,
    filter: &AuditFilter,
    page: &PageRequest,
) -> StoreResult<Page<AuditEvent>> {
    let limit = page.effective_limit();
    let mut q = audit_events::table
        .filter(audit_events::account_id.eq(account))
        .select(EventRow::as_select())
        .order((audit_events::at.desc(), audit_events::id.desc()))
        .limit(limit + 1)
        .into_boxed();
    if let Some(t) = &filter.target_type {
        q = q.filter(audit_events::target_type.eq(t.clone()));
    }
    if let Some(t) = &filter.target_id {
        q = q.filter(audit_events::target_id.eq(t.clone()));
    }
    if let Some(a) = &filter.action {
        q = q.filter(audit_events::action.eq(a.clone()));
    }
    if let Some(k) = &filter.actor_kind {
        q = q.filter(audit_events::actor_kind.eq(k.clone()));
    }
    if let Some(id) = &filter.actor_id {
        q = q.filter(audit_events::actor_id.eq(id.clone()));
    }
    if let Some(from) = filter.from {
        q = q.filter(audit_events::at.ge(to_db_time(from)));
    }
    if let Some(until) = filter.until {
        q = q.filter(audit_events::at.lt(to_db_time(until)));
    }
    if let Some(c) = page.cursor_parts(2)? {
        let micros: i64 = c[0].parse().map_err(|_| StoreError::InvalidInput("bad cursor".into()))?;
        let at = DateTime::<Utc>::from_timestamp_micros(micros)
            .ok_or_else(|| StoreError::InvalidInput("bad cursor".into()))?;
        let at = to_db_time(at);
        // `<=` first: a range the index can seek to, then the tie-break
        q = q.filter(audit_events::at.le(at)).filter(audit_events::at.lt(at).or(audit_events::id.lt(c[1].clone())));
    }
    let rows: Vec<EventRow> = q.load(conn)?;
    let items = rows.into_iter().map(EventRow::event).collect::<StoreResult<Vec<_>>>()?;
    Ok(Page::from_rows(items, limit, |e| vec![e.at.timestamp_micros().to_string(), e.id.to_string()]))
}
