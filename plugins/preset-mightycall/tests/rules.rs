//! The MightyCall pack (seeds 000 and 001), loaded from its built `cdylib` through the real host; every
//! decision is the core's.

// Test helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::OnceLock;
use switchboard_core::{
    CommunicationRef, Decision, Level, ReasonCode, RecentsScope, RoleDefinition, RoleMode, ScopeKind, SectionGrant,
    UserId, WorkgroupId,
};
use switchboard_plugin_testkit::LoadedPolicy;

fn mc() -> &'static LoadedPolicy {
    static PACK: OnceLock<LoadedPolicy> = OnceLock::new();
    PACK.get_or_init(|| LoadedPolicy::load("preset_mightycall", "mightycall").expect("the pack loads"))
}

/// A custom role (seed 000: "custom roles where permissions can be set within each role").
fn custom(key: &str, grants: &[(&str, Level, &[&str])], scope: ScopeKind) -> RoleDefinition {
    let mut role = RoleDefinition::new(key, key);
    for (section, level, rights) in grants {
        role.grants.insert(
            (*section).to_owned(),
            SectionGrant { level: *level, rights: rights.iter().map(|r| (*r).to_owned()).collect() },
        );
    }
    role.scope = scope;
    role
}

// rule MC-1
#[test]
fn three_default_roles_administrator_manager_agent() {
    // "MightyCall offers three default access roles": Administrator, Manager, Agent.
    let roles: Vec<(&str, &str)> = mc().pack.roles.iter().map(|r| (r.key.as_str(), r.name.as_str())).collect();
    assert_eq!(roles, [("administrator", "Administrator"), ("manager", "Manager"), ("agent", "Agent")]);
    assert_eq!(mc().pack.role_mode, RoleMode::Single);
    assert_eq!(mc().pack.owner_roles, ["administrator"]);
    assert_eq!(mc().pack.default_role.as_deref(), Some("agent"));
}

// rule MC-2
#[test]
fn administrators_view_and_manage_every_section_and_change_every_role() {
    // "They can view and manage all MightyCall tabs … invite, edit, and delete users and change roles for
    // other Administrators, Managers, and Agents … supervisor workspace and can edit and delete the account."
    let admin = mc().user(&["administrator"]);
    for section in mc().policy.catalog().sections() {
        let top = format!("{}:{}", section.def.key, section.def.level_set.top());
        assert!(mc().allows(&admin, &top), "{top}");
        for right in &section.def.rights {
            assert!(mc().allows(&admin, &right.key), "{}", right.key);
        }
    }
    for right in ["team.members.invite", "team.members.edit", "team.members.delete", "account.subscription"] {
        assert!(mc().allows(&admin, right), "{right}");
    }
    let target = mc().user(&["agent"]);
    for role in ["administrator", "manager", "agent"] {
        assert!(mc().assign(&admin, &target, role).is_allowed(), "{role}");
    }
}

// rule MC-3
#[test]
fn managers_cannot_view_or_manage_roles() {
    // "managers can't view or manage any user roles, as that stays only in the administrators' hands."
    let manager = mc().user(&["manager"]);
    assert!(!mc().allows(&manager, "team.roles:view"));
    let target = mc().user(&["agent"]);
    assert_eq!(mc().assign(&manager, &target, "agent").code(), ReasonCode::MissingPermission);
    // Everything else the Administrator has.
    let admin = mc().user(&["administrator"]);
    for section in mc().policy.catalog().sections().iter().filter(|s| s.def.key != "team.roles") {
        let top = format!("{}:{}", section.def.key, section.def.level_set.top());
        assert_eq!(mc().allows(&manager, &top), mc().allows(&admin, &top), "{top}");
    }
    assert!(!mc().visible_sections(&manager).contains(&"team.roles".to_owned()));
}

// rule MC-4
#[test]
fn agents_see_only_their_own_and_their_workgroups_history() {
    // "They'll only see the history of communication either they were personally engaged in or any history
    // of a workgroup they are a part of."
    let sales = WorkgroupId::new_random();
    let support = WorkgroupId::new_random();
    let agent = mc().subject(&["agent"], |s| s.workgroups = vec![sales]);
    let someone = UserId::new_random();
    let own = [agent.user_id];
    let others = [someone];
    let call = |workgroup, participants| CommunicationRef {
        kind: switchboard_core::CommunicationKind::Call,
        number: None,
        workgroup,
        ivr: None,
        participants,
    };
    assert!(mc().policy.can_see(&agent, &call(None, &own)).is_allowed());
    assert!(mc().policy.can_see(&agent, &call(Some(sales), &others)).is_allowed());
    assert_eq!(mc().policy.can_see(&agent, &call(Some(support), &others)), Decision::OutOfScope);
    assert_eq!(mc().policy.can_see(&agent, &call(None, &others)), Decision::OutOfScope);
    // "Agents also have the 'Personal' limit for their 'Recents'".
    assert_eq!(mc().policy.can_see_recent(&agent, &call(Some(sales), &others)), Decision::OutOfScope);
}

