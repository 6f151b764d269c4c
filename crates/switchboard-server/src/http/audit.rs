//! `/v1/audit-events`: who changed what, when, with the record before and after.

use crate::access::Caller;
use crate::auth::api_key;
use crate::http::common::{Errors, PageQuery, db, page};
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use switchboard_store::Actor;
use switchboard_store::repo::api_keys;
use switchboard_store::repo::audit::{self, AuditEvent, AuditFilter};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Who made a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorView {
    /// `user`, `api_key`, `operator` or `system`.
    pub kind: &'static str,
    pub id: Option<Uuid>,
    /// For an API key: the prefix it is listed with (`sbk_…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_prefix: Option<String>,
}

/// One change, with the record before and after.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    pub id: Uuid,
    pub actor: ActorView,
    #[schema(example = "role.update")]
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
}

page!(AuditEventPage, AuditEventView);

impl AuditEventView {
    /// An event, naming the acting key by the prefix `prefixes` gives for it.
    fn new(e: AuditEvent, prefixes: &BTreeMap<Uuid, String>) -> Self {
        let actor = match e.actor {
            Actor::User(u) => ActorView { kind: "user", id: Some(u.0), key_prefix: None },
            Actor::ApiKey(k) => ActorView {
                kind: "api_key",
                id: Some(k),
                key_prefix: prefixes.get(&k).map(|p| api_key::shown_prefix(p)),
            },
            Actor::Operator => ActorView { kind: "operator", id: None, key_prefix: None },
            Actor::System => ActorView { kind: "system", id: None, key_prefix: None },
        };
        AuditEventView {
            id: e.id,
            actor,
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            before: e.before,
            after: e.after,
            at: e.at,
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
}

/// The account's audit log, newest first: for the superadmin, the roles the pack names (Aircall's
/// Owner), and anyone who views both the roles and the account. A change made with an API key names
/// the key's prefix.
#[utoipa::path(operation_id = "list_audit_events", tag = "audit", security(("bearer" = []), ("api_key" = [])),
    params(AuditQuery, PageQuery),
    responses((status = 200, description = "A page of audit events", body = AuditEventPage), Errors))]
#[get("/audit-events")]
pub async fn list_audit_events(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<AuditEventPage>, ApiError> {
    caller.allow(caller.policy().can_read_audit(&caller.principal)?, &state.metrics)?;
    let q = query.into_inner();
    let page = page.request()?;
    let filter = AuditFilter { target_type: q.target_type, target_id: q.target_id, action: q.action };
    let account = caller.account.id;
    let (list, prefixes) = db(&state, move |_, conn| {
        let list = audit::list(conn, account, &filter, &page)?;
        let keys: Vec<Uuid> =
            list.items.iter().filter_map(|e| if let Actor::ApiKey(k) = e.actor { Some(k) } else { None }).collect();
        Ok((list, api_keys::prefixes(conn, account, &keys)?))
    })
    .await?;
    Ok(web::Json(AuditEventPage::map(list, |event| AuditEventView::new(event, &prefixes))))
}
