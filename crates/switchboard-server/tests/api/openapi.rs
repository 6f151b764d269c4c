//! The checked-in `openapi/openapi.json` (and its 3.0 rendering `openapi/openapi-3.0.json`) are
//! generated from the code; drift fails here.
//! Regenerate with `UPDATE_OPENAPI=1 cargo test -p switchboard-server --test api openapi`.

use std::path::PathBuf;
use switchboard_testkit::app::TestApp;

fn checked_in(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../openapi").join(name)
}

fn assert_matches_checked_in(name: &str, generated: &str) {
    let path = checked_in(name);
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "openapi/{name} is out of date: run `UPDATE_OPENAPI=1 cargo test -p switchboard-server --test api openapi` and commit it"
    );
}

#[test]
fn the_checked_in_openapi_document_matches_the_code() {
    assert_matches_checked_in("openapi.json", &switchboard_server::openapi::spec_json());
}

#[test]
fn the_checked_in_openapi_3_0_rendering_matches_the_code() {
    assert_matches_checked_in("openapi-3.0.json", &switchboard_server::openapi::spec_json_v3_0());
}

#[test]
fn the_server_serves_its_document_and_offline_docs() {
    let app = TestApp::spawn();
    let served = app.get("/openapi.json");
    assert_eq!(served.status, 200);
    let expected: serde_json::Value = serde_json::from_str(&switchboard_server::openapi::spec_json()).unwrap();
    assert_eq!(served.json(), expected);
    let docs = app.get("/docs/");
    assert_eq!(docs.status, 200, "{}", docs.body);
    assert!(docs.body.contains("swagger-ui"), "the interactive docs are bundled");
    assert!(!docs.body.contains("cdn."), "no CDN: the docs work offline");
}

#[test]
fn every_operation_has_an_id_and_a_tag() {
    let spec = switchboard_server::openapi::spec();
    for (path, item) in &spec.paths.paths {
        for op in [&item.get, &item.post, &item.put, &item.patch, &item.delete].into_iter().flatten() {
            assert!(op.operation_id.is_some(), "{path} has no operationId");
            assert!(op.tags.as_ref().is_some_and(|t| !t.is_empty()), "{path} has no tag");
        }
    }
}

#[test]
fn one_set_of_values_has_one_schema_so_a_client_gets_one_type_for_it() {
    // `Kind` and `CommunicationKind` once named the same four values: a generated client then had two
    // types that could not be passed for each other (a view's kind as a history filter).
    let spec: serde_json::Value = serde_json::from_str(&switchboard_server::openapi::spec_json()).unwrap();
    let mut by_values: std::collections::BTreeMap<Vec<String>, Vec<&str>> = Default::default();
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        if let Some(values) = schema["enum"].as_array() {
            let mut values: Vec<String> = values.iter().map(ToString::to_string).collect();
            values.sort();
            by_values.entry(values).or_default().push(name);
        }
    }
    let twice: Vec<_> = by_values.iter().filter(|(_, names)| names.len() > 1).collect();
    assert!(twice.is_empty(), "schemas of the same values: {twice:?}");
}
