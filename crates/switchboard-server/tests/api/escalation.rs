//! Escalation fuzzing over HTTP (issues 8 and 13). Seeded random actors across the three preset packs
//! make every kind of change to people and roles: roles (one user, bulk, a role's members),
//! passwords, status, email, workgroup and number memberships, dashboard access, duplicates,
//! deletions, API keys and their revocation, and custom roles with and without guards. People are
//! spread over workgroups, numbers, IVRs and dashboard access, and are active, invited or disabled.
//!
//! After every allowed change, the model (the core's naive reference evaluator, not the server's
//! compiled path) confirms nobody was given or changed beyond the actor: levels, rights and scope
//! (rule 4) and the person's reach before and after (rule 8). Every denial carries a known reason, and
//! the server's final state equals the model's.

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use switchboard_core::reference;
use switchboard_core::{DashboardAccess, IvrId, NumberId, RoleDefinition, Subject, UserId, UserStatus, WorkgroupId};
use switchboard_testkit::Rng;
use switchboard_testkit::app::TestApp;
use switchboard_testkit::http::{Reply, Session};

/// Attempts per run, across the three packs; at least 10,000 of them are changes (issues 8 and 13).
const ATTEMPTS: usize = 10_400;

const REASONS: &[&str] = &[
    "missing_permission",
    "missing_right",
    "escalation",
    "guarded_role",
    "peer_protected",
    "self_modification",
    "superadmin_protected",
    "single_role_mode",
    "default_role_required",
    "referenced_role",
    "preset_immutable",
    "out_of_reach",
    "superadmin_only",
];

/// A person as the model has them.
#[derive(Clone)]
struct Person {
    id: String,
    /// Only people created with a password can act.
    session: Option<Session>,
    /// How they sign in again when a change ended their session (issue 22).
    email: String,
    password: String,
    /// A change may have ended their session: check it before they act.
    stale: bool,
    roles: Vec<String>,
    status: UserStatus,
    workgroups: BTreeSet<String>,
    numbers: BTreeSet<String>,
    dashboard_workgroups: BTreeSet<String>,
    dashboard_ivrs: BTreeSet<String>,
    deleted: bool,
}

struct ApiKey {
    id: String,
    owner: String,
    revoked: bool,
}

struct Account {
    slug: String,
    combinable: bool,
    default_role: Option<String>,
    superadmin: String,
    sections: Vec<Value>,
    roles: BTreeMap<String, RoleDefinition>,
    people: Vec<Person>,
    workgroups: Vec<String>,
    numbers: Vec<String>,
    ivrs: Vec<String>,
    keys: Vec<ApiKey>,
    seq: usize,
}

fn definition(view: &Value) -> RoleDefinition {
    let mut object = serde_json::Map::new();
    for field in ["key", "name", "description", "grants", "scope", "scope_numbers", "recents", "guards"] {
        if let Some(v) = view.get(field) {
            object.insert(field.to_owned(), v.clone());
        }
    }
    serde_json::from_value(Value::Object(object)).unwrap()
}

fn random_definition(g: &mut Rng, sections: &[Value], key: &str) -> Value {
    let rank = |l: &str| match l {
        "view" => 1,
        "manage" | "full" => 2,
        _ => 0,
    };
    let mut grants = serde_json::Map::new();
    for s in sections {
        if !g.chance(25) {
            continue;
        }
        let levels: Vec<&str> = s["levels"].as_array().unwrap().iter().skip(1).map(|l| l.as_str().unwrap()).collect();
        let level = levels[g.below(levels.len())];
        let rights: Vec<Value> = s["rights"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| rank(r["min_level"].as_str().unwrap()) <= rank(level))
            .filter(|_| g.chance(50))
            .map(|r| r["key"].clone())
            .collect();
        grants.insert(s["key"].as_str().unwrap().to_owned(), json!({"level": level, "rights": rights}));
    }
    let scopes = ["all", "workgroup", "dashboard", "personal"];
    json!({"key": key, "name": key, "grants": grants, "scope": scopes[g.below(4)],
           "recents": if g.chance(30) { "all" } else { "personal" }})
}

