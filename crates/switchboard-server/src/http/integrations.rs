//! `/v1/api-keys` (seed 001 "Edit API & user keys"): keys acting as their user, shown once, stored hashed.

use crate::access::Caller;
use crate::auth::api_key;
use crate::http::body::Body;
use crate::http::common::{Errors, PageQuery, db, page};
use crate::http::query::Query;
use crate::problem::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use switchboard_core::values::DisplayName;
use switchboard_core::{SectionGrant, SectionKey, UserId};
use switchboard_store::repo::api_keys::{self, ApiKey};
use utoipa::ToSchema;
use uuid::Uuid;

/// An API key; the secret itself is shown only once, when it is created.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: Uuid,
    pub name: String,
    /// The first characters of the key, to recognise it.
    #[schema(example = "sbk_1a2b3c4d5e6f")]
    pub prefix: String,
    /// The user the key acts as.
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// After this instant the key no longer works.
    pub expires_at: Option<DateTime<Utc>>,
    /// The key's limit, as a role's grants; absent: the key acts with all its user's access.
    #[schema(value_type = Option<BTreeMap<SectionKey, SectionGrant>>)]
    pub grants: Option<BTreeMap<String, SectionGrant>>,
}

page!(ApiKeyPage, ApiKeyView);

impl From<ApiKey> for ApiKeyView {
    fn from(k: ApiKey) -> Self {
        ApiKeyView {
            id: k.id,
            name: k.name,
            prefix: api_key::shown_prefix(&k.prefix),
            user_id: k.user_id,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
            expires_at: k.expires_at,
            grants: k.grants,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKey {
    pub name: DisplayName,
    /// When the key stops working (in the future); default: never.
    pub expires_at: Option<DateTime<Utc>>,
    /// Limits the key to these grants (section → level and rights, as in a role), never more than
    /// its user holds; default: the key acts with all its user's access. Either way a key never
    /// changes passwords, emails or keys, nor its own user's roles or status.
    #[schema(value_type = Option<BTreeMap<SectionKey, SectionGrant>>)]
    pub grants: Option<BTreeMap<String, SectionGrant>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    /// Send it as `X-Api-Key`. It is not stored and can't be shown again.
    pub key: String,
    #[serde(flatten)]
    pub api_key: ApiKeyView,
}

/// Lists the account's API keys.
#[utoipa::path(operation_id = "list_api_keys", tag = "integrations", security(("bearer" = []), ("api_key" = [])),
    params(PageQuery), responses((status = 200, description = "A page of keys", body = ApiKeyPage), Errors))]
#[get("/api-keys")]
pub async fn list_api_keys(
    caller: Caller,
    state: web::Data<AppState>,
    query: Query<PageQuery>,
) -> Result<web::Json<ApiKeyPage>, ApiError> {
    caller.require("integrations.api.keys", &state.metrics)?;
    let page = query.request()?;
    let list =
        db(&state, move |_, conn| Ok(api_keys::list(conn, caller.account.id, api_keys::KeyPurpose::Api, None, &page)?))
            .await?;
    Ok(web::Json(ApiKeyPage::map(list, ApiKeyView::from)))
}

/// Creates an API key acting as the caller.
#[utoipa::path(operation_id = "create_api_key", tag = "integrations", security(("bearer" = []), ("api_key" = [])),
    request_body = NewApiKey, responses((status = 201, description = "Created; the key is shown once", body = CreatedApiKey), Errors))]
#[post("/api-keys")]
pub async fn create_api_key(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<NewApiKey>,
) -> Result<HttpResponse, ApiError> {
    let NewApiKey { name, expires_at, grants } = body.parse()?;
    let generated = api_key::generate();
    let (prefix, hash) = (generated.prefix.clone(), generated.hash.clone());
    let stored = service::run(&state, caller, move |cx| {
        let new = api_keys::NewApiKey {
            name: &name,
            prefix: &prefix,
            secret_hash: &hash,
            expires_at,
            grants: grants.as_ref(),
            purpose: api_keys::KeyPurpose::Api,
        };
        service::api_keys::create(cx, &new)
    })
    .await?;
    Ok(HttpResponse::Created().json(CreatedApiKey { key: generated.key, api_key: stored.into() }))
}

/// Revokes an API key at once. Revoking another user's key is a change to that user.
#[utoipa::path(operation_id = "revoke_api_key", tag = "integrations", security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The key's id")), responses((status = 204, description = "Revoked"), Errors))]
#[delete("/api-keys/{id}")]
pub async fn revoke_api_key(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    service::run(&state, caller, move |cx| service::api_keys::revoke(cx, id, api_keys::KeyPurpose::Api)).await?;
    Ok(HttpResponse::NoContent().finish())
}
