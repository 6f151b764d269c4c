//! Break-glass (issue 17): a holder of one of an emergency role's `assignable_by` roles takes the
//! role themselves, for a bounded time, stating why. Signed in only; every use is audited
//! (`role.emergency_access`) and logged, and the role ends at its instant like any time-bound grant.

use super::{Change, PersonView};
use crate::problem::ApiError;
use switchboard_core::{CredentialChange, Reason, RoleMode};
use switchboard_store::Bounds;
use switchboard_store::repo::roles::{self, Grant};

/// The longest emergency access, in minutes.
pub const MAX_MINUTES: u32 = 480;
/// The longest stated reason, in characters.
pub const MAX_REASON: usize = 500;

pub fn break_glass(cx: &mut Change<'_>, key: String, reason: &str, minutes: u32) -> Result<PersonView, ApiError> {
    cx.require_session(CredentialChange::OwnRoles)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(ApiError::invalid("reason", format!("state why, in 1 to {MAX_REASON} characters")));
    }
    if minutes == 0 || minutes > MAX_MINUTES {
        return Err(ApiError::invalid("minutes", format!("1 to {MAX_MINUTES} minutes")));
    }
    // An unknown key is answered as a role that is not an emergency role: no oracle for role keys.
    let not_emergency = || ApiError::Forbidden(Box::new(Reason::not_an_emergency_role(&key)));
    let role = cx.access.role_by_key(&key).ok_or_else(not_emergency)?.id;
    let idx = cx.policy().role_idx(&key).map_err(|_| not_emergency())?;
    cx.allow(cx.policy().can_break_glass(&cx.actor, idx))?;
    let me = cx.actor.user_id;
    let until = switchboard_store::now() + chrono::Duration::minutes(i64::from(minutes));
    let grant = Grant {
        bounds: Bounds { starts_at: None, expires_at: Some(until) },
        reason: Some(reason.to_owned()),
        ..Grant::by(&cx.who)
    };
    roles::assign_granted(cx.conn, cx.account(), me, role, RoleMode::Combinable, &grant, &cx.who)?;
    log::warn!("break-glass: user {me} took emergency role `{key}` until {until}: {reason}");
    cx.person_view(me)
}
