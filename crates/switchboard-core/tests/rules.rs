//! The core's rules, named after the seeds they come from (see ../shared/RULES.md).

use crate::support::*;
use std::collections::BTreeMap;
use switchboard_core::*;

fn comm<'a>(
    number: Option<NumberId>,
    workgroup: Option<WorkgroupId>,
    ivr: Option<IvrId>,
    who: &'a [UserId],
) -> CommunicationRef<'a> {
    CommunicationRef { kind: CommunicationKind::Call, number, workgroup, ivr, participants: who }
}

mod sections_and_levels {
    use super::*;

    // rule MC-3
    #[test]
    fn managers_cannot_view_or_manage_roles() {
        let mut a = Account::new(mightycall_pack());
        a.user("manager", &["manager"]);
        let d = a.check("manager", "team.roles:view");
        assert_eq!(a.code(d), ReasonCode::MissingPermission);
        let reason = d.explain(&a.policy);
        assert_eq!(reason.section.as_deref(), Some("team.roles"));
        assert_eq!(reason.held, Some(Level::None));
        // "nearly the same access as administrators": everything else is still there.
        assert!(a.check("manager", "numbers.add").is_allowed());
        assert!(a.check("manager", "supervisor_workspace:full").is_allowed());
    }

    // rule MC-2
    #[test]
    fn administrators_view_and_manage_every_section_and_can_edit_the_account() {
        let mut a = Account::new(mightycall_pack());
        a.user("admin", &["administrator"]);
        for s in Catalog::core().sections() {
            let top = format!("{}:{}", s.def.key, s.def.level_set.top());
            assert!(a.check("admin", &top).is_allowed(), "{top}");
        }
        assert!(a.check("admin", "account.subscription").is_allowed());
    }

    // rule MC-5, MC-26
    #[test]
    fn agents_get_basic_reports_only_without_all_reports_or_download() {
        let mut a = Account::new(mightycall_pack());
        a.user("agent", &["agent"]);
        assert!(a.check("agent", "reports:view").is_allowed());
        let all = a.check("agent", "reports.all");
        assert_eq!(a.code(all), ReasonCode::MissingRight);
        assert_eq!(all.explain(&a.policy).right.as_deref(), Some("reports.all"));
        assert!(!a.check("agent", "reports.download").is_allowed());
        assert!(!a.check("agent", "supervisor_workspace:full").is_allowed());
        assert!(!a.check("agent", "call_flow:view").is_allowed());
    }

    // rule MC-14
    #[test]
    fn view_only_access_cannot_manage() {
        let mut a = Account::with_custom(
            mightycall_pack(),
            vec![role(
                "viewer",
                BTreeMap::from([("numbers".to_string(), grant(Level::View, &[]))]),
                ScopeKind::Personal,
                RecentsScope::Personal,
            )],
        );
        a.user("viewer", &["viewer"]);
        assert!(a.check("viewer", "numbers:view").is_allowed());
        let d = a.check("viewer", "numbers:manage");
        assert_eq!(
            d,
            Decision::MissingPermission {
                section: a.policy.catalog().section_id("numbers").unwrap(),
                required: Level::Manage,
                held: Level::View
            }
        );
        // A right asks for its section level first, and says so.
        assert_eq!(a.code(a.check("viewer", "numbers.add")), ReasonCode::MissingPermission);
    }

    // rule MC-24
    #[test]
    fn agents_can_be_kept_away_from_saved_contacts() {
        // "Restrict agents from accessing saved contacts": a copy of Agent without contacts.
        let mut restricted = mightycall_pack().roles[2].clone();
        restricted.key = "restricted_agent".into();
        restricted.grants.remove("contacts");
        let mut a = Account::with_custom(mightycall_pack(), vec![restricted]);
        a.user("agent", &["agent"]);
        a.user("contractor", &["restricted_agent"]);
        assert!(a.check("agent", "contacts:view").is_allowed());
        let d = a.check("contractor", "contacts:view");
        assert_eq!(d.explain(&a.policy).section.as_deref(), Some("contacts"));
        assert!(a.check("contractor", "reports:view").is_allowed(), "the rest of Agent stays");
    }

    // rule MC-17
    #[test]
    fn sections_a_user_has_no_access_to_are_not_visible() {
        let mut a = Account::new(mightycall_pack());
        a.user("agent", &["agent"]);
        a.user("manager", &["manager"]);
        let agent = a.p("agent");
        let visible: Vec<_> = a.policy.visible_sections(&agent).map(|s| s.def.key.as_str()).collect();
        assert_eq!(visible, vec!["reports", "contacts"]);
        let manager = a.p("manager");
        assert!(a.policy.visible_sections(&manager).all(|s| s.def.key != "team.roles"));
    }

    #[test]
    fn a_disabled_user_has_nothing_not_even_as_superadmin() {
        let mut a = Account::new(mightycall_pack());
        a.superadmin("boss", &["administrator"]);
        a.subjects.get_mut("boss").unwrap().status = UserStatus::Disabled;
        assert_eq!(a.check("boss", "numbers:view"), Decision::InactiveUser);
        let p = a.p("boss");
        assert_eq!(p.visibility(), Visibility::Nothing);
        assert_eq!(a.policy.visible_sections(&p).count(), 0);
    }

    #[test]
    fn the_superadmin_has_everything_whatever_their_roles() {
        let mut a = Account::new(mightycall_pack());
        a.superadmin("boss", &["agent"]);
        assert_eq!(a.check("boss", "team.roles:manage"), Decision::Allowed(Via::Superadmin));
        assert_eq!(a.p("boss").visibility(), Visibility::Everything);
    }

    #[test]
    fn reasons_serialize_with_a_stable_code() {
        let mut a = Account::new(mightycall_pack());
        a.user("manager", &["manager"]);
        let json = serde_json::to_value(a.check("manager", "team.roles:manage").explain(&a.policy)).unwrap();
        assert_eq!(json["code"], "missing_permission");
        assert_eq!(json["section"], "team.roles");
        assert_eq!(json["required"], "manage");
        assert_eq!(json["held"], "none");
    }
}

mod data_scopes {
    use super::*;

    fn scoped(scope: ScopeKind) -> RoleDefinition {
        role("scoped", BTreeMap::new(), scope, RecentsScope::Personal)
    }

    // rule MC-8
    #[test]
    fn scope_all_grants_access_to_all_communications() {
        let mut a = Account::with_custom(mightycall_pack(), vec![scoped(ScopeKind::All)]);
        a.user("u", &["scoped"]);
        let c = comm(None, None, None, &[]);
        assert_eq!(a.policy.can_see(&a.p("u"), &c), Decision::Allowed(Via::Scope(ScopeKind::All)));
    }

