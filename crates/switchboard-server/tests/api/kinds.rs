//! The kinds of data a role shows (rule MC-7: "custom roles limit access to calls, call recordings,
//! voicemails and analytics"), everyone's own communications (MC-18, AC-9), and `recording` checks.

use crate::history::{aircall_team, api_key, call, ids, ingest};
use crate::reports::get_csv;
use serde_json::{Value, json};
use switchboard_testkit::app::{Builder, TestApp};
use switchboard_testkit::http::Session;

on_both_backends!(
    custom_roles_limit_access_to_calls_call_recordings_and_voicemails,
    aircall_agents_have_full_access_only_to_their_own_call_recordings,
    a_role_cannot_show_kinds_of_data_its_author_does_not_see,
);

fn of_kind(kind: &str, who: &[&str], at: &str) -> Value {
    json!({"kind": kind, "direction": "inbound", "participants": who, "started_at": at,
           "duration_seconds": 20, "has_recording": kind != "message"})
}

fn check(app: &TestApp, who: &Session, resource: &str, id: &str) -> Value {
    let body = json!({"resource": {"type": resource, "id": id}});
    let reply = app.call(who, "POST", "/v1/authorize", Some(body));
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

// rule MC-7, MC-18
fn custom_roles_limit_access_to_calls_call_recordings_and_voicemails(app: Builder) {
    let app = app.start();
    let owner = app.account("acme", "mightycall");
    let role = json!({"key": "call_reviewer", "name": "Call reviewer", "scope": "all", "recents": "all",
        "kinds": {"calls": true, "messages": false, "voicemails": false, "recordings": false}});
    let created = app.call(&owner, "POST", "/v1/roles", Some(role));
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.json()["kinds"],
        json!({"calls": true, "messages": false, "voicemails": false, "recordings": false})
    );
    let reviewer = app.user(&owner, "acme", "reviewer@acme.example", &["call_reviewer"]);
    let key = api_key(&app, &owner);
    let made = ingest(
        &app,
        &key,
        json!([
            call(None, None, &[], "2026-11-01T10:00:00Z"),
            of_kind("voicemail", &[], "2026-11-01T11:00:00Z"),
            of_kind("message", &[], "2026-11-01T12:00:00Z"),
            of_kind("recording", &[], "2026-11-01T13:00:00Z"),
            of_kind("voicemail", &[&reviewer.user_id], "2026-11-01T14:00:00Z"),
            call(None, None, &[&reviewer.user_id], "2026-11-01T15:00:00Z"),
        ]),
    );
    // Others' calls, and every kind of their own (MC-18).
    let history = app.call(&reviewer, "GET", "/v1/communications", None).json();
    assert_eq!(ids(&history), vec![made[5].clone(), made[4].clone(), made[0].clone()]);
    let playable: Vec<bool> =
        history["items"].as_array().unwrap().iter().map(|c| c["recording_playable"].as_bool().unwrap()).collect();
    assert_eq!(playable, vec![true, true, false], "their own recordings only");
    assert_eq!(ids(&app.call(&reviewer, "GET", "/v1/recents", None).json()), ids(&history), "recents too");
    let me = app.call(&reviewer, "GET", "/v1/me", None).json();
    let shown = json!({"calls": true, "messages": false, "voicemails": false, "recordings": false});
    assert_eq!((me["permissions"]["kinds"].clone(), me["permissions"]["reports_all"].clone()), (shown, json!(false)));
    let summary = app.call(&reviewer, "GET", "/v1/analytics/summary", None).json();
    assert_eq!(summary["total"]["count"], 2, "reports: their own, all kinds (no reports.all)");

    // The question a media server asks before streaming.
    let answer = check(&app, &reviewer, "recording", &made[0]);
    assert_eq!((answer["allowed"].clone(), answer["reason"]["code"].clone()), (json!(false), json!("kind_not_shown")));
    assert_eq!(answer["reason"]["kind"], "recording");
    assert_eq!(check(&app, &reviewer, "recording", &made[5])["allowed"], true, "their own call's recording");
    assert_eq!(check(&app, &reviewer, "recording", &made[4])["allowed"], true, "their own voicemail");
    // A voicemail is not shown to them at all: asking about it is answered as its page is (404),
    // while whoever sees it is told why the reviewer may not.
    let voicemail = json!({"resource": {"type": "communication", "id": made[1]}});
    app.call(&reviewer, "POST", "/v1/authorize", Some(voicemail)).assert_problem(404, "not_found");
    let about = json!({"user_id": reviewer.user_id, "resource": {"type": "communication", "id": made[1]}});
    let voicemail = app.call(&owner, "POST", "/v1/authorize", Some(about)).json();
    assert_eq!(
        (voicemail["reason"]["code"].clone(), voicemail["reason"]["kind"].clone()),
        (json!("kind_not_shown"), json!("voicemail"))
    );
    let message = check(&app, &owner, "recording", &made[2]);
    assert_eq!(message["reason"]["code"], "no_recording");
    assert_eq!(check(&app, &owner, "recording", &made[0])["allowed"], true);
    app.call(&reviewer, "GET", &format!("/v1/communications/{}", made[1]), None).assert_problem(404, "not_found");

    // Editing the role's kinds changes what its holders see at once.
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let patch = json!({"kinds": {"calls": true, "messages": false, "voicemails": true, "recordings": true}});
    assert_eq!(app.call(&owner, "PATCH", &format!("/v1/roles/{id}"), Some(patch)).status, 200);
    assert_eq!(ids(&app.call(&reviewer, "GET", "/v1/communications", None).json()).len(), 5, "all but the message");
    assert_eq!(check(&app, &reviewer, "recording", &made[0])["allowed"], true);
    // A permission may go with a record, and must be given without one.
    let with = json!({"permission": "contacts:view", "resource": {"type": "recording", "id": made[0]}});
    assert_eq!(app.call(&reviewer, "POST", "/v1/authorize", Some(with)).json()["reason"]["code"], "missing_permission");
    let bare = json!({"resource": {"type": "number", "id": made[0]}});
    let problem = app.call(&reviewer, "POST", "/v1/authorize", Some(bare)).assert_problem(422, "invalid");
    assert_eq!(problem["field"], "permission");
}

