//! `GET /v1/me` and the effective-permissions view it shares with `GET /v1/users/{id}/permissions`.

use crate::access::Caller;
use crate::http::accounts::AccountView;
use crate::http::common::{Errors, db};
use crate::http::users::{RoleRef, UserView};
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{get, web};
use serde::Serialize;
use switchboard_core::{DashboardAccess, DataKinds, Level, NumberId, Principal, RecentsScope, ScopeKind, WorkgroupId};
use switchboard_store::repo::users;
use utoipa::ToSchema;

/// A section the user holds, and at what level.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionAccess {
    #[schema(example = "numbers")]
    pub key: String,
    #[schema(example = "Numbers")]
    pub label: String,
    pub level: Level,
}

/// What a user may do and see: the union of their roles.
#[derive(Debug, Serialize, ToSchema)]
pub struct EffectivePermissions {
    /// The superadmin holds every permission.
    pub superadmin: bool,
    /// Only invited or disabled users are inactive; they hold nothing.
    pub active: bool,
    /// Sections held above `none`, in catalog order. Sections without access are not listed, so a UI
    /// simply doesn't show them (rule MC-17).
    pub sections: Vec<SectionAccess>,
    /// Rights held, e.g. `numbers.add`.
    pub rights: Vec<String>,
    /// Data scopes held, broadest first (`personal` is always there for an active user).
    pub scopes: Vec<ScopeKind>,
    pub recents: RecentsScope,
    /// The kinds of data the scopes and recents show beyond the user's own communications (which are
    /// always shown and playable); `recordings` is playing others' recordings.
    pub kinds: DataKinds,
    /// Whether reports count the data scopes (the pack's reports permission) or only the user's own
    /// interactions.
    pub reports_all: bool,
    /// Business numbers whose communications the `numbers` scope shows.
    pub numbers: Vec<NumberId>,
    pub workgroups: Vec<WorkgroupId>,
    pub dashboard_access: DashboardAccess,
}

impl EffectivePermissions {
    pub fn of(caller: &Caller, p: &Principal) -> EffectivePermissions {
        let policy = caller.policy();
        let catalog = policy.catalog();
        let sections = policy
            .visible_sections(p)
            .map(|s| SectionAccess {
                key: s.def.key.clone(),
                label: s.def.label.clone(),
                level: if p.superadmin {
                    s.def.level_set.top()
                } else {
                    s.def.level_set.level_of_rank(p.permissions.rank(s.id))
                },
            })
            .collect();
        let rights = catalog
            .rights()
            .iter()
            .filter(|r| p.active && (p.superadmin || p.permissions.has_right(r.id)))
            .map(|r| r.key.clone())
            .collect();
        EffectivePermissions {
            superadmin: p.superadmin,
            active: p.active,
            sections,
            rights,
            scopes: p.scope.kinds().collect(),
            recents: if p.active && (p.superadmin || p.recents_all) {
                RecentsScope::All
            } else {
                RecentsScope::Personal
            },
            kinds: DataKinds::of(p.kinds),
            reports_all: policy.reports_cover_scope(p),
            numbers: p.numbers.to_vec(),
            workgroups: p.workgroups.to_vec(),
            dashboard_access: DashboardAccess {
                workgroups: p.dashboard_workgroups.to_vec(),
                ivrs: p.dashboard_ivrs.to_vec(),
            },
        }
    }
}

/// The caller, their account, roles and effective permissions.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: UserView,
    pub account: AccountView,
    pub roles: Vec<RoleRef>,
    pub permissions: EffectivePermissions,
}

pub fn roles_of(caller: &Caller, p: &Principal) -> Vec<RoleRef> {
    p.roles
        .iter()
        .map(|idx| {
            let r = caller.policy().role(*idx);
            let id = caller.access.role_by_key(r.key()).map(|s| s.id);
            (r, id)
        })
        .filter_map(|(r, id)| Some(RoleRef { id: id?, key: r.key().to_owned(), name: r.definition().name.clone() }))
        .collect()
}

/// Who am I, and what may I do?
#[utoipa::path(
    operation_id = "get_me",
    tag = "me",
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The caller", body = Me), Errors)
)]
#[get("/me")]
pub async fn me(caller: Caller, state: web::Data<AppState>) -> Result<web::Json<Me>, ApiError> {
    let permissions = EffectivePermissions::of(&caller, &caller.principal);
    let roles = roles_of(&caller, &caller.principal);
    let superadmin = caller.account.superadmin;
    // The cached record follows access changes; its name and email may have changed since.
    let (account, id) = (caller.account.id, caller.user.id);
    let user = db(&state, move |_, conn| Ok(users::get(conn, account, id)?)).await?;
    Ok(web::Json(Me {
        user: UserView::new(user, superadmin),
        account: caller.account.as_ref().clone().into(),
        roles,
        permissions,
    }))
}
