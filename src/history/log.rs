//! The history store on disk: one append-only log per customer,
//! `data/<slug>.log`, so a fetch writes what changed, not the whole
//! history.
//!
//! Each line is one JSON record: a header, then batches of records (a
//! source's state, an incident, a maintenance, a source gone), each batch
//! closed by a `commit` line. A reader applies committed batches only, so
//! a fetch killed mid-append leaves the history as it was before that
//! fetch; the next save cuts the torn tail off before appending. When the
//! log holds more than twice what the history does (superseded records),
//! a save rewrites it whole, atomically (compaction).
//!
//! A customer without a log is read from its schema-1 JSON file
//! (`data/<slug>.json`, what earlier versions wrote); its first save
//! writes the log, then removes the JSON file (the migration).

use std::collections::{BTreeMap, HashMap};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{CustomerHistory, SCHEMA, SourceHistory, StoreError, write_atomic};
use crate::model::{Incident, Maintenance};

/// The log's format version (the JSON file's is [`SCHEMA`]).
pub const LOG_SCHEMA: u32 = 2;

/// A log may grow to this many times the history it holds (plus
/// [`SLACK`]) before a save compacts it.
const GROWTH: u64 = 2;
const SLACK: u64 = 256 * 1024;

pub fn log_path(data_dir: &Path, slug: &str) -> PathBuf {
    data_dir.join(format!("{slug}.log"))
}

/// What a save needs to know of the log it appends to: how far its
/// committed part goes, and a digest of each record it holds.
#[derive(Debug, Clone, Default)]
pub struct LogState {
    committed_len: u64,
    /// By record identity: the length and digest of its latest line.
    records: HashMap<String, (u64, u64)>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Record {
    Header {
        schema: u32,
        customer: String,
    },
    /// A source's state: everything but its incidents and maintenance.
    Source {
        key: String,
        state: Box<SourceHistory>,
    },
    Incident {
        key: String,
        incident: Box<Incident>,
    },
    Maintenance {
        key: String,
        maintenance: Box<Maintenance>,
    },
    /// The source is no longer kept (no longer configured, or re-keyed).
    Gone {
        key: String,
    },
    /// Closes a batch: its records count from here on.
    Commit,
}

impl Record {
    /// What the record is about: a later record with the same identity
    /// supersedes it.
    fn identity(&self) -> Option<String> {
        match self {
            Record::Source { key, .. } | Record::Gone { key } => Some(format!("s\0{key}")),
            Record::Incident { key, incident } => Some(format!("i\0{key}\0{}", incident.id)),
            Record::Maintenance { key, maintenance } => {
                Some(format!("m\0{key}\0{}", maintenance.id))
            }
            Record::Header { .. } | Record::Commit => None,
        }
    }
}

fn digest(line: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    line.hash(&mut h);
    h.finish()
}

fn line(r: &Record) -> String {
    let mut s = serde_json::to_string(r).expect("history serializes");
    s.push('\n');
    s
}

/// Reads a customer's log: `None` when it has none.
pub fn read(data_dir: &Path, slug: &str) -> Result<Option<CustomerHistory>, StoreError> {
    let path = log_path(data_dir, slug);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(StoreError::Io { path, source }),
    };
    let parse_error = |n: usize, e: &serde_json::Error| StoreError::Parse {
        path: path.clone(),
        line: n + 1,
        column: e.column(),
        message: e.to_string(),
    };
    let mut h = CustomerHistory {
        schema: SCHEMA,
        customer: slug.to_owned(),
        sources: BTreeMap::new(),
        log: None,
    };
    let mut state = LogState::default();
    let mut pending: Vec<(Record, (u64, u64))> = Vec::new();
    let mut offset = 0u64;
    let mut failed: Option<StoreError> = None;
    for (n, raw) in text.split_inclusive('\n').enumerate() {
        offset += raw.len() as u64;
        if !raw.ends_with('\n') {
            // A torn last line: the append that wrote it was cut short.
            break;
        }
        let record: Record = match serde_json::from_str(raw) {
            Ok(r) => r,
            Err(e) => {
                // Only a tear if no commit follows; checked below.
                failed.get_or_insert_with(|| parse_error(n, &e));
                continue;
            }
        };
        match record {
            Record::Header { schema, .. } if n == 0 => {
                if schema > LOG_SCHEMA {
                    return Err(StoreError::Schema {
                        path,
                        found: schema,
                    });
                }
            }
            Record::Commit => {
                if let Some(e) = failed.take() {
                    return Err(e);
                }
                for (r, d) in pending.drain(..) {
                    apply(&mut h, &mut state, r, d);
                }
                state.committed_len = offset;
            }
            _ if n == 0 => {
                return Err(StoreError::Parse {
                    path,
                    line: 1,
                    column: 1,
                    message: "expected the log's header first".into(),
                });
            }
            r => pending.push((r, (raw.len() as u64, digest(raw.trim_end_matches('\n'))))),
        }
    }
    // A log with no committed batch (empty) is written whole next time.
    h.log = (state.committed_len > 0).then_some(state);
    Ok(Some(h))
}

