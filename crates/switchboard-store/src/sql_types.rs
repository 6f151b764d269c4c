//! The column types of ids (defined with the ids, in the core's `ids::columns`), made known to the
//! connection that serves both backends. The schema gives each id column its kind, so
//! `users::id.eq(role)` does not compile and rows read back into typed ids.

use crate::db::MultiBackend;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::HasSqlType;
pub use switchboard_core::ids::columns::*;
use switchboard_core::{AccountId, CommunicationId, IvrId, NumberId, RoleId, UserId, WorkgroupId};

macro_rules! on_both_backends {
    ($($(#[$doc:meta])* $sql:ident => $id:ident;)*) => {$(
        impl HasSqlType<$sql> for MultiBackend {
            fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
                MultiBackend::lookup_sql_type::<$sql>(lookup)
            }
        }

        impl ToSql<$sql, MultiBackend> for $id {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value(($sql, self));
                Ok(IsNull::No)
            }
        }

        impl FromSql<$sql, MultiBackend> for $id {
            fn from_sql(bytes: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                bytes.from_sql::<$id, $sql>()
            }
        }
    )*};
}

switchboard_core::each_id_column!(on_both_backends);
