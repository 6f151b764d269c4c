//! Two-factor sign-in: `/v1/me/two-factor` (enrol, confirm, turn off) and an admin's reset of another
//! person's (`/v1/users/{id}/two-factor`). The account's requirement is in `account.rs`.

use crate::access::Caller;
use crate::http::body::Body;
use crate::http::common::Errors;
use crate::problem::ApiError;
use crate::service;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, post, web};
use serde::{Deserialize, Serialize};
use switchboard_core::{CurrentPassword, UserId};
use utoipa::ToSchema;

/// Shown once: add the secret to an authenticator app (or open the `otpauth://` address), keep the
/// recovery codes somewhere safe, then confirm with a first code.
#[derive(Debug, Serialize, ToSchema)]
pub struct TwoFactorEnrolment {
    /// The TOTP secret, base32 (RFC 6238: SHA-1, 6 digits, 30 seconds).
    pub secret: String,
    pub otpauth_uri: String,
    /// Each works once in place of a code.
    pub recovery_codes: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorCode {
    /// The authenticator's current 6-digit code.
    #[schema(example = "123456", pattern = r"^[0-9]{6}$")]
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TurnOffTwoFactor {
    pub current_password: CurrentPassword,
}

/// Starts two-factor enrolment (from a signed-in session, not an API key). Until it is confirmed,
/// sign-in does not ask for codes; starting again replaces an unconfirmed enrolment.
#[utoipa::path(operation_id = "enroll_two_factor", tag = "auth", security(("bearer" = [])),
    responses((status = 201, description = "The secret and recovery codes, shown once", body = TwoFactorEnrolment), Errors))]
#[post("/me/two-factor")]
pub async fn enroll(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let e = service::run(&state, caller, service::two_factor::enroll).await?;
    let view = TwoFactorEnrolment { secret: e.secret, otpauth_uri: e.otpauth_uri, recovery_codes: e.recovery_codes };
    Ok(HttpResponse::Created().json(view))
}

/// Confirms the enrolment with the authenticator's current code: from then on sign-in asks for one.
#[utoipa::path(operation_id = "confirm_two_factor", tag = "auth", security(("bearer" = [])),
    request_body = TwoFactorCode, responses((status = 204, description = "Two-factor sign-in is on"), Errors))]
#[post("/me/two-factor/confirm")]
pub async fn confirm(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<TwoFactorCode>,
) -> Result<HttpResponse, ApiError> {
    let code = body.parse()?.code;
    service::run(&state, caller, move |cx| service::two_factor::confirm(cx, &code)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Turns the caller's two-factor sign-in off; it takes their current password.
#[utoipa::path(operation_id = "turn_off_two_factor", tag = "auth", security(("bearer" = [])),
    request_body = TurnOffTwoFactor, responses((status = 204, description = "Two-factor sign-in is off"), Errors))]
#[post("/me/two-factor/off")]
pub async fn turn_off(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<TurnOffTwoFactor>,
) -> Result<HttpResponse, ApiError> {
    let password = body.parse()?.current_password.into_inner();
    service::run(&state, caller, move |cx| service::two_factor::turn_off(cx, Some(&password))).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Resets another person's two-factor sign-in (a lost phone); judged like setting their password, it
/// ends their sessions.
#[utoipa::path(operation_id = "reset_two_factor", tag = "users", security(("bearer" = [])),
    params(("id" = UserId, Path, description = "The user's id")),
    responses((status = 204, description = "Reset; they sign in with their password and may enrol again"), Errors))]
#[delete("/users/{id}/two-factor")]
pub async fn reset(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    service::run(&state, caller, move |cx| service::two_factor::reset(cx, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
