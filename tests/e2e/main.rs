//! End-to-end: the real `switchboard` binary, built by cargo, started on a free port with an empty
//! data directory and the real preset plugins, driven over HTTP and through its subcommands.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod authoring;
mod client_sdk;
mod crash;
mod events;
mod identity_provider;
mod pg_restart;
mod plugins;
mod scale_out;
mod server;
mod story;
mod tokens;
