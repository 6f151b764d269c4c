//! The core's integration tests: one binary, modules by theme.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers fail loudly on bad fixtures

mod migration;
mod properties;
mod review;
mod rules;
mod support;