fn apply(h: &mut CustomerHistory, state: &mut LogState, r: Record, d: (u64, u64)) {
    if let Some(id) = r.identity() {
        state.records.insert(id, d);
    }
    match r {
        Record::Source { key, state: s } => {
            let entry = h.sources.entry(key).or_default();
            let (incidents, maintenance) = (
                std::mem::take(&mut entry.incidents),
                std::mem::take(&mut entry.maintenance),
            );
            *entry = *s;
            entry.incidents = incidents;
            entry.maintenance = maintenance;
        }
        Record::Incident { key, incident } => {
            let entry = h.sources.entry(key).or_default();
            entry.incidents.insert(incident.id.clone(), *incident);
        }
        Record::Maintenance { key, maintenance } => {
            let entry = h.sources.entry(key).or_default();
            entry
                .maintenance
                .insert(maintenance.id.clone(), *maintenance);
        }
        Record::Gone { key } => {
            h.sources.remove(&key);
            let prefix_i = format!("i\0{key}\0");
            let prefix_m = format!("m\0{key}\0");
            state
                .records
                .retain(|k, _| !k.starts_with(&prefix_i) && !k.starts_with(&prefix_m));
        }
        Record::Header { .. } | Record::Commit => {}
    }
}

/// A source's state as a log line (everything but its items).
fn source_line(key: &str, s: &SourceHistory) -> (String, String) {
    let r = Record::Source {
        key: key.to_owned(),
        state: Box::new(SourceHistory {
            incidents: BTreeMap::new(),
            maintenance: BTreeMap::new(),
            touched: Default::default(),
            ..s.clone()
        }),
    };
    (r.identity().expect("has one"), line(&r))
}

fn incident_line(key: &str, i: &Incident) -> (String, String) {
    let r = Record::Incident {
        key: key.to_owned(),
        incident: Box::new(i.clone()),
    };
    (r.identity().expect("has one"), line(&r))
}

fn maintenance_line(key: &str, m: &Maintenance) -> (String, String) {
    let r = Record::Maintenance {
        key: key.to_owned(),
        maintenance: Box::new(m.clone()),
    };
    (r.identity().expect("has one"), line(&r))
}

/// Every record of source `key`, as log lines, with their identities.
fn source_records(key: &str, s: &SourceHistory) -> Vec<(String, String)> {
    let mut out = vec![source_line(key, s)];
    out.extend(s.incidents.values().map(|i| incident_line(key, i)));
    out.extend(s.maintenance.values().map(|m| maintenance_line(key, m)));
    out
}

/// The records of `h` a save appends to the log it was read from: every
/// source's state; the items a fetch touched (see
/// [`SourceHistory::touched`]); every item of a source the log does not
/// know. Never serializes an item that did not change.
fn changed_records(h: &CustomerHistory, state: &LogState) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (key, s) in &h.sources {
        if !state.records.contains_key(&format!("s\0{key}")) {
            out.extend(source_records(key, s));
            continue;
        }
        out.push(source_line(key, s));
        for id in &s.touched.0 {
            if let Some(i) = id.strip_prefix("i\0").and_then(|id| s.incidents.get(id)) {
                out.push(incident_line(key, i));
            }
            if let Some(m) = id.strip_prefix("m\0").and_then(|id| s.maintenance.get(id)) {
                out.push(maintenance_line(key, m));
            }
        }
    }
    out
}