// rule AC-1, AC-9
fn aircall_agents_have_full_access_only_to_their_own_call_recordings(app: Builder) {
    let (app, [owner, agent, supervisor], key) = aircall_team(app);
    let made = ingest(
        &app,
        &key,
        json!([
            call(None, None, &[&agent.user_id], "2026-11-01T10:00:00Z"),
            call(None, None, &[], "2026-11-01T11:00:00Z")
        ]),
    );
    assert_eq!(check(&app, &agent, "recording", &made[0])["allowed"], true);
    // Another's call is not there for the agent (as on its page); the owner is told why.
    let theirs = json!({"resource": {"type": "recording", "id": made[1]}});
    app.call(&agent, "POST", "/v1/authorize", Some(theirs)).assert_problem(404, "not_found");
    let about = json!({"user_id": agent.user_id, "resource": {"type": "recording", "id": made[1]}});
    assert_eq!(app.call(&owner, "POST", "/v1/authorize", Some(about)).json()["reason"]["code"], "out_of_scope");
    // Supervisors play the account's recordings (AC-7); the section decides it.
    assert_eq!(check(&app, &supervisor, "recording", &made[1])["allowed"], true);
    // A custom role seeing everything but not managing the call recordings page plays only its holders'
    // own: viewing that page is every Agent's "their own call recordings".
    let role = json!({"key": "listener", "name": "Listener", "scope": "all",
        "grants": {"analytics.call_history": {"level": "view"}}});
    assert_eq!(app.call(&owner, "POST", "/v1/roles", Some(role)).status, 201);
    let listener = app.user(&owner, "air", "listener@air.example", &["agent", "listener"]);
    let answer = check(&app, &listener, "recording", &made[1]);
    assert_eq!(
        (answer["reason"]["code"].clone(), answer["reason"]["kind"].clone()),
        (json!("kind_not_shown"), json!("recording"))
    );
    assert_eq!(check(&app, &listener, "communication", &made[1])["allowed"], true, "the call itself is visible");
}

// rule MC-7 with rule 4: nobody hands out kinds of data they do not see
fn a_role_cannot_show_kinds_of_data_its_author_does_not_see(app: Builder) {
    let app = app.start();
    let owner = app.account("acme", "mightycall");
    let lead_role = json!({"key": "lead", "name": "Lead", "scope": "all",
        "grants": {"team.roles": {"level": "manage"}, "team.members": {"level": "manage"}},
        "kinds": {"calls": true, "messages": true, "voicemails": false, "recordings": false}});
    assert_eq!(app.call(&owner, "POST", "/v1/roles", Some(lead_role)).status, 201);
    let lead = app.user(&owner, "acme", "lead@acme.example", &["lead"]);
    let wider = json!({"key": "wider", "name": "Wider", "scope": "workgroup"});
    let problem = app.call(&lead, "POST", "/v1/roles", Some(wider)).assert_problem(403, "forbidden");
    assert_eq!(
        (problem["reason"]["code"].clone(), problem["reason"]["kind"].clone()),
        (json!("escalation"), json!("voicemail"))
    );
    let narrow = json!({"key": "narrow", "name": "Narrow", "scope": "workgroup",
        "kinds": {"calls": true, "messages": false, "voicemails": false, "recordings": false}});
    assert_eq!(app.call(&lead, "POST", "/v1/roles", Some(narrow)).status, 201);
    // A role that opens nothing beyond its holders' own records hands out no kind.
    let personal =
        json!({"key": "personal_only", "name": "Personal only", "grants": {"team.members": {"level": "view"}}});
    assert_eq!(app.call(&lead, "POST", "/v1/roles", Some(personal)).status, 201);
    // The catalog describes the kinds, the matrix shows them.
    let catalog = app.call(&owner, "GET", "/v1/permissions", None).json();
    let keys: Vec<&str> =
        catalog["data_kinds"].as_array().unwrap().iter().map(|k| k["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["calls", "messages", "voicemails", "recordings"]);
    let matrix = get_csv(&app, &owner, "/v1/roles/matrix").body;
    assert!(matrix.starts_with("role,name,scope,recents,kinds,"), "{matrix}");
    assert!(matrix.contains("\r\nlead,Lead,all,personal,call message,"), "{matrix}");
}