fn created_id(reply: &Reply) -> String {
    assert!(reply.status < 300, "{}: {}", reply.status, reply.body);
    reply.json()["id"].as_str().unwrap().to_owned()
}

fn setup(app: &TestApp, g: &mut Rng, slug: &str, preset: &str) -> Account {
    let owner = app.account(slug, preset);
    let presets = app.call(&owner, "GET", "/v1/presets", None).json();
    let pack = presets["items"].as_array().unwrap().iter().find(|p| p["name"] == preset).unwrap().clone();
    let mut sections = app.call(&owner, "GET", "/v1/permissions", None).json()["sections"].as_array().unwrap().clone();
    // A custom role never holds a right the pack reserves to its presets (MC-34): the model's roles don't ask.
    let reserved = pack["reserved_rights"].as_array().cloned().unwrap_or_default();
    for section in &mut sections {
        if let Some(rights) = section["rights"].as_array_mut() {
            rights.retain(|r| !reserved.contains(&r["key"]));
        }
    }
    let mut a = Account {
        slug: slug.to_owned(),
        combinable: pack["role_mode"] == "combinable",
        default_role: pack["default_role"].as_str().map(str::to_owned),
        superadmin: owner.user_id.clone(),
        sections,
        roles: BTreeMap::new(),
        people: Vec::new(),
        workgroups: Vec::new(),
        numbers: Vec::new(),
        ivrs: Vec::new(),
        keys: Vec::new(),
        seq: 0,
    };
    for i in 0..3 {
        let wg = app.call(&owner, "POST", "/v1/workgroups", Some(json!({"name": format!("Group {i}")})));
        a.workgroups.push(created_id(&wg));
        let number = json!({"e164": format!("+1415555{:04}", 100 + i), "kind": "local"});
        a.numbers.push(created_id(&app.call(&owner, "POST", "/v1/numbers", Some(number))));
    }
    for i in 0..2 {
        a.ivrs.push(created_id(&app.call(&owner, "POST", "/v1/ivrs", Some(json!({"name": format!("Menu {i}")})))));
    }
    for i in 0..4 {
        let mut body = random_definition(g, &a.sections, &format!("seed_custom_{i}"));
        if i == 0 {
            body["scope"] = json!("numbers");
            body["scope_numbers"] = json!([a.numbers[0]]);
        }
        assert_eq!(app.call(&owner, "POST", "/v1/roles", Some(body)).status, 201);
    }
    let roles = app.call(&owner, "GET", "/v1/roles?limit=500", None).json();
    for r in roles["items"].as_array().unwrap() {
        a.roles.insert(r["key"].as_str().unwrap().to_owned(), definition(r));
    }
    let owner_roles: Vec<String> =
        pack["owner_roles"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_owned()).collect();
    let owner_email = format!("owner@{slug}.example");
    a.people.push(Person::new(owner.user_id.clone(), Some(owner.clone()), owner_roles, owner_email, "owner-password"));
    let keys: Vec<String> = a.roles.keys().cloned().collect();
    for round in 0..2 {
        for (i, key) in keys.iter().enumerate() {
            let held = a.with_default(vec![key.clone()]);
            let refs: Vec<&str> = held.iter().map(String::as_str).collect();
            let email = format!("u{round}-{i}@{slug}.example");
            let user = app.user(&owner, slug, &email, &refs);
            a.people.push(Person::new(user.user_id.clone(), Some(user), held, email, "user-password"));
        }
    }
    if !a.combinable {
        let email = format!("none@{slug}.example");
        let user = app.user(&owner, slug, &email, &[]);
        a.people.push(Person::new(user.user_id.clone(), Some(user), vec![], email, "user-password"));
    }
    // Spread people over workgroups, numbers and dashboard access; some invited, some disabled.
    for index in 1..a.people.len() {
        let person = a.people[index].clone();
        let access = json!({"workgroups": g.some(&a.workgroups, 30), "ivrs": g.some(&a.ivrs, 40)});
        let path = format!("/v1/users/{}/dashboard-access", person.id);
        assert_eq!(app.call(&owner, "PUT", &path, Some(access.clone())).status, 200);
        let person = &mut a.people[index];
        person.dashboard_workgroups = strings(&access["workgroups"]);
        person.dashboard_ivrs = strings(&access["ivrs"]);
        if g.chance(15) {
            let path = format!("/v1/users/{}", person.id);
            assert_eq!(app.call(&owner, "PATCH", &path, Some(json!({"status": "disabled"}))).status, 200);
            person.status = UserStatus::Disabled;
        }
    }
    for (list, field) in [(a.workgroups.clone(), "workgroups"), (a.numbers.clone(), "numbers")] {
        for id in list {
            let members: Vec<String> = a.people.iter().skip(1).filter(|_| g.chance(35)).map(|p| p.id.clone()).collect();
            let path = if field == "workgroups" {
                format!("/v1/workgroups/{id}/members")
            } else {
                format!("/v1/numbers/{id}/users")
            };
            assert_eq!(app.call(&owner, "PUT", &path, Some(json!({ "users": members }))).status, 200);
            for p in a.people.iter_mut().filter(|p| members.contains(&p.id)) {
                if field == "workgroups" {
                    p.workgroups.insert(id.clone())
                } else {
                    p.numbers.insert(id.clone())
                };
            }
        }
    }
    let invited = json!({"email": format!("invited@{slug}.example"), "name": "Invited",
        "roles": a.with_default(vec![keys[0].clone()])});
    let reply = app.call(&owner, "POST", "/v1/users", Some(invited));
    let invited = a.with_default(vec![keys[0].clone()]);
    a.people.push(Person::new(created_id(&reply), None, invited, format!("invited@{slug}.example"), ""));
    a.people.last_mut().unwrap().status = UserStatus::Invited;
    a
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array().map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect()).unwrap_or_default()
}

