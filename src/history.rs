//! The history store: per customer under `data/`, for each source its last
//! good answer and every incident and maintenance ever seen, so pages
//! outlive upstream retention. Kept as an append-only log (see [`log`]):
//! a fetch writes what changed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod deliveries;
pub mod log;

use crate::config::SourceConfig;
use crate::model::SourceData;
use crate::model::{Incident, Maintenance, Service, StaleSource, Update};

pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerHistory {
    pub schema: u32,
    pub customer: String,
    /// By source key (`graph`, `azure`, `statuspage:https://…`).
    pub sources: BTreeMap<String, SourceHistory>,
    /// The log it was read from (`None`: none yet), so a save appends
    /// only what changed.
    #[serde(skip)]
    pub log: Option<log::LogState>,
}

/// Equal when they hold the same history, however it was read.
impl PartialEq for CustomerHistory {
    fn eq(&self, other: &CustomerHistory) -> bool {
        self.schema == other.schema
            && self.customer == other.customer
            && self.sources == other.sources
    }
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
    /// What the operator can do about `error`, when it is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
    /// The page URLs a Statuspage source was fetched from (its history
    /// is kept by the page's id, so a page that moves keeps it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// The last good answer said the service is not offered where the
    /// customer is (why, in English).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_offered: Option<String>,
    /// The services of the last good answer.
    pub services: Vec<Service>,
    /// Every incident seen, by upstream id.
    pub incidents: BTreeMap<String, Incident>,
    pub maintenance: BTreeMap<String, Maintenance>,
    /// Incidents (`i\0<id>`) and maintenance (`m\0<id>`) changed since
    /// the history was read: what a save appends.
    #[serde(skip)]
    pub touched: Touched,
}

/// Ids of the items a fetch changed; bookkeeping, not part of a source's
/// value (equal whatever they hold).
#[derive(Debug, Clone, Default)]
pub struct Touched(pub std::collections::BTreeSet<String>);

impl PartialEq for Touched {
    fn eq(&self, _: &Touched) -> bool {
        true
    }
}

impl SourceHistory {
    /// Sets an incident's report (found after the fetch recorded it).
    pub fn set_report(&mut self, id: &str, report: crate::model::Report) {
        if let Some(i) = self.incidents.get_mut(id) {
            i.report = Some(report);
            self.touched.0.insert(format!("i\0{id}"));
        }
    }
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

/// Where a customer's history is read from: its log, else the JSON file
/// of an earlier version.
pub fn store_path(data_dir: &Path, slug: &str) -> PathBuf {
    let log = log::log_path(data_dir, slug);
    if log.exists() {
        log
    } else {
        path_for(data_dir, slug)
    }
}

/// The JSON file earlier versions kept a customer's history in.
pub fn path_for(data_dir: &Path, slug: &str) -> PathBuf {
    data_dir.join(format!("{slug}.json"))
}

/// Reads a customer's history: its log, else the JSON file earlier
/// versions wrote; neither is an empty history.
pub fn load(data_dir: &Path, slug: &str) -> Result<CustomerHistory, StoreError> {
    if let Some(h) = log::read(data_dir, slug)? {
        return Ok(h);
    }
    let path = path_for(data_dir, slug);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(CustomerHistory {
                schema: SCHEMA,
                customer: slug.to_owned(),
                sources: BTreeMap::new(),
                log: None,
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
    write_atomic_mode(path, bytes, None)
}

/// [`write_atomic`] for a secret: the file is readable and writable by its
/// owner only (mode 0600), from the moment it exists.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_mode(path, bytes, Some(0o600))
}

fn write_atomic_mode(path: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Unique within the process too: two tasks may write one file (a
    // report document many customers share) at once.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.tmp-{}-{n}", std::process::id()));
    // A leftover of a killed run would keep its old mode.
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        if let Some(m) = mode {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(m);
        }
        let mut f = options.open(&tmp)?;
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

/// Where the history store keeps post-incident report documents.
pub fn reports_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("reports")
}

/// Keeps a report document in the store (once: an existing file of that
/// name holds the same bytes, as names are content hashes) and gives its
/// name. Written before the history record that names it.
pub fn keep_report(
    data_dir: &Path,
    bytes: &[u8],
    format: crate::report::Format,
) -> std::io::Result<String> {
    let name = crate::report::store_name(bytes, format);
    let path = reports_dir(data_dir).join(&name);
    if !path.exists() {
        write_atomic(&path, bytes)?;
    }
    Ok(name)
}

/// Saves a customer's history: appends what changed since it was read to
/// its log (see [`log`]), and says how much was written.
pub fn save(data_dir: &Path, h: &CustomerHistory) -> Result<log::Written, StoreError> {
    log::write(data_dir, h)
}

/// A customer's history as one JSON document (schema 1, what earlier
/// versions kept): `statusfleet history export`.
pub fn export(h: &CustomerHistory) -> String {
    let mut text = serde_json::to_string_pretty(h).expect("history serializes");
    text.push('\n');
    text
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
            key: _,
            not_offered,
            // Kept in the store and named on their incidents by the fetch.
            reports: _,
            notes: _,
        } = data;
        self.label = label;
        self.not_offered = not_offered;
        self.last_attempt = Some(at);
        self.last_success = Some(at);
        self.failing_since = None;
        self.error = None;
        self.advice = None;
        self.services = services;
        for mut i in incidents {
            // Merged even when new, so a timeline is in order from the
            // first time it is stored (recording twice changes nothing).
            let old = self.incidents.get(&i.id);
            i.updates = merge_updates(old.map_or(&[][..], |o| &o.updates[..]), &i.updates);
            // Details fetched once stay known when a later run could not
            // read them again.
            if old.is_some_and(|o| !o.withheld) {
                i.withheld = false;
            }
            // A report is downloaded once; later answers do not name it.
            if i.report.is_none() {
                i.report = old.and_then(|o| o.report.clone());
            }
            if old != Some(&i) {
                self.touched.0.insert(format!("i\0{}", i.id));
            }
            self.incidents.insert(i.id.clone(), i);
        }
        for mut m in maintenance {
            let old = self.maintenance.get(&m.id);
            m.updates = merge_updates(old.map_or(&[][..], |o| &o.updates[..]), &m.updates);
            if old != Some(&m) {
                self.touched.0.insert(format!("m\0{}", m.id));
            }
            self.maintenance.insert(m.id.clone(), m);
        }
    }

    /// Records a failure: the data stays, marked stale from the first
    /// failure on.
    pub fn record_failure(
        &mut self,
        label: &str,
        reason: String,
        advice: Option<String>,
        at: DateTime<Utc>,
    ) {
        if self.label.is_empty() {
            self.label = label.to_owned();
        }
        self.last_attempt = Some(at);
        if self.failing_since.is_none() {
            self.failing_since = Some(at);
        }
        self.error = Some(reason);
        self.advice = advice;
    }

    pub fn stale(&self) -> Option<StaleSource> {
        Some(StaleSource {
            source: self.label.clone(),
            as_of: self.last_success,
            since: self.failing_since?,
            reason: self.error.clone().unwrap_or_default(),
            advice: self.advice.clone(),
        })
    }
}

/// The history key of a Statuspage page: its id, not its URL.
pub fn statuspage_key(page_id: &str) -> String {
    format!("statuspage:page:{page_id}")
}

impl CustomerHistory {
    /// Where `source` is kept: for a Statuspage, the entry that was
    /// fetched from its URL (kept by page id), else the source's own key.
    pub fn key_of(&self, source: &SourceConfig) -> String {
        if let SourceConfig::Statuspage { url, .. } = source
            && let Some((k, _)) = self
                .sources
                .iter()
                .find(|(_, h)| h.urls.iter().any(|u| u == url.as_str()))
        {
            return k.clone();
        }
        source.key()
    }

