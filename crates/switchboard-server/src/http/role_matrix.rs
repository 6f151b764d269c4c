//! `GET /v1/roles/matrix`: every role's level of access per section (rule AC-13), as JSON or CSV.

use crate::access::Caller;
use crate::http::common::Errors;
use crate::http::csv::{self, Accepts};
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use std::collections::BTreeMap;
use switchboard_core::{CommunicationKind, DataKinds, Level, RecentsScope, RoleId, ScopeKind};
use utoipa::ToSchema;

/// One row of the matrix.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatrixRow {
    pub id: RoleId,
    pub key: String,
    pub name: String,
    /// Section key → level, for every section of the catalog.
    pub levels: BTreeMap<String, Level>,
    pub rights: Vec<String>,
    pub scope: ScopeKind,
    pub recents: RecentsScope,
    pub kinds: DataKinds,
}

/// A column of the matrix.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatrixSection {
    pub key: String,
    pub label: String,
}

/// Every role's level of access per section (rule AC-13).
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleMatrix {
    pub sections: Vec<MatrixSection>,
    pub roles: Vec<MatrixRow>,
}

/// The roles × sections matrix, as JSON or (with `Accept: text/csv`) CSV.
#[utoipa::path(
    operation_id = "get_role_matrix",
    tag = "roles",
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, description = "The matrix", content(
            (RoleMatrix = "application/json"),
            (String = "text/csv")
        )),
        Errors
    )
)]
#[get("/roles/matrix")]
pub async fn matrix(caller: Caller, state: web::Data<AppState>, accepts: Accepts) -> Result<HttpResponse, ApiError> {
    caller.require("team.roles:view", &state.metrics)?;
    let policy = caller.policy();
    let catalog = policy.catalog();
    let sections: Vec<MatrixSection> = catalog
        .sections()
        .iter()
        .map(|s| MatrixSection { key: s.def.key.clone(), label: s.def.label.clone() })
        .collect();
    let rows: Vec<MatrixRow> = caller
        .access
        .roles
        .iter()
        .filter_map(|stored| {
            let idx = policy.role_idx(&stored.definition.key).ok()?;
            let access = policy.role(idx).access();
            Some(MatrixRow {
                id: stored.id,
                key: stored.definition.key.clone(),
                name: stored.definition.name.clone(),
                levels: catalog.sections().iter().map(|s| (s.def.key.clone(), access.level(catalog, s.id))).collect(),
                rights: catalog
                    .rights()
                    .iter()
                    .filter(|r| access.permissions.has_right(r.id))
                    .map(|r| r.key.clone())
                    .collect(),
                scope: stored.definition.scope,
                recents: stored.definition.recents,
                kinds: stored.definition.kinds,
            })
        })
        .collect();
    if !accepts.csv {
        return Ok(HttpResponse::Ok().json(RoleMatrix { sections, roles: rows }));
    }
    let mut out = String::new();
    let head = ["role", "name", "scope", "recents", "kinds"];
    csv::push_line(&mut out, head.into_iter().chain(sections.iter().map(|s| s.key.as_str())).chain(["rights"]));
    for row in &rows {
        let shown = row.kinds.flags().kinds().map(CommunicationKind::as_str).collect::<Vec<_>>().join(" ");
        let rights = row.rights.join(" ");
        let fields = [row.key.as_str(), row.name.as_str(), row.scope.as_str(), recents(row.recents), shown.as_str()];
        let levels = sections.iter().map(|s| row.levels.get(&s.key).map_or("none", |l| l.as_str()));
        csv::push_line(&mut out, fields.into_iter().chain(levels).chain([rights.as_str()]));
    }
    Ok(HttpResponse::Ok().content_type(csv::CONTENT_TYPE).body(out))
}

fn recents(r: RecentsScope) -> &'static str {
    match r {
        RecentsScope::All => "all",
        RecentsScope::Personal => "personal",
    }
}
