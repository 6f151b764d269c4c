//! SCIM 2.0 (RFC 7643, RFC 7644) at `/scim/v2`: an identity provider (Okta, Microsoft Entra ID…)
//! creates, changes, disables and deletes the account's people and workgroups. It authenticates with
//! a SCIM token (`/v1/scim-tokens`), which acts as the person who made it: every change is a use case
//! of `service::scim`, judged on that person's reach as any change is. SCIM's types stay here; the
//! records are the account's users and workgroups.

mod discovery;
pub mod error;
pub mod filter;
mod groups;
pub mod patch;
mod resource;
pub mod schema;
mod users;

use crate::access::Caller;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use error::{SCIM_JSON, ScimError};
use futures_util::StreamExt;
use groups::Groups;
use resource::Resource;
use serde_json::{Value, json};
use std::collections::HashMap;
use users::Users;

pub const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// Largest request body taken (a group of a thousand members fits many times over).
const MAX_BODY: usize = 1024 * 1024;
/// Most resources one page holds, and how many when the provider does not say.
pub const MAX_RESULTS: usize = 200;
const DEFAULT_COUNT: usize = 100;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/scim/v2")
            .route("/ServiceProviderConfig", web::get().to(discovery::service_provider_config))
            .route("/ServiceProviderConfig", web::route().to(method_not_allowed))
            .route("/ResourceTypes", web::get().to(discovery::resource_types))
            .route("/ResourceTypes", web::route().to(method_not_allowed))
            .route("/ResourceTypes/{id}", web::get().to(discovery::resource_type))
            .route("/Schemas", web::get().to(discovery::schemas))
            .route("/Schemas", web::route().to(method_not_allowed))
            .route("/Schemas/{id}", web::get().to(discovery::schema))
            .configure(resource_routes::<Users>("/Users"))
            .configure(resource_routes::<Groups>("/Groups"))
            .route("/.search", web::post().to(search))
            .default_service(web::to(not_found)),
    );
}

/// The routes of one resource type at `path`.
fn resource_routes<R: Resource>(path: &'static str) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let one = format!("{path}/{{id}}");
        cfg.route(path, web::get().to(resource::list::<R>))
            .route(path, web::post().to(resource::create::<R>))
            .route(&one, web::get().to(resource::get::<R>))
            .route(&one, web::put().to(resource::replace::<R>))
            .route(&one, web::patch().to(resource::patch::<R>))
            .route(&one, web::delete().to(resource::delete::<R>));
    }
}

async fn method_not_allowed() -> Result<HttpResponse, ScimError> {
    Err(ScimError::method_not_allowed())
}

async fn not_found() -> Result<HttpResponse, ScimError> {
    Err(ScimError::not_found("resource"))
}

/// Searching every resource type at once (`POST /.search`) is not offered; each type's list filters.
async fn search() -> Result<HttpResponse, ScimError> {
    Err(ScimError::new(StatusCode::NOT_IMPLEMENTED, None, "search with GET /Users or GET /Groups and a filter"))
}

/// The provider's caller: the SCIM token's creator, as they are now.
async fn caller(req: &HttpRequest, state: &web::Data<AppState>) -> Result<Caller, ScimError> {
    let unauthenticated = |why: &str| ScimError::new(StatusCode::UNAUTHORIZED, None, why);
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| unauthenticated("send the account's SCIM token as `Authorization: Bearer <token>`"))?;
    let value = value.to_str().map_err(|_| unauthenticated("the Authorization header is malformed"))?;
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            token.trim().to_owned()
        }
        _ => return Err(unauthenticated("use `Authorization: Bearer <token>`")),
    };
    let state = state.clone();
    Ok(web::block(move || crate::service::authentication::scim_caller(&state, &token)).await??)
}

/// The URL `/scim/v2` is reached at, for `meta.location` and members' `$ref`.
fn base_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}/scim/v2", info.scheme(), info.host())
}

/// A request's JSON body, whatever of `application/json` and `application/scim+json` it is sent as.
async fn json_body(mut payload: web::Payload) -> Result<Value, ScimError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ScimError::new(StatusCode::BAD_REQUEST, Some("invalidSyntax"), e.to_string()))?;
        if body.len() + chunk.len() > MAX_BODY {
            return Err(ScimError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                None,
                format!("the body is larger than {MAX_BODY} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| {
        ScimError::new(StatusCode::BAD_REQUEST, Some("invalidSyntax"), format!("the body is not JSON: {e}"))
    })
}

fn respond(status: StatusCode, body: &Value) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON)));
    if status == StatusCode::CREATED
        && let Some(location) = body.pointer("/meta/location").and_then(Value::as_str)
        && let Ok(value) = HeaderValue::from_str(location)
    {
        response.insert_header((header::LOCATION, value));
    }
    response.body(body.to_string())
}

/// The query of a list or a read: `filter`, `startIndex`, `count`, `attributes`, `excludedAttributes`.
struct ListQuery {
    filter: Option<filter::Filter>,
    /// Where the page starts, from 0.
    offset: usize,
    count: usize,
    projection: schema::Projection,
}

impl ListQuery {
    fn of(req: &HttpRequest) -> Result<ListQuery, ScimError> {
        let query = web::Query::<HashMap<String, String>>::from_query(req.query_string())
            .map_err(|e| ScimError::invalid_value(format!("malformed query string: {e}")))?;
        let get = |name: &str| query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        let number = |name: &str| -> Result<Option<i64>, ScimError> {
            get(name)
                .map(|v| v.trim().parse::<i64>().map_err(|_| ScimError::invalid_value(format!("{name} is a number"))))
                .transpose()
        };
        let filter = get("filter").map(filter::parse_filter).transpose()?;
        // RFC 7644 §3.4.2.4: a startIndex below 1 is 1, a negative count is 0
        let offset = number("startIndex")?.map_or(0, |start| start.max(1) - 1);
        let count = number("count")?.map_or(DEFAULT_COUNT as i64, |c| c.clamp(0, MAX_RESULTS as i64));
        let projection = schema::Projection::new(get("attributes"), get("excludedAttributes"));
        Ok(ListQuery { filter, offset: offset as usize, count: count as usize, projection })
    }
}

fn list_response(total: usize, offset: usize, resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_URN],
        "totalResults": total,
        "itemsPerPage": resources.len(),
        "startIndex": offset + 1,
        "Resources": resources,
    })
}

/// A record's id from the path: an id that is not one names nothing (404).
fn id_of<T: From<uuid::Uuid>>(raw: &str, what: &str) -> Result<T, ScimError> {
    uuid::Uuid::parse_str(raw).map(T::from).map_err(|_| ScimError::not_found(what))
}