// rule MC-5
#[test]
fn agents_have_no_supervisor_workspace_auto_dialer_or_call_flow_and_only_basic_reports() {
    // "they don't have access to the supervisor workspace, auto dialer or call flow settings, and only have
    // basic access to the call center reports."
    let agent = mc().user(&["agent"]);
    for denied in
        ["supervisor_workspace:full", "auto_dialer.campaigns:view", "auto_dialer.lists:view", "call_flow:view"]
    {
        assert!(!mc().allows(&agent, denied), "{denied}");
    }
    assert!(mc().allows(&agent, "reports:view"));
    assert!(!mc().allows(&agent, "reports.all"), "basic reports: their own interactions only");
    assert!(!mc().allows(&agent, "reports.download"));
}

// rule MC-6
#[test]
fn agents_cannot_manage_numbers_team_integrations_or_account() {
    // "They also can't manage the business numbers, team, integrations or account details."
    let agent = mc().user(&["agent"]);
    let sections =
        "numbers team.members team.workgroups team.roles team.statuses integrations.api integrations.crm account";
    for section in sections.split_whitespace() {
        assert!(!mc().allows(&agent, &format!("{section}:manage")), "{section}");
    }
    assert_eq!(mc().visible_sections(&agent), ["reports", "contacts"]);
}

// rule MC-19
#[test]
fn assigning_roles_needs_the_administrator_role_or_a_custom_role_that_manages_roles() {
    // "in order to assign user roles, you must hold an Admin role yourself or a custom role with the
    // permissions to view and manage roles."
    let roles_admin = custom(
        "roles_admin",
        &[("team.roles", Level::Manage, &[]), ("reports", Level::View, &[]), ("contacts", Level::View, &[])],
        ScopeKind::Workgroup,
    );
    let roles_viewer = custom("roles_viewer", &[("team.roles", Level::View, &[])], ScopeKind::Personal);
    let mc = LoadedPolicy::load_with("preset_mightycall", "mightycall", [roles_admin, roles_viewer]).expect("loads");
    let target = mc.user(&[]);
    assert!(mc.assign(&mc.user(&["administrator"]), &target, "agent").is_allowed());
    assert!(mc.assign(&mc.user(&["roles_admin"]), &target, "agent").is_allowed());
    assert_eq!(mc.assign(&mc.user(&["roles_viewer"]), &target, "agent").code(), ReasonCode::MissingPermission);
    assert_eq!(mc.assign(&mc.user(&["agent"]), &target, "agent").code(), ReasonCode::MissingPermission);
}

// rule MC-20
#[test]
fn a_role_higher_than_the_assigners_own_cannot_be_assigned() {
    // "The role and the level of access you want to assign to a user can't be higher than your own."
    let roles_admin = custom(
        "roles_admin",
        &[("team.roles", Level::Manage, &[]), ("reports", Level::View, &[]), ("contacts", Level::View, &[])],
        ScopeKind::Workgroup,
    );
    let mc = LoadedPolicy::load_with("preset_mightycall", "mightycall", [roles_admin]).expect("loads");
    let actor = mc.user(&["roles_admin"]);
    assert_eq!(mc.assign(&actor, &mc.user(&[]), "manager").code(), ReasonCode::Escalation);
}

// rule MC-26
#[test]
fn agents_report_on_their_own_interactions_while_managers_and_administrators_see_all_data() {
    // "Agents only have access to the reports of the interactions they've engaged with, while Managers and
    // Administrators have access to all the data."
    let agent = mc().user(&["agent"]);
    assert!(mc().allows(&agent, "reports:view") && !mc().allows(&agent, "reports.all"));
    for role in ["manager", "administrator"] {
        let user = mc().user(&[role]);
        assert!(mc().allows(&user, "reports.all"), "{role}");
        assert!(mc().allows(&user, "reports.download"), "{role}");
        let anyone = [UserId::new_random()];
        let call = CommunicationRef {
            kind: switchboard_core::CommunicationKind::Call,
            number: None,
            workgroup: None,
            ivr: None,
            participants: &anyone,
        };
        assert!(mc().policy.can_see(&user, &call).is_allowed(), "{role} sees all data");
    }
}

// rule MC-27
#[test]
fn the_supervisor_workspace_is_open_to_managers_administrators_and_custom_roles_with_full_access() {
    // "available to managers, administrators, and custom roles that include full access to the supervisor
    // workspace".
    let supervisor = custom("floor_supervisor", &[("supervisor_workspace", Level::Full, &[])], ScopeKind::Personal);
    let mc = LoadedPolicy::load_with("preset_mightycall", "mightycall", [supervisor]).expect("loads");
    for role in ["manager", "administrator", "floor_supervisor"] {
        assert!(mc.allows(&mc.user(&[role]), "supervisor_workspace:full"), "{role}");
    }
    assert!(!mc.allows(&mc.user(&["agent"]), "supervisor_workspace:full"));
}

