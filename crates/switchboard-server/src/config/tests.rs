//! Settings resolved from arguments, environment and file.

use super::*;

#[test]
fn passwords_are_redacted_from_database_urls() {
    assert_eq!(redact_url("postgres://app:hunter2@db:5432/sb"), "postgres://app:***@db:5432/sb");
    assert_eq!(redact_url("/var/lib/switchboard.db"), "/var/lib/switchboard.db");
    assert_eq!(redact_url("nats://s3cr3t-token@nats:4222"), "nats://***@nats:4222");
}

#[test]
fn flags_win_over_the_file_which_wins_over_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("switchboard.toml");
    std::fs::write(&file, "bind = \"127.0.0.1:9999\"\ndata_dir = \"/from/file\"\ntoken_ttl_seconds = 600\n").unwrap();
    let common = CommonArgs { config: Some(file.clone()), ..CommonArgs::default() };
    let s = Settings::resolve(&common, &ServeArgs::default()).unwrap();
    assert_eq!(s.bind.port(), 9999);
    assert_eq!(s.data_dir, PathBuf::from("/from/file"));
    assert_eq!(s.database_url, "/from/file/switchboard.db");
    assert_eq!(s.token_ttl_seconds, 600);
    let common = CommonArgs { config: Some(file), data_dir: Some("/from/flag".into()), ..CommonArgs::default() };
    let serve = ServeArgs { bind: Some("127.0.0.1:7000".parse().unwrap()), ..ServeArgs::default() };
    let s = Settings::resolve(&common, &serve).unwrap();
    assert_eq!(s.bind.port(), 7000);
    assert_eq!(s.data_dir, PathBuf::from("/from/flag"));
}

#[test]
fn unknown_keys_in_the_file_are_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "bnid = \"x\"\n").unwrap();
    let common = CommonArgs { config: Some(file), ..CommonArgs::default() };
    let err = Settings::resolve(&common, &ServeArgs::default()).unwrap_err();
    assert!(err.contains("bad.toml") && err.contains("bnid"), "{err}");
}
