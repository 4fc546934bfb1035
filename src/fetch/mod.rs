//! `statusfleet fetch`: every live source of every customer, concurrently
//! (bounded), into the history store. A source that fails keeps its last
//! good data, marked stale; the rest of the fleet is unaffected.

pub mod auth;
pub mod http;
mod progress;
pub mod sources;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::config::{Config, Customer, SourceConfig};
use crate::history;
use auth::{AppCredentials, TokenCache};
use http::{Counters, FetchError, Http};

mod online;
pub use online::*;
pub use progress::Progress;

/// How a customer came out of the fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// Every source answered.
    Fresh,
    /// Some source failed; its last good data is kept and marked stale.
    Stale,
    /// Some source failed and has never answered, or the store could not
    /// be read or written.
    Failed,
}

#[derive(Debug, Clone)]
pub struct CustomerOutcome {
    pub slug: String,
    pub state: State,
    /// `(source label, reason)` of each failure.
    pub problems: Vec<(String, String)>,
    /// `(source label, what)` of sources that answered that their service
    /// is not offered here (not a failure).
    pub notes: Vec<(String, String)>,
    pub requests: u64,
    pub retries: u64,
}

#[derive(Debug, Default)]
pub struct FetchReport {
    pub outcomes: Vec<CustomerOutcome>,
    /// Customers with no live source (nothing to fetch).
    pub offline_only: usize,
    /// `Some(reason)` when discovery failed (the last list was used).
    pub discovery_problem: Option<String>,
    pub discovered: usize,
    pub requests: u64,
    pub retries: u64,
    pub elapsed: Duration,
    /// What the operator should hear of beyond failures (a refresh token
    /// that could not be written back).
    pub notes: Vec<String>,
}

impl FetchReport {
    pub fn count(&self, state: State) -> usize {
        self.outcomes.iter().filter(|o| o.state == state).count()
    }
    /// Whether anything is stale or failed (the exit code says so).
    pub fn degraded(&self) -> bool {
        self.discovery_problem.is_some() || self.outcomes.iter().any(|o| o.state != State::Fresh)
    }
}

/// The fetch's clock: the time now, or the moment `STATUSFLEET_NOW` names
/// (RFC 3339), so tests can replay recorded upstream answers as of the day
/// they were recorded.
pub fn clock() -> chrono::DateTime<Utc> {
    std::env::var("STATUSFLEET_NOW")
        .ok()
        .and_then(|v| chrono::DateTime::parse_from_rfc3339(v.trim()).ok())
        .map_or_else(Utc::now, |t| t.to_utc())
}

struct Shared {
    http: Http,
    tokens: TokenCache,
    pages: sources::PageCache,
    apps: BTreeMap<String, Result<AppCredentials, FetchError>>,
    config: Config,
    limit: tokio::sync::Semaphore,
}

/// Fetches the fleet. Discovered customers are added to `config`.
pub fn run(config: &mut Config, progress: &Progress) -> Result<FetchReport, FetchError> {
    let start = Instant::now();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| FetchError::Unsupported(format!("cannot start the async runtime: {e}")))?;
    let http = Http::new(&config.fetch)?;
    let apps = config
        .credentials
        .iter()
        .map(|(name, c)| (name.clone(), auth::resolve(name, c, &config.root)))
        .collect();
    let mut shared = Shared {
        http,
        tokens: TokenCache::default(),
        pages: sources::PageCache::default(),
        apps,
        config: config.clone(),
        limit: tokio::sync::Semaphore::new(config.fetch.concurrency),
    };
    let mut report = FetchReport::default();
    if config.discovery.is_some() {
        let (customers, problem) = rt.block_on(discover(&shared));
        report.discovered = customers.len();
        report.discovery_problem = problem;
        config.add_discovered(&customers);
        shared.config = config.clone();
    }
    let shared = Arc::new(shared);
    let customers: Vec<Customer> = shared
        .config
        .customers
        .iter()
        .filter(|c| c.sources.iter().any(|s| s.is_live()))
        .cloned()
        .collect();
    report.offline_only = shared.config.customers.len() - customers.len();
    progress.start(customers.len());
    let outcomes = rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for (i, c) in customers.into_iter().enumerate() {
            let shared = Arc::clone(&shared);
            set.spawn(async move { (i, fetch_customer(&shared, &c).await) });
        }
        let mut out = Vec::new();
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok((i, o)) => {
                    progress.customer_done(&o);
                    out.push((i, o));
                }
                Err(e) => {
                    // A task that panicked: report it, keep the rest.
                    progress.line(&format!("internal error in a fetch task: {e}"));
                }
            }
        }
        out.sort_by_key(|(i, _)| *i);
        out.into_iter().map(|(_, o)| o).collect::<Vec<_>>()
    });
    progress.finish();
    report.notes = shared
        .apps
        .values()
        .flatten()
        .flat_map(AppCredentials::notes)
        .collect();
    report.requests = outcomes.iter().map(|o| o.requests).sum();
    report.retries = outcomes.iter().map(|o| o.retries).sum();
    report.outcomes = outcomes;
    report.elapsed = start.elapsed();
    Ok(report)
}

