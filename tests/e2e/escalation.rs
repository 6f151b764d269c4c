//! Issue 8: escalation fuzzing over HTTP. Seeded random actors assign roles, create, edit and delete
//! custom roles across the three preset packs; after every allowed change, nobody holds anything
//! their grantor did not hold (checked with the core's naive reference evaluator, not the server's
//! compiled path), every denial carries a known reason, and the server's final state matches the model.

use crate::helpers::{Session, TestApp, spawn_app};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use switchboard_core::reference;
use switchboard_core::{RoleDefinition, Subject, UserId, UserStatus};

/// Attempts per run, across the three packs (issue 8 asks for at least 10,000).
const ATTEMPTS: usize = 10_200;

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
];

struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

struct Account {
    slug: String,
    combinable: bool,
    superadmin: String,
    sections: Vec<Value>,
    roles: BTreeMap<String, RoleDefinition>,
    /// user id → (session, role keys)
    users: Vec<(Session, Vec<String>)>,
    custom_seq: usize,
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

fn random_definition(g: &mut Gen, sections: &[Value], key: &str) -> Value {
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

fn setup(app: &TestApp, g: &mut Gen, slug: &str, preset: &str) -> Account {
    let owner = app.account(slug, preset);
    let presets = app.call(&owner, "GET", "/v1/presets", None).json();
    let pack = presets["items"].as_array().unwrap().iter().find(|p| p["name"] == preset).unwrap().clone();
    let combinable = pack["role_mode"] == "combinable";
    let default = pack["default_role"].as_str().map(str::to_owned);
    let sections = app.call(&owner, "GET", "/v1/permissions", None).json()["sections"].as_array().unwrap().clone();
    let mut account = Account {
        slug: slug.to_owned(),
        combinable,
        superadmin: owner.user_id.clone(),
        sections,
        roles: BTreeMap::new(),
        users: Vec::new(),
        custom_seq: 0,
    };
    for i in 0..4 {
        let body = random_definition(g, &account.sections, &format!("seed_custom_{i}"));
        assert_eq!(app.call(&owner, "POST", "/v1/roles", Some(body)).status, 201);
    }
    let roles = app.call(&owner, "GET", "/v1/roles?limit=500", None).json();
    for r in roles["items"].as_array().unwrap() {
        account.roles.insert(r["key"].as_str().unwrap().to_owned(), definition(r));
    }
    let owner_roles: Vec<String> =
        pack["owner_roles"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_owned()).collect();
    account.users.push((owner.clone(), owner_roles));
    let keys: Vec<String> = account.roles.keys().cloned().collect();
    for (i, key) in keys.iter().enumerate() {
        let mut held = vec![key.clone()];
        if combinable
            && let Some(d) = &default
            && d != key
        {
            held.push(d.clone());
        }
        let refs: Vec<&str> = held.iter().map(String::as_str).collect();
        let user = app.user(&owner, slug, &format!("u{i}@{slug}.example"), &refs);
        account.users.push((user, held));
    }
    if !combinable {
        account.users.push((app.user(&owner, slug, &format!("none@{slug}.example"), &[]), vec![]));
    }
    account
}

impl Account {
    fn subject(&self, index: usize) -> Subject {
        let (session, roles) = &self.users[index];
        Subject {
            user_id: UserId(session.user_id.parse().unwrap()),
            status: UserStatus::Active,
            superadmin: session.user_id == self.superadmin,
            roles: roles.clone(),
            ..Subject::default()
        }
    }

    fn effective(&self, index: usize) -> reference::Effective {
        let defs: Vec<RoleDefinition> = self.roles.values().cloned().collect();
        reference::effective(&self.subject(index), &defs)
    }

    fn within_actor(&self, actor: usize, role: &RoleDefinition) -> bool {
        self.subject(actor).superadmin || reference::within(&reference::union_of(&[role]), &self.effective(actor))
    }

    fn custom_keys(&self) -> Vec<String> {
        self.roles.keys().filter(|k| k.starts_with("custom_") || k.starts_with("seed_custom_")).cloned().collect()
    }
}

fn denial_is_explained(reply: &crate::helpers::Reply, what: &str) {
    let body = reply.json();
    let code = body["reason"]["code"].as_str().unwrap_or_default().to_owned();
    assert!(REASONS.contains(&code.as_str()), "{what}: a denial without a known reason: {body}");
}

#[test]
fn ten_thousand_random_changes_never_grant_beyond_the_grantor() {
    let app = spawn_app();
    let mut g = Gen(0x5EED_2026);
    let mut accounts: Vec<Account> = [("fz-mc", "mightycall"), ("fz-ac", "aircall"), ("fz-gi", "groups-ivr")]
        .into_iter()
        .map(|(slug, preset)| setup(&app, &mut g, slug, preset))
        .collect();
    let (mut allowed, mut denied) = (0usize, 0usize);
    for attempt in 0..ATTEMPTS {
        let a = &mut accounts[attempt % 3];
        let actor = g.below(a.users.len());
        let session = a.users[actor].0.clone();
        match g.below(10) {
            // Replace a user's roles (most attempts).
            0..=5 => {
                let target = g.below(a.users.len());
                let keys: Vec<String> = a.roles.keys().cloned().collect();
                let count = if a.combinable { g.below(3) + 1 } else { g.below(2) };
                let mut new: Vec<String> = (0..count).map(|_| keys[g.below(keys.len())].clone()).collect();
                new.sort();
                new.dedup();
                let path = format!("/v1/users/{}/roles", a.users[target].0.user_id);
                let reply = app.call(&session, "PUT", &path, Some(json!({"roles": new})));
                match reply.status {
                    200 => {
                        allowed += 1;
                        let old = &a.users[target].1;
                        for key in
                            new.iter().filter(|k| !old.contains(k)).chain(old.iter().filter(|k| !new.contains(k)))
                        {
                            assert!(
                                a.within_actor(actor, &a.roles[key]),
                                "attempt {attempt}: {} changed `{key}` beyond their access",
                                a.users[actor].0.user_id
                            );
                        }
                        a.users[target].1 = new;
                    }
                    403 => {
                        denied += 1;
                        denial_is_explained(&reply, "set roles");
                    }
                    status => panic!("attempt {attempt}: set roles answered {status}: {}", reply.body),
                }
            }
            // Create a custom role.
            6 | 7 => {
                a.custom_seq += 1;
                let key = format!("custom_{}", a.custom_seq);
                let body = random_definition(&mut g, &a.sections, &key);
                let reply = app.call(&session, "POST", "/v1/roles", Some(body));
                match reply.status {
                    201 => {
                        allowed += 1;
                        let def = definition(&reply.json());
                        assert!(
                            a.within_actor(actor, &def),
                            "attempt {attempt}: created `{key}` beyond the creator's access"
                        );
                        a.roles.insert(key, def);
                    }
                    403 => {
                        denied += 1;
                        denial_is_explained(&reply, "create role");
                    }
                    status => panic!("attempt {attempt}: create role answered {status}: {}", reply.body),
                }
            }
            // Edit or delete a custom role.
            _ => {
                let customs = a.custom_keys();
                if customs.is_empty() {
                    continue;
                }
                let key = customs[g.below(customs.len())].clone();
                let roles = app.call(&a.users[0].0, "GET", "/v1/roles?limit=500", None).json();
                let id = roles["items"].as_array().unwrap().iter().find(|r| r["key"] == key.as_str()).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                let old = a.roles[&key].clone();
                if g.chance(70) {
                    let mut body = random_definition(&mut g, &a.sections, &key);
                    body.as_object_mut().unwrap().remove("key");
                    body.as_object_mut().unwrap().remove("name");
                    let reply = app.call(&session, "PATCH", &format!("/v1/roles/{id}"), Some(body));
                    match reply.status {
                        200 => {
                            allowed += 1;
                            let def = definition(&reply.json());
                            assert!(
                                a.within_actor(actor, &def) && a.within_actor(actor, &old),
                                "attempt {attempt}: edited `{key}` beyond the editor's access"
                            );
                            a.roles.insert(key, def);
                        }
                        403 => {
                            denied += 1;
                            denial_is_explained(&reply, "edit role");
                        }
                        status => panic!("attempt {attempt}: edit role answered {status}: {}", reply.body),
                    }
                } else {
                    let reply = app.call(&session, "DELETE", &format!("/v1/roles/{id}"), None);
                    match reply.status {
                        204 => {
                            allowed += 1;
                            assert!(
                                a.within_actor(actor, &old),
                                "attempt {attempt}: deleted `{key}` beyond the deleter's access"
                            );
                            a.roles.remove(&key);
                            for (_, held) in a.users.iter_mut() {
                                held.retain(|k| *k != key);
                            }
                        }
                        403 => {
                            denied += 1;
                            denial_is_explained(&reply, "delete role");
                        }
                        // The role is still held, and storage keeps roles in use (a clear conflict).
                        409 => denied += 1,
                        status => panic!("attempt {attempt}: delete role answered {status}: {}", reply.body),
                    }
                }
            }
        }
    }
    // The server agrees with the model: no lost or phantom assignments.
    for a in &accounts {
        for (session, held) in &a.users {
            let detail = app.call(&a.users[0].0, "GET", &format!("/v1/users/{}", session.user_id), None).json();
            let mut server: Vec<String> =
                detail["roles"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap().to_owned()).collect();
            let mut model = held.clone();
            server.sort();
            model.sort();
            assert_eq!(server, model, "{}: roles of {}", a.slug, session.user_id);
        }
    }
    assert!(allowed > 500 && denied > 500, "both outcomes exercised: {allowed} allowed, {denied} denied");
    eprintln!("escalation fuzzing: {ATTEMPTS} attempts, {allowed} allowed, {denied} denied");
}
