//! `/v1/ivrs`: IVRs / call flows, the paths incoming calls take (rules MC-28, MC-32). Changes run as
//! use cases (`service::team`).

use crate::access::Caller;
use crate::http::body::Body;
use crate::http::common::{Errors, PageQuery, db, page};
use crate::http::query::Query;
use crate::problem::ApiError;
use crate::service::{self, team};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use switchboard_core::values::DisplayName;
use switchboard_core::{IvrId, NumberId};
use switchboard_store::repo::ivrs::{self, Ivr};
use utoipa::ToSchema;

page!(IvrPage, Ivr);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIvr {
    pub name: DisplayName,
    /// Business numbers of the account, each linked to at most one IVR.
    #[serde(default)]
    pub numbers: Vec<NumberId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IvrPatch {
    pub name: Option<DisplayName>,
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
    query: Query<PageQuery>,
) -> Result<web::Json<IvrPage>, ApiError> {
    caller.require("call_flow:view", &state.metrics)?;
    let (page, account) = (query.request()?, caller.account.id);
    let list = db(&state, move |_, conn| Ok(ivrs::list(conn, account, &page)?)).await?;
    Ok(web::Json(IvrPage::from(list)))
}

/// Creates an IVR (rule MC-32).
#[utoipa::path(operation_id = "create_ivr", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    request_body = NewIvr, responses((status = 201, description = "Created", body = Ivr), Errors))]
#[post("/ivrs")]
pub async fn create_ivr(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<NewIvr>,
) -> Result<HttpResponse, ApiError> {
    let NewIvr { name, numbers } = body.parse()?;
    let created = service::run(&state, caller, move |cx| team::create_ivr(cx, &name, &numbers)).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Reads an IVR.
#[utoipa::path(operation_id = "get_ivr", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    params(("id" = IvrId, Path, description = "The IVR's id")),
    responses((status = 200, description = "The IVR", body = Ivr), Errors))]
#[get("/ivrs/{id}")]
pub async fn get_ivr(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<IvrId>,
) -> Result<web::Json<Ivr>, ApiError> {
    caller.require("call_flow:view", &state.metrics)?;
    let (account, id) = (caller.account.id, id.into_inner());
    Ok(web::Json(db(&state, move |_, conn| Ok(ivrs::get(conn, account, id)?)).await?))
}

/// Changes where incoming calls are routed (rule MC-28).
#[utoipa::path(operation_id = "update_ivr", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    params(("id" = IvrId, Path, description = "The IVR's id")), request_body = IvrPatch,
    responses((status = 200, description = "Updated", body = Ivr), Errors))]
#[patch("/ivrs/{id}")]
pub async fn update_ivr(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<IvrId>,
    body: Body<IvrPatch>,
) -> Result<web::Json<Ivr>, ApiError> {
    let (id, patch) = (id.into_inner(), body.parse()?);
    let updated = service::run(&state, caller, move |cx| {
        team::update_ivr(cx, id, patch.name.as_deref(), patch.numbers.as_deref())
    })
    .await?;
    Ok(web::Json(updated))
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
