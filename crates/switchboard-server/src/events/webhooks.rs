//! Webhook deliveries: signed, in order per webhook, at-least-once, retried with backoff.
//!
//! Each instance runs a few delivery threads. A thread leases one webhook that has events to deliver
//! (a lease is a conditional update naming the thread, so two threads, of one instance or several,
//! never deliver one webhook at once; the least recently delivered webhook goes first), posts its
//! events one by one and records each attempt together with its effect (`repo::webhooks`): the
//! position moves on only after a 2xx. A failure stops the batch and schedules the same event again
//! after `base · 2^(failures-1)`, capped; later events wait behind it, so order holds.

use crate::config::EventSettings;
use crate::events::EventView;
use crate::state::AppState;
use actix_web::web;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard_store::repo::audit::AuditEvent;
use switchboard_store::repo::events;
use switchboard_store::repo::webhooks::{self, Attempt, Webhook};

pub use crate::events::receivers::{agent, check_url};

/// How long an idle delivery thread waits before looking for work again.
const IDLE: Duration = Duration::from_millis(200);
/// Events one lease delivers before the webhook is given back (others get their turn).
const BATCH: i64 = 100;
/// How long delivery attempts are kept.
const KEEP_DELIVERIES: chrono::TimeDelta = chrono::TimeDelta::days(30);

/// The headers of a delivery.
pub const SIGNATURE_HEADER: &str = "switchboard-signature";
pub const TIMESTAMP_HEADER: &str = "switchboard-timestamp";
pub const EVENT_ID_HEADER: &str = "switchboard-event-id";
pub const EVENT_TYPE_HEADER: &str = "switchboard-event-type";
pub const SEQUENCE_HEADER: &str = "switchboard-sequence";

/// A new signing secret (`whsec_` and 64 hex digits), shown once.
pub fn new_secret() -> String {
    format!("whsec_{}", crate::auth::random_hex(32))
}

/// The webhook's signing secret, unsealed; `None` when it was sealed under another server secret.
pub fn secret(state: &AppState, hook: &Webhook) -> Option<String> {
    state.webhook_sealing.open(&hook.secret_sealed).and_then(|s| String::from_utf8(s).ok())
}

/// Storage work with a pooled connection, its error as text (the delivery threads log it).
fn stored<T>(
    state: &AppState,
    work: impl FnOnce(&mut switchboard_store::DbConn) -> switchboard_store::StoreResult<T>,
) -> Result<T, String> {
    let mut conn = state.store.conn().map_err(|e| e.to_string())?;
    work(&mut conn).map_err(|e| e.to_string())
}

/// `v1=` and the hex HMAC-SHA256, keyed with the secret, of `<timestamp>.<body>`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length: `new_from_slice` cannot fail
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    format!("v1={}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Posts one event; the attempt as it went.
pub fn post(agent: &ureq::Agent, url: &str, secret: &str, event: &EventView, manual: bool) -> Attempt {
    let attempted_at = switchboard_store::now();
    let started = Instant::now();
    let body = serde_json::to_vec(event).unwrap_or_default();
    let timestamp = attempted_at.timestamp();
    let sent = agent
        .post(url)
        .header("content-type", "application/json")
        .header(EVENT_ID_HEADER, event.id.to_string())
        .header(EVENT_TYPE_HEADER, event.event_type.as_str())
        .header(SEQUENCE_HEADER, event.sequence.to_string())
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, signature(secret, timestamp, &body))
        .send(&body[..]);
    let (status_code, error) = match sent {
        Ok(mut response) => {
            // read (a little of) the answer, so the connection can be reused
            let _ = response.body_mut().with_config().limit(64 * 1024).read_to_vec();
            (Some(i64::from(response.status().as_u16())), None)
        }
        Err(e) => (None, Some(e.to_string())),
    };
    Attempt {
        event_id: event.id,
        seq: event.sequence,
        manual,
        attempted_at,
        status_code,
        error,
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
    }
}

