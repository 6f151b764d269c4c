//! # switchboard-testkit
//!
//! What Switchboard's tests share, so each world is built one way:
//!
//! - [`Rng`]: the one deterministic generator of test data and benchmark workloads;
//! - `http` (feature): [`http::Reply`], [`http::Session`] and [`http::Client`], the seeds' calls
//!   (create an account, invite a user, sign in) against any running server;
//! - `app` (feature): [`app::TestApp`], a real server in this process on a free port, built with
//!   `TestApp::new().account("acme", "aircall").user("agent@acme.example", &["agent"]).start()`;
//! - `postgres` (feature): [`postgres::Database`], a throwaway database dropped after the test;
//! - `http` (feature): [`receiver::Receiver`], a scripted HTTP receiver of webhooks.
//!
//! Build scripts that gate a PostgreSQL suite `include!` `build/postgres_gate.rs` (a build
//! dependency on this crate would be a cycle through the server).
//!
//! What needs a process of its own (a crash, a restart, the command line, two instances) uses the
//! binary harness of the end-to-end tests, with the same [`http::Client`].
#![allow(clippy::unwrap_used, clippy::expect_used)] // test support: a failure panics, loudly and at once

#[cfg(feature = "app")]
pub mod app;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "http")]
pub mod receiver;
mod rng;

pub use rng::Rng;
