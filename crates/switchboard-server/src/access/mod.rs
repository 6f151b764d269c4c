//! Who is calling, and what their account's roles are: the account's compiled policy comes from a
//! cache keyed by the account's `access_version` ([`cache`]); the authenticated user of a request is
//! a [`Caller`] ([`caller`]).

pub mod cache;
pub mod caller;
pub mod credential;

pub use cache::{AccountPolicy, CachedUser, PolicyCache, REFRESH_INTERVAL};
pub use caller::Caller;
pub(crate) use caller::gone;
