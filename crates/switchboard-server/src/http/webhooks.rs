//! `/v1/webhooks` (rule MC-36): receivers of the account's change events, their delivery log and
//! manual redelivery. The signing secret is shown once, at creation or rotation.

use crate::access::Caller;
use crate::events::EventView;
use crate::events::webhooks::{new_secret, post};
use crate::http::body::Body;
use crate::http::common::{Errors, IfMatch, PageQuery, db, etag, if_match, page};
use crate::problem::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_store::repo::events;
use switchboard_store::repo::webhooks::{self, Delivery, Webhook, WebhookEdit};
use utoipa::ToSchema;
use uuid::Uuid;

/// The longest description.
const MAX_DESCRIPTION: usize = 200;
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

/// A webhook; its secret is shown only when created or rotated.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: Uuid,
    #[schema(example = "https://crm.example.com/hooks/switchboard")]
    pub url: String,
    pub description: String,
    /// Paused webhooks keep their place and receive what they missed when switched on again.
    pub active: bool,
    /// The `sequence` of the last event the receiver acknowledged.
    pub delivered_sequence: i64,
    /// Failed attempts at the next event (0 when all is well).
    pub failures: i64,
    /// When the next event is tried again, after a failure.
    pub retry_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// `user:<id>` or `api_key:<id>`.
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// Pass back in `If-Match` to change the webhook.
    pub version: i64,
}

impl From<Webhook> for WebhookView {
    fn from(w: Webhook) -> Self {
        WebhookView {
            id: w.id,
            url: w.url,
            description: w.description,
            active: w.active,
            delivered_sequence: w.delivered_seq,
            failures: w.failures,
            retry_at: w.retry_at,
            last_error: w.last_error,
            created_by: w.created_by,
            created_at: w.created_at,
            version: w.version,
        }
    }
}

page!(WebhookPage, WebhookView);

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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `https://…`; receivers on this machine (plain `http://` too) or a private network only where
    /// the operator allows them. Redirects are not followed.
    #[schema(max_length = 2048)]
    pub url: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub description: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    #[schema(max_length = 2048)]
    pub url: Option<String>,
    #[schema(max_length = 200)]
    pub description: Option<String>,
    /// `false` pauses deliveries; `true` resumes them where they stopped.
    pub active: Option<bool>,
}

/// A webhook with its signing secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    /// Verify each delivery's `Switchboard-Signature` with it (see `docs/events.md`). It can't be
    /// shown again; rotate it if it is lost.
    #[schema(example = "whsec_5f0c…")]
    pub secret: String,
    #[serde(flatten)]
    pub webhook: WebhookView,
}

fn check_description(d: &str) -> Result<(), ApiError> {
    if d.chars().count() > MAX_DESCRIPTION || d.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "description",
            format!("at most {MAX_DESCRIPTION} characters, no control characters"),
        ));
    }
    Ok(())
}

fn seal(state: &AppState, secret: &str) -> Result<String, ApiError> {
    state.webhook_sealing.seal(secret.as_bytes()).map_err(ApiError::Internal)
}

fn allowed(caller: &Caller, state: &AppState) -> Result<(), ApiError> {
    caller.allow(caller.policy().can_manage_webhooks(&caller.principal)?, &state.metrics)
}

/// Lists the account's webhooks. Needs `integrations.api.webhooks` and the audit log's reader.
#[utoipa::path(operation_id = "list_webhooks", tag = "events", security(("bearer" = []), ("api_key" = [])),
    params(PageQuery), responses((status = 200, description = "A page of webhooks", body = WebhookPage), Errors))]
#[get("/webhooks")]
pub async fn list_webhooks(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<WebhookPage>, ApiError> {
    allowed(&caller, &state)?;
    let page = query.request()?;
    let list = db(&state, move |_, conn| Ok(webhooks::list(conn, caller.account.id, &page)?)).await?;
    Ok(web::Json(WebhookPage::map(list, WebhookView::from)))
}

/// Creates a webhook. It receives every change event recorded from now on (the first is its own
/// creation), signed with the secret returned here, once. Needs `integrations.api.webhooks` and the
/// audit log's reader; at most 20 per account.
#[utoipa::path(operation_id = "create_webhook", tag = "events", security(("bearer" = []), ("api_key" = [])),
    request_body = NewWebhook,
    responses((status = 201, description = "Created; the secret is shown once", body = WebhookWithSecret), Errors))]
