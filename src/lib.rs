//! statusfleet: a static status-site generator for IT partners.
//!
//! The build is a recipe of phases, each taking the previous one's output:
//! config → i18n → content → sources → site model → render → write.

pub mod config;
pub mod error;
pub mod locale;
pub mod model;
pub(crate) mod scope;