/// What a save wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub bytes: u64,
    /// The log was rewritten whole (new, migrated or compacted).
    pub whole: bool,
}

/// Saves `h`: appends the records that differ from the log it was read
/// from, or writes the log whole when there is none yet or it has grown
/// past twice the history. Then removes a schema-1 JSON file it replaces.
pub fn write(data_dir: &Path, h: &CustomerHistory) -> Result<Written, StoreError> {
    let path = log_path(data_dir, &h.customer);
    let io = |source| StoreError::Io {
        path: path.clone(),
        source,
    };
    let appended = h.log.as_ref().and_then(|state| {
        let mut batch = String::new();
        let mut lens = state.records.clone();
        for key in state.records.keys().filter_map(|k| k.strip_prefix("s\0")) {
            if !h.sources.contains_key(key) {
                batch.push_str(&line(&Record::Gone {
                    key: key.to_owned(),
                }));
                let (i, m) = (format!("i\0{key}\0"), format!("m\0{key}\0"));
                lens.retain(|k, _| {
                    k != &format!("s\0{key}") && !k.starts_with(&i) && !k.starts_with(&m)
                });
            }
        }
        for (id, l) in changed_records(h, state) {
            let d = digest(l.trim_end_matches('\n'));
            // Unchanged after all (a fetch that touched it with the same
            // answer): not written again.
            if state.records.get(&id).is_some_and(|(_, old)| *old == d) {
                continue;
            }
            lens.insert(id, (l.len() as u64, d));
            batch.push_str(&l);
        }
        #[cfg(debug_assertions)]
        check_nothing_missed(h, &lens);
        batch.push_str(&line(&Record::Commit));
        // Superseded records past twice what is live: compact instead.
        let live: u64 = lens.values().map(|(n, _)| n).sum();
        (state.committed_len + batch.len() as u64 <= GROWTH * live + SLACK)
            .then_some((state.committed_len, batch))
    });
    let written = match appended {
        Some((committed, batch)) => {
            append(&path, committed, batch.as_bytes()).map_err(io)?;
            Written {
                bytes: batch.len() as u64,
                whole: false,
            }
        }
        None => {
            let mut text = line(&Record::Header {
                schema: LOG_SCHEMA,
                customer: h.customer.clone(),
            });
            for (key, s) in &h.sources {
                for (_, l) in source_records(key, s) {
                    text.push_str(&l);
                }
            }
            text.push_str(&line(&Record::Commit));
            write_atomic(&path, text.as_bytes()).map_err(io)?;
            Written {
                bytes: text.len() as u64,
                whole: true,
            }
        }
    };
    // The log is durable: the JSON file it replaces can go.
    let legacy = super::path_for(data_dir, &h.customer);
    match std::fs::remove_file(&legacy) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(StoreError::Io {
                path: legacy,
                source,
            });
        }
    }
    Ok(written)
}

/// Appends `batch` after the committed part of the log (cutting off what
/// a killed append left), and makes it durable.
fn append(path: &Path, committed: u64, batch: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
    f.set_len(committed)?;
    f.seek(std::io::SeekFrom::Start(committed))?;
    f.write_all(batch)?;
    f.sync_data()
}

/// In tests and debug builds: every record that differs from the log is
/// in the batch (`lens`, the log after it, holds its digest), so a change
/// made without marking it touched is caught.
#[cfg(debug_assertions)]
fn check_nothing_missed(h: &CustomerHistory, lens: &HashMap<String, (u64, u64)>) {
    for (key, s) in &h.sources {
        for (id, l) in source_records(key, s) {
            let d = digest(l.trim_end_matches('\n'));
            assert_eq!(
                lens.get(&id).map(|x| x.1),
                Some(d),
                "history record {id:?} changed without being marked touched"
            );
        }
    }
}
