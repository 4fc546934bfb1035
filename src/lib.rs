//! statusfleet: a static status-site generator for IT partners.
//!
//! The build is a recipe of phases, each taking the previous one's output:
//! config → i18n → content → sources → site model → render → write.

pub mod build;
pub mod config;
pub mod console;
pub mod content;
pub mod error;
pub mod feeds;
pub mod fetch;
pub mod format;
pub mod history;
pub mod i18n;
pub mod ids;
pub mod locale;
pub mod model;
pub mod notify;
pub mod output;
pub mod render;
pub mod report;
pub mod sanitize;
pub mod scaffold;
pub(crate) mod scope;
pub mod serve;
pub mod site;
pub mod snapshot;
pub mod source;
pub mod text;
