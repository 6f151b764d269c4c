//! A user's roles, from their profile (`PUT /v1/users/{id}/roles`, rule MC-22) and for many users at
//! once (`POST /v1/users/bulk-role`, rule MC-21). Each is a change to each person, judged on them.

use crate::access::Caller;
use crate::http::body::Body;
use crate::http::common::{Errors, IfMatch};
use crate::http::role_members::check_user_list;
use crate::http::users::UserDetail;
use crate::http::users::changed;
use crate::problem::ApiError;
use crate::service;
use crate::service::set_roles::RoleChange;
use crate::state::AppState;
use actix_web::{HttpResponse, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_core::values::RoleKey;
use switchboard_core::{RoleMode, UserId};
use switchboard_store::Bounds;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRoles {
    /// Role keys of the account (`GET /v1/roles`): the user's complete new set. Accounts whose roles
    /// are not combinable take at most one.
    pub roles: Vec<RoleKey>,
}

/// Replaces a user's roles, from the user's profile (rule MC-22).
#[utoipa::path(
    operation_id = "set_user_roles",
    tag = "users",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = UserId, Path, description = "The user's id"), IfMatch),
    request_body = SetRoles,
    responses(
        (status = 200, description = "The user's new roles", body = UserDetail,
         headers(("ETag" = String, description = "The user's version, for `If-Match`"))),
        Errors
    )
)]
#[put("/users/{id}/roles")]
pub async fn set_roles(
    caller: Caller,
    state: web::Data<AppState>,
    IfMatch(expected): IfMatch,
    id: web::Path<UserId>,
    body: Body<SetRoles>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let roles = body.parse()?.roles.into_iter().map(RoleKey::into_inner).collect();
    let person = service::run(&state, caller, move |cx| service::set_roles::set_roles(cx, id, roles, expected)).await?;
    Ok(changed(actix_web::http::StatusCode::OK, person))
}

/// One role for one person, for a time or for good.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleGrant {
    /// The key of one of the account's roles.
    pub role: RoleKey,
    /// When the role starts to hold (RFC 3339); at once when left out.
    pub starts_at: Option<DateTime<Utc>>,
    /// When it stops, on every instance at that instant (RFC 3339, in the future); for good when left
    /// out. Its end is audited (`role_assignment.expired`).
    pub expires_at: Option<DateTime<Utc>>,
}

/// Gives a user one role, for a time or for good: judged as adding it to their roles now (in
/// single-role accounts, as replacing theirs). A role they hold already takes the new bounds.
#[utoipa::path(
    operation_id = "grant_user_role",
    tag = "users",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = UserId, Path, description = "The user's id")),
    request_body = RoleGrant,
    responses(
        (status = 200, description = "The user's roles now", body = UserDetail,
         headers(("ETag" = String, description = "The user's version, for `If-Match`"))),
        Errors
    )
)]
#[post("/users/{id}/role-grants")]
pub async fn grant_role(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<UserId>,
    body: Body<RoleGrant>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let RoleGrant { role, starts_at, expires_at } = body.parse()?;
    let bounds = Bounds { starts_at, expires_at };
    let person =
        service::run(&state, caller, move |cx| service::set_roles::grant_role(cx, id, role.into_inner(), bounds))
            .await?;
    Ok(changed(actix_web::http::StatusCode::OK, person))
}

/// Taking an emergency role (break-glass).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmergencyAccess {
    /// The key of an emergency role the caller may take (one of its `assignable_by` roles).
    pub role: RoleKey,
    /// Why: recorded with the grant, in the audit log and in access reviews.
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
    /// For how long, 1 to 480 minutes.
    #[schema(minimum = 1, maximum = 480)]
    pub minutes: u32,
}

/// Break-glass: takes an emergency role oneself, for a bounded time, stating why. Signed in only;
/// every use is audited (`role.emergency_access`); the role ends at its instant.
#[utoipa::path(
    operation_id = "take_emergency_access",
    tag = "users",
    security(("bearer" = [])),
    request_body = EmergencyAccess,
    responses(
        (status = 200, description = "The caller with the emergency role", body = UserDetail,
         headers(("ETag" = String, description = "The user's version, for `If-Match`"))),
        Errors
    )
)]
#[post("/me/emergency-access")]
pub async fn take_emergency_access(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<EmergencyAccess>,
) -> Result<HttpResponse, ApiError> {
    let EmergencyAccess { role, reason, minutes } = body.parse()?;
    let person = service::run(&state, caller, move |cx| {
        service::emergency::break_glass(cx, role.into_inner(), &reason, minutes)
    })
    .await?;
    Ok(changed(actix_web::http::StatusCode::OK, person))
}

/// What a bulk role change does.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    /// Every user ends up holding exactly this role.
    Replace,
    /// Every user gains this role (combinable accounts).
    Add,
    /// Every user loses this role (combinable accounts).
    Remove,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRole {
    /// 1 to 500 users, each once.
    #[schema(value_type = BTreeSet<UserId>, min_items = 1, max_items = 500)]
    pub user_ids: Vec<UserId>,
    /// The key of one of the account's roles.
    pub role: RoleKey,
    /// Default: `replace`.
    pub action: Option<BulkAction>,
}

/// Changes the role of many users at once, all or nothing (rule MC-21).
#[utoipa::path(
    operation_id = "bulk_change_role",
    tag = "users",
    security(("bearer" = []), ("api_key" = [])),
    request_body = BulkRole,
    responses((status = 204, description = "Changed"), Errors)
)]
#[post("/users/bulk-role")]
pub async fn bulk_role(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<BulkRole>,
) -> Result<HttpResponse, ApiError> {
    let BulkRole { user_ids, role, action } = body.parse()?;
    check_user_list(&user_ids)?;
    let action = action.unwrap_or(BulkAction::Replace);
    if caller.policy().settings().role_mode == RoleMode::Single && action != BulkAction::Replace {
        return Err(ApiError::invalid("action", "this account's roles are not combinable: use `replace`"));
    }
    let change = match action {
        BulkAction::Replace => RoleChange::Replace,
        BulkAction::Add => RoleChange::Add,
        BulkAction::Remove => RoleChange::Remove,
    };
    service::run(&state, caller, move |cx| service::bulk_role::bulk_role(cx, &user_ids, &role, change)).await?;
    Ok(HttpResponse::NoContent().finish())
}
