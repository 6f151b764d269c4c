//! `/v1/group-mappings`: an identity provider's groups (workgroups it keeps through SCIM) mapped to
//! roles and dashboard access. Writing one needs `team.roles` manage and is judged as giving those to
//! a new person; whoever joins or leaves the group gets what the mappings then give them.

use crate::access::Caller;
use crate::http::body::Body;
use crate::http::common::{Errors, db, page};
use crate::problem::ApiError;
use crate::service::{self, group_mappings::MappingSpec};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use switchboard_core::values::RoleKey;
use switchboard_core::{DashboardAccess, UserId, WorkgroupId};
use switchboard_store::repo::group_mappings::{self, GroupMapping};
use utoipa::ToSchema;
use uuid::Uuid;

/// A group mapped to roles and dashboard access.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupMappingView {
    pub id: Uuid,
    /// The workgroup (the provider's group).
    pub group_id: WorkgroupId,
    /// Role keys given to the group's members.
    pub roles: Vec<String>,
    /// The workgroups and IVRs whose data the members may see on the dashboard.
    pub dashboard: DashboardAccess,
    /// Where each person holds one role, the mapping of highest priority among their groups wins.
    pub priority: i32,
    /// Who last wrote the mapping: a groups claim in a provider's token moves people into and out of
    /// the group as this person may (none for a mapping older than that rule whose writer is unknown).
    pub written_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

page!(GroupMappingPage, GroupMappingView);

fn view(policy: &Arc<crate::access::AccountPolicy>, m: GroupMapping) -> GroupMappingView {
    GroupMappingView {
        id: m.id,
        group_id: m.workgroup_id,
        roles: m.roles.iter().filter_map(|id| policy.role_by_id(*id).map(|r| r.definition.key.clone())).collect(),
        dashboard: m.dashboard,
        priority: m.priority,
        written_by: m.written_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// Declares a request body of what a mapping gives the group's members, after the fields in braces:
/// one list of those fields for a new mapping and for the change of one.
macro_rules! mapping_body {
    ($(#[$meta:meta])* $name:ident { $($fields:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($fields)*
            /// Role keys of the account; one where the account holds one role per person.
            #[schema(max_items = 100)]
            pub roles: Vec<RoleKey>,
            #[serde(default)]
            pub dashboard: DashboardAccess,
            /// Default 0; higher wins.
            #[serde(default, deserialize_with = "integral")]
            #[schema(minimum = -1000, maximum = 1000)]
            pub priority: i32,
        }
    };
}

mapping_body!(
    /// A new mapping: the group and what it gives its members.
    NewGroupMapping {
        /// A workgroup of the account, mapped at most once.
        pub group_id: WorkgroupId,
    }
);

mapping_body!(
    /// What a mapping gives the group's members.
    MappingGives {}
);

/// An integer as JSON may write one (`-230` or `-230.0`).
fn integral<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i32, D::Error> {
    let number = f64::deserialize(deserializer)?;
    if number.fract() != 0.0 || !(f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&number) {
        return Err(serde::de::Error::custom(format!("{number} is not a whole number")));
    }
    Ok(number as i32)
}

impl MappingGives {
    fn spec(self) -> Result<MappingSpec, ApiError> {
        if self.roles.len() > 100 {
            return Err(ApiError::invalid("roles", "at most 100 roles"));
        }
        if !(-1000..=1000).contains(&self.priority) {
            return Err(ApiError::invalid("priority", "from -1000 to 1000"));
        }
        Ok(MappingSpec {
            roles: self.roles.into_iter().map(RoleKey::into_inner).collect(),
            dashboard: self.dashboard,
            priority: self.priority,
        })
    }
}

impl NewGroupMapping {
    fn into_parts(self) -> (WorkgroupId, MappingGives) {
        let NewGroupMapping { group_id, roles, dashboard, priority } = self;
        (group_id, MappingGives { roles, dashboard, priority })
    }
}

/// Lists the account's group mappings, highest priority first. Needs `team.roles` view.
#[utoipa::path(operation_id = "list_group_mappings", tag = "identity", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Every mapping of the account", body = GroupMappingPage), Errors))]
#[get("/group-mappings")]
pub async fn list_group_mappings(
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<web::Json<GroupMappingPage>, ApiError> {
    caller.require("team.roles:view", &state.metrics)?;
    let (account, policy) = (caller.account.id, caller.access.clone());
    let list = db(&state, move |_, conn| Ok(group_mappings::list(conn, account)?)).await?;
    Ok(web::Json(GroupMappingPage { items: list.into_iter().map(|m| view(&policy, m)).collect(), next_cursor: None }))
}

/// Maps a group to roles and dashboard access, and gives them to its members now. Needs `team.roles`
/// manage; the roles and dashboard entries must be ones the caller could give a new person.
#[utoipa::path(operation_id = "create_group_mapping", tag = "identity", security(("bearer" = []), ("api_key" = [])),
    request_body = NewGroupMapping, responses((status = 201, description = "Created and applied", body = GroupMappingView), Errors))]
#[post("/group-mappings")]
pub async fn create_group_mapping(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<NewGroupMapping>,
) -> Result<HttpResponse, ApiError> {
    let (group_id, gives) = body.parse()?.into_parts();
    let spec = gives.spec()?;
    let created = service::run(&state, caller, move |cx| {
        let created = service::group_mappings::create(cx, group_id, &spec)?;
        Ok(view(&cx.access, created))
    })
    .await?;
    Ok(HttpResponse::Created().json(created))
}

/// One group mapping. Needs `team.roles` view.
#[utoipa::path(operation_id = "get_group_mapping", tag = "identity", security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The mapping's id")),
    responses((status = 200, description = "The mapping", body = GroupMappingView), Errors))]
#[get("/group-mappings/{id}")]
pub async fn get_group_mapping(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<GroupMappingView>, ApiError> {
    caller.require("team.roles:view", &state.metrics)?;
    let (account, policy, id) = (caller.account.id, caller.access.clone(), id.into_inner());
    let found = db(&state, move |_, conn| Ok(group_mappings::get(conn, account, id)?)).await?;
    Ok(web::Json(view(&policy, found)))
}

/// Replaces what a mapping gives, and gives it to the group's members now.
#[utoipa::path(operation_id = "update_group_mapping", tag = "identity", security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The mapping's id")), request_body = MappingGives,
    responses((status = 200, description = "Changed and applied", body = GroupMappingView), Errors))]
#[put("/group-mappings/{id}")]
pub async fn update_group_mapping(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Body<MappingGives>,
) -> Result<web::Json<GroupMappingView>, ApiError> {
    let (id, spec) = (id.into_inner(), body.parse()?.spec()?);
    let updated = service::run(&state, caller, move |cx| {
        let updated = service::group_mappings::update(cx, id, &spec)?;
        Ok(view(&cx.access, updated))
    })
    .await?;
    Ok(web::Json(updated))
}

/// Removes a mapping: the group's members keep what other mappings give them.
#[utoipa::path(operation_id = "delete_group_mapping", tag = "identity", security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The mapping's id")), responses((status = 204, description = "Removed"), Errors))]
#[delete("/group-mappings/{id}")]
pub async fn delete_group_mapping(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    service::run(&state, caller, move |cx| service::group_mappings::delete(cx, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
