//! End-to-end: the real `switchboard` binary, built by cargo, started on a free port with an empty
//! data directory and the real preset plugins, driven over HTTP and through its subcommands.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod client_sdk;
mod crash;
mod escalation;
mod helpers;
mod history;
mod identity_provider;
mod isolation;
mod pg_restart;
mod reach;
mod scale_out;
mod server;
mod stories;
mod story;
mod tokens;
