//! Webhooks (issue 19): receivers of an account's change events, each with the number of the last
//! event it acknowledged, and the log of every delivery attempt.
//!
//! Delivery is at-least-once and in order: an instance leases a webhook, sends the events after
//! `delivered_seq` one by one and moves `delivered_seq` on only after the receiver answered 2xx. A
//! crash (even `kill -9`) between the answer and the write sends that event again after the lease
//! runs out; receivers drop duplicates by event id.

use crate::common::{Actor, Page, PageRequest, audit, from_db_time, now, parse_id, to_db_time, write_tx};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::{event_counters, webhook_deliveries, webhooks};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use switchboard_core::AccountId;
use uuid::Uuid;

/// Most webhooks one account may have.
pub const MAX_PER_ACCOUNT: i64 = 20;

// Its secret stays sealed here; only the server opens it, to sign.
/// A webhook; its secret is shown only when created or rotated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = WebhookView))]
pub struct Webhook {
    pub id: Uuid,
    #[serde(skip)]
    pub account_id: AccountId,
    #[cfg_attr(feature = "openapi", schema(example = "https://crm.example.com/hooks/switchboard"))]
    pub url: String,
    pub description: String,
    /// Paused webhooks keep their place and receive what they missed when switched on again.
    pub active: bool,
    /// The `sequence` of the last event the receiver acknowledged.
    #[serde(rename = "delivered_sequence")]
    pub delivered_seq: i64,
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
    #[serde(skip)]
    pub secret_sealed: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhooks, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct WebhookRow {
    account_id: AccountId,
    id: String,
    url: String,
    description: String,
    secret_sealed: String,
    active: bool,
    delivered_seq: i64,
    failures: i64,
    retry_at: Option<NaiveDateTime>,
    last_error: Option<String>,
    created_by: String,
    created_at: NaiveDateTime,
    version: i64,
}

impl WebhookRow {
    fn webhook(self) -> StoreResult<Webhook> {
        Ok(Webhook {
            id: parse_id(&self.id)?,
            account_id: self.account_id,
            url: self.url,
            description: self.description,
            active: self.active,
            delivered_seq: self.delivered_seq,
            failures: self.failures,
            retry_at: self.retry_at.map(from_db_time),
            last_error: self.last_error,
            created_by: self.created_by,
            created_at: from_db_time(self.created_at),
            version: self.version,
            secret_sealed: self.secret_sealed,
        })
    }
}

/// What the audit log keeps of a webhook: never its secret.
fn audited(w: &Webhook) -> serde_json::Value {
    json!({"url": w.url, "description": w.description, "active": w.active})
}

pub fn get(conn: &mut DbConn, account: AccountId, id: Uuid) -> StoreResult<Webhook> {
    crate::common::find_row!(conn, webhooks, account, id.to_string(), WebhookRow, "webhook").webhook()
}

/// The account's webhooks, oldest first.
pub fn list(conn: &mut DbConn, account: AccountId, page: &PageRequest) -> StoreResult<Page<Webhook>> {
    let (rows, limit) = crate::common::page_by_text!(conn, webhooks of account, by id, WebhookRow, page);
    let items = rows.into_iter().map(WebhookRow::webhook).collect::<StoreResult<Vec<_>>>()?;
    Ok(Page::from_rows(items, limit, |w| vec![w.id.to_string()]))
}

/// A new webhook. It receives the events recorded from now on, starting with its own creation.
pub fn create(
    conn: &mut DbConn,
    account: AccountId,
    url: &str,
    description: &str,
    secret_sealed: &str,
    actor: &Actor,
) -> StoreResult<Webhook> {
    write_tx(conn, |conn| {
        let existing: i64 = webhooks::table.filter(webhooks::account_id.eq(account)).count().get_result(conn)?;
        if existing >= MAX_PER_ACCOUNT {
            return Err(StoreError::Conflict {
                field: None,
                message: format!("an account has at most {MAX_PER_ACCOUNT} webhooks; delete one first"),
            });
        }
        let seq = crate::repo::events::latest(conn, account)?;
        let id = Uuid::new_v4();
        diesel::insert_into(webhooks::table)
            .values((
                webhooks::account_id.eq(account),
                webhooks::id.eq(id.to_string()),
                webhooks::url.eq(url),
                webhooks::description.eq(description),
                webhooks::secret_sealed.eq(secret_sealed),
                webhooks::active.eq(true),
                webhooks::delivered_seq.eq(seq),
                webhooks::failures.eq(0i64),
                webhooks::created_by.eq(actor.label()),
                webhooks::created_at.eq(to_db_time(now())),
                webhooks::lease_until.eq(to_db_time(now())),
                webhooks::version.eq(1i64),
            ))
            .execute(conn)?;
        let hook = get(conn, account, id)?;
        audit(conn, account, actor, "webhook.create", "webhook", id, None, Some(audited(&hook)))?;
        Ok(hook)
    })
}

/// What an edit of a webhook changes (`None`: left as it is).
#[derive(Clone, Debug, Default)]
pub struct WebhookEdit<'a> {
    pub url: Option<&'a str>,
    pub description: Option<&'a str>,
    /// Pausing keeps the position: a webhook switched on again receives what it missed, in order.
    pub active: Option<bool>,
    /// A new sealed secret.
    pub secret_sealed: Option<&'a str>,
}

