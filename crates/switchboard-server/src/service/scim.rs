//! Provisioning by an identity provider (SCIM): people and workgroups created, changed, disabled and
//! deleted as the provider says, each judged as a change by the SCIM token's creator (the token can
//! do no more than they can) and audited with the provider as the actor. What the provider knows a
//! person by (`userName`, `externalId`, its other attributes) is kept beside the user.

use super::{Change, edit_user, invite, memberships, team};
use crate::problem::ApiError;
use serde_json::{Map, Value};
use switchboard_core::{DisplayName, Email, UserAction, UserId, UserStatus, WorkgroupId};
use switchboard_store::repo::scim::{self, ScimUser};
use switchboard_store::repo::users::{self, NewUser};
use switchboard_store::repo::workgroups;

/// Longest `userName` or `externalId` kept.
const MAX_IDENTIFIER: usize = 256;
/// Most bytes of a person's other provider attributes (as JSON): they are kept, and audited with
/// each change.
const MAX_ATTRIBUTES: usize = 16 * 1024;
/// The domain of the address a person the provider gave no email gets: `.invalid` never delivers.
const NO_EMAIL_DOMAIN: &str = "provisioned.invalid";

/// A person as the provider describes them: the attributes of a POST or PUT, or of a PATCH's result.
#[derive(Debug, Clone)]
pub struct ProvidedUser {
    pub scim: ScimUser,
}

fn text<'v>(attributes: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    attributes.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

impl ProvidedUser {
    /// From attributes read against the User schema (canonical names, declared types).
    pub fn new(mut attributes: Map<String, Value>) -> Result<ProvidedUser, ApiError> {
        let user_name = match attributes.remove("userName") {
            Some(Value::String(name)) if !name.trim().is_empty() => name,
            _ => return Err(ApiError::invalid("userName", "a user needs a userName")),
        };
        let external_id = match attributes.remove("externalId") {
            Some(Value::String(id)) => Some(id),
            _ => None,
        };
        for (field, value) in [("userName", Some(&user_name)), ("externalId", external_id.as_ref())] {
            if value.is_some_and(|v| v.chars().count() > MAX_IDENTIFIER || v.chars().any(char::is_control)) {
                return Err(ApiError::invalid(
                    field,
                    format!("at most {MAX_IDENTIFIER} characters, none of them control characters"),
                ));
            }
        }
        if serde_json::to_vec(&attributes).map_or(0, |a| a.len()) > MAX_ATTRIBUTES {
            return Err(ApiError::invalid(
                "attributes",
                format!("at most {MAX_ATTRIBUTES} bytes of attributes per person"),
            ));
        }
        Ok(ProvidedUser { scim: ScimUser { user_name, external_id, attributes } })
    }

    fn active(&self) -> Option<bool> {
        self.scim.attributes.get("active").and_then(Value::as_bool)
    }

    /// The address Switchboard knows the person by: the primary email, else the first, else the
    /// `userName` when it is one.
    fn email(&self) -> Option<String> {
        let emails =
            self.scim.attributes.get("emails").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        let primary = emails.iter().filter(|e| e.get("primary") == Some(&Value::Bool(true)));
        primary
            .chain(emails.iter())
            .filter_map(|e| e.get("value").and_then(Value::as_str))
            .chain(std::iter::once(self.scim.user_name.as_str()))
            .find_map(|candidate| Email::parse(candidate).ok())
            .map(Email::into_inner)
    }

    /// The name shown for the person: `displayName`, else `name.formatted`, else given and family
    /// names, else the `userName`.
    fn name(&self) -> Result<String, ApiError> {
        let a = &self.scim.attributes;
        let name = a.get("name").and_then(Value::as_object);
        let part = |key: &str| name.and_then(|n| text(n, key));
        let joined = [part("givenName"), part("familyName")].into_iter().flatten().collect::<Vec<_>>().join(" ");
        let candidates =
            [text(a, "displayName"), part("formatted"), Some(joined.as_str()), Some(self.scim.user_name.as_str())];
        candidates
            .into_iter()
            .flatten()
            .find_map(|candidate| DisplayName::parse(candidate).ok())
            .map(DisplayName::into_inner)
            .ok_or_else(|| {
                ApiError::invalid(
                    "displayName",
                    "no usable name: give a displayName of at most 200 printable characters",
                )
            })
    }

    /// The person's status after the provider's word: `active: false` disables; otherwise a disabled
    /// person is enabled again and anyone else keeps their status.
    fn status(&self, current: Option<UserStatus>) -> UserStatus {
        match (self.active(), current) {
            (Some(false), _) => UserStatus::Disabled,
            (_, None | Some(UserStatus::Disabled)) => UserStatus::Active,
            (_, Some(status)) => status,
        }
    }
}

