//! Fetching each kind of source: URLs, paging, auth; the answers go to the
//! pure parsers in `crate::source`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use reqwest::Url;
use serde::de::DeserializeOwned;

use super::auth::{AppCredentials, TokenCache};
use super::http::{Counters, FetchError, Http, Request, origin, parse_json, status_error};
use crate::config::{BaseUrl, Cloud, Endpoints, SourceConfig};
use crate::source::{SourceData, statuspage};

mod microsoft;
mod pages;
mod probe;
use microsoft::*;
use pages::*;
pub use probe::*;

/// One Statuspage page's three answers.
pub struct RawPage {
    pub summary: statuspage::Summary,
    pub incidents: statuspage::Incidents,
    pub maintenances: statuspage::Maintenances,
}

type PageCell = Arc<tokio::sync::OnceCell<Result<Arc<RawPage>, FetchError>>>;

/// Statuspage answers by page URL: a page many customers depend on is
/// fetched once per run, not once per customer.
#[derive(Default)]
pub struct PageCache(Mutex<HashMap<String, PageCell>>);

impl PageCache {
    fn cell(&self, url: &str) -> PageCell {
        let mut map = self.0.lock().expect("page cache lock");
        Arc::clone(map.entry(url.to_owned()).or_default())
    }
}

/// What one customer's fetch may use.
pub struct Ctx<'a> {
    pub http: &'a Http,
    pub tokens: &'a TokenCache,
    pub counters: &'a Counters,
    pub pages: &'a PageCache,
    pub endpoints: &'a Endpoints,
    pub cloud: Cloud,
    /// The customer's tenant (for tokens and the request budget).
    pub tenant: &'a str,
    /// Credential sets by name, read once per run.
    pub apps: &'a BTreeMap<String, Result<AppCredentials, FetchError>>,
    pub now: DateTime<Utc>,
    /// Ask for changes since this moment (incremental fetch).
    pub since: DateTime<Utc>,
    /// Incidents whose post-incident report the store already holds: not
    /// downloaded again.
    pub have_reports: &'a BTreeSet<String>,
    /// Incidents the store knows as having a published report it does not
    /// hold yet (not there, or failed, last time): asked for again even
    /// when the listing no longer returns them.
    pub want_reports: &'a BTreeSet<String>,
}

fn url(s: &str) -> Result<Url, FetchError> {
    Url::parse(s).map_err(|e| FetchError::Unsupported(format!("bad URL {s}: {e}")))
}

fn app<'a>(ctx: &'a Ctx<'_>, name: &str) -> Result<&'a AppCredentials, FetchError> {
    match ctx.apps.get(name) {
        Some(Ok(a)) => Ok(a),
        Some(Err(e)) => Err(e.clone()),
        None => Err(FetchError::Secret {
            name: name.to_owned(),
            reason: "not defined under credentials:".into(),
        }),
    }
}

/// An authorized GET for `scope` on `base`'s origin; a 401 renews the token
/// once.
async fn get_authed(
    ctx: &Ctx<'_>,
    app: &AppCredentials,
    base: &BaseUrl,
    scope: &str,
    target: &Url,
    headers: &[(String, String)],
) -> Result<Vec<u8>, FetchError> {
    send_authed(ctx, app, base, scope, reqwest::Method::GET, target, headers).await
}

/// [`get_authed`] with any method.
async fn send_authed(
    ctx: &Ctx<'_>,
    app: &AppCredentials,
    base: &BaseUrl,
    scope: &str,
    method: reqwest::Method,
    target: &Url,
    headers: &[(String, String)],
) -> Result<Vec<u8>, FetchError> {
    let allowed = origin(&url(base.as_str())?);
    let login = ctx.endpoints.login.as_str();
    let mut renewed = false;
    loop {
        let token = ctx
            .tokens
            .token(ctx.http, login, ctx.tenant, scope, app, ctx.counters)
            .await?;
        let req = Request {
            method: method.clone(),
            bearer: Some(token.expose()),
            allowed_origin: Some(&allowed),
            tenant: Some(ctx.tenant),
            headers: headers.to_vec(),
            ..Request::get(target.clone())
        };
        let answer = ctx.http.send(&req, ctx.counters).await?;
        if answer.status.as_u16() == 401 && !renewed {
            ctx.tokens.invalidate(app, login, ctx.tenant, scope);
            renewed = true;
            continue;
        }
        if !answer.status.is_success() {
            return Err(status_error(target, &answer, 1));
        }
        return Ok(answer.body);
    }
}

