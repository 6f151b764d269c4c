//! A declarative way to write a preset pack. The builders only arrange data: every rule (known
//! sections and rights, levels, guards, duplicates) is checked by [`PresetPack::validate`] when the
//! host loads the plugin, and by [`crate::check_packs`] in the plugin's own tests.
//!
//! ```
//! use switchboard_plugin_sdk::prelude::*;
//!
//! let pack = PackBuilder::new("helpdesk", "1.0.0")
//!     .title("Helpdesk")
//!     .role_mode(RoleMode::Single)
//!     .section(SectionBuilder::view_manage("helpdesk.tickets", "Tickets").right("helpdesk.tickets.close", "Close tickets", Level::Manage))
//!     .role(RoleBuilder::new("lead", "Lead").full_access().except("account").scope(ScopeKind::All))
//!     .role(RoleBuilder::new("agent", "Agent").grant("helpdesk.tickets", Level::View).grant("contacts", Level::View))
//!     .default_role("agent")
//!     .owner_role("lead")
//!     .build();
//! assert_eq!(pack.roles.len(), 2);
//! assert!(switchboard_plugin_sdk::check_pack(&pack).is_ok());
//! ```

use std::collections::BTreeSet;
use switchboard_core::{
    Catalog, DataKinds, Guards, LegacyMapping, Level, LevelSet, PresetPack, RecentsScope, RightDef, RoleDefinition,
    RoleMode, RoleSuccession, ScopeKind, SectionDef, SectionGrant,
};

/// Builds a catalog extension: a namespaced section (`billing.credits`) and its rights.
#[derive(Clone, Debug)]
pub struct SectionBuilder {
    def: SectionDef,
}

impl SectionBuilder {
    /// A section with the levels `none` < `view` < `manage`.
    pub fn view_manage(key: impl Into<String>, label: impl Into<String>) -> Self {
        Self::new(key, label, LevelSet::ViewManage)
    }

    /// A section with the levels `none` < `full`.
    pub fn full(key: impl Into<String>, label: impl Into<String>) -> Self {
        Self::new(key, label, LevelSet::Full)
    }

    pub fn new(key: impl Into<String>, label: impl Into<String>, level_set: LevelSet) -> Self {
        SectionBuilder {
            def: SectionDef {
                key: key.into(),
                label: label.into(),
                description: String::new(),
                level_set,
                rights: Vec::new(),
            },
        }
    }

    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.def.description = description.into();
        self
    }

    /// A right under this section (its key starts with the section's key and a dot), effective from
    /// `min_level` of the section.
    pub fn right(mut self, key: impl Into<String>, label: impl Into<String>, min_level: Level) -> Self {
        self.def.rights.push(RightDef { key: key.into(), label: label.into(), min_level });
        self
    }

    pub fn build(self) -> SectionDef {
        self.def
    }
}

impl From<SectionBuilder> for SectionDef {
    fn from(builder: SectionBuilder) -> SectionDef {
        builder.build()
    }
}

/// Builds a preset role.
#[derive(Clone, Debug)]
pub struct RoleBuilder {
    role: RoleDefinition,
    /// Rights named with [`RoleBuilder::right`], placed under their section when the pack is built.
    rights: Vec<String>,
    full_access: bool,
    except: BTreeSet<String>,
}

