//! Scoped history, decisions, API keys and memberships over HTTP.

use serde_json::{Value, json};
use switchboard_testkit::app::TestApp;
use switchboard_testkit::http::Session;

pub(crate) fn api_key(app: &TestApp, by: &Session) -> String {
    let reply = app.call(by, "POST", "/v1/api-keys", Some(json!({"name": "phone platform"})));
    assert_eq!(reply.status, 201, "{}", reply.body);
    let key = reply.json()["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("sbk_"));
    key
}

pub(crate) fn ingest(app: &TestApp, key: &str, items: Value) -> Vec<String> {
    let reply = app.request(
        "POST",
        "/v1/communications/batch",
        Some(&json!({"items": items}).to_string()),
        &[("x-api-key", key)],
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

pub(crate) fn call(number: Option<&str>, workgroup: Option<&str>, who: &[&str], at: &str) -> Value {
    json!({"kind": "call", "direction": "inbound", "number": number, "workgroup": workgroup,
           "participants": who, "started_at": at, "duration_seconds": 60, "has_recording": true})
}

/// An Aircall-like account with an agent and a supervisor: the app, the owner, the agent and the
/// supervisor, and an API key of the owner's to store communications with.
pub(crate) fn aircall_team(app: switchboard_testkit::app::Builder) -> (TestApp, [Session; 3], String) {
    let app = app
        .account("air", "aircall")
        .user("agent@air.example", &["agent"])
        .user("supervisor@air.example", &["agent", "supervisor"])
        .start();
    let people = app.sessions(["owner@air.example", "agent@air.example", "supervisor@air.example"]);
    let key = api_key(&app, &people[0]);
    (app, people, key)
}

pub(crate) fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
}

// rule MC-4, MC-10, MC-12
#[test]
fn an_agent_sees_only_their_own_and_their_workgroups_calls() {
    let app = TestApp::new()
        .account("acme", "mightycall")
        .user("agent@acme.example", &["agent"])
        .user("other@acme.example", &["agent"])
        .start();
    let [owner, agent, other] = app.sessions(["owner@acme.example", "agent@acme.example", "other@acme.example"]);
    let wg =
        app.call(&owner, "POST", "/v1/workgroups", Some(json!({"name": "Support", "members": [agent.user_id]}))).json();
    let other_wg =
        app.call(&owner, "POST", "/v1/workgroups", Some(json!({"name": "Sales", "members": [other.user_id]}))).json();
    let (wg, other_wg) = (wg["id"].as_str().unwrap(), other_wg["id"].as_str().unwrap());
    let key = api_key(&app, &owner);
    let made = ingest(
        &app,
        &key,
        json!([
            call(None, None, &[&agent.user_id], "2026-11-01T10:00:00Z"),
            call(None, Some(wg), &[], "2026-11-01T11:00:00Z"),
            call(None, Some(other_wg), &[&other.user_id], "2026-11-01T12:00:00Z"),
            call(None, None, &[], "2026-11-01T13:00:00Z"),
        ]),
    );
    let seen = ids(&app.call(&agent, "GET", "/v1/communications", None).json());
    assert_eq!(seen, vec![made[1].clone(), made[0].clone()], "own and workgroup's, newest first");
    assert_eq!(ids(&app.call(&owner, "GET", "/v1/communications", None).json()).len(), 4);
    // Out of scope is indistinguishable from absent.
    app.call(&agent, "GET", &format!("/v1/communications/{}", made[2]), None).assert_problem(404, "not_found");
    assert_eq!(app.call(&agent, "GET", &format!("/v1/communications/{}", made[1]), None).status, 200);
    // Recents: agents are personal, administrators see all calls of all users.
    assert_eq!(ids(&app.call(&agent, "GET", "/v1/recents", None).json()), vec![made[0].clone()]);
    assert_eq!(ids(&app.call(&owner, "GET", "/v1/recents", None).json()).len(), 4);
    // Reports cover only the interactions the agent engaged in, not the workgroup's (rules MC-5,
    // MC-18, MC-26), while the history rightly shows both.
    let summary = app.call(&agent, "GET", "/v1/analytics/summary", None).json();
    assert_eq!(summary["total"]["count"], 1);
    assert_eq!(summary["by_kind"]["call"]["with_recording"], 1);
}

#[test]
fn history_pages_follow_the_cursor_to_the_end() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    let key = api_key(&app, &owner);
    let items: Vec<Value> = (0..7).map(|i| call(None, None, &[], &format!("2026-11-01T10:0{i}:00Z"))).collect();
    ingest(&app, &key, Value::Array(items));
    let mut seen = Vec::new();
    let mut path = "/v1/communications?limit=3".to_owned();
    loop {
        let page = app.call(&owner, "GET", &path, None).json();
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/v1/communications?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    app.call(&owner, "GET", "/v1/communications?limit=0", None).assert_problem(422, "invalid");
    app.call(&owner, "GET", "/v1/communications?cursor=zz", None).assert_problem(422, "invalid");
}

#[test]
fn authorize_answers_with_the_reason_and_batches_keep_their_order() {
    let app = TestApp::new().account("acme", "mightycall").user("agent@acme.example", &["agent"]).start();
    let [owner, agent] = app.sessions(["owner@acme.example", "agent@acme.example"]);
    let answer = app.call(&agent, "POST", "/v1/authorize", Some(json!({"permission": "reports.download"}))).json();
    assert_eq!(answer["allowed"], false);
    assert_eq!(answer["reason"]["code"], "missing_right");
    assert_eq!(answer["reason"]["right"], "reports.download");
    let batch = json!({"checks": [
        {"permission": "reports:view"},
        {"permission": "team.roles:view"},
        {"user_id": agent.user_id, "permission": "contacts:view"},
    ]});
    let results = app.call(&owner, "POST", "/v1/authorize/batch", Some(batch)).json()["results"].clone();
    let allowed: Vec<bool> = results.as_array().unwrap().iter().map(|r| r["allowed"].as_bool().unwrap()).collect();
    assert_eq!(allowed, vec![true, true, true]);
    // Agents can't ask about other users, and unknown permissions name their field.
    let about_owner = json!({"user_id": owner.user_id, "permission": "numbers:view"});
    app.call(&agent, "POST", "/v1/authorize", Some(about_owner)).assert_problem(403, "forbidden");
    let bad = json!({"checks": [{"permission": "numbers:view"}, {"permission": "nope:view"}]});
    let problem = app.call(&owner, "POST", "/v1/authorize/batch", Some(bad)).assert_problem(422, "invalid");
    assert_eq!(problem["field"], "checks[1].permission");
    // one question: the field is the body's own
    let bad = json!({"permission": "nope:view"});
    let problem = app.call(&owner, "POST", "/v1/authorize", Some(bad)).assert_problem(422, "invalid");
    assert_eq!(problem["field"], "permission");
}

#[test]
fn authorize_about_a_communication_applies_the_data_scope() {
    let app = TestApp::new().account("acme", "mightycall").user("agent@acme.example", &["agent"]).start();
    let [owner, agent] = app.sessions(["owner@acme.example", "agent@acme.example"]);
    let key = api_key(&app, &owner);
    let made = ingest(&app, &key, json!([call(None, None, &[], "2026-11-01T10:00:00Z")]));
    let check = json!({"permission": "reports:view", "resource": {"type": "communication", "id": made[0]}});
    // Whoever may see the record is told who else may, and why not: the agent's scope leaves it out.
    let about_agent = json!({"user_id": agent.user_id, "permission": "reports:view",
        "resource": {"type": "communication", "id": made[0]}});
    let answer = app.call(&owner, "POST", "/v1/authorize", Some(about_agent)).json();
    assert_eq!((answer["allowed"].clone(), answer["reason"]["code"].clone()), (json!(false), json!("out_of_scope")));
    assert_eq!(app.call(&owner, "POST", "/v1/authorize", Some(check.clone())).json()["allowed"], true);
    // The agent asking about it learns nothing of it: to them it is not there, as on its own page,
    // and a recording is the same.
    app.call(&agent, "POST", "/v1/authorize", Some(check)).assert_problem(404, "not_found");
    let recording = json!({"resource": {"type": "recording", "id": made[0]}});
    app.call(&agent, "POST", "/v1/authorize", Some(recording)).assert_problem(404, "not_found");
    let page = app.call(&agent, "GET", &format!("/v1/communications/{}", made[0]), None);
    page.assert_problem(404, "not_found");
    let other = app.account("beta", "mightycall");
    let foreign = json!({"permission": "reports:view", "resource": {"type": "communication", "id": made[0]}});
    app.call(&other, "POST", "/v1/authorize", Some(foreign)).assert_problem(404, "not_found");
}

#[test]
fn a_revoked_api_key_stops_working_at_once() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    let key = api_key(&app, &owner);
    assert_eq!(app.request("GET", "/v1/me", None, &[("x-api-key", &key)]).status, 200);
    let keys = app.call(&owner, "GET", "/v1/api-keys", None).json();
    let id = keys["items"][0]["id"].as_str().unwrap().to_owned();
    assert!(!keys.to_string().contains(&key[17..]), "the secret is never listed");
    assert_eq!(app.call(&owner, "DELETE", &format!("/v1/api-keys/{id}"), None).status, 204);
    app.request("GET", "/v1/me", None, &[("x-api-key", &key)]).assert_problem(401, "unauthenticated");
}

#[test]
fn nobody_adds_themselves_to_a_workgroup_to_see_its_history() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    let wg_role = json!({"key": "wg_admin", "name": "Workgroup admin", "scope": "workgroup",
        "grants": {"team.workgroups": {"level": "manage"}}});
    assert_eq!(app.call(&owner, "POST", "/v1/roles", Some(wg_role)).status, 201);
    let lead = app.user(&owner, "acme", "lead@acme.example", &["wg_admin"]);
    let wg = app.call(&owner, "POST", "/v1/workgroups", Some(json!({"name": "VIP"}))).json();
    let path = format!("/v1/workgroups/{}/members", wg["id"].as_str().unwrap());
    let problem =
        app.call(&lead, "PUT", &path, Some(json!({"users": [lead.user_id]}))).assert_problem(403, "forbidden");
    assert_eq!(problem["reason"]["code"], "self_modification");
    let agent = app.user(&owner, "acme", "agent@acme.example", &["agent"]);
    let problem =
        app.call(&lead, "PUT", &path, Some(json!({"users": [agent.user_id]}))).assert_problem(403, "forbidden");
    assert_eq!(problem["reason"]["code"], "out_of_reach", "the lead can't see the VIP workgroup's history");
    assert_eq!(problem["reason"]["workgroup"], wg["id"]);
    assert_eq!(app.call(&owner, "PUT", &path, Some(json!({"users": [agent.user_id]}))).status, 200);
}

