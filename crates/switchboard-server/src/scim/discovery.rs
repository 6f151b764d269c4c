//! What the service offers (RFC 7644 §4): `/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`.
//! They describe the service, not an account, but are answered only to a valid SCIM token.

use super::error::ScimError;
use super::schema::{GROUP, Schema, USER, schema_document};
use super::{MAX_RESULTS, base_url, caller, list_response, respond};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

pub async fn service_provider_config(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ScimError> {
    caller(&req, &state).await?;
    let base = base_url(&req);
    let config = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "SCIM token",
            "description": "The account's SCIM token (POST /v1/scim-tokens), as `Authorization: Bearer <token>`",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true,
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig")},
    });
    Ok(respond(StatusCode::OK, &config))
}

fn resource_type_documents(base: &str) -> Vec<Value> {
    [&USER, &GROUP]
        .into_iter()
        .map(|Schema { urn, name, endpoint, description, .. }| {
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
                "id": name, "name": name, "endpoint": endpoint, "description": description,
                "schema": urn, "schemaExtensions": [],
                "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{name}")},
            })
        })
        .collect()
}

fn schema_documents(base: &str) -> Vec<Value> {
    vec![schema_document(&USER, base), schema_document(&GROUP, base)]
}

pub async fn resource_types(req: HttpRequest, state: web::Data<AppState>) -> Reply {
    all_of(&req, &state, resource_type_documents).await
}

pub async fn resource_type(req: HttpRequest, state: web::Data<AppState>, id: web::Path<String>) -> Reply {
    one_of(&req, &state, &id, resource_type_documents, "resource type").await
}

pub async fn schemas(req: HttpRequest, state: web::Data<AppState>) -> Reply {
    all_of(&req, &state, schema_documents).await
}

pub async fn schema(req: HttpRequest, state: web::Data<AppState>, id: web::Path<String>) -> Reply {
    one_of(&req, &state, &id, schema_documents, "schema").await
}

type Reply = Result<HttpResponse, ScimError>;
/// The discovery documents of one kind, made for the server's base URL.
type Documents = fn(&str) -> Vec<Value>;

/// Every document of a kind, as a SCIM list.
async fn all_of(req: &HttpRequest, state: &web::Data<AppState>, documents: Documents) -> Reply {
    caller(req, state).await?;
    let all = documents(&base_url(req));
    Ok(respond(StatusCode::OK, &list_response(all.len(), 0, all)))
}

/// The document of a kind with this `id`; 404 naming `what` when there is none.
async fn one_of(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    id: &str,
    documents: Documents,
    what: &'static str,
) -> Reply {
    caller(req, state).await?;
    let found = documents(&base_url(req)).into_iter().find(|d| d["id"].as_str() == Some(id));
    found.map(|d| respond(StatusCode::OK, &d)).ok_or_else(|| ScimError::not_found(what))
}
