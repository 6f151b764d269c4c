//! What a plugin author depends on outside this repository can be published: own metadata, every
//! dependency with a version (no path-only dependency), nothing cargo warns about.

use std::process::Command;
use switchboard_plugin_testkit::{cargo, workspace_root};

#[test]
fn the_sdk_the_testkit_and_what_they_need_are_ready_to_publish() {
    let output = Command::new(cargo())
        .current_dir(workspace_root())
        .args(["package", "--no-verify", "--offline", "--allow-dirty"])
        .args(["-p", "switchboard-core", "-p", "switchboard-plugin-sdk"])
        .args(["-p", "switchboard-plugin-host", "-p", "switchboard-plugin-testkit"])
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    for krate in ["switchboard-core", "switchboard-plugin-sdk", "switchboard-plugin-host", "switchboard-plugin-testkit"]
    {
        assert!(stderr.contains(&format!("Packaging {krate} v")), "{stderr}");
    }
}
