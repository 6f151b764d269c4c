//! The account itself (issue 14, item 4, in part): its superadmin hands the role to another active
//! person — DESIGN §1: the superadmin is transferable and never missing.

use serde_json::json;
use switchboard_testkit::app::TestApp;

#[test]
fn the_superadmin_hands_the_role_to_another_active_person_and_nobody_else_can() {
    let app = TestApp::new()
        .account("acme", "mightycall")
        .user("ada@acme.example", &["administrator"])
        .user("manager@acme.example", &["manager"])
        .start();
    let owner = app.session("owner@acme.example");
    let ada = app.session("ada@acme.example");
    let manager = app.session("manager@acme.example");
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
