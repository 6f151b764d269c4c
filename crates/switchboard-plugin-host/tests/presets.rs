use std::collections::BTreeMap;
use switchboard_plugin_host::{HostError, PluginError, PluginHost};
use switchboard_plugin_sdk::RoleMode;
use switchboard_plugin_testkit::{PluginDir, library_file_name};

#[test]
fn the_three_presets_load_together_without_catalog_collisions() {
    let dir = PluginDir::presets().expect("built");
    let report = dir.host().strict(true).load().expect("no problem at all");
    assert!(report.problems.is_empty());
    // File-name order (libpreset_aircall < libpreset_groups_ivr < libpreset_mightycall), then the
    // plugin's own order.
    assert_eq!(report.pack_names(), ["aircall", "aircall-classic", "groups-ivr", "mightycall"]);
    let modes: BTreeMap<_, _> = report.packs.iter().map(|p| (p.pack.name.as_str(), p.pack.role_mode)).collect();
    assert_eq!(modes["mightycall"], RoleMode::Single);
    assert_eq!(modes["aircall"], RoleMode::Combinable);
    assert_eq!(modes["groups-ivr"], RoleMode::Single);
    // Every extension key has exactly one owner across the plugins.
    let mut owners: BTreeMap<String, &str> = BTreeMap::new();
    for loaded in &report.packs {
        for section in &loaded.pack.catalog_extensions {
            let keys = std::iter::once(&section.key).chain(section.rights.iter().map(|r| &r.key));
            for key in keys {
                assert!(owners.insert(key.clone(), &loaded.pack.name).is_none(), "{key} declared twice");
            }
        }
    }
    assert!(owners.len() > 30, "the vendor packs extend the catalog: {owners:?}");
    for loaded in &report.packs {
        assert!(loaded.file.starts_with(dir.path()));
        assert!(loaded.pack.policy(loaded.catalog.clone(), []).is_ok());
    }
}

#[test]
fn plugin_info_comes_from_the_plugin_crate() {
    let dir = PluginDir::with(&["preset_aircall"]).expect("built");
    let report = dir.host().load().expect("loads");
    let aircall = report.pack("aircall").expect("aircall");
    assert_eq!(aircall.plugin.name, "preset-aircall");
    assert_eq!(aircall.plugin.sdk_version, switchboard_plugin_sdk::abi::SDK_VERSION.to_string());
    assert!(aircall.file.ends_with(library_file_name("preset_aircall")));
    // The classic pack uses the sections its sibling declares: its catalog has them.
    let classic = report.pack("aircall-classic").expect("classic");
    assert!(classic.pack.catalog_extensions.is_empty());
    assert!(classic.catalog.section_id("billing.plan").is_ok());
}

#[test]
fn a_second_copy_of_a_plugin_is_refused_and_the_first_kept() {
    let dir = PluginDir::new().expect("dir");
    let first = dir.add_as("preset_mightycall", &library_file_name("a_mightycall")).expect("copy");
    let second = dir.add_as("preset_mightycall", &library_file_name("b_mightycall")).expect("copy");
    let report = dir.host().load().expect("loads");
    assert_eq!(report.pack_names(), ["mightycall"]);
    assert_eq!(report.packs[0].file, first);
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].file, second);
    assert_eq!(
        report.problems[0].error,
        PluginError::DuplicatePack { pack: "mightycall".into(), existing: first.clone() }
    );
}

#[test]
fn only_the_configured_directory_is_read_and_other_files_are_ignored() {
    let dir = PluginDir::with(&["preset_mightycall"]).expect("built");
    dir.write("README.txt", b"not a plugin, not a library name").expect("write");
    dir.write(".hidden.so", b"hidden files are skipped").expect("write");
    std::fs::create_dir(dir.path().join("nested.so")).expect("a directory named like a library");
    let nested = PluginDir::with(&["preset_aircall"]).expect("built");
    std::fs::rename(nested.path(), dir.path().join("sub")).expect("move");
    let files = dir.host().library_files().expect("lists");
    assert_eq!(files, [dir.path().join(library_file_name("preset_mightycall"))]);
    assert_eq!(dir.host().load().expect("loads").pack_names(), ["mightycall"]);
}

#[test]
fn a_missing_directory_is_an_error_naming_it() {
    let err =
        PluginHost::new("/nonexistent/switchboard/plugins", switchboard_plugin_testkit::describer().expect("built"))
            .load()
            .expect_err("no such directory");
    assert!(matches!(err, HostError::ReadDir { .. }));
    assert!(err.to_string().contains("/nonexistent/switchboard/plugins"), "{err}");
}

#[test]
fn strict_loading_of_a_directory_without_libraries_is_an_error_naming_it() {
    let dir = switchboard_plugin_testkit::PluginDir::new().expect("dir");
    dir.write("README.txt", b"not a library").expect("write");
    match dir.host().strict(true).load() {
        Err(e @ HostError::NoLibraries { .. }) => assert!(e.to_string().contains(&dir.path().display().to_string())),
        other => panic!("expected no libraries, got {other:?}"),
    }
    assert!(dir.host().load().expect("lenient").packs.is_empty(), "lenient loading finds nothing, quietly");
}
