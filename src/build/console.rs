//! The partner console's part of the build: made from the aggregates the
//! staging manifest holds once every customer is staged or carried over,
//! written whole beside the sites, and skipped when none of what it is made
//! from changed.

use std::path::{Path, PathBuf};

use super::{BuildError, Inputs, Plan};
use crate::config::Customer;
use crate::output::{Staging, WholeFolder};
use crate::site::aggregate::Aggregate;

/// A console rendered into its staging folder, to be put in place once the
/// customer sites are published.
pub(super) struct Staged {
    folder: WholeFolder,
    dir: PathBuf,
    stamp: String,
}

/// Where the fingerprint of the console's inputs is kept: beside it, so a
/// crash before it is written only costs a render.
fn stamp_path(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "console".into());
    dir.with_file_name(format!(".{name}.fingerprint"))
}

/// Renders the console of `plan`'s customers into its staging folder, or
/// nothing when it is off or its inputs are those of the console in place.
pub(super) fn stage(
    inputs: &Inputs,
    plan: &Plan<'_>,
    staging: &Staging,
    shard: Option<(u32, u32)>,
) -> Result<Option<Staged>, BuildError> {
    let next = staging.next_manifest();
    stage_from(inputs, plan, &next.customers, shard)
}

/// [`stage`] from the entries of a manifest (the one being made, or the
/// published site's).
pub(super) fn stage_from(
    inputs: &Inputs,
    plan: &Plan<'_>,
    entries: &std::collections::BTreeMap<String, crate::output::CustomerEntry>,
    shard: Option<(u32, u32)>,
) -> Result<Option<Staged>, BuildError> {
    let Some(dir) = &plan.console else {
        return Ok(None);
    };
    let data = inputs.config.data_dir();
    let deliveries = crate::history::deliveries::load(&data).map_err(BuildError::Store)?;
    let write_error = |source| BuildError::Write {
        path: dir.clone(),
        source,
    };
    let sites = match &inputs.config.site.base_url {
        Some(u) => u.as_str().to_owned(),
        None => crate::console::relative_href(dir, &plan.out),
    };
    let mut h = ring::digest::Context::new(&ring::digest::SHA256);
    for part in [
        inputs.fingerprint.as_str(),
        &dir.to_string_lossy(),
        &sites,
        &format!("{shard:?}"),
        inputs.discovery_problem.as_deref().unwrap_or(""),
        &serde_json::to_string(&deliveries).expect("problems serialize"),
    ] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    let mut aggregates: Vec<Option<&Aggregate>> = Vec::with_capacity(plan.customers.len());
    for c in &plan.customers {
        let entry = entries.get(&c.folder);
        h.update(c.folder.as_bytes());
        h.update(entry.map_or("", |e| e.fingerprint.as_str()).as_bytes());
        h.update(b"\n");
        aggregates.push(entry.and_then(|e| e.console.as_ref()));
    }
    let stamp = crate::ids::hex(h.finish().as_ref());
    if dir.is_dir() && std::fs::read_to_string(stamp_path(dir)).is_ok_and(|s| s == stamp) {
        log::debug!("console: unchanged, kept");
        return Ok(None);
    }
    let folder = WholeFolder::begin(dir).map_err(write_error)?;
    let parts = ConsoleParts {
        shard,
        sites,
        deliveries: &deliveries,
    };
    render(inputs, &plan.customers, &aggregates, parts, &|f| {
        folder.write(f)
    })?;
    Ok(Some(Staged {
        folder,
        dir: dir.clone(),
        stamp,
    }))
}

impl Staged {
    /// Puts the console in place, then records what it was made from.
    pub(super) fn publish(self) -> Result<(), BuildError> {
        let write_error = |source| BuildError::Write {
            path: self.dir.clone(),
            source,
        };
        // Forget the old stamp first: a crash in between re-renders.
        let stamp = stamp_path(&self.dir);
        let _ = std::fs::remove_file(&stamp);
        self.folder.finish().map_err(write_error)?;
        let tmp = stamp.with_extension(format!("tmp-{}", std::process::id()));
        std::fs::write(&tmp, &self.stamp)
            .and_then(|()| std::fs::rename(&tmp, &stamp))
            .map_err(write_error)
    }
}

/// What the console is made from besides the inputs and the fleet.
pub(super) struct ConsoleParts<'a> {
    /// `--shard K/N`: the console covers that shard only.
    pub shard: Option<(u32, u32)>,
    /// How the console links the customer sites' root.
    pub sites: String,
    pub deliveries: &'a [crate::history::deliveries::DeliveryProblem],
}

/// The partner console's files for `customers` (each with its aggregate,
/// in the same order).
pub(super) fn render(
    inputs: &Inputs,
    customers: &[&Customer],
    aggregates: &[Option<&Aggregate>],
    console: ConsoleParts<'_>,
    sink: &(dyn Fn(crate::output::OutputFile) + Sync),
) -> Result<(), BuildError> {
    let ConsoleParts {
        shard,
        sites,
        deliveries,
    } = console;
    let parts = crate::console::Parts {
        deliveries,
        config: &inputs.config,
        catalogs: &inputs.catalogs,
        renderer: &inputs.renderer,
        statics: &inputs.statics.files,
        stylesheets: &inputs.statics.stylesheets,
        discovery_problem: inputs.discovery_problem.as_deref(),
        shard,
        sites,
    };
    let fleet: Vec<(&Customer, &Aggregate)> = customers
        .iter()
        .zip(aggregates)
        .filter_map(|(c, a)| Some((*c, (*a)?)))
        .collect();
    Ok(crate::console::render(&parts, fleet, sink)?)
}
