//! The account itself (issue 14, item 4, in part): its superadmin hands the role to another active
//! person — DESIGN §1: the superadmin is transferable and never missing.

use serde_json::json;
use switchboard_testkit::app::{Builder, TestApp};

on_both_backends!(administrators_edit_and_delete_the_account_and_agents_cannot,);

#[test]
fn the_superadmin_hands_the_role_to_another_active_person_and_nobody_else_can() {
    let app = TestApp::new()
        .account("acme", "mightycall")
        .user("ada@acme.example", &["administrator"])
        .user("manager@acme.example", &["manager"])
        .start();
    let [owner, ada, manager] = app.sessions(["owner@acme.example", "ada@acme.example", "manager@acme.example"]);
    let to_ada = json!({"user_id": ada.user_id});
    let by_manager = app.call(&manager, "POST", "/v1/account/superadmin", Some(to_ada.clone()));
    assert_eq!(by_manager.assert_problem(403, "forbidden")["reason"]["code"], "superadmin_only");
    let key =
        app.call(&owner, "POST", "/v1/api-keys", Some(json!({"name": "k"}))).json()["key"].as_str().unwrap().to_owned();
    let with_key = app.request("POST", "/v1/account/superadmin", Some(&to_ada.to_string()), &[("x-api-key", &key)]);
    assert_eq!(with_key.assert_problem(403, "forbidden")["reason"]["code"], "interactive_only");
    let invited =
        app.call(&owner, "POST", "/v1/users", Some(json!({"email": "new@acme.example", "name": "New"}))).json();
    let to_invited = json!({"user_id": invited["id"]});
    let refused = app.call(&owner, "POST", "/v1/account/superadmin", Some(to_invited));
    assert_eq!(refused.assert_problem(422, "invalid")["field"], "user_id");

    let moved = app.call(&owner, "POST", "/v1/account/superadmin", Some(to_ada));
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.json()["superadmin_id"], ada.user_id.as_str());
    assert_eq!(app.call(&ada, "GET", "/v1/me", None).json()["user"]["superadmin"], true);
    let former = app.call(&owner, "GET", "/v1/me", None).json();
    assert_eq!(former["user"]["superadmin"], false, "the session that handed it over goes on, without it: {former}");
    let back = app.call(&owner, "POST", "/v1/account/superadmin", Some(json!({"user_id": owner.user_id})));
    assert_eq!(back.assert_problem(403, "forbidden")["reason"]["code"], "superadmin_only");
    let log = app.call(&ada, "GET", "/v1/audit-events?action=account.transfer_superadmin", None).json();
    assert_eq!(log["items"][0]["after"]["superadmin"], ada.user_id.as_str(), "{log}");
}

// rule MC-2: "edit and delete the account"
fn administrators_edit_and_delete_the_account_and_agents_cannot(app: Builder) {
    let app = app
        .account("acme", "mightycall")
        .user("admin@acme.example", &["administrator"])
        .user("agent@acme.example", &["agent"])
        .start();
    let [owner, admin, agent] = app.sessions(["owner@acme.example", "admin@acme.example", "agent@acme.example"]);
    let other = app.account("other", "aircall");

    let account = app.call(&admin, "GET", "/v1/account", None);
    assert_eq!(account.status, 200, "{}", account.body);
    assert_eq!((account.json()["slug"].clone(), account.header("etag")), (json!("acme"), Some("\"1\"")));
    app.call(&agent, "GET", "/v1/account", None).assert_problem(403, "forbidden");
    let problem =
        app.call(&agent, "PATCH", "/v1/account", Some(json!({"name": "Mine"}))).assert_problem(403, "forbidden");
    assert_eq!(problem["reason"]["section"], "account");
    // Renaming: checked like every name, guarded by If-Match.
    app.call(&admin, "PATCH", "/v1/account", Some(json!({"name": " "}))).assert_problem(422, "invalid");
    let renamed = app.request(
        "PATCH",
        "/v1/account",
        Some(r#"{"name": "Acme Call Center"}"#),
        &[("authorization", &format!("Bearer {}", admin.token)), ("if-match", "\"1\"")],
    );
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.json()["name"], "Acme Call Center");
    let stale = app.request(
        "PATCH",
        "/v1/account",
        Some(r#"{"name": "Again"}"#),
        &[("authorization", &format!("Bearer {}", admin.token)), ("if-match", "\"1\"")],
    );
    stale.assert_problem(412, "precondition_failed");
    let audit = app.call(&owner, "GET", "/v1/audit-events?action=account.update", None).json();
    assert_eq!(audit["items"][0]["after"]["name"], "Acme Call Center");

    // Deleting: confirmed by the slug, never by an API key, never by an agent.
    let key = app.call(&admin, "POST", "/v1/api-keys", Some(json!({"name": "ops"}))).json()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let by_key = app.request("DELETE", "/v1/account", Some(r#"{"confirm_slug": "acme"}"#), &[("x-api-key", &key)]);
    assert_eq!(by_key.assert_problem(403, "forbidden")["reason"]["code"], "interactive_only");
    app.call(&agent, "DELETE", "/v1/account", Some(json!({"confirm_slug": "acme"}))).assert_problem(403, "forbidden");
    let wrong = app.call(&admin, "DELETE", "/v1/account", Some(json!({"confirm_slug": "other"})));
    assert_eq!(wrong.assert_problem(422, "invalid")["field"], "confirm_slug");
    assert_eq!(app.call(&agent, "GET", "/v1/me", None).status, 200, "a refused deletion changes nothing");

    let deleted = app.call(&admin, "DELETE", "/v1/account", Some(json!({"confirm_slug": "acme"})));
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    let deleted = deleted.json();
    assert_eq!(deleted["records"]["users"], 3);
    assert_eq!(deleted["deleted_by"]["email"], "admin@acme.example");
    // Every credential of the account stops at once; the other account goes on.
    for who in [&owner, &admin, &agent] {
        app.call(who, "GET", "/v1/me", None).assert_problem(401, "unauthenticated");
    }
    app.request("GET", "/v1/me", None, &[("x-api-key", &key)]).assert_problem(401, "unauthenticated");
    assert_eq!(app.call(&other, "GET", "/v1/me", None).status, 200);
    // The operator keeps the record of who deleted it, and the slug is free again.
    let operator = switchboard_testkit::http::Session {
        token: switchboard_testkit::http::OPERATOR_KEY.to_owned(),
        user_id: String::new(),
    };
    let deletions = app.call(&operator, "GET", "/v1/account-deletions", None).json();
    assert_eq!(deletions["items"][0]["slug"], "acme");
    assert_eq!(deletions["items"][0]["deleted_by"]["email"], "admin@acme.example");
    app.account("acme", "mightycall");
}
