//! Property tests over random catalogs, roles and users: the compiled path agrees with the naive
//! reference evaluator, unions are monotone, and no allowed change grants beyond its actor.
//!
//! Each case is built from one random seed by a small deterministic generator, so a failing case is
//! reproducible from the seed proptest prints.

use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use switchboard_core::reference::{self, Record};
use switchboard_core::*;
use switchboard_testkit::Rng;

const CASES: u32 = 2000;

struct World {
    catalog: Arc<Catalog>,
    roles: Vec<RoleDefinition>,
    policy: Policy,
    numbers: Vec<NumberId>,
    workgroups: Vec<WorkgroupId>,
    ivrs: Vec<IvrId>,
    users: Vec<UserId>,
}

fn random_catalog(g: &mut Rng) -> Catalog {
    let mut extensions = Vec::new();
    for i in 0..g.below(6) {
        let level_set = if g.chance(30) { LevelSet::Full } else { LevelSet::ViewManage };
        let key = format!("ext.s{i}");
        let rights = (0..g.below(4))
            .map(|j| RightDef {
                key: format!("{key}.r{j}"),
                label: "r".into(),
                min_level: g.one_of(&level_set.levels()[1..]),
            })
            .collect();
        extensions.push(SectionDef { key, label: "s".into(), description: String::new(), level_set, rights });
    }
    Catalog::core().extended("random", &extensions).expect("generated extensions are valid")
}

fn random_role(g: &mut Rng, catalog: &Catalog, key: String, numbers: &[NumberId]) -> RoleDefinition {
    let mut role = RoleDefinition::new(key.clone(), key);
    for s in catalog.sections() {
        if !g.chance(35) {
            continue;
        }
        let level = g.one_of(&s.def.level_set.levels()[1..]);
        let rights = s
            .rights
            .iter()
            .map(|r| catalog.right(*r))
            .filter(|r| r.min_level.rank() <= level.rank() && g.chance(50))
            .map(|r| r.key.clone())
            .collect();
        role.grants.insert(s.def.key.clone(), SectionGrant { level, rights });
    }
    role.scope = g.one_of(&ScopeKind::ALL_KINDS);
    if role.scope == ScopeKind::Numbers {
        role.scope_numbers = g.some(numbers, 30);
    }
    role.recents = if g.chance(40) { RecentsScope::All } else { RecentsScope::Personal };
    if g.chance(40) {
        let [calls, messages, voicemails, recordings] = g.flags([70, 50, 50, 50]);
        role.kinds = DataKinds { calls, messages, voicemails, recordings };
    }
    role
}

fn world(seed: u64) -> World {
    let mut g = Rng::new(seed);
    let catalog = Arc::new(random_catalog(&mut g));
    let numbers: Vec<NumberId> =
        (0..6).map(|_| NumberId(uuid::Uuid::from_u64_pair(g.next_u64(), g.next_u64()))).collect();
    let workgroups: Vec<WorkgroupId> =
        (0..4).map(|_| WorkgroupId(uuid::Uuid::from_u64_pair(g.next_u64(), g.next_u64()))).collect();
    let ivrs: Vec<IvrId> = (0..3).map(|_| IvrId(uuid::Uuid::from_u64_pair(g.next_u64(), g.next_u64()))).collect();
    let users: Vec<UserId> = (0..4).map(|_| UserId(uuid::Uuid::from_u64_pair(g.next_u64(), g.next_u64()))).collect();
    let mut roles: Vec<RoleDefinition> =
        (0..1 + g.below(7)).map(|i| random_role(&mut g, &catalog, format!("role{i}"), &numbers)).collect();
    // One role always carries the roles permission, so assignments get past rule 1 often.
    roles[0].grants.insert("team.roles".into(), SectionGrant { level: Level::Manage, rights: Default::default() });
    let settings = PolicySettings { role_mode: RoleMode::Combinable, ..PolicySettings::default() };
    let policy = Policy::new(catalog.clone(), settings, roles.iter().cloned().map(|r| (RoleOrigin::Custom, r)))
        .expect("generated roles are valid");
    World { catalog, roles, policy, numbers, workgroups, ivrs, users }
}

