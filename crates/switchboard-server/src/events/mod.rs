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

use crate::auth::api_key;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use switchboard_core::AccountId;
use switchboard_store::Actor;
use switchboard_store::repo::audit::AuditEvent;
use utoipa::ToSchema;
use uuid::Uuid;

/// Who made a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorView {
    /// `user`, `api_key`, `scim_token` (an identity provider through SCIM), `identity_provider` (a
    /// groups claim in a provider's token, under the group mapping `id`), `operator` or `system`.
    pub kind: &'static str,
    pub id: Option<Uuid>,
    /// For an API key: the prefix it is listed with (`sbk_…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_prefix: Option<String>,
}

impl ActorView {
    /// The actor, naming an acting key by the prefix `prefixes` gives for it (when given).
    pub fn of(actor: &Actor, prefixes: Option<&BTreeMap<Uuid, String>>) -> ActorView {
        match actor {
            Actor::User(u) => ActorView { kind: "user", id: Some(u.0), key_prefix: None },
            Actor::ApiKey(k) => ActorView {
                kind: "api_key",
                id: Some(*k),
                key_prefix: prefixes.and_then(|p| p.get(k)).map(|p| api_key::shown_prefix(p)),
            },
            Actor::ScimToken(k) => ActorView {
                kind: "scim_token",
                id: Some(*k),
                key_prefix: prefixes.and_then(|p| p.get(k)).map(|p| api_key::shown_scim_prefix(p)),
            },
            Actor::IdentityProvider(m) => ActorView { kind: "identity_provider", id: Some(*m), key_prefix: None },
            Actor::Operator => ActorView { kind: "operator", id: None, key_prefix: None },
            Actor::System => ActorView { kind: "system", id: None, key_prefix: None },
        }
    }
}

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
