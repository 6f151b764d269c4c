//! Operator endpoints: create and list accounts.

use crate::access::Operator;
use crate::auth::password;
use crate::http::common::{Errors, Page, PageQuery, db};
use crate::http::views::{AccountView, UserView};
use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use diesel::Connection;
use serde::{Deserialize, Serialize};
use switchboard_core::{RoleOrigin, UserStatus};
use switchboard_store::repo::{accounts, roles, users};
use switchboard_store::{Actor, StoreError};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOwner {
    #[schema(example = "owner@acme.example")]
    pub email: String,
    #[schema(example = "Ada Owner")]
    pub name: String,
    /// At least 8 characters; stored as an argon2id hash.
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccount {
    #[schema(example = "acme")]
    pub slug: String,
    #[schema(example = "Acme Telecom")]
    pub name: String,
    /// A loaded preset pack: see `GET /v1/presets`.
    #[schema(example = "mightycall")]
    pub preset: String,
    pub owner: NewOwner,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedAccount {
    pub account: AccountView,
    /// The account's superadmin, holding the pack's owner roles.
    pub superadmin: UserView,
}

/// Creates an account, its superadmin, and the preset pack's roles.
#[utoipa::path(
    operation_id = "create_account",
    tag = "accounts",
    security(("operator" = [])),
    request_body = CreateAccount,
    responses((status = 201, description = "Created", body = CreatedAccount), Errors)
)]
#[post("/accounts")]
pub async fn create_account(
    _operator: Operator,
    state: web::Data<AppState>,
    body: web::Json<CreateAccount>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let pack = state
        .packs
        .get(&body.preset)
        .cloned()
        .ok_or_else(|| ApiError::invalid("preset", format!("no preset pack `{}` is loaded", body.preset)))?;
    password::check_policy(&body.owner.password).map_err(|e| ApiError::invalid("owner.password", e))?;
    let hash = password::hash(&body.owner.password).map_err(ApiError::Internal)?;
    let created = db(&state, move |_, conn| {
        let new = accounts::NewAccount {
            slug: body.slug,
            name: body.name,
            preset_pack: pack.pack.name.clone(),
            owner: users::NewUser {
                email: body.owner.email,
                name: body.owner.name,
                status: UserStatus::Active,
                password_hash: Some(hash),
            },
        };
        let actor = Actor::Operator;
        conn.transaction::<_, StoreError, _>(|conn| {
            let (account, owner) = accounts::create(conn, &new, &actor)?;
            let origin = RoleOrigin::Preset { pack: pack.pack.name.clone() };
            let mut owner_roles = Vec::new();
            for definition in &pack.pack.roles {
                let role = roles::create(conn, account.id, &origin, definition, &actor)?;
                if pack.pack.owner_roles.contains(&definition.key) {
                    owner_roles.push(role.id);
                }
            }
            roles::set_user_roles(conn, account.id, owner.id, &owner_roles, pack.pack.role_mode, None, &actor)?;
            let account = accounts::get(conn, account.id)?;
            let owner = users::get(conn, account.id, owner.id)?;
            Ok((account, owner))
        })
        .map_err(ApiError::from)
    })
    .await?;
    let (account, owner) = created;
    let superadmin = account.superadmin;
    Ok(HttpResponse::Created()
        .json(CreatedAccount { account: account.into(), superadmin: UserView::new(owner, superadmin) }))
}

/// Lists accounts by slug.
#[utoipa::path(
    operation_id = "list_accounts",
    tag = "accounts",
    security(("operator" = [])),
    params(PageQuery),
    responses((status = 200, description = "A page of accounts", body = Page<AccountView>), Errors)
)]
#[get("/accounts")]
pub async fn list_accounts(
    _operator: Operator,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<AccountView>>, ApiError> {
    let page = query.request()?;
    let accounts = db(&state, move |_, conn| Ok(accounts::list(conn, &page)?)).await?;
    Ok(web::Json(Page::map(accounts, AccountView::from)))
}
