//! `GET /v1/roles/matrix`: every role's level of access per section (rule AC-13), as JSON or CSV.

use crate::access::Caller;
use crate::http::common::Errors;
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use std::collections::BTreeMap;
use switchboard_core::{Level, RecentsScope, RoleId, ScopeKind};
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

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
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
pub async fn matrix(caller: Caller, state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
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
            })
        })
        .collect();
    let wants_csv = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/csv"));
    if !wants_csv {
        return Ok(HttpResponse::Ok().json(RoleMatrix { sections, roles: rows }));
    }
    let mut csv = String::from("role,name,scope,recents");
    for s in &sections {
        csv.push(',');
        csv.push_str(&csv_field(&s.key));
    }
    csv.push_str(",rights\r\n");
    for row in &rows {
        csv.push_str(&format!(
            "{},{},{},{}",
            csv_field(&row.key),
            csv_field(&row.name),
            row.scope,
            recents(row.recents)
        ));
        for s in &sections {
            csv.push(',');
            csv.push_str(row.levels.get(&s.key).map_or("none", |l| l.as_str()));
        }
        csv.push(',');
        csv.push_str(&csv_field(&row.rights.join(" ")));
        csv.push_str("\r\n");
    }
    Ok(HttpResponse::Ok().content_type("text/csv; charset=utf-8").body(csv))
}

fn recents(r: RecentsScope) -> &'static str {
    match r {
        RecentsScope::All => "all",
        RecentsScope::Personal => "personal",
    }
}