impl RoleBuilder {
    /// A role with no access: personal data scope, personal recents, no guards.
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        RoleBuilder {
            role: RoleDefinition::new(key, name),
            rights: Vec::new(),
            full_access: false,
            except: BTreeSet::new(),
        }
    }

    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.role.description = description.into();
        self
    }

    /// Grants a section at a level (keeping rights already granted on it).
    pub fn grant(mut self, section: impl Into<String>, level: Level) -> Self {
        self.role
            .grants
            .entry(section.into())
            .or_insert_with(|| SectionGrant { level, rights: BTreeSet::new() })
            .level = level;
        self
    }

    /// Grants a section at a level together with some of its rights.
    pub fn grant_with<I, S>(mut self, section: impl Into<String>, level: Level, rights: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let grant =
            self.role.grants.entry(section.into()).or_insert_with(|| SectionGrant { level, rights: BTreeSet::new() });
        grant.level = level;
        grant.rights.extend(rights.into_iter().map(Into::into));
        self
    }

    /// Grants a right. It is placed under the granted section whose key is its longest prefix
    /// (`team.members.invite` under `team.members`); grant the section at the right's level too.
    pub fn right(mut self, right: impl Into<String>) -> Self {
        self.rights.push(right.into());
        self
    }

    /// Grants every section of the pack's catalog (the core's and the pack's own extensions) at its top
    /// level, with every right. Combine with [`RoleBuilder::except`] to leave sections out.
    pub fn full_access(mut self) -> Self {
        self.full_access = true;
        self
    }

    /// With [`RoleBuilder::full_access`]: leaves this section (and its rights) out.
    pub fn except(mut self, section: impl Into<String>) -> Self {
        self.except.insert(section.into());
        self
    }

    /// Which communications the role sees (DESIGN §2). Default: `personal`.
    pub fn scope(mut self, scope: ScopeKind) -> Self {
        self.role.scope = scope;
        self
    }

    /// How much of Recents the role shows. Default: `personal`.
    pub fn recents(mut self, recents: RecentsScope) -> Self {
        self.role.recents = recents;
        self
    }

    /// The kinds of data (calls, messages, voicemails, playing recordings) the scope and recents show
    /// beyond the holder's own communications. Default: every kind.
    pub fn kinds(mut self, kinds: DataKinds) -> Self {
        self.role.kinds = kinds;
        self
    }

    /// Only holders of these roles may assign or remove this role (`@superadmin` names the account's
    /// superadmin; see [`RoleBuilder::assignable_by_superadmin`]).
    pub fn assignable_by<I, S>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.role.guards.assignable_by.extend(roles.into_iter().map(Into::into));
        self
    }

    /// Only the account's superadmin may assign or remove this role.
    pub fn assignable_by_superadmin(self) -> Self {
        self.assignable_by([switchboard_core::role::SUPERADMIN_GUARD])
    }

    /// Holders of this role may assign only these roles.
    pub fn can_assign<I, S>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.role.guards.can_assign.get_or_insert_with(Vec::new).extend(roles.into_iter().map(Into::into));
        self
    }

    /// A holder cannot change the access of another holder; only the superadmin can.
    pub fn peer_protected(mut self) -> Self {
        self.role.guards.peer_protected = true;
        self
    }

    /// Replaces the guards at once.
    pub fn guards(mut self, guards: Guards) -> Self {
        self.role.guards = guards;
        self
    }

    fn build(mut self, catalog: &Catalog) -> RoleDefinition {
        if self.full_access {
            for section in catalog.sections() {
                if self.except.contains(&section.def.key) {
                    continue;
                }
                let rights = section.def.rights.iter().map(|r| r.key.clone());
                self = self.grant_with(section.def.key.clone(), section.def.level_set.top(), rights);
            }
        }
        for right in std::mem::take(&mut self.rights) {
            let owner = self
                .role
                .grants
                .keys()
                .filter(|section| right.strip_prefix(section.as_str()).is_some_and(|rest| rest.starts_with('.')))
                .max_by_key(|section| section.len())
                .cloned();
            // Without a granted section, file the right under its parent key at `none`: validation then
            // reports that the right needs its section at a level, naming both.
            let section = owner.unwrap_or_else(|| right.rsplit_once('.').map_or(right.clone(), |(p, _)| p.to_owned()));
            self.role
                .grants
                .entry(section)
                .or_insert_with(|| SectionGrant { level: Level::None, rights: BTreeSet::new() })
                .rights
                .insert(right);
        }
        self.role
    }
}

/// Builds a preset pack.
#[derive(Clone, Debug)]
pub struct PackBuilder {
    name: String,
    version: String,
    title: String,
    description: String,
    role_mode: RoleMode,
    sections: Vec<SectionDef>,
    roles: Vec<RoleBuilder>,
    default_role: Option<String>,
    owner_roles: Vec<String>,
    audit_readers: Vec<String>,
    reserved_rights: Vec<String>,
    roles_permission: Option<String>,
    reports_permission: Option<String>,
    reports_download_permission: Option<String>,
    recordings_permission: Option<String>,
    legacy_mappings: Vec<LegacyMapping>,
    successions: Vec<RoleSuccession>,
}

