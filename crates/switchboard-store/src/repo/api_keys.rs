//! API keys: the secret is shown once by the server and stored here only as a hash; the prefix
//! (non-secret, unique) finds the key when a request presents it.

use crate::common::{Actor, Page, PageRequest, audit, from_db_time, now, parse_id, to_db_time};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::schema::api_keys;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use switchboard_core::{AccountId, SectionGrant, UserId};
use uuid::Uuid;

/// What a key is for: the API (`/v1`, as `X-Api-Key`) or an identity provider's SCIM client
/// (`/scim/v2` only). A key never works where it is not for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyPurpose {
    Api,
    Scim,
}

impl KeyPurpose {
    fn as_str(self) -> &'static str {
        match self {
            KeyPurpose::Api => "api",
            KeyPurpose::Scim => "scim",
        }
    }

    fn parse(stored: &str) -> StoreResult<KeyPurpose> {
        match stored {
            "api" => Ok(KeyPurpose::Api),
            "scim" => Ok(KeyPurpose::Scim),
            other => Err(StoreError::InvalidInput(format!("stored key purpose `{other}` is not known"))),
        }
    }

    /// The audit log's word for such a key (`api_key`, `scim_token`).
    pub fn audit_kind(self) -> &'static str {
        match self {
            KeyPurpose::Api => "api_key",
            KeyPurpose::Scim => "scim_token",
        }
    }
}

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
    /// After this instant the key no longer works.
    pub expires_at: Option<DateTime<Utc>>,
    /// The key's limit, as a role's grants (section → level and rights); `None`: its user's access.
    pub grants: Option<BTreeMap<String, SectionGrant>>,
    pub purpose: KeyPurpose,
}

impl ApiKey {
    /// Whether the key may be used at `now`: not revoked, not expired.
    pub fn usable_at(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|end| now < end)
    }
}

/// A key to store: its secret arrives hashed.
#[derive(Clone, Debug)]
pub struct NewApiKey<'a> {
    pub name: &'a str,
    pub prefix: &'a str,
    pub secret_hash: &'a str,
    pub expires_at: Option<DateTime<Utc>>,
    pub grants: Option<&'a BTreeMap<String, SectionGrant>>,
    pub purpose: KeyPurpose,
}

/// A row of `api_keys`, as read.
#[derive(Queryable, Selectable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct KeyRow {
    account_id: AccountId,
    id: String,
    user_id: UserId,
    name: String,
    prefix: String,
    secret_hash: String,
    created_at: NaiveDateTime,
    last_used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
    expires_at: Option<NaiveDateTime>,
    grants: Option<String>,
    purpose: String,
}
fn key_of(r: KeyRow) -> StoreResult<ApiKey> {
    Ok(ApiKey {
        account_id: r.account_id,
        id: parse_id(&r.id)?,
        user_id: r.user_id,
        name: r.name,
        prefix: r.prefix,
        secret_hash: r.secret_hash,
        created_at: from_db_time(r.created_at),
        last_used_at: r.last_used_at.map(from_db_time),
        revoked_at: r.revoked_at.map(from_db_time),
        expires_at: r.expires_at.map(from_db_time),
        grants: r.grants.map(|g| serde_json::from_str(&g)).transpose()?,
        purpose: KeyPurpose::parse(&r.purpose)?,
    })
}

/// Stores a new key acting as `user`.
pub fn create(
    conn: &mut DbConn,
    account: AccountId,
    user: UserId,
    new: &NewApiKey<'_>,
    actor: &Actor,
) -> StoreResult<ApiKey> {
    let NewApiKey { name, prefix, secret_hash, expires_at, grants, purpose } = new.clone();
    crate::common::check_name(name)?;
    let grants = grants.map(serde_json::to_string).transpose()?;
    if prefix.len() < 6 || secret_hash.is_empty() {
        return Err(StoreError::InvalidInput("an API key needs a prefix of 6+ characters and a hash".into()));
    }
    crate::common::write_tx(conn, |conn| {
        let id = Uuid::new_v4();
        diesel::insert_into(api_keys::table)
            .values((
                api_keys::account_id.eq(account),
                api_keys::id.eq(id.to_string()),
                api_keys::user_id.eq(user),
                api_keys::name.eq(name.trim()),
                api_keys::prefix.eq(prefix),
                api_keys::secret_hash.eq(secret_hash),
                api_keys::created_at.eq(to_db_time(now())),
                api_keys::expires_at.eq(expires_at.map(to_db_time)),
                api_keys::grants.eq(grants.as_deref()),
                api_keys::purpose.eq(purpose.as_str()),
            ))
            .execute(conn)?;
        let key = get(conn, account, id)?;
        let kind = purpose.audit_kind();
        audit(conn, account, actor, &format!("{kind}.create"), kind, id, None, Some(json!(key)))?;
        Ok(key)
    })
}

