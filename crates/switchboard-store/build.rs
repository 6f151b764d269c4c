//! Decides whether the storage test-suite also runs against PostgreSQL, and says so when it does not.

include!("../switchboard-testkit/build/postgres_gate.rs");

fn main() {
    postgres_gate("storage tests");
}
