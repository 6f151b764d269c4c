//! Communication history (`/v1/communications`, `/v1/recents`): the views, scoped listing, one
//! record and recents. Scoping is pushed into SQL from the caller's `Visibility`, which the core
//! property-tests against `can_see`; it carries the kinds each role shows (rule MC-7). Lists are
//! also a CSV download (`Accept: text/csv`, `reports.download`), streamed page by page. Ingesting
//! is [`super::ingest`], counting [`super::reports`].

use crate::access::Caller;
use crate::http::common::{Errors, PageQuery, db, page};
use crate::http::csv::{self, Accepts};
use crate::http::query::Query;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use chrono::SecondsFormat;
use serde::Serialize;
use switchboard_core::{CommunicationId, Policy, Principal};
use switchboard_store::repo::communications::{self, Communication, CommunicationFilter};
use utoipa::ToSchema;

/// The metadata of one call, message, voicemail or recording, as the caller sees it. Switchboard
/// carries no audio.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommunicationView {
    #[serde(flatten)]
    pub communication: Communication,
    /// Whether the caller may play its recording: their own always, others' with a role that plays
    /// recordings (`/v1/authorize` with a `recording` resource says why not).
    pub recording_playable: bool,
}

page!(CommunicationPage, CommunicationView);

impl CommunicationView {
    /// The communication as `principal` sees it.
    pub(crate) fn seen_by(communication: Communication, policy: &Policy, principal: &Principal) -> Self {
        let recording_playable =
            policy.can_play_recording(principal, &communication.as_ref(), communication.has_recording).is_allowed();
        CommunicationView { communication, recording_playable }
    }
}

/// The columns of a history download.
const CSV_HEADER: [&str; 11] = [
    "id",
    "kind",
    "direction",
    "number",
    "workgroup",
    "ivr",
    "participants",
    "started_at",
    "duration_seconds",
    "has_recording",
    "recording_playable",
];

fn push_csv_line(out: &mut String, CommunicationView { communication: v, recording_playable }: &CommunicationView) {
    let opt = |id: Option<String>| id.unwrap_or_default();
    let participants: Vec<String> = v.participants.iter().map(ToString::to_string).collect();
    let fields = [
        v.id.to_string(),
        v.kind.as_str().to_owned(),
        v.direction.as_str().to_owned(),
        opt(v.number.map(|n| n.to_string())),
        opt(v.workgroup.map(|w| w.to_string())),
        opt(v.ivr.map(|i| i.to_string())),
        participants.join(" "),
        v.started_at.to_rfc3339_opts(SecondsFormat::Micros, true),
        v.duration_seconds.to_string(),
        v.has_recording.to_string(),
        recording_playable.to_string(),
    ];
    csv::push_line(out, fields.iter().map(String::as_str));
}

/// The whole scoped history as CSV, streamed one page at a time.
fn csv_download(
    caller: Caller,
    state: web::Data<AppState>,
    filter: CommunicationFilter,
    of_recents: bool,
) -> HttpResponse {
    let mut head = String::new();
    csv::push_line(&mut head, CSV_HEADER);
    csv::stream_pages(state, csv::CONTENT_TYPE, head, move |conn, request| {
        let p = &caller.principal;
        let visibility = if of_recents { p.recents_visibility() } else { p.visibility() };
        let page = communications::list(conn, caller.account.id, &visibility, &filter, request)?;
        let mut out = String::with_capacity(page.items.len() * 256);
        for c in page.items {
            push_csv_line(&mut out, &CommunicationView::seen_by(c, caller.policy(), p));
        }
        Ok((out, page.next_cursor))
    })
}

/// One page of history under the caller's data scope, or (for Recents) their recents scope; with
/// `Accept: text/csv`, all of it as a download.
/// What a history page is asked with: the same for the whole history and for the Recents list.
type HistoryRequest = (Accepts, Caller, web::Data<AppState>, Query<CommunicationFilter>, Query<PageQuery>);

async fn history_page(
    (accepts, caller, state, filter, page): HistoryRequest,
    of_recents: bool,
) -> Result<HttpResponse, ApiError> {
    if accepts.csv {
        may_download(&caller, &state)?;
        return Ok(csv_download(caller, state, filter.into_inner(), of_recents));
    }
    let (filter, page) = (filter.into_inner(), page.request()?);
    let page = db(&state, move |_, conn| {
        let p = &caller.principal;
        let visibility = if of_recents { p.recents_visibility() } else { p.visibility() };
        let page = communications::list(conn, caller.account.id, &visibility, &filter, &page)?;
        Ok(CommunicationPage::map(page, |c| CommunicationView::seen_by(c, caller.policy(), p)))
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Refuses a CSV download to whoever lacks the pack's download permission (`reports.download`).
pub fn may_download(caller: &Caller, state: &AppState) -> Result<(), ApiError> {
    caller.allow(caller.policy().can_download_reports(&caller.principal), &state.metrics)
}

/// The communications within the caller's data scope, newest first.
#[utoipa::path(operation_id = "list_communications", tag = "history", security(("bearer" = []), ("api_key" = [])),
    params(CommunicationFilter, PageQuery),
    responses((status = 200, description = "A page of communications, or all of them as CSV", content(
        (CommunicationPage = "application/json"), (String = "text/csv"))), Errors))]
#[get("/communications")]
pub async fn list_communications(request: HistoryRequest) -> Result<HttpResponse, ApiError> {
    history_page(request, false).await
}

/// One communication; 404 when it is outside the caller's data scope.
#[utoipa::path(operation_id = "get_communication", tag = "history", security(("bearer" = []), ("api_key" = [])),
    params(("id" = CommunicationId, Path, description = "The communication's id")),
    responses((status = 200, description = "The communication", body = CommunicationView), Errors))]
#[get("/communications/{id}")]
pub async fn get_one(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<CommunicationId>,
) -> Result<web::Json<CommunicationView>, ApiError> {
    let id = id.into_inner();
    let record = db(&state, move |_, conn| {
        let record = communications::get(conn, caller.account.id, &caller.principal.visibility(), id)?;
        Ok(CommunicationView::seen_by(record, caller.policy(), &caller.principal))
    })
    .await?;
    Ok(web::Json(record))
}

/// The Recents list: all calls of all users, or only the caller's own (rule MC-12).
#[utoipa::path(operation_id = "list_recents", tag = "history", security(("bearer" = []), ("api_key" = [])),
    params(CommunicationFilter, PageQuery),
    responses((status = 200, description = "A page of recent communications, or all of them as CSV", content(
        (CommunicationPage = "application/json"), (String = "text/csv"))), Errors))]
#[get("/recents")]
pub async fn recents(request: HistoryRequest) -> Result<HttpResponse, ApiError> {
    history_page(request, true).await
}
