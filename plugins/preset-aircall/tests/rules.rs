//! The Aircall packs (seed 003), loaded from the built `cdylib` through the real host; every decision
//! is the core's.

// Test helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::OnceLock;
use switchboard_core::{
    AccessLoss, CommunicationRef, Decision, Level, MigrationSubject, PermissionSet, ReasonCode, RoleDefinition,
    RoleMode, UserId, plan_migration,
};
use switchboard_plugin_testkit::LoadedPolicy;

fn ac() -> &'static LoadedPolicy {
    static PACK: OnceLock<LoadedPolicy> = OnceLock::new();
    PACK.get_or_init(|| LoadedPolicy::load("preset_aircall", "aircall").expect("the pack loads"))
}

fn classic() -> &'static LoadedPolicy {
    static PACK: OnceLock<LoadedPolicy> = OnceLock::new();
    PACK.get_or_init(|| LoadedPolicy::load("preset_aircall", "aircall-classic").expect("the pack loads"))
}

const ANALYTICS: [&str; 5] =
    ["analytics.stats", "analytics.plus", "analytics.call_history", "analytics.activity_feed", "analytics.monitoring"];

/// "Full access, edit, and data export" on a pack section.
fn full_edit_export(p: &switchboard_core::Principal, section: &str) -> bool {
    ac().allows(p, &format!("{section}:manage")) && ac().allows(p, &format!("{section}.export"))
}

// rule AC-1
#[test]
fn agents_keep_the_phone_apps_and_their_own_call_recordings() {
    // "Agents will still only have access to the Phone apps, and to their calls recordings."
    let agent = ac().user(&["agent"]);
    assert!(ac().allows(&agent, "apps.phone:full"));
    assert!(ac().allows(&agent, "calls.recordings:view"));
    let own = [agent.user_id];
    let others = [UserId::new_random()];
    let recording = |participants| CommunicationRef {
        kind: switchboard_core::CommunicationKind::Call,
        number: None,
        workgroup: None,
        ivr: None,
        participants,
    };
    assert!(ac().policy.can_see(&agent, &recording(&own)).is_allowed());
    assert_eq!(ac().policy.can_see(&agent, &recording(&others)), Decision::OutOfScope);
}

// rule AC-2
#[test]
fn four_roles_owner_admin_supervisor_agent() {
    // "There are four Dashboard User roles in Aircall".
    let keys: Vec<&str> = ac().pack.roles.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["owner", "admin", "supervisor", "agent"]);
}

// rule AC-3
#[test]
fn owners_have_full_access_to_plan_billing_and_user_management() {
    // "full access and edit permissions to the company plan, billing information, and user management."
    let owner = ac().user(&["owner"]);
    for permission in [
        "billing.plan:manage",
        "billing.plan.change",
        "billing.information:manage",
        "team.members:manage",
        "team.members.invite",
        "team.members.edit",
        "team.members.delete",
        "team.roles:manage",
    ] {
        assert!(ac().allows(&owner, permission), "{permission}");
    }
    let admin = ac().user(&["admin"]);
    assert!(!ac().allows(&admin, "billing.plan:view") && !ac().allows(&admin, "billing.information:view"));
}

// rule AC-4
#[test]
fn owners_create_and_edit_only_other_owners() {
    // "these users will have limited permissions for Roles editing, only being able to create and edit other
    // Owner users."
    let owner = ac().user(&["owner", "agent"]);
    let target = ac().user(&["agent"]);
    assert!(ac().assign(&owner, &target, "owner").is_allowed());
    for role in ["admin", "supervisor"] {
        assert_eq!(ac().assign(&owner, &target, role).code(), ReasonCode::GuardedRole, "{role}");
    }
}

// rule AC-5
#[test]
fn admins_have_full_access_edit_and_export_on_their_sections() {
    // "full access, edit, and data export permissions for Numbers, Users, Teams, Analytics (Stats,
    // Analytics+, Call History, Activity Feed, Monitoring), Call Settings, Integrations, and calls recordings."
    let admin = ac().user(&["admin"]);
    for section in ANALYTICS.iter().copied().chain(["calls.settings", "calls.recordings"]) {
        assert!(full_edit_export(&admin, section), "{section}");
    }
    for (section, export) in [
        ("numbers", "data.export.numbers"),
        ("team.members", "data.export.users"),
        ("team.workgroups", "data.export.teams"),
        ("integrations.api", "data.export.integrations"),
        ("integrations.crm", "data.export.integrations"),
    ] {
        assert!(ac().allows(&admin, &format!("{section}:manage")), "{section}");
        assert!(ac().allows(&admin, export), "{export}");
    }
    for right in ["numbers.add", "numbers.delete", "team.members.invite", "integrations.api.keys"] {
        assert!(ac().allows(&admin, right), "{right}");
    }
}

