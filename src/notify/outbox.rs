//! The durable outbox: one JSON file per customer under
//! `data/_outbox/`, plus `_partner.json` for the partner's subscribers,
//! each written atomically like the history store. A file holds what was
//! seen, the subscribers known, and every message not yet delivered, so
//! deriving events and queueing their messages is one atomic step, and a
//! crash between sending and recording sends again with the same id, never
//! loses.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::events::{Event, Seen};
use crate::history::{StoreError, write_atomic};

pub const SCHEMA: u32 = 1;

/// How long ids of delivered messages are remembered (so a message
/// queued again after a crash is not sent again).
pub const SENT_MEMORY_DAYS: i64 = 14;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outbox {
    pub schema: u32,
    /// What was seen at the last run; `None`: no run yet (the next one
    /// sets the baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<Seen>,
    /// Ids of the subscribers that have their baseline.
    #[serde(default)]
    pub subscribers: BTreeSet<String>,
    /// Messages not yet delivered, oldest first.
    #[serde(default)]
    pub pending: Vec<Message>,
    /// Given up: kept for the report and the console.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<Message>,
    /// Delivered message ids and when.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sent: BTreeMap<String, DateTime<Utc>>,
    /// Events for the partner's subscribers, waiting to be folded into
    /// their digest (customer files only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partner_events: Vec<PartnerEvent>,
    /// Partner file: the discovery failure seen (its first time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_failing: Option<DateTime<Utc>>,
    /// Partner file: the customers' events taken into messages by a run
    /// that has not yet cleared every customer's copy. A run killed in
    /// between finds some of them again: they are skipped, never sent a
    /// second time under another id. Emptied once the copies are gone, so
    /// it holds one run's events at most.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub taken: BTreeSet<String>,
}

/// An event with what the partner's messages say of it, in each locale
/// the partner's subscribers read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerEvent {
    pub event: Event,
    pub lines: BTreeMap<String, super::compose::Line>,
}

/// One message to one subscriber: rendered once, when queued, so every
/// attempt sends the same bytes under the same id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// Stable: the subscriber and the events it carries. `Message-ID`
    /// (`<id@domain>`), `webhook-id` (`msg_<id>`).
    pub id: String,
    /// The subscriber's id (its address is found by it in the config).
    pub subscriber: String,
    /// `email`, `teams`, `slack`, `webhook`.
    pub channel: String,
    /// Who it is for, for reports (`email a@b`, `webhook host`).
    pub to: String,
    /// The customer's slug; `None`: a partner digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    pub subject: String,
    pub events: Vec<String>,
    pub queued_at: DateTime<Utc>,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// The mail (RFC 5322, CRLF) or the JSON body.
    pub body: String,
}

pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("_outbox")
}

/// `<slug>.json`, or `_partner.json` (no slug has `_`).
pub fn path(data_dir: &Path, name: &str) -> PathBuf {
    dir(data_dir).join(format!("{name}.json"))
}

pub const PARTNER: &str = "_partner";

pub fn load(data_dir: &Path, name: &str) -> Result<Outbox, StoreError> {
    let path = path(data_dir, name);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Outbox {
                schema: SCHEMA,
                ..Default::default()
            });
        }
        Err(source) => return Err(StoreError::Io { path, source }),
    };
    let o: Outbox = serde_json::from_str(&text).map_err(|e| StoreError::Parse {
        path: path.clone(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    if o.schema > SCHEMA {
        return Err(StoreError::Schema {
            path,
            found: o.schema,
        });
    }
    Ok(o)
}

pub fn save(data_dir: &Path, name: &str, o: &Outbox) -> Result<(), StoreError> {
    let path = path(data_dir, name);
    let mut bytes = serde_json::to_vec(o).expect("outbox serializes");
    bytes.push(b'\n');
    write_atomic(&path, &bytes).map_err(|source| StoreError::Io { path, source })
}

/// The names of every outbox file (slugs, and `_partner`).
pub fn names(data_dir: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(dir(data_dir)) else {
        return Vec::new();
    };
    let mut out: Vec<String> = rd
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            if name.starts_with('.') {
                return None;
            }
            name.strip_suffix(".json").map(str::to_owned)
        })
        .collect();
    out.sort();
    out
}

impl Outbox {
    /// Queues `m` unless a message with its id is pending or was sent.
    pub fn queue(&mut self, m: Message) -> bool {
        if self.sent.contains_key(&m.id) || self.pending.iter().any(|p| p.id == m.id) {
            return false;
        }
        self.pending.push(m);
        true
    }

    /// Forgets sent ids older than [`SENT_MEMORY_DAYS`], and given-up
    /// messages older than that.
    pub fn prune(&mut self, now: DateTime<Utc>) {
        let cutoff = now - chrono::Duration::days(SENT_MEMORY_DAYS);
        self.sent.retain(|_, at| *at >= cutoff);
        self.failed.retain(|m| m.queued_at >= cutoff);
    }
}
