//! How ids are stored (only with the `diesel` feature, which the store turns on; the core's rules
//! compile without diesel). Each kind of id has a SQL type of its own, UUID text on both backends,
//! so a column of user ids compares only with a `UserId` and reads back into one: ids keep their
//! types down to the query. The store adds what its two-backend connection needs.

use super::{AccountId, CommunicationId, IvrId, NumberId, RoleId, UserId, WorkgroupId};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;
use std::io::Write;
use uuid::Uuid;

fn parse(text: &str) -> deserialize::Result<Uuid> {
    Uuid::parse_str(text).map_err(|e| format!("stored id `{text}` is not a UUID: {e}").into())
}

macro_rules! id_columns {
    ($($(#[$doc:meta])* $sql:ident => $id:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId)]
        #[diesel(postgres_type(oid = 25, array_oid = 1009))]
        #[diesel(sqlite_type(name = "Text"))]
        pub struct $sql;

        impl ToSql<$sql, Sqlite> for $id {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(self.0.hyphenated().to_string());
                Ok(IsNull::No)
            }
        }

        impl ToSql<$sql, Pg> for $id {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                out.write_all(self.0.hyphenated().encode_lower(&mut Uuid::encode_buffer()).as_bytes())?;
                Ok(IsNull::No)
            }
        }

        impl FromSql<$sql, Sqlite> for $id {
            fn from_sql(bytes: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                parse(&<String as FromSql<Text, Sqlite>>::from_sql(bytes)?).map(Self)
            }
        }

        impl FromSql<$sql, Pg> for $id {
            fn from_sql(bytes: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                parse(&<String as FromSql<Text, Pg>>::from_sql(bytes)?).map(Self)
            }
        }
    )*};
}

/// Every kind of id with its column type, for the macros that implement something for each (here,
/// and the store's two-backend connection).
#[macro_export]
#[doc(hidden)]
macro_rules! each_id_column {
    ($then:ident) => {
        $then! {
            /// The column type of account ids.
            AccountIdText => AccountId;
            /// The column type of user ids.
            UserIdText => UserId;
            /// The column type of role ids.
            RoleIdText => RoleId;
            /// The column type of business number ids.
            NumberIdText => NumberId;
            /// The column type of workgroup ids.
            WorkgroupIdText => WorkgroupId;
            /// The column type of IVR ids.
            IvrIdText => IvrId;
            /// The column type of communication ids.
            CommunicationIdText => CommunicationId;
        }
    };
}

crate::each_id_column!(id_columns);
