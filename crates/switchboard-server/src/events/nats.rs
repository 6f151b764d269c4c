//! The NATS JetStream sink: every change event published to `<prefix>.<account id>` in the
//! configured stream, with the event id as the message id, so JetStream drops a duplicate (an event
//! published again after a crash, or by two instances at once).
//!
//! The sink reads the outbox like any receiver: per account, the events after the number recorded in
//! `event_sink_cursors`, which moves on only after JetStream acknowledged them. While NATS cannot be
//! reached the events wait in the outbox; when it is back they are published in order.

use crate::config::EventSettings;
use crate::events::EventView;
use crate::state::AppState;
use actix_web::web;
use async_nats::jetstream::{self, message::PublishMessage, stream};
use std::sync::{Arc, Weak};
use std::time::Duration;
use switchboard_core::AccountId;
use switchboard_store::repo::audit::AuditEvent;
use switchboard_store::repo::events;

/// The sink's name in `event_sink_cursors`.
pub const SINK: &str = "nats";
/// How long the sink waits when every account is published.
const IDLE: Duration = Duration::from_millis(200);
/// The longest wait between attempts to reach NATS.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Starts the sink when a URL is configured; it stops with the server.
pub fn spawn(state: &web::Data<AppState>, settings: &EventSettings) {
    let Some(url) = settings.nats_url.clone() else { return };
    let weak = Arc::downgrade(&state.clone().into_inner());
    let settings = settings.clone();
    let spawned = std::thread::Builder::new().name("events-nats".into()).spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
        match runtime {
            Ok(runtime) => runtime.block_on(run(weak, url, settings)),
            Err(e) => log::error!("events to NATS: cannot start a runtime: {e}"),
        }
    });
    if let Err(e) = spawned {
        log::error!("cannot start the NATS event sink: {e}");
    }
}

/// Connects and publishes until the server stops; after a failure, connects again with backoff.
async fn run(weak: Weak<AppState>, url: String, settings: EventSettings) {
    let shown = crate::config::redact_url(&url);
    let mut backoff = Duration::from_millis(250);
    let mut failing = false;
    loop {
        match publish_all(&weak, &url, &settings, &mut failing).await {
            Ok(()) => return,
            Err(e) => {
                if !std::mem::replace(&mut failing, true) {
                    log::warn!("events to NATS {shown}: {e}; events wait in the outbox until it is back");
                }
            }
        }
        if weak.strong_count() == 0 {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One connection's work: makes sure the stream exists, then publishes what each account has not
/// published yet, for as long as the server runs (`Ok`) or until NATS fails (`Err`).
async fn publish_all(
    weak: &Weak<AppState>,
    url: &str,
    settings: &EventSettings,
    failing: &mut bool,
) -> Result<(), String> {
    let shown = crate::config::redact_url(url);
    let client = async_nats::ConnectOptions::new()
        .connection_timeout(Duration::from_secs(5))
        .request_timeout(Some(Duration::from_secs(5)))
        // the client reconnects by itself; the outage and its end are logged
        .event_callback(move |event| {
            let shown = shown.clone();
            async move {
                match event {
                    async_nats::Event::Disconnected => {
                        log::warn!(
                            "events to NATS {shown}: connection lost; events wait in the outbox until it is back"
                        );
                    }
                    async_nats::Event::Connected => log::info!("events to NATS {shown}: connected"),
                    other => log::debug!("events to NATS {shown}: {other}"),
                }
            }
        })
        .connect(url)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let js = jetstream::new(client);
    js.get_or_create_stream(stream::Config {
        name: settings.nats_stream.clone(),
        subjects: vec![format!("{}.>", settings.nats_subject_prefix)],
        ..Default::default()
    })
    .await
    .map_err(|e| format!("stream {}: {e}", settings.nats_stream))?;
    if std::mem::take(failing) {
        log::info!("events to NATS: connected again; publishing what waited");
    }
    loop {
        let behind = blocking(weak, |conn| events::sink_behind(conn, SINK, 100)).await?;
        let Some(behind) = behind else { return Ok(()) };
        if behind.is_empty() {
            tokio::time::sleep(IDLE).await;
            continue;
        }
        for events::SinkBehind { account, published: from } in behind {
            let pending = blocking(weak, move |conn| events::after(conn, account, from, events::MAX_BATCH)).await?;
            let Some(pending) = pending else { return Ok(()) };
            let Some(last) = pending.last().map(|e| e.seq) else { continue };
            let published = pending.len();
            publish(&js, settings, account, pending).await?;
            if let Some(state) = weak.upgrade() {
                state.metrics.nats_published.inc_by(published as u64);
            }
            if blocking(weak, move |conn| events::sink_published(conn, SINK, account, last)).await?.is_none() {
                return Ok(());
            }
        }
    }
}

/// Publishes the events in order, each acknowledged by JetStream before the next is sent.
async fn publish(
    js: &jetstream::Context,
    settings: &EventSettings,
    account: AccountId,
    pending: Vec<AuditEvent>,
) -> Result<(), String> {
    let subject = format!("{}.{}", settings.nats_subject_prefix, account);
    for event in pending {
        let view = EventView::new(account, event);
        let body = serde_json::to_vec(&view).map_err(|e| e.to_string())?;
        let message = PublishMessage::build().payload(body.into()).message_id(view.id.to_string());
        let ack = js.send_publish(subject.clone(), message).await.map_err(|e| format!("publish: {e}"))?;
        ack.await.map_err(|e| format!("event {} of account {account} not acknowledged: {e}", view.sequence))?;
    }
    Ok(())
}

/// Storage work off the runtime's thread; `None` once the server has stopped.
async fn blocking<T: Send + 'static>(
    weak: &Weak<AppState>,
    work: impl FnOnce(&mut switchboard_store::DbConn) -> switchboard_store::StoreResult<T> + Send + 'static,
) -> Result<Option<T>, String> {
    let Some(state) = weak.upgrade() else { return Ok(None) };
    tokio::task::spawn_blocking(move || {
        let mut conn = state.store.conn().map_err(|e| e.to_string())?;
        work(&mut conn).map(Some).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}
