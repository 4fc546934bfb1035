//! Sources of customer health data. Each answers with a [`Snapshot`] in the
//! normalized model; a customer's snapshots are merged into one.

pub mod file;

use std::collections::BTreeSet;

use crate::config::{Config, Customer, SourceConfig};
use crate::error::InputError;
use crate::model::Snapshot;

/// Reads every source of `customer` and merges their snapshots.
pub fn load_customer(config: &Config, customer: &Customer) -> Result<Snapshot, InputError> {
    let mut snapshots = Vec::with_capacity(customer.sources.len());
    for source in &customer.sources {
        match source {
            SourceConfig::File { path } => snapshots.push(file::load(&config.root.join(path))?),
        }
    }
    Ok(merge(snapshots))
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
    }
    merged
}
