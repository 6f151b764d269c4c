//! Who is calling, and what their account's roles are: the account's compiled policy comes from a
//! cache keyed by the account's `access_version` ([`cache`]); the authenticated user of a request is
//! a [`Caller`] ([`caller`]).

pub mod cache;
pub mod caller;
pub mod credential;
pub mod operator;
pub mod refresh;

pub use cache::{AccountPolicy, CachedUser, PolicyCache, REFRESH_INTERVAL};
pub(crate) use caller::gone;
pub use caller::{Caller, load_caller};
pub use operator::{MetricsReader, Operator};