impl Person {
    fn new(id: String, session: Option<Session>, roles: Vec<String>, email: String, password: &str) -> Person {
        Person {
            id,
            session,
            email,
            password: password.to_owned(),
            stale: false,
            roles,
            status: UserStatus::Active,
            workgroups: BTreeSet::new(),
            numbers: BTreeSet::new(),
            dashboard_workgroups: BTreeSet::new(),
            dashboard_ivrs: BTreeSet::new(),
            deleted: false,
        }
    }
}

fn uuids<T: From<uuid::Uuid>>(set: &BTreeSet<String>) -> Vec<T> {
    set.iter().map(|s| T::from(s.parse::<uuid::Uuid>().unwrap())).collect()
}

impl Account {
    fn with_default(&self, mut roles: Vec<String>) -> Vec<String> {
        if self.combinable
            && let Some(d) = &self.default_role
            && !roles.contains(d)
        {
            roles.push(d.clone());
        }
        roles
    }

    fn subject(&self, p: &Person) -> Subject {
        Subject {
            user_id: UserId(p.id.parse().unwrap()),
            status: p.status,
            superadmin: p.id == self.superadmin,
            roles: p.roles.clone(),
            numbers: uuids::<NumberId>(&p.numbers),
            workgroups: uuids::<WorkgroupId>(&p.workgroups),
            dashboard: DashboardAccess {
                workgroups: uuids::<WorkgroupId>(&p.dashboard_workgroups),
                ivrs: uuids::<IvrId>(&p.dashboard_ivrs),
            },
        }
    }

    fn definitions(&self) -> Vec<RoleDefinition> {
        self.roles.values().cloned().collect()
    }

    fn is_superadmin(&self, actor: usize) -> bool {
        self.people[actor].id == self.superadmin
    }

    /// Rule 4: what `roles` give stays within the actor's effective access.
    fn within_access(&self, actor: usize, roles: &[&RoleDefinition]) -> bool {
        let mine = reference::effective(&self.subject(&self.people[actor]), &self.definitions());
        self.is_superadmin(actor) || reference::within(&reference::union_of(roles), &mine)
    }

