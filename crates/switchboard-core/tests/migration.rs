//! Legacy role migration (seed 003).

use crate::support::*;
use switchboard_core::*;

fn subject(superadmin: bool, roles: &[&str]) -> MigrationSubject {
    MigrationSubject {
        user_id: UserId::new_random(),
        superadmin,
        roles: roles.iter().map(|r| r.to_string()).collect(),
        custom_roles: vec![],
    }
}

// rule AC-14, AC-15, AC-16
#[test]
fn the_billing_owner_gets_owner_admin_and_agent_former_admins_admin_and_agent_agents_keep_agent() {
    let users = [subject(true, &["admin"]), subject(false, &["admin"]), subject(false, &["agent"])];
    let plan = plan_migration(&aircall_pack(), &users, false).unwrap();
    assert_eq!(plan[0].to, vec!["owner", "admin", "agent"]);
    assert_eq!(plan[1].to, vec!["admin", "agent"]);
    assert_eq!(plan[2].to, vec!["agent"]);
    assert!(plan.iter().all(|m| m.dropped.is_empty()));
}

#[test]
fn unmapped_roles_are_reported_as_dropped_and_the_default_role_is_kept() {
    let plan = plan_migration(&aircall_pack(), &[subject(false, &["janitor"])], false).unwrap();
    assert_eq!(plan[0].to, vec!["agent"]);
    assert_eq!(plan[0].dropped, vec!["janitor"]);
}

#[test]
fn a_single_role_pack_keeps_only_the_first_role_in_pack_order() {
    let plan = plan_migration(&mightycall_pack(), &[subject(false, &["agent", "manager"])], false).unwrap();
    assert_eq!(plan[0].to, vec!["manager"]);
    assert_eq!(plan[0].dropped, vec!["agent"]);
}

#[test]
fn custom_roles_are_kept_and_a_custom_namesake_of_a_target_preset_is_refused() {
    let mut user = subject(false, &["agent"]);
    user.custom_roles = vec!["night_shift".into()];
    let plan = plan_migration(&aircall_pack(), &[user.clone()], false).unwrap();
    assert_eq!(plan[0].to, vec!["agent", "night_shift"]);
    user.custom_roles = vec!["owner".into()];
    let err = plan_migration(&aircall_pack(), &[user], false).unwrap_err();
    assert!(err.to_string().contains("owner"), "{err}");
}
