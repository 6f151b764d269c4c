//! Signed-in sessions. Every token Switchboard mints names one; a session ends when its user signs
//! out, ends it from their list, changes or has their password reset, is disabled, or loses
//! authority. Ending sessions moves the account's access version on, so every instance drops what
//! it cached of the account (within its refresh bound) and the ended session's token is refused.

use crate::common::{Actor, audit, bump_access_version, from_db_time, now, parse_id, to_db_time};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::sessions;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use switchboard_core::{AccountId, UserId};
use uuid::Uuid;

/// Why a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndedWhy {
    /// Its user signed out.
    SignedOut,
    /// Its user ended it from their list of sessions.
    EndedByUser,
    /// The user's password was changed or reset.
    PasswordChanged,
    /// The user was disabled.
    Disabled,
    /// The user lost authority (a role that managed people, roles or keys).
    AccessReduced,
    /// An admin reset the user's two-factor sign-in.
    TwoFactorReset,
}

impl EndedWhy {
    pub fn as_str(self) -> &'static str {
        match self {
            EndedWhy::SignedOut => "signed_out",
            EndedWhy::EndedByUser => "ended_by_user",
            EndedWhy::PasswordChanged => "password_changed",
            EndedWhy::Disabled => "disabled",
            EndedWhy::AccessReduced => "access_reduced",
            EndedWhy::TwoFactorReset => "two_factor_reset",
        }
    }
}

/// A session as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Session {
    pub id: Uuid,
    pub account_id: AccountId,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub ended_why: Option<String>,
}

/// A row of `sessions`, as read.
#[derive(Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct SessionRow {
    account_id: AccountId,
    id: String,
    user_id: UserId,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    ended_at: Option<NaiveDateTime>,
    ended_why: Option<String>,
}

fn session_of(r: SessionRow) -> StoreResult<Session> {
    Ok(Session {
        id: parse_id(&r.id)?,
        account_id: r.account_id,
        user_id: r.user_id,
        created_at: from_db_time(r.created_at),
        expires_at: from_db_time(r.expires_at),
        ended_at: r.ended_at.map(from_db_time),
        ended_why: r.ended_why,
    })
}

/// How long an ended or expired session is kept for its user's list before it is pruned.
const KEPT_AFTER_END: Duration = Duration::days(7);

/// Starts a session for `user` that lasts until `expires_at`; prunes the user's sessions that ended
/// or expired long ago.
pub fn start(conn: &mut DbConn, account: AccountId, user: UserId, expires_at: DateTime<Utc>) -> StoreResult<Session> {
    let id = Uuid::new_v4();
    let at = now();
    let old = to_db_time(at - KEPT_AFTER_END);
    let mine = sessions::account_id.eq(account).and(sessions::user_id.eq(user));
    diesel::delete(sessions::table.filter(mine).filter(sessions::expires_at.lt(old).or(sessions::ended_at.lt(old))))
        .execute(conn)?;
    // the access review's "last sign-in"
    diesel::update(
        crate::schema::users::table
            .filter(crate::schema::users::account_id.eq(account))
            .filter(crate::schema::users::id.eq(user)),
    )
    .set(crate::schema::users::last_sign_in_at.eq(Some(to_db_time(at))))
    .execute(conn)?;
    diesel::insert_into(sessions::table)
        .values((
            sessions::account_id.eq(account),
            sessions::id.eq(id.to_string()),
            sessions::user_id.eq(user),
            sessions::created_at.eq(to_db_time(at)),
            sessions::expires_at.eq(to_db_time(expires_at)),
        ))
        .execute(conn)?;
    Ok(Session { id, account_id: account, user_id: user, created_at: at, expires_at, ended_at: None, ended_why: None })
}

/// The user's sessions that have neither ended nor expired at `at`, newest first.
pub fn active(conn: &mut DbConn, account: AccountId, user: UserId, at: DateTime<Utc>) -> StoreResult<Vec<Session>> {
    let rows: Vec<SessionRow> = sessions::table
        .filter(sessions::account_id.eq(account).and(sessions::user_id.eq(user)))
        .filter(sessions::ended_at.is_null().and(sessions::expires_at.gt(to_db_time(at))))
        .select(SessionRow::as_select())
        .order((sessions::created_at.desc(), sessions::id.desc()))
        .load(conn)?;
    rows.into_iter().map(session_of).collect()
}

/// Ends one of the user's active sessions ([`StoreError::NotFound`] when they have no such one).
pub fn end(
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    id: Uuid,
    why: EndedWhy,
    actor: &Actor,
) -> StoreResult<()> {
    crate::common::write_tx(conn, |conn| {
        let n = diesel::update(
            sessions::table
                .filter(sessions::account_id.eq(account).and(sessions::user_id.eq(user)))
                .filter(sessions::id.eq(id.to_string()).and(sessions::ended_at.is_null())),
        )
        .set((sessions::ended_at.eq(Some(to_db_time(now()))), sessions::ended_why.eq(Some(why.as_str()))))
        .execute(conn)?;
        if n == 0 {
            return Err(StoreError::not_found("session"));
        }
        bump_access_version(conn, account)?;
        let after = json!({"session": id, "ended": why});
        audit(conn, account, actor, "session.end", "user", user, None, Some(after))
    })
}

/// Ends every active session of the user but `keep` (the one making the change, when it is their
/// own). Gives how many ended; the account's access version moves on when any did.
pub fn end_all(
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    keep: Option<Uuid>,
    why: EndedWhy,
    actor: &Actor,
) -> StoreResult<usize> {
    crate::common::write_tx(conn, |conn| {
        let keep = keep.map(|k| k.to_string()).unwrap_or_default();
        let n = diesel::update(
            sessions::table
                .filter(sessions::account_id.eq(account).and(sessions::user_id.eq(user)))
                .filter(sessions::ended_at.is_null().and(sessions::id.ne(keep))),
        )
        .set((sessions::ended_at.eq(Some(to_db_time(now()))), sessions::ended_why.eq(Some(why.as_str()))))
        .execute(conn)?;
        if n > 0 {
            bump_access_version(conn, account)?;
            let after = json!({"sessions_ended": n, "ended": why});
            audit(conn, account, actor, "session.end_all", "user", user, None, Some(after))?;
        }
        Ok(n)
    })
}