/// Edits a webhook; with `expected_version`, only if it is still that version.
pub fn update(
    conn: &mut DbConn,
    account: AccountId,
    id: Uuid,
    edit: &WebhookEdit<'_>,
    expected_version: Option<i64>,
    actor: &Actor,
) -> StoreResult<Webhook> {
    write_tx(conn, |conn| {
        let before = get(conn, account, id)?;
        if let Some(expected) = expected_version.filter(|v| *v != before.version) {
            return Err(StoreError::StaleVersion { entity: "webhook", expected, current: before.version });
        }
        let mine = webhooks::account_id.eq(account).and(webhooks::id.eq(id.to_string()));
        diesel::update(webhooks::table.filter(mine.clone()))
            .set((
                webhooks::url.eq(edit.url.unwrap_or(&before.url)),
                webhooks::description.eq(edit.description.unwrap_or(&before.description)),
                webhooks::active.eq(edit.active.unwrap_or(before.active)),
                webhooks::secret_sealed.eq(edit.secret_sealed.unwrap_or(&before.secret_sealed)),
                webhooks::version.eq(before.version + 1),
            ))
            .execute(conn)?;
        // a receiver switched on again, moved, or with a new secret is tried at once
        if edit.active == Some(true) || edit.url.is_some() || edit.secret_sealed.is_some() {
            diesel::update(webhooks::table.filter(mine))
                .set((webhooks::failures.eq(0i64), webhooks::retry_at.eq(None::<NaiveDateTime>)))
                .execute(conn)?;
        }
        let after = get(conn, account, id)?;
        let mut audited_after = audited(&after);
        if edit.secret_sealed.is_some() {
            audited_after["secret_rotated"] = json!(true);
        }
        audit(conn, account, actor, "webhook.update", "webhook", id, Some(audited(&before)), Some(audited_after))?;
        Ok(after)
    })
}

/// Deletes a webhook and its delivery log.
pub fn delete(conn: &mut DbConn, account: AccountId, id: Uuid, actor: &Actor) -> StoreResult<()> {
    write_tx(conn, |conn| {
        let before = get(conn, account, id)?;
        diesel::delete(
            webhook_deliveries::table.filter(
                webhook_deliveries::account_id.eq(account).and(webhook_deliveries::webhook_id.eq(id.to_string())),
            ),
        )
        .execute(conn)?;
        diesel::delete(webhooks::table.filter(webhooks::account_id.eq(account).and(webhooks::id.eq(id.to_string()))))
            .execute(conn)?;
        audit(conn, account, actor, "webhook.delete", "webhook", id, Some(audited(&before)), None)
    })
}

/// One attempt to deliver an event, as logged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub id: Uuid,
    pub webhook_id: Uuid,
    /// 1 for the first try of the event, counting on through retries.
    pub attempt: i64,
    #[serde(flatten)]
    pub sent: Attempt,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct DeliveryRow {
    id: String,
    webhook_id: String,
    event_id: String,
    seq: i64,
    attempt: i64,
    manual: bool,
    attempted_at: NaiveDateTime,
    status_code: Option<i64>,
    error: Option<String>,
    duration_ms: i64,
}

impl DeliveryRow {
    fn delivery(self) -> StoreResult<Delivery> {
        Ok(Delivery {
            id: parse_id(&self.id)?,
            webhook_id: parse_id(&self.webhook_id)?,
            attempt: self.attempt,
            sent: Attempt {
                event_id: parse_id(&self.event_id)?,
                seq: self.seq,
                manual: self.manual,
                attempted_at: from_db_time(self.attempted_at),
                status_code: self.status_code,
                error: self.error,
                duration_ms: self.duration_ms,
            },
        })
    }
}

