//! Webhooks (rule MC-36: "edit webhooks" is its own right). A webhook receives every change event of
//! the account — the audit log — so managing one needs the right *and* the audit log's reader
//! (`Policy::can_manage_webhooks`): the right alone never opens the log through a receiver.

use super::Change;
use crate::events::webhooks::check_url;
use crate::problem::ApiError;
use switchboard_store::repo::webhooks::{self, Webhook, WebhookEdit};
use uuid::Uuid;

/// May the actor manage webhooks and so read the log they carry? Judged on the actor as stored now.
pub fn allowed(cx: &Change<'_>) -> Result<(), ApiError> {
    cx.allow_result(cx.policy().can_manage_webhooks(&cx.actor))
}

/// A new webhook; its signing secret arrives sealed.
pub fn create(cx: &mut Change<'_>, url: &str, description: &str, secret_sealed: &str) -> Result<Webhook, ApiError> {
    allowed(cx)?;
    check_url(url, cx.state.events.allow_private_receivers).map_err(|e| ApiError::invalid("url", e))?;
    Ok(webhooks::create(cx.conn, cx.account(), url, description, secret_sealed, &cx.who)?)
}

pub fn update(
    cx: &mut Change<'_>,
    id: Uuid,
    edit: &WebhookEdit<'_>,
    expected_version: Option<i64>,
) -> Result<Webhook, ApiError> {
    allowed(cx)?;
    if let Some(url) = edit.url {
        check_url(url, cx.state.events.allow_private_receivers).map_err(|e| ApiError::invalid("url", e))?;
    }
    Ok(webhooks::update(cx.conn, cx.account(), id, edit, expected_version, &cx.who)?)
}

pub fn delete(cx: &mut Change<'_>, id: Uuid) -> Result<(), ApiError> {
    allowed(cx)?;
    Ok(webhooks::delete(cx.conn, cx.account(), id, &cx.who)?)
}
