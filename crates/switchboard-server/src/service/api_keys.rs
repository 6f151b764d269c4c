//! API keys: each acts as its owner, so creating one is for oneself and revoking another's is a
//! change to its owner, judged on that person.

use super::Change;
use crate::problem::ApiError;
use switchboard_core::UserAction;
use switchboard_store::repo::api_keys::{self, ApiKey};
use uuid::Uuid;

/// A key acting as the actor; the secret arrives hashed.
pub fn create(cx: &mut Change<'_>, name: &str, prefix: &str, hash: &str) -> Result<ApiKey, ApiError> {
    cx.require("integrations.api.keys")?;
    Ok(api_keys::create(cx.conn, cx.account(), cx.actor.user_id, name, prefix, hash, &cx.who)?)
}

pub fn revoke(cx: &mut Change<'_>, id: Uuid) -> Result<ApiKey, ApiError> {
    cx.require("integrations.api.keys")?;
    let key = api_keys::get(cx.conn, cx.account(), id)?;
    if key.user_id != cx.actor.user_id {
        let owner = cx.person(key.user_id)?;
        cx.allow_result(cx.policy().can_manage_person(&cx.actor, &owner, UserAction::Edit))?;
    }
    Ok(api_keys::revoke(cx.conn, cx.account(), id, &cx.who)?)
}
