//! Two-factor sign-in: enrolling (a secret and recovery codes, shown once), confirming with a first
//! code, turning it off (one's own, with the password; another's, as a reset judged like setting
//! their password), and the account's requirement of it for people who manage people or roles.

use super::{Change, edit_user::check_current_password, sessions};
use crate::auth::totp;
use crate::problem::ApiError;
use switchboard_core::{CredentialChange, Decision, UserAction, UserId};
use switchboard_store::repo::sessions::EndedWhy;
use switchboard_store::repo::{accounts, two_factor, users};

/// What enrolling shows, once: the secret for the authenticator app and the recovery codes.
#[derive(Debug)]
pub struct Enrolment {
    pub secret: String,
    pub otpauth_uri: String,
    pub recovery_codes: Vec<String>,
}

/// Starts an enrolment of the actor; sign-in asks for codes once it is confirmed.
pub fn enroll(cx: &mut Change<'_>) -> Result<Enrolment, ApiError> {
    cx.require_session(CredentialChange::TwoFactor)?;
    let (account, user) = (cx.account(), cx.actor.user_id);
    let secret = totp::new_secret();
    let sealed = cx.state.sealing.seal(&secret).map_err(ApiError::Internal)?;
    let recovery_codes = totp::new_recovery_codes();
    let hashes: Vec<String> = recovery_codes.iter().map(|c| totp::recovery_hash(c)).collect();
    two_factor::enroll(cx.conn, account, user, &sealed, &hashes, &cx.who)?;
    let email = users::get(cx.conn, account, user)?.email;
    let label = format!("{}/{email}", cx.access.account.slug);
    Ok(Enrolment {
        secret: totp::base32(&secret),
        otpauth_uri: totp::otpauth_uri("Switchboard", &label, &secret),
        recovery_codes,
    })
}

/// Confirms the actor's enrolment with a code of their authenticator.
pub fn confirm(cx: &mut Change<'_>, code: &str) -> Result<(), ApiError> {
    cx.require_session(CredentialChange::TwoFactor)?;
    let (account, user) = (cx.account(), cx.actor.user_id);
    let record = two_factor::get(cx.conn, account, user)?.ok_or(ApiError::NotFound("two-factor enrolment"))?;
    if record.confirmed_at.is_some() {
        return Err(ApiError::Conflict("two-factor sign-in is already on".into()));
    }
    let secret = cx.state.sealing.open(&record.sealed_secret).ok_or_else(unreadable)?;
    let step = totp::matching_step(&secret, code, totp::current_step())
        .ok_or_else(|| ApiError::invalid("code", "the code does not match: check the authenticator app's clock"))?;
    Ok(two_factor::confirm(cx.conn, account, user, step as i64, &cx.who)?)
}

/// Turns the actor's own two-factor sign-in off; it takes their password.
pub fn turn_off(cx: &mut Change<'_>, current_password: Option<&String>) -> Result<(), ApiError> {
    cx.require_session(CredentialChange::TwoFactor)?;
    let user = cx.actor.user_id;
    check_current_password(cx, user, current_password)?;
    let account = cx.account();
    Ok(two_factor::remove(cx.conn, account, user, &cx.who)?)
}

/// Resets another person's two-factor sign-in (a lost phone): judged like setting their password,
/// and it ends their sessions.
pub fn reset(cx: &mut Change<'_>, id: UserId) -> Result<(), ApiError> {
    cx.require_session(CredentialChange::TwoFactor)?;
    let person = cx.person(id)?;
    cx.allow_result(cx.policy().can_manage_person(&cx.actor, &person, UserAction::Edit))?;
    let account = cx.account();
    two_factor::remove(cx.conn, account, id, &cx.who)?;
    sessions::end_all_of(cx, id, EndedWhy::TwoFactorReset)?;
    Ok(())
}

/// Requires (or not) two-factor sign-in of everyone who manages people or roles. Superadmin only.
pub fn require(cx: &mut Change<'_>, required: bool) -> Result<bool, ApiError> {
    if !cx.actor.superadmin {
        cx.allow(Decision::SuperadminOnly)?;
    }
    let account = cx.account();
    Ok(accounts::set_require_two_factor(cx.conn, account, required, &cx.who)?.require_two_factor)
}

/// A sealed secret that no longer opens (the server's secret changed): the person signs in with a
/// recovery code, or an admin resets their two-factor sign-in.
fn unreadable() -> ApiError {
    ApiError::Internal("a two-factor secret cannot be opened: was the server's secret changed?".into())
}
