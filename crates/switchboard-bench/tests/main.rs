//! The three engines answer the same questions identically, so the engine comparison in
//! `benches/engines.rs` compares like with like.

// Tests abort loudly on a broken fixture.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use switchboard_bench::{Casbin, Cedar, Question, SHAPES, Shape, Switchboard, Workload, granted_references};

const SEED: u64 = 0x5EED_CA11;
/// Questions of each kind checked per engine: enough to cover every role shape, cheap in a debug build.
const SAMPLE: usize = 300;

fn small() -> Shape {
    SHAPES.into_iter().find(|s| s.name == "small").expect("the small shape")
}

struct Engines {
    w: Workload,
    ours: Switchboard,
    cedar: Cedar,
    casbin: Casbin,
}

fn engines() -> Engines {
    let w = Workload::generate(small(), SEED).expect("workload");
    let ours = Switchboard::build(&w).expect("switchboard");
    let cedar = Cedar::build(&w).expect("cedar");
    let casbin = Casbin::build(&w).expect("casbin");
    Engines { w, ours, cedar, casbin }
}

/// Switchboard's, Cedar's and casbin's answers; Cedar's sliced variant must agree with its full one.
fn answers(e: &Engines, q: &Question) -> (bool, bool, bool) {
    let cedar = e.cedar.decide(&e.cedar.prepare(&e.w, q).expect("request"));
    let sliced = e.cedar.decide_sliced(&e.cedar.prepare_sliced(&e.w, q).expect("sliced request"));
    assert_eq!(cedar, sliced, "cedar on a sliced policy set, question {q:?}");
    (
        e.ours.decide(&e.ours.prepare(q).expect("permission")),
        cedar,
        e.casbin.decide(&e.casbin.prepare(&e.w, q)).expect("enforce"),
    )
}

#[test]
fn all_three_engines_give_the_expected_answer_to_every_sampled_question() {
    let e = engines();
    assert_eq!(e.w.allowed.len(), e.w.denied.len());
    for q in e.w.allowed.iter().take(SAMPLE).chain(e.w.denied.iter().take(SAMPLE)) {
        let (ours, cedar, casbin) = answers(&e, q);
        assert_eq!((ours, cedar, casbin), (q.expected, q.expected, q.expected), "question {q:?}");
    }
}

#[test]
fn every_engine_agrees_on_every_permission_of_some_users() {
    // Exhaustive over the catalog for a few users: catches a translation that only the random
    // sample would miss (a level below the granted one, a right without its grant).
    let e = engines();
    for user in 0..20 {
        let granted = &e.w.user(0, user).granted;
        for permission in &e.w.references {
            let q =
                Question { account: 0, user, permission: permission.clone(), expected: granted.contains(permission) };
            let (ours, cedar, casbin) = answers(&e, &q);
            assert_eq!((ours, cedar, casbin), (q.expected, q.expected, q.expected), "question {q:?}");
        }
    }
}

#[test]
fn a_grant_at_manage_answers_view_and_only_granted_rights() {
    let w = Workload::generate(small(), SEED).expect("workload");
    let role = w.accounts[0]
        .roles
        .iter()
        .find(|r| r.grants.get("numbers").is_some_and(|g| g.level == switchboard_core::Level::Manage))
        .expect("some role manages numbers");
    let refs = granted_references(&w.catalog, role).expect("references");
    assert!(refs.contains("numbers:view") && refs.contains("numbers:manage"));
    for right in ["numbers.add", "numbers.edit", "numbers.delete"] {
        assert_eq!(refs.contains(right), role.grants["numbers"].rights.contains(right), "{right}");
    }
}

#[test]
fn rebuilding_a_user_keeps_every_engines_answers() {
    let mut e = engines();
    let sample: Vec<Question> = e.w.allowed.iter().take(50).chain(e.w.denied.iter().take(50)).cloned().collect();
    for q in &sample {
        let user = e.w.user(q.account, q.user).clone();
        let rebuilt = e.ours.rebuild_user(q.account, &user.subject).expect("principal");
        assert_eq!(rebuilt, e.ours.principals[q.account][q.user]);
        e.cedar.rebuild_user(&user).expect("entities");
        e.casbin.rebuild_user(q.account, &user).expect("roles");
    }
    for q in &sample {
        let (_, _, casbin) = answers(&e, q);
        assert_eq!(casbin, q.expected, "casbin after rebuilding, question {q:?}");
    }
}

#[test]
fn large_shapes_are_sharded_into_accounts_within_the_core_limit() {
    for shape in SHAPES {
        let per_account = shape.roles.div_ceil(shape.accounts());
        assert!(per_account <= switchboard_core::policy::MAX_ROLES, "{shape:?}");
    }
    assert_eq!(SHAPES[2].accounts(), 3);
}
