//! The commands that only ask: `check --online` (a token and one cheap call
//! per source, nothing written) and `login` (the device code flow).

use super::*;
use std::collections::BTreeSet;

use crate::config::{Config, Customer, SourceConfig};
use auth::TokenCache;
use http::{Counters, FetchError, Http};
use std::sync::Arc;
use std::time::Duration;

/// One row of `check --online`: a customer's source and what one call
/// with its credentials gave.
#[derive(Debug, Clone)]
pub struct ProbeRow {
    pub customer: String,
    pub source: String,
    pub result: Result<String, String>,
}

/// `check --online`: for each customer (and discovery), a token and one
/// cheap call per live source; nothing is written.
pub fn probe(config: &Config) -> Result<Vec<ProbeRow>, FetchError> {
    let rt = runtime()?;
    let shared = Arc::new(Shared {
        http: Http::new(&config.fetch)?,
        tokens: TokenCache::default(),
        pages: sources::PageCache::default(),
        apps: config
            .credentials
            .iter()
            .map(|(name, c)| (name.clone(), auth::resolve(name, c, &config.root)))
            .collect(),
        config: config.clone(),
        limit: tokio::sync::Semaphore::new(config.fetch.concurrency),
    });
    let now = clock();
    let mut rows = Vec::new();
    if let Some(d) = &config.discovery {
        let pc = &d.partner_center;
        let endpoints = config.clouds.endpoints(pc.cloud);
        let counters = Counters::default();
        let result = rt.block_on(async {
            let app = match shared.apps.get(&pc.credentials) {
                Some(Ok(a)) => a,
                Some(Err(e)) => return Err(e.clone()),
                None => return Err(FetchError::Unsupported("no credentials".into())),
            };
            let ctx = sources::Ctx {
                http: &shared.http,
                tokens: &shared.tokens,
                counters: &counters,
                pages: &shared.pages,
                endpoints: &endpoints,
                cloud: pc.cloud,
                tenant: &pc.tenant_id,
                apps: &shared.apps,
                now,
                since: now,
                have_reports: &BTreeSet::new(),
                want_reports: &BTreeSet::new(),
            };
            sources::probe_discovery(&ctx, app).await
        });
        rows.push(ProbeRow {
            customer: "(discovery)".into(),
            source: "Partner Center".into(),
            result: result.map_err(|e| e.to_string()),
        });
    }
    let jobs: Vec<(Customer, SourceConfig)> = config
        .customers
        .iter()
        .flat_map(|c| {
            c.sources
                .iter()
                .filter(|s| s.is_live())
                .map(move |s| (c.clone(), s.clone()))
        })
        .collect();
    let results = rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for (i, (c, s)) in jobs.into_iter().enumerate() {
            let shared = Arc::clone(&shared);
            set.spawn(async move {
                let _permit = shared.limit.acquire().await.expect("semaphore open");
                let endpoints = shared.config.clouds.endpoints(c.cloud);
                let counters = Counters::default();
                let tenant = c.tenant_id.clone().unwrap_or_default();
                let ctx = sources::Ctx {
                    http: &shared.http,
                    tokens: &shared.tokens,
                    counters: &counters,
                    pages: &shared.pages,
                    endpoints: &endpoints,
                    cloud: c.cloud,
                    tenant: &tenant,
                    apps: &shared.apps,
                    now,
                    since: now,
                    have_reports: &BTreeSet::new(),
                    want_reports: &BTreeSet::new(),
                };
                let deadline = shared.config.fetch.source_deadline();
                let r = match tokio::time::timeout(deadline, sources::probe(&ctx, &s)).await {
                    Ok(r) => r.map_err(|e| e.to_string()),
                    Err(_) => Err(format!("no answer within {:.0} s", deadline.as_secs_f64())),
                };
                (
                    i,
                    ProbeRow {
                        customer: c.slug.to_string(),
                        source: s.label(),
                        result: r,
                    },
                )
            });
        }
        let mut out = Vec::new();
        while let Some(Ok(r)) = set.join_next().await {
            out.push(r);
        }
        out.sort_by_key(|(i, _)| *i);
        out.into_iter().map(|(_, r)| r).collect::<Vec<_>>()
    });
    rows.extend(results);
    Ok(rows)
}

/// `statusfleet login`: signs in a partner user with the device code flow
/// and writes the refresh token of credential set `name` to its
/// `refresh_token_file`. Gives that file.
pub fn login(
    config: &Config,
    name: &str,
    tenant: Option<&str>,
    cloud: crate::config::Cloud,
    say: &dyn Fn(&str),
) -> Result<std::path::PathBuf, FetchError> {
    let fail = |reason: String| FetchError::Secret {
        name: name.to_owned(),
        reason,
    };
    let c = config
        .credentials
        .get(name)
        .ok_or_else(|| fail("not defined under credentials:".into()))?;
    let file = c.refresh_token_file.as_ref().ok_or_else(|| {
        fail(
            "has no refresh_token_file: login writes the partner user's refresh token there (add `refresh_token_file: secrets/<name>.token`)"
                .into(),
        )
    })?;
    // Resolve without the refresh token, which may not exist yet.
    let without = crate::config::CredentialConfig {
        refresh_token_file: None,
        refresh_token_env: None,
        ..c.clone()
    };
    let app = auth::resolve(name, &without, &config.root)?;
    let endpoints = config.clouds.endpoints(cloud);
    let tenant = tenant
        .map(str::to_owned)
        .or_else(|| {
            config
                .discovery
                .as_ref()
                .map(|d| d.partner_center.tenant_id.clone())
        })
        .unwrap_or_else(|| "organizations".to_owned());
    let http = Http::new(&config.fetch)?;
    let path = config.root.join(file);
    let request = auth::login::LoginRequest {
        app: &app,
        tenant: &tenant,
        login: endpoints.login.as_str(),
        scope: &endpoints.graph_scope,
        file: path.clone(),
        max_wait: Duration::from_secs(900),
    };
    runtime()?.block_on(auth::login::login(&http, &request, say))?;
    Ok(path)
}
