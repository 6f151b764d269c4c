//! Communication history: ingest, scoped listing, one record, recents and analytics. Scoping is
//! pushed into SQL from the caller's `Visibility`, which the core property-tests against `can_see`.

use crate::access::Caller;
use crate::http::common::{Errors, PageQuery, db, page};
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use switchboard_core::{AccountId, CommunicationId, IvrId, NumberId, UserId, WorkgroupId};
use switchboard_store::DbConn;
use switchboard_store::repo::communications::{
    self, Communication, CommunicationFilter, CommunicationKind, Direction, KindCounts, NewCommunication,
};
use switchboard_store::repo::{ivrs, numbers, users, workgroups};
use utoipa::{IntoParams, ToSchema};

/// Most records one batch ingests.
pub const MAX_BATCH: usize = 1000;
/// Longest call accepted: a day.
const MAX_DURATION: i32 = 86_400;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Call,
    Message,
    Voicemail,
    Recording,
}

impl From<Kind> for CommunicationKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Call => CommunicationKind::Call,
            Kind::Message => CommunicationKind::Message,
            Kind::Voicemail => CommunicationKind::Voicemail,
            Kind::Recording => CommunicationKind::Recording,
        }
    }
}

impl From<CommunicationKind> for Kind {
    fn from(k: CommunicationKind) -> Self {
        match k {
            CommunicationKind::Call => Kind::Call,
            CommunicationKind::Message => Kind::Message,
            CommunicationKind::Voicemail => Kind::Voicemail,
            CommunicationKind::Recording => Kind::Recording,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DirectionView {
    Inbound,
    Outbound,
    Internal,
}

impl From<DirectionView> for Direction {
    fn from(d: DirectionView) -> Self {
        match d {
            DirectionView::Inbound => Direction::Inbound,
            DirectionView::Outbound => Direction::Outbound,
            DirectionView::Internal => Direction::Internal,
        }
    }
}

impl From<Direction> for DirectionView {
    fn from(d: Direction) -> Self {
        match d {
            Direction::Inbound => DirectionView::Inbound,
            Direction::Outbound => DirectionView::Outbound,
            Direction::Internal => DirectionView::Internal,
        }
    }
}

/// The metadata of one call, message, voicemail or recording. Switchboard carries no audio.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommunicationView {
    pub id: CommunicationId,
    pub kind: Kind,
    pub direction: DirectionView,
    pub number: Option<NumberId>,
    pub workgroup: Option<WorkgroupId>,
    pub ivr: Option<IvrId>,
    pub participants: Vec<UserId>,
    pub started_at: DateTime<Utc>,
    pub duration_seconds: i32,
    pub has_recording: bool,
}

page!(CommunicationPage, CommunicationView);

impl From<Communication> for CommunicationView {
    fn from(c: Communication) -> Self {
        CommunicationView {
            id: c.id,
            kind: c.kind.into(),
            direction: c.direction.into(),
            number: c.number,
            workgroup: c.workgroup,
            ivr: c.ivr,
            participants: c.participants,
            started_at: c.started_at,
            duration_seconds: c.duration_seconds,
            has_recording: c.has_recording,
        }
    }
}

/// A record to ingest.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IngestCommunication {
    /// Optional: makes retries idempotent.
    pub id: Option<CommunicationId>,
    pub kind: Kind,
    pub direction: DirectionView,
    pub number: Option<NumberId>,
    pub workgroup: Option<WorkgroupId>,
    pub ivr: Option<IvrId>,
    /// Users of the account who took part, at most 100.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub participants: Vec<UserId>,
    pub started_at: DateTime<Utc>,
    /// 0 to 86400 (a day).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 86400)]
    pub duration_seconds: i32,
    #[serde(default)]
    pub has_recording: bool,
}

impl IngestCommunication {
    fn into_new(self, index: Option<usize>) -> Result<NewCommunication, ApiError> {
        let at = |field: &str| match index {
            Some(i) => format!("items[{i}].{field}"),
            None => field.to_owned(),
        };
        if !(0..=MAX_DURATION).contains(&self.duration_seconds) {
            return Err(ApiError::invalid(at("duration_seconds"), format!("must be between 0 and {MAX_DURATION}")));
        }
        if self.participants.len() > 100 {
            return Err(ApiError::invalid(at("participants"), "at most 100 participants"));
        }
        Ok(NewCommunication {
            id: self.id,
            kind: self.kind.into(),
            direction: self.direction.into(),
            number: self.number,
            workgroup: self.workgroup,
            ivr: self.ivr,
            participants: self.participants,
            started_at: self.started_at,
            duration_seconds: self.duration_seconds,
            has_recording: self.has_recording,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IngestBatch {
    /// 1 to 1000 records, stored all or nothing.
    #[schema(min_items = 1, max_items = 1000)]
    pub items: Vec<IngestCommunication>,
}

/// 422 naming the first reference of `items` (numbers, workgroups, IVRs, participants) that is not a
/// record of the account, as `items[i].field` in a batch (`field` alone for one record).
fn known_references(
    conn: &mut DbConn,
    account: AccountId,
    items: &[NewCommunication],
    batch: bool,
) -> Result<(), ApiError> {
    let unknown = |i: usize, field: &str, what: &str, id: String| {
        let field = if batch { format!("items[{i}].{field}") } else { field.to_owned() };
        ApiError::invalid(field, format!("{what} {id} is not in this account"))
    };
    let numbers: Vec<NumberId> = items.iter().filter_map(|c| c.number).collect();
    if let Some(n) = numbers::first_unknown_number(conn, account, &numbers)? {
        let i = items.iter().position(|c| c.number == Some(n)).unwrap_or_default();
        return Err(unknown(i, "number", "number", n.to_string()));
    }
    let workgroups: Vec<WorkgroupId> = items.iter().filter_map(|c| c.workgroup).collect();
    if let Some(w) = workgroups::first_unknown_workgroup(conn, account, &workgroups)? {
        let i = items.iter().position(|c| c.workgroup == Some(w)).unwrap_or_default();
        return Err(unknown(i, "workgroup", "workgroup", w.to_string()));
    }
    let ivrs: Vec<IvrId> = items.iter().filter_map(|c| c.ivr).collect();
    if let Some(v) = ivrs::first_unknown_ivr(conn, account, &ivrs)? {
        let i = items.iter().position(|c| c.ivr == Some(v)).unwrap_or_default();
        return Err(unknown(i, "ivr", "IVR", v.to_string()));
    }
    let participants: Vec<UserId> = items.iter().flat_map(|c| c.participants.iter().copied()).collect();
    if let Some(u) = users::first_unknown(conn, account, &participants)? {
        let i = items.iter().position(|c| c.participants.contains(&u)).unwrap_or_default();
        return Err(unknown(i, "participants", "user", u.to_string()));
    }
    Ok(())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ingested {
    pub ids: Vec<CommunicationId>,
}

/// Records one communication. Needs `integrations.api:manage` (the phone platform's integration).
#[utoipa::path(operation_id = "ingest_communication", tag = "history", security(("bearer" = []), ("api_key" = [])),
    request_body = IngestCommunication, responses((status = 201, description = "Stored", body = Ingested), Errors))]
#[post("/communications")]
pub async fn ingest_one(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Json<IngestCommunication>,
) -> Result<HttpResponse, ApiError> {
    caller.require("integrations.api:manage", &state.metrics)?;
    let items = [body.into_inner().into_new(None)?];
    let ids = db(&state, move |_, conn| {
        known_references(conn, caller.account.id, &items, false)?;
        Ok(communications::ingest(conn, caller.account.id, &items, &caller.actor)?)
    })
    .await?;
    Ok(HttpResponse::Created().json(Ingested { ids }))
}

/// Records many communications in one transaction.
#[utoipa::path(operation_id = "ingest_communications", tag = "history", security(("bearer" = []), ("api_key" = [])),
    request_body = IngestBatch, responses((status = 201, description = "Stored", body = Ingested), Errors))]
#[post("/communications/batch")]
pub async fn ingest_batch(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Json<IngestBatch>,
) -> Result<HttpResponse, ApiError> {
    caller.require("integrations.api:manage", &state.metrics)?;
    let items = body.into_inner().items;
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(ApiError::invalid("items", format!("give 1 to {MAX_BATCH} records")));
    }
    let items = items.into_iter().enumerate().map(|(i, c)| c.into_new(Some(i))).collect::<Result<Vec<_>, _>>()?;
    let ids = db(&state, move |_, conn| {
        known_references(conn, caller.account.id, &items, true)?;
        Ok(communications::ingest(conn, caller.account.id, &items, &caller.actor)?)
    })
    .await?;
    Ok(HttpResponse::Created().json(Ingested { ids }))
}

/// Filters of the history. `from` and `until` make a half-open range: one that is empty (`until` at
/// or before `from`) simply matches nothing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryFilter {
    pub kind: Option<Kind>,
    pub number: Option<NumberId>,
    pub workgroup: Option<WorkgroupId>,
    pub ivr: Option<IvrId>,
    /// Records this user took part in.
    pub user: Option<UserId>,
    /// Started at or after (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Started before (RFC 3339).
    pub until: Option<DateTime<Utc>>,
}

