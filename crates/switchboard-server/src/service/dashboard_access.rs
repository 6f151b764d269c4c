//! Setting the workgroups and IVRs whose data a person may see and filter (seed 002), for good or
//! for a time.

use super::{Change, PersonView};
use crate::problem::ApiError;
use switchboard_core::{DashboardAccess, MAX_DASHBOARD, UserId};
use switchboard_store::Bounds;
use switchboard_store::repo::{ivrs, users, workgroups};

pub fn set(
    cx: &mut Change<'_>,
    id: UserId,
    access: DashboardAccess,
    bounds: Bounds,
    expected: Option<i64>,
) -> Result<PersonView, ApiError> {
    super::set_roles::check_bounds(&bounds)?;
    if access.workgroups.len() > MAX_DASHBOARD {
        return Err(ApiError::invalid("workgroups", format!("at most {MAX_DASHBOARD} workgroups")));
    }
    if access.ivrs.len() > MAX_DASHBOARD {
        return Err(ApiError::invalid("ivrs", format!("at most {MAX_DASHBOARD} IVRs")));
    }
    let person = cx.person(id)?;
    cx.allow_result(cx.policy().can_set_person_dashboard(&cx.actor, &person, &access))?;
    // Checked here, not left to the database: the answer names the field, not a constraint.
    let account = cx.account();
    if let Some(w) = workgroups::first_unknown(cx.conn, account, &access.workgroups)? {
        return Err(ApiError::invalid("workgroups", format!("workgroup {w} is not in this account")));
    }
    if let Some(i) = ivrs::first_unknown(cx.conn, account, &access.ivrs)? {
        return Err(ApiError::invalid("ivrs", format!("IVR {i} is not in this account")));
    }
    users::set_dashboard_access_bounded(cx.conn, account, id, &access, bounds, expected, &cx.who)?;
    cx.person_view(id)
}