// rule MC-33, MC-25
#[test]
fn numbers_need_their_separate_rights_and_bad_numbers_are_refused() {
    let app = TestApp::new().account("acme", "mightycall").user("agent@acme.example", &["agent"]).start();
    let [owner, agent] = app.sessions(["owner@acme.example", "agent@acme.example"]);
    let number = json!({"e164": "+14155550100", "label": "SF", "kind": "local"});
    let problem = app.call(&agent, "POST", "/v1/numbers", Some(number.clone())).assert_problem(403, "forbidden");
    assert_eq!(problem["reason"]["section"], "numbers");
    let created = app.call(&owner, "POST", "/v1/numbers", Some(number));
    assert_eq!(created.status, 201, "{}", created.body);
    let bad = json!({"e164": "555-0100", "kind": "local"});
    app.call(&owner, "POST", "/v1/numbers", Some(bad)).assert_problem(422, "invalid");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let assigned = app.call(&owner, "PUT", &format!("/v1/numbers/{id}/users"), Some(json!({"users": [agent.user_id]})));
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    assert_eq!(assigned.json()["users"][0], agent.user_id.as_str());
}

#[test]
fn an_empty_or_inverted_time_range_matches_nothing() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    let key = api_key(&app, &owner);
    ingest(&app, &key, json!([call(None, None, &[], "2026-11-01T10:00:00Z")]));
    for (from, until) in
        [("2026-11-01T10:00:00Z", "2026-11-01T10:00:00Z"), ("2026-11-02T00:00:00Z", "2026-11-01T00:00:00Z")]
    {
        let range = format!("from={from}&until={until}");
        for list in ["/v1/communications", "/v1/recents"] {
            let page = app.call(&owner, "GET", &format!("{list}?{range}"), None);
            assert_eq!(page.status, 200, "{}", page.body);
            assert_eq!(ids(&page.json()), Vec::<String>::new());
        }
        let summary = app.call(&owner, "GET", &format!("/v1/analytics/summary?{range}"), None);
        assert_eq!(summary.status, 200, "{}", summary.body);
        assert_eq!(summary.json()["total"]["count"], 0);
    }
    let all = app.call(&owner, "GET", "/v1/communications?from=2026-11-01T10:00:00Z&until=2026-11-01T10:00:01Z", None);
    assert_eq!(ids(&all.json()).len(), 1, "`from` is inclusive");
}

