//! `/v1/roles/{id}/members`: who holds a role (rule MC-15), and giving it to or taking it from people
//! from the role itself (rule MC-23). Listing members reads people; each change is a change to each
//! person, judged on them.

use crate::access::Caller;
use crate::http::body::Body;
use crate::http::common::{Errors, PageQuery, db};
use crate::http::query::Query;
use crate::http::users::{UserPage, UserView};
use crate::problem::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, post, web};
use serde::Deserialize;
use std::collections::HashSet;
use switchboard_core::{RoleId, UserId};
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
    query: Query<PageQuery>,
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
    body: Body<AddMembers>,
) -> Result<HttpResponse, ApiError> {
    let (role, user_ids) = (id.into_inner(), body.parse()?.user_ids);
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
