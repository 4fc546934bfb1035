//! The build, as a recipe: config → i18n → sources → content → model →
//! render → write. Each phase takes the previous phases' output.

mod console;
mod customer;
mod fingerprint;
mod fleet;
mod inputs;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Customer;
use crate::error::InputErrors;
use crate::output::{CustomerKept, Finished, Staging, WriteStats};
use crate::render::RenderError;
use crate::site::aggregate::Aggregate;

pub use customer::{CustomerError, Rendered, Sink, page_key, render_customer, render_one};
use customer::{Done, Outcome};
use fingerprint::customer_fingerprint;
pub use fleet::root_files;
use inputs::check_notes;
pub use inputs::{Inputs, SharedStatics, load_config, load_inputs};

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// `statusfleet.yaml`.
    pub config: PathBuf,
    /// Output folder; default: the config's `site.output_dir`.
    pub out: Option<PathBuf>,
    /// Build only this part of the fleet.
    pub shard: Option<Shard>,
    /// Render only this customer; carry the others over from the current
    /// output as they are.
    pub only: Option<String>,
    /// The partner console's folder; default: `console.output_dir`, else
    /// beside the output folder.
    pub console: Option<PathBuf>,
}

/// `--shard K/N`: the customers whose slug hashes to K of N (1-based). The
/// fleet-level files go with shard 1, so the shards' outputs together are
/// the whole site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u32,
    pub n: u32,
}

impl Shard {
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("invalid shard `{s}`: expected K/N with 1 <= K <= N, e.g. 2/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (u32, u32) = (k.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }

    /// Whether `slug` belongs to this shard: a stable hash (FNV-1a), the
    /// same on every machine and release.
    pub fn holds(&self, slug: &str) -> bool {
        crate::site::short_hash(slug) % self.n == self.k - 1
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Input(#[from] InputErrors),
    #[error("{0}")]
    Render(#[from] RenderError),
    #[error("customer `{slug}`: {source}")]
    Customer { slug: String, source: RenderError },
    #[error("{0}")]
    Store(#[from] crate::history::StoreError),
    #[error("no customer `{0}` in the config")]
    UnknownCustomer(String),
    #[error("writing {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, Default)]
pub struct BuildSummary {
    pub customers: usize,
    pub locales: usize,
    pub pages: usize,
    pub files: usize,
    pub write: WriteStats,
    /// Pages kept from the current site without being rendered (their
    /// inputs did not change).
    pub reused: usize,
    pub out: PathBuf,
    pub elapsed: Duration,
    /// Customers whose pages show stale data: (slug, source labels).
    pub stale: Vec<(String, Vec<String>)>,
    /// Why the last customer discovery failed, if it did.
    pub discovery_problem: Option<String>,
    /// Where the partner console was written.
    pub console: Option<PathBuf>,
}

/// Runs one phase of the build, logging its time and the process's memory
/// after it (`-v`, or `RUST_LOG=statusfleet=debug`).
fn phase<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    log::debug!(
        "phase {name}: {:.1} ms{}",
        start.elapsed().as_secs_f64() * 1000.0,
        memory_note()
    );
    out
}

/// `; rss N MB, peak M MB` where the system tells (Linux's
/// `/proc/self/status`), else nothing.
fn memory_note() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .map(|kb| kb / 1024)
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(rss), Some(peak)) => format!("; rss {rss} MB, peak {peak} MB"),
        _ => String::new(),
    }
}

/// Renders every customer (in parallel) and checks everything, keeping
/// only counts: what `check` does.
pub fn check_all(inputs: &Inputs) -> Result<usize, BuildError> {
    let results: Vec<Outcome> = inputs
        .config
        .customers
        .par_iter()
        .map(|c| {
            // Counted, not kept.
            render_one(inputs, c, &|_: crate::output::OutputFile| {})
                .map(|r| Done {
                    files: r.files,
                    notes: r.notes,
                    console: Some(r.console),
                })
                .map_err(|e| (c.slug.to_string(), e))
        })
        .collect();
    let (files, aggregates) = collect_outcomes(inputs, results, true)?;
    let customers: Vec<&Customer> = inputs.config.customers.iter().collect();
    let console = std::sync::atomic::AtomicUsize::new(0);
    let count = |_| {
        console.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    };
    let aggregates: Vec<Option<&Aggregate>> = aggregates.iter().map(Option::as_ref).collect();
    let parts = console::ConsoleParts {
        shard: None,
        sites: String::new(),
        deliveries: &[],
    };
    console::render(inputs, &customers, &aggregates, parts, &count)?;
    Ok(files + root_files(inputs)?.len() + console.into_inner())
}

/// Renders the site at `config_path` in memory and gives, per template,
/// every variable its contexts had (see [`Renderer::variables`]).
pub fn template_variables(
    config_path: &Path,
) -> Result<std::collections::BTreeMap<String, BTreeSet<String>>, BuildError> {
    let mut inputs = load_inputs(config_path)?;
    inputs.renderer.record_variables();
    check_all(&inputs)?;
    Ok(inputs.renderer.variables())
}

/// Sums per-customer outcomes, or gives every input error found (then the
/// first render error). Notes are checked against the incidents of the
/// whole fleet, so only when `whole_fleet`.
fn collect_outcomes(
    inputs: &Inputs,
    results: Vec<Outcome>,
    whole_fleet: bool,
) -> Result<(usize, Vec<Option<Aggregate>>), BuildError> {
    let mut errors = Vec::new();
    let mut render = None;
    let mut files = 0;
    let mut used = BTreeSet::new();
    let mut aggregates = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(done) => {
                files += done.files;
                used.extend(done.notes);
                aggregates.push(done.console);
            }
            Err((_, CustomerError::Input(e))) => errors.extend(e),
            Err((slug, CustomerError::Render(e))) => {
                render.get_or_insert(BuildError::Customer { slug, source: e });
            }
        }
    }
    // A customer that failed to render used no notes: checking them
    // would blame the notes for its error.
    if whole_fleet && render.is_none() {
        errors.extend(check_notes(inputs, &used));
    }
    if !errors.is_empty() {
        return Err(BuildError::Input(InputErrors(errors)));
    }
    if let Some(e) = render {
        return Err(e);
    }
    Ok((files, aggregates))
}

