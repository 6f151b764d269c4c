use switchboard_core::CoreError;
use switchboard_plugin_host::{HostError, PluginError, PluginProblem, load_library};
use switchboard_plugin_sdk::abi::{ABI_VERSION, SDK_VERSION};
use switchboard_plugin_testkit::{PluginDir, library_file_name};

/// Loads one fixture on its own in a fresh directory, next to a good plugin that must still load.
fn load_beside_a_good_plugin(fixture: &str) -> PluginProblem {
    let dir = PluginDir::with(&["preset_mightycall", fixture]).expect("built");
    let report = dir.host().load().expect("a broken plugin is skipped, not fatal");
    assert_eq!(report.pack_names(), ["mightycall"], "the good plugin still loads");
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    let problem = report.problems.into_iter().next().expect("one problem");
    assert_eq!(problem.file, dir.path().join(library_file_name(fixture)));
    assert!(problem.to_string().starts_with(&problem.file.display().to_string()), "names the file: {problem}");
    problem
}

#[test]
fn a_file_that_is_not_a_library_is_reported_by_name() {
    let dir = PluginDir::with(&["preset_mightycall"]).expect("built");
    let garbage = dir.write(&library_file_name("garbage"), b"\x7fELF but not really; just bytes").expect("write");
    let empty = dir.write(&library_file_name("empty"), b"").expect("write");
    let report = dir.host().load().expect("skipped");
    assert_eq!(report.pack_names(), ["mightycall"]);
    let files: Vec<_> = report.problems.iter().map(|p| p.file.clone()).collect();
    assert_eq!(files, [empty, garbage]);
    for problem in &report.problems {
        assert!(matches!(problem.error, PluginError::NotALibrary { .. }), "{problem}");
    }
}

#[test]
fn a_foreign_library_without_the_handshake_symbol_is_reported() {
    let problem = load_beside_a_good_plugin("missing_symbol");
    assert_eq!(problem.error, PluginError::MissingSymbol { symbol: "switchboard_plugin_abi_version".into() });
}

#[test]
fn a_library_without_the_entry_point_table_is_reported() {
    let problem = load_beside_a_good_plugin("missing_api");
    assert_eq!(problem.error, PluginError::MissingSymbol { symbol: "switchboard_plugin_api".into() });
}

#[test]
fn a_wrong_abi_version_is_refused_before_anything_else_is_called() {
    let problem = load_beside_a_good_plugin("wrong_abi");
    assert_eq!(problem.error, PluginError::AbiMismatch { found: ABI_VERSION + 1, expected: ABI_VERSION });
}

#[test]
fn a_plugin_built_with_an_incompatible_sdk_is_refused() {
    let problem = load_beside_a_good_plugin("incompatible_sdk");
    assert_eq!(
        problem.error,
        PluginError::IncompatibleSdk {
            plugin: format!("{}.0.0", SDK_VERSION.major + 1),
            host: SDK_VERSION.to_string()
        }
    );
}

#[test]
fn malformed_json_is_reported_as_malformed_data() {
    let problem = load_beside_a_good_plugin("malformed_json");
    match &problem.error {
        PluginError::Malformed { entry, message } => {
            assert_eq!(*entry, "preset_packs");
            assert!(message.contains("not a JSON"), "{message}");
        }
        other => panic!("expected malformed data, got {other:?}"),
    }
}

#[test]
fn a_role_granting_an_unknown_section_fails_validation() {
    let problem = load_beside_a_good_plugin("unknown_section");
    assert_eq!(
        problem.error,
        PluginError::InvalidPack {
            pack: "unknown-section".into(),
            error: Box::new(CoreError::InvalidPack {
                pack: "unknown-section".into(),
                message: "role `cashier`: unknown section `billing.nowhere`".into()
            })
        }
    );
}

#[test]
fn a_duplicate_role_key_fails_validation() {
    let problem = load_beside_a_good_plugin("duplicate_role");
    assert_eq!(
        problem.error,
        PluginError::InvalidPack {
            pack: "duplicate-role".into(),
            error: Box::new(CoreError::InvalidPack {
                pack: "duplicate-role".into(),
                message: "role `agent` is defined twice".into()
            })
        }
    );
}

#[test]
fn a_panic_in_the_handshake_is_reported() {
    assert_eq!(load_beside_a_good_plugin("panic_in_handshake").error, PluginError::HandshakeFailed);
}

#[test]
fn a_panic_in_the_table_getter_is_reported() {
    assert_eq!(load_beside_a_good_plugin("panic_in_api").error, PluginError::NoApiTable);
}

#[test]
fn a_panic_in_describe_is_reported_with_its_message() {
    assert_eq!(
        load_beside_a_good_plugin("panic_in_describe").error,
        PluginError::Panicked { entry: "describe".into(), message: "fixture: panic in describe".into() }
    );
}

