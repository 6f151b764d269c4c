//! The groups/IVR dashboard pack (seed 002), loaded from the built `cdylib` through the real host;
//! every decision is the core's.

// Test helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::OnceLock;
use switchboard_core::{
    CommunicationRef, DashboardAccess, Decision, IvrId, ReasonCode, ScopeKind, UserId, WorkgroupId,
};
use switchboard_plugin_testkit::LoadedPolicy;

fn gi() -> &'static LoadedPolicy {
    static PACK: OnceLock<LoadedPolicy> = OnceLock::new();
    PACK.get_or_init(|| LoadedPolicy::load("preset_groups_ivr", "groups-ivr").expect("the pack loads"))
}

fn call<'a>(workgroup: Option<WorkgroupId>, ivr: Option<IvrId>, participants: &'a [UserId]) -> CommunicationRef<'a> {
    CommunicationRef { kind: switchboard_core::CommunicationKind::Call, number: None, workgroup, ivr, participants }
}

// rule GI-1
#[test]
fn dashboard_access_to_a_group_shows_the_calls_that_group_handled() {
    // "Selecting Groups allows you to view and filter information related to calls handled by those groups".
    let (support, sales) = (WorkgroupId::new_random(), WorkgroupId::new_random());
    let user = gi().subject(&["supervisor"], |s| s.dashboard.workgroups = vec![support]);
    let stranger = [UserId::new_random()];
    assert_eq!(
        gi().policy.can_see(&user, &call(Some(support), None, &stranger)),
        Decision::Allowed(switchboard_core::Via::Scope(ScopeKind::Dashboard))
    );
    assert_eq!(gi().policy.can_see(&user, &call(Some(sales), None, &stranger)), Decision::OutOfScope);
}

// rule GI-2
#[test]
fn dashboard_access_to_an_ivr_shows_the_calls_that_passed_through_it() {
    // "Selecting IVRs allows you to view and filter information related to calls that pass through those IVRs".
    let (main_menu, billing_menu) = (IvrId::new_random(), IvrId::new_random());
    let user = gi().subject(&["supervisor"], |s| s.dashboard.ivrs = vec![main_menu]);
    let stranger = [UserId::new_random()];
    assert!(gi().policy.can_see(&user, &call(None, Some(main_menu), &stranger)).is_allowed());
    assert_eq!(gi().policy.can_see(&user, &call(None, Some(billing_menu), &stranger)), Decision::OutOfScope);
}

// rule GI-3
#[test]
fn a_user_may_have_no_dashboard_role_at_all() {
    // "you can opt not to grant any rights".
    assert_eq!(gi().pack.default_role, None);
    let nobody = gi().user(&[]);
    assert!(gi().visible_sections(&nobody).is_empty());
    let target = gi().user(&["technical"]);
    let cleared = gi().policy.can_set_roles(&gi().superadmin(), &target, &[]).expect("no roles is a valid set");
    assert!(cleared.is_allowed());
}

// rule GI-4
#[test]
fn admins_have_full_dashboard_access_with_no_restrictions() {
    // "they will have full access to the Dashboard with no restrictions."
    let admin = gi().user(&["admin"]);
    let all: Vec<String> = gi().policy.catalog().sections().iter().map(|s| s.def.key.clone()).collect();
    assert_eq!(gi().visible_sections(&admin), all);
    for right in gi().policy.catalog().rights() {
        assert!(gi().allows(&admin, &right.key), "{}", right.key);
    }
    let stranger = [UserId::new_random()];
    let anywhere = call(Some(WorkgroupId::new_random()), Some(IvrId::new_random()), &stranger);
    assert!(gi().policy.can_see(&admin, &anywhere).is_allowed());
}

// rule GI-5
#[test]
fn only_the_superadministrator_grants_the_admin_role() {
    // "Only the superadministrator can grant this role access to another user."
    let target = gi().user(&["technical"]);
    assert!(gi().assign(&gi().superadmin(), &target, "admin").is_allowed());
    assert!(matches!(gi().assign(&gi().user(&["admin"]), &target, "admin"), Decision::GuardedRole { .. }));
    let reason = gi().assign(&gi().user(&["admin"]), &target, "admin").explain(&gi().policy);
    assert!(reason.message.contains("the superadmin"), "{}", reason.message);
}