    // rule MC-9, MC-25
    #[test]
    fn specific_business_numbers_scope_sees_selected_numbers_workgroups_and_personal() {
        let selected = NumberId::new_random();
        let own = NumberId::new_random();
        let other = NumberId::new_random();
        let wg = WorkgroupId::new_random();
        let mut r = scoped(ScopeKind::Numbers);
        r.scope_numbers = vec![selected];
        let mut a = Account::with_custom(mightycall_pack(), vec![r]);
        let u = a.user("u", &["scoped"]);
        u.numbers = vec![own];
        u.workgroups = vec![wg];
        let me = a.subjects["u"].user_id;
        let p = a.p("u");
        let sees = |c: CommunicationRef<'_>| a.policy.can_see(&p, &c).is_allowed();
        assert!(sees(comm(Some(selected), None, None, &[])), "a selected business number");
        assert!(sees(comm(Some(own), None, None, &[])), "the user's assigned number");
        assert!(sees(comm(Some(other), Some(wg), None, &[])), "the user's workgroup");
        assert!(sees(comm(Some(other), None, None, &[me])), "a personal interaction");
        assert!(!sees(comm(Some(other), None, None, &[])), "someone else's number");
    }

    // rule MC-10, MC-4
    #[test]
    fn workgroup_scope_sees_the_workgroups_history_and_personal_interactions() {
        let wg = WorkgroupId::new_random();
        let mut a = Account::new(mightycall_pack());
        a.user("agent", &["agent"]).workgroups = vec![wg];
        let me = a.subjects["agent"].user_id;
        let p = a.p("agent");
        let n = Some(NumberId::new_random());
        assert_eq!(
            a.policy.can_see(&p, &comm(n, Some(wg), None, &[])),
            Decision::Allowed(Via::Scope(ScopeKind::Workgroup))
        );
        assert_eq!(
            a.policy.can_see(&p, &comm(n, None, None, &[me])),
            Decision::Allowed(Via::Scope(ScopeKind::Personal))
        );
        assert_eq!(a.policy.can_see(&p, &comm(n, Some(WorkgroupId::new_random()), None, &[])), Decision::OutOfScope);
    }

    // rule MC-11, MC-7
    #[test]
    fn personal_scope_sees_only_communications_made_or_received_by_the_user() {
        let wg = WorkgroupId::new_random();
        let mut a = Account::with_custom(mightycall_pack(), vec![scoped(ScopeKind::Personal)]);
        a.user("u", &["scoped"]).workgroups = vec![wg];
        let me = a.subjects["u"].user_id;
        let p = a.p("u");
        assert!(a.policy.can_see(&p, &comm(None, None, None, &[me])).is_allowed());
        assert_eq!(a.policy.can_see(&p, &comm(None, Some(wg), None, &[])), Decision::OutOfScope);
    }

    // rule MC-18, GI-3
    #[test]
    fn every_user_has_their_personal_communications_even_with_no_role() {
        let mut a = Account::new(groups_pack());
        a.user("nobody", &[]);
        let me = a.subjects["nobody"].user_id;
        let p = a.p("nobody");
        assert!(a.policy.can_see(&p, &comm(None, None, None, &[me])).is_allowed());
        assert!(!a.policy.can_see(&p, &comm(None, None, None, &[])).is_allowed());
        assert_eq!(a.policy.visible_sections(&p).count(), 0, "no dashboard role at all");
    }

    // rule GI-1, GI-2, GI-8
    #[test]
    fn dashboard_access_shows_calls_of_selected_groups_and_ivrs_only() {
        let (g1, g2) = (WorkgroupId::new_random(), WorkgroupId::new_random());
        let (i1, i2) = (IvrId::new_random(), IvrId::new_random());
        let mut a = Account::new(groups_pack());
        a.user("sup", &["supervisor"]).dashboard = DashboardAccess { workgroups: vec![g1], ivrs: vec![i1] };
        let p = a.p("sup");
        let dash = Decision::Allowed(Via::Scope(ScopeKind::Dashboard));
        assert_eq!(a.policy.can_see(&p, &comm(None, Some(g1), None, &[])), dash, "a call handled by a selected group");
        assert_eq!(a.policy.can_see(&p, &comm(None, None, Some(i1), &[])), dash, "a call through a selected IVR");
        assert_eq!(a.policy.can_see(&p, &comm(None, Some(g2), Some(i2), &[])), Decision::OutOfScope);
    }

    // rule MC-12
    #[test]
    fn recents_all_shows_all_calls_of_all_users_and_personal_only_the_users_own() {
        let mut a = Account::new(mightycall_pack());
        a.user("admin", &["administrator"]);
        a.user("agent", &["agent"]);
        let me = a.subjects["agent"].user_id;
        let someone_elses = comm(None, None, None, &[]);
        assert!(a.policy.can_see_recent(&a.p("admin"), &someone_elses).is_allowed());
        assert_eq!(a.policy.can_see_recent(&a.p("agent"), &someone_elses), Decision::OutOfScope);
        assert!(a.policy.can_see_recent(&a.p("agent"), &comm(None, None, None, &[me])).is_allowed());
    }
}

mod kinds_of_data {
    use super::*;