#[test]
fn a_misspelt_query_parameter_is_refused_not_ignored_so_a_filter_never_silently_widens() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    // `to` is not `until`: ignored, the list and the report would cover all time.
    for path in ["/v1/communications", "/v1/reports/day", "/v1/analytics/summary", "/v1/audit-events"] {
        let problem =
            app.call(&owner, "GET", &format!("{path}?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z"), None);
        let problem = problem.assert_problem(422, "invalid");
        assert_eq!(problem["field"], "to", "{path}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("takes no query parameter `to`") && detail.contains("until"), "{path}: {detail}");
    }
    let me = app.call(&owner, "GET", "/v1/me?verbose=1", None).assert_problem(422, "invalid");
    assert_eq!(me["detail"], "GET /v1/me takes no query parameter `verbose`; it takes: none");
    // The operation is the one routed to, whatever the path's spelling.
    let spelt = app.call(&owner, "GET", "/v1/c%6Fmmunications?to=2026-12-01T00:00:00Z", None);
    assert_eq!(spelt.assert_problem(422, "invalid")["field"], "to");
    let nameless = app.call(&owner, "GET", "/v1/communications?=1", None).assert_problem(422, "invalid");
    assert_eq!(nameless["field"], Value::Null);
    // Credentials are judged first, and what takes no credentials is not judged by its query.
    app.get("/v1/communications?to=2026-12-01T00:00:00Z").assert_problem(401, "unauthenticated");
    app.get("/v1/communications?limit=abc").assert_problem(401, "unauthenticated");
    let health = app.get("/healthz?_=1");
    assert_eq!(health.status, 200, "a load balancer's cache-buster: {}", health.body);
    let named = app.call(&owner, "GET", "/v1/reports/day?from=2026-11-01T00:00:00Z&until=2026-12-01T00:00:00Z", None);
    assert_eq!(named.status, 200, "{}", named.body);
    let encoded = app.call(&owner, "GET", "/v1/communications?lim%69t=1", None);
    assert_eq!(encoded.status, 200, "a parameter's name is read decoded: {}", encoded.body);
    // A known parameter with a value that does not fit is named too.
    let bad = app.call(&owner, "GET", "/v1/reports/day?from=yesterday", None).assert_problem(422, "invalid");
    assert_eq!(bad["field"], "from");
    assert!(bad["detail"].as_str().unwrap().starts_with("query parameter `from`: "), "{bad}");
}