// rule AC-6
#[test]
fn admins_assign_admins_supervisors_and_agents_but_never_owner() {
    // "able to edit and create other Admin, Supervisor or Agent users. However, they do not have the rights
    // to assign users to the Owner role, as only Owners are able to edit and assign Owner roles."
    let admin = ac().user(&["admin", "agent"]);
    let target = ac().user(&["agent"]);
    for role in ["admin", "supervisor", "agent"] {
        assert!(ac().assign(&admin, &target, role).is_allowed(), "{role}");
    }
    assert!(matches!(ac().assign(&admin, &target, "owner"), Decision::GuardedRole { .. }));
    // Nor take Owner away from someone.
    let an_owner = ac().user(&["owner", "agent"]);
    assert!(matches!(ac().assign(&admin, &an_owner, "owner"), Decision::GuardedRole { .. }));
    let reason = ac().assign(&admin, &target, "owner").explain(&ac().policy);
    assert_eq!(reason.role.as_deref(), Some("owner"));
}

// rule AC-7
#[test]
fn supervisors_have_full_access_edit_and_export_on_analytics_call_settings_and_recordings() {
    // "full access, edit, and data export permissions for Analytics (…), Call Settings, and to calls recordings."
    let supervisor = ac().user(&["supervisor"]);
    for section in ANALYTICS.iter().copied().chain(["calls.settings", "calls.recordings"]) {
        assert!(full_edit_export(&supervisor, section), "{section}");
    }
    for denied in ["numbers:view", "team.members:view", "integrations.api:view", "billing.plan:view"] {
        assert!(!ac().allows(&supervisor, denied), "{denied}");
    }
}

// rule AC-8
#[test]
fn supervisors_only_read_the_roles_section() {
    // "these users only have reading access to the Roles section."
    let supervisor = ac().user(&["supervisor", "agent"]);
    assert!(ac().allows(&supervisor, "team.roles:view"));
    assert!(!ac().allows(&supervisor, "team.roles:manage"));
    assert_eq!(ac().assign(&supervisor, &ac().user(&["agent"]), "agent").code(), ReasonCode::MissingPermission);
}

// rule AC-9
#[test]
fn agents_only_have_the_apps_and_their_own_recordings() {
    // "They only have full access to the Aircall Apps, and to their call recordings."
    let agent = ac().user(&["agent"]);
    assert_eq!(ac().visible_sections(&agent), ["calls.recordings", "apps.phone"]);
    assert!(!ac().allows(&agent, "calls.recordings.export"));
}

// rule AC-10
#[test]
fn every_new_user_gets_at_least_the_agent_role() {
    // "Any new user will be assigned at least the Agent role".
    assert_eq!(ac().pack.default_role.as_deref(), Some("agent"));
    let owner = ac().superadmin();
    let target = ac().user(&["agent"]);
    let without_agent = ac().policy.can_set_roles(&owner, &target, &["supervisor".into()]).expect("known roles");
    assert_eq!(without_agent.code(), ReasonCode::DefaultRoleRequired);
    let with_agent =
        ac().policy.can_set_roles(&owner, &target, &["supervisor".into(), "agent".into()]).expect("known roles");
    assert!(with_agent.is_allowed());
}

// rule AC-11
#[test]
fn only_owners_and_admins_create_and_edit_users_roles() {
    // "only Owner and Admin roles have permissions to create and edit users' roles."
    let target = ac().user(&["agent"]);
    let draft = RoleDefinition::new("listener", "Listener");
    for (actor, allowed) in [("owner", true), ("admin", true), ("supervisor", false), ("agent", false)] {
        let p = ac().user(&[actor, "agent"]);
        let role = if actor == "owner" { "owner" } else { "agent" };
        assert_eq!(ac().assign(&p, &target, role).is_allowed(), allowed, "{actor} assigning");
        assert_eq!(
            ac().policy.can_edit_role(&p, None, &draft).expect("valid").is_allowed(),
            allowed,
            "{actor} creating"
        );
    }
}

// rule AC-12
#[test]
fn combined_roles_give_the_union_of_their_access() {
    // "roles can be combined: users can have more than one role at the same time, gaining the combined
    // access and edit permissions of each role they have been assigned."
    assert_eq!(ac().pack.role_mode, RoleMode::Combinable);
    let both = ac().user(&["owner", "supervisor", "agent"]);
    assert!(ac().allows(&both, "billing.plan:manage"));
    assert!(ac().allows(&both, "analytics.monitoring.export"));
    assert!(ac().allows(&both, "apps.phone:full"));
    let mut union = PermissionSet::EMPTY;
    for role in ["owner", "supervisor", "agent"] {
        union.union_with(&ac().policy.role(ac().role(role)).access().permissions);
    }
    assert_eq!(both.permissions, union);
    let owner = ac().superadmin();
    let decision = ac().policy.can_set_roles(&owner, &ac().user(&["agent"]), &["admin".into(), "agent".into()]);
    assert!(decision.expect("known roles").is_allowed());
}

