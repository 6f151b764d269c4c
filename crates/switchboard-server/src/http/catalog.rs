//! The permission catalog, the preset packs and the plugins they came from.

use crate::access::Caller;
use crate::http::common::Errors;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{get, web};
use serde::Serialize;
use switchboard_core::{DataKinds, Level, LevelSet, PresetPack, RightDef};
use utoipa::ToSchema;

/// A section of the catalog.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionView {
    #[schema(example = "numbers")]
    pub key: String,
    #[schema(example = "Numbers")]
    pub label: String,
    pub description: String,
    pub level_set: LevelSet,
    /// The levels of the section, ascending.
    pub levels: Vec<Level>,
    pub rights: Vec<RightDef>,
    /// `core`, or the preset pack that added the section.
    #[schema(example = "core")]
    pub owner: String,
}

/// A kind of data a role shows within its data scope (a field of a role's `kinds`, rule MC-7).
#[derive(Debug, Serialize, ToSchema)]
pub struct DataKindView {
    #[schema(example = "recordings")]
    pub key: String,
    pub label: String,
    pub description: String,
}

/// The catalog of the caller's account: the canonical sections plus its pack's extensions, the kinds
/// of data roles show, and what opens reports and downloads in this account's pack.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogView {
    pub sections: Vec<SectionView>,
    pub data_kinds: Vec<DataKindView>,
    /// What widens reports from a user's own interactions to their data scope.
    #[schema(example = "reports.all")]
    pub reports_permission: String,
    /// What downloading reports and the history as CSV needs.
    #[schema(example = "reports.download")]
    pub reports_download_permission: String,
    /// What playing others' recordings needs besides the `recordings` kind, if anything.
    pub recordings_permission: Option<String>,
}

/// Lists every section, level and right roles can grant in the caller's account.
#[utoipa::path(
    operation_id = "list_permissions",
    tag = "catalog",
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The catalog", body = CatalogView), Errors)
)]
#[get("/permissions")]
pub async fn permissions(caller: Caller) -> Result<web::Json<CatalogView>, ApiError> {
    let settings = caller.policy().settings();
    let data_kinds = DataKinds::FIELDS
        .iter()
        .map(|(key, label, description)| DataKindView {
            key: (*key).into(),
            label: (*label).into(),
            description: (*description).into(),
        })
        .collect();
    let sections = caller
        .policy()
        .catalog()
        .sections()
        .iter()
        .map(|s| SectionView {
            key: s.def.key.clone(),
            label: s.def.label.clone(),
            description: s.def.description.clone(),
            level_set: s.def.level_set,
            levels: s.def.level_set.levels().to_vec(),
            rights: s.def.rights.clone(),
            owner: s.owner.clone(),
        })
        .collect();
    Ok(web::Json(CatalogView {
        sections,
        data_kinds,
        reports_permission: settings.reports_permission.clone(),
        reports_download_permission: settings.reports_download_permission.clone(),
        recordings_permission: settings.recordings_permission.clone(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PresetList {
    pub items: Vec<PresetPack>,
}

/// Lists the loaded preset packs with their roles.
#[utoipa::path(
    operation_id = "list_presets",
    tag = "catalog",
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The preset packs", body = PresetList), Errors)
)]
#[get("/presets")]
pub async fn presets(_caller: Caller, state: web::Data<AppState>) -> Result<web::Json<PresetList>, ApiError> {
    Ok(web::Json(PresetList { items: state.packs.iter().map(|p| p.pack.clone()).collect() }))
}

/// A plugin library that loaded.
#[derive(Debug, Serialize, ToSchema)]
pub struct PluginView {
    /// The library's file name.
    #[schema(example = "libpreset_mightycall.so")]
    pub file: String,
    pub name: String,
    pub version: String,
    pub description: String,
    pub sdk_version: String,
    pub packs: Vec<String>,
}

/// A plugin library that was skipped.
#[derive(Debug, Serialize, ToSchema)]
pub struct PluginProblemView {
    pub file: String,
    /// What went wrong, stably named: `crashed`, `timed_out`, `out_of_memory`, `output_too_large`,
    /// `invalid_pack`, `abi_mismatch`, …
    #[schema(example = "crashed")]
    pub kind: String,
    pub error: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PluginList {
    pub items: Vec<PluginView>,
    pub problems: Vec<PluginProblemView>,
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Lists the plugin libraries, their packs, and the broken ones that were skipped.
#[utoipa::path(
    operation_id = "list_plugins",
    tag = "catalog",
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The plugins", body = PluginList), Errors)
)]
#[get("/plugins")]
pub async fn plugins(_caller: Caller, state: web::Data<AppState>) -> Result<web::Json<PluginList>, ApiError> {
    let mut items: Vec<PluginView> = Vec::new();
    for loaded in state.packs.iter() {
        let file = file_name(&loaded.file);
        match items.iter_mut().find(|p| p.file == file) {
            Some(existing) => existing.packs.push(loaded.pack.name.clone()),
            None => items.push(PluginView {
                file,
                name: loaded.plugin.name.clone(),
                version: loaded.plugin.version.clone(),
                description: loaded.plugin.description.clone(),
                sdk_version: loaded.plugin.sdk_version.clone(),
                packs: vec![loaded.pack.name.clone()],
            }),
        }
    }
    let problems = state
        .packs
        .problems
        .iter()
        .map(|p| PluginProblemView {
            file: file_name(&p.file),
            kind: p.error.kind().to_owned(),
            error: p.error.to_string(),
        })
        .collect();
    Ok(web::Json(PluginList { items, problems }))
}
