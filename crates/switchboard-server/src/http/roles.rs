//! Roles: list (with member counts), create, read, edit, delete, copy, members, and the matrix.
//! Every change is decided by the core (`can_edit_role`, `can_delete_role`, `can_set_roles`).

use crate::access::Caller;
use crate::http::common::{Errors, IfMatch, PageQuery, db, etag, if_match};
use crate::http::views::{RolePage, RoleView, UserPage, UserView};
use crate::problem::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use switchboard_core::SectionKey;
use switchboard_core::{
    Guards, Level, NumberId, RecentsScope, RoleDefinition, RoleId, ScopeKind, SectionGrant, UserId,
};
use switchboard_store::repo::roles;

use utoipa::ToSchema;

/// Most users one role change names at once.
pub const MAX_USERS_PER_CHANGE: usize = 500;

/// The user list of a role change: 1 to [`MAX_USERS_PER_CHANGE`], each user once.
pub fn check_user_list(user_ids: &[UserId]) -> Result<(), ApiError> {
    if user_ids.is_empty() || user_ids.len() > MAX_USERS_PER_CHANGE {
        return Err(ApiError::invalid("user_ids", format!("give 1 to {MAX_USERS_PER_CHANGE} users")));
    }
    let mut seen = HashSet::new();
    if let Some(twice) = user_ids.iter().find(|u| !seen.insert(**u)) {
        return Err(ApiError::invalid("user_ids", format!("user {twice} is listed twice")));
    }
    Ok(())
}

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
    query: web::Query<PageQuery>,
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
    body: web::Json<RoleDefinition>,
) -> Result<HttpResponse, ApiError> {
    let definition = body.into_inner();
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
    /// 1 to 100 characters, not all blank.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub name: Option<String>,
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
    req: HttpRequest,
    id: web::Path<RoleId>,
    body: web::Json<RolePatch>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (id, patch) = (id.into_inner(), body.into_inner());
    let role =
        service::run(&state, caller, move |cx| service::roles::edit(cx, id, expected, |d| patch.apply(d))).await?;
    Ok(HttpResponse::Ok().insert_header(etag(role.version)).json(RoleView::new(role, None)))
}

