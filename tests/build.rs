//! Decides whether the scale-out tests (several servers on one PostgreSQL) and the NATS sink test
//! run, and says so when not.

include!("../crates/switchboard-testkit/build/postgres_gate.rs");

fn main() {
    postgres_gate("scale-out tests");
    println!("cargo::rerun-if-env-changed=SWITCHBOARD_TEST_NATS_URL");
    println!("cargo::rustc-check-cfg=cfg(nats_tests)");
    if std::env::var("SWITCHBOARD_TEST_NATS_URL").unwrap_or_default().trim().is_empty() {
        println!(
            "cargo::warning=NATS sink test skipped: set SWITCHBOARD_TEST_NATS_URL=nats://127.0.0.1:4222 to run it"
        );
    } else {
        println!("cargo::rustc-cfg=nats_tests");
    }
}
