//! `/scim/v2/Users`: the account's people as a provider sees them. Every person of the account is
//! listed; one the provider never named shows their email as `userName`.

use super::error::ScimError;
use super::schema::{USER_ATTRIBUTES, USER_SHAPE, USER_URN, read_attributes};
use super::{ListQuery, base_url, caller, id_of, json_body, list_response, patch, respond};
use crate::access::Caller;
use crate::blocking::db;
use crate::problem::ApiError;
use crate::service::{self, scim::ProvidedUser};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};
use switchboard_core::{AccountId, UserId, UserStatus};
use switchboard_store::DbConn;
use switchboard_store::repo::scim::{self, ScimUser};
use switchboard_store::repo::users::{self, User};

/// A person as SCIM shows them.
fn view(user: &User, scim: Option<&ScimUser>, base: &str) -> Value {
    let disabled = user.status == UserStatus::Disabled;
    let mut out = Map::new();
    out.insert("schemas".into(), json!([USER_URN]));
    out.insert("id".into(), json!(user.id));
    match scim {
        Some(scim) => {
            out.extend(scim.attributes.clone());
            out.insert("userName".into(), json!(scim.user_name));
            if let Some(external) = &scim.external_id {
                out.insert("externalId".into(), json!(external));
            }
            // what the provider said, unless the person was disabled here since
            if out.contains_key("active") || disabled {
                out.insert("active".into(), json!(!disabled));
            }
        }
        None => {
            out.insert("userName".into(), json!(user.email));
            out.insert("displayName".into(), json!(user.name));
            out.insert("emails".into(), json!([{"value": user.email, "type": "work", "primary": true}]));
            out.insert("active".into(), json!(!disabled));
        }
    }
    out.insert(
        "meta".into(),
        json!({
            "resourceType": "User",
            "created": user.created_at,
            "lastModified": user.updated_at,
            "location": format!("{base}/Users/{}", user.id),
            "version": format!("W/\"{}\"", user.version),
        }),
    );
    Value::Object(out)
}

fn views(conn: &mut DbConn, caller: &Caller, people: Vec<User>, base: &str) -> Result<Vec<Value>, ApiError> {
    let ids: Vec<UserId> = people.iter().map(|u| u.id).collect();
    let known = scim::users_of(conn, caller.account.id, &ids)?;
    Ok(people.iter().map(|u| view(u, known.get(&u.id), base)).collect())
}

fn read_one(conn: &mut DbConn, account: AccountId, id: UserId, base: &str) -> Result<Value, ApiError> {
    let user = users::get(conn, account, id)?;
    let known = scim::users_of(conn, account, &[id])?;
    Ok(view(&user, known.get(&id), base))
}

pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    caller.require("team.members:view", &state.metrics)?;
    let query = ListQuery::of(&req)?;
    let base = base_url(&req);
    let offset = query.offset;
    let (total, page) = db(&state, move |_, conn| {
        let account = caller.account.id;
        let Some(filter) = &query.filter else {
            let (total, people) = users::by_creation(conn, account, query.offset as i64, Some(query.count as i64))?;
            let page = views(conn, &caller, people, &base)?;
            return Ok((total as usize, page.into_iter().map(|v| query.projection.apply(v)).collect()));
        };
        // an indexed term narrows the candidates; the whole filter decides
        let candidates = if let Some(user_name) = filter.equality("userName") {
            let mut ids: Vec<UserId> = scim::user_named(conn, account, user_name)?.into_iter().collect();
            ids.extend(users::get_by_email(conn, account, user_name).ok().map(|u| u.id));
            users::among(conn, account, &ids)?
        } else if let Some(external) = filter.equality("externalId") {
            let ids = scim::users_with_external_id(conn, account, external)?;
            users::among(conn, account, &ids)?
        } else {
            users::by_creation(conn, account, 0, None)?.1
        };
        let matching: Vec<Value> =
            views(conn, &caller, candidates, &base)?.into_iter().filter(|v| filter.matches(v)).collect();
        let total = matching.len();
        let page =
            matching.into_iter().skip(query.offset).take(query.count).map(|v| query.projection.apply(v)).collect();
        Ok((total, page))
    })
    .await?;
    Ok(respond(StatusCode::OK, &list_response(total, offset, page)))
}

pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    caller.require("team.members:view", &state.metrics)?;
    let id: UserId = id_of(&id, "user")?;
    let query = ListQuery::of(&req)?;
    let base = base_url(&req);
    let found = db(&state, move |_, conn| read_one(conn, caller.account.id, id, &base)).await?;
    Ok(respond(StatusCode::OK, &query.projection.apply(found)))
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Payload,
) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    let provided = ProvidedUser::new(read_attributes(&json_body(body).await?, USER_ATTRIBUTES)?)?;
    let base = base_url(&req);
    let created = service::run(&state, caller, move |cx| {
        let id = service::scim::create_user(cx, provided)?;
        read_one(cx.conn, cx.account(), id, &base)
    })
    .await?;
    Ok(respond(StatusCode::CREATED, &created))
}

pub async fn replace(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    let id: UserId = id_of(&id, "user")?;
    let provided = ProvidedUser::new(read_attributes(&json_body(body).await?, USER_ATTRIBUTES)?)?;
    let base = base_url(&req);
    let saved = service::run(&state, caller, move |cx| {
        service::scim::replace_user(cx, id, provided)?;
        read_one(cx.conn, cx.account(), id, &base)
    })
    .await?;
    Ok(respond(StatusCode::OK, &saved))
}

/// Applies the PATCH to the person as stored and saves the result as a replacement, in one
/// transaction: what the operations apply to is what the change is judged on and written over.
pub async fn patch(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    let id: UserId = id_of(&id, "user")?;
    let body = json_body(body).await?;
    let base = base_url(&req);
    let saved = service::run(&state, caller, move |cx| {
        let current = read_one(cx.conn, cx.account(), id, &base)?;
        // a patch that cannot apply is refused before anything is written
        let provided = match patched(&current, &body) {
            Ok(provided) => provided,
            Err(refused) => return Ok(Err(refused)),
        };
        service::scim::replace_user(cx, id, provided)?;
        Ok(Ok(read_one(cx.conn, cx.account(), id, &base)?))
    })
    .await??;
    Ok(respond(StatusCode::OK, &saved))
}

fn patched(current: &Value, body: &Value) -> Result<ProvidedUser, ScimError> {
    let mut attributes = read_attributes(current, USER_ATTRIBUTES)?;
    patch::apply(&mut attributes, body, &USER_SHAPE)?;
    Ok(ProvidedUser::new(read_attributes(&Value::Object(attributes), USER_ATTRIBUTES)?)?)
}

pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ScimError> {
    let caller = caller(&req, &state).await?;
    let id: UserId = id_of(&id, "user")?;
    service::run(&state, caller, move |cx| service::scim::delete_user(cx, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