impl HistoryFilter {
    fn filter(&self) -> CommunicationFilter {
        CommunicationFilter {
            kind: self.kind.map(Into::into),
            number: self.number,
            workgroup: self.workgroup,
            ivr: self.ivr,
            user: self.user,
            from: self.from,
            until: self.until,
        }
    }
}

/// One page of history under the caller's data scope, or (for Recents) their recents scope.
async fn history_page(
    caller: Caller,
    state: web::Data<AppState>,
    filter: web::Query<HistoryFilter>,
    page: web::Query<PageQuery>,
    of_recents: bool,
) -> Result<web::Json<CommunicationPage>, ApiError> {
    let (filter, page) = (filter.filter(), page.request()?);
    let page = db(&state, move |_, conn| {
        let p = &caller.principal;
        let visibility = if of_recents { p.recents_visibility() } else { p.visibility() };
        Ok(communications::list(conn, caller.account.id, &visibility, &filter, &page)?)
    })
    .await?;
    Ok(web::Json(CommunicationPage::map(page, CommunicationView::from)))
}

/// The communications within the caller's data scope, newest first.
#[utoipa::path(operation_id = "list_communications", tag = "history", security(("bearer" = []), ("api_key" = [])),
    params(HistoryFilter, PageQuery),
    responses((status = 200, description = "A page of communications", body = CommunicationPage), Errors))]