#[post("/webhooks")]
pub async fn create_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<NewWebhook>,
) -> Result<HttpResponse, ApiError> {
    let NewWebhook { url, description } = body.parse()?;
    check_description(&description)?;
    let secret = new_secret();
    let sealed = seal(&state, &secret)?;
    let hook =
        service::run(&state, caller, move |cx| service::webhooks::create(cx, &url, &description, &sealed)).await?;
    Ok(HttpResponse::Created().json(WebhookWithSecret { secret, webhook: hook.into() }))
}

/// One webhook, with where its deliveries stand.
#[utoipa::path(operation_id = "get_webhook", tag = "events", security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The webhook's id")),
    responses((status = 200, description = "The webhook", body = WebhookView,
        headers(("ETag" = String, description = "The webhook's version, for `If-Match`"))), Errors))]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    allowed(&caller, &state)?;
    let (account, id) = (caller.account.id, id.into_inner());
    let hook = db(&state, move |_, conn| Ok(webhooks::get(conn, account, id)?)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(hook.version)).json(WebhookView::from(hook)))
}

/// Edits a webhook: its URL, description, or pauses and resumes it. Send `If-Match` to avoid lost
/// updates.
#[utoipa::path(operation_id = "update_webhook", tag = "events", security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The webhook's id"), IfMatch), request_body = WebhookPatch,
    responses((status = 200, description = "Updated", body = WebhookView,
        headers(("ETag" = String, description = "The webhook's version, for `If-Match`"))), Errors))]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Body<WebhookPatch>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (id, patch) = (id.into_inner(), body.parse()?);
    if let Some(d) = &patch.description {
        check_description(d)?;
    }
    let hook = service::run(&state, caller, move |cx| {
        let edit = WebhookEdit {
            url: patch.url.as_deref(),
            description: patch.description.as_deref(),
            active: patch.active,
            secret_sealed: None,
        };
        service::webhooks::update(cx, id, &edit, expected)
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header(etag(hook.version)).json(WebhookView::from(hook)))
}

/// Replaces a webhook's signing secret; the new one is shown this once, and signs every delivery
/// from now on.
#[utoipa::path(operation_id = "rotate_webhook_secret", tag = "events", security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The webhook's id")),
    responses((status = 200, description = "Rotated; the secret is shown once", body = WebhookWithSecret), Errors))]
#[post("/webhooks/{id}/secret")]
pub async fn rotate_webhook_secret(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<WebhookWithSecret>, ApiError> {
    let id = id.into_inner();
    let secret = new_secret();
    let sealed = seal(&state, &secret)?;
    let hook = service::run(&state, caller, move |cx| {
        let edit = WebhookEdit { secret_sealed: Some(&sealed), ..WebhookEdit::default() };
        service::webhooks::update(cx, id, &edit, None)
    })
    .await?;
    Ok(web::Json(WebhookWithSecret { secret, webhook: hook.into() }))
}

/// Deletes a webhook and its delivery log.
#[utoipa::path(operation_id = "delete_webhook", tag = "events", security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The webhook's id")),
    responses((status = 204, description = "Deleted"), Errors))]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    service::run(&state, caller, move |cx| service::webhooks::delete(cx, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A webhook's delivery attempts, newest first (kept 30 days).
#[utoipa::path(operation_id = "list_webhook_deliveries", tag = "events", security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The webhook's id"), PageQuery),
    responses((status = 200, description = "A page of attempts", body = DeliveryPage), Errors))]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: web::Query<PageQuery>,
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
    allowed(&caller, &state)?;
    let (account, (id, delivery)) = (caller.account.id, path.into_inner());
    let (hook, event) = db(&state, move |_, conn| {
        let hook = webhooks::get(conn, account, id)?;
        let earlier = webhooks::delivery(conn, account, id, delivery)?;
        Ok((hook, events::get(conn, account, earlier.sent.event_id)?))
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
            let _ = sent.send(post(&agent, &hook.url, &secret, &view, true));
        })
        .map_err(|e| ApiError::Internal(format!("cannot start a redelivery: {e}")))?;
    let attempt = attempt.await.map_err(|_| ApiError::Internal("the redelivery stopped".into()))?;
    let recorded = db(&state, move |_, conn| {
        let hook = webhooks::get(conn, account, id)?;
        Ok(webhooks::record_redelivery(conn, &hook, &attempt)?)
    })
    .await?;
    Ok(web::Json(recorded.into()))
}
