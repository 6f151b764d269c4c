//! Reverse lookups (issue 17): who can see a communication, play its recording or hold a permission,
//! and what one person reaches — each with what gives it.

use crate::history::{api_key, call, ingest};
use serde_json::{Value, json};
use switchboard_testkit::app::{Builder, TestApp};
use switchboard_testkit::http::Session;

on_both_backends!(
    who_can_see_hear_or_hold_answers_with_the_role_and_scope_part_that_gives_it,
    what_can_one_person_reach_and_hold_with_the_roles_it_comes_from,
    the_communications_one_person_reaches_are_listed_as_they_see_them_within_the_askers_own_view,
);

fn who(app: &TestApp, asker: &Session, query: &str) -> Vec<(String, Value, Value)> {
    let mut out = Vec::new();
    let mut path = format!("/v1/who-can?{query}&limit=2");
    loop {
        let reply = app.call(asker, "GET", &path, None);
        assert_eq!(reply.status, 200, "{}", reply.body);
        let page = reply.json();
        for e in page["items"].as_array().unwrap() {
            out.push((e["email"].as_str().unwrap().to_owned(), e["role"].clone(), e["scope"].clone()));
        }
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/v1/who-can?{query}&limit=2&cursor={c}"),
            None => break,
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn emails(found: &[(String, Value, Value)]) -> Vec<&str> {
    found.iter().map(|(e, _, _)| e.as_str()).collect()
}

fn who_can_see_hear_or_hold_answers_with_the_role_and_scope_part_that_gives_it(app: Builder) {
    let app = app
        .account("acme", "mightycall")
        .user("agent@acme.example", &["agent"])
        .user("elsewhere@acme.example", &["agent"])
        .user("manager@acme.example", &["manager"])
        .start();
    let [owner, agent, manager] = app.sessions(["owner@acme.example", "agent@acme.example", "manager@acme.example"]);
    let role = json!({"key": "call_reviewer", "name": "Call reviewer", "scope": "all",
        "grants": {"team.members": {"level": "view"}},
        "kinds": {"calls": true, "messages": false, "voicemails": false, "recordings": false}});
    assert_eq!(app.call(&owner, "POST", "/v1/roles", Some(role)).status, 201);
    let reviewer = app.user(&owner, "acme", "reviewer@acme.example", &["call_reviewer"]);
    let sales =
        app.call(&owner, "POST", "/v1/workgroups", Some(json!({"name": "Sales", "members": [agent.user_id]}))).json();
    let sales = sales["id"].as_str().unwrap().to_owned();
    let key = api_key(&app, &owner);
    let voicemail = json!({"kind": "voicemail", "direction": "inbound", "workgroup": sales, "participants": [],
        "started_at": "2026-11-01T09:00:00Z", "duration_seconds": 20, "has_recording": true});
    let made = ingest(&app, &key, json!([call(None, Some(&sales), &[], "2026-11-01T10:00:00Z"), voicemail]));

    let see_call = who(&app, &manager, &format!("communication={}", made[0]));
    assert_eq!(
        emails(&see_call),
        ["agent@acme.example", "manager@acme.example", "owner@acme.example", "reviewer@acme.example"]
    );
    assert_eq!((see_call[0].1.clone(), see_call[0].2.clone()), (json!("agent"), json!("workgroup")));
    assert_eq!((see_call[1].1.clone(), see_call[1].2.clone()), (json!("manager"), json!("all")));
    assert_eq!(see_call[2].1, Value::Null, "the superadmin holds it by no role");
    // The reviewer's role shows calls only: not the voicemail, and no recordings.
    let see_voicemail = who(&app, &manager, &format!("communication={}", made[1]));
    assert_eq!(emails(&see_voicemail), ["agent@acme.example", "manager@acme.example", "owner@acme.example"]);
    let hear = who(&app, &manager, &format!("communication={}&action=play", made[0]));
    assert_eq!(emails(&hear), ["agent@acme.example", "manager@acme.example", "owner@acme.example"]);
    // Holding a permission.
    let deleters = who(&app, &manager, "permission=numbers.delete");
    assert_eq!(emails(&deleters), ["manager@acme.example", "owner@acme.example"]);
    assert_eq!(deleters[0].1, json!("manager"));

    // Asking needs team.members:view; a communication is asked about only by someone who sees it.
    app.call(&agent, "GET", "/v1/who-can?permission=numbers.delete", None).assert_problem(403, "forbidden");
    let limited =
        json!({"key": "people_viewer", "name": "People viewer", "grants": {"team.members": {"level": "view"}}});
    assert_eq!(app.call(&owner, "POST", "/v1/roles", Some(limited)).status, 201);
    let viewer = app.user(&owner, "acme", "viewer@acme.example", &["people_viewer"]);
    let path = format!("/v1/who-can?communication={}", made[0]);
    app.call(&viewer, "GET", &path, None).assert_problem(404, "not_found");
    let both = format!("/v1/who-can?communication={}&permission=numbers.delete", made[0]);
    assert_eq!(app.call(&manager, "GET", &both, None).assert_problem(422, "invalid")["field"], "permission");
    app.call(&manager, "GET", "/v1/who-can", None).assert_problem(422, "invalid");
    app.call(&manager, "GET", "/v1/who-can?permission=nope:view", None).assert_problem(422, "invalid");
    let _ = reviewer;
}

fn what_can_one_person_reach_and_hold_with_the_roles_it_comes_from(app: Builder) {
    let app = app.account("acme", "mightycall").user("agent@acme.example", &["agent"]).start();
    let [owner, agent] = app.sessions(["owner@acme.example", "agent@acme.example"]);
    let sales =
        app.call(&owner, "POST", "/v1/workgroups", Some(json!({"name": "Sales", "members": [agent.user_id]}))).json();
    let what = app.call(&owner, "GET", &format!("/v1/users/{}/what-can", agent.user_id), None);
    assert_eq!(what.status, 200, "{}", what.body);
    let what = what.json();
    assert_eq!(what["everything"], false);
    assert_eq!(what["workgroups"], json!([{"id": sales["id"], "via": "member", "roles": ["agent"]}]));
    let reports = what["sections"].as_array().unwrap().iter().find(|s| s["key"] == "reports").unwrap().clone();
    assert_eq!((reports["level"].clone(), reports["roles"].clone()), (json!("view"), json!(["agent"])));
    assert!(what["rights"].as_array().unwrap().is_empty());
    // Oneself, always; someone else, with team.members:view.
    assert_eq!(app.call(&agent, "GET", &format!("/v1/users/{}/what-can", agent.user_id), None).status, 200);
    let path = format!("/v1/users/{}/what-can", owner.user_id);
    app.call(&agent, "GET", &path, None).assert_problem(403, "forbidden");
    let everything = app.call(&owner, "GET", &path, None).json();
    assert_eq!((everything["everything"].clone(), everything["superadmin"].clone()), (json!(true), json!(true)));
}

fn the_communications_one_person_reaches_are_listed_as_they_see_them_within_the_askers_own_view(app: Builder) {
    let app = app
        .account("acme", "mightycall")
        .user("agent@acme.example", &["agent"])
        .user("other@acme.example", &["agent"])
        .start();
    let [owner, agent, other] = app.sessions(["owner@acme.example", "agent@acme.example", "other@acme.example"]);
    let sales =
        app.call(&owner, "POST", "/v1/workgroups", Some(json!({"name": "Sales", "members": [agent.user_id]}))).json();
    let sales = sales["id"].as_str().unwrap().to_owned();
    let key = api_key(&app, &owner);
    let made = ingest(
        &app,
        &key,
        json!([
            call(None, Some(&sales), &[], "2026-11-01T10:00:00Z"),
            call(None, None, &[&agent.user_id], "2026-11-01T11:00:00Z"),
            call(None, None, &[], "2026-11-01T12:00:00Z"),
        ]),
    );
    let path = format!("/v1/users/{}/communications", agent.user_id);
    let theirs = app.call(&owner, "GET", &path, None).json();
    let ids: Vec<&str> = theirs["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [made[1].as_str(), made[0].as_str()], "their own call and their workgroup's, not the third");
    // Someone else's, only with team.members:view; one's own, always.
    app.call(&other, "GET", &path, None).assert_problem(403, "forbidden");
    assert_eq!(app.call(&agent, "GET", &path, None).json()["items"].as_array().unwrap().len(), 2);
}
