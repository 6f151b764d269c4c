//! `POST /v1/presets/migrate`: moves the account onto another preset pack with the pack's legacy role
//! mappings (seed 003), as a dry run first.

use crate::access::Caller;
use crate::http::common::{Errors, db};
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{post, web};
use diesel::Connection;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use switchboard_core::{MigrationSubject, RoleOrigin, UserMigration, plan_migration};
use switchboard_store::repo::{accounts, roles, users};
use switchboard_store::{PageRequest, StoreError};
use utoipa::ToSchema;

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrateRequest {
    /// A loaded pack other than the account's own (`GET /v1/presets`), e.g. `aircall`.
    #[schema(example = "aircall", min_length = 1, max_length = 64, pattern = r"^[a-z][a-z0-9-]*$")]
    pub to_pack: String,
    /// Default `true`: only show what would change.
    #[serde(default = "yes")]
    pub dry_run: bool,
}

/// What a migration does (or did).
#[derive(Debug, Serialize, ToSchema)]
pub struct MigrationPlan {
    pub from_pack: String,
    pub to_pack: String,
    pub dry_run: bool,
    /// Whether the changes were made.
    pub applied: bool,
    /// The target pack's preset roles, created by the migration.
    pub roles_created: Vec<String>,
    /// The current pack's preset roles, removed by the migration.
    pub roles_removed: Vec<String>,
    pub users: Vec<UserMigration>,
}

/// Plans (and with `dry_run: false`, applies) the move to another preset pack. Superadmin only.
#[utoipa::path(operation_id = "migrate_preset", tag = "catalog", security(("bearer" = []), ("api_key" = [])),
    request_body = MigrateRequest, responses((status = 200, description = "The plan, applied unless a dry run", body = MigrationPlan), Errors))]
#[post("/presets/migrate")]
pub async fn migrate(
    caller: Caller,
    state: web::Data<AppState>,
    body: web::Json<MigrateRequest>,
) -> Result<web::Json<MigrationPlan>, ApiError> {
    caller.allow(caller.policy().can_migrate_pack(&caller.principal), &state.metrics)?;
    let MigrateRequest { to_pack, dry_run } = body.into_inner();
    let target = state
        .packs
        .get(&to_pack)
        .cloned()
        .ok_or_else(|| ApiError::invalid("to_pack", format!("no preset pack `{to_pack}` is loaded")))?;
    // Both refusals below are about the account's current state, not the request: 409.
    if target.pack.name == caller.account.preset_pack {
        return Err(ApiError::Conflict(format!("the account is already on the `{to_pack}` pack")));
    }
    // Custom roles stay: they must make sense in the target pack's catalog.
    for role in caller.access.roles.iter().filter(|r| !r.origin.is_preset()) {
        role.definition.compile_access(&target.catalog).map_err(|e| {
            ApiError::Conflict(format!(
                "custom role `{}` does not fit the `{to_pack}` catalog: {e}",
                role.definition.key
            ))
        })?;
    }
    let plan = db(&state, move |_, conn| {
        let account = caller.account.id;
        let mut subjects = Vec::new();
        let mut page = PageRequest::first(switchboard_store::MAX_PAGE);
        loop {
            let list = users::list(conn, account, &page)?;
            for user in &list.items {
                let access = users::access(conn, account, user.id)?;
                let mut subject = MigrationSubject {
                    user_id: user.id,
                    superadmin: user.id == caller.account.superadmin,
                    roles: vec![],
                    custom_roles: vec![],
                };
                for id in &access.roles {
                    if let Some(role) = caller.access.role_by_id(*id) {
                        let key = role.definition.key.clone();
                        if role.origin.is_preset() { subject.roles.push(key) } else { subject.custom_roles.push(key) }
                    }
                }
                subjects.push(subject);
            }
            match list.next_cursor {
                Some(cursor) => page = PageRequest::after(switchboard_store::MAX_PAGE, cursor),
                None => break,
            }
        }
        let migrations = plan_migration(&target.pack, &subjects).map_err(|e| ApiError::Conflict(e.to_string()))?;
        let old_presets: Vec<_> = caller.access.roles.iter().filter(|r| r.origin.is_preset()).cloned().collect();
        let plan = MigrationPlan {
            from_pack: caller.account.preset_pack.clone(),
            to_pack: target.pack.name.clone(),
            dry_run,
            applied: !dry_run,
            roles_created: target.pack.roles.iter().map(|r| r.key.clone()).collect(),
            roles_removed: old_presets.iter().map(|r| r.definition.key.clone()).collect(),
            users: migrations,
        };
        if dry_run {
            return Ok(plan);
        }
        let actor = &caller.actor;
        let customs: BTreeMap<String, _> = caller
            .access
            .roles
            .iter()
            .filter(|r| !r.origin.is_preset())
            .map(|r| (r.definition.key.clone(), r.id))
            .collect();
        let old_mode = caller.policy().settings().role_mode;
        conn.transaction::<_, StoreError, _>(|conn| {
            // Users keep only their custom roles while the presets are swapped.
            for user in &plan.users {
                let kept: Vec<_> = user.from.iter().filter_map(|k| customs.get(k).copied()).collect();
                roles::set_user_roles(conn, account, user.user_id, &kept, old_mode, None, actor)?;
            }
            for role in &old_presets {
                roles::delete(conn, account, role.id, None, actor)?;
            }
            accounts::set_preset_pack(conn, account, &target.pack.name, actor)?;
            let origin = RoleOrigin::Preset { pack: target.pack.name.clone() };
            let mut ids = customs.clone();
            for definition in &target.pack.roles {
                ids.insert(definition.key.clone(), roles::create(conn, account, &origin, definition, actor)?.id);
            }
            for user in &plan.users {
                let new: Vec<_> = user.to.iter().filter_map(|k| ids.get(k).copied()).collect();
                roles::set_user_roles(conn, account, user.user_id, &new, target.pack.role_mode, None, actor)?;
            }
            Ok(())
        })?;
        Ok(plan)
    })
    .await?;
    Ok(web::Json(plan))
}
