//! Security review: attacks on the assignment and edit rules of DESIGN §2 by a hostile user of one
//! account. Each test names the rule it protects.

use crate::support::*;
use std::collections::BTreeMap;
use switchboard_core::*;

fn grants(items: &[(&str, SectionGrant)]) -> BTreeMap<String, SectionGrant> {
    items.iter().map(|(k, g)| (k.to_string(), g.clone())).collect()
}

/// A custom role whose holders manage roles and members, peer-protected (rule 5).
fn lead_role() -> RoleDefinition {
    let mut lead = role(
        "lead",
        grants(&[
            ("team.roles", grant(Level::Manage, &[])),
            ("team.members", grant(Level::Manage, &["team.members.edit", "team.members.delete"])),
            ("reports", grant(Level::View, &[])),
            ("contacts", grant(Level::View, &[])),
        ]),
        ScopeKind::Workgroup,
        RecentsScope::Personal,
    );
    lead.guards.peer_protected = true;
    lead
}

fn edit(a: &Account, actor: &str, role: &str, definition: &RoleDefinition) -> Decision {
    let idx = a.policy.role_idx(role).unwrap();
    a.policy.can_edit_role(&a.p(actor), Some(idx), definition).unwrap()
}

mod peer_protection {
    use super::*;

    // rule 5, GI-6: a holder of a peer-protected role cannot lift the protection by editing the
    // role they share with their peer, and then change the peer's access.
    #[test]
    fn rule5_peer_protection_cannot_be_lifted_by_editing_the_shared_role() {
        let mut a = Account::with_custom(mightycall_pack(), vec![lead_role()]);
        a.user("lead1", &["lead"]);
        a.user("lead2", &["lead"]);
        assert_eq!(a.code(a.set_roles("lead1", "lead2", &["agent"])), ReasonCode::PeerProtected, "baseline");
        let mut unprotected = lead_role();
        unprotected.guards.peer_protected = false;
        let d = edit(&a, "lead1", "lead", &unprotected);
        assert!(!d.is_allowed(), "lead1 removes peer protection from the role lead2 holds: {d:?}");
    }

    // rule 5, rule 6: narrowing (or deleting) a role the actor shares with a protected peer changes
    // that peer's access just as removing it would.
    #[test]
    fn rule5_a_shared_peer_protected_role_cannot_be_narrowed_or_deleted_by_a_holder() {
        let mut a = Account::with_custom(mightycall_pack(), vec![lead_role()]);
        a.user("lead1", &["lead"]);
        a.user("lead2", &["lead"]);
        let mut narrowed = lead_role();
        narrowed.grants.retain(|k, _| k == "team.roles");
        narrowed.scope = ScopeKind::Personal;
        let d = edit(&a, "lead1", "lead", &narrowed);
        assert!(!d.is_allowed(), "lead1 strips lead2's access by editing their shared role: {d:?}");
        let idx = a.policy.role_idx("lead").unwrap();
        let d = a.policy.can_delete_role(&a.p("lead1"), idx);
        assert!(!d.is_allowed(), "lead1 strips lead2's access by deleting their shared role: {d:?}");
    }
}

mod can_assign_guard {
    use super::*;

    /// Holders manage roles but may assign only Agent (rule 3).
    fn hr() -> RoleDefinition {
        let mut hr = role(
            "hr",
            grants(&[
                ("team.roles", grant(Level::Manage, &[])),
                ("reports", grant(Level::View, &[])),
                ("contacts", grant(Level::View, &[])),
            ]),
            ScopeKind::Workgroup,
            RecentsScope::Personal,
        );
        hr.guards.can_assign = Some(vec!["agent".into()]);
        hr
    }

    fn helper() -> RoleDefinition {
        role("helper", grants(&[("contacts", grant(Level::View, &[]))]), ScopeKind::Personal, RecentsScope::Personal)
    }

    // rule 3, rule 6: editing the role one holds to drop its `can_assign` restriction widens what
    // the editor may do.
    #[test]
    fn rule3_a_holder_cannot_lift_their_own_can_assign_restriction_by_editing_their_role() {
        let mut a = Account::with_custom(mightycall_pack(), vec![hr(), helper()]);
        a.user("hr", &["hr"]);
        a.user("u", &["agent"]);
        assert!(matches!(a.assign("hr", "u", "helper"), Decision::NotAssignable { .. }), "baseline");
        let mut unrestricted = hr();
        unrestricted.guards.can_assign = None;
        let d = edit(&a, "hr", "hr", &unrestricted);
        assert!(!d.is_allowed(), "hr lifts its own rule-3 restriction: {d:?}");
        // What it buys once saved:
        let mut b = Account::with_custom(mightycall_pack(), vec![unrestricted, helper()]);
        b.user("hr", &["hr"]);
        b.user("u", &["agent"]);
        assert!(b.assign("hr", "u", "helper").is_allowed());
    }

