//! Reports judged apart from the history (rules MC-5, MC-18, MC-26), grouped by kind, day, number,
//! workgroup, IVR and user, and downloaded as CSV with `reports.download`.

use crate::history::{aircall_team, api_key, call, ingest};
use serde_json::{Value, json};
use switchboard_testkit::app::{Builder, TestApp};
use switchboard_testkit::http::{Reply, Session};

on_both_backends!(
    agents_only_have_access_to_the_reports_of_the_interactions_they_engaged_with,
    reports_count_recordings_and_durations_by_day_number_workgroup_ivr_and_user,
    a_report_is_read_a_page_of_groups_at_a_time_and_downloaded_whole,
    downloading_reports_and_the_history_as_csv_needs_reports_download,
    aircall_reports_widen_with_stats_and_download_with_its_export,
);

/// `GET` asking for CSV.
pub(crate) fn get_csv(app: &TestApp, who: &Session, path: &str) -> Reply {
    let auth = format!("Bearer {}", who.token);
    app.request("GET", path, None, &[("authorization", &auth), ("accept", "text/csv")])
}

fn rows(report: &Value) -> Vec<(Value, String, i64)> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].clone(), r["kind"].as_str().unwrap().to_owned(), r["count"].as_i64().unwrap()))
        .collect()
}

fn created_id(reply: Reply) -> String {
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().unwrap().to_owned()
}

// rule MC-5, MC-26
fn agents_only_have_access_to_the_reports_of_the_interactions_they_engaged_with(app: Builder) {
    let app = app
        .account("acme", "mightycall")
        .user("agent@acme.example", &["agent"])
        .user("manager@acme.example", &["manager"])
        .start();
    let [owner, agent, manager] = app.sessions(["owner@acme.example", "agent@acme.example", "manager@acme.example"]);
    let sales = created_id(app.call(
        &owner,
        "POST",
        "/v1/workgroups",
        Some(json!({"name": "Sales", "members": [agent.user_id]})),
    ));
    let key = api_key(&app, &owner);
    ingest(
        &app,
        &key,
        json!([
            call(None, Some(&sales), &[&agent.user_id], "2026-11-01T10:00:00Z"),
            call(None, Some(&sales), &[], "2026-11-01T11:00:00Z"),
            call(None, Some(&sales), &[], "2026-11-01T12:00:00Z"),
            call(None, None, &[], "2026-11-01T13:00:00Z"),
        ]),
    );
    // The history shows the workgroup's calls; the reports only the agent's own.
    assert_eq!(app.call(&agent, "GET", "/v1/communications", None).json()["items"].as_array().unwrap().len(), 3);
    assert_eq!(app.call(&agent, "GET", "/v1/analytics/summary", None).json()["total"]["count"], 1);
    let by_workgroup = app.call(&agent, "GET", "/v1/reports/workgroup", None).json();
    assert_eq!(rows(&by_workgroup), vec![(json!(sales), "call".to_owned(), 1)]);
    // "Managers and Administrators see all data": `reports.all` widens reports to the data scope.
    assert_eq!(app.call(&manager, "GET", "/v1/analytics/summary", None).json()["total"]["count"], 4);
    let by_workgroup = app.call(&manager, "GET", "/v1/reports/workgroup", None).json();
    assert_eq!(by_workgroup["dimension"], "workgroup");
    assert_eq!(rows(&by_workgroup), vec![(json!(sales), "call".to_owned(), 3), (Value::Null, "call".to_owned(), 1)]);
    // An authorize check says the same.
    let answer = app.call(&agent, "POST", "/v1/authorize", Some(json!({"permission": "reports.all"}))).json();
    assert_eq!((answer["allowed"].clone(), answer["reason"]["right"].clone()), (json!(false), json!("reports.all")));
}

