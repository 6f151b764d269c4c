//! Webhook deliveries: signed, in order per webhook, at-least-once, retried with backoff.
//!
//! Each instance runs a few delivery threads. A thread leases one webhook that has events to deliver
//! (a lease is a conditional update, so two instances never deliver one webhook at once), posts its
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
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard_store::repo::audit::AuditEvent;
use switchboard_store::repo::events;
use switchboard_store::repo::webhooks::{self, Attempt, Webhook};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// How long an idle delivery thread waits before looking for work again.
const IDLE: Duration = Duration::from_millis(200);
/// Events one lease delivers before the webhook is given back (others get their turn).
const BATCH: i64 = 100;
/// How long delivery attempts are kept.
const KEEP_DELIVERIES: chrono::TimeDelta = chrono::TimeDelta::days(30);
/// The longest URL a webhook may have.
pub const MAX_URL: usize = 2048;

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

/// Checks a receiver's URL: HTTPS anywhere, or plain HTTP to this machine only (a receiver on the
/// same host, as in development); no credentials in the URL, no fragment.
pub fn check_url(url: &str) -> Result<(), String> {
    if url.len() > MAX_URL {
        return Err(format!("a webhook URL has at most {MAX_URL} characters"));
    }
    if url.contains('#') {
        return Err("a webhook URL has no fragment".into());
    }
    let uri: ureq::http::Uri = url.parse().map_err(|e| format!("not a URL: {e}"))?;
    let authority = uri.authority().ok_or("a webhook URL names a host")?;
    if authority.as_str().contains('@') {
        return Err("a webhook URL carries no user name or password".into());
    }
    let host = authority.host().trim_start_matches('[').trim_end_matches(']');
    match uri.scheme_str() {
        Some("https") if !host.is_empty() => Ok(()),
        Some("http") if is_loopback_host(host) => Ok(()),
        Some("http") => {
            Err("plain HTTP is only for receivers on this machine (127.0.0.1, ::1, localhost); use HTTPS".into())
        }
        _ => Err("a webhook URL is https:// (or http:// to this machine)".into()),
    }
}

fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Addresses a delivery never connects to, whatever a name resolves to: the cloud metadata and other
/// link-local addresses, unspecified, broadcast and multicast ones.
fn forbidden(addr: &SocketAddr) -> bool {
    match addr.ip() {
        IpAddr::V4(v4) => v4.is_link_local() || v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast(),
        IpAddr::V6(v6) => {
            v6.is_unspecified() || v6.is_multicast() || (v6.segments()[0] & 0xffc0) == 0xfe80 || {
                v6.to_ipv4_mapped().is_some_and(|v4| v4.is_link_local() || v4.is_unspecified())
            }
        }
    }
}

/// Resolves as usual, then refuses [`forbidden`] addresses: checked where the connection is made,
/// so a name that changes its answer (DNS rebinding) cannot slip past a check made earlier.
#[derive(Debug, Default)]
struct GuardedResolver(DefaultResolver);

impl Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = self.0.resolve(uri, config, timeout)?;
        if let Some(bad) = addrs.iter().find(|a| forbidden(a)) {
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("the receiver's address {} is not one webhooks are delivered to", bad.ip()),
            )));
        }
        Ok(addrs)
    }
}

