//! `GET /v1/users/{id}/permissions`: the account as this user sees it.

use crate::access::Caller;
use crate::http::common::{Errors, db};
use crate::http::me::{EffectivePermissions, roles_of};
use crate::http::users::{RoleRef, UserView};
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{get, web};
use serde::Serialize;
use switchboard_core::UserId;
use switchboard_store::repo::users::{self};
use utoipa::ToSchema;

/// A user's effective permissions, as they see the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPermissions {
    pub user: UserView,
    pub roles: Vec<RoleRef>,
    pub permissions: EffectivePermissions,
}

/// Shows the account as this user sees it: their roles and effective permissions.
#[utoipa::path(
    operation_id = "get_user_permissions",
    tag = "users",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = UserId, Path, description = "The user's id")),
    responses((status = 200, description = "The user's effective permissions", body = UserPermissions), Errors)
)]
#[get("/users/{id}/permissions")]
pub async fn user_permissions(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<UserId>,
) -> Result<web::Json<UserPermissions>, ApiError> {
    let id = id.into_inner();
    if id != caller.user.id {
        caller.require("team.members:view", &state.metrics)?;
    }
    let view = db(&state, move |_, conn| {
        let user = users::get(conn, caller.account.id, id)?;
        let target = caller.principal_of(conn, id)?;
        Ok(UserPermissions {
            user: UserView::new(user, caller.account.superadmin),
            roles: roles_of(&caller, &target),
            permissions: EffectivePermissions::of(&caller, &target),
        })
    })
    .await?;
    Ok(web::Json(view))
}
