//! Time-bound grants starting and ending (issues 17 and 19). Decisions never depend on this: they
//! read only the grants holding now. This sweep announces each grant that has started (an audit
//! event, and so a change event) and removes the grants whose time is up, one audit event each, so
//! the audit log and every event receiver learn when access began and ended, and lists stop showing
//! it.
//!
//! Each account is swept under its change lock, in one transaction: instances sweeping at once
//! serialise, and the later one finds nothing left to do.

use crate::common::{Actor, audit, bump_access_version, from_db_time, now, to_db_time};
use crate::db::DbConn;
use crate::error::StoreResult;
use crate::repo::{accounts, users};
use crate::schema::{dashboard_ivrs, dashboard_workgroups, role_assignments};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;
use std::collections::BTreeSet;
use switchboard_core::{AccountId, IvrId, RoleId, UserId, WorkgroupId};

/// One person's time-bound hold on a role, workgroup or IVR (`member`), as the sweep reads it.
#[derive(Queryable)]
struct Hold<Member> {
    user: UserId,
    member: Member,
    starts_at: Option<NaiveDateTime>,
    expires_at: Option<NaiveDateTime>,
}

/// The columns a [`Hold`] is read from.
macro_rules! hold_columns {
    ($table:ident, $member:ident) => {
        ($table::user_id, $table::$member, $table::starts_at, $table::expires_at)
    };
}

/// The accounts with rows of `$table` due by `$t`: started and not announced yet, or ending (one
/// query each, so that each can use its index).
macro_rules! due_accounts {
    ($conn:expr, $table:ident, $t:expr) => {{
        let starting = $table::start_announced.eq(false).and($table::starts_at.le($t));
        let mut accounts: Vec<AccountId> =
            $table::table.filter(starting).select($table::account_id).distinct().load(&mut *$conn)?;
        accounts.extend(
            $table::table
                .filter($table::expires_at.le($t))
                .select($table::account_id)
                .distinct()
                .load::<AccountId>(&mut *$conn)?,
        );
        accounts
    }};
}

/// Announces every grant started by now and ends every grant due by now; returns how many ended.
pub fn expire_due(conn: &mut DbConn) -> StoreResult<usize> {
    let t = to_db_time(now());
    let mut due_accounts: BTreeSet<AccountId> = BTreeSet::new();
    due_accounts.extend(due_accounts!(conn, role_assignments, t));
    due_accounts.extend(due_accounts!(conn, dashboard_workgroups, t));
    due_accounts.extend(due_accounts!(conn, dashboard_ivrs, t));
    let mut ended = 0;
    for account in due_accounts {
        ended += accounts::change(conn, account, |conn, _| expire_in(conn, account, t))?;
    }
    Ok(ended)
}

/// Removes `$table`'s rows of the account due at `$t`, each re-checked as it is deleted (a row another
/// sweep removed meanwhile is not audited twice), with one audit event naming the person, the
/// `$member` (role, workgroup or IVR) under `$key`, and when it expired.
macro_rules! expire_rows {
    ($conn:expr, $account:expr, $t:expr, $people:expr, $table:ident, $member:ident: $Member:ty, $key:literal, $action:literal) => {{
        let a = $account;
        let due: Vec<Hold<$Member>> = $table::table
            .filter($table::account_id.eq(a).and($table::expires_at.le($t)))
            .select(hold_columns!($table, $member))
            .load(&mut *$conn)?;
        let mut ended = 0;
        for Hold { user, member, expires_at, .. } in due {
            let mine = $table::account_id
                .eq(a)
                .and($table::user_id.eq(user))
                .and($table::$member.eq(member))
                .and($table::expires_at.le($t));
            if diesel::delete($table::table.filter(mine)).execute(&mut *$conn)? == 1 {
                let before = json!({$key: member, "expires_at": expires_at.map(from_db_time)});
                audit($conn, $account, &Actor::System, $action, "user", user, Some(before), None)?;
                $people.insert(user);
                ended += 1;
            }
        }
        ended
    }};
}

/// Marks `$table`'s rows of the account that started by `$t` as announced, each re-checked as it is
/// marked (a row another sweep announced meanwhile is not announced twice), with one audit event
/// naming the person, the `$member` under `$key`, and its bounds.
macro_rules! announce_starts {
    ($conn:expr, $account:expr, $t:expr, $table:ident, $member:ident: $Member:ty, $key:literal, $action:literal) => {{
        let a = $account;
        let started: Vec<Hold<$Member>> = $table::table
            .filter($table::account_id.eq(a).and($table::start_announced.eq(false)).and($table::starts_at.le($t)))
            .select(hold_columns!($table, $member))
            .load(&mut *$conn)?;
        for Hold { user, member, starts_at, expires_at } in started {
            let mine = $table::account_id
                .eq(a)
                .and($table::user_id.eq(user))
                .and($table::$member.eq(member))
                .and($table::start_announced.eq(false));
            if diesel::update($table::table.filter(mine)).set($table::start_announced.eq(true)).execute(&mut *$conn)?
                == 1
            {
                let after = json!({
                    $key: member,
                    "starts_at": starts_at.map(from_db_time),
                    "expires_at": expires_at.map(from_db_time),
                });
                audit($conn, $account, &Actor::System, $action, "user", user, None, Some(after))?;
            }
        }
    }};
}

/// One account's started and due grants, under its change lock.
fn expire_in(conn: &mut DbConn, account: AccountId, t: NaiveDateTime) -> StoreResult<usize> {
    announce_starts!(conn, account, t, role_assignments, role_id: RoleId, "role", "role_assignment.started");
    announce_starts!(conn, account, t, dashboard_workgroups, workgroup_id: WorkgroupId, "workgroup", "dashboard_access.started");
    announce_starts!(conn, account, t, dashboard_ivrs, ivr_id: IvrId, "ivr", "dashboard_access.started");
    let mut people: BTreeSet<UserId> = BTreeSet::new();
    let ended = expire_rows!(conn, account, t, people, role_assignments, role_id: RoleId, "role", "role_assignment.expired")
        + expire_rows!(
            conn,
            account,
            t,
            people,
            dashboard_workgroups,
            workgroup_id: WorkgroupId,
            "workgroup",
            "dashboard_access.expired"
        )
        + expire_rows!(conn, account, t, people, dashboard_ivrs, ivr_id: IvrId, "ivr", "dashboard_access.expired");
    for user in &people {
        users::bump_version(conn, account, *user, None)?;
    }
    if ended > 0 {
        bump_access_version(conn, account)?;
    }
    Ok(ended)
}
