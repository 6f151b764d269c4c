//! The server's API tests: each test starts its own server on a free port with its own data
//! directory, and talks HTTP to it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

mod helpers;
mod openapi;
mod ops;
