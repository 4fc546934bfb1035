//! The integration tests, one binary (as ripgrep and mdBook have them): a
//! module per area, each driving the real `statusfleet` binary or the
//! library's public surface. `cargo test --test it crash::` runs one area.

#[path = "../support/mod.rs"]
mod support;

mod auth;
mod catalog;
mod console;
mod crash;
mod demo;
mod errors;
mod fetch;
mod init;
mod live_demo;
mod notify;
mod outputs;
mod properties;
mod scale;
mod security;
mod serve;
mod snapshots;
mod templates;
mod upstreams;
mod xss;
