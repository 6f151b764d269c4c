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

/// One recorded change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditEvent {
    pub id: Uuid,
    #[serde(skip)]
    pub actor: Actor,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
}

/// Filters of the audit list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub action: Option<String>,
}

type Row =
    (String, String, Option<String>, String, String, Option<String>, Option<String>, Option<String>, NaiveDateTime);

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
        .filter(audit_events::account_id.eq(account.to_string()))
        .select((
            audit_events::id,
            audit_events::actor_kind,
            audit_events::actor_id,
            audit_events::action,
            audit_events::target_type,
            audit_events::target_id,
            audit_events::before_state,
            audit_events::after_state,
            audit_events::at,
        ))
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
    if let Some(c) = page.cursor_parts(2)? {
        let micros: i64 = c[0].parse().map_err(|_| StoreError::InvalidInput("bad cursor".into()))?;
        let at = DateTime::<Utc>::from_timestamp_micros(micros)
            .ok_or_else(|| StoreError::InvalidInput("bad cursor".into()))?;
        let at = to_db_time(at);
        // `<=` first: a range the index can seek to, then the tie-break
        q = q.filter(audit_events::at.le(at)).filter(audit_events::at.lt(at).or(audit_events::id.lt(c[1].clone())));
    }
    let rows: Vec<Row> = q.load(conn)?;
    let items = rows
        .into_iter()
        .map(|r| {
            Ok(AuditEvent {
                id: parse_id(&r.0)?,
                actor: Actor::from_columns(&r.1, r.2.as_deref())?,
                action: r.3,
                target_type: r.4,
                target_id: r.5,
                before: json_of(r.6)?,
                after: json_of(r.7)?,
                at: from_db_time(r.8),
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Page::from_rows(items, limit, |e| vec![e.at.timestamp_micros().to_string(), e.id.to_string()]))
}
