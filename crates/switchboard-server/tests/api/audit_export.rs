//! The audit log filtered by actor, target, action and time, and exported whole as NDJSON and CSV,
//! streamed a page at a time (issue 19, item 2).

use crate::history::api_key;
use serde_json::{Value, json};
use switchboard_testkit::app::Builder;
use switchboard_testkit::http::Session;

on_both_backends!(the_audit_log_filters_by_actor_target_action_and_time_and_exports_whole_as_ndjson_and_csv);

fn download(app: &switchboard_testkit::app::TestApp, who: &Session, path: &str, accept: &str) -> (u16, String) {
    let auth = format!("Bearer {}", who.token);
    let reply = app.request("GET", path, None, &[("authorization", &auth), ("accept", accept)]);
    (reply.status, reply.body)
}

fn the_audit_log_filters_by_actor_target_action_and_time_and_exports_whole_as_ndjson_and_csv(app: Builder) {
    let app = app.account("acme", "mightycall").user("agent@acme.example", &["agent"]).start();
    let [owner, agent] = app.sessions(["owner@acme.example", "agent@acme.example"]);
    let before = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    // More than a page of the export: 520 workgroups, one event each.
    for i in 0..520 {
        let made = app.call(&owner, "POST", "/v1/workgroups", Some(json!({"name": format!("Team {i}")})));
        assert_eq!(made.status, 201, "{}", made.body);
    }
    let key = api_key(&app, &owner);
    let by_key = app.request(
        "POST",
        "/v1/numbers",
        Some(r#"{"e164": "+14155550100", "label": "SF", "kind": "local"}"#),
        &[("x-api-key", &key)],
    );
    assert_eq!(by_key.status, 201, "{}", by_key.body);

    let page = |query: &str| app.call(&owner, "GET", &format!("/v1/audit-events?limit=500&{query}"), None).json();
    let count = |query: &str| page(query)["items"].as_array().unwrap().len();
    assert_eq!(count("action=number.create&actor_kind=api_key"), 1);
    assert_eq!(
        page("actor_kind=api_key")["items"][0]["actor"]["key_prefix"].as_str().map(|p| p.starts_with("sbk_")),
        Some(true)
    );
    assert_eq!(count(&format!("actor_id={}&action=number.create", owner.user_id)), 0, "the key acted, not the owner");
    assert_eq!(count(&format!("from={}", urlencoded(&before))), 500, "a full page since the start");
    assert_eq!(count("until=2000-01-01T00:00:00Z"), 0);
    assert_eq!(count("from=2999-01-01T00:00:00Z"), 0);

    let (status, ndjson) = download(&app, &owner, "/v1/audit-events?target_type=workgroup", "application/x-ndjson");
    assert_eq!(status, 200, "{ndjson}");
    let events: Vec<Value> = ndjson.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(events.len(), 520, "every event, across pages");
    assert!(events.iter().all(|e| e["action"] == "workgroup.create"));
    let mut ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 520, "none twice");
    let (status, csv) = download(&app, &owner, "/v1/audit-events?action=workgroup.create", "text/csv");
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "id,at,actor_kind,actor_id,key_prefix,action,target_type,target_id,before,after");
    assert_eq!(lines.len(), 1 + 520);
    // Reading the audit log, exported or not, is for its readers.
    let (status, _) = download(&app, &agent, "/v1/audit-events", "application/x-ndjson");
    assert_eq!(status, 403);
}

fn urlencoded(t: &str) -> String {
    t.replace('+', "%2B").replace(':', "%3A")
}