/// Stops a listing that loops back to a page already read, or goes on
/// longer than `limit` pages. A page is known by its URL and whatever else
/// says where it starts: Partner Center repeats one next URI on every page
/// and changes only the `MS-ContinuationToken` header.
fn check_page(
    what: &str,
    u: &Url,
    cursor: &str,
    seen: &mut BTreeSet<(String, String)>,
    limit: usize,
) -> Result<(), FetchError> {
    if !seen.insert((u.to_string(), cursor.to_owned())) {
        return Err(FetchError::Malformed {
            what: what.to_owned(),
            host: super::http::host_of(u),
            reason: "its next link leads back to a page already read (a paging loop)".into(),
        });
    }
    if seen.len() > limit {
        return Err(FetchError::TooManyPages {
            what: what.to_owned(),
            host: super::http::host_of(u),
            limit,
        });
    }
    Ok(())
}

/// Which token a listing is fetched with.
struct Authz<'a> {
    app: &'a AppCredentials,
    base: &'a BaseUrl,
    scope: &'a str,
}

async fn pages<P: DeserializeOwned, T>(
    ctx: &Ctx<'_>,
    what: &str,
    first: Url,
    auth: &Authz<'_>,
    split: fn(P) -> (Vec<T>, Option<String>),
) -> Result<Vec<T>, FetchError> {
    let mut items = Vec::new();
    let mut seen = BTreeSet::new();
    let mut next = Some(first);
    let limit = ctx.http.settings().max_pages;
    while let Some(u) = next.take() {
        check_page(what, &u, "", &mut seen, limit)?;
        // A next page that fails (an expired skip token answers 400 or
        // 404) is a paging error, not an answer about the first page.
        let page_error = |e: FetchError| match seen.len() {
            1 => e,
            n => FetchError::Paging {
                what: what.to_owned(),
                host: super::http::host_of(&u),
                page: n,
                reason: e.to_string(),
            },
        };
        let body = get_authed(ctx, auth.app, auth.base, auth.scope, &u, &[])
            .await
            .map_err(page_error)?;
        let page: P = parse_json(what, &u, &body).map_err(page_error)?;
        let (mut got, link) = split(page);
        items.append(&mut got);
        next = link
            .map(|l| u.join(&l))
            .transpose()
            .map_err(|e| FetchError::Malformed {
                what: what.to_owned(),
                host: super::http::host_of(&u),
                reason: format!("bad next link: {e}"),
            })?;
    }
    Ok(items)
}

pub async fn fetch(ctx: &Ctx<'_>, source: &SourceConfig) -> Result<SourceData, FetchError> {
    match source {
        SourceConfig::File { .. } => Err(FetchError::Unsupported(
            "file sources are read at build".into(),
        )),
        SourceConfig::Graph {
            credentials,
            messages,
        } => fetch_graph(ctx, app(ctx, credentials)?, *messages).await,
        SourceConfig::Azure {
            credentials,
            subscriptions,
            api_version,
            services,
            lookback_days,
        } => {
            let a = app(ctx, credentials)?;
            fetch_azure(ctx, a, subscriptions, api_version, services, *lookback_days).await
        }
        SourceConfig::Statuspage {
            url: base,
            name,
            components,
            lang,
        } => fetch_statuspage(ctx, base, name.as_deref(), components.as_deref(), lang).await,
    }
}
