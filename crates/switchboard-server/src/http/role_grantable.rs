//! `GET /v1/roles/grantable`: what the caller may put into a custom role (rule MC-20), section by
//! section, so a role editor shows the rest disabled with the reason a save would be refused with.

use crate::access::Caller;
use crate::http::common::Errors;
use actix_web::{get, web};
use serde::Serialize;
use switchboard_core::{Level, Reason};
use utoipa::ToSchema;

/// A level of a section, and whether the caller may grant it.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantableLevel {
    pub level: Level,
    pub grantable: bool,
    /// Why not, when not: the reason saving a role that grants it would be refused with.
    pub reason: Option<Reason>,
}

/// A right of a section, and whether the caller may grant it.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantableRight {
    #[schema(example = "numbers.add")]
    pub key: String,
    pub label: String,
    /// The lowest level of its section the right goes with.
    pub min_level: Level,
    pub grantable: bool,
    pub reason: Option<Reason>,
}

/// A section of the catalog as a role editor offers it.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantableSection {
    #[schema(example = "numbers")]
    pub key: String,
    pub label: String,
    /// Every level of the section, ascending.
    pub levels: Vec<GrantableLevel>,
    pub rights: Vec<GrantableRight>,
}

/// What the caller may grant in a role they create or edit.
#[derive(Debug, Serialize, ToSchema)]
pub struct Grantable {
    /// Every section of the account's catalog, in catalog order.
    pub sections: Vec<GrantableSection>,
}

/// What the caller may grant in a custom role: every section's levels and rights, each grantable or
/// not with the reason (rule MC-20). Saving a role is still decided on its own; this asks first.
#[utoipa::path(
    operation_id = "grantable",
    tag = "roles",
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "What the caller may grant", body = Grantable), Errors)
)]
#[get("/roles/grantable")]
pub async fn grantable(caller: Caller) -> web::Json<Grantable> {
    let policy = caller.policy();
    let catalog = policy.catalog();
    let sections = policy
        .grantable(&caller.principal)
        .into_iter()
        .map(|offered| {
            let section = &catalog.section(offered.section).def;
            GrantableSection {
                key: section.key.clone(),
                label: section.label.clone(),
                levels: offered
                    .levels
                    .into_iter()
                    .map(|(level, reason)| GrantableLevel { level, grantable: reason.is_none(), reason })
                    .collect(),
                rights: offered
                    .rights
                    .into_iter()
                    .map(|(right, reason)| {
                        let right = catalog.right(right);
                        GrantableRight {
                            key: right.key.clone(),
                            label: right.label.clone(),
                            min_level: right.min_level,
                            grantable: reason.is_none(),
                            reason,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    web::Json(Grantable { sections })
}
