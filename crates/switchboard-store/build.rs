//! Decides whether the storage test-suite also runs against PostgreSQL, and says so when it does not;
//! rebuilds the crate when a migration is added or changed (they are embedded at compile time).

include!("../switchboard-testkit/build/postgres_gate.rs");

fn main() {
    println!("cargo::rerun-if-changed=../../migrations");
    postgres_gate("storage tests");
}
