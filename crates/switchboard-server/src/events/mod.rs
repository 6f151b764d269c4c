//! Change events leaving the server (issue 19). Every audited change is an event, numbered in its
//! account as it commits; the audit log is the transactional outbox. Three ways out read it, each
//! resuming after the last number it handled, so nothing is lost across restarts or crashes:
//!
//! - webhooks ([`webhooks`]): signed HTTP deliveries, in order, retried with backoff;
//! - the feed `GET /v1/events` (`http::events`): long-poll or Server-Sent Events;
//! - the NATS JetStream sink ([`nats`]), when a URL is configured.

pub mod nats;
pub mod receivers;
pub mod webhooks;

use crate::http::audit::ActorView;
use chrono::{DateTime, Utc};
use serde::Serialize;
use switchboard_core::AccountId;
use switchboard_store::repo::audit::AuditEvent;
use utoipa::ToSchema;
use uuid::Uuid;

/// What a change was made to.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventTarget {
    /// e.g. `role`, `user`, `webhook`.
    #[serde(rename = "type")]
    pub target_type: String,
    pub id: Option<String>,
}

/// A change event: one audited change, as every receiver gets it (webhook body, feed item, NATS
/// message).
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// Unique; a receiver that got it before drops it (deliveries are at-least-once).
    pub id: Uuid,
    /// The event's number in its account: 1, 2, 3 … in commit order, without gaps. Resume the feed
    /// with `after=<sequence>` of the last event handled.
    pub sequence: i64,
    pub account_id: AccountId,
    /// The audit action, e.g. `role.update`, `role_assignment.expired`, `role.emergency_access`.
    #[serde(rename = "type")]
    #[schema(example = "role.update")]
    pub event_type: String,
    pub actor: ActorView,
    pub target: EventTarget,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
}

impl EventView {
    pub fn new(account: AccountId, e: AuditEvent) -> EventView {
        EventView {
            id: e.id,
            sequence: e.seq,
            account_id: account,
            actor: ActorView::of(&e.actor, None),
            event_type: e.action,
            target: EventTarget { target_type: e.target_type, id: e.target_id },
            before: e.before,
            after: e.after,
            at: e.at,
        }
    }
}
