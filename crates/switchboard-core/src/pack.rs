//! Preset packs: a vendor's roles, catalog extensions and legacy role mappings (DESIGN §3). Packs
//! arrive from plugins as JSON; this module decides whether one is sound.

use crate::catalog::Level;
use crate::catalog::{Catalog, SectionDef};
use crate::error::{CoreError, Result};
use crate::ids::{NumberId, UserId};
use crate::policy::{Policy, PolicySettings, Principal};
use crate::role::{RoleDefinition, RoleMode, RoleOrigin};
use crate::scope::{CommunicationKind, ScopeKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Arc;

fn default_roles_permission() -> String {
    "team.roles:manage".into()
}

fn default_reports_permission() -> String {
    "reports.all".into()
}

fn default_reports_download_permission() -> String {
    "reports.download".into()
}

/// How users holding an old role are moved onto a pack's roles (seed 003).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyMapping {
    /// The old role's key.
    pub from: String,
    /// The pack's roles its holders get.
    pub to: Vec<String>,
    /// Further roles for the account's billing owner (its superadmin), e.g. Aircall's Owner.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub billing_owner_adds: Vec<String>,
    /// Further roles for every holder when the migration is asked to keep their access (seed 003:
    /// "to keep the same permissions, current Admins need Owner + Admin + Agent", AC-17).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keep_access_adds: Vec<String>,
}

/// A vendor-style set of roles.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetPack {
    /// The `preset` value accounts are created with: `mightycall`, `aircall`, `groups-ivr`.
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub role_mode: RoleMode,
    #[serde(default)]
    pub catalog_extensions: Vec<SectionDef>,
    pub roles: Vec<RoleDefinition>,
    /// The role every new user gets (Aircall: Agent).
    #[serde(default)]
    pub default_role: Option<String>,
    /// The roles the account's creator (its superadmin) holds.
    #[serde(default)]
    pub owner_roles: Vec<String>,
    /// What assigning, creating, editing and deleting roles needs.
    #[serde(default = "default_roles_permission")]
    pub roles_permission: String,
    #[serde(default)]
    pub legacy_mappings: Vec<LegacyMapping>,
    /// Roles of earlier versions of this pack that this version renames or splits: an account's
    /// upgrade moves their holders onto the successors ([`crate::plan_upgrade`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub successions: Vec<RoleSuccession>,
    /// Roles whose holders read the account's audit log (Aircall: Owner).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audit_readers: Vec<String>,
    /// Rights only the pack's preset roles hold; a custom role with one is refused (MightyCall:
    /// supervising users, MC-34).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserved_rights: Vec<String>,
    /// What widens a user's reports from their own interactions to their data scope (MC-5, MC-26).
    /// Default: `reports.all`.
    #[serde(default = "default_reports_permission")]
    pub reports_permission: String,
    /// What downloading reports and the history as CSV needs. Default: `reports.download`.
    #[serde(default = "default_reports_download_permission")]
    pub reports_download_permission: String,
    /// What playing others' recordings needs besides a role's `recordings` kind (Aircall: the call
    /// recordings section).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recordings_permission: Option<String>,
}

/// Whether a pack name is lowercase letters, digits and dashes, starting with a letter.
pub fn is_valid_pack_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 64
        && matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-'))
}

impl PresetPack {
    pub fn settings(&self) -> PolicySettings {
        PolicySettings {
            role_mode: self.role_mode,
            default_role: self.default_role.clone(),
            roles_permission: self.roles_permission.clone(),
            audit_readers: self.audit_readers.clone(),
            reserved_rights: self.reserved_rights.clone(),
            reports_permission: self.reports_permission.clone(),
            reports_download_permission: self.reports_download_permission.clone(),
            recordings_permission: self.recordings_permission.clone(),
        }
    }

