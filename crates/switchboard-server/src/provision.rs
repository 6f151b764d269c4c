//! Creating an account with its superadmin and its pack's roles: shared by `POST /v1/accounts`,
//! `switchboard init` and the demo data.

use crate::auth::password;
use crate::packs::Packs;
use crate::problem::ApiError;
use diesel::Connection;
use switchboard_core::{Password, RoleOrigin, UserStatus};
use switchboard_store::repo::accounts::{self, Account, NewAccount};
use switchboard_store::repo::roles;
use switchboard_store::repo::users::{self, NewUser, User};
use switchboard_store::{Actor, DbConn, StoreError};

/// What an account is created from.
#[derive(Debug, Clone)]
pub struct AccountSpec {
    pub slug: String,
    pub name: String,
    pub preset: String,
    pub owner_email: String,
    pub owner_name: String,
    pub owner_password: String,
}

/// Creates the account, its superadmin (holding the pack's owner roles) and the pack's preset roles,
/// in one transaction.
pub fn create_account(
    conn: &mut DbConn,
    packs: &Packs,
    spec: AccountSpec,
    actor: &Actor,
) -> Result<(Account, User), ApiError> {
    let pack = packs.get(&spec.preset).cloned().ok_or_else(|| {
        ApiError::invalid(
            "preset",
            format!("no preset pack `{}` is loaded (loaded: {})", spec.preset, packs.names().join(", ")),
        )
    })?;
    Password::parse(&spec.owner_password).map_err(|e| ApiError::invalid("owner.password", e.message))?;
    let hash = password::hash(&spec.owner_password)?;
    let new = NewAccount {
        slug: spec.slug,
        name: spec.name,
        preset_pack: pack.pack.name.clone(),
        preset_version: pack.pack.version.clone(),
        owner: NewUser {
            email: spec.owner_email,
            name: spec.owner_name,
            status: UserStatus::Active,
            password_hash: Some(hash),
        },
    };
    conn.transaction::<_, StoreError, _>(|conn| {
        let (account, owner) = accounts::create(conn, &new, actor)?;
        let origin = RoleOrigin::Preset { pack: pack.pack.name.clone() };
        let mut owner_roles = Vec::new();
        for definition in &pack.pack.roles {
            let role = roles::create(conn, account.id, &origin, definition, actor)?;
            if pack.pack.owner_roles.contains(&definition.key) {
                owner_roles.push(role.id);
            }
        }
        roles::set_user_roles(conn, account.id, owner.id, &owner_roles, pack.pack.role_mode, None, actor)?;
        Ok((accounts::get(conn, account.id)?, users::get(conn, account.id, owner.id)?))
    })
    .map_err(|e| match e {
        // The owner's email and name are checked with the user; they sit under `owner` in the request.
        StoreError::InvalidField { field: field @ ("email" | "name"), message } => {
            ApiError::invalid(format!("owner.{field}"), message)
        }
        other => ApiError::from(other),
    })
}