impl World {
    fn subject(&self, g: &mut Rng, user: usize) -> Subject {
        let role_keys: Vec<String> = self.roles.iter().map(|r| r.key.clone()).collect();
        Subject {
            user_id: self.users[user],
            status: if g.chance(90) {
                UserStatus::Active
            } else {
                g.one_of(&[UserStatus::Invited, UserStatus::Disabled])
            },
            superadmin: g.chance(5),
            roles: role_keys.iter().filter(|_| g.chance(35)).cloned().collect(),
            numbers: g.some(&self.numbers, 25),
            workgroups: g.some(&self.workgroups, 35),
            dashboard: DashboardAccess { workgroups: g.some(&self.workgroups, 30), ivrs: g.some(&self.ivrs, 30) },
        }
    }

    fn record(&self, g: &mut Rng) -> Record {
        Record {
            kind: g.one_of(&CommunicationKind::ALL),
            number: g.chance(80).then(|| g.one_of(&self.numbers)),
            workgroup: g.chance(60).then(|| g.one_of(&self.workgroups)),
            ivr: g.chance(40).then(|| g.one_of(&self.ivrs)),
            participants: g.some(&self.users, 30),
        }
    }

    fn all_permissions(&self) -> Vec<String> {
        let mut refs = Vec::new();
        for s in self.catalog.sections() {
            for level in &s.def.level_set.levels()[1..] {
                refs.push(format!("{}:{}", s.def.key, level));
            }
        }
        refs.extend(self.catalog.rights().iter().map(|r| r.key.clone()));
        refs
    }
}