#[test]
fn an_empty_cursor_is_the_first_page() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    for list in ["/v1/roles", "/v1/users", "/v1/workgroups", "/v1/api-keys", "/v1/audit-events", "/v1/communications"] {
        let first = app.call(&owner, "GET", &format!("{list}?limit=2"), None);
        let empty = app.call(&owner, "GET", &format!("{list}?limit=2&cursor="), None);
        assert_eq!((empty.status, empty.json()["items"].clone()), (200, first.json()["items"].clone()), "{list}");
    }
    // A cursor that is not hex pairs never came from a list.
    let problem = app.call(&owner, "GET", "/v1/roles?cursor=6A", None).assert_problem(422, "invalid");
    assert_eq!(problem["field"], "cursor");
}

#[test]
fn dashboard_access_to_records_of_no_such_id_is_a_422_naming_the_field() {
    let app = TestApp::new().account("acme", "mightycall").user("agent@acme.example", &["agent"]).start();
    let [owner, agent] = app.sessions(["owner@acme.example", "agent@acme.example"]);
    let path = format!("/v1/users/{}/dashboard-access", agent.user_id);
    let stranger = "5f0c1a3e-0000-4000-8000-000000000002";
    for (field, body) in [("workgroups", json!({"workgroups": [stranger]})), ("ivrs", json!({"ivrs": [stranger]}))] {
        let problem = app.call(&owner, "PUT", &path, Some(body)).assert_problem(422, "invalid");
        assert_eq!(problem["field"], field);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("is not in this account") && !detail.contains("FOREIGN"), "{detail}");
    }
}

