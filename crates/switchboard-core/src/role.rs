//! Roles: grants, data scope, recents scope and assignment guards, and their compiled form.

use crate::catalog::{Catalog, Level, SectionId};
use crate::error::{CoreError, Result};
use crate::ids::NumberId;
use crate::permset::PermissionSet;
pub use crate::scope::RecentsScope;
use crate::scope::{DataKinds, KindFlags, ScopeFlags, ScopeKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Index of a role in its policy (only a policy mints them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoleIdx(pub(crate) u16);

/// Names the superadmin in `assignable_by`.
pub const SUPERADMIN_GUARD: &str = "@superadmin";

/// Longest role description accepted.
pub const MAX_ROLE_DESCRIPTION: usize = 2000;
/// Most numbers one role may select for its `numbers` scope.
pub const MAX_SCOPE_NUMBERS: usize = 1000;

/// Whether a user may hold one role or several.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleMode {
    /// At most one role per user (MightyCall, groups/IVR dashboard).
    Single,
    /// Several roles per user, with the union of their access (Aircall, rule AC-12).
    Combinable,
}

/// The level and rights a role grants on one section.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionGrant {
    pub level: Level,
    /// Full right keys under this section, e.g. `numbers.add`.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    #[cfg_attr(
        feature = "openapi",
        // An array, not a set: duplicates are accepted (and merged), so the schema must not forbid them.
        schema(
            value_type = Vec<String>,
            min_length = 1,
            max_length = 128,
            pattern = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"
        )
    )]
    pub rights: BTreeSet<String>,
}

// Only for the OpenAPI document: the keys of `grants` maps.
/// A section key: lowercase dot-separated segments of a-z, 0-9 and `_`, each starting with a
/// letter, e.g. `numbers` or `billing.credits`.
#[cfg(feature = "openapi")]
#[derive(Debug, utoipa::ToSchema)]
#[schema(min_length = 1, max_length = 128, pattern = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")]
pub struct SectionKey(pub String);

/// Who may assign a role and what its holders may assign (DESIGN §2, rules 2, 3 and 5).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guards {
    /// Only holders of one of these roles (or the superadmin, `@superadmin`) may assign or remove this role.
    /// Empty: anyone with the assignment permission.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 128, pattern = r"^(@superadmin|[a-z][a-z0-9_]*)$")
    )]
    pub assignable_by: Vec<String>,
    /// Holders of this role may assign only these roles. `None`: no restriction from this role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<crate::RoleKey>>))]
    pub can_assign: Option<Vec<String>>,
    /// A holder cannot change the access of another holder; only the superadmin can.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub peer_protected: bool,
    /// Break-glass: nobody gives this role; holders of an `assignable_by` role take it themselves, for
    /// a bounded time, stating why (`POST /v1/me/emergency-access`), every use audited.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub emergency: bool,
}

fn personal() -> ScopeKind {
    ScopeKind::Personal
}

/// A role as written by a pack author or an API client.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleDefinition {
    /// Unique in the account.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::RoleKey))]
    pub key: String,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::RoleName))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub description: String,
    /// Section key → level and rights. Sections left out are at `none`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<SectionKey, SectionGrant>))]
    pub grants: BTreeMap<String, SectionGrant>,
    #[serde(default = "personal")]
    pub scope: ScopeKind,
    /// With scope `numbers` (and only then): the selected business numbers (in addition to the
    /// user's own), at most 1000.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(max_items = 1000))]
    pub scope_numbers: Vec<NumberId>,
    #[serde(default)]
    pub recents: RecentsScope,
    /// The kinds of data the scope and recents show beyond the holder's own communications, and
    /// whether the holder plays their recordings. Left out: every kind.
    #[serde(default)]
    pub kinds: DataKinds,
    #[serde(default)]
    pub guards: Guards,
}

