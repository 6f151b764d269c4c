//! Hot-path decisions on a realistic account: 10,000 users, 50 roles (3 presets, 47 custom),
//! 100 workgroups, 200 business numbers. The naive reference evaluator runs in the same bench as
//! the baseline. Run: `cargo bench -p switchboard-core --bench decisions`.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a bench aborts loudly on bad fixtures, like a test

use criterion::{Criterion, criterion_group, criterion_main};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use switchboard_core::reference::{self, Record};
use switchboard_core::*;
use switchboard_testkit::Rng;

type BenchRecord = (Option<NumberId>, Option<WorkgroupId>, Option<IvrId>, Vec<UserId>);

struct Account {
    roles: Vec<RoleDefinition>,
    policy: Policy,
    subjects: Vec<Subject>,
    principals: Vec<Principal>,
    records: Vec<BenchRecord>,
}

fn account() -> Account {
    let mut rng = Rng::new(0x5EED);
    let catalog = Arc::new(Catalog::core());
    let numbers: Vec<NumberId> = (0..200).map(|_| NumberId::new_random()).collect();
    let workgroups: Vec<WorkgroupId> = (0..100).map(|_| WorkgroupId::new_random()).collect();
    let ivrs: Vec<IvrId> = (0..20).map(|_| IvrId::new_random()).collect();
    let mut roles = Vec::new();
    let everything: BTreeMap<String, SectionGrant> = catalog
        .sections()
        .iter()
        .map(|s| {
            let rights = s.rights.iter().map(|r| catalog.right(*r).key.clone()).collect();
            (s.def.key.clone(), SectionGrant { level: s.def.level_set.top(), rights })
        })
        .collect();
    let mut admin = RoleDefinition::new("administrator", "Administrator");
    admin.grants = everything.clone();
    admin.scope = ScopeKind::All;
    let mut manager = admin.clone();
    manager.key = "manager".into();
    manager.grants.remove("team.roles");
    let mut agent = RoleDefinition::new("agent", "Agent");
    agent.grants.insert("reports".into(), SectionGrant { level: Level::View, rights: Default::default() });
    agent.scope = ScopeKind::Workgroup;
    roles.extend([admin, manager, agent]);
    for i in 0..47 {
        let mut role = RoleDefinition::new(format!("custom{i}"), format!("Custom {i}"));
        for s in catalog.sections() {
            if rng.below(3) == 0 {
                let levels = &s.def.level_set.levels()[1..];
                let level = levels[rng.below(levels.len())];
                role.grants.insert(s.def.key.clone(), SectionGrant { level, rights: Default::default() });
            }
        }
        role.scope = ScopeKind::ALL_KINDS[rng.below(5)];
        if role.scope == ScopeKind::Numbers {
            role.scope_numbers = (0..5).map(|_| numbers[rng.below(numbers.len())]).collect();
        }
        roles.push(role);
    }
    let policy =
        Policy::new(catalog, PolicySettings::default(), roles.iter().cloned().map(|r| (RoleOrigin::Custom, r)))
            .expect("bench roles are valid");
    let subjects: Vec<Subject> = (0..10_000)
        .map(|_| Subject {
            user_id: UserId::new_random(),
            status: UserStatus::Active,
            superadmin: false,
            roles: vec![roles[rng.below(roles.len())].key.clone()],
            numbers: (0..2).map(|_| numbers[rng.below(numbers.len())]).collect(),
            workgroups: (0..3).map(|_| workgroups[rng.below(workgroups.len())]).collect(),
            dashboard: DashboardAccess {
                workgroups: (0..2).map(|_| workgroups[rng.below(workgroups.len())]).collect(),
                ivrs: vec![ivrs[rng.below(ivrs.len())]],
            },
        })
        .collect();
    let principals = subjects.iter().map(|s| policy.principal(s).expect("compiles")).collect();
    let records = (0..4096)
        .map(|_| {
            let participants = (0..2).map(|_| subjects[rng.below(subjects.len())].user_id).collect();
            (
                Some(numbers[rng.below(numbers.len())]),
                Some(workgroups[rng.below(workgroups.len())]),
                (rng.below(2) == 0).then(|| ivrs[rng.below(ivrs.len())]),
                participants,
            )
        })
        .collect();
    Account { roles, policy, subjects, principals, records }
}

fn decisions(c: &mut Criterion) {
    let a = account();
    let catalog = a.policy.catalog();
    let allowed = catalog.permission("reports:view").expect("known");
    let denied = catalog.permission("team.roles:manage").expect("known");
    let right = catalog.permission("numbers.add").expect("known");
    let admin = a
        .principals
        .iter()
        .position(|p| p.roles.contains(&a.policy.role_idx("administrator").expect("role")))
        .unwrap_or(0);
    let agent =
        a.principals.iter().position(|p| p.roles.contains(&a.policy.role_idx("agent").expect("role"))).unwrap_or(0);

    let mut g = c.benchmark_group("check");
    g.bench_function("compiled/allowed", |b| {
        b.iter(|| a.policy.check(black_box(&a.principals[admin]), black_box(allowed)))
    });
    g.bench_function("compiled/denied", |b| {
        b.iter(|| a.policy.check(black_box(&a.principals[agent]), black_box(denied)))
    });
    g.bench_function("compiled/right", |b| {
        b.iter(|| a.policy.check(black_box(&a.principals[admin]), black_box(right)))
    });
    g.bench_function("compiled/10k_users_round_robin", |b| {
        let mut i = 0usize;
        b.iter(|| {
            i = (i + 1) % a.principals.len();
            a.policy.check(black_box(&a.principals[i]), black_box(allowed))
        })
    });
    g.bench_function("reference_baseline/allowed", |b| {
        b.iter(|| reference::check(catalog, black_box(&a.subjects[admin]), &a.roles, black_box("reports:view")))
    });
    g.finish();

    let mut g = c.benchmark_group("can_see");
    g.bench_function("compiled/mixed_records", |b| {
        let mut i = 0usize;
        b.iter(|| {
            i = (i + 1) % a.records.len();
            let (number, workgroup, ivr, who) = &a.records[i];
            let r = CommunicationRef {
                kind: CommunicationKind::Call,
                number: *number,
                workgroup: *workgroup,
                ivr: *ivr,
                participants: who,
            };
            a.policy.can_see(black_box(&a.principals[i % a.principals.len()]), black_box(&r))
        })
    });
    g.bench_function("reference_baseline/mixed_records", |b| {
        let mut i = 0usize;
        b.iter(|| {
            i = (i + 1) % a.records.len();
            let (number, workgroup, ivr, who) = &a.records[i];
            let r = Record {
                kind: CommunicationKind::Call,
                number: *number,
                workgroup: *workgroup,
                ivr: *ivr,
                participants: who.clone(),
            };
            reference::can_see(black_box(&a.subjects[i % a.subjects.len()]), &a.roles, black_box(&r))
        })
    });
    g.finish();

    let mut g = c.benchmark_group("compile");
    g.bench_function("principal", |b| {
        let mut i = 0usize;
        b.iter(|| {
            i = (i + 1) % a.subjects.len();
            a.policy.principal(black_box(&a.subjects[i]))
        })
    });
    g.bench_function("policy_50_roles", |b| {
        b.iter(|| {
            Policy::new(
                Arc::new(Catalog::core()),
                PolicySettings::default(),
                a.roles.iter().cloned().map(|r| (RoleOrigin::Custom, r)),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, decisions);
criterion_main!(benches);
