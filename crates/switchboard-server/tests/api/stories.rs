//! The seeds' stories, told over HTTP against a real server with the real preset plugins.

use serde_json::json;
use switchboard_testkit::app::{Builder, TestApp};

on_both_backends!(the_dry_run_lists_what_each_user_would_lose_and_keep_access_loses_nothing,);

// rule MC-3
#[test]
fn a_manager_cannot_view_roles() {
    let app = TestApp::new().account("acme", "mightycall").user("manager@acme.example", &["manager"]).start();
    let manager = app.session("manager@acme.example");
    let reply = app.call(&manager, "GET", "/v1/roles", None);
    let problem = reply.assert_problem(403, "forbidden");
    assert_eq!(problem["reason"]["code"], "missing_permission");
    assert_eq!(problem["reason"]["section"], "team.roles");
    // The sections a manager lacks simply aren't there (rule MC-17).
    let me = app.call(&manager, "GET", "/v1/me", None).json();
    let sections: Vec<&str> =
        me["permissions"]["sections"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert!(sections.contains(&"numbers") && !sections.contains(&"team.roles"), "{sections:?}");
}

// rule MC-15
#[test]
fn the_roles_list_shows_every_role_with_its_member_count() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    app.user(&owner, "acme", "a1@acme.example", &["agent"]);
    app.user(&owner, "acme", "a2@acme.example", &["agent"]);
    let roles = app.call(&owner, "GET", "/v1/roles", None).json();
    let count = |key: &str| {
        roles["items"].as_array().unwrap().iter().find(|r| r["key"] == key).unwrap()["member_count"].clone()
    };
    assert_eq!(count("agent"), 2);
    assert_eq!(count("administrator"), 1);
    assert_eq!(count("manager"), 0);
    let agent = app.role_id(&owner, "agent");
    let members = app.call(&owner, "GET", &format!("/v1/roles/{agent}/members"), None).json();
    assert_eq!(members["items"].as_array().unwrap().len(), 2);
}

// rule MC-16, MC-20
#[test]
fn a_custom_role_copied_from_administrator_and_narrowed_works() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    let admin = app.role_id(&owner, "administrator");
    let copy = app.call(
        &owner,
        "POST",
        &format!("/v1/roles/{admin}/copy"),
        Some(json!({"key": "contractor", "name": "Contractor"})),
    );
    assert_eq!(copy.status, 201, "{}", copy.body);
    let copy = copy.json();
    assert_eq!(copy["origin"], "custom");
    let id = copy["id"].as_str().unwrap();
    let etag = format!("\"{}\"", copy["version"]);
    let narrowed = json!({"grants": {"reports": {"level": "view", "rights": ["reports.download"]}}, "scope": "personal", "recents": "personal"});
    let auth = format!("Bearer {}", owner.token);
    let reply = app.request(
        "PATCH",
        &format!("/v1/roles/{id}"),
        Some(&narrowed.to_string()),
        &[("authorization", &auth), ("if-match", &etag)],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    // The same ETag again is stale: no lost update.
    let stale = app.request(
        "PATCH",
        &format!("/v1/roles/{id}"),
        Some(&narrowed.to_string()),
        &[("authorization", &auth), ("if-match", &etag)],
    );
    stale.assert_problem(412, "precondition_failed");

    let contractor = app.user(&owner, "acme", "c@acme.example", &["contractor"]);
    let me = app.call(&contractor, "GET", "/v1/me", None).json();
    assert_eq!(me["permissions"]["rights"], json!(["reports.download"]));
    assert_eq!(me["permissions"]["scopes"], json!(["personal"]));
    app.call(&contractor, "GET", "/v1/users", None).assert_problem(403, "forbidden");
}

