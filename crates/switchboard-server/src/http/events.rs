//! `GET /v1/events`: the account's change events after a sequence number, for a service that keeps
//! its own copy of who may do what. Long-poll (`wait`), or Server-Sent Events with
//! `Accept: text/event-stream` (resuming after `Last-Event-ID`). Sequence numbers are stored with the
//! events, so a reader resumes exactly where it stopped, across restarts of either side.

use crate::access::Caller;
use crate::events::EventView;
use crate::http::common::{Errors, db};
use crate::http::csv::Accepts;
use crate::http::query::Query;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use switchboard_core::AccountId;
use switchboard_store::repo::events;
use utoipa::{IntoParams, ToSchema};

/// The longest long-poll.
const MAX_WAIT_SECONDS: u32 = 30;
/// How often a waiting reader looks for new events.
const POLL: Duration = Duration::from_millis(250);
/// An event stream ends after this; the client reconnects with `Last-Event-ID`, and is
/// authenticated again (a revoked key stops receiving within this bound).
const STREAM_LIFETIME: Duration = Duration::from_secs(60);
/// A comment line on a quiet stream, so proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The `sequence` of the last event handled; 0 (the default) reads from the first.
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// Events per answer, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Seconds to wait for an event when there is none yet, 0 to 30 (default 0: answer at once).
    #[param(minimum = 0, maximum = 30)]
    pub wait: Option<u32>,
}

/// Events after a sequence number.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventFeed {
    /// Oldest first.
    pub items: Vec<EventView>,
    /// Pass as `after` next: the last item's `sequence`, or `after` itself when there was none.
    pub next_after: i64,
    /// The account's latest event `sequence`.
    pub latest: i64,
}

/// Where a stream starts: after `Last-Event-ID` (a reconnecting client), else after `after`.
fn stream_start(req: &HttpRequest, after: i64) -> Result<i64, ApiError> {
    match req.headers().get("last-event-id") {
        None => Ok(after),
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .ok_or_else(|| ApiError::invalid("Last-Event-ID", "the `id` of an event this stream sent")),
    }
}

/// The account's change events after `after`, oldest first: every audited change, as webhooks and
/// the NATS sink get it. With `wait`, answers as soon as there is one (or when the wait is over,
/// with none). With `Accept: text/event-stream`, a Server-Sent Events stream (`id` is the
/// sequence, `event` the type) that ends after a minute; reconnect with `Last-Event-ID`. Needs what
/// the audit log needs.
#[utoipa::path(operation_id = "list_events", tag = "events", security(("bearer" = []), ("api_key" = [])),
    params(FeedQuery),
    responses((status = 200, description = "Events after `after`, or a stream of them", content(
        (EventFeed = "application/json"), (String = "text/event-stream"))), Errors))]
#[get("/events")]
pub async fn list_events(
    req: HttpRequest,
    accepts: Accepts,
    caller: Caller,
    state: web::Data<AppState>,
    query: Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.allow(caller.policy().can_read_audit(&caller.principal)?, &state.metrics)?;
    let FeedQuery { after, limit, wait } = query.into_inner();
    let after = after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::invalid("after", "a sequence number, 0 or more"));
    }
    let limit = limit.unwrap_or(100);
    if !(1..=events::MAX_BATCH).contains(&limit) {
        return Err(ApiError::invalid("limit", "between 1 and 500"));
    }
    let wait = wait.unwrap_or(0);
    if wait > MAX_WAIT_SECONDS {
        return Err(ApiError::invalid("wait", format!("at most {MAX_WAIT_SECONDS} seconds")));
    }
    let account = caller.account.id;
    if accepts.event_stream {
        let start = stream_start(&req, after)?;
        return Ok(HttpResponse::Ok()
            .content_type("text/event-stream")
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header(("x-accel-buffering", "no"))
            .streaming(event_stream(state, account, start)));
    }
    let deadline = Instant::now() + Duration::from_secs(u64::from(wait));
    loop {
        let (items, latest) = db(&state, move |_, conn| {
            Ok((events::after(conn, account, after, limit)?, events::latest(conn, account)?))
        })
        .await?;
        if !items.is_empty() || Instant::now() + POLL > deadline {
            let next_after = items.last().map_or(after, |e| e.seq);
            let items = items.into_iter().map(|e| EventView::new(account, e)).collect();
            return Ok(HttpResponse::Ok().json(EventFeed { items, next_after, latest }));
        }
        actix_web::rt::time::sleep(POLL).await;
    }
}

/// Where a stream is.
struct StreamAt {
    after: i64,
    ends: Instant,
    quiet_since: Instant,
}

/// Server-Sent Events after `after`, for [`STREAM_LIFETIME`].
fn event_stream(
    state: web::Data<AppState>,
    account: AccountId,
    after: i64,
) -> impl futures_util::Stream<Item = Result<Bytes, ApiError>> {
    let now = Instant::now();
    let first = futures_util::stream::once(async { Ok(Bytes::from_static(b"retry: 1000\n\n")) });
    let at = StreamAt { after, ends: now + STREAM_LIFETIME, quiet_since: now };
    let rest = futures_util::stream::unfold(Some(at), move |at| {
        let state = state.clone();
        async move {
            let mut at = at?;
            loop {
                if Instant::now() >= at.ends {
                    return None;
                }
                let after = at.after;
                let batch = db(&state, move |_, conn| Ok(events::after(conn, account, after, 100)?)).await;
                match batch {
                    Err(e) => {
                        log::warn!("event stream of account {account} stopped: {e}");
                        return Some((Err(e), None));
                    }
                    Ok(batch) if batch.is_empty() => {
                        if at.quiet_since.elapsed() >= KEEP_ALIVE {
                            at.quiet_since = Instant::now();
                            return Some((Ok(Bytes::from_static(b": keep-alive\n\n")), Some(at)));
                        }
                        actix_web::rt::time::sleep(POLL).await;
                    }
                    Ok(batch) => {
                        let mut out = String::new();
                        for e in batch {
                            at.after = e.seq;
                            let view = EventView::new(account, e);
                            let data = serde_json::to_string(&view).unwrap_or_default();
                            out.push_str(&format!(
                                "id: {}\nevent: {}\ndata: {data}\n\n",
                                view.sequence, view.event_type
                            ));
                        }
                        at.quiet_since = Instant::now();
                        return Some((Ok(Bytes::from(out)), Some(at)));
                    }
                }
            }
        }
    });
    futures_util::StreamExt::chain(first, rest)
}
