//! `/v1/workgroups`: the users inbound calls are routed to (seed 000 "Workgroup", seed 002 "Group").
//! Changes run as use cases (`service::team`, `service::memberships`); adding or removing a member is
//! a change to that person.

use crate::access::Caller;
use crate::http::body::Body;
use crate::http::common::{Errors, PageQuery, db, page};
use crate::http::query::Query;
use crate::problem::ApiError;
use crate::service::{self, memberships, team};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::Deserialize;
use switchboard_core::values::DisplayName;
use switchboard_core::{UserId, WorkgroupId};
use switchboard_store::repo::workgroups::{self, Workgroup};
use utoipa::ToSchema;

page!(WorkgroupPage, Workgroup);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkgroup {
    pub name: DisplayName,
    /// Users of the account, at most 1000.
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub members: Vec<UserId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameWorkgroup {
    pub name: DisplayName,
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
    query: Query<PageQuery>,
) -> Result<web::Json<WorkgroupPage>, ApiError> {
    caller.require("team.workgroups:view", &state.metrics)?;
    let (page, account) = (query.request()?, caller.account.id);
    let list = db(&state, move |_, conn| Ok(workgroups::list(conn, account, &page)?)).await?;
    Ok(web::Json(WorkgroupPage::from(list)))
}

/// Creates a workgroup.
#[utoipa::path(operation_id = "create_workgroup", tag = "team", security(("bearer" = []), ("api_key" = [])),
    request_body = NewWorkgroup, responses((status = 201, description = "Created", body = Workgroup), Errors))]
#[post("/workgroups")]
pub async fn create_workgroup(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<NewWorkgroup>,
) -> Result<HttpResponse, ApiError> {
    let NewWorkgroup { name, members } = body.parse()?;
    let created = service::run(&state, caller, move |cx| memberships::create_workgroup(cx, &name, &members)).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Reads a workgroup.
#[utoipa::path(operation_id = "get_workgroup", tag = "team", security(("bearer" = []), ("api_key" = [])),
    params(("id" = WorkgroupId, Path, description = "The workgroup's id")),
    responses((status = 200, description = "The workgroup", body = Workgroup), Errors))]
#[get("/workgroups/{id}")]
pub async fn get_workgroup(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<WorkgroupId>,
) -> Result<web::Json<Workgroup>, ApiError> {
    caller.require("team.workgroups:view", &state.metrics)?;
    let (account, id) = (caller.account.id, id.into_inner());
    Ok(web::Json(db(&state, move |_, conn| Ok(workgroups::get(conn, account, id)?)).await?))
}

/// Renames a workgroup.
#[utoipa::path(operation_id = "update_workgroup", tag = "team", security(("bearer" = []), ("api_key" = [])),
    params(("id" = WorkgroupId, Path, description = "The workgroup's id")), request_body = RenameWorkgroup,
    responses((status = 200, description = "Renamed", body = Workgroup), Errors))]
#[patch("/workgroups/{id}")]
pub async fn update_workgroup(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<WorkgroupId>,
    body: Body<RenameWorkgroup>,
) -> Result<web::Json<Workgroup>, ApiError> {
    let (id, name) = (id.into_inner(), body.parse()?.name);
    let updated = service::run(&state, caller, move |cx| team::rename_workgroup(cx, id, &name)).await?;
    Ok(web::Json(updated))
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
    responses((status = 200, description = "The workgroup", body = Workgroup), Errors))]
#[put("/workgroups/{id}/members")]
pub async fn set_workgroup_members(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<WorkgroupId>,
    body: Body<Members>,
) -> Result<web::Json<Workgroup>, ApiError> {
    let (id, users) = (id.into_inner(), body.parse()?.users);
    let updated = service::run(&state, caller, move |cx| memberships::set_workgroup_members(cx, id, &users)).await?;
    Ok(web::Json(updated))
}