// rule MC-20
#[test]
fn nobody_grants_more_than_they_hold() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    let clerk_role = json!({"key": "role_clerk", "name": "Role clerk", "grants": {
        "team.roles": {"level": "manage"}, "team.members": {"level": "manage", "rights": ["team.members.invite"]}}});
    assert_eq!(app.call(&owner, "POST", "/v1/roles", Some(clerk_role)).status, 201);
    let clerk = app.user(&owner, "acme", "clerk@acme.example", &["role_clerk"]);
    let agent = app.user(&owner, "acme", "agent@acme.example", &["agent"]);
    let reply = app.call(
        &clerk,
        "PUT",
        &format!("/v1/users/{}/roles", agent.user_id),
        Some(json!({"roles": ["administrator"]})),
    );
    let problem = reply.assert_problem(403, "forbidden");
    assert_eq!(problem["reason"]["code"], "escalation");
    let bigger = json!({"key": "bigger", "name": "Bigger", "grants": {"numbers": {"level": "view"}}});
    let problem = app.call(&clerk, "POST", "/v1/roles", Some(bigger)).assert_problem(403, "forbidden");
    assert_eq!(problem["reason"]["section"], "numbers");
}

// rule AC-6, AC-4
#[test]
fn an_admin_cannot_assign_owner_but_an_owner_can() {
    let app = TestApp::new()
        .account("air", "aircall")
        .user("admin@air.example", &["admin", "agent"])
        .user("agent@air.example", &["agent"])
        .start();
    let [owner, admin, agent] = app.sessions(["owner@air.example", "admin@air.example", "agent@air.example"]);
    let path = format!("/v1/users/{}/roles", agent.user_id);
    let problem =
        app.call(&admin, "PUT", &path, Some(json!({"roles": ["owner", "agent"]}))).assert_problem(403, "forbidden");
    assert_eq!(problem["reason"]["code"], "guarded_role");
    assert_eq!(problem["reason"]["role"], "owner");
    let reply = app.call(&owner, "PUT", &path, Some(json!({"roles": ["owner", "agent"]})));
    assert_eq!(reply.status, 200, "{}", reply.body);
}

// rule AC-12, AC-10
#[test]
fn combined_roles_give_the_union_and_every_user_keeps_agent() {
    let app = TestApp::new().account("air", "aircall").user("both@air.example", &["supervisor", "agent"]).start();
    let [owner, both] = app.sessions(["owner@air.example", "both@air.example"]);
    let me = app.call(&both, "GET", "/v1/me", None).json();
    let roles: Vec<&str> = me["roles"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(roles.len(), 2, "{roles:?}");
    let invited = app.call(&owner, "POST", "/v1/users", Some(json!({"email": "new@air.example", "name": "New"})));
    assert_eq!(invited.status, 201, "{}", invited.body);
    assert_eq!(invited.json()["roles"][0]["key"], "agent", "new users get at least Agent");
    let path = format!("/v1/users/{}/roles", both.user_id);
    let problem =
        app.call(&owner, "PUT", &path, Some(json!({"roles": ["supervisor"]}))).assert_problem(403, "forbidden");
    assert_eq!(problem["reason"]["code"], "default_role_required");
}

// rule GI-6, GI-5
#[test]
fn an_admin_cannot_change_another_admins_access_the_superadmin_can() {
    let app = TestApp::new()
        .account("ring", "groups-ivr")
        .user("a1@ring.example", &["admin"])
        .user("a2@ring.example", &["admin"])
        .start();
    let [sup, a1, a2] = app.sessions(["owner@ring.example", "a1@ring.example", "a2@ring.example"]);
    let path = format!("/v1/users/{}/dashboard-access", a2.user_id);
    let access = json!({"workgroups": [], "ivrs": []});
    let problem = app.call(&a1, "PUT", &path, Some(access.clone())).assert_problem(403, "forbidden");
    assert_eq!(problem["reason"]["code"], "peer_protected");
    assert_eq!(app.call(&sup, "PUT", &path, Some(access)).status, 200);
    // Only the superadmin grants Admin.
    let u = app.user(&sup, "ring", "u@ring.example", &[]);
    let problem = app
        .call(&a1, "PUT", &format!("/v1/users/{}/roles", u.user_id), Some(json!({"roles": ["admin"]})))
        .assert_problem(403, "forbidden");
    assert_eq!(problem["reason"]["code"], "guarded_role");
}

#[test]
fn another_accounts_ids_answer_404_and_change_nothing() {
    let app = TestApp::spawn();
    let a = app.account("alpha", "mightycall");
    let b = app.account("beta", "mightycall");
    let a_role = app.role_id(&a, "agent");
    app.call(&b, "GET", &format!("/v1/roles/{a_role}"), None).assert_problem(404, "not_found");
    app.call(&b, "DELETE", &format!("/v1/roles/{a_role}"), None).assert_problem(404, "not_found");
    app.call(&b, "GET", &format!("/v1/users/{}", a.user_id), None).assert_problem(404, "not_found");
    app.call(&b, "PATCH", &format!("/v1/users/{}", a.user_id), Some(json!({"name": "pwned"})))
        .assert_problem(404, "not_found");
    let still = app.call(&a, "GET", &format!("/v1/users/{}", a.user_id), None).json();
    assert_eq!(still["name"], "Owner");
}

#[test]
fn bad_input_gets_a_clear_problem_and_stores_nothing() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    let unknown = json!({"key": "x", "name": "X", "grants": {"nope.section": {"level": "view"}}});
    let problem = app.call(&owner, "POST", "/v1/roles", Some(unknown)).assert_problem(422, "invalid");
    assert_eq!(problem["field"], "grants");
    let problem = app.call(&owner, "POST", "/v1/roles", Some(json!({"key": "x"}))).assert_problem(422, "invalid");
    assert_eq!(problem["field"], "name", "the missing field is named");
    let auth = format!("Bearer {}", owner.token);
    app.request("POST", "/v1/roles", Some("{not json"), &[("authorization", &auth)]).assert_problem(400, "bad_request");
    // A role's fields in order, as an array: serde would read it by position; the API takes objects.
    let positional = json!(["x", "X", {}]);
    let problem = app.call(&owner, "POST", "/v1/roles", Some(positional)).assert_problem(422, "invalid");
    assert_eq!(problem["detail"], "the request body must be a JSON object");
    let roles = app.call(&owner, "GET", "/v1/roles", None).json();
    assert_eq!(roles["items"].as_array().unwrap().len(), 3, "nothing was created");
}