    fn of(kind: CommunicationKind, who: &[UserId]) -> CommunicationRef<'_> {
        CommunicationRef { kind, number: None, workgroup: None, ivr: None, participants: who }
    }

    fn calls_only() -> RoleDefinition {
        let mut r = role("calls_only", BTreeMap::new(), ScopeKind::All, RecentsScope::All);
        r.kinds = DataKinds { calls: true, messages: false, voicemails: false, recordings: false };
        r
    }

    // rule MC-7
    #[test]
    fn custom_roles_limit_access_to_calls_call_recordings_and_voicemails() {
        let mut a = Account::with_custom(mightycall_pack(), vec![calls_only()]);
        a.user("u", &["calls_only"]);
        let p = a.p("u");
        assert!(a.policy.can_see(&p, &of(CommunicationKind::Call, &[])).is_allowed());
        let voicemail = a.policy.can_see(&p, &of(CommunicationKind::Voicemail, &[]));
        assert_eq!(voicemail, Decision::KindNotShown { kind: CommunicationKind::Voicemail });
        assert_eq!(a.code(voicemail), ReasonCode::KindNotShown);
        assert_eq!(voicemail.explain(&a.policy).kind, Some(CommunicationKind::Voicemail));
        let recording = a.policy.can_play_recording(&p, &of(CommunicationKind::Call, &[]), true);
        assert_eq!(recording, Decision::KindNotShown { kind: CommunicationKind::Recording });
        assert_eq!(a.policy.can_see_recent(&p, &of(CommunicationKind::Message, &[])).code(), ReasonCode::KindNotShown);
    }

    // rule MC-18, AC-9
    #[test]
    fn every_user_has_their_own_calls_recordings_and_voicemails_whatever_their_roles_show() {
        let mut a = Account::with_custom(mightycall_pack(), vec![calls_only()]);
        a.user("u", &["calls_only"]);
        let (p, me) = (a.p("u"), [a.subjects["u"].user_id]);
        assert!(a.policy.can_see(&p, &of(CommunicationKind::Voicemail, &me)).is_allowed());
        assert!(a.policy.can_play_recording(&p, &of(CommunicationKind::Call, &me), true).is_allowed());
        assert_eq!(a.policy.can_play_recording(&p, &of(CommunicationKind::Message, &me), false), Decision::NoRecording);
    }

    // rule MC-7, with rule 4
    #[test]
    fn a_role_showing_a_kind_the_actor_does_not_see_is_an_escalation() {
        let mut lead = calls_only();
        lead.key = "lead".into();
        lead.grants.insert("team.roles".into(), grant(Level::Manage, &[]));
        let mut a = Account::with_custom(mightycall_pack(), vec![lead]);
        a.user("lead", &["lead"]);
        let mut wider = role("wider", BTreeMap::new(), ScopeKind::Workgroup, RecentsScope::Personal);
        let access = a.policy.compile(&wider).expect("compiles");
        assert_eq!(
            a.policy.access_surplus(&access, &a.p("lead")),
            Some(Excess::Kind { kind: CommunicationKind::Message })
        );
        wider.kinds = DataKinds { calls: true, messages: false, voicemails: false, recordings: false };
        assert_eq!(a.policy.access_surplus(&a.policy.compile(&wider).expect("compiles"), &a.p("lead")), None);
        // A role opening nothing beyond its holders' own records shows no kind.
        let personal = role("personal", BTreeMap::new(), ScopeKind::Personal, RecentsScope::Personal);
        assert!(a.policy.compile(&personal).expect("compiles").kinds.is_empty());
    }

    // rule MC-5, MC-26
    #[test]
    fn agents_reports_cover_only_their_own_interactions_and_managers_all_data() {
        let mut a = Account::new(mightycall_pack());
        a.user("agent", &["agent"]);
        a.user("manager", &["manager"]);
        let agent = a.p("agent");
        assert_eq!(a.policy.reports_visibility(&agent), agent.personal_visibility());
        assert_ne!(agent.visibility(), agent.personal_visibility(), "while their history shows their workgroups");
        let manager = a.p("manager");
        assert_eq!(a.policy.reports_visibility(&manager), Visibility::Everything);
        assert!(!a.policy.can_download_reports(&agent).is_allowed());
        assert!(a.policy.can_download_reports(&manager).is_allowed());
    }
}

mod assignment {
    use super::*;

    // rule MC-19
    #[test]
    fn assigning_roles_requires_a_role_that_can_view_and_manage_roles() {
        let mut a = Account::new(mightycall_pack());
        a.user("manager", &["manager"]);
        a.user("agent", &["agent"]);
        let d = a.assign("manager", "agent", "agent");
        assert_eq!(a.code(d), ReasonCode::MissingPermission);
        assert_eq!(d.explain(&a.policy).section.as_deref(), Some("team.roles"));
    }

    // rule MC-2
    #[test]
    fn administrators_change_roles_of_administrators_managers_and_agents() {
        let mut a = Account::new(mightycall_pack());
        a.user("admin", &["administrator"]);
        a.user("other_admin", &["administrator"]);
        a.user("agent", &["agent"]);
        assert!(a.set_roles("admin", "agent", &["manager"]).is_allowed());
        assert!(a.set_roles("admin", "agent", &["administrator"]).is_allowed());
        assert!(a.set_roles("admin", "other_admin", &["agent"]).is_allowed());
    }

    // rule MC-20
    #[test]
    fn a_role_cannot_be_assigned_by_someone_whose_own_access_is_lower() {
        let roles_only = role(
            "role_clerk",
            BTreeMap::from([("team.roles".to_string(), grant(Level::Manage, &[]))]),
            ScopeKind::Personal,
            RecentsScope::Personal,
        );
        let mut a = Account::with_custom(mightycall_pack(), vec![roles_only]);
        a.user("clerk", &["role_clerk"]);
        a.user("agent", &["agent"]);
        let d = a.assign("clerk", "agent", "administrator");
        assert_eq!(a.code(d), ReasonCode::Escalation);
        let reason = d.explain(&a.policy);
        assert!(reason.section.is_some(), "the reason names the section that exceeds: {reason:?}");
        // Agent has reports:view and workgroup scope, which the clerk lacks too.
        assert_eq!(a.code(a.assign("clerk", "agent", "agent")), ReasonCode::Escalation);
    }

    // rule MC-20
    #[test]
    fn the_role_editor_offers_no_level_or_right_above_the_editors_own_and_says_why() {
        let roles_only = role(
            "role_clerk",
            BTreeMap::from([
                ("team.roles".to_string(), grant(Level::Manage, &[])),
                ("numbers".to_string(), grant(Level::View, &[])),
            ]),
            ScopeKind::Personal,
            RecentsScope::Personal,
        );
        let mut a = Account::with_custom(mightycall_pack(), vec![roles_only]);
        a.user("clerk", &["role_clerk"]);
        a.user("agent", &["agent"]);
        a.superadmin("boss", &["administrator"]);
        let catalog = a.policy.catalog();
        let offered = |who: &str, section: &str| {
            let id = catalog.sections().iter().find(|s| s.def.key == section).unwrap().id;
            a.policy.grantable(&a.p(who)).into_iter().find(|g| g.section == id).unwrap()
        };
        let numbers = offered("clerk", "numbers");
        let level = |level: Level| numbers.levels.iter().find(|(l, _)| *l == level).unwrap().1.clone();
        assert_eq!(level(Level::None), None);
        assert_eq!(level(Level::View), None, "what the clerk holds, they may grant");
        let manage = level(Level::Manage).expect("above the clerk's own view");
        assert_eq!(manage.code, ReasonCode::Escalation);
        assert_eq!((manage.required, manage.held), (Some(Level::Manage), Some(Level::View)));
        // The reason is the one a save would give: a role granting numbers at manage is refused so.
        let too_much = role(
            "too_much",
            BTreeMap::from([("numbers".to_string(), grant(Level::Manage, &[]))]),
            ScopeKind::Personal,
            RecentsScope::Personal,
        );
        let saved = a.policy.can_edit_role(&a.p("clerk"), None, &too_much).unwrap();
        assert_eq!(saved.explain(&a.policy).message, manage.message);
        // Rights the clerk does not hold are offered disabled with the reason too.
        assert!(
            numbers.rights.iter().all(|(_, reason)| reason.as_ref().is_some_and(|r| r.code == ReasonCode::Escalation))
        );
        // A person who may not manage roles is offered nothing; the superadmin everything.
        let agent = offered("agent", "numbers");
        assert!(agent.levels.iter().all(|(l, r)| (*l == Level::None) == r.is_none()), "{agent:?}");
        let boss = offered("boss", "numbers");
        assert!(boss.levels.iter().all(|(_, r)| r.is_none()) && boss.rights.iter().all(|(_, r)| r.is_none()));
    }

