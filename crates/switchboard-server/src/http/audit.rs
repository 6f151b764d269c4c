//! `/v1/audit-events`: who changed what, when, with the record before and after.

use crate::access::Caller;
use crate::http::common::{Errors, PageQuery, db, page};
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_store::Actor;
use switchboard_store::repo::audit::{self, AuditEvent, AuditFilter};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Who made a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorView {
    /// `user`, `api_key`, `operator` or `system`.
    pub kind: &'static str,
    pub id: Option<Uuid>,
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

impl From<AuditEvent> for AuditEventView {
    fn from(e: AuditEvent) -> Self {
        let actor = match e.actor {
            Actor::User(u) => ActorView { kind: "user", id: Some(u.0) },
            Actor::ApiKey(k) => ActorView { kind: "api_key", id: Some(k) },
            Actor::Operator => ActorView { kind: "operator", id: None },
            Actor::System => ActorView { kind: "system", id: None },
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

/// The account's audit log, newest first. Needs `team.roles:view` and `account:view`: it shows role
/// changes.
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
    caller.require("team.roles:view", &state.metrics)?;
    caller.require("account:view", &state.metrics)?;
    let q = query.into_inner();
    let page = page.request()?;
    let filter = AuditFilter { target_type: q.target_type, target_id: q.target_id, action: q.action };
    let list = db(&state, move |_, conn| Ok(audit::list(conn, caller.account.id, &filter, &page)?)).await?;
    Ok(web::Json(AuditEventPage::map(list, AuditEventView::from)))
}
