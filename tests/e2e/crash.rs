//! Issue 8: kill -9 the server in the middle of a write load, start it again on the same data, and
//! every write it acknowledged is there; the database passes its integrity check.

use crate::server::{Server, serve, serve_in};
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection, sql_types::Text};
use serde_json::json;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use switchboard_testkit::http::OPERATOR_KEY;
use switchboard_testkit::http::http;

fn login(server: &Server) -> String {
    let body = json!({"account": "acme", "email": "owner@acme.example", "password": "owner-password"});
    http("POST", &format!("{}/v1/auth/token", server.base), Some(body), None).json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Writes workgroups from four threads until the server dies; returns the acknowledged names.
fn write_until_gone(base: &str, token: &str, stop: &AtomicBool) -> Vec<String> {
    let acknowledged = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for t in 0..4 {
            let acknowledged = &acknowledged;
            s.spawn(move || {
                let agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(std::time::Duration::from_secs(5)))
                    .build()
                    .new_agent();
                for i in 0..100_000 {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let name = format!("wg-{t}-{i}");
                    let request = ureq::http::Request::builder()
                        .method("POST")
                        .uri(format!("{base}/v1/workgroups"))
                        .header("authorization", format!("Bearer {token}"))
                        .header("content-type", "application/json")
                        .body(json!({"name": name}).to_string())
                        .unwrap();
                    match agent.run(request) {
                        Ok(r) if r.status().as_u16() == 201 => acknowledged.lock().unwrap().push(name),
                        _ => return, // the server is gone
                    }
                }
            });
        }
    });
    acknowledged.into_inner().unwrap()
}

fn crash_and_recover(extra: &[&str], env: &[(&str, &str)]) -> (Server, Vec<String>) {
    let server = serve(extra, env);
    let account = json!({"slug": "acme", "name": "Acme", "preset": "mightycall",
        "owner": {"email": "owner@acme.example", "name": "Owner", "password": "owner-password"}});
    assert_eq!(http("POST", &format!("{}/v1/accounts", server.base), Some(account), Some(OPERATOR_KEY)).status, 201);
    let token = login(&server);
    let base = server.base.clone();
    // The writers run until the server is killed under them (the flag is only a safety stop).
    let stop = AtomicBool::new(false);
    let acknowledged = std::thread::scope(|s| {
        let writers = s.spawn(|| write_until_gone(&base, &token, &stop));
        std::thread::sleep(std::time::Duration::from_millis(1500));
        let kept = server.kill_hard();
        let acknowledged = writers.join().unwrap();
        stop.store(true, Ordering::SeqCst);
        (acknowledged, kept)
    });
    let (acknowledged, (data, plugins)) = acknowledged;
    assert!(acknowledged.len() > 10, "the load ran: {} writes", acknowledged.len());
    let restarted = serve_in(data, plugins, extra, env);
    let token = login(&restarted);
    let mut stored = Vec::new();
    let mut path = "/v1/workgroups?limit=500".to_owned();
    loop {
        let page = http("GET", &format!("{}{path}", restarted.base), None, Some(&token));
        assert_eq!(page.status, 200, "{}", page.body);
        stored.extend(page.json()["items"].as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap().to_owned()));
        match page.json()["next_cursor"].as_str() {
            Some(c) => path = format!("/v1/workgroups?limit=500&cursor={c}"),
            None => break,
        }
    }
    let missing: Vec<&String> = acknowledged.iter().filter(|n| !stored.contains(n)).collect();
    assert!(missing.is_empty(), "acknowledged writes lost: {missing:?}");
    (restarted, acknowledged)
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

#[test]
fn killed_mid_write_on_sqlite_every_acknowledged_write_survives() {
    let (server, acknowledged) = crash_and_recover(&[], &[("SWITCHBOARD_OPERATOR_KEY", OPERATOR_KEY)]);
    let path = server.data_dir().join("switchboard.db");
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    let check: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(&mut conn).unwrap();
    assert_eq!(check[0].integrity_check, "ok");
    eprintln!("sqlite crash test: {} acknowledged writes survived", acknowledged.len());
}

#[test]
#[cfg_attr(not(pg_tests), ignore = "set SWITCHBOARD_TEST_DATABASE_URL to run against PostgreSQL")]
fn killed_mid_write_on_postgres_every_acknowledged_write_survives() {
    let db = switchboard_testkit::postgres::Database::create();
    let (_server, acknowledged) =
        crash_and_recover(&["--database-url", &db.url], &[("SWITCHBOARD_OPERATOR_KEY", OPERATOR_KEY)]);
    // PostgreSQL replays its WAL on its own; the reads above prove every acknowledged row is there.
    eprintln!("postgres crash test: {} acknowledged writes survived", acknowledged.len());
}