#[test]
fn requests_without_valid_credentials_are_401() {
    let app = TestApp::spawn();
    app.account("acme", "mightycall");
    app.get("/v1/me").assert_problem(401, "unauthenticated");
    app.request("GET", "/v1/me", None, &[("authorization", "Bearer nope")]).assert_problem(401, "unauthenticated");
    app.request("GET", "/v1/me", None, &[("x-api-key", "sbk_nope")]).assert_problem(401, "unauthenticated");
    let wrong = json!({"account": "acme", "email": "owner@acme.example", "password": "wrong-password"});
    app.request("POST", "/v1/auth/token", Some(&wrong.to_string()), &[]).assert_problem(401, "unauthenticated");
    app.request("GET", "/v1/accounts", None, &[("authorization", "Bearer not-the-operator")])
        .assert_problem(401, "unauthenticated");
}

// rule AC-13
#[test]
fn the_role_matrix_comes_as_json_or_csv() {
    let app = TestApp::spawn();
    let owner = app.account("air", "aircall");
    let matrix = app.call(&owner, "GET", "/v1/roles/matrix", None).json();
    let owner_row = matrix["roles"].as_array().unwrap().iter().find(|r| r["key"] == "owner").unwrap();
    assert_eq!(owner_row["levels"]["team.roles"], "manage");
    let auth = format!("Bearer {}", owner.token);
    let csv = app.request("GET", "/v1/roles/matrix", None, &[("authorization", &auth), ("accept", "text/csv")]);
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv.body.starts_with("role,name,scope,recents,"), "{}", &csv.body[..80]);
    assert_eq!(csv.body.lines().count(), 5, "a header and one row per each of the 4 roles");
}

