//! Time-bound grants ending (issue 17). Decisions never depend on this: they read only the grants
//! holding now. This sweep removes the grants whose time is up, one audit event each, so the audit log
//! says when access ended and lists stop showing it.
//!
//! Each account is swept under its change lock, in one transaction: instances sweeping at once
//! serialise, and the later one finds nothing left to do.

use crate::common::{Actor, audit_event, bump_access_version, from_db_time, now, parse_id, to_db_time};
use crate::db::DbConn;
use crate::error::StoreResult;
use crate::repo::{accounts, users};
use crate::schema::{dashboard_ivrs, dashboard_workgroups, role_assignments};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;
use std::collections::BTreeSet;
use switchboard_core::{AccountId, UserId};

/// Ends every grant due by now; returns how many ended.
pub fn expire_due(conn: &mut DbConn) -> StoreResult<usize> {
    let t = to_db_time(now());
    let mut due_accounts: BTreeSet<String> = BTreeSet::new();
    due_accounts.extend(
        role_assignments::table
            .filter(role_assignments::expires_at.le(t))
            .select(role_assignments::account_id)
            .distinct()
            .load::<String>(conn)?,
    );
    due_accounts.extend(
        dashboard_workgroups::table
            .filter(dashboard_workgroups::expires_at.le(t))
            .select(dashboard_workgroups::account_id)
            .distinct()
            .load::<String>(conn)?,
    );
    due_accounts.extend(
        dashboard_ivrs::table
            .filter(dashboard_ivrs::expires_at.le(t))
            .select(dashboard_ivrs::account_id)
            .distinct()
            .load::<String>(conn)?,
    );
    let mut ended = 0;
    for account in due_accounts {
        let account: AccountId = parse_id(&account)?;
        ended += accounts::change(conn, account, |conn, _| expire_in(conn, account, t))?;
    }
    Ok(ended)
}

/// Removes `$table`'s rows of the account due at `$t`, each re-checked as it is deleted (a row another
/// sweep removed meanwhile is not audited twice), with one audit event naming the person, the
/// `$member` (role, workgroup or IVR) under `$key`, and when it expired.
macro_rules! expire_rows {
    ($conn:expr, $account:expr, $t:expr, $people:expr, $table:ident, $member:ident, $key:literal, $action:literal) => {{
        let a = $account.to_string();
        let due: Vec<(String, String, Option<NaiveDateTime>)> = $table::table
            .filter($table::account_id.eq(&a).and($table::expires_at.le($t)))
            .select(($table::user_id, $table::$member, $table::expires_at))
            .load(&mut *$conn)?;
        let mut ended = 0;
        for (user, member, at) in due {
            let mine = $table::account_id
                .eq(&a)
                .and($table::user_id.eq(&user))
                .and($table::$member.eq(&member))
                .and($table::expires_at.le($t));
            if diesel::delete($table::table.filter(mine)).execute(&mut *$conn)? == 1 {
                let before = json!({$key: member, "expires_at": at.map(from_db_time)});
                audit_event($conn, $account, &Actor::System, $action, "user", user.clone(), Some(before), None)?;
                $people.insert(user);
                ended += 1;
            }
        }
        ended
    }};
}

/// One account's due grants, under its change lock.
fn expire_in(conn: &mut DbConn, account: AccountId, t: NaiveDateTime) -> StoreResult<usize> {
    let mut people: BTreeSet<String> = BTreeSet::new();
    let ended = expire_rows!(conn, account, t, people, role_assignments, role_id, "role", "role_assignment.expired")
        + expire_rows!(
            conn,
            account,
            t,
            people,
            dashboard_workgroups,
            workgroup_id,
            "workgroup",
            "dashboard_access.expired"
        )
        + expire_rows!(conn, account, t, people, dashboard_ivrs, ivr_id, "ivr", "dashboard_access.expired");
    for user in &people {
        users::bump_version(conn, account, parse_id::<UserId>(user)?, None)?;
    }
    if ended > 0 {
        bump_access_version(conn, account)?;
    }
    Ok(ended)
}
