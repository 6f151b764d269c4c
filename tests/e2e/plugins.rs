//! Plugins run in processes of their own: the real server starts beside every kind of hostile plugin,
//! reports each by file and kind, and never lets one see its secrets.

use crate::server::{run, serve_in};
use serde_json::json;
use switchboard_plugin_testkit::{PluginDir, library_file_name};
use switchboard_testkit::http::http;

const SECRET: &str = "jwt-secret-that-no-plugin-may-see-0123456789";

/// Each hostile fixture and the kind of problem it is reported as.
const HOSTILE: &[(&str, &str)] = &[
    ("abort_in_constructor", "crashed"),
    ("abort_in_packs", "crashed"),
    ("segfault", "crashed"),
    ("endless_loop", "timed_out"),
    ("huge_allocation", "out_of_memory"),
    ("oversized_answer", "malformed"),
    ("flood_output", "output_too_large"),
    ("snoop_environment", "entry_failed"),
];

fn hostile_beside_the_presets() -> PluginDir {
    let plugins = PluginDir::presets().unwrap();
    for (fixture, _) in HOSTILE {
        plugins.add(fixture).unwrap();
    }
    plugins
}

#[test]
fn the_server_starts_beside_every_hostile_plugin_reports_each_by_kind_and_keeps_its_secret() {
    let plugins = hostile_beside_the_presets();
    let data = tempfile::tempdir().unwrap();
    // Short enough that the endless loop is stopped soon, long enough that the fixtures doing real
    // work (debug builds, four describers at once, other suites on the same two cores) never reach
    // it: 1.5 s once timed out `oversized_answer` under CI's load.
    let env = [("SWITCHBOARD_JWT_SECRET", SECRET), ("SWITCHBOARD_PLUGIN_TIME_LIMIT_MS", "6000")];
    let server = serve_in(data, plugins, &["--demo"], &env);
    let login =
        json!({"account": "demo-aircall", "email": "admin@demo-aircall.example", "password": "switchboard-demo"});
    let token = http("POST", &format!("{}/v1/auth/token", server.base), Some(login), None);
    assert_eq!(token.status, 200, "the good plugins loaded and the demo works: {}", token.body);
    let token = token.json()["access_token"].as_str().unwrap().to_owned();
    let listed = http("GET", &format!("{}/v1/plugins", server.base), None, Some(&token)).json();
    let packs: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["packs"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()))
        .collect();
    assert_eq!(packs, ["aircall", "aircall-classic", "groups-ivr", "mightycall"]);
    let problems = listed["problems"].as_array().unwrap();
    assert_eq!(problems.len(), HOSTILE.len(), "{problems:#?}");
    for (fixture, kind) in HOSTILE {
        let file = library_file_name(fixture);
        let problem = problems.iter().find(|p| p["file"] == file.as_str()).unwrap_or_else(|| panic!("{file}"));
        assert_eq!(problem["kind"], *kind, "{problem}");
    }
    let snooped = problems.iter().find(|p| p["file"] == library_file_name("snoop_environment").as_str()).unwrap();
    let report = snooped["error"].as_str().unwrap();
    assert!(report.contains("own environment: [];"), "the plugin's environment is empty: {report}");
    assert!(report.contains("parent environment: unreadable"), "{report}");
    assert!(!report.contains(SECRET), "{report}");
    assert!(!server.log_text().contains(SECRET));
    assert!(server.log_text().contains("(timed_out)"), "the log names the kind:\n{}", server.log_text());
}

#[test]
fn strict_plugin_loading_refuses_to_start_beside_a_hostile_plugin_naming_it() {
    let plugins = PluginDir::presets().unwrap();
    plugins.add("segfault").unwrap();
    let data = tempfile::tempdir().unwrap();
    let strict = run(&["serve", "--bind", "127.0.0.1:0", "--strict-plugins"], data.path(), plugins.path(), None);
    assert!(!strict.status.success());
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(stderr.contains(&library_file_name("segfault")) && stderr.contains("SIGSEGV"), "{stderr}");
}

/// Creates account `evo` on the `evolving` pack with version 1 of it installed.
fn evolving_account() -> (tempfile::TempDir, PluginDir) {
    let plugins = PluginDir::with(&["evolving_v1"]).unwrap();
    let data = tempfile::tempdir().unwrap();
    let init = run(
        &["init", "--slug", "evo", "--preset", "evolving", "--email", "boss@evo.example"],
        data.path(),
        plugins.path(),
        Some("a long enough password\n"),
    );
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    (data, plugins)
}

#[test]
fn plugins_counts_the_accounts_behind_a_newer_pack_version() {
    let (data, _v1) = evolving_account();
    let v2 = PluginDir::with(&["evolving_v2"]).unwrap();
    let listing = run(&["plugins"], data.path(), v2.path(), None);
    let text = String::from_utf8_lossy(&listing.stdout);
    assert!(text.contains("accounts: 1, 1 behind version 2.0.0 (POST /v1/presets/upgrade): evo"), "{text}");
    let json = run(&["plugins", "--json"], data.path(), v2.path(), None);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["accounts"]["behind"], json!({"evolving": ["evo"]}));
    let same = run(&["plugins"], data.path(), _v1.path(), None);
    assert!(String::from_utf8_lossy(&same.stdout).contains("accounts: 1, none behind"));
}

#[test]
fn an_account_made_before_versions_were_recorded_is_matched_by_its_roles() {
    use diesel::{Connection, RunQueryDsl};
    let (data, v1) = evolving_account();
    let mut db =
        diesel::sqlite::SqliteConnection::establish(&data.path().join("switchboard.db").to_string_lossy()).unwrap();
    diesel::sql_query("UPDATE accounts SET preset_version = ''").execute(&mut db).unwrap();
    drop(db);
    let unknown = run(&["plugins"], data.path(), v1.path(), None);
    assert!(String::from_utf8_lossy(&unknown.stdout).contains("accounts: 1, none behind"), "same roles: not behind");
    let v2 = PluginDir::with(&["evolving_v2"]).unwrap();
    let behind = run(&["plugins"], data.path(), v2.path(), None);
    assert!(String::from_utf8_lossy(&behind.stdout).contains("1 behind version 2.0.0"), "other roles: behind");
    // The server records the version it matched.
    let server = serve_in(data, v1, &[], &[]);
    let mut db =
        diesel::sqlite::SqliteConnection::establish(&server.data_dir().join("switchboard.db").to_string_lossy())
            .unwrap();
    let recorded: Vec<Recorded> = diesel::sql_query("SELECT preset_version FROM accounts").load(&mut db).unwrap();
    assert_eq!(recorded[0].preset_version, "1.0.0");
}

#[derive(diesel::QueryableByName)]
struct Recorded {
    #[diesel(sql_type = diesel::sql_types::Text)]
    preset_version: String,
}

#[test]
fn accounts_on_a_pack_no_plugin_provides_are_named_loudly_and_refused_when_strict() {
    let (data, _v1) = evolving_account();
    let presets = PluginDir::presets().unwrap();
    let strict = run(&["serve", "--bind", "127.0.0.1:0", "--strict-plugins"], data.path(), presets.path(), None);
    assert!(!strict.status.success());
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(stderr.contains("1 account(s) are on preset pack `evolving`") && stderr.contains(": evo"), "{stderr}");
    let server = serve_in(data, presets, &[], &[]);
    assert!(server.log_text().contains("which no loaded plugin provides"), "{}", server.log_text());
}
