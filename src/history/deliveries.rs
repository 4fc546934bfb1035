//! What the partner console shows of notification deliveries: every
//! message whose last attempt failed, and every message given up, as
//! `statusfleet notify` left them. Kept in one small file beside the
//! outboxes (`data/_deliveries.json`), so the console reads it instead of
//! every customer's outbox.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{StoreError, write_atomic};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryProblem {
    /// The customer's slug; `None`: a message to the partner's own
    /// subscribers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// `email`, `teams`, `slack`, `webhook`.
    pub channel: String,
    /// Who it is for, as reports say it (`email a@b`, `webhook host`).
    pub to: String,
    pub subject: String,
    pub attempts: u32,
    pub error: String,
    pub queued_at: DateTime<Utc>,
    /// When it is tried again; `None`: given up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt: Option<DateTime<Utc>>,
}

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("_deliveries.json")
}

/// The problems the last `notify` left; none when it never ran. A file
/// that does not parse is an error: the console must not say "all
/// delivered" when it cannot tell.
pub fn load(data_dir: &Path) -> Result<Vec<DeliveryProblem>, StoreError> {
    let path = path(data_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(StoreError::Io { path, source }),
    };
    serde_json::from_str(&text).map_err(|e| StoreError::Parse {
        path,
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// Writes `problems` (atomically) unless the file already says exactly
/// that; whether it changed.
pub fn save(data_dir: &Path, problems: &[DeliveryProblem]) -> Result<bool, StoreError> {
    let path = path(data_dir);
    let mut bytes = serde_json::to_vec_pretty(problems).expect("problems serialize");
    bytes.push(b'\n');
    if std::fs::read(&path).is_ok_and(|b| b == bytes) || (problems.is_empty() && !path.exists()) {
        return Ok(false);
    }
    write_atomic(&path, &bytes).map_err(|source| StoreError::Io { path, source })?;
    Ok(true)
}
