//! Identity-provider groups mapped to roles and dashboard access: whoever the provider puts in a
//! mapped group gets them, in the transaction of the membership change, audited with the provider as
//! actor; the highest priority wins where a person holds one role, all of them count where roles
//! combine; and a mapping gives no more than its writer could give.

use serde_json::{Value, json};
use switchboard_testkit::app::{Builder, TestApp};
use switchboard_testkit::http::{Reply, Session};

fn scim_token(app: &TestApp, by: &Session) -> String {
    let reply = app.call(by, "POST", "/v1/scim-tokens", Some(json!({"name": "Okta"})));
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["token"].as_str().unwrap().to_owned()
}

fn scim(app: &TestApp, token: &str, method: &str, path: &str, body: Value) -> Reply {
    let auth = format!("Bearer {token}");
    app.request(method, &format!("/scim/v2{path}"), Some(&body.to_string()), &[("authorization", &auth)])
}

/// A provider's group with no members yet; its id.
fn group(app: &TestApp, token: &str, name: &str) -> String {
    let reply = scim(app, token, "POST", "/Groups", json!({"displayName": name}));
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().unwrap().to_owned()
}

fn members(app: &TestApp, token: &str, group: &str, op: &str, user: &str) -> Reply {
    let ops = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": op, "path": "members", "value": [{"value": user}]}]});
    scim(app, token, "PATCH", &format!("/Groups/{group}"), ops)
}

fn map(app: &TestApp, who: &Session, body: Value) -> Reply {
    app.call(who, "POST", "/v1/group-mappings", Some(body))
}

fn roles_of(app: &TestApp, who: &Session, user: &str) -> Vec<String> {
    let detail = app.call(who, "GET", &format!("/v1/users/{user}"), None).json();
    let mut keys: Vec<String> =
        detail["roles"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap().to_owned()).collect();
    keys.sort();
    keys
}

/// A person the provider made; their id.
fn provisioned(app: &TestApp, token: &str, user_name: &str) -> String {
    let reply = scim(app, token, "POST", "/Users", json!({"userName": user_name}));
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().unwrap().to_owned()
}

