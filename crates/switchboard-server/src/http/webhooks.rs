//! `/v1/webhooks` (rule MC-36): receivers of the account's change events, their delivery log and
//! manual redelivery (`webhook_deliveries`). The signing secret is shown once, at creation or rotation.

use crate::access::Caller;
use crate::events::webhooks::new_secret;
use crate::http::body::Body;
use crate::http::common::{Errors, IfMatch, PageQuery, db, etag, page};
use crate::http::query::Query;
use crate::problem::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use switchboard_store::repo::webhooks::{self, Webhook, WebhookEdit};
use utoipa::ToSchema;
use uuid::Uuid;

/// The longest description.
const MAX_DESCRIPTION: usize = 200;
page!(WebhookPage, Webhook);

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
    pub webhook: Webhook,
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

pub(crate) fn allowed(caller: &Caller, state: &AppState) -> Result<(), ApiError> {
    caller.allow(caller.policy().can_manage_webhooks(&caller.principal)?, &state.metrics)
}

/// Lists the account's webhooks. Needs `integrations.api.webhooks` and the audit log's reader.
#[utoipa::path(operation_id = "list_webhooks", tag = "events", security(("bearer" = []), ("api_key" = [])),
    params(PageQuery), responses((status = 200, description = "A page of webhooks", body = WebhookPage), Errors))]
#[get("/webhooks")]
pub async fn list_webhooks(
    caller: Caller,
    state: web::Data<AppState>,
    query: Query<PageQuery>,
) -> Result<web::Json<WebhookPage>, ApiError> {
    allowed(&caller, &state)?;
    let page = query.request()?;
    let list = db(&state, move |_, conn| Ok(webhooks::list(conn, caller.account.id, &page)?)).await?;
    Ok(web::Json(WebhookPage::from(list)))
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
    Ok(HttpResponse::Created().json(WebhookWithSecret { secret, webhook: hook }))
}

/// One webhook, with where its deliveries stand.
#[utoipa::path(operation_id = "get_webhook", tag = "events", security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The webhook's id")),
    responses((status = 200, description = "The webhook", body = Webhook,
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
    Ok(HttpResponse::Ok().insert_header(etag(hook.version)).json(hook))
}

/// Edits a webhook: its URL, description, or pauses and resumes it. Send `If-Match` to avoid lost
/// updates.
#[utoipa::path(operation_id = "update_webhook", tag = "events", security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The webhook's id"), IfMatch), request_body = WebhookPatch,
    responses((status = 200, description = "Updated", body = Webhook,
        headers(("ETag" = String, description = "The webhook's version, for `If-Match`"))), Errors))]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    IfMatch(expected): IfMatch,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Body<WebhookPatch>,
) -> Result<HttpResponse, ApiError> {
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
    Ok(HttpResponse::Ok().insert_header(etag(hook.version)).json(hook))
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
    Ok(web::Json(WebhookWithSecret { secret, webhook: hook }))
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
