//! Operator endpoints: create and list accounts.

use crate::http::body::Body;
use crate::http::common::page;
use crate::http::common::{Errors, PageQuery, db};
use crate::http::operator::Operator;
use crate::http::query::Query;
use crate::http::users::UserView;
use crate::problem::ApiError;
use crate::provision::{self, AccountSpec};
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use switchboard_core::{AccountId, UserId};
use switchboard_core::{DisplayName, Email, Password, Slug};
use switchboard_store::Actor;
use switchboard_store::repo::account_deletion::{self, AccountDeletion};
use switchboard_store::repo::accounts;
use switchboard_store::repo::accounts::Account;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOwner {
    pub email: Email,
    pub name: DisplayName,
    pub password: Password,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccount {
    /// Unique among accounts.
    pub slug: Slug,
    pub name: DisplayName,
    /// A loaded preset pack: see `GET /v1/presets`.
    #[schema(example = "mightycall", min_length = 1, max_length = 64, pattern = r"^[a-z][a-z0-9-]*$")]
    pub preset: String,
    pub owner: NewOwner,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedAccount {
    pub account: AccountView,
    /// The account's superadmin, holding the pack's owner roles.
    pub superadmin: UserView,
}

/// What was deleted.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountDeletionView {
    pub account_id: AccountId,
    pub slug: String,
    pub name: String,
    pub preset: String,
    /// Who deleted it: `kind`, `id` and `email` (their user record is gone with the account).
    #[schema(value_type = Object)]
    pub deleted_by: serde_json::Value,
    pub deleted_at: DateTime<Utc>,
    /// Records deleted, by kind of record.
    pub records: BTreeMap<String, i64>,
}

impl From<AccountDeletion> for AccountDeletionView {
    fn from(d: AccountDeletion) -> Self {
        AccountDeletionView {
            account_id: d.account_id,
            slug: d.slug,
            name: d.name,
            preset: d.preset_pack,
            deleted_by: d.deleted_by,
            deleted_at: d.deleted_at,
            records: d.records,
        }
    }
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
    body: Body<CreateAccount>,
) -> Result<HttpResponse, ApiError> {
    let body = body.parse()?;
    let spec = AccountSpec {
        slug: body.slug.into_inner(),
        name: body.name.into_inner(),
        preset: body.preset,
        owner_email: body.owner.email.into_inner(),
        owner_name: body.owner.name.into_inner(),
        owner_password: body.owner.password.into_inner(),
    };
    let created =
        db(&state, move |state, conn| provision::create_account(conn, &state.packs, spec, &Actor::Operator)).await?;
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
    responses((status = 200, description = "A page of accounts", body = AccountPage), Errors)
)]
#[get("/accounts")]
pub async fn list_accounts(
    _operator: Operator,
    state: web::Data<AppState>,
    query: Query<PageQuery>,
) -> Result<web::Json<AccountPage>, ApiError> {
    let page = query.request()?;
    let accounts = db(&state, move |_, conn| Ok(accounts::list(conn, &page)?)).await?;
    Ok(web::Json(AccountPage::map(accounts, AccountView::from)))
}

/// Deleted accounts, by id: who deleted each, when, and how many records went with it.
#[utoipa::path(
    operation_id = "list_account_deletions",
    tag = "accounts",
    security(("operator" = [])),
    params(PageQuery),
    responses((status = 200, description = "A page of deleted accounts", body = AccountDeletionPage), Errors)
)]
#[get("/account-deletions")]
pub async fn list_account_deletions(
    _operator: Operator,
    state: web::Data<AppState>,
    query: Query<PageQuery>,
) -> Result<web::Json<AccountDeletionPage>, ApiError> {
    let page = query.request()?;
    let deletions = db(&state, move |_, conn| Ok(account_deletion::deletions(conn, &page)?)).await?;
    Ok(web::Json(AccountDeletionPage::map(deletions, AccountDeletionView::from)))
}

page!(AccountDeletionPage, AccountDeletionView);

/// An account (tenant).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: AccountId,
    #[schema(example = "acme")]
    pub slug: String,
    pub name: String,
    /// The preset pack fixing the account's built-in roles.
    #[schema(example = "mightycall")]
    pub preset: String,
    pub superadmin_id: UserId,
    pub created_at: DateTime<Utc>,
}

page!(AccountPage, AccountView);

impl From<Account> for AccountView {
    fn from(a: Account) -> Self {
        AccountView {
            id: a.id,
            slug: a.slug,
            name: a.name,
            preset: a.preset_pack,
            superadmin_id: a.superadmin,
            created_at: a.created_at,
        }
    }
}