    /// Checks the pack against a base catalog and returns the pack's catalog (base plus its
    /// extensions). Every error names the pack and what is wrong.
    pub fn validate(&self, base: &Catalog) -> Result<Catalog> {
        let invalid = |message: String| CoreError::InvalidPack { pack: self.name.clone(), message };
        if !is_valid_pack_name(&self.name) {
            return Err(invalid(format!(
                "`{}` is not a valid pack name: use lowercase a-z, 0-9 and -, starting with a letter",
                self.name
            )));
        }
        if self.version.trim().is_empty() || self.version.len() > 64 {
            return Err(invalid("the version must have 1 to 64 characters".into()));
        }
        if self.roles.is_empty() {
            return Err(invalid("a pack needs at least one role".into()));
        }
        let wrap = |e: CoreError| invalid(e.to_string());
        let catalog = base.extended(&self.name, &self.catalog_extensions).map_err(wrap)?;
        // Each role on its own first, so that a mistake names its role and the key it likely meant.
        for role in &self.roles {
            role.compile_access(&catalog).map_err(|e| invalid(in_role(&catalog, &role.key, e)))?;
        }
        let policy = self.policy(Arc::new(catalog.clone()), []).map_err(wrap)?;
        if self.role_mode == RoleMode::Single && self.owner_roles.len() > 1 {
            return Err(invalid("a single-role pack gives its owner at most one role".into()));
        }
        for key in self.owner_roles.iter().chain(&self.audit_readers) {
            policy.role_idx(key).map_err(wrap)?;
        }
        for key in &self.reserved_rights {
            catalog.right_id(key).map_err(wrap)?;
        }
        let mut froms = BTreeSet::new();
        for mapping in &self.legacy_mappings {
            if !froms.insert(mapping.from.as_str()) {
                return Err(invalid(format!("legacy role `{}` is mapped twice", mapping.from)));
            }
            for key in mapping.to.iter().chain(&mapping.billing_owner_adds).chain(&mapping.keep_access_adds) {
                policy.role_idx(key).map_err(wrap)?;
            }
        }
        let mut replaced = BTreeSet::new();
        for succession in &self.successions {
            if !replaced.insert(succession.from.as_str()) {
                return Err(invalid(format!("earlier role `{}` has two successions", succession.from)));
            }
            if policy.role_idx(&succession.from).is_ok() {
                return Err(invalid(format!(
                    "role `{}` is still in the pack: only a role this version no longer has can have successors",
                    succession.from
                )));
            }
            if succession.to.is_empty() {
                return Err(invalid(format!("earlier role `{}` has no successor", succession.from)));
            }
            if self.role_mode == RoleMode::Single && succession.to.len() > 1 {
                return Err(invalid(format!(
                    "earlier role `{}` is split in a single-role pack: its holders can have only one successor",
                    succession.from
                )));
            }
            for key in &succession.to {
                policy.role_idx(key).map_err(wrap)?;
            }
        }
        Ok(catalog)
    }

    /// The policy of an account on this pack: the pack's roles followed by the account's custom roles.
    pub fn policy(&self, catalog: Arc<Catalog>, custom: impl IntoIterator<Item = RoleDefinition>) -> Result<Policy> {
        let origin = RoleOrigin::Preset { pack: self.name.clone() };
        let presets = self.roles.iter().cloned().map(|r| (origin.clone(), r));
        Policy::new(catalog, self.settings(), presets.chain(custom.into_iter().map(|r| (RoleOrigin::Custom, r))))
    }
}

/// A role's error, naming the role, with the catalog key an unknown one most likely meant.
fn in_role(catalog: &Catalog, role: &str, error: CoreError) -> String {
    let guess = match &error {
        CoreError::UnknownSection(key) => catalog.closest_key(key, false),
        CoreError::UnknownRight(key) => catalog.closest_key(key, true),
        _ => None,
    };
    let hint = guess.map(|k| format!("; did you mean `{k}`?")).unwrap_or_default();
    match error {
        CoreError::InvalidRole { .. } => format!("{error}{hint}"),
        _ => format!("role `{role}`: {error}{hint}"),
    }
}

/// A role that an earlier version of a pack had and this one does not: renamed (one successor) or
/// split (several). Its holders get the successors when their account upgrades.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleSuccession {
    pub from: String,
    pub to: Vec<String>,
}

/// A user's roles before a migration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigrationSubject {
    pub user_id: UserId,
    pub superadmin: bool,
    /// The user's preset roles (of the account's current pack): these follow the legacy mappings.
    pub roles: Vec<String>,
    /// The user's custom roles: kept as they are, never mistaken for a namesake preset.
    #[serde(default)]
    pub custom_roles: Vec<String>,
}

/// What a migration does to one user.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserMigration {
    pub user_id: UserId,
    pub from: Vec<String>,
    pub to: Vec<String>,
    /// Old roles with no mapping and no namesake in the target pack: they are dropped.
    pub dropped: Vec<String>,
    /// What the user's roles give now that the new ones do not (whatever the user's status).
    pub loses: AccessLoss,
}

/// What a person's roles would no longer give them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLoss {
    /// Sections held at a lower level, or not at all.
    pub sections: Vec<SectionLoss>,
    /// Rights no longer held, by key.
    pub rights: Vec<String>,
    /// Data scopes no longer held.
    pub scopes: Vec<ScopeKind>,
    /// Business numbers a `numbers` scope no longer selects.
    pub numbers: Vec<NumberId>,
    /// All recents, when only their own would be left.
    pub recents: bool,
    /// Kinds of data no longer shown beyond their own communications.
    pub kinds: Vec<CommunicationKind>,
}

