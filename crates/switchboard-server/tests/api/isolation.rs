//! Tenant isolation: every operation that takes an id answers 404 for another account's id, with a
//! valid body, and changes nothing. The table is checked against the OpenAPI document, so a new
//! id-taking route can't be added without being swept here.

use serde_json::{Value, json};
use std::collections::BTreeSet;
use switchboard_testkit::app::TestApp;
use switchboard_testkit::http::Session;

struct Ids {
    role: String,
    user: String,
    workgroup: String,
    number: String,
    ivr: String,
    communication: String,
    api_key: String,
    scim_token: String,
    group_mapping: String,
    session: String,
    webhook: String,
    delivery: String,
}

fn seed(app: &TestApp, owner: &Session) -> Ids {
    let id = |reply: switchboard_testkit::http::Reply, pointer: &str| {
        assert!(reply.status < 300, "{}", reply.body);
        reply.json().pointer(pointer).unwrap().as_str().unwrap().to_owned()
    };
    let role = id(app.call(owner, "POST", "/v1/roles", Some(json!({"key": "victim_role", "name": "Victim"}))), "/id");
    let user = app.user(owner, "alpha", "victim@alpha.example", &["agent"]).user_id;
    let workgroup = id(app.call(owner, "POST", "/v1/workgroups", Some(json!({"name": "Victims"}))), "/id");
    let number =
        id(app.call(owner, "POST", "/v1/numbers", Some(json!({"e164": "+14155550111", "kind": "local"}))), "/id");
    let ivr = id(app.call(owner, "POST", "/v1/ivrs", Some(json!({"name": "Victim menu"}))), "/id");
    let key_reply = app.call(owner, "POST", "/v1/api-keys", Some(json!({"name": "victim key"})));
    let api_key = id(key_reply, "/id");
    let scim_token = id(app.call(owner, "POST", "/v1/scim-tokens", Some(json!({"name": "victim provider"}))), "/id");
    let mapped = json!({"group_id": workgroup, "roles": ["agent"]});
    let group_mapping = id(app.call(owner, "POST", "/v1/group-mappings", Some(mapped)), "/id");
    let comm =
        json!({"kind": "call", "direction": "inbound", "started_at": "2026-11-01T10:00:00Z", "participants": [user]});
    let communication = id(app.call(owner, "POST", "/v1/communications", Some(comm)), "/ids/0");
    let session = id(app.call(owner, "GET", "/v1/me/sessions", None), "/items/0/id");
    let receiver = switchboard_testkit::receiver::Receiver::ok();
    let webhook = id(app.call(owner, "POST", "/v1/webhooks", Some(json!({"url": receiver.url("/")}))), "/id");
    receiver.wait_until(std::time::Duration::from_secs(10), |r| !r.is_empty());
    let deliveries = format!("/v1/webhooks/{webhook}/deliveries");
    // the receiver has the request before the server has logged its answer
    let logged =
        |reply: &switchboard_testkit::http::Reply| reply.json()["items"].as_array().is_some_and(|i| !i.is_empty());
    let mut log = app.call(owner, "GET", &deliveries, None);
    for _ in 0..500 {
        if logged(&log) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        log = app.call(owner, "GET", &deliveries, None);
    }
    let delivery = id(log, "/items/0/id");
    Ids {
        role,
        user,
        workgroup,
        number,
        ivr,
        communication,
        api_key,
        scim_token,
        group_mapping,
        session,
        webhook,
        delivery,
    }
}

/// (method, path template, a valid body).
fn operations() -> Vec<(&'static str, &'static str, Option<Value>)> {
    vec![
        ("GET", "/v1/roles/{id}", None),
        ("PATCH", "/v1/roles/{id}", Some(json!({"name": "renamed"}))),
        ("DELETE", "/v1/roles/{id}", None),
        ("POST", "/v1/roles/{id}/copy", Some(json!({"key": "stolen", "name": "Stolen"}))),
        ("GET", "/v1/roles/{id}/members", None),
        ("POST", "/v1/roles/{id}/members", Some(json!({"user_ids": ["{user}"]}))),
        ("DELETE", "/v1/roles/{id}/members/{user_id}", None),
        ("GET", "/v1/users/{id}", None),
        ("PATCH", "/v1/users/{id}", Some(json!({"name": "renamed"}))),
        ("DELETE", "/v1/users/{id}", None),
        ("PUT", "/v1/users/{id}/roles", Some(json!({"roles": ["agent"]}))),
        ("POST", "/v1/users/{id}/duplicate", Some(json!({"email": "dup@beta.example", "name": "Dup"}))),
        ("GET", "/v1/users/{id}/permissions", None),
        ("PUT", "/v1/users/{id}/dashboard-access", Some(json!({"workgroups": [], "ivrs": []}))),
        ("POST", "/v1/users/{id}/role-grants", Some(json!({"role": "agent"}))),
        ("GET", "/v1/users/{id}/what-can", None),
        ("GET", "/v1/users/{id}/communications", None),
        ("GET", "/v1/workgroups/{id}", None),
        ("PATCH", "/v1/workgroups/{id}", Some(json!({"name": "renamed"}))),
        ("DELETE", "/v1/workgroups/{id}", None),
        ("PUT", "/v1/workgroups/{id}/members", Some(json!({"users": []}))),
        ("GET", "/v1/numbers/{id}", None),
        ("PATCH", "/v1/numbers/{id}", Some(json!({"label": "renamed"}))),
        ("DELETE", "/v1/numbers/{id}", None),
        ("PUT", "/v1/numbers/{id}/users", Some(json!({"users": []}))),
        ("GET", "/v1/ivrs/{id}", None),
        ("PATCH", "/v1/ivrs/{id}", Some(json!({"name": "renamed"}))),
        ("DELETE", "/v1/ivrs/{id}", None),
        ("GET", "/v1/communications/{id}", None),
        ("DELETE", "/v1/api-keys/{id}", None),
        ("DELETE", "/v1/scim-tokens/{id}", None),
        ("GET", "/v1/group-mappings/{id}", None),
        ("PUT", "/v1/group-mappings/{id}", Some(json!({"roles": ["agent"]}))),
        ("DELETE", "/v1/group-mappings/{id}", None),
        ("DELETE", "/v1/me/sessions/{id}", None),
        ("DELETE", "/v1/users/{id}/two-factor", None),
        ("GET", "/v1/webhooks/{id}", None),
        ("PATCH", "/v1/webhooks/{id}", Some(json!({"active": false}))),
        ("DELETE", "/v1/webhooks/{id}", None),
        ("POST", "/v1/webhooks/{id}/secret", None),
        ("GET", "/v1/webhooks/{id}/deliveries", None),
        ("POST", "/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", None),
    ]
}