/// Refuses a `userName` another person has: theirs, or their email where the provider never named them.
fn check_user_name_free(cx: &mut Change<'_>, user_name: &str, except: Option<UserId>) -> Result<(), ApiError> {
    let taken =
        || ApiError::FieldConflict { field: "userName", detail: format!("userName `{user_name}` is already in use") };
    if let Some(other) = scim::user_named(cx.conn, cx.account(), user_name)?
        && Some(other) != except
    {
        return Err(taken());
    }
    if Email::parse(user_name).is_ok()
        && let Ok(other) = users::get_by_email(cx.conn, cx.account(), user_name)
        && Some(other.id) != except
        && scim::users_of(cx.conn, cx.account(), &[other.id])?.is_empty()
    {
        return Err(taken());
    }
    Ok(())
}

/// Creates a person with the pack's default role (judged as an invitation by the token's creator).
/// Whether the `userName` is free is told only to a token that may invite: one that may not learns
/// nothing of who is in the account. The change's transaction undoes the invitation on a conflict.
pub fn create_user(cx: &mut Change<'_>, provided: ProvidedUser) -> Result<UserId, ApiError> {
    let email = provided.email().unwrap_or_else(|| format!("{}@{NO_EMAIL_DOMAIN}", uuid::Uuid::new_v4().simple()));
    let new = NewUser { email, name: provided.name()?, status: provided.status(None), password_hash: None };
    let id = invite::invite(cx, new, None)?.user.id;
    check_user_name_free(cx, &provided.scim.user_name, Some(id))?;
    scim::put_user(cx.conn, cx.account(), id, &provided.scim, &cx.who)?;
    Ok(id)
}

/// Replaces what the provider says of a person: their email, name and status follow, judged as an
/// edit of that person (disabling them ends their sessions and access at once).
pub fn replace_user(cx: &mut Change<'_>, id: UserId, provided: ProvidedUser) -> Result<(), ApiError> {
    let current = users::get(cx.conn, cx.account(), id)?;
    let name = provided.name()?;
    let status = provided.status(Some(current.status));
    let edit = edit_user::UserEdit {
        email: provided.email().filter(|e| *e != current.email),
        name: (name != current.name).then_some(name),
        status: (status != current.status).then_some(status),
        ..Default::default()
    };
    if edit.email.is_some() || edit.name.is_some() || edit.status.is_some() {
        edit_user::edit(cx, id, None, edit)?;
    } else {
        let person = cx.person(id)?;
        cx.allow_result(cx.policy().can_manage_person(&cx.actor, &person, UserAction::Edit))?;
    }
    check_user_name_free(cx, &provided.scim.user_name, Some(id))?;
    scim::put_user(cx.conn, cx.account(), id, &provided.scim, &cx.who)?;
    Ok(())
}

pub fn delete_user(cx: &mut Change<'_>, id: UserId) -> Result<(), ApiError> {
    edit_user::delete(cx, id, None)
}

/// A workgroup as the provider describes it.
#[derive(Debug, Clone)]
pub struct ProvidedGroup {
    pub name: String,
    pub members: Vec<UserId>,
    pub external_id: Option<String>,
}

pub fn create_group(cx: &mut Change<'_>, group: &ProvidedGroup) -> Result<WorkgroupId, ApiError> {
    let created = memberships::create_workgroup(cx, &group.name, &group.members)?;
    scim::set_group_external_id(cx.conn, cx.account(), created.id, group.external_id.as_deref(), &cx.who)?;
    Ok(created.id)
}

/// Renames the workgroup and sets its members as the provider says: each person added or removed is
/// a change to that person, judged as one.
pub fn replace_group(cx: &mut Change<'_>, id: WorkgroupId, group: &ProvidedGroup) -> Result<(), ApiError> {
    let current = workgroups::get(cx.conn, cx.account(), id)?;
    if group.name.trim() != current.name {
        team::rename_workgroup(cx, id, &group.name)?;
    }
    let mut wanted = group.members.clone();
    wanted.sort();
    wanted.dedup();
    if wanted != current.members {
        memberships::set_workgroup_members(cx, id, &wanted)?;
    } else {
        cx.require("team.workgroups:manage")?;
    }
    scim::set_group_external_id(cx.conn, cx.account(), id, group.external_id.as_deref(), &cx.who)?;
    Ok(())
}

pub fn delete_group(cx: &mut Change<'_>, id: WorkgroupId) -> Result<(), ApiError> {
    memberships::delete_workgroup(cx, id)
}
