//! Users: invite, read, edit, delete, duplicate, and "see the account as this user does"; their
//! roles, permissions and dashboard access are in `user_roles`, `user_permissions` and
//! `user_dashboard_access`. Every change is decided by the core first.

use crate::access::Caller;
use crate::auth::password;
use crate::http::body::Body;
use crate::http::common::page;
use crate::http::common::{Errors, IfMatch, PageQuery, db, etag};
use crate::http::query::Query;
use crate::problem::ApiError;
use crate::service::{self, PersonView};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::Serialize;
use switchboard_core::{CurrentPassword, DashboardAccess, DisplayName, Email, Password, RoleKey, UserId, UserStatus};
use switchboard_core::{NumberId, RoleId, WorkgroupId};
use switchboard_store::repo::roles::StoredRole;
use switchboard_store::repo::users::{self, NewUser};
use switchboard_store::repo::users::{User, UserAccess};
use utoipa::ToSchema;

pub(crate) fn detail(
    caller: &Caller,
    conn: &mut switchboard_store::DbConn,
    user: UserId,
) -> Result<UserDetail, ApiError> {
    let record = users::get(conn, caller.account.id, user)?;
    let access = users::access(conn, caller.account.id, user)?;
    Ok(UserDetail::new(UserView::new(record, caller.account.superadmin), access, &caller.access.roles))
}

/// A changed user, rendered with its `ETag`.
pub(crate) fn changed(status: actix_web::http::StatusCode, person: PersonView) -> HttpResponse {
    let version = person.user.version;
    let view = UserDetail::of(person);
    HttpResponse::build(status).insert_header(etag(version)).json(view)
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
    query: Query<PageQuery>,
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
    pub email: Email,
    pub name: DisplayName,
    /// Role keys of the account (`GET /v1/roles`); default: the pack's default role (if any).
    pub roles: Option<Vec<RoleKey>>,
    /// An initial password makes the user active at once; without one the user stays `invited`
    /// until a password is set.
    pub password: Option<Password>,
}

fn new_user(email: Email, name: DisplayName, password: Option<Password>) -> Result<NewUser, ApiError> {
    let password_hash = password.as_ref().map(password::hash).transpose()?;
    let status = if password_hash.is_some() { UserStatus::Active } else { UserStatus::Invited };
    Ok(NewUser { email: email.into_inner(), name: name.into_inner(), status, password_hash })
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
    body: Body<InviteUser>,
) -> Result<HttpResponse, ApiError> {
    let InviteUser { email, name, roles, password } = body.parse()?;
    let new = new_user(email, name, password)?;
    let roles = roles.map(|keys| keys.into_iter().map(RoleKey::into_inner).collect());
    let person = service::run(&state, caller, move |cx| service::invite::invite(cx, new, roles)).await?;
    Ok(changed(actix_web::http::StatusCode::CREATED, person))
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
    pub email: Option<Email>,
    pub name: Option<DisplayName>,
    /// `disabled` takes all access away; `active` gives it back.
    pub status: Option<UserStatus>,
    /// A new password. It ends the user's other sessions; changing your own needs
    /// `current_password`.
    pub password: Option<Password>,
    /// Your current password, when you change your own.
    pub current_password: Option<CurrentPassword>,
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
    IfMatch(expected): IfMatch,
    id: web::Path<UserId>,
    body: Body<UpdateUser>,
) -> Result<HttpResponse, ApiError> {
    let (id, body) = (id.into_inner(), body.parse()?);
    let password_hash = body.password.as_ref().map(password::hash).transpose()?;
    let edit = service::edit_user::UserEdit {
        email: body.email.map(Email::into_inner),
        name: body.name.map(DisplayName::into_inner),
        status: body.status,
        password_hash,
        current_password: body.current_password.map(CurrentPassword::into_inner),
    };
    let person = service::run(&state, caller, move |cx| service::edit_user::edit(cx, id, expected, edit)).await?;
    Ok(changed(actix_web::http::StatusCode::OK, person))
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
    IfMatch(expected): IfMatch,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    service::run(&state, caller, move |cx| service::edit_user::delete(cx, id, expected)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DuplicateUser {
    pub email: Email,
    pub name: DisplayName,
    /// An initial password makes the new user active at once.
    pub password: Option<Password>,
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
    body: Body<DuplicateUser>,
) -> Result<HttpResponse, ApiError> {
    let (source, body) = (id.into_inner(), body.parse()?);
    let new = new_user(body.email, body.name, body.password)?;
    let person = service::run(&state, caller, move |cx| service::duplicate::duplicate(cx, source, new)).await?;
    Ok(changed(actix_web::http::StatusCode::CREATED, person))
}

/// A user.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: UserId,
    #[schema(example = "ada@example.com")]
    pub email: String,
    pub name: String,
    pub status: UserStatus,
    /// Whether this user is the account's superadmin.
    pub superadmin: bool,
    /// Pass back in `If-Match` (as the `ETag`) to change the user.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

page!(UserPage, UserView);

impl UserView {
    pub fn new(user: User, superadmin: UserId) -> UserView {
        UserView {
            superadmin: user.id == superadmin,
            id: user.id,
            email: user.email,
            name: user.name,
            status: user.status,
            version: user.version,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

/// A role held, in short.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoleRef {
    pub id: RoleId,
    pub key: String,
    pub name: String,
}

/// A user with what they have been given.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDetail {
    #[serde(flatten)]
    pub user: UserView,
    pub roles: Vec<RoleRef>,
    pub numbers: Vec<NumberId>,
    pub workgroups: Vec<WorkgroupId>,
    pub dashboard_access: DashboardAccess,
}

impl UserDetail {
    /// A user as a use case left them.
    pub fn of(person: crate::service::PersonView) -> UserDetail {
        let superadmin = person.policy.account.superadmin;
        UserDetail::new(UserView::new(person.user, superadmin), person.access, &person.policy.roles)
    }

    pub fn new(user: UserView, access: UserAccess, roles: &[StoredRole]) -> UserDetail {
        let roles = access
            .roles
            .iter()
            .filter_map(|id| roles.iter().find(|r| r.id == *id))
            .map(|r| RoleRef { id: r.id, key: r.definition.key.clone(), name: r.definition.name.clone() })
            .collect();
        UserDetail {
            user,
            roles,
            numbers: access.numbers,
            workgroups: access.workgroups,
            dashboard_access: access.dashboard,
        }
    }
}
