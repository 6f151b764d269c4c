//! Change events (issue 19): every audited change is an event, delivered to the account's webhooks
//! signed, in order, retried until acknowledged, and readable from the feed `GET /v1/events`,
//! resuming after any sequence number. No account ever sees another's events.

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::time::Duration;
use switchboard_server::config::EventsConfig;
use switchboard_testkit::app::{Builder, TestApp};
use switchboard_testkit::http::Session;
use switchboard_testkit::receiver::{Received, Receiver};

on_both_backends!(
    a_webhook_gets_every_change_signed_and_in_order,
    the_signature_examples_of_the_docs_verify_real_deliveries,
    a_receiver_failing_five_times_gets_the_event_on_the_sixth_try_and_the_log_shows_each_attempt,
    a_receiver_in_another_account_never_sees_this_accounts_events,
    the_feed_resumes_after_a_sequence_long_polls_and_streams,
    managing_webhooks_needs_the_webhooks_right_and_the_audit_log_mc_36,
);

/// Retries in milliseconds, so a test sees six attempts in well under a second.
fn quick() -> EventsConfig {
    EventsConfig {
        webhook_retry_base_ms: Some(20),
        webhook_retry_max_ms: Some(100),
        webhook_timeout_ms: Some(2_000),
        ..EventsConfig::default()
    }
}

fn create_webhook(app: &TestApp, who: &Session, url: &str) -> Value {
    let made = app.call(who, "POST", "/v1/webhooks", Some(json!({"url": url, "description": "CRM"})));
    assert_eq!(made.status, 201, "{}", made.body);
    made.json()
}

/// Whether a delivery is signed with `secret` and was signed within `tolerance_seconds` of `now`.
fn verify(secret: &str, timestamp: &str, signature: &str, body: &[u8], now: i64, tolerance_seconds: i64) -> bool {
    let Ok(signed_at) = timestamp.parse::<i64>() else { return false };
    if (now - signed_at).abs() > tolerance_seconds {
        return false;
    }
    let Some(hex) = signature.strip_prefix("v1=") else { return false };
    let Some(expected) = (0..hex.len())
        .step_by(2)
        .map(|i| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return false };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&expected).is_ok() // constant time
}

/// Checks a delivery the way `docs/events.md` tells receivers to (with the Rust example there, which
/// is this file's `verify`, word for word).
fn signed_by(received: &Received, secret: &str) -> bool {
    let (timestamp, signature) = (received.header("switchboard-timestamp"), received.header("switchboard-signature"));
    verify(secret, timestamp, signature, &received.body, chrono::Utc::now().timestamp(), 300)
}

/// The fenced block of `docs/events.md` that starts with `start`.
fn documented(start: &str) -> String {
    let doc = std::fs::read_to_string(switchboard_plugin_testkit::workspace_root().join("docs/events.md")).unwrap();
    let from = doc.find(start).unwrap_or_else(|| panic!("docs/events.md has a block starting {start:?}"));
    let block = &doc[from..];
    block[..block.find("```").unwrap()].to_owned()
}

/// Runs the Python example of `docs/events.md` on a delivery: whether it verifies.
fn python_verifies(received: &Received, secret: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("body"), &received.body).unwrap();
    let headers = json!({
        "switchboard-timestamp": received.header("switchboard-timestamp"),
        "switchboard-signature": received.header("switchboard-signature"),
    });
    let script = format!(
        "{}\nimport json, sys\nbody = open(sys.argv[1], 'rb').read()\nprint(verify(sys.argv[2], json.loads(sys.argv[3]), body))\n",
        documented("import hashlib\n")
    );
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(dir.path().join("body"))
        .arg(secret)
        .arg(headers.to_string())
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim() == "True"
}

