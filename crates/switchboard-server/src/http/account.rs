//! `/v1/account/…`: the caller's own account — handing over the superadmin role, and requiring
//! two-factor sign-in of the people who manage people or roles.

use crate::access::Caller;
use crate::http::accounts::AccountView;
use crate::http::body::Body;
use crate::http::common::Errors;
use crate::problem::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::{post, put, web};
use serde::{Deserialize, Serialize};
use switchboard_core::UserId;
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