// rule AC-14, AC-15, AC-16
#[test]
fn moving_from_the_classic_roles_maps_the_billing_owner_admins_and_agents() {
    let app = TestApp::new()
        .account("air", "aircall-classic")
        .user("admin@air.example", &["admin"])
        .user("agent@air.example", &["agent"])
        .start();
    let [owner, admin, agent] = app.sessions(["owner@air.example", "admin@air.example", "agent@air.example"]);
    let problem = app
        .call(&admin, "POST", "/v1/presets/migrate", Some(json!({"to_pack": "aircall"})))
        .assert_problem(403, "forbidden");
    assert_eq!(problem["reason"]["code"], "superadmin_only");

    let plan = app.call(&owner, "POST", "/v1/presets/migrate", Some(json!({"to_pack": "aircall"})));
    assert_eq!(plan.status, 200, "{}", plan.body);
    let plan = plan.json();
    assert_eq!((plan["dry_run"].clone(), plan["applied"].clone()), (json!(true), json!(false)));
    let to =
        |user: &str| plan["users"].as_array().unwrap().iter().find(|u| u["user_id"] == user).unwrap()["to"].clone();
    assert_eq!(to(&owner.user_id), json!(["owner", "admin", "agent"]), "the billing owner");
    assert_eq!(to(&admin.user_id), json!(["admin", "agent"]), "former admins");
    assert_eq!(to(&agent.user_id), json!(["agent"]), "agents keep Agent");
    let me = app.call(&admin, "GET", "/v1/me", None).json();
    assert_eq!(me["account"]["preset"], "aircall-classic", "a dry run changes nothing");

    let applied =
        app.call(&owner, "POST", "/v1/presets/migrate", Some(json!({"to_pack": "aircall", "dry_run": false})));
    assert_eq!(applied.status, 200, "{}", applied.body);
    let me = app.call(&admin, "GET", "/v1/me", None).json();
    assert_eq!(me["account"]["preset"], "aircall");
    let roles: Vec<&str> = me["roles"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(roles, vec!["admin", "agent"]);
    let owner_me = app.call(&owner, "GET", "/v1/me", None).json();
    assert_eq!(owner_me["roles"].as_array().unwrap().len(), 3);
    let roles = app.call(&owner, "GET", "/v1/roles", None).json();
    let origins: Vec<&str> = roles["items"].as_array().unwrap().iter().map(|r| r["origin"].as_str().unwrap()).collect();
    assert!(origins.iter().all(|o| *o == "preset:aircall"), "{origins:?}");
}

// rule AC-17 (seed 003: "to keep the same permissions, current Admins need Owner + Admin + Agent")
fn the_dry_run_lists_what_each_user_would_lose_and_keep_access_loses_nothing(app: Builder) {
    let app = app
        .account("air", "aircall-classic")
        .user("admin@air.example", &["admin"])
        .user("agent@air.example", &["agent"])
        .start();
    let [owner, admin, agent] = app.sessions(["owner@air.example", "admin@air.example", "agent@air.example"]);
    let plan = app.call(&owner, "POST", "/v1/presets/migrate", Some(json!({"to_pack": "aircall"}))).json();
    let user = |plan: &serde_json::Value, id: &str| {
        plan["users"].as_array().unwrap().iter().find(|u| u["user_id"] == id).unwrap().clone()
    };
    // The new Admin alone is less than the former Admin: the plan says by how much.
    let loses = user(&plan, &admin.user_id)["loses"].clone();
    let sections: Vec<&str> =
        loses["sections"].as_array().unwrap().iter().map(|s| s["section"].as_str().unwrap()).collect();
    assert!(sections.contains(&"billing.plan") && sections.contains(&"billing.information"), "{loses}");
    assert_eq!(loses["rights"], json!(["billing.plan.change"]));
    let plan_section = loses["sections"].as_array().unwrap().iter().find(|s| s["section"] == "billing.plan").unwrap();
    assert_eq!((plan_section["from"].clone(), plan_section["to"].clone()), (json!("manage"), json!("none")));
    let nothing = json!({"sections": [], "rights": [], "scopes": [], "numbers": [], "recents": false, "kinds": []});
    assert_eq!(user(&plan, &agent.user_id)["loses"], nothing, "Agents keep the same access (AC-16)");
    assert_eq!(user(&plan, &owner.user_id)["loses"], nothing, "the superadmin keeps everything");

    // Keeping access: former Admins get Owner + Admin + Agent, and lose nothing.
    let keep = json!({"to_pack": "aircall", "keep_access": true});
    let plan = app.call(&owner, "POST", "/v1/presets/migrate", Some(keep)).json();
    assert_eq!(plan["keep_access"], true);
    assert_eq!(user(&plan, &admin.user_id)["to"], json!(["owner", "admin", "agent"]));
    for u in plan["users"].as_array().unwrap() {
        assert_eq!(u["loses"], nothing, "{u}");
    }
    let keep = json!({"to_pack": "aircall", "keep_access": true, "dry_run": false});
    let applied = app.call(&owner, "POST", "/v1/presets/migrate", Some(keep));
    assert_eq!(applied.status, 200, "{}", applied.body);
    let me = app.call(&admin, "GET", "/v1/me", None).json();
    let roles: Vec<&str> = me["roles"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(roles, vec!["owner", "admin", "agent"]);
}

#[test]
fn a_revoked_role_or_a_disabled_user_takes_effect_on_the_next_request() {
    // A role that only views people: taking it away takes no authority, so the session goes on
    // (losing authority ends it: `credentials.rs`).
    let app = TestApp::new().account("acme", "mightycall").start();
    let owner = app.session("owner@acme.example");
    let viewer = json!({"key": "viewer", "name": "Viewer", "grants": {"team.members": {"level": "view"}}});
    assert_eq!(app.call(&owner, "POST", "/v1/roles", Some(viewer)).status, 201);
    let manager = app.user(&owner, "acme", "viewer@acme.example", &["viewer"]);
    // Warm the cache: these decisions are answered from memory afterwards.
    for _ in 0..3 {
        assert_eq!(app.call(&manager, "GET", "/v1/users", None).status, 200);
    }
    let demoted =
        app.call(&owner, "PUT", &format!("/v1/users/{}/roles", manager.user_id), Some(json!({"roles": ["agent"]})));
    assert_eq!(demoted.status, 200, "{}", demoted.body);
    app.call(&manager, "GET", "/v1/users", None).assert_problem(403, "forbidden");
    let disabled =
        app.call(&owner, "PATCH", &format!("/v1/users/{}", manager.user_id), Some(json!({"status": "disabled"})));
    assert_eq!(disabled.status, 200, "{}", disabled.body);
    app.call(&manager, "GET", "/v1/me", None).assert_problem(401, "unauthenticated");
}

#[test]
fn concurrent_edits_with_the_same_if_match_let_exactly_one_win() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    let role = app.call(&owner, "POST", "/v1/roles", Some(json!({"key": "shared", "name": "Shared"}))).json();
    let (id, etag) = (role["id"].as_str().unwrap().to_owned(), format!("\"{}\"", role["version"]));
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let (app, owner, id, etag) = (&app, &owner, &id, &etag);
                s.spawn(move || {
                    let auth = format!("Bearer {}", owner.token);
                    let body = json!({"name": format!("Writer {i}")}).to_string();
                    app.request(
                        "PATCH",
                        &format!("/v1/roles/{id}"),
                        Some(&body),
                        &[("authorization", &auth), ("if-match", etag)],
                    )
                    .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 412).count(), 7, "{statuses:?}");
}

#[test]
fn a_malformed_id_is_a_404_and_a_literal_route_with_the_wrong_method_a_405() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    let reply = app.call(&owner, "PATCH", "/v1/roles/matrix", Some(json!({"name": "x"})));
    reply.assert_problem(405, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET"));
    app.call(&owner, "GET", "/v1/roles/not-a-uuid", None).assert_problem(404, "not_found");
}

#[test]
fn literal_routes_advertise_only_their_own_methods() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    let auth = format!("Bearer {}", owner.token);
    let allow = |path: &str| {
        let reply = app.request("OPTIONS", path, None, &[("authorization", &auth)]);
        reply.assert_problem(405, "method_not_allowed");
        reply.header("allow").unwrap_or_default().to_owned()
    };
    // `/v1/roles/matrix` is its own route, not `/v1/roles/{id}` with id "matrix".
    assert_eq!(allow("/v1/roles/matrix"), "GET");
    assert_eq!(allow("/v1/users/bulk-role"), "POST");
    assert_eq!(allow("/v1/communications/batch"), "POST");
    assert_eq!(allow("/v1/authorize/batch"), "POST");
    let role = app.role_id(&owner, "agent");
    assert_eq!(allow(&format!("/v1/roles/{role}")), "DELETE, GET, PATCH");
    // A segment that is no id names no record, whatever the method.
    app.request("OPTIONS", "/v1/roles/matrix/members", None, &[("authorization", &auth)])
        .assert_problem(404, "not_found");
}