#[test]
fn an_ivr_linked_to_a_number_of_no_such_id_is_a_422_naming_the_field() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    let stranger = "5f0c1a3e-0000-4000-8000-000000000003";
    let problem = app
        .call(&owner, "POST", "/v1/ivrs", Some(json!({"name": "Menu", "numbers": [stranger]})))
        .assert_problem(422, "invalid");
    assert_eq!(problem["field"], "numbers");
    let ivr = app.call(&owner, "POST", "/v1/ivrs", Some(json!({"name": "Menu"}))).json();
    let path = format!("/v1/ivrs/{}", ivr["id"].as_str().unwrap());
    let problem = app.call(&owner, "PATCH", &path, Some(json!({"numbers": [stranger]}))).assert_problem(422, "invalid");
    assert_eq!(problem["field"], "numbers");
    assert!(!problem["detail"].as_str().unwrap().contains("FOREIGN"), "{problem}");
    let role = json!({"key": "watcher", "name": "Watcher", "scope": "numbers", "scope_numbers": [stranger]});
    let problem = app.call(&owner, "POST", "/v1/roles", Some(role)).assert_problem(422, "invalid");
    assert_eq!(problem["field"], "scope_numbers");
}

#[test]
fn ingesting_a_record_that_names_no_such_record_is_a_422_naming_the_item() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    let key = api_key(&app, &owner);
    let stranger = "5f0c1a3e-0000-4000-8000-000000000004";
    let at = "2026-11-01T10:00:00Z";
    let items = json!({"items": [call(None, None, &[], at), call(Some(stranger), None, &[], at)]});
    let reply = app.request("POST", "/v1/communications/batch", Some(&items.to_string()), &[("x-api-key", &key)]);
    assert_eq!(reply.assert_problem(422, "invalid")["field"], "items[1].number");
    let one = call(None, None, &[stranger], "2026-11-01T10:00:00Z");
    let reply = app.request("POST", "/v1/communications", Some(&one.to_string()), &[("x-api-key", &key)]);
    assert_eq!(reply.assert_problem(422, "invalid")["field"], "participants");
}

#[test]
fn an_api_key_without_a_name_is_a_422_naming_the_field() {
    let app = TestApp::spawn();
    let owner = app.account("acme", "mightycall");
    for name in ["", "   ", &"k".repeat(201)] {
        let problem =
            app.call(&owner, "POST", "/v1/api-keys", Some(json!({"name": name}))).assert_problem(422, "invalid");
        assert_eq!(problem["field"], "name");
    }
}
