//! `/scim/v2/Groups`: the account's workgroups. A group's members are people of the account; adding
//! or removing one is a change to that person, judged as the API judges it.

use super::error::ScimError;
use super::filter::{Filter, field};
use super::resource::{ByCreation, Fetch, Resource};
use super::schema::{self, GROUP_URN, Schema};
use crate::problem::ApiError;
use crate::service::{Change, scim::ProvidedGroup};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use switchboard_core::{AccountId, UserId, WorkgroupId};
use switchboard_store::DbConn;
use switchboard_store::repo::scim;
use switchboard_store::repo::workgroups::{self, Workgroup};

fn view(group: &Workgroup, external_id: Option<&String>, base: &str) -> Value {
    let mut out = json!({
        "schemas": [GROUP_URN],
        "id": group.id,
        "displayName": group.name,
        "meta": {
            "resourceType": "Group",
            "created": group.created_at,
            "lastModified": group.created_at,
            "location": format!("{base}/Groups/{}", group.id),
        },
    });
    if !group.members.is_empty() {
        out["members"] = group
            .members
            .iter()
            .map(|m| json!({"value": m, "$ref": format!("{base}/Users/{m}"), "type": "User"}))
            .collect();
    }
    if let Some(external) = external_id {
        out["externalId"] = json!(external);
    }
    out
}

/// A group as the provider describes it: its name, members (people of the account, by id) and
/// `externalId`.
fn provided_group(attributes: &Value) -> Result<ProvidedGroup, ScimError> {
    let name = match attributes.get("displayName") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.clone(),
        _ => return Err(ScimError::invalid_value("a group needs a displayName")),
    };
    let members = attributes
        .get("members")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|m| {
            let value = field(m, "value").and_then(Value::as_str).unwrap_or_default();
            uuid::Uuid::parse_str(value)
                .map(UserId)
                .map_err(|_| ScimError::invalid_value(format!("members: `{value}` is not a user of this account")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let external_id = attributes.get("externalId").and_then(Value::as_str).map(str::to_owned);
    Ok(ProvidedGroup { name, members, external_id })
}

/// The account's workgroups.
pub struct Groups;

impl Resource for Groups {
    const WHAT: &'static str = "group";
    const READ: &'static str = "team.workgroups:view";
    const SCHEMA: &'static Schema = &schema::GROUP;
    type Id = WorkgroupId;
    type Provided = ProvidedGroup;

    type Record = Workgroup;

    const GET: Fetch<WorkgroupId, Workgroup> = workgroups::get;
    const BY_CREATION: ByCreation<Workgroup> = workgroups::workgroups_by_creation;

    fn indexed(conn: &mut DbConn, account: AccountId, filter: &Filter) -> Result<Option<Vec<Workgroup>>, ApiError> {
        let Some(external) = filter.equality("externalId") else { return Ok(None) };
        let ids = scim::groups_with_external_id(conn, account, external)?;
        Ok(Some(workgroups::workgroups_among(conn, account, &ids)?))
    }

    fn views(conn: &mut DbConn, account: AccountId, groups: &[Workgroup], base: &str) -> Result<Vec<Value>, ApiError> {
        let ids: Vec<WorkgroupId> = groups.iter().map(|g| g.id).collect();
        let external: BTreeMap<WorkgroupId, String> = scim::group_external_ids(conn, account, &ids)?;
        Ok(groups.iter().map(|g| view(g, external.get(&g.id), base)).collect())
    }

    fn provided(attributes: Value) -> Result<ProvidedGroup, ScimError> {
        provided_group(&attributes)
    }

    fn create(cx: &mut Change<'_>, group: ProvidedGroup) -> Result<WorkgroupId, ApiError> {
        crate::service::scim::create_group(cx, &group)
    }

    fn replace(cx: &mut Change<'_>, id: WorkgroupId, group: ProvidedGroup) -> Result<(), ApiError> {
        crate::service::scim::replace_group(cx, id, &group)
    }

    fn delete(cx: &mut Change<'_>, id: WorkgroupId) -> Result<(), ApiError> {
        crate::service::scim::delete_group(cx, id)
    }
}
