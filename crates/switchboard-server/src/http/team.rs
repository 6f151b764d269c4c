//! Workgroups, business numbers and IVRs. Every change runs as a use case (`service::team`,
//! `service::memberships`); membership changes are changes to each person added or removed.

use crate::access::Caller;
use crate::http::common::{Errors, PageQuery, db, page};
use crate::problem::ApiError;
use crate::service::{self, memberships, team};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_core::{IvrId, NumberId, UserId, WorkgroupId};
use switchboard_store::repo::teams::{self, BusinessNumber, Ivr, NumberInput, NumberKind, Workgroup};
use utoipa::ToSchema;

/// A workgroup: users inbound calls are routed to.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkgroupView {
    pub id: WorkgroupId,
    #[schema(example = "Support")]
    pub name: String,
    pub members: Vec<UserId>,
    pub created_at: DateTime<Utc>,
}

page!(WorkgroupPage, WorkgroupView);

impl From<Workgroup> for WorkgroupView {
    fn from(w: Workgroup) -> Self {
        WorkgroupView { id: w.id, name: w.name, members: w.members, created_at: w.created_at }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkgroup {
    /// 1 to 200 characters, not all blank.
    #[schema(
        example = "Support",
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub name: String,
    /// Users of the account, at most 1000.
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub members: Vec<UserId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameWorkgroup {
    /// 1 to 200 characters, not all blank.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Members {
    /// The complete new member list: users of the account, at most 1000.
    #[schema(max_items = 1000)]
    pub users: Vec<UserId>,
}

/// Lists workgroups.
#[utoipa::path(operation_id = "list_workgroups", tag = "team", security(("bearer" = []), ("api_key" = [])),
    params(PageQuery), responses((status = 200, description = "A page of workgroups", body = WorkgroupPage), Errors))]
#[get("/workgroups")]
pub async fn list_workgroups(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<WorkgroupPage>, ApiError> {
    caller.require("team.workgroups:view", &state.metrics)?;
    let (page, account) = (query.request()?, caller.account.id);
    let list = db(&state, move |_, conn| Ok(teams::list_workgroups(conn, account, &page)?)).await?;
    Ok(web::Json(WorkgroupPage::map(list, WorkgroupView::from)))
}

/// Creates a workgroup.
#[utoipa::path(operation_id = "create_workgroup", tag = "team", security(("bearer" = []), ("api_key" = [])),
    request_body = NewWorkgroup, responses((status = 201, description = "Created", body = WorkgroupView), Errors))]
#[post("/workgroups")]
pub async fn create_workgroup(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Json<NewWorkgroup>,
) -> Result<HttpResponse, ApiError> {
    let NewWorkgroup { name, members } = body.into_inner();
    let created = service::run(&state, caller, move |cx| memberships::create_workgroup(cx, &name, &members)).await?;
    Ok(HttpResponse::Created().json(WorkgroupView::from(created)))
}

/// Reads a workgroup.
#[utoipa::path(operation_id = "get_workgroup", tag = "team", security(("bearer" = []), ("api_key" = [])),
    params(("id" = WorkgroupId, Path, description = "The workgroup's id")),
    responses((status = 200, description = "The workgroup", body = WorkgroupView), Errors))]
#[get("/workgroups/{id}")]
pub async fn get_workgroup(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<WorkgroupId>,
) -> Result<web::Json<WorkgroupView>, ApiError> {
    caller.require("team.workgroups:view", &state.metrics)?;
    let (account, id) = (caller.account.id, id.into_inner());
    Ok(web::Json(db(&state, move |_, conn| Ok(teams::get_workgroup(conn, account, id)?)).await?.into()))
}

/// Renames a workgroup.
#[utoipa::path(operation_id = "update_workgroup", tag = "team", security(("bearer" = []), ("api_key" = [])),
    params(("id" = WorkgroupId, Path, description = "The workgroup's id")), request_body = RenameWorkgroup,
    responses((status = 200, description = "Renamed", body = WorkgroupView), Errors))]
