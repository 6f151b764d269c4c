//! The server's API tests: each test starts the real server in this process, on a free port with its
//! own data directory and the real preset plugins (`switchboard_testkit::app::TestApp`), and talks
//! HTTP to it. What needs a process of its own is in the end-to-end tests (`tests/e2e`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod account;
mod credentials;
mod escalation;
mod history;
mod isolation;
mod kinds;
mod lookups;
mod mightycall;
mod openapi;
mod ops;
mod reach;
mod reports;
mod reviews;
mod stories;
mod time_bound;
mod two_factor;
