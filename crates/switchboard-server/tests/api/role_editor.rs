//! Rule MC-20 asked before a save: `GET /v1/roles/grantable` tells a role editor what the caller may
//! grant, with the very reason a save of more would be refused with.

use serde_json::{Value, json};
use switchboard_testkit::app::TestApp;

fn level<'a>(offered: &'a Value, section: &str, level: &str) -> &'a Value {
    let section = offered["sections"].as_array().unwrap().iter().find(|s| s["key"] == section).unwrap();
    section["levels"].as_array().unwrap().iter().find(|l| l["level"] == level).unwrap()
}

#[test]
fn mc20_the_role_editor_is_told_what_the_caller_may_grant_with_the_reason_a_save_would_give() {
    let app = TestApp::new().account("acme", "mightycall").user("agent@acme.example", &["agent"]).start();
    let owner = app.session("owner@acme.example");
    let clerk_role = json!({"key": "roles_clerk", "name": "Roles clerk", "scope": "personal",
        "grants": {"team.roles": {"level": "manage"}, "numbers": {"level": "view"}}});
    assert_eq!(app.call(&owner, "POST", "/v1/roles", Some(clerk_role)).status, 201);
    let clerk = app.user(&owner, "acme", "clerk@acme.example", &["roles_clerk"]);

    let offered = app.call(&clerk, "GET", "/v1/roles/grantable", None).json();
    assert_eq!(level(&offered, "numbers", "view")["grantable"], true);
    let manage = level(&offered, "numbers", "manage");
    assert_eq!(manage["grantable"], false);
    assert_eq!(manage["reason"]["code"], "escalation");
    assert_eq!(
        (manage["reason"]["required"].as_str(), manage["reason"]["held"].as_str()),
        (Some("manage"), Some("view"))
    );
    // Saving a role with what was offered disabled is refused with that reason.
    let too_much = json!({"key": "numbers_lead", "name": "Numbers lead", "grants": {"numbers": {"level": "manage"}}});
    let refused = app.call(&clerk, "POST", "/v1/roles", Some(too_much));
    let problem = refused.assert_problem(403, "forbidden");
    assert_eq!(problem["reason"]["message"], manage["reason"]["message"]);
    let enough = json!({"key": "numbers_viewer", "name": "Numbers viewer", "grants": {"numbers": {"level": "view"}}});
    assert_eq!(app.call(&clerk, "POST", "/v1/roles", Some(enough)).status, 201);

    // Someone who may not manage roles is offered no level above none, with their reason.
    let agent = app.session("agent@acme.example");
    let offered = app.call(&agent, "GET", "/v1/roles/grantable", None).json();
    for section in offered["sections"].as_array().unwrap() {
        for l in section["levels"].as_array().unwrap() {
            assert_eq!(l["grantable"], l["level"] == "none", "{section}");
        }
    }
    assert_eq!(level(&offered, "numbers", "view")["reason"]["code"], "missing_permission");
    // The superadmin is offered every level.
    let offered = app.call(&owner, "GET", "/v1/roles/grantable", None).json();
    assert!(
        offered["sections"].as_array().unwrap().iter().all(|s| s["levels"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["grantable"] == true))
    );
}

#[test]
fn mc3_a_person_who_may_not_manage_roles_is_refused_before_their_role_is_judged() {
    let app = TestApp::new().account("acme", "mightycall").user("agent@acme.example", &["agent"]).start();
    let [owner, agent] = app.sessions(["owner@acme.example", "agent@acme.example"]);
    let other = app.user(&owner, "acme", "other@acme.example", &["agent"]);
    let preset = app.role_id(&owner, "agent");
    // Invalid, taken or preset: the answer is the missing permission, never what is wrong with the role.
    let invalid = json!({"key": "x_role", "name": "X", "grants": {"nope.section": {"level": "view"}}});
    let taken = json!({"key": "agent", "name": "Another agent"});
    for body in [invalid.clone(), taken] {
        let refused = app.call(&agent, "POST", "/v1/roles", Some(body));
        assert_eq!(refused.assert_problem(403, "forbidden")["reason"]["code"], "missing_permission");
    }
    let edited = app.call(&agent, "PATCH", &format!("/v1/roles/{preset}"), Some(json!({"grants": invalid["grants"]})));
    assert_eq!(edited.assert_problem(403, "forbidden")["reason"]["code"], "missing_permission");
    let deleted = app.call(&agent, "DELETE", &format!("/v1/roles/{preset}"), None);
    assert_eq!(deleted.assert_problem(403, "forbidden")["reason"]["code"], "missing_permission");
    // Nor which role keys exist, whether given to someone, to oneself or to a new person.
    let ghost = json!({"roles": ["no_such_role"]});
    let id = &other.user_id;
    for (method, path, body) in [
        ("PUT", format!("/v1/users/{id}/roles"), ghost.clone()),
        ("PUT", format!("/v1/users/{}/roles", agent.user_id), ghost.clone()),
        ("POST", format!("/v1/users/{id}/role-grants"), json!({"role": "no_such_role"})),
        ("POST", "/v1/users".to_owned(), json!({"email": "n@acme.example", "name": "N", "roles": ["no_such_role"]})),
        ("POST", "/v1/users/bulk-role".to_owned(), json!({"user_ids": [id], "role": "no_such_role"})),
    ] {
        let refused = app.call(&agent, method, &path, Some(body));
        assert_eq!(refused.status, 403, "{method} {path}: {}", refused.body);
    }
    // From the owner, the same requests are judged on what they say.
    app.call(&owner, "POST", "/v1/roles", Some(invalid)).assert_problem(422, "invalid");
    let unknown = app.call(&owner, "PUT", &format!("/v1/users/{id}/roles"), Some(ghost)).assert_problem(422, "invalid");
    assert_eq!(unknown["field"], "roles");
}