/// The whole build, phase by phase: read and check every input, choose
/// the customers, render each one in parallel into the staging folder (one
/// whose inputs did not change is carried over), check what needs the
/// whole fleet, write the fleet-level files, publish. An error at any
/// phase leaves the current site as it was (the staging folder goes with
/// the `Staging` that holds it).
pub fn build(opts: &BuildOptions) -> Result<BuildSummary, BuildError> {
    let start = Instant::now();
    let inputs = phase("load inputs", || load_inputs(&opts.config))?;
    let plan = Plan::new(&inputs, opts)?;
    let staging = Staging::begin(&plan.out).map_err(|e| plan.write_error(e))?;
    let outcomes = phase("render customers", || {
        write_customers(&inputs, &plan, &staging)
    })?;
    phase("check the fleet", || {
        collect_outcomes(&inputs, outcomes, plan.whole_fleet)
    })?;
    phase("fleet files", || write_fleet(&inputs, &plan, &staging))?;
    // Rendered before anything is published: a console that cannot be made
    // fails the build with the site unchanged.
    let shard = opts.shard.map(|s| (s.k, s.n));
    let console = phase("console", || {
        console::stage(&inputs, &plan, &staging, shard)
    })?;
    let published = phase("publish", || staging.finish()).map_err(|e| plan.write_error(e))?;
    if let Some(console) = console {
        phase("publish the console", || console.publish())?;
    }
    Ok(plan.summary(&inputs, published, start.elapsed()))
}

/// Brings the partner console of the published site up to date with
/// what changed since its build outside the customers' inputs (what
/// `statusfleet notify` delivered or failed to): rendered and swapped in
/// whole, or left alone when its inputs are those it was made from.
/// Whether it was rewritten.
pub fn refresh_console(opts: &BuildOptions) -> Result<bool, BuildError> {
    let inputs = load_inputs(&opts.config)?;
    let plan = Plan::new(&inputs, opts)?;
    // Only a console of a built site: its customers' entries are in the
    // site's manifest.
    let Some(manifest) = crate::output::Manifest::published(&plan.out) else {
        return Ok(false);
    };
    if plan.console.as_ref().is_none_or(|c| !c.is_dir()) {
        return Ok(false);
    }
    let shard = opts.shard.map(|s| (s.k, s.n));
    match console::stage_from(&inputs, &plan, &manifest.customers, shard)? {
        Some(staged) => staged.publish().map(|()| true),
        None => Ok(false),
    }
}

/// What this build covers: where it writes and which customers.
struct Plan<'a> {
    out: PathBuf,
    customers: Vec<&'a Customer>,
    /// `--only`: the one customer rendered; the others are carried over.
    only: Option<&'a str>,
    /// Whether this is shard 1 of N (or no shard): it writes the fleet files.
    fleet_files: bool,
    /// Neither a shard nor `--only`: checks that need every customer run.
    whole_fleet: bool,
    /// Where the partner console goes, when it is on.
    console: Option<PathBuf>,
}

