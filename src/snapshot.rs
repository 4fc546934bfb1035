//! A customer's snapshot: its snapshot files, read from disk, and its live
//! sources, read from the history store (so `build --offline` and `build`
//! render alike), merged into one [`Snapshot`].

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::config::{Config, Customer};
use crate::error::InputError;
use crate::history::CustomerHistory;
use crate::model::{Snapshot, StaleSource};
use crate::source::file;

/// Reads every source of `customer` (files from disk, live sources from the
/// history store) and merges them.
pub fn load_customer(config: &Config, customer: &Customer) -> Result<Snapshot, InputError> {
    let mut snapshots = Vec::with_capacity(customer.sources.len());
    let live: Vec<_> = customer.sources.iter().filter(|s| s.is_live()).collect();
    for source in &customer.sources {
        if let crate::config::SourceConfig::File { path } = source {
            snapshots.push(file::load(&config.root.join(path))?);
        }
    }
    if !live.is_empty() {
        let dir = config.data_dir();
        let history = crate::history::load(&dir, customer.slug.as_str()).map_err(|e| {
            InputError::new(
                &crate::history::store_path(&dir, customer.slug.as_str()),
                None,
                e.to_string(),
            )
        })?;
        let keys: Vec<(String, String)> = live
            .iter()
            .map(|s| (history.key_of(s), s.label()))
            .collect();
        let fallback = snapshots.iter().map(|s| s.taken_at).max();
        snapshots.push(from_history(&history, &keys, fallback, config));
    }
    Ok(merge(snapshots))
}

/// The snapshot the history holds for `keys`: each source's last good
/// services, every incident and maintenance it has seen, and a stale mark
/// for each source that failed or was never fetched.
pub fn from_history(
    h: &CustomerHistory,
    keys: &[(String, String)],
    fallback: Option<DateTime<Utc>>,
    config: &Config,
) -> Snapshot {
    let taken_at = keys
        .iter()
        .filter_map(|(k, _)| h.sources.get(k).and_then(|s| s.last_attempt))
        .max()
        .or(fallback)
        .unwrap_or_else(|| never_fetched_clock(config));
    let reports = crate::history::reports_dir(&config.data_dir());
    // One snapshot per source, merged like the sources of a customer.
    let per_source: Vec<Snapshot> = keys
        .iter()
        .map(|(key, label)| match h.sources.get(key) {
            Some(s) => Snapshot {
                taken_at,
                services: s.services.clone(),
                incidents: s
                    .incidents
                    .values()
                    .map(|i| with_stored_report(i.clone(), &reports))
                    .collect(),
                maintenance: s.maintenance.values().cloned().collect(),
                stale: s.stale().into_iter().collect(),
                not_offered: s
                    .not_offered
                    .as_ref()
                    .map(|_| s.label.clone())
                    .into_iter()
                    .collect(),
            },
            None => Snapshot {
                taken_at,
                services: Vec::new(),
                incidents: Vec::new(),
                maintenance: Vec::new(),
                stale: vec![StaleSource {
                    source: label.clone(),
                    as_of: None,
                    since: taken_at,
                    reason: "not fetched yet".into(),
                    advice: Some(
                        "run `statusfleet fetch` (or `statusfleet build` without --offline)".into(),
                    ),
                }],
                not_offered: Vec::new(),
            },
        })
        .collect();
    merge(per_source)
}

/// An incident whose report names the store's document by its path; a
/// name the store cannot have given (an edited history file) names none.
fn with_stored_report(
    mut i: crate::model::Incident,
    dir: &std::path::Path,
) -> crate::model::Incident {
    i.report = i
        .report
        .take()
        .filter(|r| crate::report::is_store_name(&r.file))
        .map(|r| crate::model::Report {
            file: dir.join(&r.file).to_string_lossy().into_owned(),
        });
    i
}

/// The page clock of a customer none of whose sources was ever fetched: the
/// config file's modification time (stable for a given checkout).
fn never_fetched_clock(config: &Config) -> DateTime<Utc> {
    std::fs::metadata(&config.file)
        .and_then(|m| m.modified())
        .map(DateTime::<Utc>::from)
        .unwrap_or(DateTime::UNIX_EPOCH)
}

/// One snapshot from several: the oldest `taken_at` (the data is only as
/// fresh as its stalest part); services, incidents and maintenance by id,
/// the first source naming an id wins.
pub fn merge(snapshots: Vec<Snapshot>) -> Snapshot {
    let mut iter = snapshots.into_iter();
    let mut merged = iter.next().expect("a customer has at least one source");
    for s in iter {
        merged.taken_at = merged.taken_at.min(s.taken_at);
        let have: BTreeSet<_> = merged.services.iter().map(|x| x.id.clone()).collect();
        merged
            .services
            .extend(s.services.into_iter().filter(|x| !have.contains(&x.id)));
        let have: BTreeSet<_> = merged.incidents.iter().map(|x| x.id.clone()).collect();
        merged
            .incidents
            .extend(s.incidents.into_iter().filter(|x| !have.contains(&x.id)));
        let have: BTreeSet<_> = merged.maintenance.iter().map(|x| x.id.clone()).collect();
        merged
            .maintenance
            .extend(s.maintenance.into_iter().filter(|x| !have.contains(&x.id)));
        merged.stale.extend(s.stale);
        merged.not_offered.extend(s.not_offered);
    }
    merged
}
