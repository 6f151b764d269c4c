//! The generated Rust client walks the newcomer's story against a live server: the example program
//! `crates/switchboard-client/examples/newcomer.rs`, compiled in here and run as it is.

use crate::server::serve;

#[allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
#[path = "../../crates/switchboard-client/examples/newcomer.rs"]
mod newcomer;

#[test]
fn the_generated_rust_client_walks_the_newcomers_story_against_a_live_server() {
    let server = serve(&["--demo"], &[("SWITCHBOARD_DEMO_COMMUNICATIONS", "450")]);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let walk = runtime
        .block_on(newcomer::walk(&server.base, "demo-mightycall", "switchboard-demo"))
        .unwrap_or_else(|e| panic!("the example failed: {e}\n{}", server.log_text()));

    assert_eq!(walk.signed_in_as, "superadmin@demo-mightycall.example");
    assert_eq!(walk.roles_listed, 3, "Administrator, Manager and Agent: {walk:?}");
    assert_eq!(walk.narrowed_role_key, "agent_narrow");
    assert_eq!(walk.narrowed_role_version, 2, "the copy was edited once, through If-Match");

    let (dropped, answer) = &walk.dropped;
    assert!(!answer.allowed, "the narrowed role no longer grants {dropped}");
    assert_eq!(format!("{:?}", answer.reason.code), "MissingPermission", "{answer:?}");
    let (kept, answer) = &walk.kept;
    assert!(answer.allowed, "the narrowed role still grants {kept}: {answer:?}");

    assert_eq!(walk.communications_seen, 450, "every demo communication, once, across pages");
    assert_eq!(walk.communication_pages, 3, "200 + 200 + 50");
}
