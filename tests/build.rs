//! Decides whether the scale-out tests (several servers on one PostgreSQL) run, and says so when not.

fn main() {
    println!("cargo::rerun-if-env-changed=SWITCHBOARD_TEST_DATABASE_URL");
    println!("cargo::rerun-if-env-changed=SWITCHBOARD_REQUIRE_POSTGRES");
    println!("cargo::rustc-check-cfg=cfg(pg_tests)");
    let url = std::env::var("SWITCHBOARD_TEST_DATABASE_URL").unwrap_or_default();
    let required = std::env::var("SWITCHBOARD_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    if url.trim().is_empty() && !required {
        println!(
            "cargo::warning=PostgreSQL scale-out tests skipped: set SWITCHBOARD_TEST_DATABASE_URL=postgres://… to run them"
        );
    } else {
        println!("cargo::rustc-cfg=pg_tests");
    }
}