/// A webhook's delivery attempts, newest first.
pub fn deliveries(
    conn: &mut DbConn,
    account: AccountId,
    webhook: Uuid,
    page: &PageRequest,
) -> StoreResult<Page<Delivery>> {
    get(conn, account, webhook)?;
    let limit = page.effective_limit();
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::account_id.eq(account).and(webhook_deliveries::webhook_id.eq(webhook.to_string())))
        .select(DeliveryRow::as_select())
        .order((webhook_deliveries::attempted_at.desc(), webhook_deliveries::id.desc()))
        .limit(limit + 1)
        .into_boxed();
    if let Some(c) = page.cursor_parts(2)? {
        let micros: i64 = c[0].parse().map_err(|_| StoreError::InvalidInput("bad cursor".into()))?;
        let at = DateTime::<Utc>::from_timestamp_micros(micros)
            .ok_or_else(|| StoreError::InvalidInput("bad cursor".into()))?;
        let at = to_db_time(at);
        q = q.filter(
            webhook_deliveries::attempted_at
                .le(at)
                .and(webhook_deliveries::attempted_at.lt(at).or(webhook_deliveries::id.lt(c[1].clone()))),
        );
    }
    let rows: Vec<DeliveryRow> = q.load(conn)?;
    let items = rows.into_iter().map(DeliveryRow::delivery).collect::<StoreResult<Vec<_>>>()?;
    Ok(Page::from_rows(items, limit, |d| vec![d.sent.attempted_at.timestamp_micros().to_string(), d.id.to_string()]))
}

pub fn delivery(conn: &mut DbConn, account: AccountId, webhook: Uuid, id: Uuid) -> StoreResult<Delivery> {
    let row: Option<DeliveryRow> = webhook_deliveries::table
        .filter(
            webhook_deliveries::account_id
                .eq(account)
                .and(webhook_deliveries::webhook_id.eq(webhook.to_string()))
                .and(webhook_deliveries::id.eq(id.to_string())),
        )
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?;
    row.ok_or(StoreError::not_found("delivery"))?.delivery()
}

/// One attempt to deliver an event: what was sent and how it went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attempt {
    pub event_id: Uuid,
    pub seq: i64,
    /// Asked for by a person (redelivery), not made by the delivery schedule.
    pub manual: bool,
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status; absent when it did not answer.
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

impl Attempt {
    /// A 2xx answer.
    pub fn succeeded(&self) -> bool {
        self.status_code.is_some_and(|s| (200..300).contains(&s))
    }
}

fn insert_attempt(conn: &mut DbConn, hook: &Webhook, attempt: &Attempt, number: i64) -> StoreResult<Delivery> {
    let id = Uuid::new_v4();
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::account_id.eq(hook.account_id),
            webhook_deliveries::id.eq(id.to_string()),
            webhook_deliveries::webhook_id.eq(hook.id.to_string()),
            webhook_deliveries::event_id.eq(attempt.event_id.to_string()),
            webhook_deliveries::seq.eq(attempt.seq),
            webhook_deliveries::attempt.eq(number),
            webhook_deliveries::manual.eq(attempt.manual),
            webhook_deliveries::attempted_at.eq(to_db_time(attempt.attempted_at)),
            webhook_deliveries::status_code.eq(attempt.status_code),
            webhook_deliveries::error.eq(attempt.error.as_deref()),
            webhook_deliveries::duration_ms.eq(attempt.duration_ms),
        ))
        .execute(conn)?;
    delivery(conn, hook.account_id, hook.id, id)
}

/// Records a manual redelivery; it does not move the webhook's position.
pub fn record_redelivery(conn: &mut DbConn, hook: &Webhook, attempt: &Attempt) -> StoreResult<Delivery> {
    write_tx(conn, |conn| {
        let tries: i64 = webhook_deliveries::table
            .filter(
                webhook_deliveries::account_id
                    .eq(hook.account_id)
                    .and(webhook_deliveries::webhook_id.eq(hook.id.to_string()))
                    .and(webhook_deliveries::seq.eq(attempt.seq)),
            )
            .count()
            .get_result(conn)?;
        insert_attempt(conn, hook, attempt, tries + 1)
    })
}

