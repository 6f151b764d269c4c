//! Users: invite, read, edit, delete, roles (one or many users), duplicate, dashboard access, and
//! "see the account as this user does". Every change is decided by the core first.

use crate::access::Caller;
use crate::auth::password;
use crate::http::common::{Errors, IfMatch, PageQuery, db, etag, if_match};
use crate::http::me::{EffectivePermissions, roles_of};
use crate::http::roles::{check_user_list, known_users};
use crate::http::views::{RoleRef, UserDetail, UserPage, UserView};
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use diesel::Connection;
use serde::{Deserialize, Serialize};
use switchboard_core::{
    DashboardAccess, Decision, MAX_DASHBOARD, RoleId, RoleMode, Subject, UserAction, UserId, UserStatus,
};
use switchboard_store::repo::roles::{self, BulkRoleChange};
use switchboard_store::repo::teams;
use switchboard_store::repo::users::{self, NewUser, UserPatch};
use switchboard_store::{DbConn, StoreError};
use utoipa::ToSchema;

fn forbid(caller: &Caller, decision: Decision, state: &AppState) -> Result<(), ApiError> {
    caller.allow(decision, &state.metrics)
}

fn role_ids(caller: &Caller, keys: &[String]) -> Result<Vec<RoleId>, ApiError> {
    keys.iter()
        .map(|k| {
            caller
                .access
                .role_by_key(k)
                .map(|r| r.id)
                .ok_or_else(|| ApiError::invalid("roles", format!("unknown role `{k}`")))
        })
        .collect()
}

fn detail(caller: &Caller, conn: &mut DbConn, user: UserId) -> Result<UserDetail, ApiError> {
    let record = users::get(conn, caller.account.id, user)?;
    let access = users::access(conn, caller.account.id, user)?;
    Ok(UserDetail::new(UserView::new(record, caller.account.superadmin), access, &caller.access.roles))
}

