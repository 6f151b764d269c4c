//! A typed Rust client for the Switchboard admin API.
//!
//! Everything in [`generated`] (re-exported here) is progenitor's output for
//! `openapi/openapi-3.0.json`, never edited by hand; a test regenerates it and fails on drift.
//! Authentication is a default header on the `reqwest` client you hand in; see [`authenticated`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! use switchboard_client::{Client, types};
//! let anonymous = Client::new("http://127.0.0.1:8080");
//! let token = anonymous
//!     .create_token()
//!     .body(types::TokenRequest {
//!         account: "demo-mightycall".into(),
//!         email: "superadmin@demo-mightycall.example".into(),
//!         password: "switchboard-demo".into(),
//!         code: None,
//!     })
//!     .send()
//!     .await?
//!     .into_inner();
//! let client = switchboard_client::authenticated("http://127.0.0.1:8080", &token.access_token)?;
//! let me = client.get_me().send().await?.into_inner();
//! println!("signed in as {}", me.user.email);
//! # Ok(())
//! # }
//! ```

#[allow(
    clippy::all,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_debug_implementations,
    unused_imports,
    dead_code,
    reason = "generated code: fixed by regenerating, never by hand"
)]
#[rustfmt::skip] // laid out by prettyplease; rustfmt would make it drift from the generator
pub mod generated;

pub use generated::*;

/// Errors from building an authenticated client.
pub type BuildError = Box<dyn std::error::Error + Send + Sync>;

/// A client whose every request carries `Authorization: Bearer <token>` (a token from
/// `POST /v1/auth/token`, or an API key's secret sent as `X-Api-Key` via [`with_api_key`]).
pub fn authenticated(base_url: &str, bearer_token: &str) -> Result<Client, BuildError> {
    with_header(base_url, reqwest::header::AUTHORIZATION.as_str(), &format!("Bearer {bearer_token}"))
}

/// A client whose every request carries `X-Api-Key: <secret>`.
pub fn with_api_key(base_url: &str, secret: &str) -> Result<Client, BuildError> {
    with_header(base_url, "x-api-key", secret)
}

fn with_header(base_url: &str, name: &str, value: &str) -> Result<Client, BuildError> {
    let mut value = reqwest::header::HeaderValue::from_str(value)?;
    // Keeps the credential out of `Debug` output and logs.
    value.set_sensitive(true);
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::HeaderName::from_bytes(name.as_bytes())?, value);
    let http = reqwest::Client::builder().default_headers(headers).build()?;
    Ok(Client::new_with_client(base_url, http))
}