async fn discover(
    shared: &Shared,
) -> (
    Vec<crate::source::partner_center::Discovered>,
    Option<String>,
) {
    let config = &shared.config;
    let d = &config.discovery.as_ref().expect("checked").partner_center;
    let dir = config.data_dir();
    let last = history::load_discovery(&dir);
    let endpoints = config.clouds.endpoints(d.cloud);
    let counters = Counters::default();
    let now = clock();
    let result = match shared.apps.get(&d.credentials) {
        Some(Ok(app)) => {
            let ctx = sources::Ctx {
                http: &shared.http,
                tokens: &shared.tokens,
                counters: &counters,
                pages: &shared.pages,
                endpoints: &endpoints,
                cloud: d.cloud,
                tenant: &d.tenant_id,
                apps: &shared.apps,
                now,
                since: now,
                have_reports: &std::collections::BTreeSet::new(),
                want_reports: &std::collections::BTreeSet::new(),
            };
            sources::discover(&ctx, app).await
        }
        Some(Err(e)) => Err(e.clone()),
        None => Err(FetchError::Unsupported(
            "discovery credentials missing".into(),
        )),
    };
    // An unreadable list is not overwritten by a failure, only by a
    // success.
    let unreadable = last.as_ref().err().map(ToString::to_string);
    let mut record = last.ok().flatten().unwrap_or_default();
    record.schema = history::SCHEMA;
    record.last_attempt = Some(now);
    match result {
        Ok(customers) => {
            record.fetched_at = Some(now);
            record.failing_since = None;
            record.error = None;
            record.customers = customers.clone();
            let problem = history::save_discovery(&dir, &record)
                .err()
                .map(|e| format!("customer discovery: {e}"));
            (customers, problem)
        }
        Err(e) => {
            record.failing_since.get_or_insert(now);
            record.error = Some(e.to_string());
            let mut problem = record.problem().expect("error set");
            if let Some(u) = unreadable {
                problem.push_str(&format!("; the last list is unreadable: {u}"));
            } else if let Err(e) = history::save_discovery(&dir, &record) {
                problem.push_str(&format!("; and recording the failure failed: {e}"));
            }
            (record.customers, Some(problem))
        }
    }
}

