//! `check --online` (one cheap call per source, and for discovery, said in a
//! few words) and Partner Center discovery.

use super::*;

use crate::config::SourceConfig;
use crate::fetch::auth::AppCredentials;
use crate::fetch::http::{FetchError, parse_json};
use crate::source::{azure, graph, partner_center};
use std::collections::BTreeSet;

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
            Ok(format!(
                "ok: {}",
                crate::text::counted(page.value.len(), "service", "services")
            ))
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
                Ok(format!(
                    "ok: {} visible",
                    crate::text::counted(visible.len(), "subscription", "subscriptions")
                ))
            } else {
                Err(FetchError::Unsupported(format!(
                    "{} {} not visible to the app: give it Reader on {}",
                    if missing.len() == 1 {
                        "subscription"
                    } else {
                        "subscriptions"
                    },
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    if missing.len() == 1 { "it" } else { "them" }
                )))
            }
        }
        SourceConfig::Statuspage { url: base, .. } => {
            let raw = statuspage_answers(ctx, base).await?;
            Ok(format!(
                "ok: {}",
                crate::text::counted(raw.summary.components.len(), "component", "components")
            ))
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
