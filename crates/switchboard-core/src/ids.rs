//! Typed identifiers: a user id can never be passed where a role id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// How ids are stored: only with the `diesel` feature, which the store turns on.
#[cfg(feature = "diesel")]
pub mod columns;
#[cfg(feature = "diesel")]
use columns::*;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident stored as $sql:ident;)*) => {$(
        $(#[$doc])*
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "diesel", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
        #[cfg_attr(feature = "diesel", diesel(sql_type = $sql))]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random (v4) identifier.
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        /// Ids are stored as text; a row reads back into its typed id here.
        impl TryFrom<String> for $name {
            type Error = uuid::Error;
            fn try_from(text: String) -> Result<Self, uuid::Error> {
                Uuid::parse_str(&text).map(Self)
            }
        }
    )*};
}

id_type! {
    /// An account (tenant).
    AccountId stored as AccountIdText;
    /// A user of one account.
    UserId stored as UserIdText;
    /// A role of one account.
    RoleId stored as RoleIdText;
    /// A business number.
    NumberId stored as NumberIdText;
    /// A workgroup (seed 002 calls it a group).
    WorkgroupId stored as WorkgroupIdText;
    /// An IVR / call flow.
    IvrId stored as IvrIdText;
    /// A call, message, voicemail or recording.
    CommunicationId stored as CommunicationIdText;
}