#[test]
fn if_match_takes_the_documented_etag_forms_and_refuses_an_empty_one() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    let auth = format!("Bearer {}", owner.token);
    let role = app.call(&owner, "POST", "/v1/roles", Some(json!({"key": "shared", "name": "Shared"})));
    assert_eq!(role.status, 201, "{}", role.body);
    let id = role.json()["id"].as_str().unwrap().to_owned();
    let patch = |if_match: &str, name: &str| {
        let body = json!({"name": name}).to_string();
        app.request(
            "PATCH",
            &format!("/v1/roles/{id}"),
            Some(&body),
            &[("authorization", &auth), ("if-match", if_match)],
        )
    };
    // An empty If-Match is a lost ETag, not "no precondition".
    patch("", "Lost").assert_problem(400, "bad_request");
    patch("\"3\"\"", "Odd").assert_problem(400, "bad_request");
    let strong = patch(role.header("etag").unwrap(), "Strong");
    assert_eq!(strong.status, 200, "{}", strong.body);
    let etag = strong.header("etag").unwrap().to_owned();
    let weak = patch(&format!("W/{etag}"), "Weak");
    assert_eq!(weak.status, 200, "{}", weak.body);
    let version = weak.json()["version"].to_string();
    let bare = patch(&version, "Bare");
    assert_eq!(bare.status, 200, "the bare `version` is accepted too: {}", bare.body);
    patch(&version, "Stale").assert_problem(412, "precondition_failed");
    assert_eq!(patch("*", "Any").status, 200);
}