    // rule MC-20
    #[test]
    fn the_scope_assigned_cannot_be_wider_than_the_assigners_own() {
        let mut narrow = mightycall_pack().roles[0].clone();
        narrow.key = "admin_personal".into();
        narrow.scope = ScopeKind::Personal;
        narrow.recents = RecentsScope::Personal;
        let mut a = Account::with_custom(mightycall_pack(), vec![narrow]);
        a.user("actor", &["admin_personal"]);
        a.user("target", &[]);
        let d = a.assign("actor", "target", "agent");
        assert_eq!(d, Decision::Escalation(Excess::Scope { scope: ScopeKind::Workgroup }));
    }

    // rule AC-4, AC-6
    #[test]
    fn admins_cannot_assign_owner_but_owners_can() {
        let mut a = Account::new(aircall_pack());
        a.user("owner", &["owner", "admin", "agent"]);
        a.user("admin", &["admin", "agent"]);
        a.user("agent", &["agent"]);
        assert_eq!(a.code(a.assign("admin", "agent", "owner")), ReasonCode::GuardedRole);
        assert!(a.assign("owner", "agent", "owner").is_allowed());
        // Removing Owner is guarded the same way.
        assert_eq!(a.code(a.set_roles("admin", "owner", &["admin", "agent"])), ReasonCode::GuardedRole);
    }

    // rule AC-4
    #[test]
    fn an_owner_alone_may_only_assign_other_owners() {
        let mut a = Account::new(aircall_pack());
        a.user("owner", &["owner", "agent"]);
        a.user("agent", &["agent"]);
        assert!(a.assign("owner", "agent", "owner").is_allowed());
        assert_eq!(
            a.assign("owner", "agent", "supervisor"),
            Decision::NotAssignable { role: a.policy.role_idx("supervisor").unwrap() }
        );
    }

    // rule AC-6
    #[test]
    fn admins_create_and_assign_admins_supervisors_and_agents() {
        let mut a = Account::new(aircall_pack());
        a.user("admin", &["admin", "agent"]);
        a.user("u", &["agent"]);
        assert!(a.set_roles("admin", "u", &["admin", "agent"]).is_allowed());
        assert!(a.set_roles("admin", "u", &["agent"]).is_allowed());
    }

    // rule AC-11, AC-8
    #[test]
    fn only_owners_and_admins_edit_roles_supervisors_only_read_them() {
        let mut a = Account::new(aircall_pack());
        a.user("sup", &["supervisor", "agent"]);
        a.user("u", &["agent"]);
        assert!(a.check("sup", "team.roles:view").is_allowed());
        assert_eq!(a.code(a.set_roles("sup", "u", &["supervisor", "agent"])), ReasonCode::MissingPermission);
        let new_role = role("x", BTreeMap::new(), ScopeKind::Personal, RecentsScope::Personal);
        let d = a.policy.can_edit_role(&a.p("sup"), None, &new_role).unwrap();
        assert_eq!(a.code(d), ReasonCode::MissingPermission);
    }

    // rule AC-12
    #[test]
    fn combined_roles_give_the_union_of_access() {
        let mut a = Account::new(aircall_pack());
        a.user("both", &["supervisor", "owner", "agent"]);
        a.user("sup", &["supervisor", "agent"]);
        assert!(a.check("both", "reports.download").is_allowed(), "from supervisor");
        assert!(a.check("both", "account.refill").is_allowed(), "from owner");
        assert!(!a.check("sup", "account.refill").is_allowed());
        assert_eq!(a.p("both").visibility(), Visibility::Everything, "the widest scope wins");
    }

    // rule AC-10
    #[test]
    fn every_user_keeps_at_least_the_agent_role() {
        let mut a = Account::new(aircall_pack());
        a.user("admin", &["admin", "agent"]);
        a.user("u", &["supervisor", "agent"]);
        let d = a.set_roles("admin", "u", &["supervisor"]);
        assert_eq!(a.code(d), ReasonCode::DefaultRoleRequired);
        assert_eq!(a.policy.default_role(), Some(a.policy.role_idx("agent").unwrap()));
    }

    #[test]
    fn single_role_accounts_refuse_two_roles() {
        let mut a = Account::new(mightycall_pack());
        a.user("admin", &["administrator"]);
        a.user("u", &["agent"]);
        assert_eq!(a.set_roles("admin", "u", &["agent", "manager"]), Decision::SingleRoleMode);
    }

    // rule GI-5
    #[test]
    fn only_the_superadministrator_grants_the_admin_role() {
        let mut a = Account::new(groups_pack());
        a.superadmin("super", &["admin"]);
        a.user("admin", &["admin"]);
        a.user("u", &[]);
        assert_eq!(a.code(a.assign("admin", "u", "admin")), ReasonCode::GuardedRole);
        assert!(a.assign("super", "u", "admin").is_allowed());
        let msg = a.assign("admin", "u", "admin").explain(&a.policy).message;
        assert!(msg.contains("superadmin"), "{msg}");
    }

    // rule GI-6
    #[test]
    fn an_admin_cannot_modify_another_admins_access_only_the_superadmin_can() {
        let wg = WorkgroupId::new_random();
        let mut a = Account::new(groups_pack());
        a.superadmin("super", &["admin"]);
        a.user("admin1", &["admin"]);
        a.user("admin2", &["admin"]);
        let (admin1, admin2, sup) = (a.p("admin1"), a.p("admin2"), a.p("super"));
        let access = DashboardAccess { workgroups: vec![wg], ivrs: vec![] };
        let d = a.policy.can_set_dashboard_access(&admin1, &admin2, &access);
        assert_eq!(a.code(d), ReasonCode::PeerProtected);
        assert_eq!(a.code(a.set_roles("admin1", "admin2", &["technical"])), ReasonCode::PeerProtected);
        assert_eq!(a.code(a.policy.can_manage_user(&admin1, &admin2, UserAction::Disable)), ReasonCode::PeerProtected);
        assert!(a.policy.can_set_dashboard_access(&sup, &admin2, &access).is_allowed());
        assert!(a.set_roles("super", "admin2", &["technical"]).is_allowed());
    }

