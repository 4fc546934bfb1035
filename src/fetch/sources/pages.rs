//! Statuspage-compatible pages: the three files each page serves, fetched
//! once a run for every customer that depends on them.

use super::*;

use crate::config::BaseUrl;
use crate::fetch::http::{FetchError, Request, parse_json, status_error};
use crate::source::{SourceData, statuspage};
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// Fetches a page's three files once per run (whoever asks first) and
/// keeps the answer for every customer that depends on it.
pub(super) async fn statuspage_answers(
    ctx: &Ctx<'_>,
    base: &BaseUrl,
) -> Result<Arc<RawPage>, FetchError> {
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

pub(super) async fn fetch_statuspage(
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
        ..SourceData::default()
    })
}
