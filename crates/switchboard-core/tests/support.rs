//! Small accounts built straight from core types, shaped like the seeds' vendors. The real preset
//! packs live in plugins and are tested there; these fixtures exercise the core's generic rules.

use std::collections::BTreeMap;
use std::sync::Arc;
use switchboard_core::*;

pub fn grant(level: Level, rights: &[&str]) -> SectionGrant {
    SectionGrant { level, rights: rights.iter().map(|r| r.to_string()).collect() }
}

/// Every canonical section at its top level with every right.
pub fn everything(catalog: &Catalog) -> BTreeMap<String, SectionGrant> {
    catalog
        .sections()
        .iter()
        .map(|s| {
            let rights = s.rights.iter().map(|r| catalog.right(*r).key.clone()).collect();
            (s.def.key.clone(), SectionGrant { level: s.def.level_set.top(), rights })
        })
        .collect()
}

pub fn role(
    key: &str,
    grants: BTreeMap<String, SectionGrant>,
    scope: ScopeKind,
    recents: RecentsScope,
) -> RoleDefinition {
    let mut r = RoleDefinition::new(key, key);
    r.grants = grants;
    r.scope = scope;
    r.recents = recents;
    r
}

/// A fixture pack of these roles, with the core catalog's reports rights and nothing else set.
fn pack(
    name: &str,
    role_mode: RoleMode,
    roles: Vec<RoleDefinition>,
    default_role: Option<&str>,
    owner_roles: &[&str],
) -> PresetPack {
    PresetPack {
        successions: vec![],
        name: name.into(),
        version: "1".into(),
        title: String::new(),
        description: String::new(),
        role_mode,
        catalog_extensions: vec![],
        roles,
        default_role: default_role.map(Into::into),
        owner_roles: owner_roles.iter().map(|r| (*r).into()).collect(),
        roles_permission: "team.roles:manage".into(),
        legacy_mappings: vec![],
        audit_readers: vec![],
        reserved_rights: vec![],
        reports_permission: "reports.all".into(),
        reports_download_permission: "reports.download".into(),
        recordings_permission: None,
    }
}

/// Administrator, Manager (Administrator without roles) and Agent — seed 000.
pub fn mightycall_pack() -> PresetPack {
    let c = Catalog::core();
    let admin = role("administrator", everything(&c), ScopeKind::All, RecentsScope::All);
    let mut manager = admin.clone();
    manager.key = "manager".into();
    manager.name = "Manager".into();
    manager.grants.remove("team.roles");
    let mut agent_grants = BTreeMap::new();
    agent_grants.insert("reports".into(), grant(Level::View, &[]));
    agent_grants.insert("contacts".into(), grant(Level::View, &[]));
    let agent = role("agent", agent_grants, ScopeKind::Workgroup, RecentsScope::Personal);
    pack("mc-fixture", RoleMode::Single, vec![admin, manager, agent], Some("agent"), &["administrator"])
}

/// Owner, Admin, Supervisor, Agent, combinable — seed 003.
pub fn aircall_pack() -> PresetPack {
    let mut owner_grants = BTreeMap::new();
    owner_grants.insert("account".into(), grant(Level::Manage, &["account.subscription", "account.refill"]));
    owner_grants.insert(
        "team.members".into(),
        grant(Level::Manage, &["team.members.edit", "team.members.invite", "team.members.delete"]),
    );
    owner_grants.insert("team.roles".into(), grant(Level::Manage, &[]));
    let mut owner = role("owner", owner_grants, ScopeKind::Personal, RecentsScope::Personal);
    owner.guards.assignable_by = vec!["owner".into()];
    owner.guards.can_assign = Some(vec!["owner".into()]);

    let mut admin_grants = BTreeMap::new();
    admin_grants.insert("numbers".into(), grant(Level::Manage, &["numbers.edit", "numbers.add", "numbers.delete"]));
    admin_grants.insert(
        "team.members".into(),
        grant(Level::Manage, &["team.members.edit", "team.members.invite", "team.members.delete"]),
    );
    admin_grants.insert("team.workgroups".into(), grant(Level::Manage, &[]));
    admin_grants.insert("team.roles".into(), grant(Level::Manage, &[]));
    admin_grants.insert("reports".into(), grant(Level::Manage, &["reports.all", "reports.download"]));
    admin_grants.insert("integrations.api".into(), grant(Level::Manage, &["integrations.api.keys"]));
    let mut admin = role("admin", admin_grants, ScopeKind::All, RecentsScope::All);
    admin.guards.can_assign = Some(vec!["admin".into(), "supervisor".into(), "agent".into()]);

    let mut supervisor_grants = BTreeMap::new();
    supervisor_grants.insert("reports".into(), grant(Level::Manage, &["reports.all", "reports.download"]));
    supervisor_grants.insert("team.roles".into(), grant(Level::View, &[]));
    let supervisor = role("supervisor", supervisor_grants, ScopeKind::All, RecentsScope::All);
    let agent = role("agent", BTreeMap::new(), ScopeKind::Personal, RecentsScope::Personal);

    let mut legacy_admin = role("legacy_admin", BTreeMap::new(), ScopeKind::Personal, RecentsScope::Personal);
    legacy_admin.name = "unused".into();
    PresetPack {
        audit_readers: vec!["owner".into()],
        legacy_mappings: vec![
            LegacyMapping {
                from: "admin".into(),
                to: vec!["admin".into(), "agent".into()],
                billing_owner_adds: vec!["owner".into()],
                keep_access_adds: vec!["owner".into()],
            },
            LegacyMapping {
                from: "agent".into(),
                to: vec!["agent".into()],
                billing_owner_adds: vec![],
                keep_access_adds: vec![],
            },
        ],
        ..pack(
            "ac-fixture",
            RoleMode::Combinable,
            vec![owner, admin, supervisor, agent],
            Some("agent"),
            &["owner", "admin", "agent"],
        )
    }
}