    // rule 3: role_guard's own contract — "a role the actor could not assign is also one they cannot
    // edit or delete" — misses `can_assign`. Aircall: an Owner alone may assign only Owners (AC-4),
    // yet can rewrite (widen within their access) or delete any custom role.
    #[test]
    fn rule3_a_role_the_actor_may_not_assign_cannot_be_edited_or_deleted_by_them() {
        let viewer = role(
            "viewer",
            grants(&[("team.members", grant(Level::View, &[]))]),
            ScopeKind::Personal,
            RecentsScope::Personal,
        );
        let mut a = Account::with_custom(aircall_pack(), vec![viewer.clone()]);
        a.user("owner", &["owner", "agent"]);
        a.user("u", &["agent"]);
        assert!(matches!(a.assign("owner", "u", "viewer"), Decision::NotAssignable { .. }), "baseline");
        let mut widened = viewer;
        widened.grants.insert(
            "team.members".into(),
            grant(Level::Manage, &["team.members.edit", "team.members.delete", "team.members.invite"]),
        );
        let d = edit(&a, "owner", "viewer", &widened);
        assert!(!d.is_allowed(), "owner widens a role they may not assign: {d:?}");
        let idx = a.policy.role_idx("viewer").unwrap();
        let d = a.policy.can_delete_role(&a.p("owner"), idx);
        assert!(!d.is_allowed(), "owner deletes a role they may not assign or remove: {d:?}");
    }
}

mod guarded_roles {
    use super::*;

    // rule 2, GI-5, GI-6: only the superadministrator grants Admin. An admin copies Admin without its
    // guards (same access: passes rule 4), grants the copy to an accomplice, who — holding no
    // peer-protected role — then disables another admin.
    #[test]
    fn gi5_an_admin_cannot_mint_and_grant_an_unguarded_copy_of_admin() {
        let mut a = Account::new(groups_pack());
        a.superadmin("super", &["admin"]);
        a.user("admin1", &["admin"]);
        a.user("admin2", &["admin"]);
        a.user("accomplice", &[]);
        let mut clone = a.policy.role(a.policy.role_idx("admin").unwrap()).definition().clone();
        clone.key = "admin_copy".into();
        clone.guards = Guards::default();
        let created = a.policy.can_edit_role(&a.p("admin1"), None, &clone).unwrap();

        let mut b = Account::with_custom(groups_pack(), vec![clone]);
        b.superadmin("super", &["admin"]);
        b.user("admin1", &["admin"]);
        b.user("admin2", &["admin"]);
        b.user("accomplice", &[]);
        let assigned = b.assign("admin1", "accomplice", "admin_copy");
        assert!(
            !(created.is_allowed() && assigned.is_allowed()),
            "admin1 hands out Admin's full access without the superadmin: create {created:?}, assign {assigned:?}"
        );
        // Defence in depth: even holding such a copy, nobody disables an Admin they could not un-role.
        b.subjects.get_mut("accomplice").unwrap().roles = vec!["admin_copy".into()];
        let d = b.policy.can_manage_user(&b.p("accomplice"), &b.p("admin2"), UserAction::Disable);
        assert_eq!(b.code(d), ReasonCode::GuardedRole, "the payoff is refused too");
    }

    // GI-6, rule 2, rule 4: disabling or deleting a user takes away every role they hold. A user
    // with only `team.members.delete` (seed 002's Technical has it) must not be able to do that to
    // an Admin, whose role only the superadmin may remove.
    #[test]
    fn gi6_a_lesser_user_with_delete_members_cannot_disable_or_delete_an_admin() {
        let technical = role(
            "technical_x",
            grants(&[(
                "team.members",
                grant(Level::Manage, &["team.members.edit", "team.members.invite", "team.members.delete"]),
            )]),
            ScopeKind::Personal,
            RecentsScope::Personal,
        );
        let mut a = Account::with_custom(groups_pack(), vec![technical]);
        a.superadmin("super", &["admin"]);
        a.user("tech", &["technical_x"]);
        a.user("admin", &["admin"]);
        let (tech, admin) = (a.p("tech"), a.p("admin"));
        let d = a.policy.can_manage_user(&tech, &admin, UserAction::Disable);
        assert!(!d.is_allowed(), "technical disables an admin: {d:?}");
        let d = a.policy.can_manage_user(&tech, &admin, UserAction::Delete);
        assert!(!d.is_allowed(), "technical deletes an admin: {d:?}");
    }

