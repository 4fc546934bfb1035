//! Parsers of customer health data: each turns an upstream's answer (or a
//! snapshot file) into the normalized model. Fetching is `crate::fetch`'s,
//! the history store `crate::history`'s, and merging a customer's sources
//! into one snapshot `crate::snapshot`'s.

pub mod azure;
pub mod file;
pub mod graph;
pub mod partner_center;
pub mod statuspage;
pub(crate) mod upstream;

pub use crate::model::SourceData;