#[patch("/workgroups/{id}")]
pub async fn update_workgroup(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<WorkgroupId>,
    body: web::Json<RenameWorkgroup>,
) -> Result<web::Json<WorkgroupView>, ApiError> {
    let (id, name) = (id.into_inner(), body.into_inner().name);
    let updated = service::run(&state, caller, move |cx| team::rename_workgroup(cx, id, &name)).await?;
    Ok(web::Json(updated.into()))
}

/// Deletes a workgroup.
#[utoipa::path(operation_id = "delete_workgroup", tag = "team", security(("bearer" = []), ("api_key" = [])),
    params(("id" = WorkgroupId, Path, description = "The workgroup's id")),
    responses((status = 204, description = "Deleted"), Errors))]
#[delete("/workgroups/{id}")]
pub async fn delete_workgroup(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<WorkgroupId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    service::run(&state, caller, move |cx| memberships::delete_workgroup(cx, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replaces a workgroup's members.
#[utoipa::path(operation_id = "set_workgroup_members", tag = "team", security(("bearer" = []), ("api_key" = [])),
    params(("id" = WorkgroupId, Path, description = "The workgroup's id")), request_body = Members,
    responses((status = 200, description = "The workgroup", body = WorkgroupView), Errors))]
#[put("/workgroups/{id}/members")]
pub async fn set_workgroup_members(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<WorkgroupId>,
    body: web::Json<Members>,
) -> Result<web::Json<WorkgroupView>, ApiError> {
    let (id, users) = (id.into_inner(), body.into_inner().users);
    let updated = service::run(&state, caller, move |cx| memberships::set_workgroup_members(cx, id, &users)).await?;
    Ok(web::Json(updated.into()))
}

/// The kind of a business number.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NumberKindView {
    Local,
    TollFree,
    International,
}

impl From<NumberKind> for NumberKindView {
    fn from(k: NumberKind) -> Self {
        match k {
            NumberKind::Local => NumberKindView::Local,
            NumberKind::TollFree => NumberKindView::TollFree,
            NumberKind::International => NumberKindView::International,
        }
    }
}

impl From<NumberKindView> for NumberKind {
    fn from(k: NumberKindView) -> Self {
        match k {
            NumberKindView::Local => NumberKind::Local,
            NumberKindView::TollFree => NumberKind::TollFree,
            NumberKindView::International => NumberKind::International,
        }
    }
}

/// A business number.
#[derive(Debug, Serialize, ToSchema)]
pub struct NumberView {
    pub id: NumberId,
    #[schema(example = "+14155550100")]
    pub e164: String,
    #[schema(example = "San Francisco office")]
    pub label: String,
    pub kind: NumberKindView,
    /// Users the number is assigned to.
    pub users: Vec<UserId>,
    pub ivr: Option<IvrId>,
    pub created_at: DateTime<Utc>,
}

page!(NumberPage, NumberView);