    /// Rule 8: the person's reach, as `person`, lies within the actor's.
    fn within_reach(&self, actor: usize, person: &Person) -> bool {
        let defs = self.definitions();
        let mine = reference::reach(&self.subject(&self.people[actor]), &defs);
        self.is_superadmin(actor) || reference::reach_within(&reference::reach(&self.subject(person), &defs), &mine)
    }

    /// What a changed person held stays within the actor (edit, disable, delete, key revocation).
    fn holds_no_more_than(&self, actor: usize, person: &Person) -> bool {
        let defs: Vec<&RoleDefinition> = person.roles.iter().filter_map(|k| self.roles.get(k)).collect();
        self.within_access(actor, &defs) && self.within_reach(actor, person)
    }

    fn live(&self) -> Vec<usize> {
        (0..self.people.len()).filter(|i| !self.people[*i].deleted).collect()
    }

    fn custom_keys(&self) -> Vec<String> {
        self.roles.keys().filter(|k| k.starts_with("custom_") || k.starts_with("seed_custom_")).cloned().collect()
    }

    fn role_id(&self, app: &TestApp, key: &str) -> String {
        app.role_id(self.people[0].session.as_ref().unwrap(), key)
    }
}

/// Counts and checks one answer: `Some(true)` allowed, `Some(false)` denied with a known reason.
fn outcome(reply: &Reply, ok: u16, what: &str, attempt: usize) -> Option<bool> {
    match reply.status {
        s if s == ok => Some(true),
        403 => {
            let body = reply.json();
            let code = body["reason"]["code"].as_str().unwrap_or_default().to_owned();
            assert!(
                REASONS.contains(&code.as_str()),
                "attempt {attempt}, {what}: a denial without a known reason: {body}"
            );
            Some(false)
        }
        // A conflict with stored data (a role still held), refused without a change.
        409 => None,
        s => panic!("attempt {attempt}, {what}: answered {s}: {}", reply.body),
    }
}

#[derive(Default)]
struct Tally {
    allowed: usize,
    denied: usize,
    by_kind: BTreeMap<&'static str, (usize, usize)>,
}

impl Tally {
    fn count(&mut self, kind: &'static str, result: Option<bool>) -> bool {
        let entry = self.by_kind.entry(kind).or_default();
        match result {
            Some(true) => {
                self.allowed += 1;
                entry.0 += 1;
                true
            }
            _ => {
                self.denied += 1;
                entry.1 += 1;
                false
            }
        }
    }
}

/// The roles one person ends up with after a role change.
fn roles_after(a: &Account, current: &[String], key: &str, action: &str) -> Vec<String> {
    let mut next = current.to_vec();
    match action {
        "replace" => next = vec![key.to_owned()],
        "add" if !next.iter().any(|k| k == key) => next.push(key.to_owned()),
        "remove" => next.retain(|k| k != key),
        _ => {}
    }
    let _ = a;
    next
}

