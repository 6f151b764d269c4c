//! SCIM 2.0 at `/scim/v2` as identity providers use it: Okta's and Entra ID's requests replayed, the
//! SCIM error document, and the rules every other change follows (a token does what its creator may,
//! no more; another account's people are never seen).

use serde_json::{Value, json};
use switchboard_testkit::app::{Builder, TestApp};
use switchboard_testkit::http::{Reply, Session};

const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// A SCIM token made by `by`.
fn scim_token(app: &TestApp, by: &Session, name: &str) -> String {
    let reply = app.call(by, "POST", "/v1/scim-tokens", Some(json!({ "name": name })));
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["token"].as_str().unwrap().to_owned()
}

fn scim(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> Reply {
    let auth = format!("Bearer {token}");
    let body = body.map(|b| b.to_string());
    app.request(method, &format!("/scim/v2{path}"), body.as_deref(), &[("authorization", &auth)])
}

/// Asserts a SCIM error document; returns it.
fn assert_scim_error(reply: &Reply, status: u16, scim_type: Option<&str>) -> Value {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/scim+json"), "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:Error"]), "{body}");
    assert_eq!(body["status"], status.to_string());
    assert_eq!(body.get("scimType").and_then(Value::as_str), scim_type, "{body}");
    body
}

fn patch(operations: Value) -> Option<Value> {
    Some(json!({"schemas": [PATCH_OP], "Operations": operations}))
}

fn user_of(app: &TestApp, who: &Session, id: &str) -> Value {
    let reply = app.call(who, "GET", &format!("/v1/users/{id}"), None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

fn audit_actions_by_scim(app: &TestApp, who: &Session) -> Vec<String> {
    let events = app.call(who, "GET", "/v1/audit-events?actor_kind=scim_token&limit=200", None).json();
    events["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect()
}

fn scim_tokens_need_their_right_and_a_session_and_work_only_at_scim(app: Builder) {
    let app = app
        .account("acme", "aircall")
        .user("agent@acme.example", &["agent"])
        .user("admin@acme.example", &["agent", "admin"])
        .start();
    let owner = app.session("owner@acme.example");
    let created = app.call(&owner, "POST", "/v1/scim-tokens", Some(json!({"name": "Okta"})));
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    let token = created["token"].as_str().unwrap();
    assert!(token.starts_with("sbscim_"), "{created}");
    let listed = app.call(&owner, "GET", "/v1/scim-tokens", None).json();
    assert_eq!(listed["items"][0]["prefix"], created["prefix"]);
    assert!(!listed.to_string().contains(&token[20..]), "the token is shown once: {listed}");
    assert!(app.call(&owner, "GET", "/v1/api-keys", None).json()["items"].as_array().unwrap().is_empty());

    // the right is `integrations.api.scim`: neither the agent nor Aircall's admin holds it
    for who in ["agent@acme.example", "admin@acme.example"] {
        app.call(&app.session(who), "POST", "/v1/scim-tokens", Some(json!({"name": "x"})))
            .assert_problem(403, "forbidden");
    }
    // an API key does not mint one (a leaked key must not outlive its revocation)
    let key = app.call(&owner, "POST", "/v1/api-keys", Some(json!({"name": "ci"}))).json()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let by_key = app.request("POST", "/v1/scim-tokens", Some(r#"{"name":"x"}"#), &[("x-api-key", &key)]);
    assert_eq!(by_key.assert_problem(403, "forbidden")["reason"]["code"], "interactive_only");

    // a SCIM token works at /scim/v2 only, and an API key never does there
    app.send(Some(token), "GET", "/v1/me", None).assert_problem(401, "unauthenticated");
    app.request("GET", "/v1/me", None, &[("x-api-key", token)]).assert_problem(401, "unauthenticated");
    assert_scim_error(&scim(&app, &key, "GET", "/Users", None), 401, None);
    assert_scim_error(&scim(&app, "", "GET", "/Users", None), 401, None);
    assert_eq!(scim(&app, token, "GET", "/Users", None).status, 200);

    // revoked: refused on the next request
    let id = created["id"].as_str().unwrap();
    assert_eq!(app.call(&owner, "DELETE", &format!("/v1/api-keys/{id}"), None).status, 404, "not an API key");
    assert_eq!(app.call(&owner, "DELETE", &format!("/v1/scim-tokens/{id}"), None).status, 204);
    assert_scim_error(&scim(&app, token, "GET", "/Users", None), 401, None);
    let audit = app.call(&owner, "GET", "/v1/audit-events?target_type=scim_token", None).json();
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["scim_token.revoke", "scim_token.create"]);
}

fn okta_provisions_finds_by_user_name_in_any_case_and_deactivates_at_once(app: Builder) {
    let app = app.account("acme", "aircall").start();
    let owner = app.session("owner@acme.example");
    let token = scim_token(&app, &owner, "Okta");
    // Okta's create
    let body = json!({
        "schemas": [USER], "userName": "Ada.Lovelace@Example.com",
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"primary": true, "value": "Ada.Lovelace@Example.com", "type": "work"}],
        "displayName": "Ada Lovelace", "locale": "en-US", "externalId": "00u1abcd", "groups": [],
        "password": "never-stored-1", "active": true
    });
    let created = scim(&app, &token, "POST", "/Users", Some(body));
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("content-type"), Some("application/scim+json"));
    let user = created.json();
    let id = user["id"].as_str().unwrap().to_owned();
    assert_eq!(created.header("location"), user["meta"]["location"].as_str());
    assert!(user["meta"]["location"].as_str().unwrap().ends_with(&format!("/scim/v2/Users/{id}")));
    assert_eq!(
        (user["userName"].clone(), user["externalId"].clone()),
        (json!("Ada.Lovelace@Example.com"), json!("00u1abcd"))
    );
    assert_eq!(user["active"], true);
    assert!(
        user.get("password").is_none() && user.get("locale").is_none(),
        "undeclared attributes are ignored: {user}"
    );
    let record = user_of(&app, &owner, &id);
    assert_eq!(
        (record["email"].clone(), record["name"].clone()),
        (json!("ada.lovelace@example.com"), json!("Ada Lovelace"))
    );
    assert_eq!(record["status"], "active");
    assert_eq!(record["roles"].as_array().unwrap().len(), 1, "the pack's default role: {record}");

    // Okta looks people up by userName, in its own case
    let found =
        scim(&app, &token, "GET", "/Users?filter=userName%20eq%20%22ada.lovelace%40example.com%22", None).json();
    assert_eq!((found["totalResults"].clone(), found["Resources"][0]["id"].clone()), (json!(1), json!(id)));
    assert_eq!(found["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]));
    let none = scim(&app, &token, "GET", "/Users?filter=userName%20eq%20%22nobody%40example.com%22", None).json();
    assert_eq!(
        (none["totalResults"].clone(), none["Resources"].clone()),
        (json!(0), json!([])),
        "a ListResponse with no hits"
    );
    // a person made here, never named by the provider, is found by their email
    let agent = app.user(&owner, "acme", "agent@acme.example", &["agent"]);
    let by_email = scim(&app, &token, "GET", "/Users?filter=userName%20eq%20%22AGENT%40acme.example%22", None).json();
    assert_eq!(by_email["Resources"][0]["id"], json!(agent.user_id));

    // Okta deactivates with a path-less replace: the person's token is refused on the next request
    assert_eq!(app.call(&agent, "GET", "/v1/me", None).status, 200, "cached");
    let deactivated = scim(
        &app,
        &token,
        "PATCH",
        &format!("/Users/{}", agent.user_id),
        patch(json!([{"op": "replace", "value": {"active": false}}])),
    );
    assert_eq!(deactivated.status, 200, "{}", deactivated.body);
    assert_eq!(deactivated.json()["active"], false);
    app.call(&agent, "GET", "/v1/me", None).assert_problem(401, "unauthenticated");
    assert_eq!(user_of(&app, &owner, &agent.user_id)["status"], "disabled");
    // and reactivates
    let back = scim(
        &app,
        &token,
        "PATCH",
        &format!("/Users/{}", agent.user_id),
        patch(json!([{"op": "replace", "value": {"active": true}}])),
    );
    assert_eq!(back.json()["active"], true);
    assert_eq!(user_of(&app, &owner, &agent.user_id)["status"], "active");

    // Okta's PUT replaces the profile; the email follows
    let put = json!({"schemas": [USER], "id": id, "userName": "ada@example.com", "name": {"givenName": "Ada", "familyName": "King"},
        "emails": [{"primary": true, "value": "ada@example.com", "type": "work"}], "active": true, "externalId": "00u1abcd"});
    let replaced = scim(&app, &token, "PUT", &format!("/Users/{id}"), Some(put));
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(replaced.json()["displayName"], Value::Null, "a replacement drops what it leaves out");
    let record = user_of(&app, &owner, &id);
    assert_eq!((record["email"].clone(), record["name"].clone()), (json!("ada@example.com"), json!("Ada King")));

    // deletion
    assert_eq!(scim(&app, &token, "DELETE", &format!("/Users/{id}"), None).status, 204);
    assert_scim_error(&scim(&app, &token, "GET", &format!("/Users/{id}"), None), 404, None);
    let actions = audit_actions_by_scim(&app, &owner);
    for action in ["user.create", "user.scim", "user.update", "user.delete"] {
        assert!(actions.iter().any(|a| a == action), "{action} by the provider in {actions:?}");
    }
}

fn entra_sends_capitalised_operations_string_booleans_and_filtered_paths(app: Builder) {
    let app = app.account("acme", "aircall").start();
    let owner = app.session("owner@acme.example");
    let token = scim_token(&app, &owner, "Entra ID");
    let body = json!({
        "schemas": [USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": "grace", "userName": "grace@contoso.example", "active": "True", "displayName": "Grace Hopper",
        "emails": [{"primary": true, "type": "work", "value": "grace@contoso.example"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Ops"}
    });
    let created = scim(&app, &token, "POST", "/Users", Some(body));
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let by_external = scim(&app, &token, "GET", "/Users?filter=externalId%20eq%20%22grace%22", None).json();
    assert_eq!(by_external["Resources"][0]["id"], json!(id));
    let ops = json!([
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "grace.hopper@contoso.example"},
        {"op": "Add", "path": "title", "value": "Rear admiral"},
        {"op": "Replace", "path": "name.givenName", "value": "Grace"},
        {"op": "Replace", "path": "active", "value": "False"}
    ]);
    let patched = scim(&app, &token, "PATCH", &format!("/Users/{id}"), patch(ops));
    assert_eq!(patched.status, 200, "{}", patched.body);
    let patched = patched.json();
    assert_eq!(
        (patched["title"].clone(), patched["name"]["givenName"].clone()),
        (json!("Rear admiral"), json!("Grace"))
    );
    let record = user_of(&app, &owner, &id);
    assert_eq!(
        (record["email"].clone(), record["status"].clone()),
        (json!("grace.hopper@contoso.example"), json!("disabled"))
    );

    // a group is a workgroup; Entra adds and removes members by value
    let group = scim(
        &app,
        &token,
        "POST",
        "/Groups",
        Some(json!({"schemas": [GROUP], "displayName": "Support leads", "externalId": "g1", "members": []})),
    );
    assert_eq!(group.status, 201, "{}", group.body);
    let group_id = group.json()["id"].as_str().unwrap().to_owned();
    let add = patch(json!([{"op": "Add", "path": "members", "value": [{"value": id}]}]));
    assert_eq!(scim(&app, &token, "PATCH", &format!("/Groups/{group_id}"), add).status, 200);
    let workgroup = app.call(&owner, "GET", &format!("/v1/workgroups/{group_id}"), None).json();
    assert_eq!(workgroup["members"], json!([id]), "{workgroup}");
    let listed = scim(
        &app,
        &token,
        "GET",
        "/Groups?filter=displayName%20eq%20%22support%20leads%22&excludedAttributes=members",
        None,
    )
    .json();
    assert_eq!(listed["totalResults"], 1, "{listed}");
    assert!(listed["Resources"][0].get("members").is_none(), "{listed}");
    let remove = patch(json!([{"op": "Remove", "path": "members", "value": [{"value": id}]}]));
    let emptied = scim(&app, &token, "PATCH", &format!("/Groups/{group_id}"), remove);
    assert_eq!(emptied.status, 200, "{}", emptied.body);
    assert_eq!(app.call(&owner, "GET", &format!("/v1/workgroups/{group_id}"), None).json()["members"], json!([]));
    let add_by_filter = patch(
        json!([{"op": "add", "path": "members", "value": [{"value": id}]}, {"op": "replace", "path": "displayName", "value": "Support"}]),
    );
    assert_eq!(scim(&app, &token, "PATCH", &format!("/Groups/{group_id}"), add_by_filter).status, 200);
    let remove_by_filter = patch(json!([{"op": "remove", "path": format!("members[value eq \"{id}\"]")}]));
    assert_eq!(scim(&app, &token, "PATCH", &format!("/Groups/{group_id}"), remove_by_filter).status, 200);
    let workgroup = app.call(&owner, "GET", &format!("/v1/workgroups/{group_id}"), None).json();
    assert_eq!((workgroup["name"].clone(), workgroup["members"].clone()), (json!("Support"), json!([])));
    assert_eq!(scim(&app, &token, "DELETE", &format!("/Groups/{group_id}"), None).status, 204);
    app.call(&owner, "GET", &format!("/v1/workgroups/{group_id}"), None).assert_problem(404, "not_found");
}

fn bad_requests_get_scim_errors_and_change_nothing(app: Builder) {
    let app = app.account("acme", "aircall").start();
    let owner = app.session("owner@acme.example");
    let token = scim_token(&app, &owner, "Okta");
    let first = scim(&app, &token, "POST", "/Users", Some(json!({"userName": "Lin@Example.com"})));
    assert_eq!(first.status, 201, "{}", first.body);
    let id = first.json()["id"].as_str().unwrap().to_owned();
    let before = user_of(&app, &owner, &id);
    assert_scim_error(
        &scim(&app, &token, "POST", "/Users", Some(json!({"userName": "lin@example.COM"}))),
        409,
        Some("uniqueness"),
    );
    assert_scim_error(
        &scim(&app, &token, "POST", "/Users", Some(json!({"userName": "owner@ACME.example"}))),
        409,
        Some("uniqueness"),
    );
    assert_scim_error(
        &scim(&app, &token, "POST", "/Users", Some(json!({"displayName": "no userName"}))),
        400,
        Some("invalidValue"),
    );
    assert_scim_error(
        &scim(&app, &token, "POST", "/Users", Some(json!({"userName": "x", "active": "perhaps"}))),
        400,
        Some("invalidValue"),
    );
    let not_json = app.request("POST", "/scim/v2/Users", Some("{"), &[("authorization", &format!("Bearer {token}"))]);
    assert_scim_error(&not_json, 400, Some("invalidSyntax"));
    assert_scim_error(
        &scim(&app, &token, "GET", "/Users?filter=userName%20xx%20%22a%22", None),
        400,
        Some("invalidFilter"),
    );
    let cases = [
        (json!([{"op": "replace", "path": "emails[value sw \"x\"].value", "value": "x@example.com"}]), "noTarget"),
        (json!([{"op": "replace", "path": "emails[type eq", "value": "x"}]), "invalidPath"),
        (json!([{"op": "remove"}]), "noTarget"),
        (json!([{"op": "replace", "path": "id", "value": "x"}]), "mutability"),
        (
            json!([{"op": "replace", "path": "displayName", "value": "Lin"}, {"op": "copy", "path": "userName"}]),
            "invalidSyntax",
        ),
    ];
    for (ops, scim_type) in cases {
        assert_scim_error(&scim(&app, &token, "PATCH", &format!("/Users/{id}"), patch(ops)), 400, Some(scim_type));
    }
    assert_eq!(user_of(&app, &owner, &id), before, "nothing was written");
    assert_scim_error(&scim(&app, &token, "GET", "/Users/not-an-id", None), 404, None);
    assert_scim_error(&scim(&app, &token, "GET", "/Users/6c1f4a4e-9d64-4bb2-9b2a-1b1f0c8c5d11", None), 404, None);
    assert_scim_error(&scim(&app, &token, "GET", "/NoSuchThing", None), 404, None);
    assert_scim_error(&scim(&app, &token, "DELETE", "/Schemas", None), 405, None);
    let group = json!({"displayName": "Ops", "members": [{"value": "6c1f4a4e-9d64-4bb2-9b2a-1b1f0c8c5d11"}]});
    assert_scim_error(&scim(&app, &token, "POST", "/Groups", Some(group)), 400, Some("invalidValue"));
    assert_eq!(app.call(&owner, "GET", "/v1/workgroups", None).json()["items"], json!([]), "no workgroup was made");

    // paging by index
    for n in 0..3 {
        assert_eq!(
            scim(&app, &token, "POST", "/Users", Some(json!({"userName": format!("p{n}@example.com")}))).status,
            201
        );
    }
    let page = scim(&app, &token, "GET", "/Users?startIndex=2&count=2", None).json();
    assert_eq!(
        (page["totalResults"].clone(), page["itemsPerPage"].clone(), page["startIndex"].clone()),
        (json!(5), json!(2), json!(2))
    );
    let only = scim(&app, &token, "GET", &format!("/Users/{id}?attributes=userName"), None).json();
    assert_eq!(only, json!({"schemas": [USER], "id": id, "userName": "Lin@Example.com"}));
}

fn a_scim_token_does_no_more_than_its_creator_may(app: Builder) {
    let app = app.account("acme", "aircall").user("agent@acme.example", &["agent"]).start();
    let owner = app.session("owner@acme.example");
    // an identity admin: SCIM tokens and managing members, nothing of the superadmin's
    let role = json!({"key": "identity_admin", "name": "Identity admin", "grants": {
        "integrations.api": {"level": "manage", "rights": ["integrations.api.scim"]},
        "team.members": {"level": "manage", "rights": ["team.members.edit", "team.members.invite", "team.members.delete"]},
        "team.workgroups": {"level": "manage"}}});
    assert_eq!(app.call(&owner, "POST", "/v1/roles", Some(role)).status, 201);
    let admin = app.user(&owner, "acme", "idadmin@acme.example", &["agent", "identity_admin"]);
    let token = scim_token(&app, &admin, "Okta");
    // the superadmin's own provider changes no sign-in email of theirs, and the identity admin does
    // not revoke the superadmin's provider
    let owners_token = app.call(&owner, "POST", "/v1/scim-tokens", Some(json!({"name": "Entra"}))).json();
    let owners = owners_token["token"].as_str().unwrap();
    let email =
        patch(json!([{"op": "replace", "path": "emails", "value": [{"value": "mine@evil.example", "primary": true}]}]));
    let own = assert_scim_error(&scim(&app, owners, "PATCH", &format!("/Users/{}", owner.user_id), email), 403, None);
    assert!(own["detail"].as_str().unwrap().contains("sign in as the user"), "{own}");
    let revoke = format!("/v1/scim-tokens/{}", owners_token["id"].as_str().unwrap());
    app.call(&admin, "DELETE", &revoke, None).assert_problem(403, "forbidden");
    assert_eq!(scim(&app, owners, "GET", "/Users", None).status, 200, "still working");
    let off = patch(json!([{"op": "replace", "value": {"active": false}}]));
    let refused =
        assert_scim_error(&scim(&app, &token, "PATCH", &format!("/Users/{}", owner.user_id), off.clone()), 403, None);
    assert!(refused["detail"].as_str().unwrap().contains("superadmin"), "{refused}");
    assert_scim_error(&scim(&app, &token, "DELETE", &format!("/Users/{}", owner.user_id), None), 403, None);
    // nor its creator's own standing (as an API key may not)
    assert_scim_error(&scim(&app, &token, "PATCH", &format!("/Users/{}", admin.user_id), off.clone()), 403, None);
    // the agent is within reach
    assert_eq!(
        scim(&app, &token, "PATCH", &format!("/Users/{}", app.session("agent@acme.example").user_id), off.clone())
            .status,
        200
    );
    // when the creator loses the right's section, the token can no longer invite
    let demoted =
        app.call(&owner, "PUT", &format!("/v1/users/{}/roles", admin.user_id), Some(json!({"roles": ["agent"]})));
    assert_eq!(demoted.status, 200, "{}", demoted.body);
    assert_scim_error(&scim(&app, &token, "POST", "/Users", Some(json!({"userName": "late@example.com"}))), 403, None);
    // nor learn whose names are taken: a taken userName is refused as a free one is, before any conflict
    let taken = Some(json!({"userName": "owner@acme.example"}));
    assert_scim_error(&scim(&app, &token, "POST", "/Users", taken.clone()), 403, None);
    assert_scim_error(&scim(&app, &token, "PUT", &format!("/Users/{}", admin.user_id), taken), 403, None);
}

fn another_account_never_sees_or_changes_scim_resources(app: Builder) {
    let app = app.account("acme", "aircall").account("globex", "aircall").start();
    let (acme, globex) = (app.session("owner@acme.example"), app.session("owner@globex.example"));
    let (acme_token, globex_token) = (scim_token(&app, &acme, "Okta"), scim_token(&app, &globex, "Okta"));
    let group = scim(&app, &globex_token, "POST", "/Groups", Some(json!({"displayName": "Globex team"}))).json();
    let group_id = group["id"].as_str().unwrap();
    let listed = scim(&app, &acme_token, "GET", "/Users", None).json();
    assert_eq!(listed["totalResults"], 1, "only acme's owner: {listed}");
    assert_eq!(scim(&app, &acme_token, "GET", "/Groups", None).json()["totalResults"], 0);
    let off = patch(json!([{"op": "replace", "value": {"active": false}}]));
    for (method, path, body) in [
        ("GET", format!("/Users/{}", globex.user_id), None),
        ("PATCH", format!("/Users/{}", globex.user_id), off.clone()),
        ("PUT", format!("/Users/{}", globex.user_id), Some(json!({"userName": "taken@globex.example"}))),
        ("DELETE", format!("/Users/{}", globex.user_id), None),
        ("GET", format!("/Groups/{group_id}"), None),
        (
            "PATCH",
            format!("/Groups/{group_id}"),
            patch(json!([{"op": "replace", "path": "displayName", "value": "x"}])),
        ),
        ("DELETE", format!("/Groups/{group_id}"), None),
    ] {
        assert_scim_error(&scim(&app, &acme_token, method, &path, body), 404, None);
    }
    // nor adds another account's person to its own group
    let own = scim(&app, &acme_token, "POST", "/Groups", Some(json!({"displayName": "Acme team"}))).json();
    let add = patch(json!([{"op": "add", "path": "members", "value": [{"value": globex.user_id}]}]));
    assert_scim_error(
        &scim(&app, &acme_token, "PATCH", &format!("/Groups/{}", own["id"].as_str().unwrap()), add),
        400,
        Some("invalidValue"),
    );
    assert_eq!(app.call(&globex, "GET", "/v1/me", None).status, 200);
}

on_both_backends!(
    scim_tokens_need_their_right_and_a_session_and_work_only_at_scim,
    okta_provisions_finds_by_user_name_in_any_case_and_deactivates_at_once,
    entra_sends_capitalised_operations_string_booleans_and_filtered_paths,
    bad_requests_get_scim_errors_and_change_nothing,
    a_scim_token_does_no_more_than_its_creator_may,
    another_account_never_sees_or_changes_scim_resources,
);
