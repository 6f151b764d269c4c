//! The Switchboard server: configuration, authentication, the HTTP API and its OpenAPI document.

pub mod access;
pub mod auth;
pub mod blocking;
pub mod coherence;
pub mod config;
pub mod console;
pub mod demo;
pub mod docs;
pub mod events;
pub mod http;
pub mod memory;
pub mod metrics;
pub mod openapi;
pub mod packs;
pub mod problem;
pub mod provision;
pub mod routes;
pub mod scim;
pub mod service;
pub mod startup;
pub mod state;
