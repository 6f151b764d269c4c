//! `/v1/scim-tokens`: the tokens an identity provider (Okta, Entra ID…) provisions people with at
//! `/scim/v2`. A token acts as the person who made it, so the provider may do no more than they may;
//! it is shown once, stored hashed, and revoked at once.

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
use switchboard_core::UserId;
use switchboard_core::values::DisplayName;
use switchboard_store::repo::api_keys::{self, ApiKey, KeyPurpose};
use utoipa::ToSchema;
use uuid::Uuid;

/// An identity provider's SCIM token; the token itself is shown only once, when it is created.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScimTokenView {
    pub id: Uuid,
    /// What the token is for, e.g. "Okta".
    pub name: String,
    /// The first characters of the token, to recognise it.
    #[schema(example = "sbscim_1a2b3c4d5e6f")]
    pub prefix: String,
    /// The person the provider acts as: it may do what they may, no more.
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

page!(ScimTokenPage, ScimTokenView);

impl From<ApiKey> for ScimTokenView {
    fn from(k: ApiKey) -> Self {
        ScimTokenView {
            id: k.id,
            name: k.name,
            prefix: api_key::shown_scim_prefix(&k.prefix),
            user_id: k.user_id,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScimToken {
    pub name: DisplayName,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedScimToken {
    /// Give it to the identity provider as its bearer token for `/scim/v2`. It is not stored and
    /// can't be shown again.
    pub token: String,
    #[serde(flatten)]
    pub scim_token: ScimTokenView,
}

/// Lists the account's SCIM tokens. Needs `integrations.api.scim`.
#[utoipa::path(operation_id = "list_scim_tokens", tag = "integrations", security(("bearer" = []), ("api_key" = [])),
    params(PageQuery), responses((status = 200, description = "A page of tokens", body = ScimTokenPage), Errors))]
#[get("/scim-tokens")]
pub async fn list_scim_tokens(
    caller: Caller,
    state: web::Data<AppState>,
    query: Query<PageQuery>,
) -> Result<web::Json<ScimTokenPage>, ApiError> {
    caller.require("integrations.api.scim", &state.metrics)?;
    let page = query.request()?;
    let list =
        db(&state, move |_, conn| Ok(api_keys::list(conn, caller.account.id, KeyPurpose::Scim, None, &page)?)).await?;
    Ok(web::Json(ScimTokenPage::map(list, ScimTokenView::from)))
}

/// Creates a SCIM token acting as the caller, from a signed-in session. Needs `integrations.api.scim`.
#[utoipa::path(operation_id = "create_scim_token", tag = "integrations", security(("bearer" = [])),
    request_body = NewScimToken,
    responses((status = 201, description = "Created; the token is shown once", body = CreatedScimToken), Errors))]
#[post("/scim-tokens")]
pub async fn create_scim_token(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<NewScimToken>,
) -> Result<HttpResponse, ApiError> {
    let NewScimToken { name } = body.parse()?;
    let generated = api_key::generate_scim();
    let (prefix, hash) = (generated.prefix.clone(), generated.hash.clone());
    let stored =
        service::run(&state, caller, move |cx| service::api_keys::create_scim_token(cx, &name, &prefix, &hash)).await?;
    Ok(HttpResponse::Created().json(CreatedScimToken { token: generated.key, scim_token: stored.into() }))
}

/// Revokes a SCIM token at once. Needs `integrations.api.scim`.
#[utoipa::path(operation_id = "revoke_scim_token", tag = "integrations", security(("bearer" = []), ("api_key" = [])),
    params(("id" = Uuid, Path, description = "The token's id")), responses((status = 204, description = "Revoked"), Errors))]
#[delete("/scim-tokens/{id}")]
pub async fn revoke_scim_token(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    service::run(&state, caller, move |cx| service::api_keys::revoke(cx, id, KeyPurpose::Scim)).await?;
    Ok(HttpResponse::NoContent().finish())
}