#[test]
fn ten_thousand_random_changes_to_people_and_roles_never_reach_beyond_the_actor() {
    let app = TestApp::spawn();
    let mut g = Rng::new(0x5EED_2026);
    let mut accounts: Vec<Account> = [("fz-mc", "mightycall"), ("fz-ac", "aircall"), ("fz-gi", "groups-ivr")]
        .into_iter()
        .map(|(slug, preset)| setup(&app, &mut g, slug, preset))
        .collect();
    let mut t = Tally::default();
    for attempt in 0..ATTEMPTS {
        let a = &mut accounts[attempt % 3];
        let live = a.live();
        let (can_act, cannot): (Vec<usize>, Vec<usize>) = live
            .iter()
            .copied()
            .filter(|i| a.people[*i].session.is_some())
            .partition(|i| a.people[*i].status == UserStatus::Active);
        if attempt % 100 == 0
            && let Some(disabled) = cannot.first()
        {
            // Disabled people have no access at all: their tokens stop working.
            let session = a.people[*disabled].session.as_ref().unwrap();
            assert_eq!(app.call(session, "GET", "/v1/me", None).status, 401, "attempt {attempt}");
        }
        let actor = can_act[g.below(can_act.len())];
        if a.people[actor].stale {
            // A password change, a reset or a loss of authority ended their session: they sign in again.
            let p = &mut a.people[actor];
            if app.call(p.session.as_ref().unwrap(), "GET", "/v1/me", None).status == 401 {
                let token = app.login(&a.slug, &p.email, &p.password);
                p.session = Some(Session { token, user_id: p.id.clone() });
            }
            p.stale = false;
        }
        let session = a.people[actor].session.clone().unwrap();
        let target = live[g.below(live.len())];
        let tid = a.people[target].id.clone();
        let actor_id = a.people[actor].id.clone();
        let keys: Vec<String> = a.roles.keys().cloned().collect();
        a.seq += 1;
        match g.below(20) {
            // Replace one person's roles.
            0..=3 => {
                let count = if a.combinable { g.below(3) + 1 } else { g.below(2) };
                let mut new: Vec<String> = (0..count).map(|_| keys[g.below(keys.len())].clone()).collect();
                new.sort();
                new.dedup();
                let reply = app.call(&session, "PUT", &format!("/v1/users/{tid}/roles"), Some(json!({"roles": new})));
                if t.count("set roles", outcome(&reply, 200, "set roles", attempt)) {
                    a.people[target].stale = true;
                    let old = a.people[target].roles.clone();
                    let changed: Vec<&RoleDefinition> = new
                        .iter()
                        .filter(|k| !old.contains(k))
                        .chain(old.iter().filter(|k| !new.contains(k)))
                        .map(|k| &a.roles[k])
                        .collect();
                    let mut after = a.people[target].clone();
                    after.roles = new;
                    assert!(a.within_access(actor, &changed), "attempt {attempt}: roles beyond the actor's access");
                    assert!(
                        a.within_reach(actor, &a.people[target]) && a.within_reach(actor, &after),
                        "attempt {attempt}: set roles out of reach"
                    );
                    a.people[target] = after;
                }
            }
            // Bulk role, or a role's members.
            4 | 5 => {
                let users: Vec<usize> = (0..1 + g.below(3))
                    .map(|_| live[g.below(live.len())])
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let ids: Vec<String> = users.iter().map(|u| a.people[*u].id.clone()).collect();
                let key = keys[g.below(keys.len())].clone();
                let (reply, action) = if g.chance(50) {
                    let action = if !a.combinable { "replace" } else { ["replace", "add", "remove"][g.below(3)] };
                    let body = json!({"user_ids": ids, "role": key, "action": action});
                    (app.call(&session, "POST", "/v1/users/bulk-role", Some(body)), action)
                } else if g.chance(70) {
                    let role = a.role_id(&app, &key);
                    let body = json!({"user_ids": ids});
                    let action = if a.combinable { "add" } else { "replace" };
                    (app.call(&session, "POST", &format!("/v1/roles/{role}/members"), Some(body)), action)
                } else {
                    let role = a.role_id(&app, &key);
                    (app.call(&session, "DELETE", &format!("/v1/roles/{role}/members/{}", ids[0]), None), "remove-one")
                };
                if action == "remove-one" && reply.status == 404 && !a.people[users[0]].roles.contains(&key) {
                    // Nothing to take away: the person does not hold the role.
                    t.count("bulk role / members", None);
                    continue;
                }
                if t.count("bulk role / members", outcome(&reply, 204, "bulk role", attempt)) {
                    let users = if action == "remove-one" { vec![users[0]] } else { users };
                    let action = if action == "remove-one" { "remove" } else { action };
                    for u in users {
                        a.people[u].stale = true;
                        let mut after = a.people[u].clone();
                        after.roles = roles_after(a, &after.roles, &key, action);
                        assert!(
                            a.within_reach(actor, &a.people[u]) && a.within_reach(actor, &after),
                            "attempt {attempt}: bulk role out of reach"
                        );
                        let old = &a.people[u].roles;
                        let changed: Vec<&RoleDefinition> = after
                            .roles
                            .iter()
                            .filter(|k| !old.contains(k))
                            .chain(old.iter().filter(|k| !after.roles.contains(k)))
                            .map(|k| &a.roles[k])
                            .collect();
                        assert!(
                            a.within_access(actor, &changed),
                            "attempt {attempt}: bulk role beyond the actor's access"
                        );
                        a.people[u] = after;
                    }
                }
            }
            // Workgroup or number membership: one person in or out.
            6 | 7 => {
                let workgroup = g.chance(50);
                let list = if workgroup { &a.workgroups } else { &a.numbers };
                let id = list[g.below(list.len())].clone();
                let mut members: BTreeSet<String> = a
                    .live()
                    .into_iter()
                    .filter(|p| {
                        let p = &a.people[*p];
                        if workgroup { p.workgroups.contains(&id) } else { p.numbers.contains(&id) }
                    })
                    .map(|p| a.people[p].id.clone())
                    .collect();
                let joins = !members.contains(&tid);
                if joins {
                    members.insert(tid.clone());
                } else {
                    members.remove(&tid);
                }
                let path =
                    if workgroup { format!("/v1/workgroups/{id}/members") } else { format!("/v1/numbers/{id}/users") };
                let reply = app.call(&session, "PUT", &path, Some(json!({"users": members})));
                if t.count("membership", outcome(&reply, 200, "membership", attempt)) {
                    let mut after = a.people[target].clone();
                    let set = if workgroup { &mut after.workgroups } else { &mut after.numbers };
                    if joins {
                        set.insert(id.clone());
                    } else {
                        set.remove(&id);
                    }
                    assert!(
                        a.is_superadmin(actor) || (tid != actor_id && tid != a.superadmin),
                        "attempt {attempt}: membership of oneself or the superadmin"
                    );
                    assert!(
                        a.within_reach(actor, &a.people[target]) && a.within_reach(actor, &after),
                        "attempt {attempt}: membership out of reach"
                    );
                    a.people[target] = after;
                }
            }
            // Dashboard access.
            8 => {
                let access = json!({"workgroups": g.some(&a.workgroups, 30), "ivrs": g.some(&a.ivrs, 40)});
                let reply =
                    app.call(&session, "PUT", &format!("/v1/users/{tid}/dashboard-access"), Some(access.clone()));
                if t.count("dashboard access", outcome(&reply, 200, "dashboard access", attempt)) {
                    let mut after = a.people[target].clone();
                    after.dashboard_workgroups = strings(&access["workgroups"]);
                    after.dashboard_ivrs = strings(&access["ivrs"]);
                    assert!(
                        a.within_reach(actor, &a.people[target]) && a.within_reach(actor, &after),
                        "attempt {attempt}: dashboard out of reach"
                    );
                    a.people[target] = after;
                }
            }
            // A password, a name, an email, or a status.
            9..=11 => {
                let mut body = match g.below(4) {
                    0 => json!({"password": format!("password-{attempt}")}),
                    1 => json!({"name": format!("Name {attempt}")}),
                    2 => json!({"email": format!("e{attempt}@{}.example", a.slug)}),
                    _ => {
                        json!({"status": if a.people[target].status == UserStatus::Active { "disabled" } else { "active" }})
                    }
                };
                if tid == actor_id && body.get("password").is_some() {
                    // Changing one's own password takes the current one.
                    body["current_password"] = json!(a.people[actor].password);
                }
                let reply = app.call(&session, "PATCH", &format!("/v1/users/{tid}"), Some(body.clone()));
                if t.count("edit user", outcome(&reply, 200, "edit user", attempt)) {
                    if let Some(new) = body["password"].as_str() {
                        a.people[target].password = new.to_owned();
                    }
                    if let Some(email) = body["email"].as_str() {
                        a.people[target].email = email.to_owned();
                    }
                    // A new password or a status change ends the person's other sessions.
                    a.people[target].stale |= tid != actor_id;
                    let own_profile = tid == actor_id && body.get("name").or(body.get("password")).is_some();
                    assert!(
                        own_profile || a.is_superadmin(actor) || tid != a.superadmin,
                        "attempt {attempt}: the superadmin changed by another"
                    );
                    assert!(
                        own_profile || a.holds_no_more_than(actor, &a.people[target]),
                        "attempt {attempt}: edited a person beyond the actor"
                    );
                    let p = &mut a.people[target];
                    match body["status"].as_str() {
                        Some("disabled") => p.status = UserStatus::Disabled,
                        Some(_) => p.status = UserStatus::Active,
                        None if body.get("password").is_some() && p.status == UserStatus::Invited => {
                            p.status = UserStatus::Active
                        }
                        None => {}
                    }
                }
            }
            // Duplicate someone.
            12 => {
                let body = json!({"email": format!("dup{attempt}@{}.example", a.slug), "name": "Copy"});
                let reply = app.call(&session, "POST", &format!("/v1/users/{tid}/duplicate"), Some(body));
                if t.count("duplicate", outcome(&reply, 201, "duplicate", attempt)) {
                    let mut copy = a.people[target].clone();
                    copy.id = created_id(&reply);
                    copy.session = None;
                    copy.status = UserStatus::Invited;
                    let roles: Vec<&RoleDefinition> = copy.roles.iter().map(|k| &a.roles[k]).collect();
                    assert!(
                        a.within_access(actor, &roles) && a.within_reach(actor, &copy),
                        "attempt {attempt}: duplicated beyond the actor"
                    );
                    a.people.push(copy);
                }
            }
            // Delete someone (rarely: people are what the run is about).
            13 if g.chance(20) => {
                let reply = app.call(&session, "DELETE", &format!("/v1/users/{tid}"), None);
                if t.count("delete user", outcome(&reply, 204, "delete user", attempt)) {
                    assert!(
                        tid != actor_id && tid != a.superadmin,
                        "attempt {attempt}: deleted oneself or the superadmin"
                    );
                    assert!(
                        a.is_superadmin(actor) || a.holds_no_more_than(actor, &a.people[target]),
                        "attempt {attempt}: deleted a person beyond the actor"
                    );
                    a.people[target].deleted = true;
                    for key in a.keys.iter_mut().filter(|k| k.owner == tid) {
                        key.revoked = true;
                    }
                }
            }
            // API keys: one's own, or revoking anyone's.
            13 | 14 => {
                let active: Vec<usize> = (0..a.keys.len()).filter(|k| !a.keys[*k].revoked).collect();
                if g.chance(40) || active.is_empty() {
                    let reply =
                        app.call(&session, "POST", "/v1/api-keys", Some(json!({"name": format!("k{attempt}")})));
                    if t.count("create API key", outcome(&reply, 201, "create API key", attempt)) {
                        a.keys.push(ApiKey { id: created_id(&reply), owner: actor_id.clone(), revoked: false });
                    }
                } else {
                    let k = active[g.below(active.len())];
                    let (id, owner) = (a.keys[k].id.clone(), a.keys[k].owner.clone());
                    let reply = app.call(&session, "DELETE", &format!("/v1/api-keys/{id}"), None);
                    if t.count("revoke API key", outcome(&reply, 204, "revoke API key", attempt)) {
                        if owner != actor_id {
                            let person = a.people.iter().position(|p| p.id == owner).unwrap();
                            assert!(
                                a.is_superadmin(actor)
                                    || (owner != a.superadmin && a.holds_no_more_than(actor, &a.people[person])),
                                "attempt {attempt}: revoked the key of a person beyond the actor"
                            );
                        }
                        a.keys[k].revoked = true;
                    }
                }
            }
            // Create a custom role, sometimes with guards.
            15 | 16 => {
                let key = format!("custom_{}", a.seq);
                let mut body = random_definition(&mut g, &a.sections, &key);
                if g.chance(30) {
                    let guarded = keys[g.below(keys.len())].clone();
                    body["guards"] = match g.below(3) {
                        0 => json!({"assignable_by": [key]}),
                        1 => json!({"peer_protected": true}),
                        _ => json!({"can_assign": [guarded]}),
                    };
                }
                let reply = app.call(&session, "POST", "/v1/roles", Some(body));
                if t.count("create role", outcome(&reply, 201, "create role", attempt)) {
                    let def = definition(&reply.json());
                    assert!(a.within_access(actor, &[&def]), "attempt {attempt}: created `{key}` beyond the creator");
                    let lockout = !def.guards.assignable_by.is_empty() || def.guards.peer_protected;
                    assert!(
                        !lockout || a.is_superadmin(actor),
                        "attempt {attempt}: lockout guards written by someone but the superadmin"
                    );
                    a.roles.insert(key, def);
                }
            }
            // Edit or delete a custom role.
            _ => {
                let customs = a.custom_keys();
                if customs.is_empty() {
                    continue;
                }
                let key = customs[g.below(customs.len())].clone();
                let id = a.role_id(&app, &key);
                let old = a.roles[&key].clone();
                if g.chance(70) {
                    let mut body = random_definition(&mut g, &a.sections, &key);
                    body.as_object_mut().unwrap().remove("key");
                    body.as_object_mut().unwrap().remove("name");
                    let reply = app.call(&session, "PATCH", &format!("/v1/roles/{id}"), Some(body));
                    if t.count("edit role", outcome(&reply, 200, "edit role", attempt)) {
                        let def = definition(&reply.json());
                        assert!(
                            a.within_access(actor, &[&def]) && a.within_access(actor, &[&old]),
                            "attempt {attempt}: edited `{key}` beyond the editor"
                        );
                        a.roles.insert(key, def);
                    }
                } else {
                    let reply = app.call(&session, "DELETE", &format!("/v1/roles/{id}"), None);
                    if t.count("delete role", outcome(&reply, 204, "delete role", attempt)) {
                        assert!(
                            a.within_access(actor, &[&old]),
                            "attempt {attempt}: deleted `{key}` beyond the deleter"
                        );
                        a.roles.remove(&key);
                    }
                }
            }
        }
    }
    // The server agrees with the model: nothing lost, nothing phantom.
    for a in &accounts {
        let owner = a.people[0].session.as_ref().unwrap();
        for p in &a.people {
            let reply = app.call(owner, "GET", &format!("/v1/users/{}", p.id), None);
            if p.deleted {
                assert_eq!(reply.status, 404, "{}: {} was deleted", a.slug, p.id);
                continue;
            }
            let detail = reply.json();
            let mut roles: Vec<String> =
                detail["roles"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap().to_owned()).collect();
            let mut model = p.roles.clone();
            roles.sort();
            model.sort();
            assert_eq!(roles, model, "{}: roles of {}", a.slug, p.id);
            let status = serde_json::to_value(p.status).unwrap();
            assert_eq!(detail["status"], status, "{}: status of {}", a.slug, p.id);
            assert_eq!(strings(&detail["workgroups"]), p.workgroups, "{}: workgroups of {}", a.slug, p.id);
            assert_eq!(strings(&detail["numbers"]), p.numbers, "{}: numbers of {}", a.slug, p.id);
            assert_eq!(
                strings(&detail["dashboard_access"]["workgroups"]),
                p.dashboard_workgroups,
                "{}: dashboard of {}",
                a.slug,
                p.id
            );
            assert_eq!(
                strings(&detail["dashboard_access"]["ivrs"]),
                p.dashboard_ivrs,
                "{}: dashboard IVRs of {}",
                a.slug,
                p.id
            );
        }
        let listed = app.call(owner, "GET", "/v1/api-keys?limit=500", None).json();
        for key in &a.keys {
            let row = listed["items"].as_array().unwrap().iter().find(|k| k["id"] == key.id.as_str());
            let revoked = row.is_none_or(|r| !r["revoked_at"].is_null());
            assert_eq!(revoked, key.revoked, "{}: API key {}", a.slug, key.id);
        }
    }
    for (kind, (allowed, denied)) in &t.by_kind {
        eprintln!("escalation fuzzing: {kind}: {allowed} allowed, {denied} denied");
        assert!(*allowed > 0 && *denied > 0, "{kind}: both outcomes exercised ({allowed} allowed, {denied} denied)");
    }
    assert!(t.allowed + t.denied >= 10_000, "at least 10,000 changes: {}", t.allowed + t.denied);
    eprintln!(
        "escalation fuzzing: {} changes, {} allowed, {} denied, 0 escalations",
        t.allowed + t.denied,
        t.allowed,
        t.denied
    );
}