    /// Moves the entry under `from` to `to` (a Statuspage whose page id
    /// became known, or whose URL changed), uniting it with what `to`
    /// already holds.
    pub fn rekey(&mut self, from: &str, to: &str) {
        if from == to {
            return;
        }
        let Some(moved) = self.sources.remove(from) else {
            return;
        };
        match self.sources.get_mut(to) {
            None => {
                self.sources.insert(to.to_owned(), moved);
            }
            Some(have) => {
                for (id, i) in moved.incidents {
                    if let std::collections::btree_map::Entry::Vacant(e) = have.incidents.entry(id)
                    {
                        have.touched.0.insert(format!("i\0{}", e.key()));
                        e.insert(i);
                    }
                }
                for (id, m) in moved.maintenance {
                    if let std::collections::btree_map::Entry::Vacant(e) =
                        have.maintenance.entry(id)
                    {
                        have.touched.0.insert(format!("m\0{}", e.key()));
                        e.insert(m);
                    }
                }
                for u in moved.urls {
                    if !have.urls.contains(&u) {
                        have.urls.push(u);
                    }
                }
            }
        }
    }
}

/// The customers found by discovery, kept so offline builds know them,
/// and whether the last attempt failed (so `build --offline` reports a
/// failing discovery as `fetch` did).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryRecord {
    pub schema: u32,
    /// The last successful discovery; `None`: never.
    pub fetched_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt: Option<DateTime<Utc>>,
    /// Set while discovery keeps failing: the first failure of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<DateTime<Utc>>,
    /// Why the last attempt failed (English, for the operator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub customers: Vec<crate::config::Discovered>,
}

impl DiscoveryRecord {
    /// What to tell the operator about the last attempt, if it failed.
    pub fn problem(&self) -> Option<String> {
        let error = self.error.as_deref()?;
        Some(match self.fetched_at {
            Some(t) => format!(
                "customer discovery (Partner Center): {error}; using the list of {} ({})",
                t.format("%Y-%m-%d %H:%M UTC"),
                crate::text::counted(self.customers.len(), "customer", "customers")
            ),
            None => format!(
                "customer discovery (Partner Center): {error}; no customer list yet: only the customers under `customers:` are built"
            ),
        })
    }
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
mod tests;