/// Admin (superadmin-granted, peer-protected), Supervisor (dashboard scope), Technical — seed 002.
pub fn groups_pack() -> PresetPack {
    let c = Catalog::core();
    let mut admin = role("admin", everything(&c), ScopeKind::All, RecentsScope::All);
    admin.guards.assignable_by = vec!["@superadmin".into()];
    admin.guards.peer_protected = true;
    let mut sup_grants = BTreeMap::new();
    sup_grants.insert("reports".into(), grant(Level::Manage, &["reports.all"]));
    sup_grants.insert("team.roles".into(), grant(Level::Manage, &[]));
    let supervisor = role("supervisor", sup_grants, ScopeKind::Dashboard, RecentsScope::Personal);
    let mut tech_grants = BTreeMap::new();
    tech_grants.insert("numbers".into(), grant(Level::Manage, &["numbers.add", "numbers.edit"]));
    tech_grants.insert("call_flow".into(), grant(Level::Manage, &[]));
    let technical = role("technical", tech_grants, ScopeKind::Personal, RecentsScope::Personal);
    pack("gi-fixture", RoleMode::Single, vec![admin, supervisor, technical], None, &["admin"])
}

/// An account: a policy plus named users.
#[derive(Debug)]
pub struct Account {
    pub policy: Policy,
    pub subjects: BTreeMap<&'static str, Subject>,
}

impl Account {
    pub fn new(pack: PresetPack) -> Account {
        Account::with_custom(pack, vec![])
    }

    pub fn with_custom(pack: PresetPack, custom: Vec<RoleDefinition>) -> Account {
        let catalog = pack.validate(&Catalog::core()).expect("fixture pack is valid");
        let policy = pack.policy(Arc::new(catalog), custom).expect("fixture policy compiles");
        Account { policy, subjects: BTreeMap::new() }
    }

    /// Adds an active user holding `roles`.
    pub fn user(&mut self, name: &'static str, roles: &[&str]) -> &mut Subject {
        let subject = Subject {
            user_id: UserId::new_random(),
            status: UserStatus::Active,
            roles: roles.iter().map(|r| r.to_string()).collect(),
            ..Subject::default()
        };
        self.subjects.insert(name, subject);
        self.subjects.get_mut(name).expect("just inserted")
    }

    pub fn superadmin(&mut self, name: &'static str, roles: &[&str]) {
        self.user(name, roles).superadmin = true;
    }

    pub fn p(&self, name: &str) -> Principal {
        self.policy.principal(&self.subjects[name]).expect("subject compiles")
    }

    pub fn perm(&self, reference: &str) -> Permission {
        self.policy.catalog().permission(reference).expect("known permission")
    }

    pub fn check(&self, name: &str, reference: &str) -> Decision {
        self.policy.check(&self.p(name), self.perm(reference))
    }

    pub fn assign(&self, actor: &str, target: &str, role: &str) -> Decision {
        let idx = self.policy.role_idx(role).expect("known role");
        self.policy.can_assign(&self.p(actor), &self.p(target), idx)
    }

    pub fn set_roles(&self, actor: &str, target: &str, roles: &[&str]) -> Decision {
        let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        self.policy.can_set_roles(&self.p(actor), &self.p(target), &roles).expect("known roles")
    }

    pub fn code(&self, decision: Decision) -> ReasonCode {
        decision.explain(&self.policy).code
    }
}
