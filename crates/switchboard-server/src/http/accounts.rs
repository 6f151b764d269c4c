//! Operator endpoints: create and list accounts.

use crate::access::Operator;
use crate::http::common::{Errors, PageQuery, db};
use crate::http::views::{AccountPage, AccountView, UserView};
use crate::problem::ApiError;
use crate::provision::{self, AccountSpec};
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use switchboard_store::Actor;
use switchboard_store::repo::accounts;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOwner {
    /// At most 254 characters: a local part, `@`, and a domain with a dot, without blanks (surrounding
    /// blanks are dropped); stored lowercased.
    #[schema(
        example = "owner@acme.example",
        max_length = 254,
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000@]+@[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub email: String,
    /// 1 to 200 characters, not all blank.
    #[schema(
        example = "Ada Owner",
        min_length = 1,
        max_length = 200,
        pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub name: String,
    /// 8 to 256 characters; stored as an argon2id hash.
    #[schema(min_length = 8, max_length = 256)]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccount {
    /// 1 to 63 of a-z, 0-9 and `-`, not starting or ending with `-`; unique.
    #[schema(example = "acme", min_length = 1, max_length = 63, pattern = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    pub slug: String,
    #[schema(example = "Acme Telecom")]
    pub name: String,
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
    let spec = AccountSpec {
        slug: body.slug,
        name: body.name,
        preset: body.preset,
        owner_email: body.owner.email,
        owner_name: body.owner.name,
        owner_password: body.owner.password,
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
    query: web::Query<PageQuery>,
) -> Result<web::Json<AccountPage>, ApiError> {
    let page = query.request()?;
    let accounts = db(&state, move |_, conn| Ok(accounts::list(conn, &page)?)).await?;
    Ok(web::Json(AccountPage::map(accounts, AccountView::from)))
}
