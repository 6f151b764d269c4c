//! API keys: the secret is shown once by the server and stored here only as a hash; the prefix
//! (non-secret, unique) finds the key when a request presents it.

use crate::common::{Actor, AuditEntry, Page, PageRequest, audit, from_db_time, now, parse_id, to_db_time};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::api_keys;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use switchboard_core::{AccountId, UserId};
use uuid::Uuid;

/// An API key (without its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    pub id: Uuid,
    pub account_id: AccountId,
    pub user_id: UserId,
    pub name: String,
    pub prefix: String,
    /// The hash of the secret, for the server to verify against.
    #[serde(skip)]
    pub secret_hash: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

type KeyRow =
    (String, String, String, String, String, String, NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>);

const COLUMNS: (
    api_keys::account_id,
    api_keys::id,
    api_keys::user_id,
    api_keys::name,
    api_keys::prefix,
    api_keys::secret_hash,
    api_keys::created_at,
    api_keys::last_used_at,
    api_keys::revoked_at,
) = (
    api_keys::account_id,
    api_keys::id,
    api_keys::user_id,
    api_keys::name,
    api_keys::prefix,
    api_keys::secret_hash,
    api_keys::created_at,
    api_keys::last_used_at,
    api_keys::revoked_at,
);

fn key_of(r: KeyRow) -> StoreResult<ApiKey> {
    Ok(ApiKey {
        account_id: parse_id(&r.0)?,
        id: parse_id(&r.1)?,
        user_id: parse_id(&r.2)?,
        name: r.3,
        prefix: r.4,
        secret_hash: r.5,
        created_at: from_db_time(r.6),
        last_used_at: r.7.map(from_db_time),
        revoked_at: r.8.map(from_db_time),
    })
}

/// Stores a new key acting as `user`.
pub fn create(
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    name: &str,
    prefix: &str,
    secret_hash: &str,
    actor: &Actor,
) -> StoreResult<ApiKey> {
    if name.trim().is_empty() || name.chars().count() > 200 {
        return Err(StoreError::invalid_field(
            "name",
            "an API key's name must have 1 to 200 characters, not all blank",
        ));
    }
    if prefix.len() < 6 || secret_hash.is_empty() {
        return Err(StoreError::InvalidInput("an API key needs a prefix of 6+ characters and a hash".into()));
    }
    crate::common::write_tx(conn, |conn| {
        let id = Uuid::new_v4();
        diesel::insert_into(api_keys::table)
            .values((
                api_keys::account_id.eq(account.to_string()),
                api_keys::id.eq(id.to_string()),
                api_keys::user_id.eq(user.to_string()),
                api_keys::name.eq(name.trim()),
                api_keys::prefix.eq(prefix),
                api_keys::secret_hash.eq(secret_hash),
                api_keys::created_at.eq(to_db_time(now())),
            ))
            .execute(conn)?;
        let key = get(conn, account, id)?;
        audit(
            conn,
            AuditEntry {
                account,
                actor,
                action: "api_key.create",
                target_type: "api_key",
                target_id: Some(id.to_string()),
                before: None,
                after: Some(json!(key)),
            },
        )?;
        Ok(key)
    })
}

pub fn get(conn: &mut DbConn, account: AccountId, id: Uuid) -> StoreResult<ApiKey> {
    let row: KeyRow = api_keys::table
        .filter(api_keys::account_id.eq(account.to_string()).and(api_keys::id.eq(id.to_string())))
        .select(COLUMNS)
        .first(conn)
        .optional()?
        .ok_or(StoreError::not_found("api key"))?;
    key_of(row)
}

/// The key with this prefix, across accounts (authentication); revoked keys are returned too, the
/// caller checks `revoked_at`.
pub fn find_by_prefix(conn: &mut DbConn, prefix: &str) -> StoreResult<ApiKey> {
    let row: KeyRow = api_keys::table
        .filter(api_keys::prefix.eq(prefix))
        .select(COLUMNS)
        .first(conn)
        .optional()?
        .ok_or(StoreError::not_found("api key"))?;
    key_of(row)
}

/// Records that the key was used (not audited: it is not a change of configuration).
pub fn touch(conn: &mut DbConn, account: AccountId, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
    diesel::update(
        api_keys::table.filter(api_keys::account_id.eq(account.to_string()).and(api_keys::id.eq(id.to_string()))),
    )
    .set(api_keys::last_used_at.eq(Some(to_db_time(at))))
    .execute(conn)?;
    Ok(())
}

/// The account's keys (or one user's), newest first.
pub fn list(
    conn: &mut DbConn,
    account: AccountId,
    user: Option<UserId>,
    page: &PageRequest,
) -> StoreResult<Page<ApiKey>> {
    let limit = page.effective_limit();
    let mut q = api_keys::table
        .filter(api_keys::account_id.eq(account.to_string()))
        .select(COLUMNS)
        .order((api_keys::created_at.desc(), api_keys::id.desc()))
        .limit(limit + 1)
        .into_boxed();
    if let Some(u) = user {
        q = q.filter(api_keys::user_id.eq(u.to_string()));
    }
    if let Some(c) = page.cursor_parts(2)? {
        let micros: i64 = c[0].parse().map_err(|_| StoreError::InvalidInput("bad cursor".into()))?;
        let at = DateTime::<Utc>::from_timestamp_micros(micros)
            .ok_or_else(|| StoreError::InvalidInput("bad cursor".into()))?;
        let at = to_db_time(at);
        // `<=` first: a range the index can seek to, then the tie-break
        q = q.filter(api_keys::created_at.le(at)).filter(api_keys::created_at.lt(at).or(api_keys::id.lt(c[1].clone())));
    }
    let rows: Vec<KeyRow> = q.load(conn)?;
    let items = rows.into_iter().map(key_of).collect::<StoreResult<Vec<_>>>()?;
    Ok(Page::from_rows(items, limit, |k| vec![k.created_at.timestamp_micros().to_string(), k.id.to_string()]))
}

/// Revokes a key (kept for the record); revoking twice is [`StoreError::NotFound`].
pub fn revoke(conn: &mut DbConn, account: AccountId, id: Uuid, actor: &Actor) -> StoreResult<ApiKey> {
    crate::common::write_tx(conn, |conn| {
        let n = diesel::update(
            api_keys::table
                .filter(api_keys::account_id.eq(account.to_string()).and(api_keys::id.eq(id.to_string())))
                .filter(api_keys::revoked_at.is_null()),
        )
        .set(api_keys::revoked_at.eq(Some(to_db_time(now()))))
        .execute(conn)?;
        if n == 0 {
            return Err(StoreError::not_found("api key"));
        }
        let key = get(conn, account, id)?;
        audit(
            conn,
            AuditEntry {
                account,
                actor,
                action: "api_key.revoke",
                target_type: "api_key",
                target_id: Some(id.to_string()),
                before: None,
                after: Some(json!(key)),
            },
        )?;
        Ok(key)
    })
}
