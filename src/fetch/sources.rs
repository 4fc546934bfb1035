//! Fetching each kind of source: URLs, paging, auth; the answers go to the
//! pure parsers in `crate::source`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use reqwest::Url;
use serde::de::DeserializeOwned;

use super::auth::{AppCredentials, TokenCache};
use super::http::{Counters, FetchError, Http, Request, origin, parse_json, status_error};
use crate::config::{BaseUrl, Cloud, Endpoints, SourceConfig};
use crate::source::{SourceData, azure, graph, partner_center, statuspage};

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

async fn fetch_graph(
    ctx: &Ctx<'_>,
    app: &AppCredentials,
    messages: bool,
) -> Result<SourceData, FetchError> {
    let ep = ctx.endpoints;
    let root = format!("{}/v1.0/admin/serviceAnnouncement", ep.graph.as_str());
    let get = &Authz {
        app,
        base: &ep.graph,
        scope: &ep.graph_scope,
    };
    let mut first = url(&format!("{root}/healthOverviews"))?;
    first.query_pairs_mut().append_pair("$expand", "issues");
    let overviews: Vec<graph::HealthOverview> =
        pages(ctx, "service health", first, get, |p: graph::Page<_>| {
            (p.value, p.next_link)
        })
        .await?;
    let mut first = url(&format!("{root}/issues"))?;
    first.query_pairs_mut().append_pair(
        "$filter",
        &format!(
            "lastModifiedDateTime ge {}",
            ctx.since.to_rfc3339_opts(SecondsFormat::Secs, true)
        ),
    );
    let issues: Vec<graph::Issue> = pages(ctx, "issues", first, get, |p: graph::Page<_>| {
        (p.value, p.next_link)
    })
    .await?;
    let msgs: Vec<graph::Message> = if messages {
        let mut first = url(&format!("{root}/messages"))?;
        first
            .query_pairs_mut()
            .append_pair("$filter", "category eq 'planForChange'");
        pages(ctx, "Message Center", first, get, |p: graph::Page<_>| {
            (p.value, p.next_link)
        })
        .await?
    } else {
        Vec::new()
    };
    let services = graph::services(&overviews);
    let names = graph::ServiceNames::new(&services);
    let mut by_id: BTreeMap<String, graph::Issue> = BTreeMap::new();
    for i in overviews
        .into_iter()
        .flat_map(|o| o.issues.unwrap_or_default())
        .chain(issues)
    {
        let merged = match by_id.remove(&i.id) {
            Some(old) => graph::merge_issue(old, i),
            None => i,
        };
        by_id.insert(merged.id.clone(), merged);
    }
    Ok(SourceData {
        label: "Microsoft 365".into(),
        services,
        incidents: by_id.values().map(|i| graph::incident(i, &names)).collect(),
        maintenance: msgs
            .iter()
            .filter_map(|m| graph::maintenance(m, &names))
            .collect(),
        ..SourceData::default()
    })
}

async fn fetch_azure(
    ctx: &Ctx<'_>,
    app: &AppCredentials,
    configured: &[String],
    api_version: &str,
    services: &[String],
    lookback_days: u32,
) -> Result<SourceData, FetchError> {
    let ep = ctx.endpoints;
    let get = &Authz {
        app,
        base: &ep.arm,
        scope: &ep.arm_scope,
    };
    let subscriptions: Vec<String> = if configured.is_empty() {
        let mut first = url(&format!("{}/subscriptions", ep.arm.as_str()))?;
        first
            .query_pairs_mut()
            .append_pair("api-version", "2022-12-01");
        let subs: Vec<azure::Subscription> =
            pages(ctx, "subscriptions", first, get, |p: azure::Page<_>| {
                (p.value, p.next_link)
            })
            .await?;
        subs.into_iter().map(|s| s.subscription_id).collect()
    } else {
        configured.to_vec()
    };
    let start = ctx.now - Duration::days(i64::from(lookback_days));
    let mut events = Vec::new();
    for sub in &subscriptions {
        let sub_path = format!(
            "{}/subscriptions/{}/providers/Microsoft.ResourceHealth/events",
            ep.arm.as_str(),
            url::form_urlencoded::byte_serialize(sub.as_bytes()).collect::<String>()
        );
        let mut first = url(&sub_path)?;
        first
            .query_pairs_mut()
            .append_pair("api-version", api_version)
            .append_pair("queryStartTime", &azure::query_start_time(start));
        let got: Result<Vec<azure::Event>, _> = pages(
            ctx,
            "Resource Health events",
            first,
            get,
            |p: azure::Page<_>| (p.value, p.next_link),
        )
        .await;
        let mut got = match got {
            Ok(e) => e,
            // 21Vianet's cloud answers this where Resource Health is not
            // offered: not a failure, said so on the pages.
            Err(FetchError::Status {
                code: Some(code), ..
            }) if ctx.cloud == Cloud::China && code == "NoRegisteredProviderFound" => {
                return Ok(SourceData {
                    label: "Azure".into(),
                    not_offered: Some(format!(
                        "Azure Resource Health is not offered in this cloud (subscription {sub}: NoRegisteredProviderFound)"
                    )),
                    ..SourceData::default()
                });
            }
            Err(e) => return Err(e),
        };
        for e in got.iter_mut().filter(|e| azure::is_sensitive(e)) {
            if let Some(full) = event_details(ctx, get, &sub_path, api_version, &e.name).await? {
                *e = full;
            }
        }
        events.append(&mut got);
    }
    let n = azure::normalize(&azure::dedupe(events), services, ctx.now);
    Ok(SourceData {
        label: "Azure".into(),
        services: n.services,
        incidents: n.incidents,
        maintenance: n.maintenance,
        ..SourceData::default()
    })
}