impl AccessLoss {
    pub fn is_empty(&self) -> bool {
        *self == AccessLoss::default()
    }

    /// What `before` (a person under `was`) holds that `after` (them under `will`) does not. The two
    /// policies may have different catalogs: sections and rights are matched by key.
    pub fn between(was: &Policy, before: &Principal, will: &Policy, after: &Principal) -> AccessLoss {
        let (old, new) = (was.catalog(), will.catalog());
        let mut loss = AccessLoss::default();
        for section in old.sections() {
            let from = section.def.level_set.level_of_rank(before.held_permissions.rank(section.id));
            let to = new
                .section_id(&section.def.key)
                .map(|id| new.section(id).def.level_set.level_of_rank(after.held_permissions.rank(id)))
                .unwrap_or(Level::None);
            if to.rank() < from.rank() {
                loss.sections.push(SectionLoss { section: section.def.key.clone(), from, to });
            }
        }
        for right in old.rights() {
            let kept = new.right_id(&right.key).is_ok_and(|id| after.held_permissions.has_right(id));
            if before.held_permissions.has_right(right.id) && !kept {
                loss.rights.push(right.key.clone());
            }
        }
        loss.scopes = before.held_scope.kinds().filter(|k| !after.held_scope.has(*k)).collect();
        if before.held_scope.has(ScopeKind::Numbers) && !after.held_scope.has(ScopeKind::All) {
            loss.numbers = before.numbers.iter().filter(|n| after.numbers.binary_search(n).is_err()).copied().collect();
        }
        loss.recents = before.held_recents_all && !after.held_recents_all;
        loss.kinds = after.held_kinds.missing_from(before.held_kinds).collect();
        loss
    }
}

/// A section a person would hold lower.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionLoss {
    pub section: String,
    pub from: Level,
    pub to: Level,
}

/// Plans moving users onto `target`'s roles (seed 003): preset roles follow the pack's legacy
/// mappings (the billing owner gets the extra roles), preset roles the pack also has are kept, the
/// rest are dropped; custom roles are kept; a user left with nothing gets the default role; a
/// single-role pack keeps the first role in the pack's order.
///
/// Fails when a custom role has the key of one of the target's presets: the account would end up
/// with two roles of one key, or a custom role silently turned into a (possibly guarded) preset.
///
/// With `keep_access`, a mapping's `keep_access_adds` go to every holder of its old role (AC-17).
/// [`UserMigration::loses`] is left empty here: it takes both policies ([`AccessLoss::between`]).
pub fn plan_migration(
    target: &PresetPack,
    users: &[MigrationSubject],
    keep_access: bool,
) -> Result<Vec<UserMigration>> {
    if let Some(clash) = users.iter().flat_map(|u| &u.custom_roles).find(|k| target.roles.iter().any(|r| &r.key == *k))
    {
        return Err(CoreError::InvalidRole {
            role: clash.clone(),
            message: format!("a custom role has the key of a `{}` preset; rename it before migrating", target.name),
        });
    }
    let order = |key: &str| target.roles.iter().position(|r| r.key == key).unwrap_or(usize::MAX);
    Ok(users
        .iter()
        .map(|user| {
            let mut to: Vec<String> = Vec::new();
            let mut dropped = Vec::new();
            let add = |key: &String, to: &mut Vec<String>| {
                if !to.contains(key) {
                    to.push(key.clone());
                }
            };
            for role in &user.roles {
                if let Some(mapping) = target.legacy_mappings.iter().find(|m| &m.from == role) {
                    mapping.to.iter().for_each(|k| add(k, &mut to));
                    if user.superadmin {
                        mapping.billing_owner_adds.iter().for_each(|k| add(k, &mut to));
                    }
                    if keep_access {
                        mapping.keep_access_adds.iter().for_each(|k| add(k, &mut to));
                    }
                } else if target.roles.iter().any(|r| &r.key == role) {
                    add(role, &mut to);
                } else {
                    dropped.push(role.clone());
                }
            }
            user.custom_roles.iter().for_each(|k| add(k, &mut to));
            if let Some(default) = &target.default_role
                && (to.is_empty() || target.role_mode == RoleMode::Combinable)
            {
                add(default, &mut to);
            }
            to.sort_by_key(|k| order(k));
            if target.role_mode == RoleMode::Single && to.len() > 1 {
                dropped.extend(to.drain(1..));
            }
            let from = user.roles.iter().chain(&user.custom_roles).cloned().collect();
            UserMigration { user_id: user.user_id, from, to, dropped, loses: AccessLoss::default() }
        })
        .collect())
}
