//! Roles: list (with member counts), create, read, edit, delete, copy, members, and the matrix.
//! Every change is decided by the core (`can_edit_role`, `can_delete_role`, `can_set_roles`).

use crate::access::Caller;
use crate::http::body::Body;
use crate::http::common::page;
use crate::http::common::{Errors, IfMatch, PageQuery, db, etag};
use crate::http::query::Query;
use crate::problem::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::Serialize;
use std::collections::BTreeMap;
use switchboard_core::RoleOrigin;
use switchboard_core::SectionKey;
use switchboard_core::values::{RoleKey, RoleName};
use switchboard_core::{DataKinds, Guards, NumberId, RecentsScope, RoleDefinition, RoleId, ScopeKind, SectionGrant};
use switchboard_store::repo::roles;
use switchboard_store::repo::roles::StoredRole;

use utoipa::ToSchema;

/// Lists every preset and custom role with how many users hold it (rule MC-15).
#[utoipa::path(
    operation_id = "list_roles",
    tag = "roles",
    security(("bearer" = []), ("api_key" = [])),
    params(PageQuery),
    responses((status = 200, description = "A page of roles", body = RolePage), Errors)
)]
#[get("/roles")]
pub async fn list_roles(
    caller: Caller,
    state: web::Data<AppState>,
    query: Query<PageQuery>,
) -> Result<web::Json<RolePage>, ApiError> {
    caller.require("team.roles:view", &state.metrics)?;
    let page = query.request()?;
    let account = caller.account.id;
    let roles = db(&state, move |_, conn| Ok(roles::list(conn, account, &page)?)).await?;
    Ok(web::Json(RolePage::map(roles, |s| RoleView::new(s.role, Some(s.members)))))
}

/// Creates a custom role. It can't grant more than the creator holds (rule MC-20).
#[utoipa::path(
    operation_id = "create_role",
    tag = "roles",
    security(("bearer" = []), ("api_key" = [])),
    request_body = RoleDefinition,
    responses(
        (status = 201, description = "Created", body = RoleView,
         headers(("ETag" = String, description = "The role's version, for `If-Match`"))),
        Errors
    )
)]
#[post("/roles")]
pub async fn create_role(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<RoleDefinition>,
) -> Result<HttpResponse, ApiError> {
    let definition = body.parse()?;
    let role = service::run(&state, caller, move |cx| service::roles::create(cx, &definition)).await?;
    Ok(HttpResponse::Created().insert_header(etag(role.version)).json(RoleView::new(role, None)))
}

/// Reads a role.
#[utoipa::path(
    operation_id = "get_role",
    tag = "roles",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = RoleId, Path, description = "The role's id")),
    responses(
        (status = 200, description = "The role; `ETag` carries its version", body = RoleView,
         headers(("ETag" = String, description = "The role's version, for `If-Match`"))),
        Errors
    )
)]
#[get("/roles/{id}")]
pub async fn get_role(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<RoleId>,
) -> Result<HttpResponse, ApiError> {
    caller.require("team.roles:view", &state.metrics)?;
    let (account, id) = (caller.account.id, id.into_inner());
    let role = db(&state, move |_, conn| Ok(roles::get(conn, account, id)?)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(role.version)).json(RoleView::new(role, None)))
}

/// A partial change to a role; fields left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolePatch {
    pub name: Option<RoleName>,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// Replaces all grants. Section keys are those of `GET /v1/permissions`.
    #[schema(value_type = Option<BTreeMap<SectionKey, SectionGrant>>)]
    pub grants: Option<BTreeMap<String, SectionGrant>>,
    pub scope: Option<ScopeKind>,
    /// With scope `numbers`: business numbers of the account, at most 1000.
    #[schema(max_items = 1000)]
    pub scope_numbers: Option<Vec<NumberId>>,
    pub recents: Option<RecentsScope>,
    /// Replaces the kinds of data the role shows (rule MC-7).
    pub kinds: Option<DataKinds>,
    pub guards: Option<Guards>,
}

