//! The permission catalog: sections, their ordered levels, and the rights beneath them (DESIGN §2).
//!
//! The core ships the canonical catalog of seed 001 (MightyCall's full permission tree). Preset packs
//! may extend it with namespaced sections; a key is owned by exactly one party, so two packs can never
//! silently disagree about what a section means.

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// Most sections a catalog may hold; compiled permission sets are fixed-size bitsets of this width.
pub const MAX_SECTIONS: usize = 128;
/// Most rights a catalog may hold.
pub const MAX_RIGHTS: usize = 256;

/// The owner name of the canonical sections.
pub const CORE_OWNER: &str = "core";

/// A level of access to a section. Within a section, levels are ordered: `none` < `view` < `manage`,
/// or `none` < `full`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    None,
    View,
    Manage,
    Full,
}

impl Level {
    /// Position within its level set: 0 for none, 1 for view, 2 for the top level (manage or full).
    pub const fn rank(self) -> u8 {
        match self {
            Level::None => 0,
            Level::View => 1,
            Level::Manage | Level::Full => 2,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::View => "view",
            Level::Manage => "manage",
            Level::Full => "full",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "none" => Some(Level::None),
            "view" => Some(Level::View),
            "manage" => Some(Level::Manage),
            "full" => Some(Level::Full),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which levels a section offers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LevelSet {
    /// `none` < `view` < `manage` (seed 000: "full management … view-only … no access").
    ViewManage,
    /// `none` < `full` (seed 001: supervisor workspace "Full access").
    Full,
}

impl LevelSet {
    /// The levels of this set, ascending.
    pub const fn levels(self) -> &'static [Level] {
        match self {
            LevelSet::ViewManage => &[Level::None, Level::View, Level::Manage],
            LevelSet::Full => &[Level::None, Level::Full],
        }
    }

    pub fn contains(self, level: Level) -> bool {
        self.levels().contains(&level)
    }

    /// The highest level of the set.
    pub const fn top(self) -> Level {
        match self {
            LevelSet::ViewManage => Level::Manage,
            LevelSet::Full => Level::Full,
        }
    }

    /// The level of this set with the given rank (ranks come from [`Level::rank`]).
    pub fn level_of_rank(self, rank: u8) -> Level {
        match (self, rank) {
            (_, 0) => Level::None,
            (LevelSet::ViewManage, 1) => Level::View,
            (LevelSet::ViewManage, _) => Level::Manage,
            (LevelSet::Full, _) => Level::Full,
        }
    }

    fn describe(self) -> String {
        self.levels().iter().map(|l| l.as_str()).collect::<Vec<_>>().join(" < ")
    }
}

/// A right as declared by the core or a pack: a named sub-permission of a section.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RightDef {
    /// Full key, under its section: `numbers.add`.
    pub key: String,
    pub label: String,
    /// The section level a holder needs for the right to count.
    pub min_level: Level,
}

/// A section as declared by the core or a pack.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDef {
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub description: String,
    pub level_set: LevelSet,
    #[serde(default)]
    pub rights: Vec<RightDef>,
}

/// Index of a section in its catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SectionId(pub(crate) u16);

impl SectionId {
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of a right in its catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RightId(pub(crate) u16);

impl RightId {
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// A section of a built catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub id: SectionId,
    pub def: SectionDef,
    /// `core` or the name of the pack that defined it.
    pub owner: String,
    pub rights: Vec<RightId>,
}

/// A right of a built catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Right {
    pub id: RightId,
    pub key: String,
    pub label: String,
    pub section: SectionId,
    pub min_level: Level,
}

/// A resolved permission reference: a section at a level, or a right. Resolve strings once with
/// [`Catalog::permission`]; checking a resolved permission touches no strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    Section { section: SectionId, level: Level },
    Right { right: RightId },
}

