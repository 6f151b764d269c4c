//! The template, built as a `cdylib` and loaded through the real host.

// Test helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;
use switchboard_core::{Policy, Principal, Subject, UserId, UserStatus};
use switchboard_plugin_testkit::PluginDir;

fn principal(policy: &Policy, role: &str) -> Principal {
    let subject = Subject {
        user_id: UserId::new_random(),
        status: UserStatus::Active,
        roles: vec![role.to_owned()],
        ..Subject::default()
    };
    policy.principal(&subject).expect("known role")
}

#[test]
fn the_template_loads_and_its_agent_closes_tickets_but_cannot_touch_numbers() {
    let dir = PluginDir::with(&["preset_template"]).expect("built");
    let report = dir.host().load().expect("loads");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let loaded = report.pack("helpdesk").expect("the helpdesk pack");
    assert_eq!(loaded.plugin.name, "preset-template");
    let policy = loaded.pack.policy(Arc::clone(&loaded.catalog), []).expect("policy");
    let agent = principal(&policy, "agent");
    let close = policy.catalog().permission("helpdesk.tickets.close").expect("extension right");
    assert!(policy.check(&agent, close).is_allowed());
    let numbers = policy.catalog().permission("numbers:view").expect("core section");
    assert!(!policy.check(&agent, numbers).is_allowed());
    let lead = principal(&policy, "lead");
    assert!(policy.check(&lead, numbers).is_allowed());
    let account = policy.catalog().permission("account:view").expect("core section");
    assert!(!policy.check(&lead, account).is_allowed());
}
