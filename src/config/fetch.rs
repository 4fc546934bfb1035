//! `fetch:`: the limits of the HTTP client.

use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

/// `fetch:` in the config: limits of the HTTP client and the history store.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchSettings {
    /// The history store (relative to the site folder).
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// Customers fetched at once.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Requests per tenant per minute (Graph allows 240).
    #[serde(default = "default_tenant_rpm")]
    pub tenant_requests_per_minute: u32,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: f64,
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_seconds: f64,
    /// Retries after the first attempt (429, 5xx, timeouts, resets).
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// First backoff delay; doubled each retry, with jitter.
    #[serde(default = "default_backoff")]
    pub backoff_seconds: f64,
    /// A `Retry-After` longer than this fails the source instead of waiting.
    #[serde(default = "default_max_retry_after")]
    pub max_retry_after_seconds: f64,
    /// The largest answer read, decoded (gzip answers are decompressed
    /// first).
    #[serde(default = "default_max_bytes")]
    pub max_response_bytes: u64,
    /// Bytes of answers read or held at once, over every concurrent
    /// request; an answer that would go over it is dropped and retried.
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight_bytes: u64,
    /// Time one source of one customer may take in a run, retries and
    /// `Retry-After` waits included; well under the scheduling interval.
    #[serde(default = "default_source_deadline")]
    pub source_deadline_seconds: f64,
    /// Pages followed per listing (`@odata.nextLink`, `nextLink`, `links.next`).
    #[serde(default = "default_max_pages")]
    pub max_pages: usize,
}

impl Default for FetchSettings {
    fn default() -> Self {
        serde_yaml::from_str("{}").expect("every field has a default")
    }
}

impl FetchSettings {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout_seconds)
    }
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.connect_timeout_seconds)
    }
    pub fn source_deadline(&self) -> Duration {
        Duration::from_secs_f64(self.source_deadline_seconds)
    }
    /// Problems with the values, as `(key, message)`.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let positive = [
            ("timeout_seconds", self.timeout_seconds),
            ("connect_timeout_seconds", self.connect_timeout_seconds),
            ("backoff_seconds", self.backoff_seconds),
            ("max_retry_after_seconds", self.max_retry_after_seconds),
            ("source_deadline_seconds", self.source_deadline_seconds),
        ];
        for (key, v) in positive {
            if !(v.is_finite() && v > 0.0 && v < 86_400.0) {
                out.push((
                    key,
                    format!("fetch.{key} must be a number of seconds above 0"),
                ));
            }
        }
        if self.concurrency == 0 {
            out.push(("concurrency", "fetch.concurrency must be at least 1".into()));
        }
        if self.tenant_requests_per_minute == 0 {
            out.push((
                "tenant_requests_per_minute",
                "fetch.tenant_requests_per_minute must be at least 1".into(),
            ));
        }
        if self.max_in_flight_bytes < self.max_response_bytes {
            out.push((
                "max_in_flight_bytes",
                format!(
                    "fetch.max_in_flight_bytes ({}) must be at least fetch.max_response_bytes ({}), or the largest answer could never be read",
                    self.max_in_flight_bytes, self.max_response_bytes
                ),
            ));
        }
        if self.max_pages == 0 {
            out.push(("max_pages", "fetch.max_pages must be at least 1".into()));
        }
        out
    }
}

pub(super) fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}

pub(super) fn default_concurrency() -> usize {
    16
}

pub(super) fn default_tenant_rpm() -> u32 {
    200
}

pub(super) fn default_timeout() -> f64 {
    30.0
}

pub(super) fn default_connect_timeout() -> f64 {
    10.0
}

pub(super) fn default_retries() -> u32 {
    4
}

pub(super) fn default_backoff() -> f64 {
    1.0
}

pub(super) fn default_max_retry_after() -> f64 {
    120.0
}

pub(super) fn default_max_bytes() -> u64 {
    32 * 1024 * 1024
}

pub(super) fn default_max_in_flight() -> u64 {
    256 * 1024 * 1024
}

pub(super) fn default_source_deadline() -> f64 {
    90.0
}

pub(super) fn default_max_pages() -> usize {
    50
}
