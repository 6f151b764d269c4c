//! Decides whether the scale-out tests (several servers on one PostgreSQL) run, and says so when not.

include!("../crates/switchboard-testkit/build/postgres_gate.rs");

fn main() {
    postgres_gate("scale-out tests");
}