/// The full text of a sensitive event (a security advisory), which the
/// list leaves out: `POST …/events/{id}/fetchEventDetails`. `None` when the
/// app may not read it (it needs
/// `Microsoft.ResourceHealth/events/fetchEventDetails/action`); pages then
/// say the details are withheld.
async fn event_details(
    ctx: &Ctx<'_>,
    auth: &Authz<'_>,
    sub_path: &str,
    api_version: &str,
    tracking_id: &str,
) -> Result<Option<azure::Event>, FetchError> {
    let mut u = url(&format!(
        "{sub_path}/{}/fetchEventDetails",
        url::form_urlencoded::byte_serialize(tracking_id.as_bytes()).collect::<String>()
    ))?;
    u.query_pairs_mut().append_pair("api-version", api_version);
    let got = send_authed(
        ctx,
        auth.app,
        auth.base,
        auth.scope,
        reqwest::Method::POST,
        &u,
        &[],
    )
    .await;
    match got {
        Ok(body) => parse_json("event details", &u, &body).map(Some),
        Err(FetchError::Status {
            status: 401 | 403 | 404,
            ..
        }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Fetches a page's three files once per run (whoever asks first) and
/// keeps the answer for every customer that depends on it.
async fn statuspage_answers(ctx: &Ctx<'_>, base: &BaseUrl) -> Result<Arc<RawPage>, FetchError> {
    async fn get<T: DeserializeOwned>(
        ctx: &Ctx<'_>,
        base: &BaseUrl,
        file: &str,
    ) -> Result<T, FetchError> {
        let u = url(&format!("{}/api/v2/{file}", base.as_str()))?;
        let answer = ctx
            .http
            .send(&Request::get(u.clone()), ctx.counters)
            .await?;
        if !answer.status.is_success() {
            return Err(status_error(&u, &answer, 1));
        }
        parse_json(file, &u, &answer.body)
    }
    let cell = ctx.pages.cell(base.as_str());
    cell.get_or_init(|| async {
        Ok(Arc::new(RawPage {
            summary: get(ctx, base, "summary.json").await?,
            incidents: get(ctx, base, "incidents.json").await?,
            maintenances: get(ctx, base, "scheduled-maintenances.json").await?,
        }))
    })
    .await
    .clone()
}

async fn fetch_statuspage(
    ctx: &Ctx<'_>,
    base: &BaseUrl,
    name: Option<&str>,
    components: Option<&[String]>,
    lang: &str,
) -> Result<SourceData, FetchError> {
    let raw = statuspage_answers(ctx, base).await?;
    let n = statuspage::normalize(
        &raw.summary,
        &raw.incidents,
        &raw.maintenances,
        components,
        lang,
    );
    let host = url(base.as_str())
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    Ok(SourceData {
        label: name
            .map(str::to_owned)
            .or(Some(n.label).filter(|l| !l.trim().is_empty()))
            .unwrap_or(host),
        services: n.services,
        incidents: n.incidents,
        maintenance: n.maintenance,
        key: n.page_id.map(|id| crate::history::statuspage_key(&id)),
        not_offered: None,
    })
}

/// One cheap call with the source's credentials, for `check --online`:
/// what works, in a few words.
pub async fn probe(ctx: &Ctx<'_>, source: &SourceConfig) -> Result<String, FetchError> {
    let ep = ctx.endpoints;
    match source {
        SourceConfig::File { .. } => Ok("file".into()),
        SourceConfig::Graph { credentials, .. } => {
            let a = app(ctx, credentials)?;
            let u = url(&format!(
                "{}/v1.0/admin/serviceAnnouncement/healthOverviews",
                ep.graph.as_str()
            ))?;
            let body = get_authed(ctx, a, &ep.graph, &ep.graph_scope, &u, &[]).await?;
            let page: graph::Page<serde_json::Value> = parse_json("service health", &u, &body)?;
            Ok(format!("ok: {} service(s)", page.value.len()))
        }
        SourceConfig::Azure {
            credentials,
            subscriptions,
            ..
        } => {
            let a = app(ctx, credentials)?;
            let mut u = url(&format!("{}/subscriptions", ep.arm.as_str()))?;
            u.query_pairs_mut().append_pair("api-version", "2022-12-01");
            let body = get_authed(ctx, a, &ep.arm, &ep.arm_scope, &u, &[]).await?;
            let page: azure::Page<azure::Subscription> = parse_json("subscriptions", &u, &body)?;
            let visible: BTreeSet<String> = page
                .value
                .iter()
                .map(|s| s.subscription_id.to_lowercase())
                .collect();
            let missing: Vec<&String> = subscriptions
                .iter()
                .filter(|s| !visible.contains(&s.to_lowercase()))
                .collect();
            if missing.is_empty() {
                Ok(format!("ok: {} subscription(s) visible", visible.len()))
            } else {
                Err(FetchError::Unsupported(format!(
                    "subscription(s) {} not visible to the app: give it Reader on them",
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        }
        SourceConfig::Statuspage { url: base, .. } => {
            let raw = statuspage_answers(ctx, base).await?;
            Ok(format!("ok: {} component(s)", raw.summary.components.len()))
        }
    }
}

/// `check --online` for discovery: the first page of customers.
pub async fn probe_discovery(ctx: &Ctx<'_>, app: &AppCredentials) -> Result<String, FetchError> {
    let ep = ctx.endpoints;
    let u = url(&format!(
        "{}/v1/customers?size=1",
        ep.partner_center.as_str()
    ))?;
    let headers = vec![("MS-Contract-Version".to_owned(), "v1".to_owned())];
    let body = get_authed(
        ctx,
        app,
        &ep.partner_center,
        &ep.partner_center_scope,
        &u,
        &headers,
    )
    .await?;
    let page: partner_center::Collection = parse_json("customers", &u, &body)?;
    Ok(format!(
        "ok: {} customer(s) on the first page",
        page.items.len()
    ))
}

/// Partner Center customer discovery.
pub async fn discover(
    ctx: &Ctx<'_>,
    app: &AppCredentials,
) -> Result<Vec<partner_center::Discovered>, FetchError> {
    let ep = ctx.endpoints;
    let base = ep.partner_center.as_str();
    let mut next = Some((url(&format!("{base}/v1/customers?size=500"))?, Vec::new()));
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let limit = ctx.http.settings().max_pages;
    let correlation = format!("{:032x}", ctx.now.timestamp_nanos_opt().unwrap_or(0));
    while let Some((u, extra)) = next.take() {
        let cursor: String = extra
            .iter()
            .map(|(k, v): &(String, String)| format!("{}={v}\n", k.to_ascii_lowercase()))
            .collect();
        check_page("customers", &u, &cursor, &mut seen, limit)?;
        let mut headers: Vec<(String, String)> = vec![
            ("MS-Contract-Version".into(), "v1".into()),
            ("MS-CorrelationId".into(), correlation.clone()),
            (
                "MS-RequestId".into(),
                format!("{correlation}-{}", seen.len()),
            ),
        ];
        headers.extend(extra);
        let body = get_authed(
            ctx,
            app,
            &ep.partner_center,
            &ep.partner_center_scope,
            &u,
            &headers,
        )
        .await?;
        let page: partner_center::Collection = parse_json("customers", &u, &body)?;
        out.extend(page.items.iter().filter_map(partner_center::discovered));
        if let Some(n) = page.links.and_then(|l| l.next) {
            let h = n.headers.into_iter().map(|h| (h.key, h.value)).collect();
            next = Some((url(&partner_center::next_url(base, &n.uri))?, h));
        }
    }
    Ok(out)
}
