//! Change events through crashes and outages (issue 19): `kill -9` in the middle of webhook
//! deliveries loses no event, and the NATS sink publishes what waited in the outbox, in order, once
//! the NATS server can be reached again.

use crate::server::{Server, serve, serve_in};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;
use switchboard_testkit::http::{OPERATOR_KEY, http};
use switchboard_testkit::receiver::Receiver;

/// A configuration file with quick webhook timeouts (a crashed instance's lease runs out in 1.5 s)
/// and, when given, the NATS sink.
fn config(dir: &std::path::Path, nats: Option<(&str, &str, &str)>) -> String {
    let mut text =
        "[events]\nwebhook_timeout_ms = 500\nwebhook_retry_base_ms = 50\nwebhook_retry_max_ms = 200\nallow_private_receivers = true\n"
            .to_owned();
    if let Some((url, stream, prefix)) = nats {
        text.push_str(&format!(
            "nats_url = \"{url}\"\nnats_stream = \"{stream}\"\nnats_subject_prefix = \"{prefix}\"\n"
        ));
    }
    let path = dir.join("switchboard.toml");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn account_and_token(server: &Server) -> String {
    let account = json!({"slug": "acme", "name": "Acme", "preset": "aircall",
        "owner": {"email": "owner@acme.example", "name": "Owner", "password": "owner-password"}});
    assert_eq!(http("POST", &format!("{}/v1/accounts", server.base), Some(account), Some(OPERATOR_KEY)).status, 201);
    let body = json!({"account": "acme", "email": "owner@acme.example", "password": "owner-password"});
    http("POST", &format!("{}/v1/auth/token", server.base), Some(body), None).json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn make_workgroups(server: &Server, token: &str, names: impl Iterator<Item = String>) {
    for name in names {
        let made = http("POST", &format!("{}/v1/workgroups", server.base), Some(json!({"name": name})), Some(token));
        assert_eq!(made.status, 201, "{}", made.body);
    }
}

fn latest(server: &Server, token: &str) -> i64 {
    http("GET", &format!("{}/v1/events?limit=1", server.base), None, Some(token)).json()["latest"].as_i64().unwrap()
}

fn killed_mid_delivery_no_event_is_lost(extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let env = [("SWITCHBOARD_OPERATOR_KEY", OPERATOR_KEY), ("SWITCHBOARD_CONFIG", &config(dir.path(), None))];
    let server = serve(extra, &env);
    let token = account_and_token(&server);
    // A slow receiver: the kill lands while deliveries are under way.
    let receiver = Receiver::scripted(|_| (200, Duration::from_millis(100)));
    let hook =
        http("POST", &format!("{}/v1/webhooks", server.base), Some(json!({"url": receiver.url("/")})), Some(&token));
    assert_eq!(hook.status, 201, "{}", hook.body);
    let first = hook.json()["delivered_sequence"].as_i64().unwrap() + 1;
    // Paused while the changes are made, then resumed: however slow the machine, 30 events and more
    // wait to be delivered, 100 ms each, when the kill lands after the fifth.
    let hook_path = format!("{}/v1/webhooks/{}", server.base, hook.json()["id"].as_str().unwrap());
    let pause = |active: bool| http("PATCH", &hook_path, Some(json!({"active": active})), Some(&token)).status;
    assert_eq!(pause(false), 200);
    make_workgroups(&server, &token, (0..30).map(|i| format!("Team {i}")));
    assert_eq!(pause(true), 200);
    let last = latest(&server, &token);
    receiver.wait_until(Duration::from_secs(20), |r| r.len() >= 5);
    let (data, plugins) = server.kill_hard();
    let before_restart = receiver.received().len();
    assert!(before_restart < 20, "killed during delivery, not after: {before_restart} delivered");

    let restarted = serve_in(data, plugins, extra, &env);
    // The feed's positions survive the crash too: the same numbers name the same events.
    let token = {
        let body = json!({"account": "acme", "email": "owner@acme.example", "password": "owner-password"});
        let reply = http("POST", &format!("{}/v1/auth/token", restarted.base), Some(body), None);
        reply.json()["access_token"].as_str().unwrap().to_owned()
    };
    let resumed = http("GET", &format!("{}/v1/events?after={}", restarted.base, first - 1), None, Some(&token)).json();
    let items = resumed["items"].as_array().unwrap();
    assert_eq!((&items[0]["sequence"], &items[0]["type"]), (&json!(first), &json!("webhook.create")));
    assert_eq!((&items[1]["sequence"], &items[1]["type"]), (&json!(first + 1), &json!("webhook.update")));
    let all = |r: &[switchboard_testkit::receiver::Received]| {
        let seen: std::collections::BTreeSet<i64> = r.iter().map(|x| x.json()["sequence"].as_i64().unwrap()).collect();
        (first..=last).all(|s| seen.contains(&s))
    };
    let got = receiver.wait_until(Duration::from_secs(30), all);
    assert!(all(&got), "every event reached the receiver after the restart ({} requests)", got.len());
    // At least once, in order: the first time each event arrives follows the sequence.
    let mut first_seen = Vec::new();
    for r in &got {
        let s = r.json()["sequence"].as_i64().unwrap();
        if !first_seen.contains(&s) {
            first_seen.push(s);
        }
    }
    assert_eq!(first_seen, (first..=last).collect::<Vec<_>>());
    let duplicates = got.len() - first_seen.len();
    eprintln!(
        "webhook crash test: {} events, {before_restart} before the kill, {duplicates} sent twice",
        first_seen.len()
    );
    drop(restarted);
}

#[test]
fn killed_mid_delivery_on_sqlite_no_webhook_event_is_lost() {
    killed_mid_delivery_no_event_is_lost(&[]);
}

#[test]
#[cfg_attr(not(pg_tests), ignore = "set SWITCHBOARD_TEST_DATABASE_URL to run against PostgreSQL")]
fn killed_mid_delivery_on_postgres_no_webhook_event_is_lost() {
    let db = switchboard_testkit::postgres::Database::create();
    killed_mid_delivery_no_event_is_lost(&["--database-url", &db.url]);
}

/// A TCP relay to the NATS server that can be cut (every connection dropped, new ones refused) and
/// restored, on the same port: NATS "unreachable for a while".
struct Relay {
    port: u16,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    open: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
}

impl Relay {
    fn to(upstream: String) -> Relay {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let open: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>> = Default::default();
        let (up2, open2) = (up.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !up2.load(Ordering::SeqCst) {
                    continue; // dropped at once: refused
                }
                let Ok(server) = std::net::TcpStream::connect(&upstream) else { continue };
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server.try_clone().unwrap(), client.try_clone().unwrap()),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
                open2.lock().unwrap().extend([client, server]);
            }
        });
        Relay { port, up, open }
    }

    fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Every message of `subject` in the stream, in stream order.