fn support_leads_become_supervisors_with_the_support_dashboard_and_stop_when_they_leave(app: Builder) {
    let app = app.account("acme", "groups-ivr").start();
    let owner = app.session("owner@acme.example");
    let token = scim_token(&app, &owner);
    let support = app.call(&owner, "POST", "/v1/workgroups", Some(json!({"name": "Support"}))).json()["id"].clone();
    let leads = group(&app, &token, "Support leads");
    let mapping = map(
        &app,
        &owner,
        json!({"group_id": leads, "roles": ["supervisor"], "dashboard": {"workgroups": [support], "ivrs": []}}),
    );
    assert_eq!(mapping.status, 201, "{}", mapping.body);
    assert_eq!(mapping.json()["roles"], json!(["supervisor"]));
    let ada = provisioned(&app, &token, "ada@acme.example");
    assert_eq!(roles_of(&app, &owner, &ada), Vec::<String>::new(), "this pack has no default role");

    assert_eq!(members(&app, &token, &leads, "add", &ada).status, 200);
    assert_eq!(roles_of(&app, &owner, &ada), ["supervisor"]);
    let detail = app.call(&owner, "GET", &format!("/v1/users/{ada}"), None).json();
    assert_eq!(detail["dashboard_access"]["workgroups"], json!([support]));
    let events = app.call(&owner, "GET", "/v1/audit-events?actor_kind=scim_token&limit=200", None).json();
    let actions: Vec<&str> =
        events["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    // newest first: the membership, then the role and the dashboard access it brought
    assert_eq!(
        actions[..3],
        ["user.set_dashboard_access", "user.set_roles", "workgroup.set_members"],
        "by the provider"
    );

    assert_eq!(members(&app, &token, &leads, "remove", &ada).status, 200);
    assert_eq!(roles_of(&app, &owner, &ada), Vec::<String>::new());
    let detail = app.call(&owner, "GET", &format!("/v1/users/{ada}"), None).json();
    assert_eq!(detail["dashboard_access"]["workgroups"], json!([]));

    // a dashboard workgroup deleted since the mapping was written gives nothing, and blocks nothing
    assert_eq!(app.call(&owner, "DELETE", &format!("/v1/workgroups/{}", support.as_str().unwrap()), None).status, 204);
    assert_eq!(members(&app, &token, &leads, "add", &ada).status, 200);
    assert_eq!(roles_of(&app, &owner, &ada), ["supervisor"]);
    assert_eq!(members(&app, &token, &leads, "remove", &ada).status, 200);
    // deleting the provider's group takes what it gave
    assert_eq!(members(&app, &token, &leads, "add", &ada).status, 200);
    assert_eq!(scim(&app, &token, "DELETE", &format!("/Groups/{leads}"), json!({})).status, 204);
    assert_eq!(roles_of(&app, &owner, &ada), Vec::<String>::new());
    assert_eq!(
        app.call(&owner, "GET", "/v1/group-mappings", None).json()["items"],
        json!([]),
        "the mapping went with its group"
    );
}

fn where_one_role_is_held_the_highest_priority_wins_and_where_roles_combine_all_count(app: Builder) {
    let app = app.account("single", "mightycall").account("combined", "aircall").start();
    // MightyCall: one role per person
    let owner = app.session("owner@single.example");
    let token = scim_token(&app, &owner);
    let (managers, agents) = (group(&app, &token, "Managers"), group(&app, &token, "Agents"));
    assert_eq!(map(&app, &owner, json!({"group_id": managers, "roles": ["manager"], "priority": 10.0})).status, 201);
    assert_eq!(map(&app, &owner, json!({"group_id": agents, "roles": ["agent"]})).status, 201);
    let two_roles = map(&app, &owner, json!({"group_id": group(&app, &token, "Both"), "roles": ["agent", "manager"]}));
    assert_eq!(two_roles.assert_problem(403, "forbidden")["reason"]["code"], "single_role_mode");
    let lin = provisioned(&app, &token, "lin@single.example");
    assert_eq!(members(&app, &token, &agents, "add", &lin).status, 200);
    assert_eq!(members(&app, &token, &managers, "add", &lin).status, 200);
    assert_eq!(roles_of(&app, &owner, &lin), ["manager"]);
    assert_eq!(members(&app, &token, &managers, "remove", &lin).status, 200);
    assert_eq!(roles_of(&app, &owner, &lin), ["agent"]);

    // Aircall: roles combine, and every person keeps Agent
    let owner = app.session("owner@combined.example");
    let token = scim_token(&app, &owner);
    let (leads, admins) = (group(&app, &token, "Leads"), group(&app, &token, "Admins"));
    assert_eq!(map(&app, &owner, json!({"group_id": leads, "roles": ["supervisor"]})).status, 201);
    let mo = provisioned(&app, &token, "mo@combined.example");
    assert_eq!(members(&app, &token, &leads, "add", &mo).status, 200);
    // a mapping made when members are in the group applies to them at once
    assert_eq!(members(&app, &token, &admins, "add", &mo).status, 200);
    let made = map(&app, &owner, json!({"group_id": admins, "roles": ["admin"]}));
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(roles_of(&app, &owner, &mo), ["admin", "agent", "supervisor"]);
    // changed, then removed
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let changed = app.call(
        &owner,
        "PUT",
        &format!("/v1/group-mappings/{id}"),
        Some(json!({"roles": ["supervisor"], "priority": 5})),
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(roles_of(&app, &owner, &mo), ["agent", "supervisor"]);
    assert_eq!(app.call(&owner, "DELETE", &format!("/v1/group-mappings/{id}"), None).status, 204);
    assert_eq!(roles_of(&app, &owner, &mo), ["agent", "supervisor"], "the Leads mapping still gives Supervisor");
    assert_eq!(members(&app, &token, &leads, "remove", &mo).status, 200);
    assert_eq!(roles_of(&app, &owner, &mo), ["agent"]);
}

fn a_mapping_gives_no_more_than_its_writer_could_and_bad_ones_change_nothing(app: Builder) {
    let app = app.account("acme", "aircall").user("agent@acme.example", &["agent"]).start();
    let owner = app.session("owner@acme.example");
    let token = scim_token(&app, &owner);
    let leads = group(&app, &token, "Leads");
    // a role manager without an admin's access cannot map a group to Admin
    let role = json!({"key": "role_manager", "name": "Role manager", "grants": {
        "team.roles": {"level": "manage"}, "team.members": {"level": "view"}, "team.workgroups": {"level": "view"}}});
    assert_eq!(app.call(&owner, "POST", "/v1/roles", Some(role)).status, 201);
    let manager = app.user(&owner, "acme", "roles@acme.example", &["agent", "role_manager"]);
    let refused = map(&app, &manager, json!({"group_id": leads, "roles": ["agent", "admin"]}));
    refused.assert_problem(403, "forbidden");
    map(&app, &app.session("agent@acme.example"), json!({"group_id": leads, "roles": ["agent"]}))
        .assert_problem(403, "forbidden");
    // unknown groups, roles and dashboard entries, twice-mapped groups
    let nowhere = "6c1f4a4e-9d64-4bb2-9b2a-1b1f0c8c5d11";
    assert_eq!(
        map(&app, &owner, json!({"group_id": nowhere, "roles": ["agent"]})).assert_problem(422, "invalid")["field"],
        "group_id"
    );
    assert_eq!(
        map(&app, &owner, json!({"group_id": leads, "roles": ["nobody"]})).assert_problem(422, "invalid")["field"],
        "roles"
    );
    let ghost = json!({"group_id": leads, "roles": ["agent"], "dashboard": {"workgroups": [nowhere], "ivrs": []}});
    assert_eq!(map(&app, &owner, ghost).assert_problem(422, "invalid")["field"], "dashboard.workgroups");
    assert_eq!(map(&app, &owner, json!({"group_id": leads, "roles": ["agent", "supervisor"]})).status, 201);
    map(&app, &owner, json!({"group_id": leads, "roles": ["agent"]})).assert_problem(409, "conflict");
    let half = map(&app, &owner, json!({"group_id": leads, "roles": ["agent"], "priority": 1.5}));
    assert_eq!(half.assert_problem(422, "invalid")["field"], "priority");
    assert_eq!(app.call(&owner, "GET", "/v1/group-mappings", None).json()["items"].as_array().unwrap().len(), 1);

    // a provider whose token's creator may not change a member's roles changes nothing at all
    let limited = json!({"key": "directory", "name": "Directory", "grants": {
        "integrations.api": {"level": "manage", "rights": ["integrations.api.scim"]},
        "team.members": {"level": "manage", "rights": ["team.members.edit", "team.members.invite"]},
        "team.workgroups": {"level": "manage"}}});
    assert_eq!(app.call(&owner, "POST", "/v1/roles", Some(limited)).status, 201);
    let directory = app.user(&owner, "acme", "directory@acme.example", &["agent", "directory"]);
    let weak_token = scim_token(&app, &directory);
    let agent = app.session("agent@acme.example").user_id;
    let refused = members(&app, &weak_token, &leads, "add", &agent);
    assert_eq!(refused.status, 403, "{}", refused.body);
    let workgroup = app.call(&owner, "GET", &format!("/v1/workgroups/{leads}"), None).json();
    assert_eq!(workgroup["members"], json!([]), "the membership was not written either");
    assert_eq!(roles_of(&app, &owner, &agent), ["agent"]);
    // the owner's provider may
    assert_eq!(members(&app, &token, &leads, "add", &agent).status, 200);
    assert_eq!(roles_of(&app, &owner, &agent), ["agent", "supervisor"]);
}

on_both_backends!(
    support_leads_become_supervisors_with_the_support_dashboard_and_stop_when_they_leave,
    where_one_role_is_held_the_highest_priority_wins_and_where_roles_combine_all_count,
    a_mapping_gives_no_more_than_its_writer_could_and_bad_ones_change_nothing,
);