fn reports_count_recordings_and_durations_by_day_number_workgroup_ivr_and_user(app: Builder) {
    let app = app.account("acme", "mightycall").user("agent@acme.example", &["agent"]).start();
    let [owner, agent] = app.sessions(["owner@acme.example", "agent@acme.example"]);
    let number = created_id(app.call(
        &owner,
        "POST",
        "/v1/numbers",
        Some(json!({"e164": "+14155550100", "label": "SF", "kind": "local"})),
    ));
    let ivr = created_id(app.call(&owner, "POST", "/v1/ivrs", Some(json!({"name": "Main menu"}))));
    let key = api_key(&app, &owner);
    let mut routed = call(Some(&number), None, &[&agent.user_id, &owner.user_id], "2026-11-01T10:00:00Z");
    routed["ivr"] = json!(ivr);
    let mut short = call(Some(&number), None, &[&agent.user_id], "2026-11-01T23:59:59Z");
    short["has_recording"] = json!(false);
    short["duration_seconds"] = json!(15);
    let voicemail = json!({"kind": "voicemail", "direction": "inbound", "participants": [],
        "started_at": "2026-11-02T00:00:00Z", "duration_seconds": 30, "has_recording": true});
    ingest(&app, &key, json!([routed, short, voicemail]));

    let by_day = app.call(&owner, "GET", "/v1/reports/day", None).json();
    assert_eq!(
        rows(&by_day),
        vec![(json!("2026-11-01"), "call".to_owned(), 2), (json!("2026-11-02"), "voicemail".to_owned(), 1)]
    );
    assert_eq!(by_day["rows"][0]["with_recording"], 1);
    assert_eq!(by_day["rows"][0]["total_duration_seconds"], 75);
    let by_number = app.call(&owner, "GET", "/v1/reports/number", None).json();
    assert_eq!(rows(&by_number), vec![(json!(number), "call".to_owned(), 2), (Value::Null, "voicemail".to_owned(), 1)]);
    let by_ivr = app.call(&owner, "GET", "/v1/reports/ivr", None).json();
    assert_eq!(rows(&by_ivr)[0], (json!(ivr), "call".to_owned(), 1));
    // By user: a call with two participants counts for both.
    let by_user = app.call(&owner, "GET", "/v1/reports/user", None).json();
    let mut users = rows(&by_user);
    users.sort_by_key(|(k, _, _)| k.to_string());
    let mut want = vec![
        (json!(agent.user_id), "call".to_owned(), 2),
        (json!(owner.user_id), "call".to_owned(), 1),
        (Value::Null, "voicemail".to_owned(), 1),
    ];
    want.sort_by_key(|(k, _, _)| k.to_string());
    assert_eq!(users, want);
    let by_kind = app.call(&owner, "GET", "/v1/reports/kind", None).json();
    assert_eq!(
        rows(&by_kind),
        vec![(json!("call"), "call".to_owned(), 2), (json!("voicemail"), "voicemail".to_owned(), 1)]
    );
    // The history's filters apply.
    let second_day = app.call(&owner, "GET", "/v1/reports/day?from=2026-11-02T00:00:00Z", None).json();
    assert_eq!(rows(&second_day), vec![(json!("2026-11-02"), "voicemail".to_owned(), 1)]);
    let weekday = app.call(&owner, "GET", "/v1/reports/weekday", None);
    weekday.assert_problem(404, "not_found");
    assert_eq!(
        weekday.json()["detail"],
        "/v1/reports/weekday names nothing: `weekday`, expected one of `kind`, `day`, `number`, `workgroup`, `ivr`, `user`",
        "an unknown report names the reports there are"
    );
    let posted = app.call(&owner, "POST", "/v1/reports/day", None);
    assert_eq!((posted.status, posted.header("allow")), (405, Some("GET")), "{}", posted.body);
    app.call(&owner, "GET", "/v1/reports/day?from=yesterday", None).assert_problem(422, "invalid");
}

fn downloading_reports_and_the_history_as_csv_needs_reports_download(app: Builder) {
    let app = app.account("acme", "mightycall").user("agent@acme.example", &["agent"]).start();
    let [owner, agent] = app.sessions(["owner@acme.example", "agent@acme.example"]);
    let key = api_key(&app, &owner);
    // More than two pages of the download: it is streamed page by page.
    let items: Vec<Value> = (0..1203)
        .map(|i| {
            call(
                None,
                None,
                &[&agent.user_id],
                &format!("2026-11-01T{:02}:{:02}:{:02}Z", i / 3600, i / 60 % 60, i % 60),
            )
        })
        .collect();
    ingest(&app, &key, Value::Array(items[..1000].to_vec()));
    ingest(&app, &key, Value::Array(items[1000..].to_vec()));

    for path in ["/v1/communications", "/v1/recents", "/v1/reports/day", "/v1/analytics/summary"] {
        let problem = get_csv(&app, &agent, path).assert_problem(403, "forbidden");
        assert_eq!(problem["reason"]["right"], "reports.download", "{path}");
    }
    let history = get_csv(&app, &owner, "/v1/communications");
    assert_eq!(history.status, 200, "{}", history.body);
    assert_eq!(history.header("content-type"), Some("text/csv; charset=utf-8"));
    let lines: Vec<&str> = history.body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "id,kind,direction,number,workgroup,ivr,participants,started_at,duration_seconds,has_recording,recording_playable"
    );
    assert_eq!(lines.len(), 1 + 1203, "every record, across pages");
    assert!(lines[1].contains(",call,inbound,,,,") && lines[1].ends_with(",60,true,true"), "{}", lines[1]);
    let mut ids: Vec<&str> = lines[1..].iter().map(|l| l.split(',').next().unwrap()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 1203, "no record twice");
    // Filters apply to downloads too.
    let filtered = get_csv(&app, &owner, "/v1/communications?until=2026-11-01T00:00:10Z");
    assert_eq!(filtered.body.split("\r\n").filter(|l| !l.is_empty()).count(), 1 + 10);

    let report = get_csv(&app, &owner, "/v1/reports/day");
    assert_eq!(
        report.body,
        "day,kind,count,with_recording,total_duration_seconds\r\n2026-11-01,call,1203,1203,72180\r\n"
    );
    let summary = get_csv(&app, &owner, "/v1/analytics/summary");
    assert_eq!(
        summary.body,
        "kind,count,with_recording,total_duration_seconds\r\ncall,1203,1203,72180\r\ntotal,1203,1203,72180\r\n"
    );
}

