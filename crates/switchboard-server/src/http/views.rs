//! Response bodies shared by several routes.

use crate::http::common::page;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use switchboard_core::{
    AccountId, DashboardAccess, Guards, IvrId, NumberId, RecentsScope, RoleDefinition, RoleId, RoleOrigin, ScopeKind,
    SectionGrant, UserId, UserStatus, WorkgroupId,
};
use switchboard_store::repo::accounts::Account;
use switchboard_store::repo::roles::StoredRole;
use switchboard_store::repo::users::{User, UserAccess};
use utoipa::ToSchema;

/// An account (tenant).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: AccountId,
    #[schema(example = "acme")]
    pub slug: String,
    pub name: String,
    /// The preset pack fixing the account's built-in roles.
    #[schema(example = "mightycall")]
    pub preset: String,
    pub superadmin_id: UserId,
    pub created_at: DateTime<Utc>,
}

page!(AccountPage, AccountView);

impl From<Account> for AccountView {
    fn from(a: Account) -> Self {
        AccountView {
            id: a.id,
            slug: a.slug,
            name: a.name,
            preset: a.preset_pack,
            superadmin_id: a.superadmin,
            created_at: a.created_at,
        }
    }
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
        let RoleDefinition { key, name, description, grants, scope, scope_numbers, recents, guards } = role.definition;
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
            guards,
            member_count,
            version: role.version,
            created_at: role.created_at,
            updated_at: role.updated_at,
        }
    }
}

/// Ids, for the `items` of the few lists that only need them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ids {
    pub ids: Vec<uuid::Uuid>,
}

#[allow(dead_code)]
fn _schema_only(_: IvrId) {}