/// The catalog: the canonical sections plus any pack extensions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalog {
    sections: Vec<Section>,
    rights: Vec<Right>,
    section_index: HashMap<String, SectionId>,
    right_index: HashMap<String, RightId>,
}

/// Top-level namespaces of the canonical catalog; extensions may not use them.
pub const RESERVED_NAMESPACES: &[&str] = &[
    "supervisor_workspace",
    "reports",
    "auto_dialer",
    "call_flow",
    "numbers",
    "team",
    "integrations",
    "contacts",
    "account",
    "core",
    "switchboard",
];

/// The canonical sections of seed 001 (MightyCall's Administrator permission tree) and seed 000,
/// declared as a pack declares its sections.
const CANONICAL_SECTIONS: &str = include_str!("canonical_sections.json");

/// The canonical sections of seed 001 and seed 000.
pub fn canonical_sections() -> Vec<SectionDef> {
    // The file is compiled in, and `the_canonical_sections_file_parses_whole_and_well_formed` reads
    // it strictly: a build whose tests pass never takes the fallback.
    serde_json::from_str(CANONICAL_SECTIONS).unwrap_or_default()
}

/// Whether `key` is lowercase dot-separated segments of `a-z0-9_`, each starting with a letter.
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 128
        && key.split('.').all(|seg| {
            let mut chars = seg.chars();
            matches!(chars.next(), Some('a'..='z')) && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        })
}

impl Catalog {
    /// The canonical catalog, with no extensions.
    pub fn core() -> Catalog {
        let mut catalog = Catalog {
            sections: Vec::new(),
            rights: Vec::new(),
            section_index: HashMap::new(),
            right_index: HashMap::new(),
        };
        // The canonical sections are validated by the unit tests; inserting them cannot fail.
        for def in canonical_sections() {
            catalog.insert(def, CORE_OWNER);
        }
        catalog
    }

    /// Adds a pack's sections, all or nothing. Extension keys must be namespaced (`billing.credits`),
    /// outside the canonical namespaces, and not already defined by anyone.
    pub fn extend(&mut self, owner: &str, defs: &[SectionDef]) -> Result<()> {
        let mut new_keys: HashMap<&str, ()> = HashMap::new();
        let mut new_rights = 0usize;
        for def in defs {
            validate_section_def(def)?;
            if !def.key.contains('.') {
                return Err(CoreError::NotNamespaced { key: def.key.clone(), owner: owner.into() });
            }
            let namespace = def.key.split('.').next().unwrap_or_default();
            if RESERVED_NAMESPACES.contains(&namespace) {
                return Err(CoreError::ReservedNamespace {
                    key: def.key.clone(),
                    owner: owner.into(),
                    namespace: namespace.into(),
                });
            }
            let keys = std::iter::once(def.key.as_str()).chain(def.rights.iter().map(|r| r.key.as_str()));
            for key in keys {
                if let Some(existing) = self.owner_of(key) {
                    return Err(CoreError::CatalogConflict {
                        key: key.into(),
                        owner: owner.into(),
                        existing: existing.into(),
                    });
                }
                if new_keys.insert(key, ()).is_some() {
                    return Err(CoreError::CatalogConflict {
                        key: key.into(),
                        owner: owner.into(),
                        existing: owner.into(),
                    });
                }
            }
            new_rights += def.rights.len();
        }
        if self.sections.len() + defs.len() > MAX_SECTIONS {
            return Err(CoreError::CatalogFull { what: "sections", max: MAX_SECTIONS });
        }
        if self.rights.len() + new_rights > MAX_RIGHTS {
            return Err(CoreError::CatalogFull { what: "rights", max: MAX_RIGHTS });
        }
        for def in defs {
            self.insert(def.clone(), owner);
        }
        Ok(())
    }

    /// A copy of this catalog with a pack's extensions.
    pub fn extended(&self, owner: &str, defs: &[SectionDef]) -> Result<Catalog> {
        let mut catalog = self.clone();
        catalog.extend(owner, defs)?;
        Ok(catalog)
    }

