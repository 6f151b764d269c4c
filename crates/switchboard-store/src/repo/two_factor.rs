//! Two-factor sign-in records: a user's sealed TOTP secret (the server seals and opens it; the store
//! never sees it in clear), whether it was confirmed, the last step used, and the hashes of unused
//! recovery codes.

use crate::common::{Actor, audit, bump_access_version, from_db_time, now, to_db_time};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::two_factor;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;
use switchboard_core::{AccountId, UserId};

/// A user's two-factor record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TwoFactor {
    pub sealed_secret: String,
    /// `None` until a code matched: until then sign-in does not ask for one.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The last step a code was accepted for: a code works once.
    pub last_step: i64,
    pub recovery_hashes: Vec<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = two_factor, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct TwoFactorRow {
    sealed_secret: String,
    confirmed_at: Option<NaiveDateTime>,
    last_step: i64,
    recovery_hashes: String,
}

/// The user's row.
macro_rules! mine {
    ($account:expr, $user:expr) => {
        two_factor::table.filter(two_factor::account_id.eq($account).and(two_factor::user_id.eq($user)))
    };
}

/// The user's record, if they enrolled.
pub fn get(conn: &mut DbConn, account: AccountId, user: UserId) -> StoreResult<Option<TwoFactor>> {
    let row: Option<TwoFactorRow> = mine!(account, user).select(TwoFactorRow::as_select()).first(conn).optional()?;
    row.map(|r| {
        Ok(TwoFactor {
            sealed_secret: r.sealed_secret,
            confirmed_at: r.confirmed_at.map(from_db_time),
            last_step: r.last_step,
            recovery_hashes: serde_json::from_str(&r.recovery_hashes)?,
        })
    })
    .transpose()
}

/// Starts (or restarts) an enrolment; refused while a confirmed one is on.
pub fn enroll(
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    sealed_secret: &str,
    recovery_hashes: &[String],
    actor: &Actor,
) -> StoreResult<()> {
    crate::common::write_tx(conn, |conn| {
        if get(conn, account, user)?.is_some_and(|t| t.confirmed_at.is_some()) {
            return Err(StoreError::Conflict {
                field: None,
                message: "two-factor sign-in is already on: turn it off first".into(),
            });
        }
        diesel::delete(mine!(account, user)).execute(conn)?;
        diesel::insert_into(two_factor::table)
            .values((
                two_factor::account_id.eq(account),
                two_factor::user_id.eq(user),
                two_factor::sealed_secret.eq(sealed_secret),
                two_factor::recovery_hashes.eq(serde_json::to_string(recovery_hashes)?),
                two_factor::created_at.eq(to_db_time(now())),
            ))
            .execute(conn)?;
        audit(conn, account, actor, "two_factor.enroll", "user", user, None, None)
    })
}

/// Marks the enrolment confirmed by a code of `step`.
pub fn confirm(conn: &mut DbConn, account: AccountId, user: UserId, step: i64, actor: &Actor) -> StoreResult<()> {
    crate::common::write_tx(conn, |conn| {
        let n = diesel::update(mine!(account, user))
            .set((two_factor::confirmed_at.eq(Some(to_db_time(now()))), two_factor::last_step.eq(step)))
            .execute(conn)?;
        if n == 0 {
            return Err(StoreError::not_found("two-factor enrolment"));
        }
        // Caches hold whether a person has two factors: they are read again.
        bump_access_version(conn, account)?;
        audit(conn, account, actor, "two_factor.confirm", "user", user, None, None)
    })
}

/// Uses the code of `step`: true once, false for a step at or before the last one used (a replay).
pub fn use_step(conn: &mut DbConn, account: AccountId, user: UserId, step: i64) -> StoreResult<bool> {
    let n = diesel::update(mine!(account, user).filter(two_factor::last_step.lt(step)))
        .set(two_factor::last_step.eq(step))
        .execute(conn)?;
    Ok(n == 1)
}

/// Uses a recovery code (by its hash): true once.
pub fn use_recovery(
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    hash: &str,
    actor: &Actor,
) -> StoreResult<bool> {
    crate::common::write_tx(conn, |conn| {
        let Some(record) = get(conn, account, user)? else { return Ok(false) };
        let Some(position) = record.recovery_hashes.iter().position(|h| h == hash) else { return Ok(false) };
        let mut left = record.recovery_hashes;
        left.remove(position);
        diesel::update(mine!(account, user))
            .set(two_factor::recovery_hashes.eq(serde_json::to_string(&left)?))
            .execute(conn)?;
        let after = json!({"recovery_codes_left": left.len()});
        audit(conn, account, actor, "two_factor.recovery_code", "user", user, None, Some(after))?;
        Ok(true)
    })
}

/// Turns two-factor sign-in off for the user (their own choice, or an admin's reset).
pub fn remove(conn: &mut DbConn, account: AccountId, user: UserId, actor: &Actor) -> StoreResult<()> {
    crate::common::write_tx(conn, |conn| {
        let n = diesel::delete(mine!(account, user)).execute(conn)?;
        if n == 0 {
            return Err(StoreError::not_found("two-factor enrolment"));
        }
        bump_access_version(conn, account)?;
        audit(conn, account, actor, "two_factor.remove", "user", user, None, None)
    })
}