/// Edits a custom role. Preset roles are immutable; send `If-Match` to avoid lost updates.
#[utoipa::path(
    operation_id = "update_role",
    tag = "roles",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = RoleId, Path, description = "The role's id"), IfMatch),
    request_body = RolePatch,
    responses(
        (status = 200, description = "Updated", body = RoleView,
         headers(("ETag" = String, description = "The role's version, for `If-Match`"))),
        Errors
    )
)]
#[patch("/roles/{id}")]
pub async fn update_role(
    caller: Caller,
    state: web::Data<AppState>,
    IfMatch(expected): IfMatch,
    id: web::Path<RoleId>,
    body: Body<RolePatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, patch) = (id.into_inner(), body.parse()?);
    let role =
        service::run(&state, caller, move |cx| service::roles::edit(cx, id, expected, |d| patch.apply(d))).await?;
    Ok(HttpResponse::Ok().insert_header(etag(role.version)).json(RoleView::new(role, None)))
}

impl RolePatch {
    /// The definition with this patch's fields written over it.
    fn apply(self, definition: &mut RoleDefinition) {
        let patch = self;
        if let Some(v) = patch.name {
            definition.name = v.into_inner();
        }
        if let Some(v) = patch.description {
            definition.description = v;
        }
        if let Some(v) = patch.grants {
            definition.grants = v;
        }
        if let Some(v) = patch.scope {
            definition.scope = v;
            if v != ScopeKind::Numbers && patch.scope_numbers.is_none() {
                definition.scope_numbers.clear();
            }
        }
        if let Some(v) = patch.scope_numbers {
            definition.scope_numbers = v;
        }
        if let Some(v) = patch.recents {
            definition.recents = v;
        }
        if let Some(v) = patch.kinds {
            definition.kinds = v;
        }
        if let Some(v) = patch.guards {
            definition.guards = v;
        }
    }
}

/// Deletes a custom role (its holders lose it).
#[utoipa::path(
    operation_id = "delete_role",
    tag = "roles",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = RoleId, Path, description = "The role's id"), IfMatch),
    responses((status = 204, description = "Deleted"), Errors)
)]
#[delete("/roles/{id}")]
pub async fn delete_role(
    caller: Caller,
    state: web::Data<AppState>,
    IfMatch(expected): IfMatch,
    id: web::Path<RoleId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    service::run(&state, caller, move |cx| service::roles::delete(cx, id, expected)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyRole {
    /// The new role's key: lowercase a-z, 0-9 and `_`, starting with a letter.
    pub key: RoleKey,
    pub name: RoleName,
}

/// Creates a custom role with another role's settings, to edit further (rule MC-16).
#[utoipa::path(
    operation_id = "copy_role",
    tag = "roles",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = RoleId, Path, description = "The role to copy")),
    request_body = CopyRole,
    responses(
        (status = 201, description = "The copy", body = RoleView,
         headers(("ETag" = String, description = "The role's version, for `If-Match`"))),
        Errors
    )
)]
#[post("/roles/{id}/copy")]
pub async fn copy_role(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<RoleId>,
    body: Body<CopyRole>,
) -> Result<HttpResponse, ApiError> {
    let (source, CopyRole { key, name }) = (id.into_inner(), body.parse()?);
    let role = service::run(&state, caller, move |cx| service::roles::copy(cx, source, &key, &name)).await?;
    Ok(HttpResponse::Created().insert_header(etag(role.version)).json(RoleView::new(role, None)))
}

/// A role: its grants, scopes and guards.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleView {
    pub id: RoleId,
    #[schema(example = "manager")]
    pub key: String,
    #[schema(example = "Manager")]
    pub name: String,
    pub description: String,
    /// `preset:<pack>` (immutable; copy it to customise) or `custom`.
    #[schema(value_type = String, example = "preset:mightycall")]
    pub origin: RoleOrigin,
    /// Section key → level and rights; sections left out are at `none`.
    pub grants: BTreeMap<String, SectionGrant>,
    pub scope: ScopeKind,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scope_numbers: Vec<NumberId>,
    pub recents: RecentsScope,
    /// The kinds of data the scope and recents show beyond the holder's own communications.
    pub kinds: DataKinds,
    pub guards: Guards,
    /// How many users hold the role (in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_count: Option<i64>,
    /// Pass back in `If-Match` (as the `ETag`) to change the role.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

page!(RolePage, RoleView);

impl RoleView {
    pub fn new(role: StoredRole, member_count: Option<i64>) -> RoleView {
        let RoleDefinition { key, name, description, grants, scope, scope_numbers, recents, kinds, guards } =
            role.definition;
        RoleView {
            id: role.id,
            key,
            name,
            description,
            origin: role.origin,
            grants,
            scope,
            scope_numbers,
            recents,
            kinds,
            guards,
            member_count,
            version: role.version,
            created_at: role.created_at,
            updated_at: role.updated_at,
        }
    }
}
