//! A plugin author's path with the real binary, outside the repository: `switchboard plugins new`
//! writes a standalone crate, cargo tests and builds it, and `switchboard plugins check` loads the
//! library as the server would — printing its roles as a matrix, or naming the pack, the role and the
//! key of a mistake with the key it likely meant.

use crate::server::binary;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use switchboard_plugin_testkit::{built_library, cargo, workspace_root};

fn switchboard(args: &[&str]) -> Output {
    Command::new(binary()).args(args).output().unwrap()
}

/// Runs cargo in the crate, offline, with a shared target directory for the authoring tests.
fn cargo_in(krate: &Path, args: &[&str]) -> Output {
    Command::new(cargo())
        .current_dir(krate)
        .env("CARGO_TARGET_DIR", workspace_root().canonicalize().unwrap().join("target/plugin-authoring"))
        .arg(args[0])
        .arg("--offline")
        .args(&args[1..])
        .output()
        .unwrap()
}

fn build(krate: &Path) -> PathBuf {
    let built = cargo_in(krate, &["build", "--lib", "--message-format=json-render-diagnostics"]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    built_library(&String::from_utf8_lossy(&built.stdout), "preset_dialfast").expect("a cdylib")
}

fn check(library: &Path) -> Output {
    switchboard(&["plugins", "check", library.to_str().unwrap()])
}

fn edit(krate: &Path, from: &str, to: &str) {
    let lib = krate.join("src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(&lib, text.replace(from, to)).unwrap();
}

#[test]
fn a_new_plugin_crate_builds_outside_the_repository_and_checks_clean_and_its_mistakes_are_named() {
    let outside = tempfile::tempdir().unwrap();
    let krate = outside.path().join("preset-dialfast");
    let root = workspace_root().canonicalize().unwrap();
    let made = switchboard(&[
        "plugins",
        "new",
        "preset-dialfast",
        "--dir",
        krate.to_str().unwrap(),
        "--from-source",
        root.to_str().unwrap(),
    ]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let manifest = std::fs::read_to_string(krate.join("Cargo.toml")).unwrap();
    assert!(!manifest.contains(".workspace = true") && manifest.contains("[workspace]"), "standalone:\n{manifest}");
    let again = switchboard(&["plugins", "new", "preset-dialfast", "--dir", krate.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "an existing crate is never overwritten");
    // Offline, so the crate resolves its dependencies from this repository's lock file.
    std::fs::copy(root.join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();
    let tested = cargo_in(&krate, &["test"]);
    assert!(tested.status.success(), "the new crate's own tests pass:\n{}", String::from_utf8_lossy(&tested.stderr));

    let checked = check(&build(&krate));
    let matrix = String::from_utf8_lossy(&checked.stdout);
    assert!(checked.status.success(), "{matrix}\n{}", String::from_utf8_lossy(&checked.stderr));
    assert!(matrix.contains("pack dialfast 0.1.0: 2 role(s), role mode single"), "{matrix}");
    let row =
        |key: &str| matrix.lines().find(|l| l.split_whitespace().next() == Some(key)).unwrap_or_default().to_owned();
    assert_eq!(row("section").split_whitespace().collect::<Vec<_>>(), ["section", "lead", "agent"]);
    assert_eq!(row("contacts").split_whitespace().collect::<Vec<_>>(), ["contacts", "manage", "view"]);
    assert_eq!(
        row("dialfast.tickets.close").split_whitespace().collect::<Vec<_>>(),
        ["dialfast.tickets.close", "yes", "yes"]
    );

    edit(&krate, ".grant(\"contacts\", Level::View)", ".grant(\"report\", Level::View)");
    let mistake = check(&build(&krate));
    assert_eq!(mistake.status.code(), Some(1));
    let said = String::from_utf8_lossy(&mistake.stderr);
    assert!(
        said.contains("preset pack `dialfast`: role `agent`: unknown section `report`; did you mean `reports`?"),
        "{said}"
    );

    edit(&krate, ".grant(\"report\", Level::View)", ".grant(\"numbers\", Level::View).right(\"numbers.add\")");
    let said = String::from_utf8_lossy(&check(&build(&krate)).stderr).into_owned();
    assert!(said.contains("role `agent`: right `numbers.add` needs section `numbers` at `manage`"), "{said}");

    edit(&krate, ".grant(\"numbers\", Level::View).right(\"numbers.add\")", ".grant(\"contacts\", Level::View)");
    edit(&krate, "dialfast.tickets", "tickets");
    let said = String::from_utf8_lossy(&check(&build(&krate)).stderr).into_owned();
    assert!(said.contains("section `tickets` from `dialfast` must be namespaced, e.g. `dialfast.tickets`"), "{said}");
    assert!(!said.contains("tickets.dialfast"), "no suggestion doubles a key: {said}");
}

#[test]
fn the_version_names_the_plugin_sdk_and_abi_and_the_catalog_lists_what_a_pack_may_grant() {
    let version = switchboard(&["--version"]);
    let version = String::from_utf8_lossy(&version.stdout);
    assert!(version.contains("plugin SDK 0.1.0, plugin ABI 1"), "{version}");
    let catalog = switchboard(&["plugins", "catalog", "--json"]);
    let catalog: serde_json::Value = serde_json::from_slice(&catalog.stdout).unwrap();
    let numbers = catalog.as_array().unwrap().iter().find(|s| s["key"] == "numbers").unwrap();
    assert_eq!(numbers["levels"], serde_json::json!(["none", "view", "manage"]));
    assert!(numbers["rights"].as_array().unwrap().iter().any(|r| r["key"] == "numbers.add" && r["needs"] == "manage"));
    let text = String::from_utf8_lossy(&switchboard(&["plugins", "catalog"]).stdout).into_owned();
    assert!(text.contains("gives a level and no right"), "{text}");
}

#[test]
fn check_of_a_file_that_is_not_a_plugin_fails_naming_the_kind() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("libnothing.so");
    std::fs::write(&file, b"not a library").unwrap();
    let checked = check(&file);
    assert_eq!(checked.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&checked.stderr).contains("(not_a_library)"));
}
