//! IVRs / call flows and their linked numbers (`/v1/ivrs`).

use crate::common::{Actor, Page, PageRequest};
use crate::db::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::repo::named_group::named_group;
use crate::schema::{ivr_numbers, ivrs};
use diesel::prelude::*;
use switchboard_core::{AccountId, IvrId, NumberId};

named_group!(
    /// An IVR / call flow: the path incoming calls take.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = IvrView))]
    Ivr {
        name: "Main menu",
        /// Numbers whose calls go through this IVR (sorted).
        numbers: NumberId
    },
    IvrId,
    ivrs,
    ivr_numbers(ivr_id, number_id),
    "ivr"
);

/// Creates an IVR linked to `linked` numbers (a number belongs to at most one IVR).
pub fn create_ivr(
    conn: &mut DbConn,
    account: AccountId,
    name: &str,
    linked: &[NumberId],
    actor: &Actor,
) -> StoreResult<Ivr> {
    create_group(conn, (account, actor), name, linked, false)
}

/// Renames an IVR and/or replaces its linked numbers.
pub fn update_ivr(
    conn: &mut DbConn,
    account: AccountId,
    id: IvrId,
    name: Option<&str>,
    linked: Option<&[NumberId]>,
    actor: &Actor,
) -> StoreResult<Ivr> {
    change_group(conn, (account, actor, "ivr.update"), id, name, linked, false)
}
