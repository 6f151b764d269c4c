//! Repositories: blocking functions over a [`crate::DbConn`], one module per domain area. Every
//! mutation runs in one transaction together with its audit event.

pub mod account_deletion;
pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod communications;
pub mod events;
pub mod expiry;
pub mod grants;
pub mod group_mappings;
pub(crate) mod history_sql;
pub mod ivrs;
pub mod lookups;
pub(crate) mod named_group;
pub mod numbers;
pub mod reports;
pub mod reviews;
pub mod roles;
pub mod scim;
pub mod sessions;
pub(crate) mod totals;
pub mod two_factor;
pub mod users;
pub mod webhooks;
pub mod workgroups;
