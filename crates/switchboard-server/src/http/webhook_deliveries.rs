//! `/v1/webhooks/{id}/deliveries`: a webhook's delivery log (rule MC-36), and sending one of its
//! events again by hand.

use crate::access::Caller;
use crate::blocking::write;
use crate::events::EventView;
use crate::events::webhooks::post as send;
use crate::http::common::{Errors, PageQuery, db, page};
use crate::http::query::Query;
use crate::http::webhooks::allowed;
use crate::problem::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use switchboard_store::repo::events;
use switchboard_store::repo::webhooks::{self, Delivery};
use utoipa::ToSchema;
use uuid::Uuid;

/// Redeliveries this process sends at once. Each waits for a receiver (up to the timeout) on a thread
/// of its own, never on the pool that serves storage work; beyond these, a redelivery is refused
/// with 503 and `Retry-After`.
const MAX_REDELIVERIES: usize = 4;
static REDELIVERING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// One of the [`MAX_REDELIVERIES`] places, given back when dropped.
struct RedeliveryPlace;

impl RedeliveryPlace {
    fn take() -> Result<RedeliveryPlace, ApiError> {
        use std::sync::atomic::Ordering;
        if REDELIVERING.fetch_add(1, Ordering::SeqCst) >= MAX_REDELIVERIES {
            REDELIVERING.fetch_sub(1, Ordering::SeqCst);
            return Err(ApiError::Unavailable("too many redeliveries at once; try again in a moment".into()));
        }
        Ok(RedeliveryPlace)
    }
}

impl Drop for RedeliveryPlace {
    fn drop(&mut self) {
        REDELIVERING.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// One attempt to deliver an event.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: Uuid,
    pub event_id: Uuid,
    pub sequence: i64,
    /// 1 for the event's first try, counting on through its retries.
    pub attempt: i64,
    /// A redelivery asked for through the API.
    pub manual: bool,
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status; absent when it did not answer.
    pub status_code: Option<i64>,
    /// Why the attempt failed, when the receiver did not answer.
    pub error: Option<String>,
    pub duration_ms: i64,
    /// A 2xx answer.
    pub succeeded: bool,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        DeliveryView {
            succeeded: d.sent.succeeded(),
            id: d.id,
            event_id: d.sent.event_id,
            sequence: d.sent.seq,
            attempt: d.attempt,
            manual: d.sent.manual,
            attempted_at: d.sent.attempted_at,
            status_code: d.sent.status_code,
            error: d.sent.error,
            duration_ms: d.sent.duration_ms,
        }
    }
}

page!(DeliveryPage, DeliveryView);

/// A webhook's delivery attempts, newest first (kept 30 days).
#[utoipa::path(operation_id = "list_webhook_deliveries", tag = "events", security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The webhook's id"), PageQuery),
    responses((status = 200, description = "A page of attempts", body = DeliveryPage), Errors))]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: Query<PageQuery>,
) -> Result<web::Json<DeliveryPage>, ApiError> {
    allowed(&caller, &state)?;
    let (account, id, page) = (caller.account.id, id.into_inner(), query.request()?);
    let list = db(&state, move |_, conn| Ok(webhooks::deliveries(conn, account, id, &page)?)).await?;
    Ok(web::Json(DeliveryPage::map(list, DeliveryView::from)))
}

/// Sends a delivery's event to the webhook again, now, and answers how it went. The scheduled
/// deliveries go on as they were: a redelivery neither moves nor waits for them.
#[utoipa::path(operation_id = "redeliver_webhook_delivery", tag = "events", security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The webhook's id"), ("delivery_id" = Uuid, Path, description = "The delivery to repeat")),
    responses((status = 200, description = "The new attempt (it may have failed: see `succeeded`)", body = DeliveryView), Errors))]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver_webhook_delivery(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<DeliveryView>, ApiError> {
    let (account, (id, delivery)) = (caller.account.id, path.into_inner());
    // Judged on the caller as stored now, not as cached: what is sent is a piece of the audit log.
    let (hook, event) = write(&state, move |state, conn| {
        service::record(state, conn, &caller, |cx| {
            service::webhooks::allowed(cx)?;
            let hook = webhooks::get(cx.conn, account, id)?;
            let earlier = webhooks::delivery(cx.conn, account, id, delivery)?;
            Ok((hook, events::get(cx.conn, account, earlier.sent.event_id)?))
        })
    })
    .await?;
    let secret = crate::events::webhooks::secret(&state, &hook)
        .ok_or_else(|| ApiError::Internal("the webhook's secret cannot be opened".into()))?;
    let view = EventView::new(account, event);
    let agent = crate::events::webhooks::agent(&state.events);
    let place = RedeliveryPlace::take()?;
    let (sent, attempt) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("webhook-redelivery".into())
        .spawn(move || {
            let _place = place;
            let _ = sent.send(send(&agent, &hook.url, &secret, &view, true));
        })
        .map_err(|e| ApiError::Internal(format!("cannot start a redelivery: {e}")))?;
    let attempt = attempt.await.map_err(|_| ApiError::Internal("the redelivery stopped".into()))?;
    let recorded = write(&state, move |_, conn| {
        let hook = webhooks::get(conn, account, id)?;
        Ok(webhooks::record_redelivery(conn, &hook, &attempt)?)
    })
    .await?;
    Ok(web::Json(recorded.into()))
}