impl RoleDefinition {
    /// A role with no grants, personal scope and personal recents.
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        RoleDefinition {
            key: key.into(),
            name: name.into(),
            description: String::new(),
            grants: BTreeMap::new(),
            scope: ScopeKind::Personal,
            scope_numbers: Vec::new(),
            recents: RecentsScope::Personal,
            kinds: DataKinds::default(),
            guards: Guards::default(),
        }
    }

    /// Checks the role against a catalog and compiles its access. Guards are checked by the policy,
    /// which knows the other roles.
    pub fn compile_access(&self, catalog: &Catalog) -> Result<RoleAccess> {
        let invalid = |message: String| CoreError::InvalidRole { role: self.key.clone(), message };
        crate::RoleKey::parse(&self.key).map_err(|e| invalid(e.message))?;
        crate::RoleName::parse(&self.name).map_err(|e| invalid(e.message))?;
        if self.description.chars().count() > MAX_ROLE_DESCRIPTION {
            return Err(invalid(format!("the description must have at most {MAX_ROLE_DESCRIPTION} characters")));
        }
        if self.scope != ScopeKind::Numbers && !self.scope_numbers.is_empty() {
            return Err(invalid("`scope_numbers` is only meaningful with scope `numbers`".into()));
        }
        if self.scope_numbers.len() > MAX_SCOPE_NUMBERS {
            return Err(invalid(format!("at most {MAX_SCOPE_NUMBERS} scope numbers")));
        }
        let mut permissions = PermissionSet::EMPTY;
        for (section_key, grant) in &self.grants {
            let section = catalog.section_id(section_key)?;
            let def = &catalog.section(section).def;
            if !def.level_set.contains(grant.level) {
                return Err(CoreError::LevelNotInSet {
                    section: section_key.clone(),
                    level: grant.level.as_str().into(),
                    allowed: def.level_set.levels().iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", "),
                });
            }
            permissions.raise(section, grant.level);
            for right_key in &grant.rights {
                let right = catalog.right(catalog.right_id(right_key)?);
                if right.section != section {
                    return Err(CoreError::RightOutsideSection {
                        right: right_key.clone(),
                        section: section_key.clone(),
                    });
                }
                if grant.level.rank() < right.min_level.rank() {
                    return Err(CoreError::RightWithoutLevel {
                        right: right_key.clone(),
                        section: section_key.clone(),
                        required: right.min_level.as_str().into(),
                        granted: grant.level.as_str().into(),
                    });
                }
                permissions.add_right(right.id);
            }
        }
        let mut numbers = self.scope_numbers.clone();
        numbers.sort_unstable();
        numbers.dedup();
        let recents_all = self.recents == RecentsScope::All;
        // Kinds narrow what the role opens beyond the holder's own records; a role that opens nothing
        // more opens no kind, so that it widens nobody's other roles when combined with them.
        let opens_more = self.scope != ScopeKind::Personal || recents_all;
        Ok(RoleAccess {
            permissions,
            scope: ScopeFlags::of(self.scope),
            scope_numbers: numbers.into_boxed_slice(),
            recents_all,
            kinds: if opens_more { self.kinds.flags() } else { KindFlags::NONE },
        })
    }

    /// The level this role grants on a section (`none` when absent).
    pub fn level(&self, section_key: &str) -> Level {
        self.grants.get(section_key).map_or(Level::None, |g| g.level)
    }

    /// Builds a definition back from compiled access (used to show a role as a full matrix row).
    pub fn grants_from(catalog: &Catalog, permissions: &PermissionSet) -> BTreeMap<String, SectionGrant> {
        let mut grants = BTreeMap::new();
        for s in catalog.sections() {
            let rank = permissions.rank(s.id);
            if rank == 0 {
                continue;
            }
            let rights =
                s.rights.iter().filter(|r| permissions.has_right(**r)).map(|r| catalog.right(*r).key.clone()).collect();
            grants.insert(s.def.key.clone(), SectionGrant { level: s.def.level_set.level_of_rank(rank), rights });
        }
        grants
    }
}

/// What a role gives, compiled against a catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleAccess {
    pub permissions: PermissionSet,
    pub scope: ScopeFlags,
    /// Sorted, deduplicated.
    pub scope_numbers: Box<[NumberId]>,
    pub recents_all: bool,
    /// The kinds the scope and recents show beyond the holder's own records (none when the role
    /// opens nothing beyond them).
    pub kinds: KindFlags,
}

