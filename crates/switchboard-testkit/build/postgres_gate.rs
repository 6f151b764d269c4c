// Included by the build scripts of the crates with a PostgreSQL test-suite (`include!`): a build
// dependency on switchboard-testkit would be a cycle through the server.

/// For a build script: sets `cfg(pg_tests)` when `SWITCHBOARD_TEST_DATABASE_URL` is set (or
/// `SWITCHBOARD_REQUIRE_POSTGRES=1`, so a missing URL fails loudly), and otherwise warns that the
/// `suite` is skipped: a skipped suite never passes silently.
pub fn postgres_gate(suite: &str) {
    println!("cargo::rerun-if-env-changed=SWITCHBOARD_TEST_DATABASE_URL");
    println!("cargo::rerun-if-env-changed=SWITCHBOARD_REQUIRE_POSTGRES");
    println!("cargo::rustc-check-cfg=cfg(pg_tests)");
    let url = std::env::var("SWITCHBOARD_TEST_DATABASE_URL").unwrap_or_default();
    let required = std::env::var("SWITCHBOARD_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    if url.trim().is_empty() && !required {
        println!(
            "cargo::warning=PostgreSQL {suite} skipped: set SWITCHBOARD_TEST_DATABASE_URL=postgres://… to run them"
        );
    } else {
        println!("cargo::rustc-cfg=pg_tests");
    }
}