#[test]
fn a_panic_in_the_authors_pack_function_is_reported_with_its_message() {
    match load_beside_a_good_plugin("panic_in_packs").error {
        PluginError::Panicked { entry, message } if entry == "preset_packs" => {
            assert!(message.contains("index out of bounds"), "{message}");
        }
        other => panic!("expected a caught panic, got {other:?}"),
    }
}

#[test]
fn a_panic_in_free_buffer_is_reported() {
    assert_eq!(load_beside_a_good_plugin("panic_in_free").error, PluginError::FreeFailed { entry: "describe".into() });
}

#[test]
fn a_catalog_conflict_keeps_the_first_plugin_by_file_name_and_reports_the_second() {
    let dir = PluginDir::new().expect("dir");
    let aircall = dir.add_as("preset_aircall", &library_file_name("a_aircall")).expect("copy");
    let copycat = dir.add_as("conflicting_catalog", &library_file_name("b_copycat")).expect("copy");
    let report = dir.host().load().expect("loads");
    assert_eq!(report.pack_names(), ["aircall", "aircall-classic"]);
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].file, copycat);
    assert_eq!(
        report.problems[0].error,
        PluginError::CatalogConflict {
            pack: "copycat".into(),
            key: "analytics.stats".into(),
            existing_pack: "aircall".into(),
            existing_file: aircall.clone(),
        }
    );

    // The other way round, the copycat comes first and Aircall is the one refused.
    let dir = PluginDir::new().expect("dir");
    let copycat = dir.add_as("conflicting_catalog", &library_file_name("a_copycat")).expect("copy");
    let aircall = dir.add_as("preset_aircall", &library_file_name("b_aircall")).expect("copy");
    let report = dir.host().load().expect("loads");
    assert_eq!(report.pack_names(), ["copycat"]);
    assert_eq!(report.problems[0].file, aircall);
    assert!(
        matches!(&report.problems[0].error, PluginError::CatalogConflict { existing_file, .. } if *existing_file == copycat)
    );
}

const EVERY_FIXTURE: [&str; 13] = [
    "missing_symbol",
    "missing_api",
    "wrong_abi",
    "incompatible_sdk",
    "malformed_json",
    "unknown_section",
    "duplicate_role",
    "panic_in_handshake",
    "panic_in_api",
    "panic_in_describe",
    "panic_in_packs",
    "panic_in_free",
    "conflicting_catalog",
];

#[test]
fn every_broken_plugin_at_once_is_skipped_and_the_presets_still_load() {
    let dir = PluginDir::presets().expect("built");
    let mut broken = Vec::new();
    for fixture in EVERY_FIXTURE {
        // `zz_` sorts the copycat after Aircall, so Aircall keeps its sections and the copycat is refused.
        broken.push(dir.add_as(fixture, &library_file_name(&format!("zz_{fixture}"))).expect("built"));
    }
    broken.push(dir.write(&library_file_name("garbage"), b"garbage").expect("write"));
    let report = dir.host().load().expect("skipping is the default");
    assert_eq!(report.pack_names(), ["aircall", "aircall-classic", "groups-ivr", "mightycall"]);
    let mut reported: Vec<_> = report.problems.iter().map(|p| p.file.clone()).collect();
    reported.sort();
    broken.sort();
    assert_eq!(reported, broken, "exactly one problem per broken file: {:#?}", report.problems);
}

#[test]
fn strict_loading_fails_on_any_broken_plugin_and_lists_each_file() {
    let dir = PluginDir::with(&["preset_mightycall", "wrong_abi", "duplicate_role"]).expect("built");
    match dir.host().strict(true).load() {
        Err(HostError::Strict { problems, report, .. }) => {
            assert_eq!(problems.len(), 2);
            assert_eq!(report.pack_names(), ["mightycall"]);
            let err = HostError::Strict { dir: dir.path().to_owned(), problems, report };
            let text = err.to_string();
            assert!(text.contains(&library_file_name("wrong_abi")), "{text}");
            assert!(text.contains(&library_file_name("duplicate_role")), "{text}");
        }
        other => panic!("expected a strict failure, got {other:?}"),
    }
}

#[test]
fn loading_a_single_library_checks_the_abi_and_validates_its_packs() {
    let describer = switchboard_plugin_testkit::describer().expect("built");
    let load_library = |file: &std::path::Path| load_library(file, &describer);
    let good = switchboard_plugin_testkit::library("preset_groups_ivr").expect("built");
    let loaded = load_library(&good).expect("loads");
    assert_eq!(loaded.packs.len(), 1);
    assert_eq!(loaded.packs[0].0.name, "groups-ivr");
    let bad = switchboard_plugin_testkit::library("panic_in_packs").expect("built");
    assert!(matches!(load_library(&bad), Err(PluginError::Panicked { .. })));
    // Describing the same library again (in a fresh process each time) answers the same.
    assert!(matches!(load_library(&bad), Err(PluginError::Panicked { .. })));
    assert_eq!(load_library(&good).expect("again").packs[0].0, loaded.packs[0].0);
}
