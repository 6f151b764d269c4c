//! Communication history (`/v1/communications`, `/v1/recents`): the views, scoped listing, one
//! record and recents. Scoping is pushed into SQL from the caller's `Visibility`, which the core
//! property-tests against `can_see`. Ingesting is [`super::ingest`], counting [`super::analytics`].

use crate::access::Caller;
use crate::http::common::{Errors, PageQuery, db, page};
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_core::{CommunicationId, IvrId, NumberId, UserId, WorkgroupId};
use switchboard_store::repo::communications::{self, Communication, CommunicationFilter, CommunicationKind, Direction};
use utoipa::{IntoParams, ToSchema};

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
    pub(crate) fn filter(&self) -> CommunicationFilter {
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
