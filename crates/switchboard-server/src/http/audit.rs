//! `/v1/audit-events`: who changed what, when, with the record before and after; filtered by actor,
//! target, action and time, and exported whole as NDJSON or CSV, streamed a page at a time.

use crate::access::Caller;
use crate::events::ActorView;
use crate::http::common::{Errors, PageQuery, db, page};
use crate::http::csv::{self, Accepts};
use crate::http::query::Query;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use switchboard_store::Actor;
use switchboard_store::repo::api_keys;
use switchboard_store::repo::audit::{self, AuditEvent, AuditFilter};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One change, with the record before and after, and who made it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    #[serde(flatten)]
    pub event: AuditEvent,
    pub actor: ActorView,
}

page!(AuditEventPage, AuditEventView);

impl AuditEventView {
    /// An event, naming the acting key by the prefix `prefixes` gives for it.
    fn new(event: AuditEvent, prefixes: &BTreeMap<Uuid, String>) -> Self {
        AuditEventView { actor: ActorView::of(&event.actor, Some(prefixes)), event }
    }
}

/// Who acted.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    User,
    ApiKey,
    ScimToken,
    IdentityProvider,
    Operator,
    System,
}

impl ActorKind {
    fn as_str(self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::ApiKey => "api_key",
            ActorKind::ScimToken => "scim_token",
            ActorKind::IdentityProvider => "identity_provider",
            ActorKind::Operator => "operator",
            ActorKind::System => "system",
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// e.g. `role`, `user`, `account`.
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// e.g. `role.update`.
    pub action: Option<String>,
    /// Changes made by this kind of actor.
    #[param(inline)]
    pub actor_kind: Option<ActorKind>,
    /// Changes made by this user or API key.
    pub actor_id: Option<Uuid>,
    /// At or after (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Before (RFC 3339).
    pub until: Option<DateTime<Utc>>,
}

impl AuditQuery {
    fn filter(self) -> AuditFilter {
        AuditFilter {
            target_type: self.target_type,
            target_id: self.target_id,
            action: self.action,
            actor_kind: self.actor_kind.map(|k| k.as_str().to_owned()),
            actor_id: self.actor_id.map(|id| id.to_string()),
            from: self.from,
            until: self.until,
        }
    }
}

/// One page of events as their views (API keys named by their prefixes).
fn events(
    conn: &mut switchboard_store::DbConn,
    account: switchboard_core::AccountId,
    filter: &AuditFilter,
    page: &switchboard_store::PageRequest,
) -> Result<AuditEventPage, ApiError> {
    let list = audit::list(conn, account, filter, page)?;
    let keys: Vec<Uuid> = list
        .items
        .iter()
        .filter_map(|e| if let Actor::ApiKey(k) | Actor::ScimToken(k) = e.actor { Some(k) } else { None })
        .collect();
    let prefixes = api_keys::prefixes(conn, account, &keys)?;
    Ok(AuditEventPage::map(list, |event| AuditEventView::new(event, &prefixes)))
}

const CSV_HEADER: [&str; 10] =
    ["id", "at", "actor_kind", "actor_id", "key_prefix", "action", "target_type", "target_id", "before", "after"];

fn push_csv(out: &mut String, AuditEventView { event: e, actor }: &AuditEventView) {
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(ToString::to_string).unwrap_or_default();
    let fields = [
        e.id.to_string(),
        e.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        actor.kind.to_owned(),
        actor.id.map(|i| i.to_string()).unwrap_or_default(),
        actor.key_prefix.clone().unwrap_or_default(),
        e.action.clone(),
        e.target_type.clone(),
        e.target_id.clone().unwrap_or_default(),
        json(&e.before),
        json(&e.after),
    ];
    csv::push_line(out, fields.iter().map(String::as_str));
}

/// The account's audit log, newest first: for the superadmin, the roles the pack names (Aircall's
/// Owner), and anyone who views both the roles and the account. A change made with an API key names
/// the key's prefix.
/// With `Accept: application/x-ndjson` or `text/csv`, every matching event is exported, newest first,
/// streamed a page at a time.
#[utoipa::path(operation_id = "list_audit_events", tag = "audit", security(("bearer" = []), ("api_key" = [])),
    params(AuditQuery, PageQuery),
    responses((status = 200, description = "A page of audit events, or all of them as NDJSON or CSV", content(
        (AuditEventPage = "application/json"), (String = "application/x-ndjson"), (String = "text/csv"))), Errors))]
#[get("/audit-events")]
pub async fn list_audit_events(
    accepts: Accepts,
    caller: Caller,
    state: web::Data<AppState>,
    query: Query<AuditQuery>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.allow(caller.policy().can_read_audit(&caller.principal)?, &state.metrics)?;
    let filter = query.into_inner().filter();
    let account = caller.account.id;
    if accepts.ndjson {
        return Ok(csv::stream_pages(state, "application/x-ndjson", String::new(), move |conn, request| {
            let page = events(conn, account, &filter, request)?;
            let mut out = String::new();
            for e in &page.items {
                out.push_str(&serde_json::to_string(e).map_err(|e| ApiError::Internal(e.to_string()))?);
                out.push('\n');
            }
            Ok((out, page.next_cursor))
        }));
    }
    if accepts.csv {
        let mut head = String::new();
        csv::push_line(&mut head, CSV_HEADER);
        return Ok(csv::stream_pages(state, csv::CONTENT_TYPE, head, move |conn, request| {
            let page = events(conn, account, &filter, request)?;
            let mut out = String::new();
            page.items.iter().for_each(|e| push_csv(&mut out, e));
            Ok((out, page.next_cursor))
        }));
    }
    let page = page.request()?;
    Ok(HttpResponse::Ok().json(db(&state, move |_, conn| events(conn, account, &filter, &page)).await?))
}
