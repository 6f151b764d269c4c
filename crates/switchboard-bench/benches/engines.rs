//! Switchboard's decision engine against `cedar-policy` and `casbin` on casbin's RBAC shapes
//! (1k users/100 roles, 10k/1k, 100k/10k), measured side by side in one run. See the crate docs
//! for how the workload maps onto each engine.
//!
//! Groups (`target/criterion/<group>/<engine>_<kind>/new/estimates.json`):
//! - `engines_check_<shape>`: `switchboard/allowed|denied` (`Policy::check` on a compiled
//!   principal), `cedar/allowed|denied` (`Authorizer::is_authorized` on the account's policy set and
//!   entity store), `cedar_sliced/allowed|denied` (the same call on a policy set sliced to the user's
//!   roles and a one-user entity store: Cedar at its most favourable), `casbin/allowed|denied`
//!   (`enforce`); each iteration takes the next of 1,024 prepared questions, round robin;
//! - `engines_rebuild_<shape>`: what each engine pays to (re)build one user's state.
//!
//! Each shape's engines are built once, outside the measured loops; the build times are printed as
//! `engines-setup shape=… engine=… ms=…` lines (`scripts/bench-engines` collects them). Before
//! measuring, every engine must answer the first questions of both kinds as the grants imply.
//! `SWITCHBOARD_BENCH_SHAPES=small,medium` limits the shapes.
//!
//! Run: `scripts/bench-engines`, or `cargo bench -p switchboard-bench --bench engines`.

// A bench aborts loudly on a broken fixture or a wrong answer, like a test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Instant;
use switchboard_bench::{Casbin, Cedar, SHAPES, Shape, Switchboard, Workload};

/// Questions of each kind every engine must answer correctly before it is measured.
const VERIFY: usize = 32;

fn selected_shapes() -> Vec<Shape> {
    match std::env::var("SWITCHBOARD_BENCH_SHAPES") {
        Ok(list) if !list.trim().is_empty() => {
            let wanted: Vec<&str> = list.split(',').map(str::trim).collect();
            for name in &wanted {
                assert!(SHAPES.iter().any(|s| s.name == *name), "unknown shape `{name}` in SWITCHBOARD_BENCH_SHAPES");
            }
            SHAPES.iter().copied().filter(|s| wanted.contains(&s.name)).collect()
        }
        _ => SHAPES.to_vec(),
    }
}

fn timed<T>(shape: Shape, engine: &str, build: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = build();
    eprintln!("engines-setup shape={} engine={engine} ms={:.1}", shape.name, start.elapsed().as_secs_f64() * 1e3);
    out
}

fn engines(c: &mut Criterion) {
    for shape in selected_shapes() {
        let w = timed(shape, "workload", || Workload::generate(shape, 0x5EED_CA11).expect("workload"));
        let ours = timed(shape, "switchboard", || Switchboard::build(&w).expect("switchboard"));
        let cedar = timed(shape, "cedar", || Cedar::build(&w).expect("cedar"));
        let mut casbin = timed(shape, "casbin", || Casbin::build(&w).expect("casbin"));
        eprintln!(
            "engines-shape shape={} users={} roles={} accounts={} cedar_policies={} casbin_p_lines={}",
            shape.name,
            shape.users,
            shape.roles,
            w.accounts.len(),
            cedar.shards.iter().map(|(p, _)| p.policies().count()).sum::<usize>(),
            casbin.shards.iter().map(|e| casbin::MgmtApi::get_policy(e).len()).sum::<usize>(),
        );

        for (kind, questions) in [("allowed", &w.allowed), ("denied", &w.denied)] {
            let ours_req: Vec<_> = questions.iter().map(|q| ours.prepare(q).expect("permission")).collect();
            let cedar_req: Vec<_> = questions.iter().map(|q| cedar.prepare(&w, q).expect("request")).collect();
            let sliced_req: Vec<_> = questions.iter().map(|q| cedar.prepare_sliced(&w, q).expect("sliced")).collect();
            let casbin_req: Vec<_> = questions.iter().map(|q| casbin.prepare(&w, q)).collect();
            for (i, q) in questions.iter().take(VERIFY).enumerate() {
                assert_eq!(ours.decide(&ours_req[i]), q.expected, "switchboard on {q:?}");
                assert_eq!(cedar.decide(&cedar_req[i]), q.expected, "cedar on {q:?}");
                assert_eq!(cedar.decide_sliced(&sliced_req[i]), q.expected, "sliced cedar on {q:?}");
                assert_eq!(casbin.decide(&casbin_req[i]).expect("enforce"), q.expected, "casbin on {q:?}");
            }

            let mut g = c.benchmark_group(format!("engines_check_{}", shape.name));
            g.bench_function(format!("switchboard/{kind}"), |b| {
                let mut i = 0usize;
                b.iter(|| {
                    i = (i + 1) % ours_req.len();
                    ours.check(black_box(&ours_req[i]))
                })
            });
            g.bench_function(format!("cedar/{kind}"), |b| {
                let mut i = 0usize;
                b.iter(|| {
                    i = (i + 1) % cedar_req.len();
                    cedar.is_authorized(black_box(&cedar_req[i]))
                })
            });
            g.bench_function(format!("cedar_sliced/{kind}"), |b| {
                let mut i = 0usize;
                b.iter(|| {
                    i = (i + 1) % sliced_req.len();
                    cedar.is_authorized_sliced(black_box(&sliced_req[i]))
                })
            });
            g.bench_function(format!("casbin/{kind}"), |b| {
                let mut i = 0usize;
                b.iter(|| {
                    i = (i + 1) % casbin_req.len();
                    casbin.enforce(black_box(&casbin_req[i]))
                })
            });
            g.finish();
        }

        // Rebuilding one user's state, round robin over the users of the questions.
        let users: Vec<(usize, usize)> = w.allowed.iter().map(|q| (q.account, q.user)).collect();
        let mut g = c.benchmark_group(format!("engines_rebuild_{}", shape.name));
        g.bench_function("switchboard/user", |b| {
            let mut i = 0usize;
            b.iter(|| {
                i = (i + 1) % users.len();
                let (a, u) = users[i];
                ours.rebuild_user(a, black_box(&w.user(a, u).subject)).expect("principal")
            })
        });
        g.bench_function("cedar/user", |b| {
            let mut i = 0usize;
            b.iter(|| {
                i = (i + 1) % users.len();
                let (a, u) = users[i];
                cedar.rebuild_user(black_box(w.user(a, u))).expect("entities")
            })
        });
        g.bench_function("casbin/user", |b| {
            let mut i = 0usize;
            b.iter(|| {
                i = (i + 1) % users.len();
                let (a, u) = users[i];
                casbin.rebuild_user(a, black_box(w.user(a, u))).expect("roles")
            })
        });
        g.finish();

        // The rebuilt casbin state must still answer as before.
        for q in w.allowed.iter().chain(&w.denied).take(VERIFY) {
            assert_eq!(casbin.decide(&casbin.prepare(&w, q)).expect("enforce"), q.expected, "casbin after rebuild");
        }
    }
}

criterion_group!(benches, engines);
criterion_main!(benches);
