//! Group mappings followed from a groups claim in an external identity provider's token: on a token's
//! first use, its person joins the mapped groups it names (by name, or by the externalId SCIM gave
//! them) and leaves the mapped groups it does not; each move is judged as the mapping's writer and
//! audited with the provider as actor, and a refused move refuses the token and changes nothing.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use switchboard_server::config::ExternalJwtConfig;
use switchboard_testkit::app::{Builder, TestApp};
use switchboard_testkit::http::{Reply, Session};

const BILLING_OBJECT_ID: &str = "b7e4c0de-0000-4000-8000-00000000e1d1";

fn fixture(name: &str) -> std::path::PathBuf {
    switchboard_plugin_testkit::workspace_root().join("tests/fixtures").join(name)
}

fn provider() -> ExternalJwtConfig {
    ExternalJwtConfig {
        algorithm: "EdDSA".into(),
        public_key_file: Some(fixture("idp-ed25519.pub.pem")),
        jwks_url: None,
        jwks_refresh_min_seconds: None,
        jwks_max_age_seconds: None,
        issuer: "https://idp.example".into(),
        audience: "switchboard".into(),
        groups_claim: Some("groups".into()),
    }
}

/// The provider's token for `user`, with `groups` as its groups claim (none when `Value::Null`).
fn token(app: &TestApp, user: &str, groups: Value) -> Session {
    static SERIAL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let account = app.call(&app.session("owner@acme.example"), "GET", "/v1/me", None).json()["account"]["id"].clone();
    let mut claims = json!({"sub": user, "acct": account, "iat": now, "exp": now + 600,
        "iss": "https://idp.example", "aud": "switchboard",
        "jti": SERIAL.fetch_add(1, std::sync::atomic::Ordering::SeqCst)});
    if !groups.is_null() {
        claims["groups"] = groups;
    }
    let pem = std::fs::read(fixture("idp-ed25519.key.pem")).unwrap();
    let token = encode(&Header::new(Algorithm::EdDSA), &claims, &EncodingKey::from_ed_pem(&pem).unwrap()).unwrap();
    Session { token, user_id: user.to_owned() }
}

fn roles_of(app: &TestApp, user: &str) -> Vec<String> {
    let detail = app.call(&app.session("owner@acme.example"), "GET", &format!("/v1/users/{user}"), None).json();
    let mut keys: Vec<String> =
        detail["roles"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap().to_owned()).collect();
    keys.sort();
    keys
}

fn members_of(app: &TestApp, group: &str) -> Value {
    app.call(&app.session("owner@acme.example"), "GET", &format!("/v1/workgroups/{group}"), None).json()["members"]
        .clone()
}

fn me(app: &TestApp, who: &Session) -> Reply {
    app.call(who, "GET", "/v1/me", None)
}

fn by_the_provider(app: &TestApp) -> Vec<(String, String)> {
    let events = app
        .call(
            &app.session("owner@acme.example"),
            "GET",
            "/v1/audit-events?actor_kind=identity_provider&limit=200",
            None,
        )
        .json();
    events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap().to_owned(), e["actor"]["id"].as_str().unwrap().to_owned()))
        .collect()
}

fn created(reply: Reply) -> String {
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().unwrap().to_owned()
}

