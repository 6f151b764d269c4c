//! Group mappings: an identity provider's group (a workgroup it keeps through SCIM) mapped to roles
//! and dashboard access, which whoever the provider puts in the group gets. One mapping per group.

use crate::common::{Actor, audit, find_row, from_db_time, now, parse_id, to_db_time};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::group_mappings;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use switchboard_core::{AccountId, DashboardAccess, RoleId, UserId, WorkgroupId};
use uuid::Uuid;

/// A group mapped to roles and dashboard access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupMapping {
    pub id: Uuid,
    pub workgroup_id: WorkgroupId,
    pub roles: Vec<RoleId>,
    pub dashboard: DashboardAccess,
    /// Where a person holds one role and is in several mapped groups, the highest wins.
    pub priority: i32,
    /// Whose authority the mapping carries: who last wrote it (unknown for a mapping whose writer
    /// the audit log did not name).
    pub written_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a mapping says.
#[derive(Clone, Debug)]
pub struct MappingInput {
    pub workgroup_id: WorkgroupId,
    pub roles: Vec<RoleId>,
    pub dashboard: DashboardAccess,
    pub priority: i32,
    /// The person writing it.
    pub written_by: UserId,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = group_mappings, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct MappingRow {
    id: String,
    workgroup_id: WorkgroupId,
    roles: String,
    dashboard_workgroups: String,
    dashboard_ivrs: String,
    priority: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    written_by: Option<String>,
}

fn mapping_of(r: MappingRow) -> StoreResult<GroupMapping> {
    Ok(GroupMapping {
        id: parse_id(&r.id)?,
        workgroup_id: r.workgroup_id,
        roles: serde_json::from_str(&r.roles)?,
        dashboard: DashboardAccess {
            workgroups: serde_json::from_str(&r.dashboard_workgroups)?,
            ivrs: serde_json::from_str(&r.dashboard_ivrs)?,
        },
        priority: r.priority,
        written_by: r.written_by.as_deref().map(parse_id).transpose()?.map(UserId),
        created_at: from_db_time(r.created_at),
        updated_at: from_db_time(r.updated_at),
    })
}

/// The account's mappings, highest priority first (then oldest first).
pub fn list(conn: &mut DbConn, account: AccountId) -> StoreResult<Vec<GroupMapping>> {
    let rows: Vec<MappingRow> = group_mappings::table
        .filter(group_mappings::account_id.eq(account))
        .order((group_mappings::priority.desc(), group_mappings::created_at, group_mappings::id))
        .select(MappingRow::as_select())
        .load(conn)?;
    rows.into_iter().map(mapping_of).collect()
}

pub fn get(conn: &mut DbConn, account: AccountId, id: Uuid) -> StoreResult<GroupMapping> {
    let row = find_row!(conn, group_mappings, account, id.to_string(), MappingRow, "group mapping");
    mapping_of(row)
}

/// Creates a mapping; a group mapped already is a conflict on `group_id`.
pub fn create(conn: &mut DbConn, account: AccountId, input: &MappingInput, actor: &Actor) -> StoreResult<GroupMapping> {
    let taken = group_mappings::table
        .filter(group_mappings::account_id.eq(account))
        .filter(group_mappings::workgroup_id.eq(input.workgroup_id))
        .count()
        .get_result::<i64>(conn)?;
    if taken > 0 {
        return Err(StoreError::Conflict { field: Some("group_id"), message: "the group is mapped already".into() });
    }
    let id = Uuid::new_v4();
    let at = to_db_time(now());
    diesel::insert_into(group_mappings::table)
        .values((
            group_mappings::account_id.eq(account),
            group_mappings::id.eq(id.to_string()),
            group_mappings::workgroup_id.eq(input.workgroup_id),
            group_mappings::roles.eq(serde_json::to_string(&input.roles)?),
            group_mappings::dashboard_workgroups.eq(serde_json::to_string(&input.dashboard.workgroups)?),
            group_mappings::dashboard_ivrs.eq(serde_json::to_string(&input.dashboard.ivrs)?),
            group_mappings::priority.eq(input.priority),
            group_mappings::written_by.eq(Some(input.written_by.to_string())),
            group_mappings::created_at.eq(at),
            group_mappings::updated_at.eq(at),
        ))
        .execute(conn)?;
    let created = get(conn, account, id)?;
    audit(conn, account, actor, "group_mapping.create", "group_mapping", id, None, Some(json!(created)))?;
    Ok(created)
}

/// Replaces what a mapping gives (its group stays).
pub fn update(
    conn: &mut DbConn,
    account: AccountId,
    id: Uuid,
    input: &MappingInput,
    actor: &Actor,
) -> StoreResult<GroupMapping> {
    let before = get(conn, account, id)?;
    diesel::update(
        group_mappings::table.filter(group_mappings::account_id.eq(account).and(group_mappings::id.eq(id.to_string()))),
    )
    .set((
        group_mappings::roles.eq(serde_json::to_string(&input.roles)?),
        group_mappings::dashboard_workgroups.eq(serde_json::to_string(&input.dashboard.workgroups)?),
        group_mappings::dashboard_ivrs.eq(serde_json::to_string(&input.dashboard.ivrs)?),
        group_mappings::priority.eq(input.priority),
        group_mappings::written_by.eq(Some(input.written_by.to_string())),
        group_mappings::updated_at.eq(to_db_time(now())),
    ))
    .execute(conn)?;
    let after = get(conn, account, id)?;
    audit(conn, account, actor, "group_mapping.update", "group_mapping", id, Some(json!(before)), Some(json!(after)))?;
    Ok(after)
}

pub fn delete(conn: &mut DbConn, account: AccountId, id: Uuid, actor: &Actor) -> StoreResult<GroupMapping> {
    let before = get(conn, account, id)?;
    diesel::delete(
        group_mappings::table.filter(group_mappings::account_id.eq(account).and(group_mappings::id.eq(id.to_string()))),
    )
    .execute(conn)?;
    audit(conn, account, actor, "group_mapping.delete", "group_mapping", id, Some(json!(before)), None)?;
    Ok(before)
}

/// A mapped group as a provider's token may name it: by its workgroup's name, or by the `externalId`
/// the provider gave it through SCIM (Entra's group object id).
#[derive(Clone, Debug)]
pub struct ClaimableGroup {
    pub mapping: GroupMapping,
    pub name: String,
    pub external_id: Option<String>,
}

/// The account's mappings with the names a groups claim may use for them, highest priority first.
pub fn claimable(conn: &mut DbConn, account: AccountId) -> StoreResult<Vec<ClaimableGroup>> {
    use crate::schema::{scim_groups, workgroups};
    let mappings = list(conn, account)?;
    if mappings.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<WorkgroupId> = mappings.iter().map(|m| m.workgroup_id).collect();
    let names: std::collections::HashMap<WorkgroupId, String> = workgroups::table
        .filter(workgroups::account_id.eq(account))
        .filter(workgroups::id.eq_any(&ids))
        .select((workgroups::id, workgroups::name))
        .load::<(WorkgroupId, String)>(conn)?
        .into_iter()
        .collect();
    let mut external: std::collections::HashMap<WorkgroupId, Option<String>> = scim_groups::table
        .filter(scim_groups::account_id.eq(account))
        .filter(scim_groups::workgroup_id.eq_any(&ids))
        .select((scim_groups::workgroup_id, scim_groups::external_id))
        .load::<(WorkgroupId, Option<String>)>(conn)?
        .into_iter()
        .collect();
    Ok(mappings
        .into_iter()
        .filter_map(|mapping| {
            let name = names.get(&mapping.workgroup_id)?.clone();
            let external_id = external.remove(&mapping.workgroup_id).flatten();
            Some(ClaimableGroup { mapping, name, external_id })
        })
        .collect())
}