    fn owner_of(&self, key: &str) -> Option<&str> {
        if let Some(id) = self.section_index.get(key) {
            return self.sections.get(id.index()).map(|s| s.owner.as_str());
        }
        let right = self.right_index.get(key)?;
        let section = self.rights.get(right.index())?.section;
        self.sections.get(section.index()).map(|s| s.owner.as_str())
    }

    fn insert(&mut self, def: SectionDef, owner: &str) {
        let id = SectionId(self.sections.len() as u16);
        let mut right_ids = Vec::with_capacity(def.rights.len());
        for r in &def.rights {
            let rid = RightId(self.rights.len() as u16);
            self.rights.push(Right {
                id: rid,
                key: r.key.clone(),
                label: r.label.clone(),
                section: id,
                min_level: r.min_level,
            });
            self.right_index.insert(r.key.clone(), rid);
            right_ids.push(rid);
        }
        self.section_index.insert(def.key.clone(), id);
        self.sections.push(Section { id, def, owner: owner.into(), rights: right_ids });
    }

    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    pub fn rights(&self) -> &[Right] {
        &self.rights
    }

    /// The section (or, with `rights`, right) key a mistyped `key` most likely meant: one that ends
    /// in `.key` (a namespace left out), else the nearest by edit distance, at most 2 edits away and
    /// fewer than half the key's length.
    pub fn closest_key(&self, key: &str, rights: bool) -> Option<&str> {
        let keys: Vec<&str> = if rights {
            self.rights.iter().map(|r| r.key.as_str()).collect()
        } else {
            self.sections.iter().map(|s| s.def.key.as_str()).collect()
        };
        let namespaced = format!(".{key}");
        if let Some(found) = keys.iter().find(|k| k.ends_with(&namespaced)) {
            return Some(found);
        }
        let limit = 2.min(key.chars().count().saturating_sub(1) / 2);
        keys.into_iter()
            .map(|k| (edit_distance(key, k), k))
            .filter(|(d, _)| *d > 0 && *d <= limit)
            .min_by_key(|(d, _)| *d)
            .map(|(_, k)| k)
    }

    pub fn section(&self, id: SectionId) -> &Section {
        // Ids are only minted by this catalog (or a clone it was extended from), so they are in range.
        &self.sections[id.index()]
    }

    pub fn right(&self, id: RightId) -> &Right {
        &self.rights[id.index()]
    }

    pub fn section_id(&self, key: &str) -> Result<SectionId> {
        self.section_index.get(key).copied().ok_or_else(|| CoreError::UnknownSection(key.into()))
    }

    pub fn right_id(&self, key: &str) -> Result<RightId> {
        self.right_index.get(key).copied().ok_or_else(|| CoreError::UnknownRight(key.into()))
    }

    /// Resolves a permission reference: `section:level` (`numbers:view`, `supervisor_workspace:full`)
    /// or a right key (`numbers.add`).
    pub fn permission(&self, reference: &str) -> Result<Permission> {
        let unknown = || CoreError::UnknownPermission(reference.into());
        if let Some((key, level)) = reference.split_once(':') {
            let section = self.section_index.get(key).copied().ok_or_else(unknown)?;
            let level = Level::parse(level).ok_or_else(unknown)?;
            let set = self.section(section).def.level_set;
            if level == Level::None || !set.contains(level) {
                return Err(CoreError::LevelNotInSet {
                    section: key.into(),
                    level: level.as_str().into(),
                    allowed: set.levels()[1..].iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", "),
                });
            }
            return Ok(Permission::Section { section, level });
        }
        let right = self.right_index.get(reference).copied().ok_or_else(unknown)?;
        Ok(Permission::Right { right })
    }

    /// The reference string of a resolved permission.
    pub fn permission_name(&self, permission: Permission) -> String {
        match permission {
            Permission::Section { section, level } => format!("{}:{}", self.section(section).def.key, level),
            Permission::Right { right } => self.right(right).key.clone(),
        }
    }
}