/// Lists the account's users.
#[utoipa::path(
    operation_id = "list_users",
    tag = "users",
    security(("bearer" = []), ("api_key" = [])),
    params(PageQuery),
    responses((status = 200, description = "A page of users", body = UserPage), Errors)
)]
#[get("/users")]
pub async fn list_users(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<UserPage>, ApiError> {
    caller.require("team.members:view", &state.metrics)?;
    let page = query.request()?;
    let (account, superadmin) = (caller.account.id, caller.account.superadmin);
    let list = db(&state, move |_, conn| Ok(users::list(conn, account, &page)?)).await?;
    Ok(web::Json(UserPage::map(list, |u| UserView::new(u, superadmin))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteUser {
    /// At most 254 characters: a local part, `@`, and a domain with a dot, without blanks (surrounding
    /// blanks are dropped); stored lowercased.
    #[schema(
        example = "grace@example.com",
        max_length = 254,
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000@]+@[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub email: String,
    /// 1 to 200 characters, not all blank.
    #[schema(
        example = "Grace",
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub name: String,
    /// Role keys of the account (`GET /v1/roles`); default: the pack's default role (if any).
    #[schema(min_length = 1, max_length = 128, pattern = r"^[a-z][a-z0-9_]*$")]
    pub roles: Option<Vec<String>>,
    /// An initial password (8 to 256 characters) makes the user active at once; without one the
    /// user stays `invited` until a password is set.
    #[schema(min_length = 8, max_length = 256)]
    pub password: Option<String>,
}

fn new_subject(roles: Vec<String>) -> Subject {
    Subject { user_id: UserId::new_random(), status: UserStatus::Invited, roles, ..Subject::default() }
}

fn new_user(email: String, name: String, password: Option<String>) -> Result<NewUser, ApiError> {
    let password_hash = match password {
        Some(p) => {
            password::check_policy(&p).map_err(|e| ApiError::invalid("password", e))?;
            Some(password::hash(&p).map_err(ApiError::Internal)?)
        }
        None => None,
    };
    let status = if password_hash.is_some() { UserStatus::Active } else { UserStatus::Invited };
    Ok(NewUser { email, name, status, password_hash })
}

/// Invites a user, with roles no higher than the inviter's own.
#[utoipa::path(
    operation_id = "invite_user",
    tag = "users",
    security(("bearer" = []), ("api_key" = [])),
    request_body = InviteUser,
    responses(
        (status = 201, description = "Invited", body = UserDetail,
         headers(("ETag" = String, description = "The user's version, for `If-Match`"))),
        Errors
    )
)]
#[post("/users")]
pub async fn invite_user(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Json<InviteUser>,
) -> Result<HttpResponse, ApiError> {
    caller.require("team.members.invite", &state.metrics)?;
    let InviteUser { email, name, roles, password } = body.into_inner();
    let policy = caller.policy();
    let roles = roles.unwrap_or_else(|| policy.settings().default_role.iter().cloned().collect());
    let target = policy.principal(&new_subject(vec![]))?;
    forbid(&caller, policy.can_set_roles(&caller.principal, &target, &roles)?, &state)?;
    let ids = role_ids(&caller, &roles)?;
    let new = new_user(email, name, password)?;
    let created = db(&state, move |_, conn| {
        let (account, mode) = (caller.account.id, caller.policy().settings().role_mode);
        let user = conn
            .transaction::<_, StoreError, _>(|conn| {
                let user = users::create(conn, account, &new, &caller.actor)?;
                roles::set_user_roles(conn, account, user.id, &ids, mode, None, &caller.actor)?;
                Ok(user)
            })
            .map_err(ApiError::from)?;
        detail(&caller, conn, user.id)
    })
    .await?;
    Ok(HttpResponse::Created().insert_header(etag(created.user.version)).json(created))
}

/// Reads a user with their roles, numbers, workgroups and dashboard access.
#[utoipa::path(
    operation_id = "get_user",
    tag = "users",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = UserId, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user; `ETag` carries their version", body = UserDetail,
         headers(("ETag" = String, description = "The user's version, for `If-Match`"))),
        Errors
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if id != caller.user.id {
        caller.require("team.members:view", &state.metrics)?;
    }
    let user = db(&state, move |_, conn| detail(&caller, conn, id)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(user.user.version)).json(user))
}

/// A change to a user; fields left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    /// At most 254 characters: a local part, `@`, and a domain with a dot, without blanks (surrounding
    /// blanks are dropped); stored lowercased.
    #[schema(
        max_length = 254,
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000@]+@[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub email: Option<String>,
    /// 1 to 200 characters, not all blank.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub name: Option<String>,
    /// `disabled` takes all access away; `active` gives it back.
    pub status: Option<UserStatus>,
    /// A new password (8 to 256 characters).
    #[schema(min_length = 8, max_length = 256)]
    pub password: Option<String>,
}