impl From<BusinessNumber> for NumberView {
    fn from(n: BusinessNumber) -> Self {
        NumberView {
            id: n.id,
            e164: n.e164,
            label: n.label,
            kind: n.kind.into(),
            users: n.users,
            ivr: n.ivr,
            created_at: n.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNumber {
    /// E.164: `+` and 2 to 15 digits, the first not 0.
    #[schema(example = "+14155550100", pattern = r"^\+[1-9][0-9]{1,14}$")]
    pub e164: String,
    /// At most 200 characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub label: String,
    pub kind: NumberKindView,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NumberPatch {
    /// E.164: `+` and 2 to 15 digits, the first not 0.
    #[schema(example = "+14155550100", pattern = r"^\+[1-9][0-9]{1,14}$")]
    pub e164: Option<String>,
    /// At most 200 characters.
    #[schema(max_length = 200)]
    pub label: Option<String>,
    pub kind: Option<NumberKindView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NumberUsers {
    /// The complete new list of users the number is assigned to: users of the account, at most 1000.
    #[schema(max_items = 1000)]
    pub users: Vec<UserId>,
}

/// Lists business numbers.
#[utoipa::path(operation_id = "list_numbers", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    params(PageQuery), responses((status = 200, description = "A page of numbers", body = NumberPage), Errors))]
#[get("/numbers")]
pub async fn list_numbers(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<NumberPage>, ApiError> {
    caller.require("numbers:view", &state.metrics)?;
    let (page, account) = (query.request()?, caller.account.id);
    let list = db(&state, move |_, conn| Ok(teams::list_numbers(conn, account, &page)?)).await?;
    Ok(web::Json(NumberPage::map(list, NumberView::from)))
}

/// Adds a business number (rule MC-33: a separate right).
#[utoipa::path(operation_id = "create_number", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    request_body = NewNumber, responses((status = 201, description = "Added", body = NumberView), Errors))]
#[post("/numbers")]
pub async fn create_number(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Json<NewNumber>,
) -> Result<HttpResponse, ApiError> {
    let NewNumber { e164, label, kind } = body.into_inner();
    let input = NumberInput { e164, label, kind: kind.into() };
    let created = service::run(&state, caller, move |cx| team::create_number(cx, &input)).await?;
    Ok(HttpResponse::Created().json(NumberView::from(created)))
}

/// Reads a business number.
#[utoipa::path(operation_id = "get_number", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    params(("id" = NumberId, Path, description = "The number's id")),
    responses((status = 200, description = "The number", body = NumberView), Errors))]
#[get("/numbers/{id}")]
pub async fn get_number(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<NumberId>,
) -> Result<web::Json<NumberView>, ApiError> {
    caller.require("numbers:view", &state.metrics)?;
    let (account, id) = (caller.account.id, id.into_inner());
    Ok(web::Json(db(&state, move |_, conn| Ok(teams::get_number(conn, account, id)?)).await?.into()))
}

/// Edits a number's settings (rule MC-33).
#[utoipa::path(operation_id = "update_number", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    params(("id" = NumberId, Path, description = "The number's id")), request_body = NumberPatch,
    responses((status = 200, description = "Updated", body = NumberView), Errors))]
#[patch("/numbers/{id}")]
pub async fn update_number(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<NumberId>,
    body: web::Json<NumberPatch>,
) -> Result<web::Json<NumberView>, ApiError> {
    let (id, patch) = (id.into_inner(), body.into_inner());
    let updated = service::run(&state, caller, move |cx| {
        team::update_number(cx, id, |current| NumberInput {
            e164: patch.e164.unwrap_or_else(|| current.e164.clone()),
            label: patch.label.unwrap_or_else(|| current.label.clone()),
            kind: patch.kind.map_or(current.kind, Into::into),
        })
    })
    .await?;
    Ok(web::Json(updated.into()))
}

/// Deletes a number (rule MC-33).
#[utoipa::path(operation_id = "delete_number", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    params(("id" = NumberId, Path, description = "The number's id")),
    responses((status = 204, description = "Deleted"), Errors))]