async fn fetch_customer(shared: &Shared, customer: &Customer) -> CustomerOutcome {
    let _permit = shared.limit.acquire().await.expect("semaphore open");
    let config = &shared.config;
    let slug = customer.slug.as_str();
    let counters = Counters::default();
    let dir = config.data_dir();
    let mut outcome = CustomerOutcome {
        slug: slug.to_owned(),
        state: State::Fresh,
        problems: Vec::new(),
        notes: Vec::new(),
        requests: 0,
        retries: 0,
    };
    // A history file that cannot be read is left as it is: overwriting it
    // would lose what it holds.
    let mut hist = match history::load(&dir, slug) {
        Ok(h) => h,
        Err(e) => {
            outcome.state = State::Failed;
            outcome
                .problems
                .push(("history store".into(), e.to_string()));
            return outcome;
        }
    };
    let endpoints = config.clouds.endpoints(customer.cloud);
    let tenant = customer.tenant_id.clone().unwrap_or_default();
    let window_start = clock() - chrono::Duration::days(i64::from(config.site.history_days));
    let mut keys = Vec::new();
    for source in customer.sources.iter().filter(|s| s.is_live()) {
        let now = clock();
        let mut key = hist.key_of(source);
        let entry = hist.sources.entry(key.clone()).or_default();
        // Only Graph publishes report documents.
        let (have_reports, want_reports) = if matches!(source, SourceConfig::Graph { .. }) {
            report_ids(entry, window_start)
        } else {
            Default::default()
        };
        let since = entry
            .last_success
            .map(|t| t - chrono::Duration::days(1))
            .unwrap_or(window_start)
            .max(window_start);
        let ctx = sources::Ctx {
            http: &shared.http,
            tokens: &shared.tokens,
            counters: &counters,
            pages: &shared.pages,
            endpoints: &endpoints,
            cloud: customer.cloud,
            tenant: &tenant,
            apps: &shared.apps,
            now,
            since,
            have_reports: &have_reports,
            want_reports: &want_reports,
        };
        let deadline = config.fetch.source_deadline();
        let fetched = match tokio::time::timeout(deadline, sources::fetch(&ctx, source)).await {
            Ok(r) => r,
            Err(_) => Err(http::FetchError::Deadline {
                what: source.label(),
                seconds: deadline.as_secs_f64(),
                done: format!(
                    "{} made; nothing of this run is kept",
                    crate::text::counted(counters.get().0 as usize, "request", "requests")
                ),
            }),
        };
        match fetched {
            Ok(mut data) => {
                if let Some(note) = &data.not_offered {
                    outcome.notes.push((source.label(), note.clone()));
                }
                for note in std::mem::take(&mut data.notes) {
                    outcome.notes.push((source.label(), note));
                }
                // Documents first, then the history file that names them.
                let mut kept = Vec::new();
                for (id, format, bytes) in std::mem::take(&mut data.reports) {
                    match tokio::task::block_in_place(|| {
                        crate::history::keep_report(&dir, &bytes, format)
                    }) {
                        Ok(file) => kept.push((id, file)),
                        Err(e) => outcome.notes.push((
                            source.label(),
                            format!(
                                "the post-incident report of {id} could not be kept in {}: {e}; tried again next run",
                                crate::history::reports_dir(&dir).display()
                            ),
                        )),
                    }
                }
                let new_key = data.key.clone();
                entry.record_success(data, now);
                // On the incident, whether this answer listed it or the
                // store asked for it again.
                for (id, file) in kept {
                    entry.set_report(&id, crate::model::Report { file });
                }
                if let SourceConfig::Statuspage { url, .. } = source
                    && !entry.urls.iter().any(|u| u == url.as_str())
                {
                    entry.urls.push(url.as_str().to_owned());
                }
                if let Some(k) = new_key {
                    hist.rekey(&key, &k);
                    key = k;
                }
            }
            Err(e) => {
                let reason = e.to_string();
                let advice = e.advice();
                outcome.state = outcome.state.max(if entry.last_success.is_some() {
                    State::Stale
                } else {
                    State::Failed
                });
                outcome.problems.push((source.label(), reason.clone()));
                entry.record_failure(&source.label(), reason, advice, now);
            }
        }
        keys.push(key);
    }
    hist.schema = history::SCHEMA;
    hist.customer = slug.to_owned();
    // Sources no longer configured are dropped from the file.
    hist.sources.retain(|k, _| keys.contains(k));
    if let Err(e) = tokio::task::block_in_place(|| history::save(&dir, &hist)) {
        outcome.state = State::Failed;
        outcome
            .problems
            .push(("history store".into(), e.to_string()));
    }
    let (requests, retries) = counters.get();
    outcome.requests = requests;
    outcome.retries = retries;
    outcome
}

/// Of a source's stored incidents: those whose report document the store
/// holds, and those with a published report it does not hold yet (within
/// the pages' window: older ones are no longer shown), in one pass.
fn report_ids(
    entry: &history::SourceHistory,
    window_start: chrono::DateTime<Utc>,
) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut have, mut want) = (BTreeSet::new(), BTreeSet::new());
    for i in entry.incidents.values() {
        if i.report.is_some() {
            have.insert(i.id.clone());
        } else if i.status == crate::model::IncidentStatus::Postmortem
            && i.ended_at.unwrap_or(i.started_at) >= window_start
        {
            want.insert(i.id.clone());
        }
    }
    (have, want)
}

fn runtime() -> Result<tokio::runtime::Runtime, FetchError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| FetchError::Unsupported(format!("cannot start the async runtime: {e}")))
}