/// Edits a user. Users may change their own name and password; everything else needs the
/// team-members rights, and nobody modifies the superadmin but the superadmin.
#[utoipa::path(
    operation_id = "update_user",
    tag = "users",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = UserId, Path, description = "The user's id"), IfMatch),
    request_body = UpdateUser,
    responses(
        (status = 200, description = "Updated", body = UserDetail,
         headers(("ETag" = String, description = "The user's version, for `If-Match`"))),
        Errors
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<UserId>,
    body: web::Json<UpdateUser>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (id, body) = (id.into_inner(), body.into_inner());
    let password_hash = match &body.password {
        Some(p) => {
            password::check_policy(p).map_err(|e| ApiError::invalid("password", e))?;
            Some(Some(password::hash(p).map_err(ApiError::Internal)?))
        }
        None => None,
    };
    let updated = db(&state, move |state, conn| {
        let target = caller.principal_of(conn, id)?;
        let own_profile = id == caller.user.id && body.email.is_none() && body.status.is_none();
        if !own_profile {
            let action = if body.status.is_some() { UserAction::Disable } else { UserAction::Edit };
            forbid(&caller, caller.policy().can_manage_user(&caller.principal, &target, action), state)?;
        }
        let mut status = body.status;
        // Setting a password for an invited user activates them.
        if password_hash.is_some() && status.is_none() && !target.active {
            let current = users::get(conn, caller.account.id, id)?;
            if current.status == UserStatus::Invited {
                status = Some(UserStatus::Active);
            }
        }
        let patch = UserPatch { email: body.email, name: body.name, status, password_hash };
        users::update(conn, caller.account.id, id, expected, &patch, &caller.actor)?;
        detail(&caller, conn, id)
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header(etag(updated.user.version)).json(updated))
}

/// Deletes a user.
#[utoipa::path(
    operation_id = "delete_user",
    tag = "users",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = UserId, Path, description = "The user's id"), IfMatch),
    responses((status = 204, description = "Deleted"), Errors)
)]
#[delete("/users/{id}")]
pub async fn delete_user(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let id = id.into_inner();
    db(&state, move |state, conn| {
        let target = caller.principal_of(conn, id)?;
        forbid(&caller, caller.policy().can_manage_user(&caller.principal, &target, UserAction::Delete), state)?;
        Ok(users::delete(conn, caller.account.id, id, expected, &caller.actor)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRoles {
    /// Role keys of the account (`GET /v1/roles`): the user's complete new set. Accounts whose roles
    /// are not combinable take at most one.
    #[schema(min_length = 1, max_length = 128, pattern = r"^[a-z][a-z0-9_]*$")]
    pub roles: Vec<String>,
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
    req: HttpRequest,
    id: web::Path<UserId>,
    body: web::Json<SetRoles>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (id, roles) = (id.into_inner(), body.into_inner().roles);
    let ids = role_ids(&caller, &roles)?;
    let updated = db(&state, move |state, conn| {
        let target = caller.principal_of(conn, id)?;
        forbid(&caller, caller.policy().can_set_roles(&caller.principal, &target, &roles)?, state)?;
        let mode = caller.policy().settings().role_mode;
        roles::set_user_roles(conn, caller.account.id, id, &ids, mode, expected, &caller.actor)?;
        detail(&caller, conn, id)
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header(etag(updated.user.version)).json(updated))
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
    #[schema(example = "manager", min_length = 1, max_length = 128, pattern = r"^[a-z][a-z0-9_]*$")]
    pub role: String,
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
    body: web::Json<BulkRole>,
) -> Result<HttpResponse, ApiError> {
    let BulkRole { user_ids, role, action } = body.into_inner();
    check_user_list(&user_ids)?;
    let role_id = caller
        .access
        .role_by_key(&role)
        .map(|r| r.id)
        .ok_or_else(|| ApiError::invalid("role", format!("unknown role `{role}`")))?;
    let action = action.unwrap_or(BulkAction::Replace);
    let mode = caller.policy().settings().role_mode;
    if mode == RoleMode::Single && action != BulkAction::Replace {
        return Err(ApiError::invalid("action", "this account's roles are not combinable: use `replace`"));
    }
    db(&state, move |state, conn| {
        known_users(conn, caller.account.id, &user_ids)?;
        caller.check_role_changes(conn, &user_ids, &state.metrics, |current| {
            let mut next = current.to_vec();
            match action {
                BulkAction::Replace => next = vec![role.clone()],
                BulkAction::Add if !next.contains(&role) => next.push(role.clone()),
                BulkAction::Add => {}
                BulkAction::Remove => next.retain(|k| *k != role),
            }
            next
        })?;
        let change = match action {
            BulkAction::Replace => BulkRoleChange::Replace(role_id),
            BulkAction::Add => BulkRoleChange::Add(role_id),
            BulkAction::Remove => BulkRoleChange::Remove(role_id),
        };
        roles::bulk_change(conn, caller.account.id, &user_ids, change, mode, &caller.actor)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DuplicateUser {
    /// At most 254 characters: a local part, `@`, and a domain with a dot, without blanks (surrounding
    /// blanks are dropped); stored lowercased.
    #[schema(
        max_length = 254,
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000@]+@[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub email: String,
    /// 1 to 200 characters, not all blank.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub name: String,
    /// An initial password (8 to 256 characters) makes the new user active at once.
    #[schema(min_length = 8, max_length = 256)]
    pub password: Option<String>,
}

/// Invites a new user with another user's roles, numbers, workgroups and dashboard access (rule MC-34).
#[utoipa::path(
    operation_id = "duplicate_user",
    tag = "users",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = UserId, Path, description = "The user whose settings are copied")),
    request_body = DuplicateUser,
    responses(
        (status = 201, description = "The new user", body = UserDetail,
         headers(("ETag" = String, description = "The user's version, for `If-Match`"))),
        Errors
    )
)]
#[post("/users/{id}/duplicate")]
pub async fn duplicate_user(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<UserId>,
    body: web::Json<DuplicateUser>,
) -> Result<HttpResponse, ApiError> {
    caller.require("team.members.invite", &state.metrics)?;
    let (source, body) = (id.into_inner(), body.into_inner());
    let new = new_user(body.email, body.name, body.password)?;
    let created = db(&state, move |state, conn| {
        let from = caller.principal_of(conn, source)?;
        let roles = caller.role_keys(&from);
        let target = caller.policy().principal(&new_subject(vec![]))?;
        forbid(&caller, caller.policy().can_set_roles(&caller.principal, &target, &roles)?, state)?;
        let dashboard =
            DashboardAccess { workgroups: from.dashboard_workgroups.to_vec(), ivrs: from.dashboard_ivrs.to_vec() };
        forbid(&caller, caller.policy().can_set_dashboard_access(&caller.principal, &target, &dashboard), state)?;
        let (user, _) = users::duplicate(conn, caller.account.id, source, &new, &caller.actor)?;
        detail(&caller, conn, user.id)
    })
    .await?;
    Ok(HttpResponse::Created().insert_header(etag(created.user.version)).json(created))
}

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

/// Sets the workgroups and IVRs whose data a user may see and filter (seed 002).
#[utoipa::path(
    operation_id = "set_dashboard_access",
    tag = "users",
    security(("bearer" = []), ("api_key" = [])),
    params(("id" = UserId, Path, description = "The user's id"), IfMatch),
    request_body = DashboardAccess,
    responses(
        (status = 200, description = "The user with their new dashboard access", body = UserDetail,
         headers(("ETag" = String, description = "The user's version, for `If-Match`"))),
        Errors
    )
)]
#[put("/users/{id}/dashboard-access")]
pub async fn set_dashboard_access(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<UserId>,
    body: web::Json<DashboardAccess>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (id, access) = (id.into_inner(), body.into_inner());
    if access.workgroups.len() > MAX_DASHBOARD {
        return Err(ApiError::invalid("workgroups", format!("at most {MAX_DASHBOARD} workgroups")));
    }
    if access.ivrs.len() > MAX_DASHBOARD {
        return Err(ApiError::invalid("ivrs", format!("at most {MAX_DASHBOARD} IVRs")));
    }
    let updated = db(&state, move |state, conn| {
        let target = caller.principal_of(conn, id)?;
        forbid(&caller, caller.policy().can_set_dashboard_access(&caller.principal, &target, &access), state)?;
        // Checked here, not left to the database: the answer names the field, not a constraint.
        let account = caller.account.id;
        if let Some(w) = teams::first_unknown_workgroup(conn, account, &access.workgroups)? {
            return Err(ApiError::invalid("workgroups", format!("workgroup {w} is not in this account")));
        }
        if let Some(i) = teams::first_unknown_ivr(conn, account, &access.ivrs)? {
            return Err(ApiError::invalid("ivrs", format!("IVR {i} is not in this account")));
        }
        users::set_dashboard_access(conn, caller.account.id, id, &access, expected, &caller.actor)?;
        detail(&caller, conn, id)
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header(etag(updated.user.version)).json(updated))
}