pub fn get(conn: &mut DbConn, account: AccountId, id: Uuid) -> StoreResult<ApiKey> {
    let row = crate::common::find_row!(conn, api_keys, account, id.to_string(), KeyRow, "api key");
    key_of(row)
}

/// The key with this prefix, across accounts (authentication); revoked keys are returned too, the
/// caller checks `revoked_at`.
pub fn find_by_prefix(conn: &mut DbConn, prefix: &str) -> StoreResult<ApiKey> {
    let row: KeyRow = api_keys::table
        .filter(api_keys::prefix.eq(prefix))
        .select(KeyRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::not_found("api key"))?;
    key_of(row)
}

/// The prefixes of the account's keys among `ids` (revoked ones too), for showing which key acted.
pub fn prefixes(conn: &mut DbConn, account: AccountId, ids: &[Uuid]) -> StoreResult<BTreeMap<Uuid, String>> {
    let wanted: Vec<String> = crate::common::ids(ids).iter().map(Uuid::to_string).collect();
    let mut found = BTreeMap::new();
    for chunk in wanted.chunks(500) {
        let rows: Vec<(String, String)> = api_keys::table
            .filter(api_keys::account_id.eq(account).and(api_keys::id.eq_any(chunk)))
            .select((api_keys::id, api_keys::prefix))
            .load(conn)?;
        for (id, prefix) in rows {
            found.insert(parse_id(&id)?, prefix);
        }
    }
    Ok(found)
}

/// Records that the key was used (not audited: it is not a change of configuration).
pub fn touch(conn: &mut DbConn, account: AccountId, id: Uuid, at: DateTime<Utc>) -> StoreResult<()> {
    diesel::update(api_keys::table.filter(api_keys::account_id.eq(account).and(api_keys::id.eq(id.to_string()))))
        .set(api_keys::last_used_at.eq(Some(to_db_time(at))))
        .execute(conn)?;
    Ok(())
}

/// The account's keys for `purpose` (or one user's), newest first.
pub fn list(
    conn: &mut DbConn,
    account: AccountId,
    purpose: KeyPurpose,
    user: Option<UserId>,
    page: &PageRequest,
) -> StoreResult<Page<ApiKey>> {
    let limit = page.effective_limit();
    let mut q = api_keys::table
        .filter(api_keys::account_id.eq(account))
        .filter(api_keys::purpose.eq(purpose.as_str()))
        .select(KeyRow::as_select())
        .order((api_keys::created_at.desc(), api_keys::id.desc()))
        .limit(limit + 1)
        .into_boxed();
    if let Some(u) = user {
        q = q.filter(api_keys::user_id.eq(u));
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

/// Revokes a key of `purpose` (kept for the record); revoking twice, or a key of another purpose,
/// is [`StoreError::NotFound`].
pub fn revoke(
    conn: &mut DbConn,
    account: AccountId,
    purpose: KeyPurpose,
    id: Uuid,
    actor: &Actor,
) -> StoreResult<ApiKey> {
    crate::common::write_tx(conn, |conn| {
        let n = diesel::update(
            api_keys::table
                .filter(api_keys::account_id.eq(account).and(api_keys::id.eq(id.to_string())))
                .filter(api_keys::purpose.eq(purpose.as_str()))
                .filter(api_keys::revoked_at.is_null()),
        )
        .set(api_keys::revoked_at.eq(Some(to_db_time(now()))))
        .execute(conn)?;
        if n == 0 {
            return Err(StoreError::not_found("api key"));
        }
        let key = get(conn, account, id)?;
        let kind = purpose.audit_kind();
        audit(conn, account, actor, &format!("{kind}.revoke"), kind, id, None, Some(json!(key)))?;
        Ok(key)
    })
}