#[test]
fn every_change_documenting_if_match_refuses_a_malformed_one_after_the_credentials_and_changes_nothing() {
    // Read from the document, so a change that takes If-Match later is held to it too.
    let spec: serde_json::Value = serde_json::from_str(&switchboard_server::openapi::spec_json()).unwrap();
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    let auth = format!("Bearer {}", owner.token);
    let role = app.call(&owner, "POST", "/v1/roles", Some(json!({"key": "shared", "name": "Shared"}))).json();
    let role_id = role["id"].as_str().unwrap().to_owned();
    let mut guarded = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let params = operation["parameters"].as_array().cloned().unwrap_or_default();
            if !params.iter().any(|p| p["name"] == "If-Match") {
                continue;
            }
            // Real records where the path names one, so "changes nothing" is seen on them.
            let id = if path.starts_with("/v1/roles/") { &role_id } else { &owner.user_id };
            let url = path.replace("{id}", id);
            let body = json!({}).to_string();
            let send = |authorization: &str| {
                let headers =
                    [("authorization", authorization), ("if-match", "\"3"), ("content-type", "application/json")];
                app.request(&method.to_uppercase(), &url, Some(&body), &headers)
            };
            // Credentials are judged first: an unknown token is a 401 whatever its If-Match says.
            send("Bearer not-a-token").assert_problem(401, "unauthenticated");
            send(&auth).assert_problem(400, "bad_request");
            guarded.push(format!("{method} {path}"));
        }
    }
    assert!(guarded.len() >= 8, "the If-Match changes: {guarded:?}");
    let after = app.call(&owner, "GET", &format!("/v1/roles/{role_id}"), None).json();
    assert_eq!((after["name"].clone(), after["version"].clone()), (role["name"].clone(), role["version"].clone()));
    let me = app.call(&owner, "GET", &format!("/v1/users/{}", owner.user_id), None);
    assert_eq!(me.status, 200, "the person is still there: {}", me.body);
}