    #[test]
    fn dashboard_access_cannot_reach_beyond_the_granters_own_groups() {
        let (mine, theirs) = (WorkgroupId::new_random(), WorkgroupId::new_random());
        let ivr = IvrId::new_random();
        let mut a = Account::new(groups_pack());
        a.user("sup", &["supervisor"]).dashboard = DashboardAccess { workgroups: vec![mine], ivrs: vec![] };
        a.user("u", &[]);
        let (sup, u) = (a.p("sup"), a.p("u"));
        let ok = DashboardAccess { workgroups: vec![mine], ivrs: vec![] };
        assert!(a.policy.can_set_dashboard_access(&sup, &u, &ok).is_allowed());
        let too_wide = DashboardAccess { workgroups: vec![mine, theirs], ivrs: vec![] };
        assert_eq!(
            a.policy.can_set_dashboard_access(&sup, &u, &too_wide),
            Decision::Escalation(Excess::Workgroup { workgroup: theirs })
        );
        let ivr_access = DashboardAccess { workgroups: vec![], ivrs: vec![ivr] };
        assert_eq!(a.policy.can_set_dashboard_access(&sup, &u, &ivr_access), Decision::Escalation(Excess::Ivr { ivr }));
    }

    #[test]
    fn nobody_changes_their_own_roles_or_access_except_the_superadmin() {
        let mut a = Account::new(mightycall_pack());
        a.superadmin("super", &["administrator"]);
        a.user("admin", &["administrator"]);
        assert_eq!(a.set_roles("admin", "admin", &["manager"]), Decision::SelfModification);
        let admin = a.p("admin");
        assert_eq!(
            a.policy.can_set_dashboard_access(&admin, &admin, &DashboardAccess::default()),
            Decision::SelfModification
        );
        assert!(a.set_roles("super", "super", &["manager"]).is_allowed());
    }

    #[test]
    fn the_superadmin_cannot_be_reroled_disabled_or_deleted_by_anyone_else() {
        let mut a = Account::new(mightycall_pack());
        a.superadmin("super", &["administrator"]);
        a.user("admin", &["administrator"]);
        let (admin, sup) = (a.p("admin"), a.p("super"));
        assert_eq!(a.set_roles("admin", "super", &["agent"]), Decision::SuperadminProtected);
        assert_eq!(a.policy.can_manage_user(&admin, &sup, UserAction::Delete), Decision::SuperadminProtected);
        assert_eq!(a.policy.can_manage_user(&sup, &sup, UserAction::Disable), Decision::SuperadminProtected);
        assert!(a.policy.can_manage_user(&sup, &sup, UserAction::Edit).is_allowed());
    }

    #[test]
    fn deleting_members_needs_the_delete_members_right() {
        // rule MC-34: edit, invite and delete are separate rights.
        let editor = role(
            "editor",
            BTreeMap::from([("team.members".to_string(), grant(Level::Manage, &["team.members.edit"]))]),
            ScopeKind::Personal,
            RecentsScope::Personal,
        );
        let mut a = Account::with_custom(mightycall_pack(), vec![editor]);
        a.user("editor", &["editor"]);
        a.user("newcomer", &[]);
        a.user("agent", &["agent"]);
        let (e, t) = (a.p("editor"), a.p("newcomer"));
        assert!(a.policy.can_manage_user(&e, &t, UserAction::Edit).is_allowed());
        // An agent holds reports and a workgroup scope the editor lacks: editing them is beyond the editor.
        let d = a.policy.can_manage_user(&e, &a.p("agent"), UserAction::Edit);
        assert_eq!(a.code(d), ReasonCode::Escalation);
        let d = a.policy.can_manage_user(&e, &t, UserAction::Delete);
        assert_eq!(d.explain(&a.policy).right.as_deref(), Some("team.members.delete"));
        assert!(!a.check("editor", "team.members.invite").is_allowed());
    }
}

mod memberships {
    use super::*;

    fn wg_manager() -> RoleDefinition {
        role(
            "wg_manager",
            BTreeMap::from([("team.workgroups".to_string(), grant(Level::Manage, &[]))]),
            ScopeKind::Workgroup,
            RecentsScope::Personal,
        )
    }

    fn numbers_viewer() -> RoleDefinition {
        role("numbers_viewer", BTreeMap::new(), ScopeKind::Numbers, RecentsScope::Personal)
    }

    #[test]
    fn nobody_joins_a_workgroup_or_number_themselves_to_see_its_history() {
        let wg = WorkgroupId::new_random();
        let mut a = Account::with_custom(mightycall_pack(), vec![wg_manager()]);
        a.user("m", &["wg_manager"]).workgroups = vec![wg];
        let (m, me) = (a.p("m"), a.subjects["m"].clone());
        for change in [
            MembershipChange::JoinWorkgroup(WorkgroupId::new_random()),
            MembershipChange::AssignNumber(NumberId::new_random()),
        ] {
            assert_eq!(a.policy.can_set_person_membership(&m, &me, change).unwrap(), Decision::SelfModification);
        }
    }

    // rule 8
    #[test]
    fn a_workgroup_outside_the_actors_reach_cannot_be_given_to_someone_whose_scope_would_show_it() {
        let (mine, theirs) = (WorkgroupId::new_random(), WorkgroupId::new_random());
        let mut a = Account::with_custom(mightycall_pack(), vec![wg_manager()]);
        a.user("m", &["wg_manager"]).workgroups = vec![mine];
        a.user("agent", &["agent"]);
        a.superadmin("super", &["administrator"]);
        let (m, agent) = (a.p("m"), a.subjects["agent"].clone());
        let join = |w| MembershipChange::JoinWorkgroup(w);
        assert!(a.policy.can_set_person_membership(&m, &agent, join(mine)).unwrap().is_allowed());
        assert_eq!(
            a.policy.can_set_person_membership(&m, &agent, join(theirs)).unwrap(),
            Decision::OutOfReach { user: agent.user_id, part: ReachPart::Workgroup(theirs) }
        );
        assert!(a.policy.can_set_person_membership(&a.p("super"), &agent, join(theirs)).unwrap().is_allowed());
    }