impl RoleAccess {
    pub fn level(&self, catalog: &Catalog, section: SectionId) -> Level {
        catalog.section(section).def.level_set.level_of_rank(self.permissions.rank(section))
    }
}

/// Where a role comes from: a preset pack (immutable, rule 7) or the account itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum RoleOrigin {
    Preset { pack: String },
    Custom,
}

impl RoleOrigin {
    pub fn is_preset(&self) -> bool {
        matches!(self, RoleOrigin::Preset { .. })
    }
}

impl fmt::Display for RoleOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoleOrigin::Preset { pack } => write!(f, "preset:{pack}"),
            RoleOrigin::Custom => f.write_str("custom"),
        }
    }
}

impl From<RoleOrigin> for String {
    fn from(origin: RoleOrigin) -> String {
        origin.to_string()
    }
}

impl TryFrom<String> for RoleOrigin {
    type Error = String;

    fn try_from(s: String) -> std::result::Result<Self, String> {
        match s.strip_prefix("preset:") {
            Some(pack) if !pack.is_empty() => Ok(RoleOrigin::Preset { pack: pack.into() }),
            _ if s == "custom" => Ok(RoleOrigin::Custom),
            _ => Err(format!("`{s}` is not a role origin: use `preset:<pack>` or `custom`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(level: Level, rights: &[&str]) -> SectionGrant {
        SectionGrant { level, rights: rights.iter().map(|r| r.to_string()).collect() }
    }

    #[test]
    fn a_right_needs_its_section_at_the_rights_level() {
        let c = Catalog::core();
        let mut role = RoleDefinition::new("numbers_clerk", "Numbers clerk");
        role.grants.insert("numbers".into(), grant(Level::View, &["numbers.add"]));
        assert!(matches!(role.compile_access(&c), Err(CoreError::RightWithoutLevel { .. })));
        role.grants.insert("numbers".into(), grant(Level::Manage, &["numbers.add"]));
        assert!(role.compile_access(&c).is_ok());
    }

    #[test]
    fn a_role_may_reference_only_sections_of_the_catalog() {
        let c = Catalog::core();
        let mut role = RoleDefinition::new("x", "X");
        role.grants.insert("billing.credits".into(), grant(Level::View, &[]));
        assert_eq!(role.compile_access(&c), Err(CoreError::UnknownSection("billing.credits".into())));
        let mut role = RoleDefinition::new("x", "X");
        role.grants.insert("reports".into(), grant(Level::Manage, &["numbers.add"]));
        assert!(matches!(role.compile_access(&c), Err(CoreError::RightOutsideSection { .. })));
    }

    #[test]
    fn scope_numbers_only_with_the_numbers_scope() {
        let c = Catalog::core();
        let mut role = RoleDefinition::new("x", "X");
        role.scope_numbers = vec![NumberId::new_random()];
        assert!(role.compile_access(&c).is_err());
        role.scope = ScopeKind::Numbers;
        assert!(role.compile_access(&c).is_ok());
    }

    #[test]
    fn role_keys_and_names_are_checked() {
        let c = Catalog::core();
        assert!(RoleDefinition::new("Bad Key", "x").compile_access(&c).is_err());
        assert!(RoleDefinition::new("ok", " ").compile_access(&c).is_err());
        assert!(RoleDefinition::new("ok", "x".repeat(101)).compile_access(&c).is_err());
    }

    #[test]
    fn origin_reads_and_writes_as_preset_pack_or_custom() {
        let o: RoleOrigin = serde_json::from_str("\"preset:aircall\"").expect("parses");
        assert_eq!(o, RoleOrigin::Preset { pack: "aircall".into() });
        assert_eq!(serde_json::to_string(&RoleOrigin::Custom).expect("json"), "\"custom\"");
        assert!(serde_json::from_str::<RoleOrigin>("\"preset:\"").is_err());
    }
}