fn a_groups_claim_moves_people_into_and_out_of_mapped_groups_as_the_mappings_writer_would(app: Builder) {
    let app = app
        .account("acme", "groups-ivr")
        .user("admin@acme.example", &["admin"])
        .user("ada@acme.example", &[])
        .user("bo@acme.example", &[])
        .external_jwt(provider())
        .start();
    let [owner, admin] = app.sessions(["owner@acme.example", "admin@acme.example"]);
    let (ada, bo) = (app.session("ada@acme.example").user_id, app.session("bo@acme.example").user_id);
    let support = created(app.call(&owner, "POST", "/v1/workgroups", Some(json!({"name": "Support"}))));
    let leads = created(app.call(&owner, "POST", "/v1/workgroups", Some(json!({"name": "Support leads"}))));
    // Entra names groups by object id: the externalId its SCIM client gave the group
    let scim_token = app.call(&owner, "POST", "/v1/scim-tokens", Some(json!({"name": "Entra"}))).json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let billing = created(app.request(
        "POST",
        "/scim/v2/Groups",
        Some(&json!({"displayName": "Billing", "externalId": BILLING_OBJECT_ID}).to_string()),
        &[("authorization", &format!("Bearer {scim_token}"))],
    ));
    let leads_mapping = created(app.call(
        &owner,
        "POST",
        "/v1/group-mappings",
        Some(json!({"group_id": leads, "roles": ["supervisor"], "priority": 10,
            "dashboard": {"workgroups": [support], "ivrs": []}})),
    ));
    let billing_mapping =
        app.call(&admin, "POST", "/v1/group-mappings", Some(json!({"group_id": billing, "roles": ["accountant"]})));
    assert_eq!(billing_mapping.json()["written_by"], json!(admin.user_id), "the mapping carries its writer");
    let billing_mapping = created(billing_mapping);

    // The example: "Support leads" gives Supervisor with the Support dashboard
    let first = token(&app, &ada, json!(["Support leads", "Everyone"]));
    assert_eq!(me(&app, &first).status, 200);
    assert_eq!(roles_of(&app, &ada), ["supervisor"]);
    assert_eq!(members_of(&app, &leads), json!([ada]));
    let detail = app.call(&owner, "GET", &format!("/v1/users/{ada}"), None).json();
    assert_eq!(detail["dashboard_access"]["workgroups"], json!([support]));
    let events = by_the_provider(&app);
    let actions: Vec<&str> = events.iter().map(|(action, _)| action.as_str()).collect();
    assert_eq!(actions, ["user.set_dashboard_access", "user.set_roles", "workgroup.set_members"], "newest first");
    assert!(events.iter().all(|(_, actor)| *actor == leads_mapping), "under the mapping's authority");
    // the same token again is not applied again
    assert_eq!(me(&app, &first).status, 200);
    assert_eq!(by_the_provider(&app).len(), 3);

    // by object id, and out of the group the claim no longer names
    let moved = token(&app, &ada, json!([BILLING_OBJECT_ID]));
    assert_eq!(me(&app, &moved).status, 200);
    assert_eq!(roles_of(&app, &ada), ["accountant"]);
    assert_eq!((members_of(&app, &leads), members_of(&app, &billing)), (json!([]), json!([ada])));
    assert!(by_the_provider(&app).iter().any(|(_, actor)| *actor == billing_mapping));
    // a token without the claim says nothing of groups; an empty claim says "in none"
    assert_eq!(me(&app, &token(&app, &ada, Value::Null)).status, 200);
    assert_eq!(roles_of(&app, &ada), ["accountant"]);
    assert_eq!(me(&app, &token(&app, &ada, json!([]))).status, 200);
    assert_eq!(roles_of(&app, &ada), Vec::<String>::new());
    assert_eq!(members_of(&app, &billing), json!([]));

    // the writer of Billing's mapping loses the rights to move people: the claim is refused, changes
    // nothing, and is refused again on the token's next use
    let demoted =
        app.call(&owner, "PUT", &format!("/v1/users/{}/roles", admin.user_id), Some(json!({"roles": ["technical"]})));
    assert_eq!(demoted.status, 200, "{}", demoted.body);
    let refused = token(&app, &bo, json!(["Billing"]));
    let problem = me(&app, &refused).assert_problem(403, "groups_claim_refused");
    assert!(problem["detail"].as_str().unwrap().contains("Billing"), "{problem}");
    assert_eq!(me(&app, &refused).status, 403, "not remembered");
    assert_eq!((roles_of(&app, &bo), members_of(&app, &billing)), (Vec::<String>::new(), json!([])));
    // written again by someone who may: the same token is let in
    let rewritten = app.call(
        &owner,
        "PUT",
        &format!("/v1/group-mappings/{billing_mapping}"),
        Some(json!({"roles": ["accountant"]})),
    );
    assert_eq!(rewritten.status, 200, "{}", rewritten.body);
    assert_eq!(me(&app, &refused).status, 200);
    assert_eq!(roles_of(&app, &bo), ["accountant"]);

    // the superadmin is never moved; a malformed claim is a malformed token
    assert_eq!(me(&app, &token(&app, &owner.user_id, json!(["Support leads"]))).status, 200);
    assert_eq!(members_of(&app, &leads), json!([]));
    me(&app, &token(&app, &ada, json!("Support leads"))).assert_problem(401, "unauthenticated");
    me(&app, &token(&app, &ada, json!([["Support leads"]]))).assert_problem(401, "unauthenticated");
}

on_both_backends!(a_groups_claim_moves_people_into_and_out_of_mapped_groups_as_the_mappings_writer_would);
