//! # switchboard-core
//!
//! The permission model of Switchboard and every decision it makes, as a pure library: no I/O, no
//! web framework, no database. Storage and the HTTP server load rows, build a [`Policy`] per account
//! and a [`Principal`] per user, and ask the policy.
//!
//! - [`catalog`]: sections, levels and rights (seed 001), extensible by preset packs;
//! - [`role`]: role definitions (grants, data scope, recents, guards) and their compiled access;
//! - [`policy`]: one account's compiled roles and the decisions: [`Policy::check`],
//!   [`Policy::can_see`], [`Policy::can_assign`], [`Policy::can_edit_role`],
//!   [`Policy::can_change_access`] and friends, each returning a [`Decision`] with its reason;
//! - [`reach`]: rule 8, decisions about a person judged on that person's concrete reach;
//! - [`pack`]: preset packs and legacy role migration;
//! - [`reference`]: a naive evaluator the compiled path is tested against;
//! - [`values`]: text checked once where it arrives (emails, names, role keys, numbers, slugs, passwords).

pub mod catalog;
pub mod credential;
pub mod decision;
pub mod error;
pub mod explain;
pub mod grantable;
pub mod ids;
pub mod lookup;
pub mod pack;
pub mod permset;
pub mod policy;
pub mod reach;
pub mod reference;
pub mod role;
pub mod scope;
pub mod upgrade;
pub mod values;

pub use catalog::{Catalog, Level, LevelSet, Permission, RightDef, SectionDef};
pub use credential::{Credential, CredentialChange};
pub use decision::{Decision, Excess, Reason, ReasonCode, Via};
pub use error::{CoreError, Result};
pub use grantable::GrantableSection;
pub use ids::{AccountId, CommunicationId, IvrId, NumberId, RoleId, UserId, WorkgroupId};
pub use lookup::Source;
pub use pack::{
    AccessLoss, LegacyMapping, MigrationSubject, PresetPack, RoleSuccession, SectionLoss, UserMigration, plan_migration,
};
pub use permset::PermissionSet;
pub use policy::{
    CommunicationRef, CompiledRole, DashboardAccess, MAX_DASHBOARD, Policy, PolicySettings, Principal, Subject,
    UserAction, UserStatus, Visibility,
};
pub use reach::{MembershipChange, Reach, ReachPart};
#[cfg(feature = "openapi")]
pub use role::SectionKey;
pub use role::{Guards, RecentsScope, RoleAccess, RoleDefinition, RoleIdx, RoleMode, RoleOrigin, SectionGrant};
pub use scope::{CommunicationKind, DataKinds, KindFlags, ScopeFlags, ScopeKind};
pub use upgrade::{PresetRoleChange, PresetRoleStatus, plan_upgrade, upgraded_roles, version_order};
pub use values::{CurrentPassword, DisplayName, E164, Email, InvalidValue, Password, RoleKey, RoleName, Slug};