// rule GI-6
#[test]
fn an_administrator_cannot_modify_another_administrators_access() {
    // "an administrator cannot modify the access of another administrator; it must be done by the
    // superadministrator."
    let admin = gi().user(&["admin"]);
    let other_admin = gi().user(&["admin"]);
    assert!(matches!(gi().assign(&admin, &other_admin, "admin"), Decision::PeerProtected { .. }));
    let access = DashboardAccess { workgroups: vec![WorkgroupId::new_random()], ivrs: vec![] };
    assert_eq!(gi().policy.can_set_dashboard_access(&admin, &other_admin, &access).code(), ReasonCode::PeerProtected);
    assert!(gi().policy.can_set_dashboard_access(&gi().superadmin(), &other_admin, &access).is_allowed());
    // An admin still manages the access of users who are not admins.
    assert!(gi().assign(&admin, &gi().user(&[]), "supervisor").is_allowed());
}

// rule GI-7
#[test]
fn supervisors_only_see_activity_logs_analytics_campaigns_and_tasks() {
    // "this user will only have access to the "Activity", "Logs," "Campaigns" and "Analytics" pages" and
    // "Task management".
    let supervisor = gi().user(&["supervisor"]);
    assert_eq!(
        gi().visible_sections(&supervisor),
        ["dashboard.activity", "dashboard.logs", "dashboard.analytics", "dashboard.campaigns", "dashboard.tasks"]
    );
    assert!(gi().allows(&supervisor, "dashboard.tasks:manage"));
}

// rule GI-8
#[test]
fn supervisors_see_only_data_of_the_groups_and_ivrs_authorised_for_them() {
    // "They will also only have access to data for groups/IVRs authorised by the administrator."
    let (group, ivr) = (WorkgroupId::new_random(), IvrId::new_random());
    let member_of = WorkgroupId::new_random();
    let supervisor = gi().subject(&["supervisor"], |s| {
        s.dashboard = DashboardAccess { workgroups: vec![group], ivrs: vec![ivr] };
        s.workgroups = vec![member_of];
    });
    let stranger = [UserId::new_random()];
    assert!(gi().policy.can_see(&supervisor, &call(Some(group), None, &stranger)).is_allowed());
    assert!(gi().policy.can_see(&supervisor, &call(None, Some(ivr), &stranger)).is_allowed());
    // Being a member of a group is not dashboard access to it.
    assert_eq!(gi().policy.can_see(&supervisor, &call(Some(member_of), None, &stranger)), Decision::OutOfScope);
    assert_eq!(gi().policy.can_see(&supervisor, &call(None, None, &stranger)), Decision::OutOfScope);
}

// rule GI-9
#[test]
fn accountants_only_add_credits_and_download_invoices() {
    // "this user will only have access to the "Credits and billing" page to add credits and download invoices."
    let accountant = gi().user(&["accountant"]);
    assert_eq!(gi().visible_sections(&accountant), ["billing.credits", "billing.invoices"]);
    assert!(gi().allows(&accountant, "billing.credits.add"));
    assert!(gi().allows(&accountant, "billing.invoices.download"));
}

// rule GI-10
#[test]
fn technicians_only_see_configuration_developer_and_integrations_pages_and_create_ivrs_users_groups_numbers() {
    // "they will only have access to the "Configuration," "Developer," and "Integrations" pages, allowing them
    // to create IVRs, users, groups, and numbers." Pages: "Users, Numbers, IVRs, and Audio conferences, Call
    // tags, Snoozes, Blocked numbers, Contacts, Dev, Integrations, Actions logs, Brands and Other".
    let technical = gi().user(&["technical"]);
    let mut visible = gi().visible_sections(&technical);
    visible.sort();
    let mut expected = vec![
        "team.members",
        "numbers",
        "call_flow",
        "config.audio_conferences",
        "team.workgroups",
        "config.call_tags",
        "config.snoozes",
        "config.blocked_numbers",
        "contacts",
        "developer.dev",
        "integrations.api",
        "integrations.crm",
        "config.action_logs",
        "config.brands",
        "config.other",
    ];
    expected.sort();
    assert_eq!(visible, expected);
    for create in ["call_flow:manage", "team.members.invite", "team.workgroups:manage", "numbers.add"] {
        assert!(gi().allows(&technical, create), "{create}");
    }
    for denied in ["team.roles:view", "billing.credits:view", "dashboard.activity:view"] {
        assert!(!gi().allows(&technical, denied), "{denied}");
    }
}