/// Waits until the server has recorded the webhook's acknowledgement of event `seq` (a receiver has
/// the request before the server has its answer).
fn wait_delivered(app: &TestApp, who: &Session, id: &str, seq: i64) {
    for _ in 0..500 {
        let hook = app.call(who, "GET", &format!("/v1/webhooks/{id}"), None).json();
        if hook["delivered_sequence"].as_i64() >= Some(seq) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("webhook {id} did not record event {seq} as delivered");
}

/// Waits until the webhook's delivery log has `n` attempts; gives the log, newest first.
fn wait_logged(app: &TestApp, who: &Session, id: &str, n: usize) -> Value {
    for _ in 0..500 {
        let log = app.call(who, "GET", &format!("/v1/webhooks/{id}/deliveries"), None).json();
        if log["items"].as_array().is_some_and(|items| items.len() >= n) {
            return log;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("webhook {id} did not log {n} attempts");
}

fn account_id(app: &TestApp, who: &Session) -> String {
    app.call(who, "GET", "/v1/events?limit=1", None).json()["items"][0]["account_id"].as_str().unwrap().to_owned()
}

/// Reads a Server-Sent Events stream until it has sent `ids` events (or 10 s passed), then hangs up.
fn read_stream(app: &TestApp, who: &Session, last_event_id: i64, ids: usize) -> String {
    use std::io::{Read, Write};
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let request = format!(
        "GET /v1/events HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {}\r\naccept: text/event-stream\r\nlast-event-id: {last_event_id}\r\n\r\n",
        who.token
    );
    stream.write_all(request.as_bytes()).unwrap();
    let (mut text, mut buf) = (String::new(), [0u8; 4096]);
    let until = std::time::Instant::now() + Duration::from_secs(10);
    while text.matches("\nid: ").count() < ids && std::time::Instant::now() < until {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => text.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
    }
    text
}

fn make_workgroups(app: &TestApp, who: &Session, names: &[&str]) {
    for name in names {
        let made = app.call(who, "POST", "/v1/workgroups", Some(json!({"name": name})));
        assert_eq!(made.status, 201, "{}", made.body);
    }
}

fn a_webhook_gets_every_change_signed_and_in_order(app: Builder) {
    let app = app.events(quick()).account("acme", "aircall").start();
    let owner = app.session("owner@acme.example");
    let receiver = Receiver::ok();
    let hook = create_webhook(&app, &owner, &receiver.url("/hooks"));
    let secret = hook["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));
    make_workgroups(&app, &owner, &["Sales", "Support", "Billing"]);
    let got = receiver.wait_until(Duration::from_secs(10), |r| r.len() >= 4);
    assert_eq!(got.len(), 4, "the webhook's own creation, then three workgroups");
    let types: Vec<String> = got.iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(types, ["webhook.create", "workgroup.create", "workgroup.create", "workgroup.create"]);
    let names: Vec<Value> = got[1..].iter().map(|r| r.json()["after"]["name"].clone()).collect();
    assert_eq!(names, [json!("Sales"), json!("Support"), json!("Billing")], "in the order they were made");
    let sequences: Vec<i64> = got.iter().map(|r| r.json()["sequence"].as_i64().unwrap()).collect();
    assert!(sequences.windows(2).all(|w| w[1] == w[0] + 1), "consecutive: {sequences:?}");
    for r in &got {
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/hooks");
        assert!(signed_by(r, secret), "every delivery is signed with the secret shown once");
        assert!(!signed_by(r, "whsec_another"), "and only with it");
        assert_eq!(r.header("switchboard-event-id"), r.json()["id"].as_str().unwrap());
        assert_eq!(r.json()["account_id"], account_id(&app, &owner));
    }
    // The secret is never shown again nor kept in the audit log.
    let id = hook["id"].as_str().unwrap();
    let read = app.call(&owner, "GET", &format!("/v1/webhooks/{id}"), None);
    assert!(!read.body.contains(secret) && read.json()["secret"].is_null());
    let audit = app.call(&owner, "GET", "/v1/audit-events?target_type=webhook", None);
    assert!(!audit.body.contains(secret));
    wait_delivered(&app, &owner, id, sequences[3]);
    let read = app.call(&owner, "GET", &format!("/v1/webhooks/{id}"), None).json();
    assert_eq!((read["delivered_sequence"].as_i64(), read["failures"].as_i64()), (Some(sequences[3]), Some(0)));
    // A rotated secret signs what follows; paused webhooks keep their place.
    let rotated = app.call(&owner, "POST", &format!("/v1/webhooks/{id}/secret"), None);
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let new_secret = rotated.json()["secret"].as_str().unwrap().to_owned();
    let got = receiver.wait_until(Duration::from_secs(10), |r| r.len() >= 5);
    assert!(signed_by(&got[4], &new_secret), "the rotation itself is signed with the new secret");
    wait_delivered(&app, &owner, id, got[4].json()["sequence"].as_i64().unwrap());
    let paused = app.call(&owner, "PATCH", &format!("/v1/webhooks/{id}"), Some(json!({"active": false})));
    assert_eq!(paused.status, 200, "{}", paused.body);
    make_workgroups(&app, &owner, &["Night shift"]);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(receiver.received().len(), 5, "nothing while paused");
    app.call(&owner, "PATCH", &format!("/v1/webhooks/{id}"), Some(json!({"active": true})));
    let got = receiver.wait_until(Duration::from_secs(10), |r| r.len() >= 8);
    let types: Vec<&str> = got[5..].iter().map(|r| r.header("switchboard-event-type")).collect();
    assert_eq!(types, ["webhook.update", "workgroup.create", "webhook.update"], "what it missed, in order");
    assert!(got[5..].iter().all(|r| signed_by(r, &new_secret)));
}

fn a_receiver_failing_five_times_gets_the_event_on_the_sixth_try_and_the_log_shows_each_attempt(app: Builder) {
    let app = app.events(quick()).account("acme", "mightycall").start();
    let owner = app.session("owner@acme.example");
    let receiver = Receiver::scripted(|n| (if n < 5 { 503 } else { 200 }, Duration::ZERO));
    let hook = create_webhook(&app, &owner, &receiver.url("/"));
    make_workgroups(&app, &owner, &["Sales"]);
    let got = receiver.wait_until(Duration::from_secs(10), |r| r.len() >= 7);
    assert_eq!(got.len(), 7, "six tries of the first event, then the next one");
    let ids: Vec<&str> = got.iter().map(|r| r.header("switchboard-event-id")).collect();
    assert!(ids[..6].iter().all(|id| *id == ids[0]), "the same event until it is acknowledged");
    assert_eq!(got[5].status, 200, "acknowledged on the sixth try");
    assert_eq!(got[6].json()["type"], "workgroup.create", "nothing overtakes a failing event");
    let id = hook["id"].as_str().unwrap();
    let log = wait_logged(&app, &owner, id, 7);
    let attempts: Vec<(i64, Value, bool)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|d| (d["attempt"].as_i64().unwrap(), d["status_code"].clone(), d["succeeded"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        attempts,
        [
            (1, json!(503), false),
            (2, json!(503), false),
            (3, json!(503), false),
            (4, json!(503), false),
            (5, json!(503), false),
            (6, json!(200), true),
            (1, json!(200), true)
        ]
    );
    // Operators see the attempts in the metrics.
    let operator = format!("Bearer {}", switchboard_testkit::http::OPERATOR_KEY);
    let metrics = app.request("GET", "/metrics", None, &[("authorization", &operator)]).body;
    assert!(metrics.contains(r#"switchboard_webhook_attempts_total{outcome="failed"} 5"#), "{metrics}");
    assert!(metrics.contains(r#"switchboard_webhook_attempts_total{outcome="delivered"} 2"#), "{metrics}");
    // Redelivery sends an event again, now, and logs it apart.
    let first = log["items"].as_array().unwrap().last().unwrap()["id"].as_str().unwrap().to_owned();
    let again = app.call(&owner, "POST", &format!("/v1/webhooks/{id}/deliveries/{first}/redeliver"), None);
    assert_eq!(again.status, 200, "{}", again.body);
    let again = again.json();
    assert_eq!(
        (again["manual"].as_bool(), again["succeeded"].as_bool(), again["attempt"].as_i64()),
        (Some(true), Some(true), Some(7))
    );
    assert_eq!(receiver.received().last().unwrap().header("switchboard-event-id"), ids[0]);
    let unknown =
        app.call(&owner, "POST", &format!("/v1/webhooks/{id}/deliveries/{}/redeliver", uuid::Uuid::new_v4()), None);
    unknown.assert_problem(404, "not_found");
}

fn a_receiver_in_another_account_never_sees_this_accounts_events(app: Builder) {
    let app = app.events(quick()).account("acme", "aircall").account("rival", "aircall").start();
    let (acme, rival) = (app.session("owner@acme.example"), app.session("owner@rival.example"));
    let (acme_rx, rival_rx) = (Receiver::ok(), Receiver::ok());
    let acme_hook = create_webhook(&app, &acme, &acme_rx.url("/"));
    create_webhook(&app, &rival, &rival_rx.url("/"));
    make_workgroups(&app, &acme, &["Acme sales", "Acme support"]);
    make_workgroups(&app, &rival, &["Rival sales"]);
    acme_rx.wait_until(Duration::from_secs(10), |r| r.len() >= 3);
    let rival_got = rival_rx.wait_until(Duration::from_secs(10), |r| r.len() >= 2);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(rival_rx.received().len(), 2);
    let (acme_id, rival_id) = (account_id(&app, &acme), account_id(&app, &rival));
    assert!(rival_got.iter().all(|r| r.json()["account_id"] == rival_id.as_str()));
    assert!(!rival_rx.received().iter().any(|r| String::from_utf8_lossy(&r.body).contains("Acme")));
    // Nor through the feed, nor by naming the other account's webhook.
    let feed = app.call(&rival, "GET", "/v1/events?limit=500", None);
    assert!(!feed.body.contains("Acme") && !feed.body.contains(&acme_id), "{}", feed.body);
    let id = acme_hook["id"].as_str().unwrap();
    for (method, path) in [
        ("GET", format!("/v1/webhooks/{id}")),
        ("PATCH", format!("/v1/webhooks/{id}")),
        ("DELETE", format!("/v1/webhooks/{id}")),
        ("GET", format!("/v1/webhooks/{id}/deliveries")),
        ("POST", format!("/v1/webhooks/{id}/secret")),
    ] {
        let body = (method == "PATCH").then(|| json!({"active": false}));
        app.call(&rival, method, &path, body).assert_problem(404, "not_found");
    }
    assert_eq!(app.call(&acme, "GET", &format!("/v1/webhooks/{id}"), None).json()["active"], true);
}

fn the_feed_resumes_after_a_sequence_long_polls_and_streams(app: Builder) {
    let app = app.account("acme", "mightycall").user("agent@acme.example", &["agent"]).start();
    let owner = app.session("owner@acme.example");
    let all = app.call(&owner, "GET", "/v1/events?limit=500", None).json();
    let latest = all["latest"].as_i64().unwrap();
    assert!(latest > 0, "the account's setup is already a series of events");
    assert_eq!(all["items"].as_array().unwrap().len() as i64, latest, "numbered 1 … latest without gaps");
    make_workgroups(&app, &owner, &["Sales", "Support"]);
    let next = app.call(&owner, "GET", &format!("/v1/events?after={latest}"), None).json();
    let items = next["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (items[0]["sequence"].as_i64(), items[0]["type"].as_str()),
        (Some(latest + 1), Some("workgroup.create"))
    );
    assert_eq!(next["next_after"], latest + 2);
    let logged = app.call(&owner, "GET", "/v1/audit-events?action=workgroup.create&limit=1", None).json();
    assert_eq!(
        (&logged["items"][0]["id"], &logged["items"][0]["sequence"]),
        (&items[1]["id"], &items[1]["sequence"]),
        "the audit log numbers an event as the feed does"
    );
    let one = app.call(&owner, "GET", &format!("/v1/events?after={latest}&limit=1"), None).json();
    assert_eq!(one["next_after"], latest + 1, "a page stops at its last item");

    // A long poll answers as soon as an event is recorded.
    let after = latest + 2;
    let (app_ref, owner_ref) = (&app, &owner);
    std::thread::scope(|s| {
        let waiting = s.spawn(move || {
            let started = std::time::Instant::now();
            let reply = app_ref.call(owner_ref, "GET", &format!("/v1/events?after={after}&wait=10"), None).json();
            (reply, started.elapsed())
        });
        std::thread::sleep(Duration::from_millis(400));
        make_workgroups(app_ref, owner_ref, &["Billing"]);
        let (reply, took) = waiting.join().unwrap();
        assert_eq!(reply["items"][0]["after"]["name"], "Billing");
        assert!(took < Duration::from_secs(5), "answered when the event came, not at the end of the wait");
    });
    let quiet = app.call(&owner, "GET", &format!("/v1/events?after={}&wait=1", after + 1), None).json();
    assert_eq!((quiet["items"].as_array().unwrap().len(), quiet["next_after"].as_i64()), (0, Some(after + 1)));

    // Server-Sent Events resume after Last-Event-ID.
    let stream = read_stream(&app, &owner, latest, 3);
    assert!(stream.starts_with("HTTP/1.1 200") && stream.contains("text/event-stream"), "{stream}");
    let ids: Vec<i64> = stream.lines().filter_map(|l| l.strip_prefix("id: ")).map(|id| id.parse().unwrap()).collect();
    assert_eq!(ids, [latest + 1, latest + 2, latest + 3]);
    assert!(stream.contains("event: workgroup.create\ndata: {"));

    // Bad positions are refused, clearly; the feed is the audit log's readers'.
    app.call(&owner, "GET", "/v1/events?after=-1", None).assert_problem(422, "invalid");
    app.call(&owner, "GET", "/v1/events?wait=31", None).assert_problem(422, "invalid");
    let auth = format!("Bearer {}", owner.token);
    let bad_id = app.request(
        "GET",
        "/v1/events",
        None,
        &[("authorization", &auth), ("accept", "text/event-stream"), ("last-event-id", "soon")],
    );
    bad_id.assert_problem(422, "invalid");
    app.call(&app.session("agent@acme.example"), "GET", "/v1/events", None).assert_problem(403, "forbidden");
}

fn managing_webhooks_needs_the_webhooks_right_and_the_audit_log_mc_36(app: Builder) {
    // As a hosted server runs: no receivers on its machine or private network.
    let hosted = EventsConfig { allow_private_receivers: Some(false), ..EventsConfig::default() };
    let app = app.events(hosted).account("air", "aircall").user("agent@air.example", &["agent"]).start();
    let [owner, agent] = app.sessions(["owner@air.example", "agent@air.example"]);
    let url = "https://crm.example.com/hooks/switchboard";
    app.call(&agent, "POST", "/v1/webhooks", Some(json!({"url": url}))).assert_problem(403, "forbidden");
    app.call(&agent, "GET", "/v1/webhooks", None).assert_problem(403, "forbidden");
    // The right alone never opens the audit log through a receiver.
    let role = json!({"key": "integrator", "name": "Integrator",
        "grants": {"integrations.api": {"level": "manage", "rights": ["integrations.api.webhooks"]}}});
    let made = app.call(&owner, "POST", "/v1/roles", Some(role));
    assert_eq!(made.status, 201, "{}", made.body);
    let integrator = app.user(&owner, "air", "integrator@air.example", &["agent", "integrator"]);
    let refused = app.call(&integrator, "POST", "/v1/webhooks", Some(json!({"url": url})));
    assert_eq!(refused.assert_problem(403, "forbidden")["reason"]["section"], "team.roles", "{}", refused.body);
    // Receivers are HTTPS, and not in the operator's own network (SSRF); nothing else is stored.
    for bad in [
        "http://crm.example.com/hook",
        "ftp://crm.example.com/",
        "https://user:pw@crm.example.com/",
        "hook",
        "http://127.0.0.1:6379/",
        "https://10.0.0.5/hook",
        "https://169.254.169.254/latest/meta-data",
    ] {
        let problem =
            app.call(&owner, "POST", "/v1/webhooks", Some(json!({"url": bad}))).assert_problem(422, "invalid");
        assert_eq!(problem["field"], "url", "{bad}");
    }
    assert_eq!(app.call(&owner, "GET", "/v1/webhooks", None).json()["items"], json!([]));
    let hook = create_webhook(&app, &owner, "https://crm.example.com/hooks/switchboard");
    let id = hook["id"].as_str().unwrap();
    app.call(&owner, "PATCH", &format!("/v1/webhooks/{id}"), Some(json!({"url": "http://crm.example.com/"})))
        .assert_problem(422, "invalid");
    let stale = app.request(
        "PATCH",
        &format!("/v1/webhooks/{id}"),
        Some(r#"{"description": "x"}"#),
        &[("authorization", &format!("Bearer {}", owner.token)), ("if-match", "\"99\"")],
    );
    stale.assert_problem(412, "precondition_failed");
    assert_eq!(app.call(&owner, "DELETE", &format!("/v1/webhooks/{id}"), None).status, 204);
    app.call(&owner, "GET", &format!("/v1/webhooks/{id}"), None).assert_problem(404, "not_found");
}

fn the_signature_examples_of_the_docs_verify_real_deliveries(app: Builder) {
    let app = app.events(quick()).account("acme", "groups-ivr").start();
    let owner = app.session("owner@acme.example");
    let receiver = Receiver::ok();
    let hook = create_webhook(&app, &owner, &receiver.url("/"));
    let secret = hook["secret"].as_str().unwrap();
    let got = receiver.wait_until(Duration::from_secs(10), |r| !r.is_empty());
    assert!(python_verifies(&got[0], secret), "the Python example accepts a real delivery");
    assert!(!python_verifies(&got[0], "whsec_wrong"), "and refuses it under another secret");
    let mut altered = got[0].clone();
    altered.body.push(b' ');
    assert!(!python_verifies(&altered, secret), "and refuses an altered body");
    assert!(signed_by(&got[0], secret) && !signed_by(&altered, secret), "so does the Rust example");
    // The Rust example of the docs is this file's `verify`, word for word.
    let rust = documented("use hmac::{Hmac, Mac};");
    let function = &rust[rust.find("/// Whether a delivery").unwrap()..];
    assert!(include_str!("events.rs").contains(function.trim_end()), "docs/events.md's Rust example drifted");
}
