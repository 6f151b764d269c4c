//! API keys: each acts as its owner, so creating one is for oneself and revoking another's is a
//! change to its owner, judged on that person.

use super::Change;
use crate::problem::ApiError;
use switchboard_core::{CredentialChange, UserAction};
use switchboard_store::repo::api_keys::{self, ApiKey, KeyPurpose, NewApiKey};
use uuid::Uuid;

/// A key acting as the actor, only from a signed-in session; the secret arrives hashed. A key may
/// expire, and may be limited to grants (as a role's) that never exceed what the actor holds.
pub fn create(cx: &mut Change<'_>, new: &NewApiKey<'_>) -> Result<ApiKey, ApiError> {
    cx.require_session(CredentialChange::ApiKeys)?;
    cx.require("integrations.api.keys")?;
    if new.expires_at.is_some_and(|end| end <= switchboard_store::now()) {
        return Err(ApiError::invalid("expires_at", "a key must expire in the future"));
    }
    if let Some(grants) = new.grants {
        let access = cx.policy().key_access(grants).map_err(|e| ApiError::invalid("grants", e.to_string()))?;
        cx.allow(cx.policy().can_limit_key(&cx.actor, &access))?;
    }
    Ok(api_keys::create(cx.conn, cx.account(), cx.actor.user_id, new, &cx.who)?)
}

/// Revokes a key of `purpose` (an API key, or an identity provider's SCIM token) at once, with that
/// purpose's right; revoking another person's is a change to that person.
pub fn revoke(cx: &mut Change<'_>, id: Uuid, purpose: KeyPurpose) -> Result<ApiKey, ApiError> {
    let (right, entity) = match purpose {
        KeyPurpose::Api => ("integrations.api.keys", "api key"),
        KeyPurpose::Scim => ("integrations.api.scim", "SCIM token"),
    };
    cx.require(right)?;
    let key = api_keys::get(cx.conn, cx.account(), id)?;
    if key.purpose != purpose {
        return Err(ApiError::NotFound(entity));
    }
    if key.user_id != cx.actor.user_id {
        let owner = cx.person(key.user_id)?;
        cx.allow_result(cx.policy().can_manage_person(&cx.actor, &owner, UserAction::Edit))?;
    }
    Ok(api_keys::revoke(cx.conn, cx.account(), purpose, id, &cx.who)?)
}

/// A SCIM token for an identity provider: it acts as its creator, at `/scim/v2` only, so what the
/// provider may do is what that person may do, judged on each change. Only from a signed-in session.
pub fn create_scim_token(cx: &mut Change<'_>, name: &str, prefix: &str, hash: &str) -> Result<ApiKey, ApiError> {
    cx.require_session(CredentialChange::ApiKeys)?;
    cx.require("integrations.api.scim")?;
    let new = NewApiKey { name, prefix, secret_hash: hash, expires_at: None, grants: None, purpose: KeyPurpose::Scim };
    Ok(api_keys::create(cx.conn, cx.account(), cx.actor.user_id, &new, &cx.who)?)
}
