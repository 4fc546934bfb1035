//! The history store: one JSON file per customer under `data/`, holding for
//! each source its last good answer and every incident and maintenance ever
//! seen, so pages outlive upstream retention. Written atomically (temp file,
//! fsync, rename).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Incident, Maintenance, Service, StaleSource, Update};
use crate::source::SourceData;

pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerHistory {
    pub schema: u32,
    pub customer: String,
    /// By source key (`graph`, `azure`, `statuspage:https://…`).
    pub sources: BTreeMap<String, SourceHistory>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceHistory {
    pub label: String,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    /// Set while the source keeps failing: the first failure of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The services of the last good answer.
    pub services: Vec<Service>,
    /// Every incident seen, by upstream id.
    pub incidents: BTreeMap<String, Incident>,
    pub maintenance: BTreeMap<String, Maintenance>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: not a history file: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path}: schema {found} is newer than this statusfleet understands ({SCHEMA}); upgrade statusfleet"
    )]
    Schema { path: PathBuf, found: u32 },
}

pub fn path_for(data_dir: &Path, slug: &str) -> PathBuf {
    data_dir.join(format!("{slug}.json"))
}

/// Reads a customer's history; a missing file is an empty history.
pub fn load(data_dir: &Path, slug: &str) -> Result<CustomerHistory, StoreError> {
    let path = path_for(data_dir, slug);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(CustomerHistory {
                schema: SCHEMA,
                customer: slug.to_owned(),
                sources: BTreeMap::new(),
            });
        }
        Err(source) => return Err(StoreError::Io { path, source }),
    };
    let h: CustomerHistory = serde_json::from_str(&text).map_err(|e| StoreError::Parse {
        path: path.clone(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    if h.schema > SCHEMA {
        return Err(StoreError::Schema {
            path,
            found: h.schema,
        });
    }
    Ok(h)
}

/// Writes `bytes` to `path` so a reader sees the old file or the new one,
/// never half of one: a temp file in the same folder, fsync, rename, fsync
/// of the folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            // Some file systems refuse fsync on a folder; the rename is done.
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

pub fn save(data_dir: &Path, h: &CustomerHistory) -> Result<(), StoreError> {
    let path = path_for(data_dir, &h.customer);
    let mut bytes = serde_json::to_vec_pretty(h).expect("history serializes");
    bytes.push(b'\n');
    write_atomic(&path, &bytes).map_err(|source| StoreError::Io { path, source })
}

/// Timelines united: every update either side has, once, oldest first.
fn merge_updates(old: &[Update], new: &[Update]) -> Vec<Update> {
    let mut out: Vec<Update> = new.to_vec();
    for u in old {
        if !out
            .iter()
            .any(|n| n.at == u.at && n.body == u.body && n.region == u.region)
        {
            out.push(u.clone());
        }
    }
    out.sort_by(|a, b| a.at.cmp(&b.at).then(a.region.cmp(&b.region)));
    out
}

impl SourceHistory {
    /// Records a good answer: services replaced, incidents and maintenance
    /// merged by id (the newer copy wins, timelines are united, nothing the
    /// upstream has forgotten is dropped).
    pub fn record_success(&mut self, data: SourceData, at: DateTime<Utc>) {
        let SourceData {
            label,
            services,
            incidents,
            maintenance,
        } = data;
        self.label = label;
        self.last_attempt = Some(at);
        self.last_success = Some(at);
        self.failing_since = None;
        self.error = None;
        self.services = services;
        for mut i in incidents {
            // Merged even when new, so a timeline is in order from the
            // first time it is stored (recording twice changes nothing).
            let old = self
                .incidents
                .get(&i.id)
                .map_or(&[][..], |o| &o.updates[..]);
            i.updates = merge_updates(old, &i.updates);
            self.incidents.insert(i.id.clone(), i);
        }
        for m in maintenance {
            self.maintenance.insert(m.id.clone(), m);
        }
    }

    /// Records a failure: the data stays, marked stale from the first
    /// failure on.
    pub fn record_failure(&mut self, label: &str, reason: String, at: DateTime<Utc>) {
        if self.label.is_empty() {
            self.label = label.to_owned();
        }
        self.last_attempt = Some(at);
        if self.failing_since.is_none() {
            self.failing_since = Some(at);
        }
        self.error = Some(reason);
    }

    pub fn stale(&self) -> Option<StaleSource> {
        Some(StaleSource {
            source: self.label.clone(),
            as_of: self.last_success,
            since: self.failing_since?,
            reason: self.error.clone().unwrap_or_default(),
        })
    }
}

/// The customers found by discovery, kept so offline builds know them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryRecord {
    pub schema: u32,
    pub fetched_at: Option<DateTime<Utc>>,
    pub customers: Vec<crate::source::partner_center::Discovered>,
}

/// `_customers.json`: a name no slug can take (slugs have no `_`).
pub fn discovery_path(data_dir: &Path) -> PathBuf {
    data_dir.join("_customers.json")
}

pub fn load_discovery(data_dir: &Path) -> Result<Option<DiscoveryRecord>, StoreError> {
    let path = discovery_path(data_dir);
    match std::fs::read_to_string(&path) {
        Ok(t) => serde_json::from_str(&t)
            .map(Some)
            .map_err(|e| StoreError::Parse {
                path,
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(StoreError::Io { path, source }),
    }
}

pub fn save_discovery(data_dir: &Path, r: &DiscoveryRecord) -> Result<(), StoreError> {
    let path = discovery_path(data_dir);
    let mut bytes = serde_json::to_vec_pretty(r).expect("serializes");
    bytes.push(b'\n');
    write_atomic(&path, &bytes).map_err(|source| StoreError::Io { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BodyFormat, Classification, IncidentStatus};

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn incident(id: &str, updates: &[(&str, &str)], status: IncidentStatus) -> Incident {
        Incident {
            id: id.into(),
            title: id.into(),
            classification: Classification::Incident,
            status,
            impact: None,
            impact_description: None,
            services: vec![],
            started_at: t("2026-11-01T00:00:00Z"),
            ended_at: None,
            updated_at: None,
            updates: updates
                .iter()
                .map(|(at, body)| Update {
                    at: t(at),
                    status: None,
                    body: (*body).into(),
                    format: BodyFormat::Text,
                    region: None,
                })
                .collect(),
            links: vec![],
            lang: "en".into(),
        }
    }

    fn data(incidents: Vec<Incident>) -> SourceData {
        SourceData {
            label: "Microsoft 365".into(),
            services: vec![],
            incidents,
            maintenance: vec![],
        }
    }

    #[test]
    fn merge_keeps_forgotten_incidents_and_unites_timelines() {
        let mut h = SourceHistory::default();
        let a1 = incident(
            "EX1",
            &[("2026-11-01T01:00:00Z", "one")],
            IncidentStatus::Investigating,
        );
        let b = incident("EX2", &[], IncidentStatus::Resolved);
        h.record_success(data(vec![a1, b]), t("2026-11-01T02:00:00Z"));
        // Upstream forgot EX2 and the first post of EX1.
        let a2 = incident(
            "EX1",
            &[("2026-11-01T03:00:00Z", "two")],
            IncidentStatus::Resolved,
        );
        h.record_success(data(vec![a2]), t("2026-11-01T04:00:00Z"));
        assert_eq!(h.incidents.len(), 2, "EX2 kept");
        let ex1 = &h.incidents["EX1"];
        assert_eq!(ex1.status, IncidentStatus::Resolved, "newer copy wins");
        let bodies: Vec<_> = ex1.updates.iter().map(|u| u.body.as_str()).collect();
        assert_eq!(bodies, ["one", "two"]);
    }

    #[test]
    fn failures_keep_data_and_the_first_failure_time() {
        let mut h = SourceHistory::default();
        h.record_success(
            data(vec![incident("EX1", &[], IncidentStatus::Investigating)]),
            t("2026-11-01T00:00:00Z"),
        );
        h.record_failure(
            "Microsoft 365",
            "HTTP 503".into(),
            t("2026-11-01T00:05:00Z"),
        );
        h.record_failure("Microsoft 365", "timeout".into(), t("2026-11-01T00:10:00Z"));
        let s = h.stale().unwrap();
        assert_eq!(s.since, t("2026-11-01T00:05:00Z"));
        assert_eq!(s.as_of, Some(t("2026-11-01T00:00:00Z")));
        assert_eq!(s.reason, "timeout");
        assert_eq!(h.incidents.len(), 1);
        h.record_success(data(vec![]), t("2026-11-01T00:15:00Z"));
        assert!(h.stale().is_none());
    }

    #[test]
    fn round_trips_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = load(dir.path(), "contoso").unwrap();
        assert!(h.sources.is_empty());
        h.sources.entry("graph".into()).or_default().record_success(
            data(vec![incident("EX1", &[], IncidentStatus::Investigating)]),
            t("2026-11-01T00:00:00Z"),
        );
        save(dir.path(), &h).unwrap();
        assert_eq!(load(dir.path(), "contoso").unwrap(), h);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["contoso.json"], "no temp file left");
        std::fs::write(path_for(dir.path(), "bad"), "{\"schema\": 1,").unwrap();
        let e = load(dir.path(), "bad").unwrap_err().to_string();
        assert!(e.contains("bad.json:1:"), "{e}");
    }
}