impl PackBuilder {
    /// A pack in `single` role mode with no roles yet. `name` is the `preset` value accounts are created
    /// with: lowercase a-z, 0-9 and `-`.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        PackBuilder {
            name: name.into(),
            version: version.into(),
            title: String::new(),
            description: String::new(),
            role_mode: RoleMode::Single,
            sections: Vec::new(),
            roles: Vec::new(),
            default_role: None,
            owner_roles: Vec::new(),
            audit_readers: Vec::new(),
            reserved_rights: Vec::new(),
            roles_permission: None,
            reports_permission: None,
            reports_download_permission: None,
            recordings_permission: None,
            legacy_mappings: Vec::new(),
            successions: Vec::new(),
        }
    }

    /// Declares that role `from`, which an earlier version of this pack had, is now `to`: renamed
    /// (one role) or split (several). When an account upgrades to this version, the holders of
    /// `from` get `to`; without a succession they lose the role.
    pub fn succession<T, S>(mut self, from: impl Into<String>, to: T) -> Self
    where
        T: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.successions.push(RoleSuccession { from: from.into(), to: to.into_iter().map(Into::into).collect() });
        self
    }

    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// `single` (one role per user) or `combinable` (several roles, their union).
    pub fn role_mode(mut self, mode: RoleMode) -> Self {
        self.role_mode = mode;
        self
    }

    /// Adds a catalog extension: a namespaced section this pack defines.
    pub fn section(mut self, section: impl Into<SectionDef>) -> Self {
        self.sections.push(section.into());
        self
    }

    pub fn role(mut self, role: RoleBuilder) -> Self {
        self.roles.push(role);
        self
    }

    /// The role every new user gets.
    pub fn default_role(mut self, key: impl Into<String>) -> Self {
        self.default_role = Some(key.into());
        self
    }

    /// A role the account's creator (its superadmin) holds.
    pub fn owner_role(mut self, key: impl Into<String>) -> Self {
        self.owner_roles.push(key.into());
        self
    }

    /// A right only the pack's preset roles may hold: a custom role with it is refused, and a copy
    /// of a preset role leaves it out.
    pub fn reserved_right(mut self, key: impl Into<String>) -> Self {
        self.reserved_rights.push(key.into());
        self
    }

    /// A role whose holders read the account's audit log (besides the superadmin and anyone who
    /// views both the roles and the account).
    pub fn audit_reader(mut self, key: impl Into<String>) -> Self {
        self.audit_readers.push(key.into());
        self
    }

    /// What assigning, creating and editing roles needs. Default: `team.roles:manage`.
    pub fn roles_permission(mut self, permission: impl Into<String>) -> Self {
        self.roles_permission = Some(permission.into());
        self
    }

    /// What widens a user's reports from their own interactions to their data scope. Default:
    /// `reports.all`.
    pub fn reports_permission(mut self, permission: impl Into<String>) -> Self {
        self.reports_permission = Some(permission.into());
        self
    }

    /// What downloading reports and the history as CSV needs. Default: `reports.download`.
    pub fn reports_download_permission(mut self, permission: impl Into<String>) -> Self {
        self.reports_download_permission = Some(permission.into());
        self
    }

    /// What playing others' recordings needs besides a role's `recordings` kind. Default: the kind
    /// alone.
    pub fn recordings_permission(mut self, permission: impl Into<String>) -> Self {
        self.recordings_permission = Some(permission.into());
        self
    }

    /// Holders of the old role `from` get the roles `to`; the account's billing owner also gets
    /// `billing_owner_adds`.
    pub fn legacy_mapping<T, B, S1, S2>(mut self, from: impl Into<String>, to: T, billing_owner_adds: B) -> Self
    where
        T: IntoIterator<Item = S1>,
        B: IntoIterator<Item = S2>,
        S1: Into<String>,
        S2: Into<String>,
    {
        self.legacy_mappings.push(LegacyMapping {
            from: from.into(),
            to: to.into_iter().map(Into::into).collect(),
            billing_owner_adds: billing_owner_adds.into_iter().map(Into::into).collect(),
            keep_access_adds: Vec::new(),
        });
        self
    }

    /// When a migration is asked to keep access, holders of the old role `from` (mapped with
    /// [`PackBuilder::legacy_mapping`] first) also get `adds` (Aircall: former Admins get Owner).
    pub fn keep_access<A, S>(mut self, from: &str, adds: A) -> Self
    where
        A: IntoIterator<Item = S>,
        S: Into<String>,
    {
        if let Some(mapping) = self.legacy_mappings.iter_mut().find(|m| m.from == from) {
            mapping.keep_access_adds.extend(adds.into_iter().map(Into::into));
        }
        self
    }

    /// The pack as data. Never fails: the host validates it when it loads the plugin. Sections named by
    /// [`RoleBuilder::full_access`] are those of the core catalog plus this pack's extensions (an
    /// extension that breaks the catalog's rules is left out here and reported by validation).
    pub fn build(self) -> PresetPack {
        let mut catalog = Catalog::core();
        if catalog.extend(&self.name, &self.sections).is_err() {
            for section in &self.sections {
                let _ = catalog.extend(&self.name, std::slice::from_ref(section));
            }
        }
        PresetPack {
            roles: self.roles.into_iter().map(|r| r.build(&catalog)).collect(),
            name: self.name,
            version: self.version,
            title: self.title,
            description: self.description,
            role_mode: self.role_mode,
            catalog_extensions: self.sections,
            default_role: self.default_role,
            owner_roles: self.owner_roles,
            audit_readers: self.audit_readers,
            reserved_rights: self.reserved_rights,
            roles_permission: self.roles_permission.unwrap_or_else(|| "team.roles:manage".into()),
            reports_permission: self.reports_permission.unwrap_or_else(|| "reports.all".into()),
            reports_download_permission: self.reports_download_permission.unwrap_or_else(|| "reports.download".into()),
            recordings_permission: self.recordings_permission,
            legacy_mappings: self.legacy_mappings,
            successions: self.successions,
        }
    }
}

