//! `POST /v1/presets/migrate`: moves the account onto another preset pack with the pack's legacy role
//! mappings (seed 003), as a dry run first.

use crate::access::Caller;
use crate::http::body::Body;
use crate::http::common::Errors;
use crate::problem::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::{post, web};
use serde::{Deserialize, Serialize};
use switchboard_core::UserMigration;
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