fn stream_messages(nats: &str, stream: &str, subject: &str) -> Vec<Value> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = async_nats::connect(nats).await.unwrap();
        let js = async_nats::jetstream::new(client);
        let stream = js.get_stream(stream).await.unwrap();
        let mut out = Vec::new();
        let mut seq = 1;
        loop {
            match stream.get_raw_message(seq).await {
                Ok(m) if m.subject.as_str() == subject => out.push(serde_json::from_slice(&m.payload).unwrap()),
                Ok(_) => {}
                Err(_) => break,
            }
            seq += 1;
        }
        out
    })
}

fn delete_stream(nats: &str, stream: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = async_nats::connect(nats).await.unwrap();
        let _ = async_nats::jetstream::new(client).delete_stream(stream).await;
    });
}

#[test]
#[cfg_attr(not(nats_tests), ignore = "set SWITCHBOARD_TEST_NATS_URL to run against NATS JetStream")]
fn events_wait_in_the_outbox_while_nats_is_unreachable_then_arrive_in_order() {
    let nats = std::env::var("SWITCHBOARD_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let relay = Relay::to(nats.trim_start_matches("nats://").to_owned());
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let (stream, prefix) = (format!("SBTEST_{tag}"), format!("sbtest.{tag}"));
    let dir = tempfile::tempdir().unwrap();
    let relayed = format!("nats://127.0.0.1:{}", relay.port);
    let env = [
        ("SWITCHBOARD_OPERATOR_KEY", OPERATOR_KEY),
        ("SWITCHBOARD_CONFIG", &config(dir.path(), Some((&relayed, &stream, &prefix)))),
    ];
    let server = serve(&[], &env);
    let token = account_and_token(&server);
    let account =
        http("GET", &format!("{}/v1/events?limit=1", server.base), None, Some(&token)).json()["items"][0]["account_id"]
            .as_str()
            .unwrap()
            .to_owned();
    let subject = format!("{prefix}.{account}");
    let published = |n: i64| {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let got = stream_messages(&nats, &stream, &subject);
            if got.len() as i64 >= n || std::time::Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    let before = latest(&server, &token);
    assert_eq!(published(before).len() as i64, before, "the account's setup is published");

    relay.cut();
    make_workgroups(&server, &token, (0..5).map(|i| format!("During the outage {i}")));
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(stream_messages(&nats, &stream, &subject).len() as i64, before, "nothing gets through the cut");
    relay.restore();
    make_workgroups(&server, &token, std::iter::once("After the outage".to_owned()));
    let last = latest(&server, &token);
    let got = published(last);
    let sequences: Vec<i64> = got.iter().map(|e| e["sequence"].as_i64().unwrap()).collect();
    assert_eq!(sequences, (1..=last).collect::<Vec<_>>(), "every event once, in order");
    let names: Vec<&str> = got.iter().filter_map(|e| e["after"]["name"].as_str()).collect();
    assert_eq!(names.last(), Some(&"After the outage"));
    let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
    got.iter().for_each(|e| *by_type.entry(e["type"].as_str().unwrap()).or_default() += 1);
    assert_eq!(by_type.get("workgroup.create"), Some(&6));
    assert!(server.log_text().contains("events wait in the outbox"), "the outage is logged");
    delete_stream(&nats, &stream);
}