impl From<PackBuilder> for PresetPack {
    fn from(builder: PackBuilder) -> PresetPack {
        builder.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_access_grants_every_section_at_its_top_level_with_every_right_except_the_excluded() {
        let pack = PackBuilder::new("p", "1")
            .section(SectionBuilder::full("p.extra", "Extra").right("p.extra.go", "Go", Level::Full))
            .role(RoleBuilder::new("all", "All").full_access().except("team.roles"))
            .build();
        let role = &pack.roles[0];
        assert_eq!(role.level("supervisor_workspace"), Level::Full);
        assert_eq!(role.level("numbers"), Level::Manage);
        assert_eq!(role.level("p.extra"), Level::Full);
        assert_eq!(role.level("team.roles"), Level::None);
        assert!(!role.grants.contains_key("team.roles"));
        assert!(role.grants["team.members"].rights.contains("team.members.invite"));
        assert!(role.grants["p.extra"].rights.contains("p.extra.go"));
    }

    #[test]
    fn a_right_lands_under_its_longest_granted_section() {
        let pack = PackBuilder::new("p", "1")
            .role(
                RoleBuilder::new("r", "R")
                    .grant("team.members", Level::Manage)
                    .right("team.members.invite")
                    .right("numbers.add"),
            )
            .build();
        let role = &pack.roles[0];
        assert!(role.grants["team.members"].rights.contains("team.members.invite"));
        // Not granted: filed under its section at `none`, which validation reports.
        assert_eq!(role.grants["numbers"].level, Level::None);
        let err = crate::check_pack(&pack).expect_err("a right without its section level");
        assert!(err.to_string().contains("numbers.add"), "{err}");
    }

    #[test]
    fn guards_and_mappings_are_kept_as_written() {
        let pack = PackBuilder::new("p", "1")
            .role_mode(RoleMode::Combinable)
            .role(RoleBuilder::new("boss", "Boss").assignable_by_superadmin().can_assign(["boss"]).peer_protected())
            .legacy_mapping("old", ["boss"], ["boss"])
            .default_role("boss")
            .owner_role("boss")
            .build();
        let g = &pack.roles[0].guards;
        assert_eq!(g.assignable_by, vec!["@superadmin".to_owned()]);
        assert_eq!(g.can_assign, Some(vec!["boss".to_owned()]));
        assert!(g.peer_protected);
        assert_eq!(pack.legacy_mappings[0].billing_owner_adds, vec!["boss".to_owned()]);
        assert!(crate::check_pack(&pack).is_ok());
    }

    #[test]
    fn a_succession_names_a_role_the_pack_no_longer_has_and_successors_it_has() {
        let pack = |mode| {
            PackBuilder::new("p", "2.0.0")
                .role_mode(mode)
                .role(RoleBuilder::new("a", "A").grant("contacts", Level::View))
                .role(RoleBuilder::new("b", "B").grant("reports", Level::View))
        };
        let check = |builder: PackBuilder| crate::check_pack(&builder.build()).map(|_| ()).map_err(|e| e.to_string());
        assert_eq!(check(pack(RoleMode::Combinable).succession("old", ["a", "b"])), Ok(()));
        let still_there = check(pack(RoleMode::Combinable).succession("a", ["b"])).unwrap_err();
        assert!(still_there.contains("role `a` is still in the pack"), "{still_there}");
        let unknown = check(pack(RoleMode::Combinable).succession("old", ["zz"])).unwrap_err();
        assert!(unknown.contains("zz"), "{unknown}");
        let twice = check(pack(RoleMode::Combinable).succession("old", ["a"]).succession("old", ["b"])).unwrap_err();
        assert!(twice.contains("two successions"), "{twice}");
        let split = check(pack(RoleMode::Single).succession("old", ["a", "b"])).unwrap_err();
        assert!(split.contains("single-role pack"), "{split}");
        let none = check(pack(RoleMode::Combinable).succession("old", Vec::<String>::new())).unwrap_err();
        assert!(none.contains("no successor"), "{none}");
    }
}
