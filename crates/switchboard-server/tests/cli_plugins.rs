//! `switchboard plugins`, run as the real binary over real plugin libraries.

// Test helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::process::{Command, Output};
use switchboard_plugin_testkit::{PluginDir, library_file_name};

fn switchboard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(args)
        .env_remove("SWITCHBOARD_PLUGINS_DIR")
        .output()
        .expect("runs")
}

fn plugins(dir: &PluginDir, extra: &[&str]) -> Output {
    let path = dir.path().to_str().expect("utf-8 path");
    let mut args = vec!["plugins", "--plugins-dir", path];
    args.extend_from_slice(extra);
    switchboard(&args)
}

#[test]
fn lists_every_pack_with_its_role_mode_roles_and_grants() {
    let dir = PluginDir::presets().expect("built");
    let output = plugins(&dir, &["--strict"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    for line in [
        "mightycall 0.1.0 (MightyCall, role mode single) from libpreset_mightycall",
        "aircall 0.1.0 (Aircall, role mode combinable)",
        "groups-ivr 0.1.0 (Groups & IVRs dashboard, role mode single)",
        "role manager \"Manager\": scope all, recents all",
        "role agent \"Agent\": scope workgroup, recents personal",
        "numbers: manage [numbers.add, numbers.delete, numbers.edit]",
        "assignable by: @superadmin",
        "legacy role admin -> admin + agent (billing owner also owner)",
        "billing.credits: manage [billing.credits.add]",
    ] {
        let line = line.replace("libpreset_mightycall", &library_file_name("preset_mightycall"));
        assert!(stdout.contains(&line), "missing `{line}` in:\n{stdout}");
    }
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn reports_each_broken_library_by_file_name_and_fails_only_when_strict() {
    let dir = PluginDir::with(&["preset_mightycall", "wrong_abi", "panic_in_packs"]).expect("built");
    dir.write(&library_file_name("garbage"), b"not a library").expect("write");
    let lenient = plugins(&dir, &[]);
    assert!(lenient.status.success(), "without --strict a broken plugin is reported, not fatal");
    let stderr = String::from_utf8_lossy(&lenient.stderr);
    for fixture in ["wrong_abi", "panic_in_packs", "garbage"] {
        assert!(stderr.contains(&library_file_name(fixture)), "{fixture} not reported in:\n{stderr}");
    }
    assert!(stderr.contains("ABI version 2"), "{stderr}");
    assert!(String::from_utf8_lossy(&lenient.stdout).contains("mightycall 0.1.0"));

    let strict = plugins(&dir, &["--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&strict.stderr).contains("3 broken plugin(s)"));
}

#[test]
fn json_output_lists_packs_and_problems() {
    let dir = PluginDir::with(&["preset_groups_ivr", "duplicate_role"]).expect("built");
    let output = plugins(&dir, &["--json"]);
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(json["packs"][0]["pack"]["name"], "groups-ivr");
    assert_eq!(json["packs"][0]["plugin"]["name"], "preset-groups-ivr");
    assert_eq!(json["problems"][0]["file"], library_file_name("duplicate_role"));
    assert_eq!(json["problems"][0]["error"], "preset pack `duplicate-role`: role `agent` is defined twice");
}

#[test]
fn an_unreadable_plugins_directory_exits_with_status_2() {
    let output = switchboard(&["plugins", "--plugins-dir", "/nonexistent/switchboard-plugins"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/switchboard-plugins"));
}

#[test]
fn hostile_plugins_are_reported_by_file_and_kind_and_never_see_the_servers_environment() {
    let secret = "jwt-secret-never-in-a-plugin-9f8e7d";
    let dir = PluginDir::with(&["preset_mightycall", "segfault", "endless_loop", "snoop_environment"]).expect("built");
    let output = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["plugins", "--json", "--plugin-time-limit-ms", "1000", "--plugins-dir"])
        .arg(dir.path())
        .env("SWITCHBOARD_JWT_SECRET", secret)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let kinds: Vec<(&str, &str)> = json["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| (p["file"].as_str().expect("file"), p["kind"].as_str().expect("kind")))
        .collect();
    let (endless, segfault, snoop) =
        (library_file_name("endless_loop"), library_file_name("segfault"), library_file_name("snoop_environment"));
    assert_eq!(kinds, [(&*endless, "timed_out"), (&*segfault, "crashed"), (&*snoop, "entry_failed")]);
    assert!(stdout.contains("own environment: [];"), "{stdout}");
    assert!(!stdout.contains(secret) && !String::from_utf8_lossy(&output.stderr).contains(secret));
    assert!(String::from_utf8_lossy(&output.stderr).contains("broken plugin (crashed)"));
}