// rule AC-13
#[test]
fn the_matrix_shows_each_roles_level_per_section() {
    // "a matrix overview of each user role's level of access".
    let matrix: BTreeMap<&str, Vec<(String, Level)>> = ac()
        .pack
        .roles
        .iter()
        .map(|r| {
            let access = ac().policy.role(ac().role(&r.key)).access();
            let row = ac()
                .policy
                .catalog()
                .sections()
                .iter()
                .map(|s| (s.def.key.clone(), access.level(ac().policy.catalog(), s.id)))
                .filter(|(_, level)| *level != Level::None)
                .collect();
            (r.key.as_str(), row)
        })
        .collect();
    let level =
        |role: &str, section: &str| matrix[role].iter().find(|(k, _)| k == section).map_or(Level::None, |(_, l)| *l);
    let expected = [
        ("billing.plan", [Level::Manage, Level::None, Level::None, Level::None]),
        ("billing.information", [Level::Manage, Level::None, Level::None, Level::None]),
        ("team.members", [Level::Manage, Level::Manage, Level::None, Level::None]),
        ("team.roles", [Level::Manage, Level::Manage, Level::View, Level::None]),
        ("numbers", [Level::None, Level::Manage, Level::None, Level::None]),
        ("team.workgroups", [Level::None, Level::Manage, Level::None, Level::None]),
        ("integrations.api", [Level::None, Level::Manage, Level::None, Level::None]),
        ("analytics.stats", [Level::None, Level::Manage, Level::Manage, Level::None]),
        ("calls.settings", [Level::None, Level::Manage, Level::Manage, Level::None]),
        ("calls.recordings", [Level::None, Level::Manage, Level::Manage, Level::View]),
        ("apps.phone", [Level::None, Level::None, Level::None, Level::Full]),
    ];
    for (section, levels) in expected {
        for (role, want) in ["owner", "admin", "supervisor", "agent"].into_iter().zip(levels) {
            assert_eq!(level(role, section), want, "{role} on {section}");
        }
    }
}

fn migrate(superadmin: bool, roles: &[&str]) -> Vec<String> {
    migrate_keeping(superadmin, roles, false)
}

fn migrate_keeping(superadmin: bool, roles: &[&str], keep_access: bool) -> Vec<String> {
    let subject = MigrationSubject {
        user_id: UserId::new_random(),
        superadmin,
        roles: roles.iter().map(|r| (*r).into()).collect(),
        custom_roles: vec![],
    };
    plan_migration(&ac().pack, &[subject], keep_access).expect("no custom namesakes").remove(0).to
}

// rule AC-14
#[test]
fn the_billing_owner_migrates_to_owner_admin_and_agent() {
    // "The existing billing owner will have the Owner + new Admin + Agent roles assigned".
    assert_eq!(migrate(true, &["admin"]), ["owner", "admin", "agent"]);
    assert_eq!(ac().pack.owner_roles, ["owner", "admin", "agent"]);
}

// rule AC-15
#[test]
fn former_admins_migrate_to_admin_and_agent() {
    // "Existing Admins will have the new Admin + Agent roles assigned to them".
    assert_eq!(migrate(false, &["admin"]), ["admin", "agent"]);
}

// rule AC-16
#[test]
fn agents_keep_the_agent_role_with_the_same_access() {
    // "Agents will keep the Agent role assigned to them, with the same level of access and permissions".
    assert_eq!(migrate(false, &["agent"]), ["agent"]);
    let old = classic().policy.role(classic().role("agent")).access();
    let new = ac().policy.role(ac().role("agent")).access();
    assert_eq!(old, new);
    assert_eq!(classic().pack.roles.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["admin", "agent"]);
}

// rule AC-17
#[test]
fn the_former_admin_equals_owner_admin_and_agent_combined_and_the_new_admin_alone_is_less() {
    // "the former Admin and new Admin roles are not equivalent: to achieve the same level of access and
    // permissions a user now needs to have the roles of Owner + Admin + Agent".
    let former = classic().user(&["admin"]);
    let combined = ac().user(&["owner", "admin", "agent"]);
    let new_admin = ac().user(&["admin"]);
    // Both packs share Aircall's catalog, so their permission sets compare bit for bit.
    assert_eq!(classic().policy.catalog().sections().len(), ac().policy.catalog().sections().len());
    assert_eq!(combined.permissions, former.permissions);
    assert_eq!(combined.scope, former.scope);
    assert_eq!(combined.recents_all, former.recents_all);
    assert!(new_admin.permissions.is_subset_of(&former.permissions));
    assert_ne!(new_admin.permissions, former.permissions);
    assert!(!ac().allows(&new_admin, "billing.plan:manage") && classic().allows(&former, "billing.plan:manage"));
    // The migration says what the plain mapping loses, and the access-keeping one loses nothing.
    let plain = ac().user(&migrate(false, &["admin"]).iter().map(String::as_str).collect::<Vec<_>>());
    let loss = AccessLoss::between(&classic().policy, &former, &ac().policy, &plain);
    assert_eq!(loss.rights, ["billing.plan.change"]);
    assert!(loss.sections.iter().any(|s| s.section == "billing.information" && s.to == Level::None), "{loss:?}");
    let keeping = migrate_keeping(false, &["admin"], true);
    assert_eq!(keeping, ["owner", "admin", "agent"]);
    let kept = ac().user(&keeping.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(AccessLoss::between(&classic().policy, &former, &ac().policy, &kept).is_empty());
}
