//! The host against real libraries: the three preset plugins and one broken fixture per failure, all
//! built with cargo by the test itself and each described in a process of its own. Every broken plugin
//! yields its own error naming its file and its kind, and the host goes on loading the rest.

// Test helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod broken;
mod guide;
mod isolation;
mod presets;
mod publish;