/// Leases up to `limit` webhooks that have events to deliver and are due, for `holder` (one delivery
/// thread) until `until`, the least recently delivered first. Each lease is taken by a conditional
/// update, so two threads, of this instance or another, never deliver the same webhook at once.
pub fn lease_due(conn: &mut DbConn, holder: &str, until: DateTime<Utc>, limit: i64) -> StoreResult<Vec<Webhook>> {
    let t = to_db_time(now());
    let candidates: Vec<(AccountId, String)> = webhooks::table
        .inner_join(event_counters::table.on(event_counters::account_id.eq(webhooks::account_id)))
        .filter(webhooks::active.eq(true))
        .filter(event_counters::seq.gt(webhooks::delivered_seq))
        .filter(webhooks::retry_at.is_null().or(webhooks::retry_at.le(t)))
        .filter(webhooks::lease_until.lt(t))
        .select((webhooks::account_id, webhooks::id))
        .order(webhooks::lease_until.asc())
        .limit(limit)
        .load(conn)?;
    let mut leased = Vec::new();
    for (account, id) in candidates {
        let free = webhooks::account_id.eq(account).and(webhooks::id.eq(&id)).and(webhooks::lease_until.lt(t));
        let taken = diesel::update(webhooks::table.filter(free))
            .set((webhooks::leased_by.eq(holder), webhooks::lease_until.eq(to_db_time(until))))
            .execute(conn)?;
        if taken == 1 {
            leased.push(get(conn, account, parse_id(&id)?)?);
        }
    }
    Ok(leased)
}

/// Records a scheduled attempt by the lease holder, in one transaction with its effect: success moves
/// the webhook's position to the event; failure counts it and sets when to retry. Gives `false` when
/// the lease was lost or the webhook was edited meanwhile (this batch stops; the next lease reads the
/// webhook afresh).
pub fn record_attempt(
    conn: &mut DbConn,
    hook: &Webhook,
    holder: &str,
    attempt: &Attempt,
    retry_at: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> StoreResult<bool> {
    write_tx(conn, |conn| {
        let mine = webhooks::account_id
            .eq(hook.account_id)
            .and(webhooks::id.eq(hook.id.to_string()))
            .and(webhooks::leased_by.eq(holder))
            .and(webhooks::version.eq(hook.version))
            .and(webhooks::delivered_seq.eq(attempt.seq - 1));
        let current: Option<i64> =
            webhooks::table.filter(mine.clone()).select(webhooks::failures).first(conn).optional()?;
        let Some(failures) = current else { return Ok(false) };
        insert_attempt(conn, hook, attempt, failures + 1)?;
        let lease = webhooks::lease_until.eq(to_db_time(lease_until));
        if attempt.succeeded() {
            diesel::update(webhooks::table.filter(mine.clone()))
                .set((
                    webhooks::delivered_seq.eq(attempt.seq),
                    webhooks::failures.eq(0i64),
                    webhooks::retry_at.eq(None::<NaiveDateTime>),
                    webhooks::last_error.eq(None::<String>),
                    lease,
                ))
                .execute(conn)?;
        } else {
            let error =
                attempt.error.clone().or_else(|| attempt.status_code.map(|s| format!("the receiver answered {s}")));
            diesel::update(webhooks::table.filter(mine))
                .set((
                    webhooks::failures.eq(failures + 1),
                    webhooks::retry_at.eq(Some(to_db_time(retry_at))),
                    webhooks::last_error.eq(error),
                    lease,
                ))
                .execute(conn)?;
        }
        Ok(true)
    })
}

/// Gives the lease up, noting when (the webhook is delivered by whichever thread leases it next, after
/// the webhooks that waited longer).
pub fn release(conn: &mut DbConn, hook: &Webhook, holder: &str) -> StoreResult<()> {
    diesel::update(
        webhooks::table.filter(
            webhooks::account_id
                .eq(hook.account_id)
                .and(webhooks::id.eq(hook.id.to_string()))
                .and(webhooks::leased_by.eq(holder)),
        ),
    )
    .set((webhooks::leased_by.eq(None::<String>), webhooks::lease_until.eq(to_db_time(now()))))
    .execute(conn)?;
    Ok(())
}

/// Deletes delivery attempts made before `before`; gives how many.
pub fn prune_deliveries(conn: &mut DbConn, before: DateTime<Utc>) -> StoreResult<usize> {
    Ok(diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::attempted_at.lt(to_db_time(before))))
        .execute(conn)?)
}
