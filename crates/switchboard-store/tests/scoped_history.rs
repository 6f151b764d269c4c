//! The scoped history agrees with the core: for random accounts, every user's scoped pages and
//! counts hold exactly the communications `Policy::can_see` allows, in order.

use crate::support::{TestDb, backend_tests, each_seed, passes, plain_report, references, stored_report};
use proptest::prelude::*;
use std::sync::Arc;
use switchboard_core::{
    Catalog, DashboardAccess, DataKinds, NumberId, Policy, PolicySettings, RecentsScope, RoleDefinition, RoleMode,
    RoleOrigin, ScopeKind, UserStatus, Visibility, WorkgroupId,
};
use switchboard_store::repo::communications::{
    self, CommunicationFilter, CommunicationKind, Direction, NewCommunication,
};
use switchboard_store::repo::lookups;
use switchboard_store::repo::reports::{self, Dimension};
use switchboard_store::repo::roles;
use switchboard_store::repo::users::{self, Memberships, NewUser, UserPatch};
use switchboard_store::{Actor, PageRequest};
use switchboard_testkit::Rng;

fn check_world(db: &TestDb, case: usize, seed: u64) -> Result<(), TestCaseError> {
    let mut g = Rng::new(seed | 1);
    let (account, owner) = db.account(&format!("world-{case}"));
    let a = account.id;
    let actor = Actor::System;
    let mut c = db.conn();
    let (numbers, wgs, ivrs) = references(&mut c, a, 0, (4, 3, 2));
    let mut role_ids = Vec::new();
    for kind in ScopeKind::ALL_KINDS {
        let mut d = RoleDefinition::new(format!("r_{kind}"), format!("Role {kind}"));
        d.scope = kind;
        if kind == ScopeKind::Numbers {
            d.scope_numbers = g.some(&numbers, 40);
        }
        d.recents = if g.chance(30) { RecentsScope::All } else { RecentsScope::Personal };
        if g.chance(50) {
            // rule MC-7: a role limits the kinds its scope shows
            let [calls, messages, voicemails, recordings] = g.flags([60, 50, 50, 50]);
            d.kinds = DataKinds { calls, messages, voicemails, recordings };
        }
        role_ids.push(roles::create(&mut c, a, &RoleOrigin::Custom, &d, &actor).expect("role").id);
    }
    let mut people = vec![owner.id];
    for i in 0..6 {
        let u = users::create(&mut c, a, &NewUser::invited(format!("p{i}@w.example"), "P"), &actor).expect("user");
        let status = if g.chance(85) { UserStatus::Active } else { UserStatus::Disabled };
        users::update(&mut c, a, u.id, None, &UserPatch { status: Some(status), ..Default::default() }, &actor)
            .expect("status");
        let mine: Vec<_> = role_ids.iter().copied().filter(|_| g.chance(30)).collect();
        roles::set_user_roles(&mut c, a, u.id, &mine, RoleMode::Combinable, None, &actor).expect("roles");
        users::set_memberships(&mut c, a, u.id, Memberships::Numbers(&g.some(&numbers, 30)), None, &actor)
            .expect("numbers");
        users::set_memberships(&mut c, a, u.id, Memberships::Workgroups(&g.some(&wgs, 40)), None, &actor).expect("wgs");
        let dash = DashboardAccess { workgroups: g.some(&wgs, 30), ivrs: g.some(&ivrs, 40) };
        users::set_dashboard_access(&mut c, a, u.id, &dash, None, &actor).expect("dash");
        people.push(u.id);
    }
    let base = switchboard_store::now();
    let mut batch = Vec::new();
    for _ in 0..45 {
        // few distinct timestamps: ties exercise the (started_at, id) order
        let at = base - chrono::Duration::seconds(g.below(12) as i64);
        let participants = (0..g.below(3)).filter_map(|_| g.pick(&people)).collect();
        batch.push(NewCommunication {
            id: None,
            kind: CommunicationKind::ALL[g.below(4)],
            direction: Direction::Inbound,
            number: if g.chance(60) { g.pick(&numbers) } else { None },
            workgroup: if g.chance(50) { g.pick(&wgs) } else { None },
            ivr: if g.chance(40) { g.pick(&ivrs) } else { None },
            participants,
            started_at: at,
            duration_seconds: g.below(600) as i32,
            has_recording: g.chance(30),
        });
    }
    communications::ingest(&mut c, a, &batch, &actor).expect("ingest");
    let all = communications::list(
        &mut c,
        a,
        &switchboard_core::Visibility::Everything,
        &Default::default(),
        &PageRequest::first(500),
    )
    .expect("all")
    .items;
    prop_assert_eq!(all.len(), batch.len());

    let stored = roles::load_all(&mut c, a).expect("roles");
    let policy = Policy::new(
        Arc::new(Catalog::core()),
        PolicySettings { role_mode: RoleMode::Combinable, ..Default::default() },
        stored.into_iter().map(|r| (r.origin, r.definition)),
    )
    .expect("policy");
    // Who can see each record: storage's candidates, decided by the core, are exactly the people the
    // core allows when asked about each of them (nobody dropped by the narrowing, nobody extra).
    let superadmin = owner.id;
    for x in &all {
        let record = x.as_ref();
        let wide: Vec<_> = policy
            .roles_opening(&record)
            .map(|idx| {
                let key = policy.role(idx).key();
                role_ids[ScopeKind::ALL_KINDS.iter().position(|k| format!("r_{k}") == key).unwrap()]
            })
            .collect();
        let sets = lookups::communication_candidates(x, wide, superadmin);
        let mut got = Vec::new();
        let mut page = PageRequest::first(3);
        loop {
            let found = lookups::page_of_people(&mut c, a, &sets, &page, |s| {
                policy.can_see(&policy.principal(s).unwrap(), &x.as_ref()).is_allowed().then_some(())
            })
            .expect("who can");
            got.extend(found.items.into_iter().map(|(person, ())| person.id));
            match found.next_cursor {
                Some(n) => page = PageRequest::after(3, n),
                None => break,
            }
        }
        let mut expected: Vec<_> = people
            .iter()
            .copied()
            .filter(|u| {
                let subject = users::subject(&mut c, a, *u).expect("subject");
                policy.can_see(&policy.principal(&subject).unwrap(), &x.as_ref()).is_allowed()
            })
            .collect();
        expected.sort_by_key(|u| u.to_string());
        prop_assert_eq!(&got, &expected, "who can see {}", x.id);
    }
    for user in &people {
        let subject = users::subject(&mut c, a, *user).expect("subject");
        let principal = policy.principal(&subject).expect("principal");
        // random filters on top of the scope
        let pivot = base - chrono::Duration::seconds(g.below(12) as i64);
        let filter = CommunicationFilter {
            kind: if g.chance(30) { Some(CommunicationKind::ALL[g.below(4)]) } else { None },
            number: if g.chance(15) { g.pick(&numbers) } else { None },
            workgroup: if g.chance(15) { g.pick(&wgs) } else { None },
            ivr: if g.chance(15) { g.pick(&ivrs) } else { None },
            user: if g.chance(15) { g.pick(&people) } else { None },
            from: if g.chance(20) { Some(pivot) } else { None },
            until: if g.chance(20) { Some(pivot + chrono::Duration::seconds(4)) } else { None },
        };
        let matches = |x: &communications::Communication| passes(&filter, x);
        // the same scope with more than 32 values per part (ids that match nothing): read as IN ranges
        let pad = |n: usize| -> Vec<uuid::Uuid> { (0..n).map(|_| uuid::Uuid::new_v4()).collect() };
        let (padded_numbers, padded_workgroups);
        let padded = match principal.visibility() {
            Visibility::Filter {
                participant: p,
                kinds,
                all,
                workgroups,
                numbers,
                dashboard_workgroups: dw,
                dashboard_ivrs: di,
            } => {
                padded_numbers = if numbers.is_empty() {
                    Vec::new()
                } else {
                    numbers.iter().copied().chain(pad(40).into_iter().map(NumberId)).collect::<Vec<_>>()
                };
                padded_workgroups = if workgroups.is_empty() {
                    Vec::new()
                } else {
                    workgroups.iter().copied().chain(pad(40).into_iter().map(WorkgroupId)).collect::<Vec<_>>()
                };
                Visibility::Filter {
                    participant: p,
                    kinds,
                    all,
                    workgroups: &padded_workgroups,
                    numbers: &padded_numbers,
                    dashboard_workgroups: dw,
                    dashboard_ivrs: di,
                }
            }
            other => other,
        };
        for (visibility, recents) in
            [(principal.visibility(), false), (principal.recents_visibility(), true), (padded, false)]
        {
            let expected: Vec<_> = all
                .iter()
                .filter(|x| matches(x))
                .filter(|x| {
                    let d = if recents {
                        policy.can_see_recent(&principal, &x.as_ref())
                    } else {
                        policy.can_see(&principal, &x.as_ref())
                    };
                    d.is_allowed()
                })
                .map(|x| x.id)
                .collect();
            let mut got = Vec::new();
            let mut page = PageRequest::first(7);
            loop {
                let p = communications::list(&mut c, a, &visibility, &filter, &page).expect("page");
                got.extend(p.items.iter().map(|x| x.id));
                match p.next_cursor {
                    Some(n) => page = PageRequest::after(7, n),
                    None => break,
                }
            }
            prop_assert_eq!(&got, &expected, "user {} recents {}", user, recents);
            let counts = reports::counts(&mut c, a, &visibility, &filter).expect("counts");
            prop_assert_eq!(counts.total.count, expected.len() as i64);
            let per_kind: i64 = counts.by_kind.values().map(|k| k.count).sum();
            prop_assert_eq!(per_kind, expected.len() as i64);
            // every report counts exactly the visible records, by its dimension
            let visible: Vec<_> = all.iter().filter(|x| expected.contains(&x.id)).collect();
            for dimension in [
                Dimension::Kind,
                Dimension::Day,
                Dimension::Number,
                Dimension::Workgroup,
                Dimension::Ivr,
                Dimension::User,
            ] {
                let want = plain_report(&visible, dimension);
                let rows = reports::report(&mut c, a, &visibility, &filter, dimension).expect("report");
                let got = stored_report(rows);
                prop_assert_eq!(&got, &want, "report by {:?}", dimension);
            }
            for x in &all {
                let visible = communications::get(&mut c, a, &visibility, x.id).is_ok();
                let allowed = if recents {
                    policy.can_see_recent(&principal, &x.as_ref())
                } else {
                    policy.can_see(&principal, &x.as_ref())
                };
                prop_assert_eq!(visible, allowed.is_allowed());
            }
        }
    }
    Ok(())
}

backend_tests! {
    fn scoped_history_returns_exactly_what_the_core_allows(db) {
        each_seed(10, "the store's scoped history agrees with Policy::can_see", |case, seed| check_world(db, case, seed));
    }
}
