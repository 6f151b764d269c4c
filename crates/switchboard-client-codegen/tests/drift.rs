//! `crates/switchboard-client/src/generated.rs` is progenitor's output for the checked-in
//! `openapi/openapi-3.0.json`, byte for byte; drift fails here. Regenerate with
//! `UPDATE_CLIENT=1 cargo test -p switchboard-client-codegen`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn the_checked_in_client_is_what_progenitor_generates_from_the_checked_in_spec() {
    let generated = switchboard_client_codegen::generate().unwrap();
    let path = switchboard_client_codegen::generated_path();
    if std::env::var_os("UPDATE_CLIENT").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "crates/switchboard-client/src/generated.rs is out of date: run \
         `UPDATE_CLIENT=1 cargo test -p switchboard-client-codegen` and commit it"
    );
}
