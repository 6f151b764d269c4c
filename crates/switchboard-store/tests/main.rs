//! The storage test-suite, one binary, every test run on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers fail the test on purpose

mod support;

mod integrity;
mod outage;
mod plans;
mod repositories;
mod scoped_history;
mod totals;
mod wal;
