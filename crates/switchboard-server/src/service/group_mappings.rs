//! Group mappings: an identity provider's group (a workgroup it keeps through SCIM) mapped to roles
//! and dashboard access. Writing one is judged as giving those to a new person (`can_map_group`);
//! applying it to each member is judged again on that member, as the provider's change, in the
//! transaction of the membership change that calls for it.
//!
//! For a person in mapped groups the mappings decide their roles and dashboard access: in `single`
//! role mode the mapping of highest priority, in `combinable` mode all of them together. A person who
//! leaves their last mapped group falls back to the pack's default role and no dashboard access. The
//! superadmin and the acting person are never changed by a mapping.

use super::{Change, dashboard_access, invite::role_ids, set_roles};
use crate::problem::ApiError;
use switchboard_core::{DashboardAccess, MAX_DASHBOARD, RoleMode, UserId, WorkgroupId};
use switchboard_store::Bounds;
use switchboard_store::repo::group_mappings::{self, GroupMapping, MappingInput};
use switchboard_store::repo::{ivrs, workgroups};
use uuid::Uuid;

/// What a mapping gives: role keys, dashboard access, its priority.
#[derive(Debug, Clone)]
pub struct MappingSpec {
    pub roles: Vec<String>,
    pub dashboard: DashboardAccess,
    pub priority: i32,
}

fn judged_input(cx: &mut Change<'_>, group: WorkgroupId, spec: &MappingSpec) -> Result<MappingInput, ApiError> {
    cx.require("team.roles:manage")?;
    let account = cx.account();
    workgroups::get(cx.conn, account, group)
        .map_err(|_| ApiError::invalid("group_id", format!("workgroup {group} is not in this account")))?;
    let roles = role_ids(cx, &spec.roles, "roles")?;
    if spec.dashboard.workgroups.len() > MAX_DASHBOARD || spec.dashboard.ivrs.len() > MAX_DASHBOARD {
        return Err(ApiError::invalid(
            "dashboard",
            format!("at most {MAX_DASHBOARD} workgroups and {MAX_DASHBOARD} IVRs"),
        ));
    }
    if let Some(w) = workgroups::first_unknown(cx.conn, account, &spec.dashboard.workgroups)? {
        return Err(ApiError::invalid("dashboard.workgroups", format!("workgroup {w} is not in this account")));
    }
    if let Some(i) = ivrs::first_unknown(cx.conn, account, &spec.dashboard.ivrs)? {
        return Err(ApiError::invalid("dashboard.ivrs", format!("IVR {i} is not in this account")));
    }
    cx.allow_result(cx.policy().can_map_group(&cx.actor, &spec.roles, &spec.dashboard))?;
    Ok(MappingInput {
        workgroup_id: group,
        roles,
        dashboard: spec.dashboard.clone(),
        priority: spec.priority,
        written_by: cx.actor.user_id,
    })
}

/// Maps a group and applies the mapping to its members.
pub fn create(cx: &mut Change<'_>, group: WorkgroupId, spec: &MappingSpec) -> Result<GroupMapping, ApiError> {
    let input = judged_input(cx, group, spec)?;
    let created = group_mappings::create(cx.conn, cx.account(), &input, &cx.who)?;
    apply_to_members(cx, group)?;
    Ok(created)
}

/// Changes what a mapping gives and applies it to the group's members.
pub fn update(cx: &mut Change<'_>, id: Uuid, spec: &MappingSpec) -> Result<GroupMapping, ApiError> {
    let current = group_mappings::get(cx.conn, cx.account(), id)?;
    let input = judged_input(cx, current.workgroup_id, spec)?;
    let updated = group_mappings::update(cx.conn, cx.account(), id, &input, &cx.who)?;
    apply_to_members(cx, current.workgroup_id)?;
    Ok(updated)
}

/// Removes a mapping: its group's members keep only what other mappings give them.
pub fn delete(cx: &mut Change<'_>, id: Uuid) -> Result<(), ApiError> {
    cx.require("team.roles:manage")?;
    let removed = group_mappings::delete(cx.conn, cx.account(), id, &cx.who)?;
    apply_to_members(cx, removed.workgroup_id)
}

fn apply_to_members(cx: &mut Change<'_>, group: WorkgroupId) -> Result<(), ApiError> {
    let members = workgroups::get(cx.conn, cx.account(), group)?.members;
    let mappings = mappings(cx)?;
    apply(cx, &mappings, &members)
}

/// The account's mappings, highest priority first: a change of a mapped group's members calls for
/// [`apply`] with them.
pub fn mappings(cx: &mut Change<'_>) -> Result<Vec<GroupMapping>, ApiError> {
    Ok(group_mappings::list(cx.conn, cx.account())?)
}

/// Sets the roles and dashboard access of each of `people` to what `mappings` (the account's,
/// highest priority first) give them for their groups (see the module's docs), each judged as a
/// change to that person.
pub fn apply(cx: &mut Change<'_>, mappings: &[GroupMapping], people: &[UserId]) -> Result<(), ApiError> {
    let mode = cx.policy().settings().role_mode;
    let default = cx.policy().settings().default_role.clone();
    for &user in people {
        let person = cx.person(user)?;
        if person.superadmin || user == cx.actor.user_id {
            continue;
        }
        // highest priority first, as listed
        let applicable: Vec<&GroupMapping> =
            mappings.iter().filter(|m| person.workgroups.contains(&m.workgroup_id)).collect();
        let chosen: &[&GroupMapping] = match (mode, applicable.as_slice()) {
            (RoleMode::Single, [first, ..]) => std::slice::from_ref(first),
            (_, all) => all,
        };
        let mut roles: Vec<String> = chosen
            .iter()
            .flat_map(|m| m.roles.iter())
            .filter_map(|id| cx.access.role_by_id(*id).map(|r| r.definition.key.clone()))
            .collect();
        if roles.is_empty() || mode == RoleMode::Combinable {
            roles.extend(default.clone());
        }
        roles.sort();
        roles.dedup();
        let mut dashboard = DashboardAccess::default();
        for m in chosen {
            dashboard.workgroups.extend(&m.dashboard.workgroups);
            dashboard.ivrs.extend(&m.dashboard.ivrs);
        }
        // a workgroup or IVR deleted since the mapping was written gives nothing
        let account = cx.account();
        while let Some(gone) = workgroups::first_unknown(cx.conn, account, &dashboard.workgroups)? {
            dashboard.workgroups.retain(|w| *w != gone);
        }
        while let Some(gone) = ivrs::first_unknown(cx.conn, account, &dashboard.ivrs)? {
            dashboard.ivrs.retain(|i| *i != gone);
        }
        dashboard.workgroups.sort();
        dashboard.workgroups.dedup();
        dashboard.ivrs.sort();
        dashboard.ivrs.dedup();
        let mut held = person.roles.clone();
        held.sort();
        if held != roles {
            set_roles::set_roles(cx, user, roles, None)?;
        }
        let mut current = person.dashboard.clone();
        current.workgroups.sort();
        current.ivrs.sort();
        if current != dashboard {
            dashboard_access::set(cx, user, dashboard, Bounds::default(), None)?;
        }
    }
    Ok(())
}