impl RolePatch {
    /// The definition with this patch's fields written over it.
    fn apply(self, definition: &mut RoleDefinition) {
        let patch = self;
        if let Some(v) = patch.name {
            definition.name = v;
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
    req: HttpRequest,
    id: web::Path<RoleId>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let id = id.into_inner();
    service::run(&state, caller, move |cx| service::roles::delete(cx, id, expected)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyRole {
    /// The new role's key: lowercase a-z, 0-9 and `_`, starting with a letter.
    #[schema(example = "contractor", min_length = 1, max_length = 128, pattern = r"^[a-z][a-z0-9_]*$")]
    pub key: String,
    /// 1 to 100 characters, not all blank.
    #[schema(
        example = "Contractor",
        min_length = 1,
        max_length = 100,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub name: String,
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
    body: web::Json<CopyRole>,
) -> Result<HttpResponse, ApiError> {
    let (source, CopyRole { key, name }) = (id.into_inner(), body.into_inner());
    let role = service::run(&state, caller, move |cx| service::roles::copy(cx, source, &key, &name)).await?;
    Ok(HttpResponse::Created().insert_header(etag(role.version)).json(RoleView::new(role, None)))
}

/// Lists the users holding a role (rule MC-15).
#[utoipa::path(
    operation_id = "list_role_members",
    tag = "roles",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = RoleId, Path, description = "The role's id"), PageQuery),
    responses((status = 200, description = "A page of users", body = UserPage), Errors)
)]
#[get("/roles/{id}/members")]
pub async fn list_members(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<RoleId>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<UserPage>, ApiError> {
    // The members are people: listing them takes reading people too.
    caller.require("team.roles:view", &state.metrics)?;
    caller.require("team.members:view", &state.metrics)?;
    let page = query.request()?;
    let (account, superadmin, id) = (caller.account.id, caller.account.superadmin, id.into_inner());
    let members = db(&state, move |_, conn| Ok(roles::members(conn, account, id, &page)?)).await?;
    Ok(web::Json(UserPage::map(members, |u| UserView::new(u, superadmin))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMembers {
    /// Users to give the role (in single-role accounts it replaces their role): 1 to 500, each once.
    #[schema(value_type = BTreeSet<UserId>, min_items = 1, max_items = 500)]
    pub user_ids: Vec<UserId>,
}

/// Gives a role to users, from the role itself (rule MC-23).
#[utoipa::path(
    operation_id = "add_role_members",
    tag = "roles",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = RoleId, Path, description = "The role's id")),
    request_body = AddMembers,
    responses((status = 204, description = "Assigned"), Errors)
)]
#[post("/roles/{id}/members")]
pub async fn add_members(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<RoleId>,
    body: web::Json<AddMembers>,
) -> Result<HttpResponse, ApiError> {
    let (role, user_ids) = (id.into_inner(), body.into_inner().user_ids);
    check_user_list(&user_ids)?;
    service::run(&state, caller, move |cx| service::role_members::add(cx, role, &user_ids)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Takes a role away from a user.
#[utoipa::path(
    operation_id = "remove_role_member",
    tag = "roles",
    security(("bearer" = []), ("api_key" = [])),
    params(
        ("id" = RoleId, Path, description = "The role's id"),
        ("user_id" = UserId, Path, description = "The user's id")
    ),
    responses((status = 204, description = "Removed"), Errors)
)]
#[delete("/roles/{id}/members/{user_id}")]
pub async fn remove_member(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(RoleId, UserId)>,
) -> Result<HttpResponse, ApiError> {
    let (role, user) = path.into_inner();
    service::run(&state, caller, move |cx| service::role_members::remove(cx, role, user)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One row of the matrix.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatrixRow {
    pub id: RoleId,
    pub key: String,
    pub name: String,
    /// Section key → level, for every section of the catalog.
    pub levels: BTreeMap<String, Level>,
    pub rights: Vec<String>,
    pub scope: ScopeKind,
    pub recents: RecentsScope,
}

/// A column of the matrix.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatrixSection {
    pub key: String,
    pub label: String,
}

/// Every role's level of access per section (rule AC-13).
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleMatrix {
    pub sections: Vec<MatrixSection>,
    pub roles: Vec<MatrixRow>,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

/// The roles × sections matrix, as JSON or (with `Accept: text/csv`) CSV.
#[utoipa::path(
    operation_id = "get_role_matrix",
    tag = "roles",
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, description = "The matrix", content(
            (RoleMatrix = "application/json"),
            (String = "text/csv")
        )),
        Errors
    )
)]
#[get("/roles/matrix")]
pub async fn matrix(caller: Caller, state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    caller.require("team.roles:view", &state.metrics)?;
    let policy = caller.policy();
    let catalog = policy.catalog();
    let sections: Vec<MatrixSection> = catalog
        .sections()
        .iter()
        .map(|s| MatrixSection { key: s.def.key.clone(), label: s.def.label.clone() })
        .collect();
    let rows: Vec<MatrixRow> = caller
        .access
        .roles
        .iter()
        .filter_map(|stored| {
            let idx = policy.role_idx(&stored.definition.key).ok()?;
            let access = policy.role(idx).access();
            Some(MatrixRow {
                id: stored.id,
                key: stored.definition.key.clone(),
                name: stored.definition.name.clone(),
                levels: catalog.sections().iter().map(|s| (s.def.key.clone(), access.level(catalog, s.id))).collect(),
                rights: catalog
                    .rights()
                    .iter()
                    .filter(|r| access.permissions.has_right(r.id))
                    .map(|r| r.key.clone())
                    .collect(),
                scope: stored.definition.scope,
                recents: stored.definition.recents,
            })
        })
        .collect();
    let wants_csv = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/csv"));
    if !wants_csv {
        return Ok(HttpResponse::Ok().json(RoleMatrix { sections, roles: rows }));
    }
    let mut csv = String::from("role,name,scope,recents");
    for s in &sections {
        csv.push(',');
        csv.push_str(&csv_field(&s.key));
    }
    csv.push_str(",rights\r\n");
    for row in &rows {
        csv.push_str(&format!(
            "{},{},{},{}",
            csv_field(&row.key),
            csv_field(&row.name),
            row.scope,
            recents(row.recents)
        ));
        for s in &sections {
            csv.push(',');
            csv.push_str(row.levels.get(&s.key).map_or("none", |l| l.as_str()));
        }
        csv.push(',');
        csv.push_str(&csv_field(&row.rights.join(" ")));
        csv.push_str("\r\n");
    }
    Ok(HttpResponse::Ok().content_type("text/csv; charset=utf-8").body(csv))
}

fn recents(r: RecentsScope) -> &'static str {
    match r {
        RecentsScope::All => "all",
        RecentsScope::Personal => "personal",
    }
}
