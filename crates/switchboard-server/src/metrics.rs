//! Prometheus metrics: requests by route and status, latency, decisions by reason code, change
//! events leaving the server (webhook attempts by outcome, events published to NATS), and access
//! changes heard from other instances (PostgreSQL notifications).

use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry, TextEncoder};
use switchboard_core::ReasonCode;

#[derive(Clone, Debug)]
pub struct Metrics {
    registry: Registry,
    pub requests: IntCounterVec,
    pub latency: HistogramVec,
    decisions: IntCounterVec,
    /// `decisions` by code, resolved once: `/v1/authorize` counts without hashing a label per request.
    decided: Vec<IntCounter>,
    /// Webhook delivery attempts: `delivered` (2xx) or `failed`.
    pub webhook_attempts: IntCounterVec,
    /// Events the NATS sink had acknowledged by JetStream.
    pub nats_published: IntCounter,
    /// Times the access-notification connection (PostgreSQL) was established.
    pub access_listener_connections: IntCounter,
    /// Accounts forgotten from the cache because another instance's change was announced.
    pub access_notifications: IntCounter,
}

impl Metrics {
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new_custom(Some("switchboard".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by method, route pattern and status"),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency by route pattern")
                .buckets(vec![0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5]),
            &["route"],
        )?;
        let decisions =
            IntCounterVec::new(Opts::new("decisions_total", "Authorization decisions by reason code"), &["code"])?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(decisions.clone()))?;
        let webhook_attempts = IntCounterVec::new(
            Opts::new("webhook_attempts_total", "Webhook delivery attempts by outcome (delivered, failed)"),
            &["outcome"],
        )?;
        let nats_published = IntCounter::new("nats_events_published_total", "Events acknowledged by NATS JetStream")?;
        registry.register(Box::new(webhook_attempts.clone()))?;
        registry.register(Box::new(nats_published.clone()))?;
        let access_listener_connections = IntCounter::new(
            "access_listener_connections_total",
            "Times the connection listening for other instances' access changes was established",
        )?;
        let access_notifications = IntCounter::new(
            "access_notifications_total",
            "Cached accounts dropped because another instance announced an access change",
        )?;
        registry.register(Box::new(access_listener_connections.clone()))?;
        registry.register(Box::new(access_notifications.clone()))?;
        let decided = ReasonCode::ALL.iter().map(|c| decisions.with_label_values(&[c.as_str()])).collect();
        Ok(Metrics {
            registry,
            requests,
            latency,
            decisions,
            decided,
            webhook_attempts,
            nats_published,
            access_listener_connections,
            access_notifications,
        })
    }

    /// Counts a decision under its reason code.
    pub fn decided(&self, code: ReasonCode) {
        match self.decided.get(code as usize) {
            Some(counter) => counter.inc(),
            None => self.decisions.with_label_values(&[code.as_str()]).inc(),
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        let encoder = TextEncoder::new();
        if encoder.encode(&self.registry.gather(), &mut buffer).is_err() {
            return String::new();
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}