    // rule 2: deleting a role that another role's `assignable_by` names either breaks the account's
    // policy (it no longer compiles) or, if storage drops the dangling key, leaves the guarded role
    // assignable by anyone with the roles permission.
    #[test]
    fn rule2_a_role_named_in_another_roles_guard_cannot_be_deleted() {
        let keyholder = role("keyholder", BTreeMap::new(), ScopeKind::Personal, RecentsScope::Personal);
        let mut vault = role("vault", BTreeMap::new(), ScopeKind::Personal, RecentsScope::Personal);
        vault.guards.assignable_by = vec!["keyholder".into()];
        let mut a = Account::with_custom(mightycall_pack(), vec![keyholder, vault.clone()]);
        a.user("admin", &["administrator"]);
        let idx = a.policy.role_idx("keyholder").unwrap();
        let d = a.policy.can_delete_role(&a.p("admin"), idx);
        // Without `keyholder` the remaining roles do not compile:
        let rest = mightycall_pack().policy(a.policy.catalog_arc().clone(), vec![vault]);
        assert!(rest.is_err());
        assert!(!d.is_allowed(), "deleting a role other roles' guards name: {d:?}");
    }
}

mod dashboard {
    use super::*;

    // seed 002 / rule 4: the granter cannot add groups outside their own; symmetrically, they
    // cannot strip groups they cannot see themselves (as can_assign refuses to remove a role beyond
    // the actor's access).
    #[test]
    fn dashboard_access_outside_the_actors_own_cannot_be_removed_either() {
        let (mine, theirs) = (WorkgroupId::new_random(), WorkgroupId::new_random());
        let mut a = Account::new(groups_pack());
        a.user("sup", &["supervisor"]).dashboard = DashboardAccess { workgroups: vec![mine], ivrs: vec![] };
        a.user("other", &["supervisor"]).dashboard = DashboardAccess { workgroups: vec![mine, theirs], ivrs: vec![] };
        let d = a.policy.can_set_dashboard_access(
            &a.p("sup"),
            &a.p("other"),
            &DashboardAccess { workgroups: vec![mine], ivrs: vec![] },
        );
        assert!(!d.is_allowed(), "sup removes a group they have no access to: {d:?}");
    }
}

mod migration {
    use super::*;

    // rule AC-4, AC-6, rule 2: a custom role whose key happens to equal a target preset's key (or a
    // legacy mapping's `from`) must not turn into that preset on migration. Here an admin of a
    // MightyCall account creates an empty custom role keyed `owner` and gives it to an accomplice;
    // moving the account to the Aircall pack would make the accomplice an Owner.
    #[test]
    fn migration_does_not_turn_a_custom_namesake_into_a_guarded_preset() {
        let mut a = Account::new(mightycall_pack());
        a.user("admin", &["administrator"]);
        let fake_owner = role("owner", BTreeMap::new(), ScopeKind::Personal, RecentsScope::Personal);
        assert!(a.policy.can_edit_role(&a.p("admin"), None, &fake_owner).unwrap().is_allowed(), "baseline");
        let fake_admin = role("admin", BTreeMap::new(), ScopeKind::Personal, RecentsScope::Personal);
        assert!(a.policy.can_edit_role(&a.p("admin"), None, &fake_admin).unwrap().is_allowed(), "baseline");
        // The account's custom roles travel as custom roles, so they can't pass for presets.
        let users = vec![
            MigrationSubject {
                user_id: UserId::new_random(),
                superadmin: false,
                roles: vec![],
                custom_roles: vec!["owner".into()],
            },
            MigrationSubject {
                user_id: UserId::new_random(),
                superadmin: false,
                roles: vec![],
                custom_roles: vec!["admin".into()],
            },
        ];
        assert!(plan_migration(&aircall_pack(), &users, false).is_err(), "a custom namesake of a preset is refused");
        let plan = plan_migration(&aircall_pack(), &users[..0], false).unwrap();
        assert!(plan.is_empty());
    }
}

mod inactive {
    use super::*;

    // DESIGN §2 "a disabled user has nothing": an invited or disabled actor — even the superadmin —
    // decides nothing about anyone's access (a stale session or API key of a disabled admin).
    #[test]
    fn invited_or_disabled_actors_cannot_assign_edit_delete_or_manage_even_as_superadmin() {
        for status in [UserStatus::Invited, UserStatus::Disabled] {
            let mut a = Account::with_custom(mightycall_pack(), vec![lead_role()]);
            a.superadmin("super", &["administrator"]);
            a.user("admin", &["administrator"]);
            a.user("u", &["agent"]);
            for who in ["super", "admin"] {
                a.subjects.get_mut(who).unwrap().status = status;
                let actor = a.p(who);
                let target = a.p("u");
                let idx = a.policy.role_idx("lead").unwrap();
                assert_eq!(a.set_roles(who, "u", &["manager"]), Decision::InactiveUser);
                assert_eq!(a.assign(who, "u", "manager"), Decision::InactiveUser);
                assert_eq!(
                    a.policy.can_set_dashboard_access(&actor, &target, &DashboardAccess::default()),
                    Decision::InactiveUser
                );
                assert_eq!(a.policy.can_edit_role(&actor, Some(idx), &lead_role()).unwrap(), Decision::InactiveUser);
                assert_eq!(a.policy.can_delete_role(&actor, idx), Decision::InactiveUser);
                assert_eq!(a.policy.can_manage_user(&actor, &target, UserAction::Delete), Decision::InactiveUser);
            }
        }
    }
}
