//! `/v1/account…`: the caller's own account — reading, renaming and deleting it (rule MC-2), handing
//! over the superadmin role, and requiring two-factor sign-in of the people who manage people or roles.

use crate::access::Caller;
use crate::http::accounts::{AccountDeletionView, AccountView};
use crate::http::body::Body;
use crate::http::common::{Errors, IfMatch, db, etag};
use crate::problem::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_core::DisplayName;
use switchboard_core::UserId;
use switchboard_store::repo::accounts::{self, Account};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorRequirement {
    /// Whether everyone who manages people or roles must sign in with two factors; until they enrol,
    /// they can only enrol.
    pub required: bool,
}

/// Who the superadmin hands the role to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSuperadmin {
    /// An active user of the account.
    pub user_id: UserId,
}

/// Hands the superadmin role to another active user (superadmin only, signed in). The former
/// superadmin keeps their roles; their other sessions end.
#[utoipa::path(operation_id = "transfer_superadmin", tag = "accounts", security(("bearer" = [])),
    request_body = NewSuperadmin, responses((status = 200, description = "The account with its new superadmin", body = AccountView), Errors))]
#[post("/account/superadmin")]
pub async fn transfer_superadmin(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<NewSuperadmin>,
) -> Result<web::Json<AccountView>, ApiError> {
    let to = body.parse()?.user_id;
    let account = service::run(&state, caller, move |cx| service::account::transfer_superadmin(cx, to)).await?;
    Ok(web::Json(account.into()))
}

/// Requires two-factor sign-in of everyone who manages people or roles (or stops). Superadmin only.
#[utoipa::path(operation_id = "require_two_factor", tag = "accounts", security(("bearer" = [])),
    request_body = TwoFactorRequirement, responses((status = 200, description = "The requirement now", body = TwoFactorRequirement), Errors))]
#[put("/account/two-factor")]
pub async fn require_two_factor(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<TwoFactorRequirement>,
) -> Result<web::Json<TwoFactorRequirement>, ApiError> {
    let wanted = body.parse()?.required;
    let required = service::run(&state, caller, move |cx| service::two_factor::require(cx, wanted)).await?;
    Ok(web::Json(TwoFactorRequirement { required }))
}

/// The caller's account with its settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountDetails {
    #[serde(flatten)]
    pub account: AccountView,
    /// Whether everyone who manages people or roles must sign in with two factors.
    pub require_two_factor: bool,
    /// Pass back in `If-Match` (as the `ETag`) to change the account.
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl From<Account> for AccountDetails {
    fn from(a: Account) -> Self {
        let (two_factor, version, updated_at) = (a.require_two_factor, a.version, a.updated_at);
        AccountDetails { account: a.into(), require_two_factor: two_factor, version, updated_at }
    }
}

fn details(account: Account) -> HttpResponse {
    HttpResponse::Ok().insert_header(etag(account.version)).json(AccountDetails::from(account))
}

/// The caller's account (`account:view`).
#[utoipa::path(operation_id = "get_account", tag = "accounts", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The account; `ETag` carries its version", body = AccountDetails,
        headers(("ETag" = String, description = "The account's version, for `If-Match`"))), Errors))]
#[get("/account")]
pub async fn get_account(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    caller.require("account:view", &state.metrics)?;
    let id = caller.account.id;
    Ok(details(db(&state, move |_, conn| Ok(accounts::get(conn, id)?)).await?))
}

/// A change to the account; fields left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    pub name: Option<DisplayName>,
}

/// Renames the account (`account:manage`). Send `If-Match` to avoid lost updates.
#[utoipa::path(operation_id = "update_account", tag = "accounts", security(("bearer" = []), ("api_key" = [])),
    params(IfMatch), request_body = AccountPatch,
    responses((status = 200, description = "The account", body = AccountDetails,
        headers(("ETag" = String, description = "The account's version, for `If-Match`"))), Errors))]
#[patch("/account")]
pub async fn update_account(
    IfMatch(expected): IfMatch,
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<AccountPatch>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.parse()?;
    let account = service::run(&state, caller, move |cx| match &patch.name {
        Some(name) => service::account::rename(cx, name, expected),
        None => {
            cx.require("account:manage")?;
            Ok(accounts::get(cx.conn, cx.account())?)
        }
    })
    .await?;
    Ok(details(account))
}

/// The confirmation of an account's deletion.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccount {
    /// The account's slug, typed back.
    #[schema(example = "acme")]
    pub confirm_slug: String,
}

/// Deletes the account and every record of it, in one transaction (`account:manage`, signed in,
/// confirmed by typing the slug back). What is left is the deletion's record, for the operator
/// (`GET /v1/account-deletions`); every token and key of the account stops working.
#[utoipa::path(operation_id = "delete_account", tag = "accounts", security(("bearer" = [])),
    request_body = DeleteAccount,
    responses((status = 200, description = "Deleted", body = AccountDeletionView), Errors))]
#[delete("/account")]
pub async fn delete_account(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<DeleteAccount>,
) -> Result<web::Json<AccountDeletionView>, ApiError> {
    let confirm = body.parse()?.confirm_slug;
    let deletion = service::run(&state, caller, move |cx| service::account::delete(cx, &confirm)).await?;
    Ok(web::Json(deletion.into()))
}
