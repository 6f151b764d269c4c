//! Reverse lookups (issue 17): who may see a communication or hold a permission. Storage narrows the
//! account's people to candidates in one statement (the people a record's workgroup, number, IVR,
//! participants or roles could open it to), then reads their access in bulk; the core decides each
//! one, exactly as it decides for them on every request.

use crate::common::{now, parse_id, to_db_time};
use crate::db::DbConn;
use crate::error::StoreResult;
use crate::repo::history_sql::{Bind, SqlBuf};
use diesel::QueryableByName;
use diesel::sql_types::Text;
use std::collections::BTreeMap;
use switchboard_core::{AccountId, IvrId, NumberId, RoleId, Subject, UserId, WorkgroupId};

/// A set of people who might hold something: its union is narrowed to active people of the account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Candidates {
    /// Holders (now) of these roles.
    Holding(Vec<RoleId>),
    /// The participants of a communication.
    Participants(switchboard_core::CommunicationId),
    WorkgroupMembers(WorkgroupId),
    NumberUsers(NumberId),
    /// People whose dashboard access (now) names the workgroup.
    DashboardWorkgroup(WorkgroupId),
    DashboardIvr(IvrId),
    Person(UserId),
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    user_id: String,
}

/// The active people of the account in the union of `sets`, by id after `after`, at most `limit`.
pub fn candidates(
    conn: &mut DbConn,
    account: AccountId,
    sets: &[Candidates],
    after: Option<UserId>,
    limit: usize,
) -> StoreResult<Vec<UserId>> {
    let t = to_db_time(now());
    let mut b = SqlBuf::new(conn.backend());
    b.sql("SELECT c.user_id AS user_id FROM (");
    let mut first = true;
    for set in sets {
        if matches!(set, Candidates::Holding(roles) if roles.is_empty()) {
            continue;
        }
        b.sql(if first { "" } else { " UNION " });
        first = false;
        match set {
            Candidates::Holding(roles) => {
                let ids: Vec<String> = roles.iter().map(ToString::to_string).collect();
                b.sql("SELECT x.user_id AS user_id FROM role_assignments x WHERE x.account_id = ").text(account);
                b.sql(" AND x.role_id IN ").list(&ids);
                b.holding(t);
            }
            Candidates::Participants(c) => {
                b.sql("SELECT x.user_id AS user_id FROM communication_participants x WHERE x.account_id = ")
                    .text(account);
                b.sql(" AND x.communication_id = ").text(c);
            }
            Candidates::WorkgroupMembers(w) => {
                b.sql("SELECT x.user_id AS user_id FROM workgroup_members x WHERE x.account_id = ").text(account);
                b.sql(" AND x.workgroup_id = ").text(w);
            }
            Candidates::NumberUsers(n) => {
                b.sql("SELECT x.user_id AS user_id FROM number_users x WHERE x.account_id = ").text(account);
                b.sql(" AND x.number_id = ").text(n);
            }
            Candidates::DashboardWorkgroup(w) => {
                b.sql("SELECT x.user_id AS user_id FROM dashboard_workgroups x WHERE x.account_id = ").text(account);
                b.sql(" AND x.workgroup_id = ").text(w);
                b.holding(t);
            }
            Candidates::DashboardIvr(i) => {
                b.sql("SELECT x.user_id AS user_id FROM dashboard_ivrs x WHERE x.account_id = ").text(account);
                b.sql(" AND x.ivr_id = ").text(i);
                b.holding(t);
            }
            Candidates::Person(u) => {
                b.sql("SELECT CAST(").text(u).sql(" AS TEXT) AS user_id");
            }
        }
    }
    if first {
        return Ok(Vec::new());
    }
    b.sql(") c JOIN users u ON u.account_id = ").text(account);
    b.sql(" AND u.id = c.user_id WHERE u.status = 'active'");
    if let Some(after) = after {
        b.sql(" AND c.user_id > ").text(after);
    }
    b.sql(" ORDER BY c.user_id LIMIT ").bind(Bind::Int(limit as i64));
    let rows: Vec<IdRow> = b.load(conn)?;
    rows.iter().map(|r| parse_id(&r.user_id)).collect()
}

/// Who someone is, for a lookup's answer.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PersonRef {
    pub id: UserId,
    pub email: String,
    pub name: String,
}

/// [`PersonRef`] as stored.
#[derive(diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = crate::schema::users, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct PersonRow {
    id: UserId,
    email: String,
    name: String,
}

/// One page of the active people in `sets` for whom `decide` (given their access as storage has it
/// now) says yes, by id. A page reads candidates in batches until it is full or they run out.
pub fn page_of_people<T>(
    conn: &mut DbConn,
    account: AccountId,
    sets: &[Candidates],
    page: &crate::PageRequest,
    mut decide: impl FnMut(&Subject) -> Option<T>,
) -> StoreResult<crate::Page<(PersonRef, T)>> {
    let limit = usize::try_from(page.effective_limit()).unwrap_or(50);
    let mut after: Option<UserId> = match page.cursor_parts(1)? {
        Some(parts) => Some(parse_id(&parts[0]).map_err(|_| crate::common::bad_cursor())?),
        None => None,
    };
    let batch = (limit * 2).max(64);
    let mut found: Vec<(UserId, T)> = Vec::new();
    let mut more = false;
    'batches: loop {
        let people = candidates(conn, account, sets, after, batch)?;
        let exhausted = people.len() < batch;
        for subject in crate::repo::users::subjects(conn, account, &people)? {
            if found.len() == limit {
                more = true;
                break 'batches;
            }
            after = Some(subject.user_id);
            if let Some(answer) = decide(&subject) {
                found.push((subject.user_id, answer));
            }
        }
        if exhausted {
            break;
        }
    }
    let next_cursor =
        if more { found.last().map(|(id, _)| crate::common::encode_cursor(&[id.to_string()])) } else { None };
    let ids: Vec<UserId> = found.iter().map(|(id, _)| *id).collect();
    use crate::schema::users;
    use diesel::prelude::*;
    let mut refs: BTreeMap<UserId, PersonRow> = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<PersonRow> = users::table
            .filter(users::account_id.eq(account).and(users::id.eq_any(chunk)))
            .select(PersonRow::as_select())
            .load(conn)?;
        refs.extend(rows.into_iter().map(|row| (row.id, row)));
    }
    let items = found
        .into_iter()
        .map(|(id, answer)| {
            let (email, name) = refs.remove(&id).map(|r| (r.email, r.name)).unwrap_or_default();
            (PersonRef { id, email, name }, answer)
        })
        .collect();
    Ok(crate::Page { items, next_cursor })
}

/// Everyone who might see `record`: its participants, the holders of `wide` (roles whose scope opens
/// every record, or selects the record's number), its workgroup's members and dashboard viewers, its
/// number's users, its IVR's dashboard viewers, and the superadmin. A superset: the core decides.
pub fn communication_candidates(
    record: &crate::repo::communications::Communication,
    wide: Vec<RoleId>,
    superadmin: UserId,
) -> Vec<Candidates> {
    let mut sets = vec![Candidates::Participants(record.id), Candidates::Holding(wide), Candidates::Person(superadmin)];
    if let Some(w) = record.workgroup {
        sets.extend([Candidates::WorkgroupMembers(w), Candidates::DashboardWorkgroup(w)]);
    }
    if let Some(n) = record.number {
        sets.push(Candidates::NumberUsers(n));
    }
    if let Some(i) = record.ivr {
        sets.push(Candidates::DashboardIvr(i));
    }
    sets
}