/// The HTTP client of deliveries: no redirects followed (a receiver cannot send a delivery on to
/// another address), every status answered as it is, the configured timeout for the whole exchange.
pub fn agent(settings: &EventSettings) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(settings.webhook_timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(concat!("Switchboard-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build();
    ureq::Agent::with_parts(config, DefaultConnector::default(), GuardedResolver::default())
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
        let (instance, agent, settings) = (instance.clone(), agent.clone(), settings.clone());
        let spawned = std::thread::Builder::new().name(format!("webhooks-{n}")).spawn(move || {
            let mut last_prune = Instant::now();
            loop {
                let Some(state) = weak.upgrade() else { return };
                let worked = match deliver_some(&state, &agent, &settings, &instance) {
                    Ok(worked) => worked,
                    Err(e) => {
                        log::warn!("webhook delivery: {e}");
                        false
                    }
                };
                if n == 0 && last_prune.elapsed() > Duration::from_secs(600) {
                    last_prune = Instant::now();
                    let before = switchboard_store::now() - KEEP_DELIVERIES;
                    let pruned = state
                        .store
                        .conn()
                        .map_err(|e| e.to_string())
                        .and_then(|mut c| webhooks::prune_deliveries(&mut c, before).map_err(|e| e.to_string()));
                    if let Err(e) = pruned {
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
fn deliver_some(
    state: &AppState,
    agent: &ureq::Agent,
    settings: &EventSettings,
    instance: &str,
) -> Result<bool, String> {
    let lease = settings.webhook_timeout * 3;
    let leased = {
        let mut conn = state.store.conn().map_err(|e| e.to_string())?;
        webhooks::lease_due(&mut conn, instance, later(lease), 1).map_err(|e| e.to_string())?
    };
    let Some(hook) = leased.into_iter().next() else { return Ok(false) };
    let delivered = deliver_batch(state, agent, settings, instance, &hook, lease);
    let released = state
        .store
        .conn()
        .map_err(|e| e.to_string())
        .and_then(|mut conn| webhooks::release(&mut conn, &hook, instance).map_err(|e| e.to_string()));
    delivered.and(released).map(|()| true)
}

fn deliver_batch(
    state: &AppState,
    agent: &ureq::Agent,
    settings: &EventSettings,
    instance: &str,
    hook: &Webhook,
    lease: Duration,
) -> Result<(), String> {
    let pending: Vec<AuditEvent> = {
        let mut conn = state.store.conn().map_err(|e| e.to_string())?;
        events::after(&mut conn, hook.account_id, hook.delivered_seq, BATCH).map_err(|e| e.to_string())?
    };
    let Some(secret) = state.webhook_sealing.open(&hook.secret_sealed) else {
        return Err(format!("webhook {}: its secret cannot be opened (was the server secret changed?)", hook.id));
    };
    let secret = String::from_utf8(secret).map_err(|_| format!("webhook {}: its secret is not text", hook.id))?;
    let mut failures = hook.failures;
    for event in pending {
        let view = EventView::new(hook.account_id, event);
        let attempt = post(agent, &hook.url, &secret, &view, false);
        let ok = attempt.status_code.is_some_and(|s| (200..300).contains(&s));
        if !ok {
            failures += 1;
        }
        let retry_at = later(retry_delay(settings, failures));
        let mut conn = state.store.conn().map_err(|e| e.to_string())?;
        let still_mine = webhooks::record_attempt(&mut conn, hook, instance, &attempt, retry_at, later(lease))
            .map_err(|e| e.to_string())?;
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
    fn receivers_are_https_or_on_this_machine() {
        assert!(check_url("https://crm.example.com/hooks/switchboard").is_ok());
        assert!(check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_url("http://[::1]:9000/hook").is_ok());
        assert!(check_url("http://localhost/hook").is_ok());
        for bad in [
            "http://crm.example.com/hook",
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "https://example.com/#x",
            "not a url",
            "/relative",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deliveries_never_connect_to_link_local_or_unspecified_addresses() {
        for bad in ["169.254.169.254:80", "0.0.0.0:443", "[fe80::1]:443", "[::ffff:169.254.169.254]:80", "224.0.0.1:80"]
        {
            assert!(forbidden(&bad.parse().unwrap()), "{bad}");
        }
        for good in ["127.0.0.1:80", "10.1.2.3:443", "93.184.216.34:443", "[::1]:80"] {
            assert!(!forbidden(&good.parse().unwrap()), "{good}");
        }
    }

    #[test]
    fn retries_double_up_to_the_cap() {
        let settings = EventSettings {
            webhook_timeout: Duration::from_secs(10),
            webhook_retry_base: Duration::from_secs(1),
            webhook_retry_max: Duration::from_secs(60),
            webhook_workers: 1,
            nats_url: None,
            nats_stream: "S".into(),
            nats_subject_prefix: "s".into(),
        };
        let delays: Vec<u64> = (1..=8).map(|n| retry_delay(&settings, n).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60]);
    }
}
