#![recursion_limit = "512"]
//! # switchboard-store
//!
//! Switchboard's storage on diesel 2 and r2d2: SQLite embedded by default, PostgreSQL for scale,
//! one code base ([`DbConn`] is a `diesel::MultiConnection`), migrations per dialect embedded in the
//! binary and applied on open ([`Store::open`], [`run_migrations`]).
//!
//! - [`db`]: URL → backend, the pool, SQLite pragmas, migrations;
//! - [`repo`]: repositories (blocking; wrap calls in `web::block`): [`repo::accounts`],
//!   [`repo::users`] (incl. [`repo::users::subject`], the effective-permission inputs in one round trip),
//!   [`repo::roles`] (incl. assignment in single/combinable mode, bulk change, copy),
//!   [`repo::workgroups`], [`repo::numbers`], [`repo::ivrs`], [`repo::communications`] (scoped history and
//!   counts from a core [`switchboard_core::Visibility`]), [`repo::api_keys`], [`repo::audit`];
//! - [`StoreError`]: the one error type.
//!
//! Every row carries its account; every reference is a composite foreign key on `(account_id, id)`,
//! so the database itself refuses a reference into another account. Every mutation writes its
//! audit event in the same transaction. Users and roles carry a version for optimistic concurrency.

pub mod common;
pub mod db;
pub mod error;
pub mod notify;
pub mod repo;
pub mod schema;
pub mod sql_types;

pub use common::{Actor, Bounds, MAX_PAGE, Page, PageRequest, now, write_transaction};
pub use db::{
    Backend, DbConn, POSTGRES_MIGRATIONS, PooledConn, SQLITE_MIGRATIONS, Store, StoreConfig, applied_migrations,
    revert_all_migrations, revert_migrations_from, run_migrations,
};
pub use error::{StoreError, StoreResult};
