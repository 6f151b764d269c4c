//! MightyCall's rules about changing roles and call flows, over HTTP (issue 14, item 6): each test
//! names the rule of `RULES.md` it enforces.

use serde_json::{Value, json};
use switchboard_testkit::app::TestApp;
use switchboard_testkit::http::Session;

fn world() -> TestApp {
    TestApp::new()
        .account("acme", "mightycall")
        .user("ann@acme.example", &["agent"])
        .user("bob@acme.example", &["agent"])
        .start()
}

fn roles_of(app: &TestApp, owner: &Session, user: &Session) -> Vec<String> {
    let detail = app.call(owner, "GET", &format!("/v1/users/{}", user.user_id), None).json();
    detail["roles"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap().to_owned()).collect()
}

fn audit(app: &TestApp, owner: &Session, action: &str) -> Vec<Value> {
    let page = app.call(owner, "GET", &format!("/v1/audit-events?action={action}"), None).json();
    page["items"].as_array().unwrap().clone()
}

// rule MC-21
#[test]
fn roles_can_be_changed_for_many_users_at_once_and_each_change_is_audited() {
    let app = world();
    let owner = app.session("owner@acme.example");
    let (ann, bob) = (app.session("ann@acme.example"), app.session("bob@acme.example"));
    let body = json!({"user_ids": [ann.user_id, bob.user_id], "role": "manager"});
    assert_eq!(app.call(&owner, "POST", "/v1/users/bulk-role", Some(body)).status, 204);
    assert_eq!(roles_of(&app, &owner, &ann), ["manager"]);
    assert_eq!(roles_of(&app, &owner, &bob), ["manager"]);
    let events = audit(&app, &owner, "user.bulk_role_change");
    let targets: Vec<&str> = events.iter().map(|e| e["target_id"].as_str().unwrap()).collect();
    assert!(targets.contains(&ann.user_id.as_str()) && targets.contains(&bob.user_id.as_str()), "{events:?}");
}

// rule MC-22
#[test]
fn a_users_role_is_changed_from_the_users_own_profile() {
    let app = world();
    let [owner, ann] = app.sessions(["owner@acme.example", "ann@acme.example"]);
    let reply =
        app.call(&owner, "PUT", &format!("/v1/users/{}/roles", ann.user_id), Some(json!({"roles": ["manager"]})));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["roles"][0]["key"], "manager", "the profile answers with its new role");
    assert_eq!(roles_of(&app, &owner, &ann), ["manager"]);
    let newest = audit(&app, &owner, &format!("user.set_roles&target_id={}", ann.user_id)).remove(0);
    assert_eq!(newest["after"]["roles"], json!([app.role_id(&owner, "manager")]), "audited: {newest}");
}

// rule MC-23
#[test]
fn users_are_added_to_a_role_from_the_role_itself() {
    let app = world();
    let owner = app.session("owner@acme.example");
    let (ann, bob) = (app.session("ann@acme.example"), app.session("bob@acme.example"));
    let manager = app.role_id(&owner, "manager");
    let body = json!({"user_ids": [ann.user_id, bob.user_id]});
    assert_eq!(app.call(&owner, "POST", &format!("/v1/roles/{manager}/members"), Some(body)).status, 204);
    let members = app.call(&owner, "GET", &format!("/v1/roles/{manager}/members"), None).json();
    let ids: Vec<&str> = members["items"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&ann.user_id.as_str()) && ids.contains(&bob.user_id.as_str()), "{members}");
    // One role per user in MightyCall: joining a role replaces the one held.
    assert_eq!(roles_of(&app, &owner, &ann), ["manager"]);
}

// rule MC-28, rule MC-32
#[test]
fn a_view_only_call_flow_user_cannot_reroute_calls_and_view_and_manage_can() {
    let app = world();
    let owner = app.session("owner@acme.example");
    for (key, level) in [("flow_viewer", "view"), ("flow_manager", "manage")] {
        let role = json!({"key": key, "name": key, "grants": {"call_flow": {"level": level}}});
        assert_eq!(app.call(&owner, "POST", "/v1/roles", Some(role)).status, 201);
    }
    let viewer = app.user(&owner, "acme", "viewer@acme.example", &["flow_viewer"]);
    let manager = app.user(&owner, "acme", "router@acme.example", &["flow_manager"]);
    let number = app.call(&owner, "POST", "/v1/numbers", Some(json!({"e164": "+14155550123", "kind": "local"}))).json();
    let ivr = app.call(&owner, "POST", "/v1/ivrs", Some(json!({"name": "Main menu"}))).json();
    let path = format!("/v1/ivrs/{}", ivr["id"].as_str().unwrap());
    let reroute = json!({"numbers": [number["id"]]});
    assert_eq!(app.call(&viewer, "GET", &path, None).status, 200, "view shows the call flow");
    let refused = app.call(&viewer, "PATCH", &path, Some(reroute.clone())).assert_problem(403, "forbidden");
    assert_eq!(refused["reason"]["section"], "call_flow", "{refused}");
    let rerouted = app.call(&manager, "PATCH", &path, Some(reroute));
    assert_eq!(rerouted.status, 200, "{}", rerouted.body);
    assert_eq!(rerouted.json()["numbers"][0], number["id"], "incoming calls on the number now reach this flow");
}

// rule MC-34
#[test]
fn supervising_users_is_only_for_the_manager_and_administrator_roles() {
    let app = world();
    let owner = app.session("owner@acme.example");
    let supervising = json!({"key": "lead", "name": "Lead", "grants": {"team.members": {"level": "manage",
        "rights": ["team.members.edit", "team.members.supervise"]}}});
    let refused = app.call(&owner, "POST", "/v1/roles", Some(supervising)).assert_problem(422, "invalid");
    assert_eq!(refused["field"], "grants");
    assert!(refused["detail"].as_str().unwrap().contains("team.members.supervise"), "{refused}");
    let lead = json!({"key": "lead", "name": "Lead", "grants": {"team.members": {"level": "manage", "rights": ["team.members.edit"]}}});
    let created = app.call(&owner, "POST", "/v1/roles", Some(lead)).json();
    let edit = json!({"grants": {"team.members": {"level": "manage", "rights": ["team.members.supervise"]}}});
    let path = format!("/v1/roles/{}", created["id"].as_str().unwrap());
    assert_eq!(app.call(&owner, "PATCH", &path, Some(edit)).assert_problem(422, "invalid")["field"], "grants");
    // The presets keep it; a copy of the Manager, being custom, leaves it out.
    let manager = app.role_id(&owner, "manager");
    let preset = app.call(&owner, "GET", &format!("/v1/roles/{manager}"), None).json();
    assert!(preset.to_string().contains("team.members.supervise"), "{preset}");
    // Renaming that preset is refused as a preset, not as a custom role holding a reserved right.
    let rename = app.call(&owner, "PATCH", &format!("/v1/roles/{manager}"), Some(json!({"name": "Team lead"})));
    assert_eq!(rename.assert_problem(403, "forbidden")["reason"]["code"], "preset_immutable");
    let copy = app.call(
        &owner,
        "POST",
        &format!("/v1/roles/{manager}/copy"),
        Some(json!({"key": "my_manager", "name": "Mine"})),
    );
    assert_eq!(copy.status, 201, "{}", copy.body);
    assert!(!copy.body.contains("team.members.supervise"), "{}", copy.body);
}