fn resolve(template: &str, ids: &Ids) -> String {
    let segment = template.trim_start_matches("/v1/").split('/').next().unwrap();
    let id = match segment {
        "roles" => &ids.role,
        "users" => &ids.user,
        "workgroups" => &ids.workgroup,
        "numbers" => &ids.number,
        "ivrs" => &ids.ivr,
        "communications" => &ids.communication,
        "api-keys" => &ids.api_key,
        "scim-tokens" => &ids.scim_token,
        "group-mappings" => &ids.group_mapping,
        "me" => &ids.session,
        "webhooks" => &ids.webhook,
        other => panic!("no id for {other}"),
    };
    template.replace("{id}", id).replace("{user_id}", &ids.user).replace("{delivery_id}", &ids.delivery)
}

#[test]
fn the_sweep_covers_every_operation_that_takes_an_id() {
    // The checked-in document is the code's own (the server's drift test guarantees it).
    let text =
        std::fs::read_to_string(switchboard_plugin_testkit::workspace_root().join("openapi/openapi.json")).unwrap();
    let spec: Value = serde_json::from_str(&text).unwrap();
    let mut in_spec = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        // a report's dimension names no record
        if !path.contains('{') || path.contains("{dimension}") {
            continue;
        }
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                in_spec.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let swept: BTreeSet<String> = operations().iter().map(|(m, p, _)| format!("{m} {p}")).collect();
    assert_eq!(swept, in_spec, "every id-taking operation is swept");
}

/// Everything account alpha has, as its lists answer.
fn snapshot(app: &TestApp, who: &Session) -> Vec<String> {
    [
        "/v1/roles?limit=500",
        "/v1/users?limit=500",
        "/v1/workgroups",
        "/v1/numbers",
        "/v1/ivrs",
        "/v1/communications",
        "/v1/api-keys",
        "/v1/scim-tokens",
        "/v1/group-mappings",
        "/v1/webhooks",
    ]
    .iter()
    .map(|p| app.call(who, "GET", p, None).body)
    .collect()
}

#[test]
fn another_accounts_ids_answer_404_on_every_operation_and_change_nothing() {
    let app = TestApp::spawn();
    let alpha = app.account("alpha", "mightycall");
    let beta = app.account("beta", "mightycall");
    let ids = seed(&app, &alpha);
    let before = snapshot(&app, &alpha);
    for (method, template, body) in operations() {
        let path = resolve(template, &ids);
        let body = body.map(|b| serde_json::from_str(&b.to_string().replace("{user}", &ids.user)).unwrap());
        let reply = app.call(&beta, method, &path, body);
        assert_eq!(reply.status, 404, "{method} {template} answered {}: {}", reply.status, reply.body);
        assert_eq!(reply.json()["code"], "not_found");
    }
    let after = snapshot(&app, &alpha);
    assert_eq!(before, after, "account alpha is unchanged");
    // And ids of another account can't be smuggled in through bodies either.
    let smuggle = app.call(
        &beta,
        "PUT",
        &format!("/v1/users/{}/dashboard-access", beta.user_id),
        Some(json!({"workgroups": [ids.workgroup], "ivrs": []})),
    );
    assert!(matches!(smuggle.status, 404 | 422), "{}", smuggle.body);
    let smuggle = app.call(&beta, "POST", "/v1/workgroups", Some(json!({"name": "x", "members": [ids.user]})));
    assert!(matches!(smuggle.status, 404 | 422), "{}", smuggle.body);
}