    // rule 8
    #[test]
    fn a_number_outside_the_actors_reach_cannot_be_given_to_someone_with_the_numbers_scope() {
        let number = NumberId::new_random();
        let mut a = Account::with_custom(mightycall_pack(), vec![wg_manager(), numbers_viewer()]);
        a.user("m", &["wg_manager"]);
        a.user("viewer", &["numbers_viewer"]);
        let viewer = a.subjects["viewer"].clone();
        assert_eq!(
            a.policy.can_set_person_membership(&a.p("m"), &viewer, MembershipChange::AssignNumber(number)).unwrap(),
            Decision::OutOfReach { user: viewer.user_id, part: ReachPart::Number(number) }
        );
    }

    // rule GI-10, rule 8: a workgroup only counts when the person's scope shows it
    #[test]
    fn a_personal_scope_actor_may_put_a_personal_scope_user_in_any_group() {
        let mut a = Account::with_custom(mightycall_pack(), vec![wg_manager()]);
        a.user("m", &["wg_manager"]);
        a.user("u", &[]);
        let u = a.subjects["u"].clone();
        let change = MembershipChange::JoinWorkgroup(WorkgroupId::new_random());
        assert!(a.policy.can_set_person_membership(&a.p("m"), &u, change).unwrap().is_allowed());
    }

    // rule 7 (finding 7 of issue 13)
    #[test]
    fn nobody_but_the_superadmin_changes_the_superadmins_workgroups_or_numbers() {
        let mut a = Account::new(mightycall_pack());
        a.user("manager", &["manager"]);
        a.superadmin("super", &["administrator"]);
        let s = a.subjects["super"].clone();
        for change in [
            MembershipChange::JoinWorkgroup(WorkgroupId::new_random()),
            MembershipChange::UnassignNumber(NumberId::new_random()),
        ] {
            assert_eq!(
                a.policy.can_set_person_membership(&a.p("manager"), &s, change).unwrap(),
                Decision::SuperadminProtected
            );
        }
    }
}

mod custom_roles {
    use super::*;

    // rule MC-16
    #[test]
    fn a_custom_role_copied_from_administrator_and_narrowed_can_be_saved_and_assigned() {
        let mut a = Account::new(mightycall_pack());
        a.user("admin", &["administrator"]);
        let admin = a.p("admin");
        let mut copy = a.policy.role(a.policy.role_idx("administrator").unwrap()).definition().clone();
        copy.key = "contractor".into();
        copy.name = "Contractor".into();
        copy.grants.retain(|k, _| k == "reports" || k == "contacts");
        copy.scope = ScopeKind::Personal;
        assert!(a.policy.can_edit_role(&admin, None, &copy).unwrap().is_allowed());
        // Saved: the account's policy now includes it, and it can be assigned.
        let mut b = Account::with_custom(mightycall_pack(), vec![copy]);
        b.user("admin", &["administrator"]);
        b.user("contractor", &["agent"]);
        assert!(b.set_roles("admin", "contractor", &["contractor"]).is_allowed());
        b.subjects.get_mut("contractor").unwrap().roles = vec!["contractor".into()];
        assert!(b.check("contractor", "reports.download").is_allowed());
        assert!(!b.check("contractor", "numbers:view").is_allowed());
    }

    // rule MC-20
    #[test]
    fn a_custom_role_cannot_be_created_above_the_creators_own_access() {
        let clerk = role(
            "role_clerk",
            BTreeMap::from([("team.roles".to_string(), grant(Level::Manage, &[]))]),
            ScopeKind::Personal,
            RecentsScope::Personal,
        );
        let mut a = Account::with_custom(mightycall_pack(), vec![clerk]);
        a.user("clerk", &["role_clerk"]);
        let mut bigger = RoleDefinition::new("bigger", "Bigger");
        bigger.grants.insert("numbers".into(), grant(Level::View, &[]));
        let d = a.policy.can_edit_role(&a.p("clerk"), None, &bigger).unwrap();
        assert_eq!(a.code(d), ReasonCode::Escalation);
        assert_eq!(d.explain(&a.policy).section.as_deref(), Some("numbers"));
        let mut all_recents = RoleDefinition::new("recents", "Recents");
        all_recents.recents = RecentsScope::All;
        let d = a.policy.can_edit_role(&a.p("clerk"), None, &all_recents).unwrap();
        assert_eq!(d, Decision::Escalation(Excess::Recents));
    }

    // rule MC-1
    #[test]
    fn preset_roles_are_immutable_even_for_the_superadmin() {
        let mut a = Account::new(mightycall_pack());
        a.superadmin("super", &["administrator"]);
        // The Administrator holds rights reserved to presets: its own definition would fail as a
        // custom role's, yet the answer is that a preset is not edited.
        for key in ["administrator", "manager", "agent"] {
            let idx = a.policy.role_idx(key).unwrap();
            let mut def = a.policy.role(idx).definition().clone();
            def.name = format!("Renamed {key}");
            assert_eq!(
                a.policy.can_edit_role(&a.p("super"), Some(idx), &def).unwrap(),
                Decision::PresetImmutable { role: idx },
                "{key}"
            );
            assert_eq!(a.policy.can_delete_role(&a.p("super"), idx), Decision::PresetImmutable { role: idx });
        }
    }

    #[test]
    fn a_role_more_powerful_than_the_editor_cannot_be_edited_or_deleted_by_them() {
        let clerk = role(
            "role_clerk",
            BTreeMap::from([("team.roles".to_string(), grant(Level::Manage, &[]))]),
            ScopeKind::Personal,
            RecentsScope::Personal,
        );
        let mut big = RoleDefinition::new("big", "Big");
        big.grants.insert("numbers".into(), grant(Level::Manage, &[]));
        let mut a = Account::with_custom(mightycall_pack(), vec![clerk, big.clone()]);
        a.user("clerk", &["role_clerk"]);
        let idx = a.policy.role_idx("big").unwrap();
        let mut narrowed = big.clone();
        narrowed.grants.clear();
        assert_eq!(
            a.code(a.policy.can_edit_role(&a.p("clerk"), Some(idx), &narrowed).unwrap()),
            ReasonCode::Escalation
        );
        assert_eq!(a.code(a.policy.can_delete_role(&a.p("clerk"), idx)), ReasonCode::Escalation);
    }

    #[test]
    fn role_edits_are_checked_against_the_catalog_and_the_other_roles() {
        let mut a = Account::new(mightycall_pack());
        a.user("admin", &["administrator"]);
        let admin = a.p("admin");
        let mut unknown = RoleDefinition::new("x", "X");
        unknown.grants.insert("nope.section".into(), grant(Level::View, &[]));
        assert!(matches!(a.policy.can_edit_role(&admin, None, &unknown), Err(CoreError::UnknownSection(_))));
        let mut guarded = RoleDefinition::new("x", "X");
        guarded.guards.can_assign = Some(vec!["ghost".into()]);
        assert!(matches!(a.policy.can_edit_role(&admin, None, &guarded), Err(CoreError::InvalidRole { .. })));
        let dup = RoleDefinition::new("agent", "Another agent");
        assert_eq!(a.policy.can_edit_role(&admin, None, &dup), Err(CoreError::DuplicateRole("agent".into())));
    }

