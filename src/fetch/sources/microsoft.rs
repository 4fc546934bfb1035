//! Microsoft 365 service health (Graph) and Azure Resource Health (ARM): the
//! calls, their paging, sensitive event details.

use super::*;

use crate::config::Cloud;
use crate::fetch::auth::AppCredentials;
use crate::fetch::http::{FetchError, parse_json};
use crate::report::Format;
use crate::source::{SourceData, azure, graph};
use chrono::{Duration, SecondsFormat};
use std::collections::{BTreeMap, BTreeSet};

pub(super) async fn fetch_graph(
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
    let (reports, notes) = incident_reports(ctx, get, &root, by_id.values()).await;
    Ok(SourceData {
        label: "Microsoft 365".into(),
        reports,
        notes,
        services,
        incidents: by_id.values().map(|i| graph::incident(i, &names)).collect(),
        maintenance: msgs
            .iter()
            .filter_map(|m| graph::maintenance(m, &names))
            .collect(),
        ..SourceData::default()
    })
}

/// The post-incident report of each issue whose status says one is
/// published and whose report the store does not hold yet:
/// `GET …/issues/{id}/incidentReport` (a binary stream). A report not there
/// yet (404), or one that fails to download or is no document, is tried
/// again on the next run without making the source stale.
async fn incident_reports<'i>(
    ctx: &Ctx<'_>,
    get: &Authz<'_>,
    root: &str,
    issues: impl Iterator<Item = &'i graph::Issue>,
) -> (Vec<(String, Format, Vec<u8>)>, Vec<String>) {
    let mut reports = Vec::new();
    let mut notes = Vec::new();
    let mut ids: BTreeSet<&str> = ctx.want_reports.iter().map(String::as_str).collect();
    ids.extend(
        issues
            .filter(|i| i.status == Some(graph::Status::PostIncidentReviewPublished))
            .map(|i| i.id.as_str()),
    );
    for id in ids.into_iter().filter(|id| !ctx.have_reports.contains(*id)) {
        let got = match url(&format!(
            "{root}/issues/{}/incidentReport",
            percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC)
        )) {
            Ok(u) => get_authed(ctx, get.app, get.base, get.scope, &u, &[]).await,
            Err(e) => Err(e),
        };
        match got {
            Ok(bytes) => match Format::sniff(&bytes) {
                Some(f) => reports.push((id.to_owned(), f, bytes)),
                None => notes.push(format!(
                    "the post-incident report of {} is neither a PDF nor a Word document ({} bytes starting {:?}); not published, tried again next run",
                    id,
                    bytes.len(),
                    String::from_utf8_lossy(&bytes[..bytes.len().min(16)])
                )),
            },
            Err(FetchError::Status { status: 404, .. }) => {}
            // The listing is good whatever happens to a document.
            Err(e) => notes.push(format!(
                "the post-incident report of {id} could not be downloaded ({e}); tried again next run"
            )),
        }
    }
    (reports, notes)
}

pub(super) async fn fetch_azure(
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
pub(super) async fn event_details(
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
