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

/// One account's due grants, under its change lock.
fn expire_in(conn: &mut DbConn, account: AccountId, t: NaiveDateTime) -> StoreResult<usize> {
    let a = account.to_string();
    let mut people: BTreeSet<String> = BTreeSet::new();
    let mut ended = 0;
    let roles: Vec<(String, String, Option<NaiveDateTime>)> = role_assignments::table
        .filter(role_assignments::account_id.eq(&a).and(role_assignments::expires_at.le(t)))
        .select((role_assignments::user_id, role_assignments::role_id, role_assignments::expires_at))
        .load(conn)?;
    for (user, role, at) in roles {
        let mine = role_assignments::account_id
            .eq(&a)
            .and(role_assignments::user_id.eq(&user))
            .and(role_assignments::role_id.eq(&role))
            .and(role_assignments::expires_at.le(t));
        if diesel::delete(role_assignments::table.filter(mine)).execute(conn)? == 1 {
            let before = json!({"role": role, "expires_at": at.map(from_db_time)});
            audit_event(
                conn,
                account,
                &Actor::System,
                "role_assignment.expired",
                "user",
                user.clone(),
                Some(before),
                None,
            )?;
            people.insert(user);
            ended += 1;
        }
    }
    let wgs: Vec<(String, String, Option<NaiveDateTime>)> = dashboard_workgroups::table
        .filter(dashboard_workgroups::account_id.eq(&a).and(dashboard_workgroups::expires_at.le(t)))
        .select((dashboard_workgroups::user_id, dashboard_workgroups::workgroup_id, dashboard_workgroups::expires_at))
        .load(conn)?;
    for (user, workgroup, at) in wgs {
        let mine = dashboard_workgroups::account_id
            .eq(&a)
            .and(dashboard_workgroups::user_id.eq(&user))
            .and(dashboard_workgroups::workgroup_id.eq(&workgroup))
            .and(dashboard_workgroups::expires_at.le(t));
        if diesel::delete(dashboard_workgroups::table.filter(mine)).execute(conn)? == 1 {
            let before = json!({"workgroup": workgroup, "expires_at": at.map(from_db_time)});
            audit_event(
                conn,
                account,
                &Actor::System,
                "dashboard_access.expired",
                "user",
                user.clone(),
                Some(before),
                None,
            )?;
            people.insert(user);
            ended += 1;
        }
    }
    let ivrs: Vec<(String, String, Option<NaiveDateTime>)> = dashboard_ivrs::table
        .filter(dashboard_ivrs::account_id.eq(&a).and(dashboard_ivrs::expires_at.le(t)))
        .select((dashboard_ivrs::user_id, dashboard_ivrs::ivr_id, dashboard_ivrs::expires_at))
        .load(conn)?;
    for (user, ivr, at) in ivrs {
        let mine = dashboard_ivrs::account_id
            .eq(&a)
            .and(dashboard_ivrs::user_id.eq(&user))
            .and(dashboard_ivrs::ivr_id.eq(&ivr))
            .and(dashboard_ivrs::expires_at.le(t));
        if diesel::delete(dashboard_ivrs::table.filter(mine)).execute(conn)? == 1 {
            let before = json!({"ivr": ivr, "expires_at": at.map(from_db_time)});
            audit_event(
                conn,
                account,
                &Actor::System,
                "dashboard_access.expired",
                "user",
                user.clone(),
                Some(before),
                None,
            )?;
            people.insert(user);
            ended += 1;
        }
    }
    for user in &people {
        users::bump_version(conn, account, parse_id::<UserId>(user)?, None)?;
    }
    if ended > 0 {
        bump_access_version(conn, account)?;
    }
    Ok(ended)
}
