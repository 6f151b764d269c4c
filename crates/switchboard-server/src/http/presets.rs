//! `POST /v1/presets/migrate`: moves the account onto another preset pack with the pack's legacy role
//! mappings (seed 003), as a dry run first. `POST /v1/presets/upgrade`: brings the account's preset
//! roles to the version of its pack that is loaded now, as a dry run first.

use crate::access::Caller;
use crate::http::body::Body;
use crate::http::common::Errors;
use crate::problem::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::{post, web};
use serde::{Deserialize, Serialize};
use service::upgrade::{CopiedRole, UserUpgrade};
use switchboard_core::{PresetRoleChange, UserMigration};
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
    /// Apply the pack's access-keeping mapping, so that people keep what they hold (seed 003: former
    /// Admins get Owner + Admin + Agent). Default `false`: the pack's plain mapping.
    #[serde(default)]
    pub keep_access: bool,
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
    /// Whether the access-keeping mapping was used.
    pub keep_access: bool,
    /// Per user: roles before and after, and the access they lose (`loses`).
    pub users: Vec<UserMigration>,
}

/// Plans (and with `dry_run: false`, applies) the move to another preset pack. Superadmin only.
#[utoipa::path(operation_id = "migrate_preset", tag = "catalog", security(("bearer" = []), ("api_key" = [])),
    request_body = MigrateRequest, responses((status = 200, description = "The plan, applied unless a dry run", body = MigrationPlan), Errors))]
#[post("/presets/migrate")]
pub async fn migrate(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<MigrateRequest>,
) -> Result<web::Json<MigrationPlan>, ApiError> {
    let MigrateRequest { to_pack, dry_run, keep_access } = body.parse()?;
    let target = state
        .packs
        .get(&to_pack)
        .cloned()
        .ok_or_else(|| ApiError::invalid("to_pack", format!("no preset pack `{to_pack}` is loaded")))?;
    let done =
        service::run(&state, caller, move |cx| service::migrate::migrate(cx, target, dry_run, keep_access)).await?;
    let plan = MigrationPlan {
        from_pack: done.from_pack,
        to_pack: done.to_pack,
        dry_run,
        applied: !dry_run,
        roles_created: done.roles_created,
        roles_removed: done.roles_removed,
        keep_access,
        users: done.users,
    };
    Ok(web::Json(plan))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpgradeRequest {
    /// Default `true`: only show what would change.
    #[serde(default = "yes")]
    pub dry_run: bool,
}

/// What an upgrade of the account's preset roles does (or did).
#[derive(Debug, Serialize, ToSchema)]
pub struct UpgradePlan {
    pub pack: String,
    /// The version the account's preset roles came from; empty when it was never recorded.
    pub from_version: String,
    /// The loaded version they are brought to.
    pub to_version: String,
    pub dry_run: bool,
    /// Whether the changes were made.
    pub applied: bool,
    /// Every preset role of either version, with what changes.
    pub roles: Vec<PresetRoleChange>,
    /// The users whose roles or access change: roles before and after, access gained and lost.
    pub users: Vec<UserUpgrade>,
    /// Custom roles copied from a preset role that changes or goes: reported, not changed.
    pub copied_roles: Vec<CopiedRole>,
}

/// Plans (and with `dry_run: false`, applies) bringing the account's preset roles to the version of
/// its pack that is loaded now: changed roles replaced in place, new ones created, removed ones
/// deleted with their holders moved to the successors the pack declares. Superadmin only.
#[utoipa::path(operation_id = "upgrade_presets", tag = "catalog", security(("bearer" = []), ("api_key" = [])),
    request_body = UpgradeRequest, responses((status = 200, description = "The plan, applied unless a dry run", body = UpgradePlan), Errors))]
#[post("/presets/upgrade")]
pub async fn upgrade(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<UpgradeRequest>,
) -> Result<web::Json<UpgradePlan>, ApiError> {
    let UpgradeRequest { dry_run } = body.parse()?;
    let done = service::run(&state, caller, move |cx| service::upgrade::upgrade(cx, dry_run)).await?;
    Ok(web::Json(UpgradePlan {
        pack: done.pack,
        from_version: done.from_version,
        to_version: done.to_version,
        dry_run,
        applied: !dry_run,
        roles: done.roles,
        users: done.users,
        copied_roles: done.copied_roles,
    }))
}