fn sees(policy: &Policy, p: &Principal, r: &Record) -> bool {
    let c = CommunicationRef {
        kind: r.kind,
        number: r.number,
        workgroup: r.workgroup,
        ivr: r.ivr,
        participants: &r.participants,
    };
    policy.can_see(p, &c).is_allowed()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn compiled_checks_agree_with_the_reference_evaluator(seed: u64) {
        let w = world(seed);
        let mut g = Rng::new(seed ^ 1);
        let subject = w.subject(&mut g, 0);
        let p = w.policy.principal(&subject).unwrap();
        for reference in w.all_permissions() {
            let compiled = w.policy.check(&p, w.catalog.permission(&reference).unwrap()).is_allowed();
            let naive = reference::check(&w.catalog, &subject, &w.roles, &reference);
            prop_assert_eq!(compiled, naive, "{}", reference);
        }
    }

    #[test]
    fn can_see_agrees_with_the_reference_evaluator(seed: u64) {
        let w = world(seed);
        let mut g = Rng::new(seed ^ 2);
        let subject = w.subject(&mut g, 0);
        let p = w.policy.principal(&subject).unwrap();
        for _ in 0..40 {
            let record = w.record(&mut g);
            prop_assert_eq!(sees(&w.policy, &p, &record), reference::can_see(&subject, &w.roles, &record), "{:?}", record);
        }
    }

    #[test]
    fn adding_a_role_never_takes_access_away(seed: u64) {
        let w = world(seed);
        let mut g = Rng::new(seed ^ 3);
        let mut subject = w.subject(&mut g, 0);
        subject.status = UserStatus::Active;
        let before = w.policy.principal(&subject).unwrap();
        subject.roles.push(w.roles[g.below(w.roles.len())].key.clone());
        let after = w.policy.principal(&subject).unwrap();
        prop_assert!(before.permissions.is_subset_of(&after.permissions));
        prop_assert!(after.scope.contains(before.scope));
        prop_assert!(!before.recents_all || after.recents_all);
        for _ in 0..20 {
            let record = w.record(&mut g);
            prop_assert!(!sees(&w.policy, &before, &record) || sees(&w.policy, &after, &record));
        }
    }

    #[test]
    fn scope_all_sees_everything_and_personal_exactly_the_users_own_records(seed: u64) {
        let w = world(seed);
        let mut g = Rng::new(seed ^ 4);
        let mut all = RoleDefinition::new("all_scope", "All");
        all.scope = ScopeKind::All;
        let personal = RoleDefinition::new("personal_scope", "Personal");
        let roles = [w.roles.clone(), vec![all, personal]].concat();
        let policy = Policy::new(w.catalog.clone(), PolicySettings::default(), roles.into_iter().map(|r| (RoleOrigin::Custom, r))).unwrap();
        let mut subject = w.subject(&mut g, 0);
        subject.status = UserStatus::Active;
        subject.superadmin = false;
        subject.roles = vec!["all_scope".into()];
        let everything = policy.principal(&subject).unwrap();
        subject.roles = vec!["personal_scope".into()];
        let own = policy.principal(&subject).unwrap();
        for _ in 0..40 {
            let record = w.record(&mut g);
            prop_assert!(sees(&policy, &everything, &record));
            prop_assert_eq!(sees(&policy, &own, &record), record.participants.contains(&subject.user_id));
        }
    }

    #[test]
    fn an_allowed_assignment_never_grants_beyond_the_assigners_own_access(seed: u64) {
        let w = world(seed);
        let mut g = Rng::new(seed ^ 5);
        let actor_subject = w.subject(&mut g, 0);
        let target_subject = w.subject(&mut g, 1);
        let actor = w.policy.principal(&actor_subject).unwrap();
        let target = w.policy.principal(&target_subject).unwrap();
        for (idx, role) in w.policy.roles() {
            let decision = w.policy.can_assign(&actor, &target, idx);
            if decision.is_allowed() && !actor.superadmin {
                let granted = reference::union_of(&[role.definition()]);
                prop_assert!(reference::within(&granted, &reference::effective(&actor_subject, &w.roles)), "{}", role.key());
            }
            if !actor.active {
                prop_assert_eq!(decision, Decision::InactiveUser);
            }
        }
    }

    #[test]
    fn an_allowed_role_edit_never_yields_permissions_beyond_the_editors(seed: u64) {
        let w = world(seed);
        let mut g = Rng::new(seed ^ 6);
        let actor_subject = w.subject(&mut g, 0);
        let actor = w.policy.principal(&actor_subject).unwrap();
        let definition = random_role(&mut g, &w.catalog, "fresh".into(), &w.numbers);
        let decision = w.policy.can_edit_role(&actor, None, &definition).unwrap();
        let within = reference::within(&reference::union_of(&[&definition]), &reference::effective(&actor_subject, &w.roles));
        if decision.is_allowed() && !actor.superadmin {
            prop_assert!(within);
        }
        // The escalation guard and the reference agree exactly for an active actor who may edit roles.
        let may_edit = actor.active && w.policy.check(&actor, w.catalog.permission("team.roles:manage").unwrap()).is_allowed();
        if may_edit && !actor.superadmin {
            prop_assert_eq!(decision.is_allowed(), within, "{:?}", decision);
        }
    }

    #[test]
    fn visibility_filters_agree_with_can_see(seed: u64) {
        // Storage turns `Visibility` into SQL; it must mean exactly what `can_see` decides.
        let w = world(seed);
        let mut g = Rng::new(seed ^ 7);
        let subject = w.subject(&mut g, 0);
        let p = w.policy.principal(&subject).unwrap();
        for _ in 0..40 {
            let r = w.record(&mut g);
            let by_filter = match p.visibility() {
                Visibility::Nothing => false,
                Visibility::Everything => true,
                Visibility::Filter { participant, kinds, all, workgroups, numbers, dashboard_workgroups, dashboard_ivrs } => {
                    r.participants.contains(&participant)
                        || (kinds.has(r.kind)
                            && (all
                                || r.workgroup.is_some_and(|x| workgroups.contains(&x) || dashboard_workgroups.contains(&x))
                                || r.number.is_some_and(|x| numbers.contains(&x))
                                || r.ivr.is_some_and(|x| dashboard_ivrs.contains(&x))))
                }
            };
            prop_assert_eq!(by_filter, sees(&w.policy, &p, &r));
        }
    }
}

#[test]
fn generated_worlds_exercise_both_outcomes() {
    // Guards the generator itself: the properties above would be vacuous if every check were denied.
    let (mut allowed, mut denied) = (0, 0);
    for seed in 0..200 {
        let w = world(seed);
        let mut g = Rng::new(seed);
        let actor = w.policy.principal(&w.subject(&mut g, 0)).unwrap();
        let target = w.policy.principal(&w.subject(&mut g, 1)).unwrap();
        for (idx, _) in w.policy.roles() {
            if w.policy.can_assign(&actor, &target, idx).is_allowed() { allowed += 1 } else { denied += 1 }
        }
    }
    assert!(allowed > 50 && denied > 50, "allowed {allowed}, denied {denied}");
    let _ = BTreeMap::<u8, u8>::new();
}