// rule AC-7, AC-9
fn aircall_reports_widen_with_stats_and_download_with_its_export(app: Builder) {
    let (app, [_, agent, supervisor], key) = aircall_team(app);
    ingest(
        &app,
        &key,
        json!([
            call(None, None, &[&agent.user_id], "2026-11-01T10:00:00Z"),
            call(None, None, &[], "2026-11-01T11:00:00Z"),
        ]),
    );
    assert_eq!(app.call(&agent, "GET", "/v1/analytics/summary", None).json()["total"]["count"], 1);
    assert_eq!(app.call(&supervisor, "GET", "/v1/analytics/summary", None).json()["total"]["count"], 2);
    let problem = get_csv(&app, &agent, "/v1/reports/day").assert_problem(403, "forbidden");
    assert_eq!(problem["reason"]["section"], "analytics.stats", "Agents have no analytics at all");
    assert_eq!(get_csv(&app, &supervisor, "/v1/reports/day").status, 200);
    let catalog = app.call(&agent, "GET", "/v1/permissions", None).json();
    assert_eq!(catalog["reports_permission"], "analytics.stats:view");
    assert_eq!(catalog["recordings_permission"], "calls.recordings:manage");
}

// An account of many people has a report by user of many groups: it is read a page of groups at a
// time, each group's kinds together, and downloaded whole.
fn a_report_is_read_a_page_of_groups_at_a_time_and_downloaded_whole(app: Builder) {
    let app = app
        .account("acme", "mightycall")
        .user("a1@acme.example", &["agent"])
        .user("a2@acme.example", &["agent"])
        .user("a3@acme.example", &["agent"])
        .start();
    let [owner, a1, a2, a3] =
        app.sessions(["owner@acme.example", "a1@acme.example", "a2@acme.example", "a3@acme.example"]);
    let key = api_key(&app, &owner);
    let mut voicemail = call(None, None, &[&a2.user_id], "2026-11-03T09:00:00Z");
    voicemail["kind"] = json!("voicemail");
    let unattended = json!({"kind": "voicemail", "direction": "inbound", "participants": [],
        "started_at": "2026-11-04T00:00:00Z", "duration_seconds": 30, "has_recording": true});
    ingest(
        &app,
        &key,
        json!([
            call(None, None, &[&a1.user_id, &owner.user_id], "2026-11-01T10:00:00Z"),
            call(None, None, &[&a2.user_id], "2026-11-02T10:00:00Z"),
            call(None, None, &[&a3.user_id], "2026-11-03T10:00:00Z"),
            voicemail,
            unattended,
        ]),
    );
    for dimension in ["user", "day", "kind"] {
        let whole = app.call(&owner, "GET", &format!("/v1/reports/{dimension}?limit=500"), None).json();
        assert!(whole.get("next_cursor").is_none(), "one page holds it all: {whole}");
        let (mut paged, mut path) = (Vec::new(), format!("/v1/reports/{dimension}?limit=1"));
        for _ in 0..10 {
            let page = app.call(&owner, "GET", &path, None).json();
            let keys: std::collections::BTreeSet<String> = rows(&page).iter().map(|r| r.0.to_string()).collect();
            assert_eq!(keys.len(), 1, "one group a page, all its kinds: {page}");
            paged.extend(rows(&page));
            match page["next_cursor"].as_str() {
                Some(next) => path = format!("/v1/reports/{dimension}?limit=1&cursor={next}"),
                None => break,
            }
        }
        assert_eq!(paged, rows(&whole), "the pages make up the report by {dimension}");
    }
    // four people's groups (a2's call and voicemail are one, of two rows) and the unattended voicemail
    let by_user = rows(&app.call(&owner, "GET", "/v1/reports/user?limit=500", None).json());
    assert_eq!(by_user.len(), 6, "{by_user:?}");
    assert_eq!(by_user.last(), Some(&(Value::Null, "voicemail".to_owned(), 1)), "without a participant last");
    let first = app.call(&owner, "GET", "/v1/reports/user?limit=4", None).json();
    let people: std::collections::BTreeSet<String> = rows(&first).iter().map(|r| r.0.to_string()).collect();
    assert_eq!(people.len(), 4, "four people fill the page: {first}");
    assert!(!people.contains("null") && first["next_cursor"].is_string(), "the unattended are the next page");

    // the CSV download has every group whatever the page size
    let csv = get_csv(&app, &owner, "/v1/reports/user?limit=1");
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(csv.body.lines().count(), 1 + 6, "{}", csv.body);

    app.call(&owner, "GET", "/v1/reports/user?limit=0", None).assert_problem(422, "invalid");
    app.call(&owner, "GET", "/v1/reports/user?limit=501", None).assert_problem(422, "invalid");
    app.call(&owner, "GET", "/v1/reports/user?cursor=zz", None).assert_problem(422, "invalid");
    // hex that no page by user produced (a NUL byte): refused, never compared with the stored ids
    app.call(&owner, "GET", "/v1/reports/user?cursor=00", None).assert_problem(422, "invalid");
}