#[test]
fn migrating_to_the_pack_the_account_is_already_on_is_a_conflict() {
    let app = TestApp::spawn();
    let owner = app.account("air", "aircall");
    let problem = app
        .call(&owner, "POST", "/v1/presets/migrate", Some(json!({"to_pack": "aircall"})))
        .assert_problem(409, "conflict");
    assert!(problem["detail"].as_str().unwrap().contains("already on"), "{problem}");
    let problem = app
        .call(&owner, "POST", "/v1/presets/migrate", Some(json!({"to_pack": "no-such-pack"})))
        .assert_problem(422, "invalid");
    assert_eq!(problem["field"], "to_pack");
}

#[test]
fn a_bulk_role_change_names_each_user_once_and_only_users_of_the_account() {
    let app = TestApp::new().account("acme", "mightycall").user("agent@acme.example", &["agent"]).start();
    let [owner, agent] = app.sessions(["owner@acme.example", "agent@acme.example"]);
    let twice = json!({"role": "manager", "user_ids": [agent.user_id, agent.user_id]});
    let problem = app.call(&owner, "POST", "/v1/users/bulk-role", Some(twice)).assert_problem(422, "invalid");
    assert_eq!(problem["field"], "user_ids");
    let stranger = "5f0c1a3e-0000-4000-8000-000000000001";
    let unknown = json!({"role": "manager", "user_ids": [agent.user_id, stranger]});
    let problem = app.call(&owner, "POST", "/v1/users/bulk-role", Some(unknown)).assert_problem(422, "invalid");
    assert_eq!(problem["field"], "user_ids");
    assert!(problem["detail"].as_str().unwrap().contains(stranger), "{problem}");
    let role = json!({"role": "no_such_role", "user_ids": [agent.user_id]});
    let problem = app.call(&owner, "POST", "/v1/users/bulk-role", Some(role)).assert_problem(422, "invalid");
    assert_eq!(problem["field"], "role");
    let manager = app.role_id(&owner, "manager");
    let members = json!({"user_ids": [stranger]});
    let problem =
        app.call(&owner, "POST", &format!("/v1/roles/{manager}/members"), Some(members)).assert_problem(422, "invalid");
    assert_eq!(problem["field"], "user_ids");
}

#[test]
fn names_and_emails_are_refused_with_the_field_that_breaks_the_documented_rule() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    let invite =
        |email: &str, name: &str| app.call(&owner, "POST", "/v1/users", Some(json!({"email": email, "name": name})));
    assert_eq!(invite("blank@acme.example", " \u{a0}\t").assert_problem(422, "invalid")["field"], "name");
    assert_eq!(invite("no-domain-dot@acme", "Ann").assert_problem(422, "invalid")["field"], "email");
    // At most 254 characters, blanks around it included; the blanks are dropped and case is folded.
    let longest = format!("{}@acme.example", "e".repeat(254 - "@acme.example".len()));
    assert_eq!(invite(&format!("{longest}x"), "Ann").assert_problem(422, "invalid")["field"], "email");
    let padded = invite(&format!(" {}", longest[1..].to_uppercase()), "Ann");
    assert_eq!(padded.status, 201, "{}", padded.body);
    assert_eq!(padded.json()["email"], longest[1..].to_owned());
    let wg = app.call(&owner, "POST", "/v1/workgroups", Some(json!({"name": "   "})));
    assert_eq!(wg.assert_problem(422, "invalid")["field"], "name");
    let number = json!({"e164": "+0155", "kind": "local"});
    assert_eq!(app.call(&owner, "POST", "/v1/numbers", Some(number)).assert_problem(422, "invalid")["field"], "e164");
}
