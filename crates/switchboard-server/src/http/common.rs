//! Pieces every route shares: pages, ETags, running storage off the async workers, and the
//! documented error responses.

use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, web};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use switchboard_store::{DbConn, PageRequest};
use utoipa::openapi::{RefOr, Response, ResponseBuilder};
use utoipa::{IntoParams, IntoResponses, ToSchema};

/// One page of a list. Pass `next_cursor` as `cursor` to read the next page; it is absent on the last.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn map<U>(page: switchboard_store::Page<U>, f: impl FnMut(U) -> T) -> Page<T> {
        Page { items: page.items.into_iter().map(f).collect(), next_cursor: page.next_cursor }
    }
}

/// Cursor pagination parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn request(&self) -> Result<PageRequest, ApiError> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=switchboard_store::MAX_PAGE).contains(&limit) {
            return Err(ApiError::invalid(
                "limit",
                format!("limit must be between 1 and {}", switchboard_store::MAX_PAGE),
            ));
        }
        if self.cursor.as_ref().is_some_and(|c| c.len() > 1024) {
            return Err(ApiError::invalid("cursor", "the cursor is not one this list produced"));
        }
        Ok(PageRequest { limit, cursor: self.cursor.clone() })
    }
}

/// The strong ETag of a versioned record.
pub fn etag(version: i64) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// The version an `If-Match` header asks for: `None` when absent or `*`.
pub fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else { return Ok(None) };
    let value = value.to_str().map_err(|_| ApiError::BadRequest("If-Match is malformed".into()))?.trim();
    if value == "*" {
        return Ok(None);
    }
    let tag = value.strip_prefix("W/").unwrap_or(value);
    tag.trim_matches('"')
        .parse::<i64>()
        .map(Some)
        .map_err(|_| ApiError::BadRequest("If-Match must be an ETag this API returned, e.g. \"3\"".into()))
}

/// Runs storage work on the blocking pool with one pooled connection.
pub async fn db<T, F>(state: &web::Data<AppState>, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&AppState, &mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    let state = state.clone();
    web::block(move || {
        let mut conn = state.store.conn()?;
        work(&state, &mut conn)
    })
    .await?
}

fn problem(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            crate::problem::PROBLEM_JSON,
            utoipa::openapi::ContentBuilder::new().schema(Some(Problem::schema_ref())).build(),
        )
        .into()
}

trait SchemaRef {
    fn schema_ref() -> RefOr<utoipa::openapi::schema::Schema>;
}

impl SchemaRef for Problem {
    fn schema_ref() -> RefOr<utoipa::openapi::schema::Schema> {
        RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Problem"))
    }
}

/// The errors every authenticated route may answer with.
#[derive(Debug)]
pub struct Errors;

impl IntoResponses for Errors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        [
            ("400", "The request is malformed"),
            ("401", "Missing, invalid or expired credentials"),
            ("403", "Denied; `reason` says which section, right or role decided it"),
            ("404", "No such record in the caller's account"),
            ("409", "Conflicts with existing data"),
            ("412", "`If-Match` names a version that is no longer current"),
            ("413", "The request body is too large"),
            ("422", "The request is well-formed but invalid; `field` names the culprit"),
            ("503", "The database is unavailable"),
        ]
        .into_iter()
        .map(|(status, description)| (status.to_owned(), problem(description)))
        .collect()
    }
}