#[get("/communications")]
pub async fn list_communications(
    caller: Caller,
    state: web::Data<AppState>,
    filter: web::Query<HistoryFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<CommunicationPage>, ApiError> {
    history_page(caller, state, filter, page, false).await
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
        Ok(communications::get(conn, caller.account.id, &caller.principal.visibility(), id)?)
    })
    .await?;
    Ok(web::Json(record.into()))
}

/// The Recents list: all calls of all users, or only the caller's own (rule MC-12).
#[utoipa::path(operation_id = "list_recents", tag = "history", security(("bearer" = []), ("api_key" = [])),
    params(HistoryFilter, PageQuery),
    responses((status = 200, description = "A page of recent communications", body = CommunicationPage), Errors))]
#[get("/recents")]
pub async fn recents(
    caller: Caller,
    state: web::Data<AppState>,
    filter: web::Query<HistoryFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<CommunicationPage>, ApiError> {
    history_page(caller, state, filter, page, true).await
}

/// Counts of one kind of communication.
#[derive(Debug, Serialize, ToSchema)]
pub struct Counts {
    pub count: i64,
    pub with_recording: i64,
    pub total_duration_seconds: i64,
}

impl From<KindCounts> for Counts {
    fn from(k: KindCounts) -> Self {
        Counts { count: k.count, with_recording: k.with_recording, total_duration_seconds: k.total_duration_seconds }
    }
}

/// Analytics within the caller's data scope (rule MC-18: at least their own interactions).
#[derive(Debug, Serialize, ToSchema)]
pub struct AnalyticsSummary {
    pub total: Counts,
    /// By kind: `call`, `message`, `voicemail`, `recording`.
    pub by_kind: BTreeMap<String, Counts>,
}

/// Counts of the communications within the caller's data scope.
#[utoipa::path(operation_id = "get_analytics_summary", tag = "history", security(("bearer" = []), ("api_key" = [])),
    params(HistoryFilter), responses((status = 200, description = "Counts", body = AnalyticsSummary), Errors))]
#[get("/analytics/summary")]
pub async fn analytics(
    caller: Caller,
    state: web::Data<AppState>,
    filter: web::Query<HistoryFilter>,
) -> Result<web::Json<AnalyticsSummary>, ApiError> {
    let filter = filter.filter();
    let counts = db(&state, move |_, conn| {
        Ok(communications::counts(conn, caller.account.id, &caller.principal.visibility(), &filter)?)
    })
    .await?;
    Ok(web::Json(AnalyticsSummary {
        total: counts.total.into(),
        by_kind: counts.by_kind.into_iter().map(|(k, v)| (k.as_str().to_owned(), v.into())).collect(),
    }))
}