// rule MC-29
#[test]
fn administrators_have_scope_all_recents_all_and_the_full_supervisor_workspace() {
    // Seed 001: "Scope All: access to all calls … Recents All: all calls from all users are displayed;
    // Supervisor workspace Full access".
    let admin_def = mc().pack.roles.iter().find(|r| r.key == "administrator").expect("administrator");
    assert_eq!(admin_def.scope, ScopeKind::All);
    assert_eq!(admin_def.recents, RecentsScope::All);
    let admin = mc().user(&["administrator"]);
    let stranger = [UserId::new_random()];
    let call = CommunicationRef {
        kind: switchboard_core::CommunicationKind::Call,
        number: None,
        workgroup: Some(WorkgroupId::new_random()),
        ivr: None,
        participants: &stranger,
    };
    assert!(mc().policy.can_see(&admin, &call).is_allowed());
    assert!(mc().policy.can_see_recent(&admin, &call).is_allowed());
    assert!(mc().allows(&admin, "supervisor_workspace:full"));
}

/// Rules MC-30 to MC-38: the Administrator's tree of seed 001, right by right, each separate.
fn administrator_holds_and_agent_lacks(rights: &[&str], sections: &[&str]) {
    let admin = mc().user(&["administrator"]);
    let agent = mc().user(&["agent"]);
    for right in rights {
        assert!(mc().allows(&admin, right), "administrator lacks {right}");
        assert!(!mc().allows(&agent, right), "agent holds {right}");
    }
    for section in sections {
        assert!(mc().allows(&admin, &format!("{section}:manage")), "administrator lacks {section}");
    }
}

// rule MC-30
#[test]
fn reports_view_and_manage_gives_all_reports_and_downloads() {
    // "Reports View & manage: All: access to all reports; Download reports".
    administrator_holds_and_agent_lacks(&["reports.all", "reports.download"], &["reports"]);
}

// rule MC-31
#[test]
fn auto_dialer_campaigns_and_lists_are_managed_by_administrators() {
    // "Campaigns View & manage … Lists View & manage: … record and DNC (Do Not Call) lists."
    administrator_holds_and_agent_lacks(&[], &["auto_dialer.campaigns", "auto_dialer.lists"]);
}

// rule MC-32
#[test]
fn call_flows_are_created_edited_and_deleted_by_administrators() {
    // "Call flow View & manage: access to creating, editing, and deleting call flows."
    administrator_holds_and_agent_lacks(&[], &["call_flow"]);
}

// rule MC-33
#[test]
fn number_settings_adding_and_deleting_numbers_are_separate_rights() {
    // "Edit number settings … Add new numbers … Delete numbers".
    administrator_holds_and_agent_lacks(&["numbers.edit", "numbers.add", "numbers.delete"], &["numbers"]);
    let numbers_rights = mc().policy.catalog().rights().iter().filter(|r| r.key.starts_with("numbers.")).count();
    assert_eq!(numbers_rights, 3);
}

// rule MC-34
#[test]
fn members_edit_invite_delete_are_separate_and_supervising_is_for_managers_and_administrators() {
    // "Edit user settings (currently, supervising users is only available for Manager and Administrator
    // roles); Invite new members …; Delete members".
    administrator_holds_and_agent_lacks(
        &["team.members.edit", "team.members.invite", "team.members.delete", "team.members.supervise"],
        &["team.members"],
    );
    assert!(mc().allows(&mc().user(&["manager"]), "team.members.supervise"));
}

// rule MC-35
#[test]
fn workgroups_and_roles_are_viewed_and_managed_by_administrators() {
    // "Workgroup View & manage … Roles View & manage: access to creating, editing, and deleting roles".
    administrator_holds_and_agent_lacks(&[], &["team.workgroups", "team.roles"]);
    let admin = mc().user(&["administrator"]);
    let draft = custom("draft", &[("contacts", Level::View, &[])], ScopeKind::Personal);
    assert!(mc().policy.can_edit_role(&admin, None, &draft).expect("valid").is_allowed());
}

// rule MC-36
#[test]
fn api_keys_and_webhooks_are_separate_rights_and_crm_is_view_and_manage() {
    // "API View & manage: Edit API & User keys; Edit Webhooks. CRM View & manage".
    administrator_holds_and_agent_lacks(
        &["integrations.api.keys", "integrations.api.webhooks"],
        &["integrations.api", "integrations.crm"],
    );
}

// rule MC-37
#[test]
fn contacts_are_viewed_and_managed_by_administrators_and_viewed_by_agents() {
    // "Contacts View & manage: access to creating, editing, and deleting contacts."
    administrator_holds_and_agent_lacks(&[], &["contacts"]);
    assert!(mc().allows(&mc().user(&["agent"]), "contacts:view"));
    assert!(!mc().allows(&mc().user(&["agent"]), "contacts:manage"));
}

// rule MC-38
#[test]
fn subscription_and_refilling_minutes_are_separate_account_rights() {
    // "Edit subscription & Add-ons …; Refill minutes: topping up the account's internal balance."
    administrator_holds_and_agent_lacks(&["account.subscription", "account.refill"], &["account"]);
}