/// One random change to a person, applied to their subject.
fn random_change(w: &World, g: &mut Rng, person: &Subject) -> Subject {
    let mut after = person.clone();
    match g.below(4) {
        0 => after.roles = w.roles.iter().filter(|_| g.chance(35)).map(|r| r.key.clone()).collect(),
        1 => {
            let change = if g.chance(50) {
                let wg = g.one_of(&w.workgroups);
                if g.chance(50) { MembershipChange::JoinWorkgroup(wg) } else { MembershipChange::LeaveWorkgroup(wg) }
            } else {
                let n = g.one_of(&w.numbers);
                if g.chance(50) { MembershipChange::AssignNumber(n) } else { MembershipChange::UnassignNumber(n) }
            };
            after = change.apply(person);
        }
        2 => after.dashboard = DashboardAccess { workgroups: g.some(&w.workgroups, 30), ivrs: g.some(&w.ivrs, 30) },
        _ => {}
    }
    after
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    // rule 8
    #[test]
    fn reach_agrees_with_the_reference_evaluator_for_active_invited_and_disabled_people(seed: u64) {
        let w = world(seed);
        let mut g = Rng::new(seed ^ 8);
        let actor_subject = w.subject(&mut g, 0);
        let actor = w.policy.principal(&actor_subject).unwrap();
        for _ in 0..8 {
            let index = 1 + g.below(3);
            let person = w.subject(&mut g, index);
            let after = random_change(&w, &mut g, &person);
            let compiled = w.policy.can_reach(&actor, &w.policy.principal(&person).unwrap(), &w.policy.principal(&after).unwrap());
            let mine = reference::reach(&actor_subject, &w.roles);
            let naive = actor_subject.status == UserStatus::Active
                && (actor_subject.superadmin
                    || (reference::reach_within(&reference::reach(&person, &w.roles), &mine)
                        && reference::reach_within(&reference::reach(&after, &w.roles), &mine)));
            prop_assert_eq!(compiled.is_allowed(), naive, "{:?}", compiled);
        }
    }

    // rule 8
    #[test]
    fn an_allowed_change_to_a_person_keeps_them_within_the_actors_reach(seed: u64) {
        let w = world(seed);
        let mut g = Rng::new(seed ^ 9);
        let actor_subject = w.subject(&mut g, 0);
        let actor = w.policy.principal(&actor_subject).unwrap();
        let mine = reference::reach(&actor_subject, &w.roles);
        for _ in 0..8 {
            let index = 1 + g.below(3);
            let person = w.subject(&mut g, index);
            let roles: Vec<String> = w.roles.iter().filter(|_| g.chance(35)).map(|r| r.key.clone()).collect();
            let decisions = [
                (w.policy.can_set_person_roles(&actor, &person, &roles).unwrap(), Subject { roles: roles.clone(), ..person.clone() }),
                (w.policy.can_manage_person(&actor, &person, UserAction::Edit).unwrap(), person.clone()),
                (w.policy.can_manage_person(&actor, &person, UserAction::Disable).unwrap(), person.clone()),
            ];
            for (i, (decision, after)) in decisions.into_iter().enumerate() {
                if decision.is_allowed() && !actor_subject.superadmin {
                    prop_assert!(reference::reach_within(&reference::reach(&person, &w.roles), &mine));
                    prop_assert!(reference::reach_within(&reference::reach(&after, &w.roles), &mine));
                }
                if i > 0 && decision.is_allowed() && !actor_subject.superadmin && person.user_id != actor_subject.user_id {
                    // Nobody edits or disables a person who holds more than they do, active or not
                    // (rule 4; a role change judges the roles it changes).
                    let held = reference::union_of(&reference::roles_of(&person, &w.roles));
                    let mine = reference::effective(&actor_subject, &w.roles);
                    prop_assert!(reference::within(&held, &mine) || person.superadmin);
                }
            }
        }
    }
}

#[test]
fn generated_people_exercise_reach_both_ways() {
    // Guards the generator: the reach properties would be vacuous if every change were in or out of reach.
    let (mut inside, mut outside) = (0, 0);
    for seed in 0..300 {
        let w = world(seed);
        let mut g = Rng::new(seed ^ 8);
        let mut actor = w.subject(&mut g, 0);
        actor.status = UserStatus::Active;
        actor.superadmin = false;
        let actor = w.policy.principal(&actor).unwrap();
        let person = w.policy.principal(&w.subject(&mut g, 1)).unwrap();
        if w.policy.can_reach(&actor, &person, &person).is_allowed() { inside += 1 } else { outside += 1 }
    }
    assert!(inside > 30 && outside > 30, "inside {inside}, outside {outside}");
}
