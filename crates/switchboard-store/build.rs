//! Decides whether the storage test-suite also runs against PostgreSQL, and says so when it does not.

fn main() {
    println!("cargo::rerun-if-env-changed=SWITCHBOARD_TEST_DATABASE_URL");
    println!("cargo::rerun-if-env-changed=SWITCHBOARD_REQUIRE_POSTGRES");
    println!("cargo::rustc-check-cfg=cfg(pg_tests)");
    let url = std::env::var("SWITCHBOARD_TEST_DATABASE_URL").unwrap_or_default();
    let required = std::env::var("SWITCHBOARD_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    if url.trim().is_empty() && !required {
        println!(
            "cargo::warning=PostgreSQL storage tests skipped: set SWITCHBOARD_TEST_DATABASE_URL=postgres://… to run them"
        );
    } else {
        // with SWITCHBOARD_REQUIRE_POSTGRES=1 and no URL the tests run and fail loudly
        println!("cargo::rustc-cfg=pg_tests");
    }
}