    // rule MC-3
    #[test]
    fn managers_who_cannot_manage_roles_are_refused_before_their_role_is_judged() {
        let mut a = Account::new(mightycall_pack());
        a.user("manager", &["manager"]);
        let manager = a.p("manager");
        // An invalid definition, a taken key and a preset: a 403 each, never what is wrong with it.
        let mut unknown = RoleDefinition::new("x", "X");
        unknown.grants.insert("nope.section".into(), grant(Level::View, &[]));
        let taken = RoleDefinition::new("agent", "Another agent");
        for definition in [&unknown, &taken] {
            let d = a.policy.can_edit_role(&manager, None, definition).expect("a decision, not a validation error");
            assert_eq!(a.code(d), ReasonCode::MissingPermission);
        }
        let preset = a.policy.role_idx("agent").unwrap();
        let edited = a.policy.can_edit_role(&manager, Some(preset), &unknown).unwrap();
        assert_eq!(a.code(edited), ReasonCode::MissingPermission);
        assert_eq!(a.code(a.policy.can_delete_role(&manager, preset)), ReasonCode::MissingPermission);
    }
}

mod packs {
    use super::*;

    #[test]
    fn a_pack_may_reference_only_sections_of_the_catalog_and_its_own_extensions() {
        let mut pack = groups_pack();
        pack.roles[1].grants.insert("billing.credits".into(), grant(Level::Manage, &[]));
        let err = pack.validate(&Catalog::core()).unwrap_err();
        assert!(err.to_string().contains("billing.credits"), "{err}");
        pack.catalog_extensions.push(SectionDef {
            key: "billing.credits".into(),
            label: "Credits".into(),
            description: String::new(),
            level_set: LevelSet::ViewManage,
            rights: vec![],
        });
        assert!(pack.validate(&Catalog::core()).is_ok());
    }

    #[test]
    fn a_pack_with_a_duplicate_role_key_or_an_unknown_guard_is_refused() {
        let mut pack = mightycall_pack();
        pack.roles.push(pack.roles[2].clone());
        assert!(matches!(pack.validate(&Catalog::core()), Err(CoreError::InvalidPack { .. })));
        let mut pack = aircall_pack();
        pack.roles[0].guards.assignable_by = vec!["ghost".into()];
        let err = pack.validate(&Catalog::core()).unwrap_err().to_string();
        assert!(err.contains("ghost") && err.contains("ac-fixture"), "{err}");
    }

    #[test]
    fn pack_json_round_trips() {
        let pack = aircall_pack();
        let json = serde_json::to_string(&pack).unwrap();
        let back: PresetPack = serde_json::from_str(&json).unwrap();
        assert_eq!(back, pack);
        assert!(
            serde_json::from_str::<PresetPack>(
                r#"{"name":"x","version":"1","role_mode":"single","roles":[],"surprise":1}"#
            )
            .is_err()
        );
    }
}

/// Rule 8 and issue 13's findings: a decision about a person is made on that person.
mod reach {
    use super::*;

    /// What an Agent holds, plus roles and members management, scope workgroup (issue 13).
    fn sales_lead() -> RoleDefinition {
        let mut grants = BTreeMap::new();
        grants.insert("reports".to_string(), grant(Level::View, &[]));
        grants.insert("contacts".to_string(), grant(Level::View, &[]));
        grants.insert("team.roles".to_string(), grant(Level::Manage, &[]));
        grants.insert("team.members".to_string(), grant(Level::Manage, &["team.members.edit", "team.members.invite"]));
        role("sales_lead", grants, ScopeKind::Workgroup, RecentsScope::Personal)
    }

    fn sales_and_support() -> (Account, WorkgroupId, WorkgroupId) {
        let (sales, support) = (WorkgroupId::new_random(), WorkgroupId::new_random());
        let mut a = Account::with_custom(mightycall_pack(), vec![sales_lead()]);
        a.user("lead", &["sales_lead"]).workgroups = vec![sales];
        a.user("agent", &["agent"]).workgroups = vec![support];
        a.user("seller", &["agent"]).workgroups = vec![sales];
        (a, sales, support)
    }

    // rule 8, findings 1 and 2 of issue 13
    #[test]
    fn a_workgroup_lead_cannot_set_the_password_of_or_duplicate_an_agent_of_another_workgroup() {
        let (a, _, support) = sales_and_support();
        let (lead, agent) = (a.p("lead"), a.subjects["agent"].clone());
        let out = Decision::OutOfReach { user: agent.user_id, part: ReachPart::Workgroup(support) };
        assert_eq!(a.policy.can_manage_person(&lead, &agent, UserAction::Edit).unwrap(), out);
        let copy = Subject { user_id: UserId::new_random(), status: UserStatus::Invited, ..agent.clone() };
        assert_eq!(
            a.policy.can_duplicate(&lead, &copy).unwrap(),
            Decision::OutOfReach { user: copy.user_id, part: ReachPart::Workgroup(support) }
        );
        assert_eq!(a.code(out), ReasonCode::OutOfReach);
        let reason = out.explain(&a.policy);
        assert_eq!((reason.user, reason.workgroup), (Some(agent.user_id), Some(support)));
    }

    // rule 8, finding 3 of issue 13
    #[test]
    fn a_workgroup_lead_cannot_reassign_the_roles_of_people_outside_their_workgroup() {
        let (a, _, support) = sales_and_support();
        let (lead, agent) = (a.p("lead"), a.subjects["agent"].clone());
        assert_eq!(
            a.policy.can_set_person_roles(&lead, &agent, &["agent".into()]).unwrap(),
            Decision::OutOfReach { user: agent.user_id, part: ReachPart::Workgroup(support) }
        );
        // The lead's own workgroup is theirs to manage.
        let seller = a.subjects["seller"].clone();
        assert!(a.policy.can_manage_person(&lead, &seller, UserAction::Edit).unwrap().is_allowed());
    }

    // rule 8: a role is judged with the person's memberships
    #[test]
    fn a_role_within_the_actors_access_is_refused_when_the_person_would_see_beyond_the_actor() {
        let (mut a, _, support) = sales_and_support();
        a.user("newcomer", &[]).workgroups = vec![support];
        let newcomer = a.subjects["newcomer"].clone();
        // Personal scope today: within reach; the workgroup-scoped Agent role would open Support.
        assert_eq!(
            a.policy.can_set_person_roles(&a.p("lead"), &newcomer, &["agent".into()]).unwrap(),
            Decision::OutOfReach { user: newcomer.user_id, part: ReachPart::Workgroup(support) }
        );
    }

