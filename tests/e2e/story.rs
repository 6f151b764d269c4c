//! What an operator and a newcomer do first, against the real binary.

use crate::server::{run, serve};
use serde_json::json;
use switchboard_plugin_testkit::PluginDir;
use switchboard_testkit::http::http;

#[test]
fn a_newcomer_starts_the_demo_signs_in_and_reads_me() {
    let server = serve(&["--demo"], &[]);
    assert!(server.stdout.contains("switchboard-demo"), "the demo prints how to sign in:\n{}", server.stdout);
    let login =
        json!({"account": "demo-mightycall", "email": "agent@demo-mightycall.example", "password": "switchboard-demo"});
    let token = http("POST", &format!("{}/v1/auth/token", server.base), Some(login), None);
    assert_eq!(token.status, 200, "{}", token.body);
    let token = token.json()["access_token"].as_str().unwrap().to_owned();
    let me = http("GET", &format!("{}/v1/me", server.base), None, Some(&token));
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["roles"][0]["key"], "agent");
    let history = http("GET", &format!("{}/v1/communications?limit=5", server.base), None, Some(&token));
    assert_eq!(history.json()["items"].as_array().unwrap().len(), 5, "the demo has thousands of communications");
    let plugins = http("GET", &format!("{}/v1/plugins", server.base), None, Some(&token));
    let plugins = plugins.json();
    let packs: Vec<&str> = plugins["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["packs"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()))
        .collect();
    for pack in ["mightycall", "aircall", "groups-ivr"] {
        assert!(packs.contains(&pack), "{packs:?}");
    }
    assert!(server.stop().success(), "SIGTERM stops the server cleanly");
}

#[test]
fn init_creates_an_account_and_token_mints_a_working_token() {
    let data = tempfile::tempdir().unwrap();
    let plugins = PluginDir::presets().unwrap();
    let init = run(
        &["init", "--slug", "acme", "--preset", "aircall", "--email", "boss@acme.example"],
        data.path(),
        plugins.path(),
        Some("a long enough password\n"),
    );
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    assert!(String::from_utf8_lossy(&init.stdout).contains("created account acme"));
    let minted =
        run(&["token", "--account", "acme", "--email", "boss@acme.example"], data.path(), plugins.path(), None);
    assert!(minted.status.success(), "{}", String::from_utf8_lossy(&minted.stderr));
    let token = String::from_utf8_lossy(&minted.stdout).trim().to_owned();
    let server = crate::server::serve_in(data, plugins, &[], &[]);
    let me = http("GET", &format!("{}/v1/me", server.base), None, Some(&token));
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["user"]["superadmin"], true);
    let me = me.json();
    let roles: Vec<&str> = me["roles"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(roles, vec!["owner", "admin", "agent"], "rule AC-14: the billing owner is Owner + Admin + Agent");
}

#[test]
fn the_openapi_subcommand_prints_the_checked_in_document_and_migrate_is_idempotent() {
    let data = tempfile::tempdir().unwrap();
    let plugins = PluginDir::new().unwrap();
    let spec = run(&["openapi"], data.path(), plugins.path(), None);
    let checked_in =
        std::fs::read_to_string(switchboard_plugin_testkit::workspace_root().join("openapi/openapi.json")).unwrap();
    assert_eq!(String::from_utf8_lossy(&spec.stdout), checked_in);
    for _ in 0..2 {
        let migrate = run(&["migrate"], data.path(), plugins.path(), None);
        assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
        assert!(String::from_utf8_lossy(&migrate.stdout).contains("up to date"));
    }
}

#[test]
fn a_broken_plugin_is_reported_and_skipped_or_refused_when_strict() {
    let plugins = PluginDir::presets().unwrap();
    plugins.write("libbroken.so", b"not a library at all").unwrap();
    let data = tempfile::tempdir().unwrap();
    let strict = run(&["serve", "--bind", "127.0.0.1:0", "--strict-plugins"], data.path(), plugins.path(), None);
    assert!(!strict.status.success());
    assert!(String::from_utf8_lossy(&strict.stderr).contains("libbroken.so"), "the error names the file");
    let server = crate::server::serve_in(data, plugins, &["--demo"], &[]);
    let login =
        json!({"account": "demo-aircall", "email": "admin@demo-aircall.example", "password": "switchboard-demo"});
    let token = http("POST", &format!("{}/v1/auth/token", server.base), Some(login), None).json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = http("GET", &format!("{}/v1/plugins", server.base), None, Some(&token));
    assert_eq!(listed.json()["problems"][0]["file"], "libbroken.so", "{}", listed.body);
}
