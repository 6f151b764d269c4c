//! A plugin written only from `docs/plugins.md`: its code blocks are extracted into a fresh crate outside
//! the repository, tested and built with cargo (offline, against the path SDK and testkit as the guide
//! says for a checkout, and the workspace's lock file) and loaded through the host.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use switchboard_core::{Level, RoleMode, ScopeKind};
use switchboard_plugin_host::PluginHost;
use switchboard_plugin_testkit::{built_library, cargo, workspace_root};

/// The guide's code blocks marked with a file name: ```` ```rust file=src/lib.rs ````.
fn files_of_the_guide() -> Vec<(String, String)> {
    let guide = std::fs::read_to_string(workspace_root().join("docs/plugins.md")).expect("docs/plugins.md");
    let mut files = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in guide.lines() {
        match &mut current {
            Some((_, body)) if line.trim_end() != "```" => {
                body.push_str(line);
                body.push('\n');
            }
            Some(_) => files.extend(current.take()),
            None => {
                if let Some(info) = line.strip_prefix("```")
                    && let Some(name) = info.split_whitespace().find_map(|w| w.strip_prefix("file="))
                {
                    current = Some((name.to_owned(), String::new()));
                }
            }
        }
    }
    files
}

fn build_the_guides_plugin(files: &[(String, String)]) -> PathBuf {
    let root = workspace_root().canonicalize().expect("workspace root");
    let krate = tempfile::tempdir().expect("temp dir");
    let crates = root.join("crates");
    for (name, body) in files {
        let path = krate.path().join(name);
        std::fs::create_dir_all(path.parent().expect("in the crate")).expect("dirs");
        let body = if name == "Cargo.toml" {
            // Point the guide's placeholder paths at this checkout's SDK and testkit.
            body.replace("../switchboard/crates", crates.to_str().expect("utf-8 path"))
        } else {
            body.clone()
        };
        std::fs::write(&path, body).expect("write");
    }
    std::fs::copy(root.join("Cargo.lock"), krate.path().join("Cargo.lock")).expect("lock file");
    // Its own directory under `target/` (shared with the other authoring tests): the guide's library must
    // not land next to the workspace's plugins in `target/debug`, where it would be a second `helpdesk`
    // pack beside the template's.
    let cargo_in_the_crate = |args: &[&str]| {
        Command::new(cargo())
            .current_dir(krate.path())
            .env("CARGO_TARGET_DIR", root.join("target/plugin-authoring"))
            .args(args)
            .output()
            .expect("cargo runs")
    };
    let tested = cargo_in_the_crate(&["test", "--offline"]);
    assert!(tested.status.success(), "the guide's tests fail:\n{}", String::from_utf8_lossy(&tested.stderr));
    let output = cargo_in_the_crate(&["build", "--offline", "--lib", "--message-format=json-render-diagnostics"]);
    assert!(output.status.success(), "the guide's plugin does not build:\n{}", String::from_utf8_lossy(&output.stderr));
    built_library(&String::from_utf8_lossy(&output.stdout), "preset_helpdesk").expect("a cdylib")
}

#[test]
fn a_plugin_written_only_from_the_guide_builds_loads_and_has_its_roles() {
    let files = files_of_the_guide();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Cargo.toml", "src/lib.rs", "tests/pack.rs"]);
    // The template is the guide's code, so the two never drift apart.
    let template =
        std::fs::read_to_string(workspace_root().join("templates/preset-plugin/src/lib.rs")).expect("template");
    assert_eq!(files[1].1, template, "docs/plugins.md and templates/preset-plugin/src/lib.rs differ");

    let library = build_the_guides_plugin(&files);
    let dir = tempfile::tempdir().expect("plugins dir");
    let installed = dir.path().join(library.file_name().expect("a file"));
    std::fs::copy(&library, &installed).expect("install");
    let report = PluginHost::new(dir.path(), switchboard_plugin_testkit::describer().expect("built"))
        .strict(true)
        .load()
        .expect("loads without problems");
    let loaded = report.pack("helpdesk").expect("the guide's pack");
    assert_eq!(loaded.plugin.name, "preset-helpdesk");
    assert_eq!(Path::new(&loaded.file), installed);
    let pack = &loaded.pack;
    assert_eq!(pack.role_mode, RoleMode::Single);
    assert_eq!(pack.roles.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["lead", "agent"]);
    assert_eq!(pack.default_role.as_deref(), Some("agent"));
    let agent = &pack.roles[1];
    assert_eq!(agent.scope, ScopeKind::Workgroup);
    assert_eq!(agent.level("helpdesk.tickets"), Level::Manage);
    assert!(agent.grants["helpdesk.tickets"].rights.contains("helpdesk.tickets.close"));
    let policy = pack.policy(Arc::clone(&loaded.catalog), []).expect("policy");
    let lead = policy.role(policy.role_idx("lead").expect("lead")).access();
    let account = loaded.catalog.section_id("account").expect("core section");
    assert_eq!(lead.level(&loaded.catalog, account), Level::None);
}
