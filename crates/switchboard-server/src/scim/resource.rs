//! The handlers every SCIM resource type shares (list, read, create, replace, patch, delete), over
//! what each type says of itself ([`Resource`]): how it is read, listed, made from a provider's
//! attributes and changed. Every change runs in one `service::run` transaction.

use super::error::ScimError;
use super::filter::Filter;
use super::patch;
use super::schema::{Schema, read_attributes};
use super::{ListQuery, base_url, caller, id_of, json_body, list_response, respond};
use crate::blocking::db;
use crate::problem::ApiError;
use crate::service::{self, Change};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;
use switchboard_core::AccountId;
use switchboard_store::{DbConn, StoreResult};

/// Reads one stored record of an account by its id.
pub type Fetch<Id, Record> = fn(&mut DbConn, AccountId, Id) -> StoreResult<Record>;
/// Counts an account's records and reads those at `offset..offset + count` in order of creation.
pub type ByCreation<Record> = fn(&mut DbConn, AccountId, i64, Option<i64>) -> StoreResult<(i64, Vec<Record>)>;

/// A SCIM resource type.
pub trait Resource: 'static {
    /// What a missing one is called in a 404 ("user").
    const WHAT: &'static str;
    /// The permission reading them takes.
    const READ: &'static str;
    const SCHEMA: &'static Schema;
    type Id: From<uuid::Uuid> + Copy + Send + 'static;
    /// The resource as a provider describes it, ready for a use case.
    type Provided: Send + 'static;

    /// What one is stored as.
    type Record;

    /// One record (404 when there is none).
    const GET: Fetch<Self::Id, Self::Record>;
    /// How many there are, and those at `offset..offset + count` in order of creation (all of them
    /// from `offset` without a count).
    const BY_CREATION: ByCreation<Self::Record>;
    /// The records an indexed equality term of `filter` names, when it has one.
    fn indexed(conn: &mut DbConn, account: AccountId, filter: &Filter) -> Result<Option<Vec<Self::Record>>, ApiError>;
    /// The records as SCIM shows them, with what the provider said of them.
    fn views(
        conn: &mut DbConn,
        account: AccountId,
        records: &[Self::Record],
        base: &str,
    ) -> Result<Vec<Value>, ApiError>;

    /// One resource as SCIM shows it (404 when there is none).
    fn read(conn: &mut DbConn, account: AccountId, id: Self::Id, base: &str) -> Result<Value, ApiError> {
        let record = (Self::GET)(conn, account, id)?;
        Self::views(conn, account, std::slice::from_ref(&record), base)?
            .pop()
            .ok_or_else(|| ApiError::Internal(format!("a {} without a view", Self::WHAT)))
    }

    /// How many there are, and those at `offset..offset + count` (the unfiltered list).
    fn page(
        conn: &mut DbConn,
        account: AccountId,
        offset: usize,
        count: usize,
        base: &str,
    ) -> Result<(usize, Vec<Value>), ApiError> {
        let (total, records) = (Self::BY_CREATION)(conn, account, offset as i64, Some(count as i64))?;
        Ok((total as usize, Self::views(conn, account, &records, base)?))
    }

    /// The resources `filter` may match: fewer where an indexed term narrows them.
    fn candidates(conn: &mut DbConn, account: AccountId, filter: &Filter, base: &str) -> Result<Vec<Value>, ApiError> {
        let records = match Self::indexed(conn, account, filter)? {
            Some(records) => records,
            None => (Self::BY_CREATION)(conn, account, 0, None)?.1,
        };
        Self::views(conn, account, &records, base)
    }
    /// Reads a provider's attributes (canonical, typed) into what the use cases take.
    fn provided(attributes: Value) -> Result<Self::Provided, ScimError>;
    fn create(cx: &mut Change<'_>, provided: Self::Provided) -> Result<Self::Id, ApiError>;
    fn replace(cx: &mut Change<'_>, id: Self::Id, provided: Self::Provided) -> Result<(), ApiError>;
    fn delete(cx: &mut Change<'_>, id: Self::Id) -> Result<(), ApiError>;
}

fn provided_from<R: Resource>(input: &Value) -> Result<R::Provided, ScimError> {
    R::provided(Value::Object(read_attributes(input, R::SCHEMA.attributes)?))
}

/// `current` with the PATCH applied, as the use cases take it.
fn patched<R: Resource>(current: &Value, body: &Value) -> Result<R::Provided, ScimError> {
    let mut attributes = read_attributes(current, R::SCHEMA.attributes)?;
    patch::apply(&mut attributes, body, R::SCHEMA)?;
    // what the operations wrote is read as a provider's attributes are: typed, unknown ones left out
    provided_from::<R>(&Value::Object(attributes))
}

pub async fn list<R: Resource>(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    caller.require(R::READ, &state.metrics)?;
    let query = ListQuery::of(&req)?;
    let (base, offset, account) = (base_url(&req), query.offset, caller.account.id);
    let (total, page) = db(&state, move |_, conn| {
        let (total, page) = match &query.filter {
            None => R::page(conn, account, query.offset, query.count, &base)?,
            Some(filter) => {
                let matching: Vec<Value> =
                    R::candidates(conn, account, filter, &base)?.into_iter().filter(|v| filter.matches(v)).collect();
                (matching.len(), matching.into_iter().skip(query.offset).take(query.count).collect())
            }
        };
        Ok((total, page.into_iter().map(|v| query.projection.apply(v)).collect::<Vec<_>>()))
    })
    .await?;
    Ok(respond(StatusCode::OK, &list_response(total, offset, page)))
}

pub async fn get<R: Resource>(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    caller.require(R::READ, &state.metrics)?;
    let id: R::Id = id_of(&id, R::WHAT)?;
    let query = ListQuery::of(&req)?;
    let (base, account) = (base_url(&req), caller.account.id);
    let found = db(&state, move |_, conn| R::read(conn, account, id, &base)).await?;
    Ok(respond(StatusCode::OK, &query.projection.apply(found)))
}

pub async fn create<R: Resource>(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Payload,
) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    let provided = provided_from::<R>(&json_body(body).await?)?;
    let base = base_url(&req);
    let created = service::run(&state, caller, move |cx| {
        let id = R::create(cx, provided)?;
        R::read(cx.conn, cx.account(), id, &base)
    })
    .await?;
    Ok(respond(StatusCode::CREATED, &created))
}

pub async fn replace<R: Resource>(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ScimError> {
    change::<R>(req, state, id, body, |_, body| provided_from::<R>(body)).await
}

/// Applies the PATCH to the resource as stored and saves the result as a replacement, in one
/// transaction: what the operations apply to is what the change is judged on and written over.
pub async fn patch<R: Resource>(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ScimError> {
    change::<R>(req, state, id, body, |current, body| patched::<R>(current, body)).await
}

/// Replaces the resource with what `provide` makes of it as it is now and the request's body; a
/// resource that cannot be made is refused before anything is written.
async fn change<R: Resource>(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Payload,
    provide: fn(&Value, &Value) -> Result<R::Provided, ScimError>,
) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    let id: R::Id = id_of(&id, R::WHAT)?;
    let body = json_body(body).await?;
    let base = base_url(&req);
    let saved = service::run(&state, caller, move |cx| {
        let current = R::read(cx.conn, cx.account(), id, &base)?;
        let provided = match provide(&current, &body) {
            Ok(provided) => provided,
            Err(refused) => return Ok(Err(refused)),
        };
        R::replace(cx, id, provided)?;
        Ok(Ok(R::read(cx.conn, cx.account(), id, &base)?))
    })
    .await??;
    Ok(respond(StatusCode::OK, &saved))
}

pub async fn delete<R: Resource>(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    let id: R::Id = id_of(&id, R::WHAT)?;
    service::run(&state, caller, move |cx| R::delete(cx, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