    // rule MC-3, finding 4 of issue 13
    #[test]
    fn a_manager_cannot_set_the_password_of_an_invited_or_disabled_administrator() {
        let mut a = Account::new(mightycall_pack());
        a.user("manager", &["manager"]);
        a.user("invited", &["administrator"]).status = UserStatus::Invited;
        a.user("disabled", &["administrator"]).status = UserStatus::Disabled;
        for name in ["invited", "disabled"] {
            let target = a.subjects[name].clone();
            for action in [UserAction::Edit, UserAction::Disable] {
                let decision = a.policy.can_manage_person(&a.p("manager"), &target, action).unwrap();
                assert_eq!(a.code(decision), ReasonCode::Escalation, "{name} {action:?}: {decision:?}");
            }
        }
    }

    // rule 2, finding 5 of issue 13
    #[test]
    fn nobody_but_the_superadmin_writes_guards_that_could_lock_out_people_who_outrank_them() {
        let mut a = Account::with_custom(
            mightycall_pack(),
            vec![role(
                "squatter",
                BTreeMap::from([("team.roles".to_string(), grant(Level::Manage, &[]))]),
                ScopeKind::Personal,
                RecentsScope::Personal,
            )],
        );
        a.user("squatter", &["squatter"]);
        a.superadmin("super", &["administrator"]);
        let mut fortress = RoleDefinition::new("fortress", "Fortress");
        fortress.guards.assignable_by = vec!["fortress".into()];
        fortress.guards.peer_protected = true;
        assert_eq!(
            a.policy.can_edit_role(&a.p("squatter"), None, &fortress).unwrap(),
            Decision::GuardsBySuperadminOnly
        );
        fortress.guards.assignable_by.clear();
        assert_eq!(
            a.policy.can_edit_role(&a.p("squatter"), None, &fortress).unwrap(),
            Decision::GuardsBySuperadminOnly,
            "peer protection alone locks out too"
        );
        assert!(a.policy.can_edit_role(&a.p("super"), None, &fortress).unwrap().is_allowed());
        // `can_assign` only narrows what the role's own holders may do.
        let mut narrow = RoleDefinition::new("narrow", "Narrow");
        narrow.guards.can_assign = Some(vec![]);
        assert!(a.policy.can_edit_role(&a.p("squatter"), None, &narrow).unwrap().is_allowed());
    }

    // rule MC-3, rule MC-34
    #[test]
    fn a_manager_invites_and_duplicates_agents_without_the_roles_permission() {
        let mut a = Account::new(mightycall_pack());
        a.user("manager", &["manager"]);
        let agent = Subject { roles: vec!["agent".into()], ..Subject::default() };
        assert!(a.policy.can_invite(&a.p("manager"), &agent).unwrap().is_allowed());
        // Choosing any other role is assigning it, and Managers can't manage roles.
        let manager = Subject { roles: vec!["manager".into()], ..Subject::default() };
        assert_eq!(a.code(a.policy.can_invite(&a.p("manager"), &manager).unwrap()), ReasonCode::MissingPermission);
        // Duplicating copies roles: a fellow Manager, yes; an Administrator holds more (rule 4).
        assert!(a.policy.can_duplicate(&a.p("manager"), &manager).unwrap().is_allowed());
        let admin = Subject { roles: vec!["administrator".into()], ..Subject::default() };
        assert_eq!(a.code(a.policy.can_duplicate(&a.p("manager"), &admin).unwrap()), ReasonCode::Escalation);
    }

    // rule MC-3, rule MC-20: a group mapping gives roles to people later, so it is judged now
    #[test]
    fn a_group_mapping_gives_no_role_its_writer_could_not_give_and_managers_write_none() {
        let mut a = Account::new(mightycall_pack());
        a.user("admin", &["administrator"]);
        a.user("manager", &["manager"]);
        let none = DashboardAccess::default();
        let agent = ["agent".to_owned()];
        assert!(a.policy.can_map_group(&a.p("admin"), &agent, &none).unwrap().is_allowed());
        // Managers can't view or manage roles
        assert_eq!(
            a.code(a.policy.can_map_group(&a.p("manager"), &agent, &none).unwrap()),
            ReasonCode::MissingPermission
        );
        // one role per person in this pack
        let two = ["agent".to_owned(), "manager".to_owned()];
        assert_eq!(a.code(a.policy.can_map_group(&a.p("admin"), &two, &none).unwrap()), ReasonCode::SingleRoleMode);
    }

    // rule AC-10: where roles combine, members keep Agent beside what a mapping gives; and a mapping
    // names only roles its writer may assign
    #[test]
    fn a_group_mapping_in_a_combinable_pack_is_judged_with_the_default_role_and_the_writers_can_assign() {
        let mut a = Account::new(aircall_pack());
        a.user("admin", &["admin", "agent"]);
        a.user("owner", &["owner", "agent"]);
        let supervisor = ["supervisor".to_owned()];
        let none = DashboardAccess::default();
        let decision = a.policy.can_map_group(&a.p("admin"), &supervisor, &none).unwrap();
        assert!(decision.is_allowed(), "{decision:?}");
        assert_eq!(a.code(a.policy.can_map_group(&a.p("owner"), &supervisor, &none).unwrap()), ReasonCode::GuardedRole);
    }

    // rule AC-3, rule AC-4, rule AC-10
    #[test]
    fn an_owner_who_is_not_the_superadmin_invites_a_new_owner_with_the_mandatory_agent_role() {
        let mut a = Account::new(aircall_pack());
        a.user("owner", &["owner", "agent"]);
        let new_owner = Subject { roles: vec!["owner".into(), "agent".into()], ..Subject::default() };
        assert!(a.policy.can_invite(&a.p("owner"), &new_owner).unwrap().is_allowed());
        let no_agent = Subject { roles: vec!["owner".into()], ..Subject::default() };
        assert_eq!(a.code(a.policy.can_invite(&a.p("owner"), &no_agent).unwrap()), ReasonCode::DefaultRoleRequired);
    }

    // rule GI-10
    #[test]
    fn technical_puts_users_without_a_dashboard_role_in_groups() {
        let mut a = Account::new(groups_pack());
        a.user("tech", &["technical"]);
        let tech = a.p("tech");
        let newcomer = Subject { user_id: UserId::new_random(), ..Subject::default() };
        let join = MembershipChange::JoinWorkgroup(WorkgroupId::new_random());
        assert!(a.policy.can_set_person_membership(&tech, &newcomer, join).unwrap().is_allowed());
    }
}