fn validate_section_def(def: &SectionDef) -> Result<()> {
    if !is_valid_key(&def.key) {
        return Err(CoreError::InvalidKey { key: def.key.clone() });
    }
    for r in &def.rights {
        if !is_valid_key(&r.key) {
            return Err(CoreError::InvalidKey { key: r.key.clone() });
        }
        let under = r.key.strip_prefix(def.key.as_str()).and_then(|rest| rest.strip_prefix('.'));
        if under.is_none_or(str::is_empty) {
            return Err(CoreError::RightOutsideSection { right: r.key.clone(), section: def.key.clone() });
        }
        if r.min_level == Level::None || !def.level_set.contains(r.min_level) {
            return Err(CoreError::LevelNotInSet {
                section: def.key.clone(),
                level: r.min_level.as_str().into(),
                allowed: def.level_set.describe(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn right(key: &str, label: &str, min_level: Level) -> RightDef {
        RightDef { key: key.into(), label: label.into(), min_level }
    }

    fn section(key: &str, label: &str, description: &str, level_set: LevelSet, rights: Vec<RightDef>) -> SectionDef {
        SectionDef { key: key.into(), label: label.into(), description: description.into(), level_set, rights }
    }

    #[test]
    fn the_canonical_sections_file_parses_whole_and_well_formed() {
        let defs: Vec<SectionDef> = serde_json::from_str(CANONICAL_SECTIONS).expect("canonical_sections.json parses");
        assert_eq!(defs.len(), 14, "seed 001's fourteen sections");
        let rights: usize = defs.iter().map(|d| d.rights.len()).sum();
        assert_eq!(rights, 14, "seed 001's rights");
        for def in &defs {
            validate_section_def(def).expect("a canonical section is well formed");
        }
        assert_eq!(canonical_sections(), defs);
    }

    #[test]
    fn canonical_catalog_holds_every_section_and_right_of_seed_001() {
        // rule MC-13: Supervisor Workspace, Reports, Auto Dialer (Campaigns, Lists), Call Flow, Numbers,
        // Team (Members, Workgroups, Roles, Statuses), Integrations (API, CRM), Contacts, Account.
        let catalog = Catalog::core();
        let sections = "supervisor_workspace reports auto_dialer.campaigns auto_dialer.lists call_flow numbers \
            team.members team.workgroups team.roles team.statuses integrations.api integrations.crm contacts account";
        for key in sections.split_whitespace() {
            assert!(catalog.section_id(key).is_ok(), "missing section {key}");
        }
        // rules MC-30, MC-33, MC-34, MC-36, MC-38: each sub-right is separate.
        for key in [
            "reports.all",
            "reports.download",
            "numbers.edit",
            "numbers.add",
            "numbers.delete",
            "team.members.edit",
            "team.members.invite",
            "team.members.delete",
            "integrations.api.keys",
            "integrations.api.webhooks",
            "account.subscription",
            "account.refill",
        ] {
            assert!(catalog.right_id(key).is_ok(), "missing right {key}");
        }
        for s in catalog.sections() {
            validate_section_def(&s.def).expect("canonical section is valid");
            assert!(!s.def.label.is_empty());
        }
    }

    #[test]
    fn supervisor_workspace_is_all_or_nothing() {
        // rule MC-27: "custom roles with full access to the supervisor workspace".
        let c = Catalog::core();
        assert!(c.permission("supervisor_workspace:full").is_ok());
        assert!(c.permission("supervisor_workspace:view").is_err());
        assert!(c.permission("numbers:full").is_err());
    }

    #[test]
    fn section_levels_range_from_no_access_to_full_management() {
        // rule MC-14: "full management … view-only … no access at all".
        assert_eq!(LevelSet::ViewManage.levels(), &[Level::None, Level::View, Level::Manage]);
        assert!(Level::None.rank() < Level::View.rank() && Level::View.rank() < Level::Manage.rank());
    }

    #[test]
    fn permission_references_parse_and_print_back() {
        let c = Catalog::core();
        for r in ["numbers:view", "team.roles:manage", "numbers.add", "supervisor_workspace:full"] {
            let p = c.permission(r).expect("parses");
            assert_eq!(c.permission_name(p), r);
        }
        for bad in ["numbers", "numbers:", "numbers:none", "nope:view", "numbers.fly", ":view", ""] {
            assert!(c.permission(bad).is_err(), "{bad} should not parse");
        }
    }

    fn ext(key: &str) -> SectionDef {
        section(key, "x", "", LevelSet::ViewManage, vec![])
    }

    #[test]
    fn extensions_must_be_namespaced_outside_the_core_namespaces() {
        let mut c = Catalog::core();
        assert!(matches!(c.extend("p", &[ext("billing")]), Err(CoreError::NotNamespaced { .. })));
        assert!(matches!(c.extend("p", &[ext("team.snoozes")]), Err(CoreError::ReservedNamespace { .. })));
        assert!(matches!(c.extend("p", &[ext("Billing.x")]), Err(CoreError::InvalidKey { .. })));
        c.extend("p", &[ext("billing.credits")]).expect("namespaced key is accepted");
        assert!(c.section_id("billing.credits").is_ok());
    }

    #[test]
    fn two_owners_of_one_section_is_a_conflict_naming_both() {
        let mut c = Catalog::core();
        c.extend("first", &[ext("billing.credits")]).expect("first owner");
        let err = c.extend("second", &[ext("billing.credits")]).expect_err("conflict");
        assert_eq!(
            err,
            CoreError::CatalogConflict {
                key: "billing.credits".into(),
                owner: "second".into(),
                existing: "first".into()
            }
        );
        let err = c.extend("third", &[ext("x.a"), ext("x.a")]).expect_err("duplicate within one pack");
        assert!(matches!(err, CoreError::CatalogConflict { .. }));
        // All or nothing: the failed extension left nothing behind.
        assert!(c.section_id("x.a").is_err());
    }

    #[test]
    fn rights_live_under_their_section_at_a_real_level() {
        let mut c = Catalog::core();
        let mut bad = ext("billing.credits");
        bad.rights = vec![right("billing.invoices", "x", Level::View)];
        assert!(matches!(c.extend("p", &[bad]), Err(CoreError::RightOutsideSection { .. })));
        let mut bad = ext("billing.credits");
        bad.rights = vec![right("billing.credits.add", "x", Level::Full)];
        assert!(matches!(c.extend("p", &[bad]), Err(CoreError::LevelNotInSet { .. })));
    }

    #[test]
    fn the_catalog_refuses_to_grow_past_its_bitset_width() {
        let mut c = Catalog::core();
        let defs: Vec<_> = (0..MAX_SECTIONS).map(|i| ext(&format!("many.s{i}"))).collect();
        assert!(matches!(c.extend("p", &defs), Err(CoreError::CatalogFull { .. })));
    }
}

/// Levenshtein distance between two keys, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod closest_key_tests {
    use super::*;

    #[test]
    fn a_mistyped_or_unnamespaced_key_gets_the_key_it_meant() {
        let catalog = Catalog::core();
        assert_eq!(catalog.closest_key("report", false), Some("reports"));
        assert_eq!(catalog.closest_key("contact", false), Some("contacts"));
        assert_eq!(catalog.closest_key("numbers.ad", true), Some("numbers.add"));
        assert_eq!(catalog.closest_key("roles", false), Some("team.roles"), "a namespace left out");
        assert_eq!(catalog.closest_key("wallboard", false), None);
        assert_eq!(catalog.closest_key("ab", false), None, "short keys get no guess");
    }
}
