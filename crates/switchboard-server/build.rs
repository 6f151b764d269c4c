//! Decides whether the API tests also run against PostgreSQL, and says so when they do not.

include!("../switchboard-testkit/build/postgres_gate.rs");

fn main() {
    postgres_gate("API tests");
}
