//! `/scim/v2/Users`: the account's people as a provider sees them. Every person of the account is
//! listed; one the provider never named shows their email as `userName`.

use super::error::ScimError;
use super::filter::Filter;
use super::resource::{ByCreation, Fetch, Resource};
use super::schema::{self, Schema, USER_URN};
use crate::problem::ApiError;
use crate::service::{Change, scim::ProvidedUser};
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

/// The account's people.
pub struct Users;

impl Resource for Users {
    const WHAT: &'static str = "user";
    const READ: &'static str = "team.members:view";
    const SCHEMA: &'static Schema = &schema::USER;
    type Id = UserId;
    type Provided = ProvidedUser;

    type Record = User;

    const GET: Fetch<UserId, User> = users::get;
    const BY_CREATION: ByCreation<User> = users::by_creation;

    fn indexed(conn: &mut DbConn, account: AccountId, filter: &Filter) -> Result<Option<Vec<User>>, ApiError> {
        let ids = if let Some(user_name) = filter.equality("userName") {
            let mut ids: Vec<UserId> = scim::user_named(conn, account, user_name)?.into_iter().collect();
            ids.extend(users::get_by_email(conn, account, user_name).ok().map(|u| u.id));
            ids
        } else if let Some(external) = filter.equality("externalId") {
            scim::users_with_external_id(conn, account, external)?
        } else {
            return Ok(None);
        };
        Ok(Some(users::among(conn, account, &ids)?))
    }

    fn views(conn: &mut DbConn, account: AccountId, people: &[User], base: &str) -> Result<Vec<Value>, ApiError> {
        let ids: Vec<UserId> = people.iter().map(|u| u.id).collect();
        let known = scim::users_of(conn, account, &ids)?;
        Ok(people.iter().map(|u| view(u, known.get(&u.id), base)).collect())
    }

    fn provided(attributes: Value) -> Result<ProvidedUser, ScimError> {
        let Value::Object(attributes) = attributes else { return Err(ScimError::invalid_value("a user is an object")) };
        Ok(ProvidedUser::new(attributes)?)
    }

    fn create(cx: &mut Change<'_>, provided: ProvidedUser) -> Result<UserId, ApiError> {
        crate::service::scim::create_user(cx, provided)
    }

    fn replace(cx: &mut Change<'_>, id: UserId, provided: ProvidedUser) -> Result<(), ApiError> {
        crate::service::scim::replace_user(cx, id, provided)
    }

    fn delete(cx: &mut Change<'_>, id: UserId) -> Result<(), ApiError> {
        crate::service::scim::delete_user(cx, id)
    }
}
