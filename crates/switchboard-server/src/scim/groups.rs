//! `/scim/v2/Groups`: the account's workgroups. A group's members are people of the account; adding
//! or removing one is a change to that person, judged as the API judges it.

use super::error::ScimError;
use super::filter::field;
use super::schema::{GROUP_ATTRIBUTES, GROUP_SHAPE, GROUP_URN, read_attributes};
use super::{ListQuery, base_url, caller, id_of, json_body, list_response, patch, respond};
use crate::blocking::db;
use crate::problem::ApiError;
use crate::service::{self, scim::ProvidedGroup};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use switchboard_core::{AccountId, UserId, WorkgroupId};
use switchboard_store::DbConn;
use switchboard_store::repo::scim;
use switchboard_store::repo::workgroups::{self, Workgroup};

fn view(group: &Workgroup, external_id: Option<&String>, base: &str) -> Value {
    let mut out = json!({
        "schemas": [GROUP_URN],
        "id": group.id,
        "displayName": group.name,
        "meta": {
            "resourceType": "Group",
            "created": group.created_at,
            "lastModified": group.created_at,
            "location": format!("{base}/Groups/{}", group.id),
        },
    });
    if !group.members.is_empty() {
        out["members"] = group
            .members
            .iter()
            .map(|m| json!({"value": m, "$ref": format!("{base}/Users/{m}"), "type": "User"}))
            .collect();
    }
    if let Some(external) = external_id {
        out["externalId"] = json!(external);
    }
    out
}

fn views(conn: &mut DbConn, account: AccountId, groups: &[Workgroup], base: &str) -> Result<Vec<Value>, ApiError> {
    let ids: Vec<WorkgroupId> = groups.iter().map(|g| g.id).collect();
    let external: BTreeMap<WorkgroupId, String> = scim::group_external_ids(conn, account, &ids)?;
    Ok(groups.iter().map(|g| view(g, external.get(&g.id), base)).collect())
}

fn read_one(conn: &mut DbConn, account: AccountId, id: WorkgroupId, base: &str) -> Result<Value, ApiError> {
    let group = workgroups::get_workgroup(conn, account, id)?;
    Ok(views(conn, account, &[group], base)?.remove(0))
}

/// A group as the provider describes it: its name, members (people of the account, by id) and
/// `externalId`.
fn provided(input: &Value) -> Result<ProvidedGroup, ScimError> {
    let attributes = read_attributes(input, GROUP_ATTRIBUTES)?;
    let name = match attributes.get("displayName") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.clone(),
        _ => return Err(ScimError::invalid_value("a group needs a displayName")),
    };
    let members = attributes
        .get("members")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|m| {
            let value = field(m, "value").and_then(Value::as_str).unwrap_or_default();
            uuid::Uuid::parse_str(value)
                .map(UserId)
                .map_err(|_| ScimError::invalid_value(format!("members: `{value}` is not a user of this account")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let external_id = attributes.get("externalId").and_then(Value::as_str).map(str::to_owned);
    Ok(ProvidedGroup { name, members, external_id })
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    caller.require("team.workgroups:view", &state.metrics)?;
    let query = ListQuery::of(&req)?;
    let base = base_url(&req);
    let offset = query.offset;
    let (total, page) = db(&state, move |_, conn| {
        let account = caller.account.id;
        let Some(filter) = &query.filter else {
            let (total, groups) =
                workgroups::workgroups_by_creation(conn, account, query.offset as i64, Some(query.count as i64))?;
            let page = views(conn, account, &groups, &base)?;
            return Ok((total as usize, page.into_iter().map(|v| query.projection.apply(v)).collect::<Vec<_>>()));
        };
        let candidates = match filter.equality("externalId") {
            Some(external) => {
                let ids = scim::groups_with_external_id(conn, account, external)?;
                workgroups::workgroups_among(conn, account, &ids)?
            }
            None => workgroups::workgroups_by_creation(conn, account, 0, None)?.1,
        };
        let matching: Vec<Value> =
            views(conn, account, &candidates, &base)?.into_iter().filter(|v| filter.matches(v)).collect();
        let total = matching.len();
        let page =
            matching.into_iter().skip(query.offset).take(query.count).map(|v| query.projection.apply(v)).collect();
        Ok((total, page))
    })
    .await?;
    Ok(respond(StatusCode::OK, &list_response(total, offset, page)))
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    caller.require("team.workgroups:view", &state.metrics)?;
    let id: WorkgroupId = id_of(&id, "group")?;
    let query = ListQuery::of(&req)?;
    let base = base_url(&req);
    let found = db(&state, move |_, conn| read_one(conn, caller.account.id, id, &base)).await?;
    Ok(respond(StatusCode::OK, &query.projection.apply(found)))
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Payload,
) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    let group = provided(&json_body(body).await?)?;
    let base = base_url(&req);
    let created = service::run(&state, caller, move |cx| {
        let id = service::scim::create_group(cx, &group)?;
        read_one(cx.conn, cx.account(), id, &base)
    })
    .await?;
    Ok(respond(StatusCode::CREATED, &created))
}

pub async fn replace(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    let id: WorkgroupId = id_of(&id, "group")?;
    let group = provided(&json_body(body).await?)?;
    let base = base_url(&req);
    let saved = service::run(&state, caller, move |cx| {
        service::scim::replace_group(cx, id, &group)?;
        read_one(cx.conn, cx.account(), id, &base)
    })
    .await?;
    Ok(respond(StatusCode::OK, &saved))
}

/// Applies the PATCH to the group as stored and saves the result, in one transaction.
pub async fn patch(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    let id: WorkgroupId = id_of(&id, "group")?;
    let body = json_body(body).await?;
    let base = base_url(&req);
    let saved = service::run(&state, caller, move |cx| {
        let current = read_one(cx.conn, cx.account(), id, &base)?;
        // a patch that cannot apply is refused before anything is written
        let group = match patched(&current, &body) {
            Ok(group) => group,
            Err(refused) => return Ok(Err(refused)),
        };
        service::scim::replace_group(cx, id, &group)?;
        Ok(Ok(read_one(cx.conn, cx.account(), id, &base)?))
    })
    .await??;
    Ok(respond(StatusCode::OK, &saved))
}

fn patched(current: &Value, body: &Value) -> Result<ProvidedGroup, ScimError> {
    let mut attributes = read_attributes(current, GROUP_ATTRIBUTES)?;
    patch::apply(&mut attributes, body, &GROUP_SHAPE)?;
    provided(&Value::Object(attributes))
}

pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    let id: WorkgroupId = id_of(&id, "group")?;
    service::run(&state, caller, move |cx| service::scim::delete_group(cx, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
