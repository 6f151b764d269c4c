//! `/v1/numbers`: business numbers (rules MC-25, MC-33). Changes run as use cases (`service::team`,
//! `service::memberships`); assigning a number or taking it away is a change to that person.

use crate::access::Caller;
use crate::http::body::Body;
use crate::http::common::{Errors, PageQuery, db, page};
use crate::http::query::Query;
use crate::problem::ApiError;
use crate::service::{self, memberships, team};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::Deserialize;
use switchboard_core::values::E164;
use switchboard_core::{NumberId, UserId};
use switchboard_store::repo::numbers::{self, BusinessNumber, NumberInput, NumberKind};
use utoipa::ToSchema;

page!(NumberPage, BusinessNumber);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNumber {
    pub e164: E164,
    /// At most 200 characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub label: String,
    pub kind: NumberKind,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NumberPatch {
    pub e164: Option<E164>,
    /// At most 200 characters.
    #[schema(max_length = 200)]
    pub label: Option<String>,
    pub kind: Option<NumberKind>,
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
    query: Query<PageQuery>,
) -> Result<web::Json<NumberPage>, ApiError> {
    caller.require("numbers:view", &state.metrics)?;
    let (page, account) = (query.request()?, caller.account.id);
    let list = db(&state, move |_, conn| Ok(numbers::list(conn, account, &page)?)).await?;
    Ok(web::Json(NumberPage::from(list)))
}

/// Adds a business number (rule MC-33: a separate right).
#[utoipa::path(operation_id = "create_number", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    request_body = NewNumber, responses((status = 201, description = "Added", body = BusinessNumber), Errors))]
#[post("/numbers")]
pub async fn create_number(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<NewNumber>,
) -> Result<HttpResponse, ApiError> {
    let NewNumber { e164, label, kind } = body.parse()?;
    let input = NumberInput { e164: e164.into_inner(), label, kind };
    let created = service::run(&state, caller, move |cx| team::create_number(cx, &input)).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Reads a business number.
#[utoipa::path(operation_id = "get_number", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    params(("id" = NumberId, Path, description = "The number's id")),
    responses((status = 200, description = "The number", body = BusinessNumber), Errors))]
#[get("/numbers/{id}")]
pub async fn get_number(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<NumberId>,
) -> Result<web::Json<BusinessNumber>, ApiError> {
    caller.require("numbers:view", &state.metrics)?;
    let (account, id) = (caller.account.id, id.into_inner());
    Ok(web::Json(db(&state, move |_, conn| Ok(numbers::get(conn, account, id)?)).await?))
}

/// Edits a number's settings (rule MC-33).
#[utoipa::path(operation_id = "update_number", tag = "telephony", security(("bearer" = []), ("api_key" = [])),
    params(("id" = NumberId, Path, description = "The number's id")), request_body = NumberPatch,
    responses((status = 200, description = "Updated", body = BusinessNumber), Errors))]
#[patch("/numbers/{id}")]
pub async fn update_number(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<NumberId>,
    body: Body<NumberPatch>,
) -> Result<web::Json<BusinessNumber>, ApiError> {
    let (id, patch) = (id.into_inner(), body.parse()?);
    let updated = service::run(&state, caller, move |cx| {
        team::update_number(cx, id, |current| NumberInput {
            e164: patch.e164.map_or_else(|| current.e164.clone(), E164::into_inner),
            label: patch.label.unwrap_or_else(|| current.label.clone()),
            kind: patch.kind.map_or(current.kind, Into::into),
        })
    })
    .await?;
    Ok(web::Json(updated))
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
    responses((status = 200, description = "The number", body = BusinessNumber), Errors))]
#[put("/numbers/{id}/users")]
pub async fn set_number_users(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<NumberId>,
    body: Body<NumberUsers>,
) -> Result<web::Json<BusinessNumber>, ApiError> {
    let (id, users) = (id.into_inner(), body.parse()?.users);
    let updated = service::run(&state, caller, move |cx| memberships::set_number_users(cx, id, &users)).await?;
    Ok(web::Json(updated))
}