impl<'a> Plan<'a> {
    fn new(inputs: &'a Inputs, opts: &'a BuildOptions) -> Result<Plan<'a>, BuildError> {
        let config = &inputs.config;
        if let Some(only) = &opts.only
            && !config.customers.iter().any(|c| c.slug.as_str() == only)
        {
            return Err(BuildError::UnknownCustomer(only.clone()));
        }
        let out = opts
            .out
            .clone()
            .unwrap_or_else(|| config.root.join(&config.site.output_dir));
        let console = match (&opts.console, config.console.enabled) {
            (Some(dir), _) => Some(dir.clone()),
            (None, true) => Some(config.console.folder(&config.root, &out)),
            (None, false) => None,
        };
        if let Some(problem) = console
            .as_ref()
            .and_then(|c| crate::console::misplaced(c, &out))
        {
            return Err(BuildError::Input(InputErrors(vec![
                crate::error::InputError::new(&config.file, None, problem),
            ])));
        }
        Ok(Plan {
            console,
            out,
            customers: config
                .customers
                .iter()
                .filter(|c| opts.shard.is_none_or(|s| s.holds(c.slug.as_str())))
                .collect(),
            only: opts.only.as_deref(),
            fleet_files: opts.shard.is_none_or(|s| s.k == 1),
            whole_fleet: opts.shard.is_none() && opts.only.is_none(),
        })
    }

    fn write_error(&self, source: std::io::Error) -> BuildError {
        BuildError::Write {
            path: self.out.clone(),
            source,
        }
    }

    fn summary(&self, inputs: &Inputs, published: Finished, elapsed: Duration) -> BuildSummary {
        let slug_of: std::collections::HashMap<&str, &str> = self
            .customers
            .iter()
            .map(|c| (c.folder.as_str(), c.slug.as_str()))
            .collect();
        let locales: BTreeSet<&str> = self
            .customers
            .iter()
            .flat_map(|c| c.locales.iter().map(|l| l.tag()))
            .collect();
        BuildSummary {
            customers: self.customers.len(),
            locales: locales.len(),
            pages: published.pages,
            files: published.files,
            write: published.stats,
            reused: published.reused,
            out: self.out.clone(),
            elapsed,
            console: self.console.clone(),
            discovery_problem: inputs.discovery_problem.clone(),
            stale: published
                .stale
                .into_iter()
                .filter_map(|(folder, labels)| {
                    slug_of
                        .get(folder.as_str())
                        .map(|slug| (slug.to_string(), labels))
                })
                .collect(),
        }
    }
}

/// Renders the plan's customers in parallel, each one's files into the
/// staging folder as soon as they are made (memory does not grow with the
/// fleet); a customer whose inputs did not change, or not the `--only`
/// one, is carried over from the current site.
fn write_customers(
    inputs: &Inputs,
    plan: &Plan<'_>,
    staging: &Staging,
) -> Result<Vec<Outcome>, BuildError> {
    plan.customers
        .par_iter()
        .map(|c| {
            let slug = c.slug.as_str();
            // The output and its manifest know customers by folder.
            let folder = c.folder.as_str();
            let fingerprint = customer_fingerprint(inputs, c);
            let wanted = match plan.only {
                Some(only) if only != slug => None,
                _ => Some(fingerprint.as_str()),
            };
            if let Some(notes) = staging.carry_over(folder, wanted) {
                return Ok(Ok(Done {
                    files: 0,
                    notes,
                    console: None,
                }));
            }
            // Each file goes to the staging folder as soon as it is made.
            let stage = staging.customer(folder);
            match render_one(inputs, c, &stage) {
                Ok(r) => {
                    let kept = CustomerKept {
                        fingerprint: &fingerprint,
                        stale: r.stale,
                        notes: r.notes.clone(),
                        console: Some(r.console),
                    };
                    stage.finish(kept).map_err(|e| plan.write_error(e))?;
                    // Its aggregate is kept once, in the staging manifest.
                    Ok(Ok(Done {
                        files: r.files,
                        notes: r.notes,
                        console: None,
                    }))
                }
                Err(e) => Ok(Err((slug.to_owned(), e))),
            }
        })
        .collect()
}

/// The fleet-level files, with shard 1 (or without shards).
fn write_fleet(inputs: &Inputs, plan: &Plan<'_>, staging: &Staging) -> Result<(), BuildError> {
    if !plan.fleet_files {
        return Ok(());
    }
    let files = root_files(inputs)?;
    staging.write_fleet(&files).map_err(|e| plan.write_error(e))
}
