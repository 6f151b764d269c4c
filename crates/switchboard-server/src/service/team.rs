//! Workgroups, business numbers and IVRs as records: creating, renaming and editing them changes
//! nobody's access but the routing's. Membership is [`super::memberships`].

use super::Change;
use crate::problem::ApiError;
use switchboard_core::{IvrId, NumberId, WorkgroupId};
use switchboard_store::repo::ivrs::{self, Ivr};
use switchboard_store::repo::numbers::{self, BusinessNumber, NumberInput};
use switchboard_store::repo::workgroups::{self, Workgroup};

pub fn rename_workgroup(cx: &mut Change<'_>, id: WorkgroupId, name: &str) -> Result<Workgroup, ApiError> {
    cx.require("team.workgroups:manage")?;
    Ok(workgroups::rename_workgroup(cx.conn, cx.account(), id, name, &cx.who)?)
}

pub fn create_number(cx: &mut Change<'_>, input: &NumberInput) -> Result<BusinessNumber, ApiError> {
    cx.require("numbers.add")?;
    Ok(numbers::create_number(cx.conn, cx.account(), input, &cx.who)?)
}

/// Edits a number's settings; `patch` fills in what the request leaves out from the current record.
pub fn update_number(
    cx: &mut Change<'_>,
    id: NumberId,
    patch: impl FnOnce(&BusinessNumber) -> NumberInput,
) -> Result<BusinessNumber, ApiError> {
    cx.require("numbers.edit")?;
    let current = numbers::get(cx.conn, cx.account(), id)?;
    Ok(numbers::update_number(cx.conn, cx.account(), id, &patch(&current), &cx.who)?)
}

/// The first of `numbers` that is not a business number of the account: 422 naming `field`.
pub fn known_numbers(cx: &mut Change<'_>, numbers: &[NumberId], field: &str) -> Result<(), ApiError> {
    match numbers::first_unknown(cx.conn, cx.account(), numbers)? {
        Some(number) => Err(ApiError::invalid(field, format!("number {number} is not in this account"))),
        None => Ok(()),
    }
}

pub fn create_ivr(cx: &mut Change<'_>, name: &str, numbers: &[NumberId]) -> Result<Ivr, ApiError> {
    cx.require("call_flow:manage")?;
    known_numbers(cx, numbers, "numbers")?;
    Ok(ivrs::create_ivr(cx.conn, cx.account(), name, numbers, &cx.who)?)
}

pub fn update_ivr(
    cx: &mut Change<'_>,
    id: IvrId,
    name: Option<&str>,
    numbers: Option<&[NumberId]>,
) -> Result<Ivr, ApiError> {
    cx.require("call_flow:manage")?;
    ivrs::get(cx.conn, cx.account(), id)?;
    known_numbers(cx, numbers.unwrap_or_default(), "numbers")?;
    Ok(ivrs::update_ivr(cx.conn, cx.account(), id, name, numbers, &cx.who)?)
}

pub fn delete_ivr(cx: &mut Change<'_>, id: IvrId) -> Result<(), ApiError> {
    cx.require("call_flow:manage")?;
    Ok(ivrs::delete(cx.conn, cx.account(), id, &cx.who)?)
}