/// When to try again after the `failures`-th failure in a row.
pub fn retry_delay(settings: &EventSettings, failures: i64) -> Duration {
    let doublings = u32::try_from(failures.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    settings.webhook_retry_base.saturating_mul(2u32.saturating_pow(doublings)).min(settings.webhook_retry_max)
}

fn later(d: Duration) -> DateTime<Utc> {
    switchboard_store::now() + chrono::TimeDelta::from_std(d).unwrap_or(chrono::TimeDelta::MAX)
}

/// Starts the delivery threads; they stop with the server.
pub fn spawn(state: &web::Data<AppState>, settings: &EventSettings) {
    let instance = uuid::Uuid::new_v4().to_string();
    let agent = agent(settings);
    for n in 0..settings.webhook_workers {
        let weak = Arc::downgrade(&state.clone().into_inner());
        let (holder, agent, settings) = (format!("{instance}/{n}"), agent.clone(), settings.clone());
        let spawned = std::thread::Builder::new().name(format!("webhooks-{n}")).spawn(move || {
            let mut last_prune = Instant::now();
            loop {
                let Some(state) = weak.upgrade() else { return };
                let worked = match deliver_some(&state, &agent, &settings, &holder) {
                    Ok(worked) => worked,
                    Err(e) => {
                        log::warn!("webhook delivery: {e}");
                        false
                    }
                };
                if n == 0 && last_prune.elapsed() > Duration::from_secs(600) {
                    last_prune = Instant::now();
                    let before = switchboard_store::now() - KEEP_DELIVERIES;
                    if let Err(e) = stored(&state, |conn| webhooks::prune_deliveries(conn, before)) {
                        log::warn!("webhook delivery log pruning failed: {e}");
                    }
                }
                drop(state);
                if !worked {
                    std::thread::sleep(IDLE);
                }
            }
        });
        if let Err(e) = spawned {
            log::error!("cannot start webhook delivery thread {n}: {e}");
        }
    }
}

/// Leases one due webhook and delivers a batch of its events; whether there was one.
fn deliver_some(state: &AppState, agent: &ureq::Agent, settings: &EventSettings, holder: &str) -> Result<bool, String> {
    let lease = settings.webhook_timeout * 3;
    let leased = stored(state, |conn| webhooks::lease_due(conn, holder, later(lease), 1))?;
    let Some(hook) = leased.into_iter().next() else { return Ok(false) };
    let delivered = deliver_batch(state, agent, settings, holder, &hook, lease);
    let released = stored(state, |conn| webhooks::release(conn, &hook, holder));
    delivered.and(released).map(|()| true)
}

fn deliver_batch(
    state: &AppState,
    agent: &ureq::Agent,
    settings: &EventSettings,
    holder: &str,
    hook: &Webhook,
    lease: Duration,
) -> Result<(), String> {
    let pending: Vec<AuditEvent> =
        stored(state, |conn| events::after(conn, hook.account_id, hook.delivered_seq, BATCH))?;
    let Some(secret) = secret(state, hook) else {
        // not sent: the attempt is logged as failed and retried, so the webhook shows why
        let Some(first) = pending.first() else { return Ok(()) };
        let attempt = Attempt {
            event_id: first.id,
            seq: first.seq,
            manual: false,
            attempted_at: switchboard_store::now(),
            status_code: None,
            error: Some("the webhook's secret cannot be opened (the server's secret changed?): rotate it".into()),
            duration_ms: 0,
        };
        let retry_at = later(retry_delay(settings, hook.failures + 1));
        stored(state, |conn| webhooks::record_attempt(conn, hook, holder, &attempt, retry_at, later(lease)))?;
        return Err(format!("webhook {}: its secret cannot be opened", hook.id));
    };
    // failures in a row of the event being sent: an acknowledged event starts the count again
    let mut failures = hook.failures;
    for event in pending {
        let view = EventView::new(hook.account_id, event);
        let attempt = post(agent, &hook.url, &secret, &view, false);
        let ok = attempt.succeeded();
        state.metrics.webhook_attempts.with_label_values(&[if ok { "delivered" } else { "failed" }]).inc();
        failures = if ok { 0 } else { failures + 1 };
        let retry_at = later(retry_delay(settings, failures));
        let still_mine =
            stored(state, |conn| webhooks::record_attempt(conn, hook, holder, &attempt, retry_at, later(lease)))?;
        if !ok {
            log::info!(
                "webhook {} (account {}): event {} not delivered ({}); retry {failures} at {retry_at}",
                hook.id,
                hook.account_id,
                view.sequence,
                attempt.error.as_deref().map_or_else(|| format!("status {:?}", attempt.status_code), str::to_owned),
            );
        }
        if !ok || !still_mine {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_and_body() {
        // checked against a value computed independently, with Python's hmac module:
        // hmac.new(b"whsec_test", b"1700000000.{}", hashlib.sha256).hexdigest()
        assert_eq!(
            signature("whsec_test", 1_700_000_000, b"{}"),
            "v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }

    #[test]
    fn retries_double_up_to_the_cap() {
        let settings = EventSettings {
            webhook_timeout: Duration::from_secs(10),
            webhook_retry_base: Duration::from_secs(1),
            webhook_retry_max: Duration::from_secs(60),
            webhook_workers: 1,
            allow_private_receivers: false,
            nats_url: None,
            nats_stream: "S".into(),
            nats_subject_prefix: "s".into(),
        };
        let delays: Vec<u64> = (1..=8).map(|n| retry_delay(&settings, n).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60]);
    }
}