#[delete("/numbers/{id}")]
pub async fn delete_number(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<NumberId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    service::run(&state, caller, move |cx| memberships::delete_number(cx, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Assigns a number to users (rule MC-25).
#[utoipa::path(operation_id = "set_number_users", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    params(("id" = NumberId, Path, description = "The number's id")), request_body = NumberUsers,
    responses((status = 200, description = "The number", body = NumberView), Errors))]
#[put("/numbers/{id}/users")]
pub async fn set_number_users(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<NumberId>,
    body: web::Json<NumberUsers>,
) -> Result<web::Json<NumberView>, ApiError> {
    let (id, users) = (id.into_inner(), body.into_inner().users);
    let updated = service::run(&state, caller, move |cx| memberships::set_number_users(cx, id, &users)).await?;
    Ok(web::Json(updated.into()))
}

/// An IVR / call flow: the path incoming calls take.
#[derive(Debug, Serialize, ToSchema)]
pub struct IvrView {
    pub id: IvrId,
    #[schema(example = "Main menu")]
    pub name: String,
    /// Numbers whose calls go through this IVR.
    pub numbers: Vec<NumberId>,
    pub created_at: DateTime<Utc>,
}

page!(IvrPage, IvrView);

impl From<Ivr> for IvrView {
    fn from(i: Ivr) -> Self {
        IvrView { id: i.id, name: i.name, numbers: i.numbers, created_at: i.created_at }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIvr {
    /// 1 to 200 characters, not all blank.
    #[schema(
        example = "Main menu",
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub name: String,
    /// Business numbers of the account, each linked to at most one IVR.
    #[serde(default)]
    pub numbers: Vec<NumberId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IvrPatch {
    /// 1 to 200 characters, not all blank.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub name: Option<String>,
    /// Replaces the linked numbers: business numbers of the account, each linked to at most one IVR.
    pub numbers: Option<Vec<NumberId>>,
}

/// Lists IVRs.
#[utoipa::path(operation_id = "list_ivrs", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    params(PageQuery), responses((status = 200, description = "A page of IVRs", body = IvrPage), Errors))]
#[get("/ivrs")]
pub async fn list_ivrs(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<IvrPage>, ApiError> {
    caller.require("call_flow:view", &state.metrics)?;
    let (page, account) = (query.request()?, caller.account.id);
    let list = db(&state, move |_, conn| Ok(teams::list_ivrs(conn, account, &page)?)).await?;
    Ok(web::Json(IvrPage::map(list, IvrView::from)))
}

/// Creates an IVR (rule MC-32).
#[utoipa::path(operation_id = "create_ivr", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    request_body = NewIvr, responses((status = 201, description = "Created", body = IvrView), Errors))]
#[post("/ivrs")]
pub async fn create_ivr(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Json<NewIvr>,
) -> Result<HttpResponse, ApiError> {
    let NewIvr { name, numbers } = body.into_inner();
    let created = service::run(&state, caller, move |cx| team::create_ivr(cx, &name, &numbers)).await?;
    Ok(HttpResponse::Created().json(IvrView::from(created)))
}

/// Reads an IVR.
#[utoipa::path(operation_id = "get_ivr", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    params(("id" = IvrId, Path, description = "The IVR's id")),
    responses((status = 200, description = "The IVR", body = IvrView), Errors))]
#[get("/ivrs/{id}")]
pub async fn get_ivr(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<IvrId>,
) -> Result<web::Json<IvrView>, ApiError> {
    caller.require("call_flow:view", &state.metrics)?;
    let (account, id) = (caller.account.id, id.into_inner());
    Ok(web::Json(db(&state, move |_, conn| Ok(teams::get_ivr(conn, account, id)?)).await?.into()))
}

/// Changes where incoming calls are routed (rule MC-28).
#[utoipa::path(operation_id = "update_ivr", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    params(("id" = IvrId, Path, description = "The IVR's id")), request_body = IvrPatch,
    responses((status = 200, description = "Updated", body = IvrView), Errors))]
#[patch("/ivrs/{id}")]
pub async fn update_ivr(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<IvrId>,
    body: web::Json<IvrPatch>,
) -> Result<web::Json<IvrView>, ApiError> {
    let (id, patch) = (id.into_inner(), body.into_inner());
    let updated = service::run(&state, caller, move |cx| {
        team::update_ivr(cx, id, patch.name.as_deref(), patch.numbers.as_deref())
    })
    .await?;
    Ok(web::Json(updated.into()))
}

/// Deletes an IVR (rule MC-32).
#[utoipa::path(operation_id = "delete_ivr", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    params(("id" = IvrId, Path, description = "The IVR's id")),
    responses((status = 204, description = "Deleted"), Errors))]
#[delete("/ivrs/{id}")]
pub async fn delete_ivr(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<IvrId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    service::run(&state, caller, move |cx| team::delete_ivr(cx, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
