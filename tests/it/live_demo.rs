//! Acceptance: the demo fleet served by the mock upstream in real Graph,
//! Azure Resource Health and Statuspage shapes. `statusfleet build` (with
//! fetch) must give the same site shape as the offline demo, with each
//! customer's incidents on its own pages only.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use statusfleet::model::{BodyFormat, Classification, Health, IncidentStatus, Platform, Snapshot};
use support::SiteTest;
use support::mock::{Mock, Tenant};

const SECRET: &str = "demo-secret-value-0042";
const CUSTOMERS: [&str; 4] = ["contoso", "hanbit", "lianhua", "fromagerie"];

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn graph_status(h: Health) -> &'static str {
    match h {
        Health::Operational | Health::Maintenance => "serviceOperational",
        Health::Degraded => "serviceDegradation",
        Health::PartialOutage | Health::MajorOutage => "serviceInterruption",
        Health::Unknown => "serviceThrottled",
    }
}

fn issue_status(s: IncidentStatus) -> &'static str {
    match s {
        IncidentStatus::Investigating => "investigating",
        IncidentStatus::Identified => "serviceDegradation",
        IncidentStatus::Monitoring => "verifyingService",
        IncidentStatus::Resolved => "serviceRestored",
        IncidentStatus::Postmortem => "postIncidentReviewPublished",
        IncidentStatus::FalsePositive => "falsePositive",
    }
}

fn content_type(f: BodyFormat) -> &'static str {
    match f {
        BodyFormat::Html => "html",
        _ => "text",
    }
}

/// The demo snapshot of `slug`, moved so that its `taken_at` is now (the
/// fetch's clock), in upstream shapes: Graph for Microsoft 365 services,
/// Resource Health events for Azure ones, a Statuspage page for the rest.
fn upstream(slug: &str) -> (Tenant, Option<BTreeMap<String, Value>>, Vec<String>) {
    let snap: Snapshot =
        statusfleet::source::file::load(&support::repo().join(format!("demo/{slug}.yaml")))
            .unwrap();
    let shift = Utc::now() - snap.taken_at;
    let at = |t: DateTime<Utc>| iso(t + shift);
    let platform = |id: &str| {
        snap.services
            .iter()
            .find(|s| s.id.0 == id)
            .map(|s| s.platform)
    };
    let name = |id: &str| {
        snap.services
            .iter()
            .find(|s| s.id.0 == id)
            .unwrap()
            .name
            .clone()
    };
    let mut t = Tenant::default();
    let mut events = Vec::new();
    let mut azure_names = Vec::new();
    let mut components = Vec::new();
    let mut sp_incidents = Vec::new();
    let mut sp_maint = Vec::new();
    for s in &snap.services {
        match s.platform {
            Platform::Microsoft365 => t.overviews.push(json!({
                "id": s.id.0, "service": s.name.any(), "status": graph_status(s.health)})),
            Platform::Azure => azure_names.push(s.name.any().to_owned()),
            Platform::Other => components.push(json!({
                "id": s.id.0, "page_id": "p", "name": s.name.any(), "group": false, "group_id": null,
                "status": match s.health { Health::Operational => "operational", Health::Degraded => "degraded_performance",
                    Health::PartialOutage => "partial_outage", Health::MajorOutage => "major_outage", _ => "under_maintenance" },
                "created_at": "2025-01-01T00:00:00.000+09:00", "updated_at": "2026-01-01T00:00:00.000+09:00",
                "position": 1, "description": null, "showcase": true, "only_show_if_degraded": false})),
        }
    }
    for i in &snap.incidents {
        let first = i
            .services
            .first()
            .map(|r| r.0.0.clone())
            .unwrap_or_default();
        let last = i
            .updated_at
            .or(i.updates.iter().map(|u| u.at).max())
            .unwrap_or(i.started_at);
        match platform(&first) {
            Some(Platform::Microsoft365) => t.issues.push(json!({
                "id": i.id, "title": i.title, "startDateTime": at(i.started_at),
                "endDateTime": i.ended_at.map(at), "lastModifiedDateTime": at(last),
                "classification": match i.classification { Classification::Incident => "incident", _ => "advisory" },
                "status": issue_status(i.status), "isResolved": !i.status.is_active(),
                "service": name(&first), "origin": "microsoft", "feature": null, "featureGroup": null,
                "impactDescription": i.impact_description.clone().unwrap_or_default(), "details": [],
                "posts": i.updates.iter().map(|u| json!({"createdDateTime": at(u.at), "postType": "regular",
                    "description": {"contentType": content_type(u.format), "content": u.body}})).collect::<Vec<_>>()})),
            Some(Platform::Azure) => events.push(json!({
                "id": format!("/providers/Microsoft.ResourceHealth/events/{}", i.id), "name": i.id,
                "type": "/providers/Microsoft.ResourceHealth/events",
                "properties": {
                    "eventType": match i.classification { Classification::Incident => "ServiceIssue", _ => "HealthAdvisory" },
                    "status": if i.status.is_active() { "Active" } else { "Resolved" },
                    "eventTags": match i.status { IncidentStatus::Postmortem => vec!["Final PIR"], IncidentStatus::FalsePositive => vec!["False Positive"], _ => vec![] },
                    "title": i.title, "header": i.impact_description, "eventLevel": "Warning",
                    "impactStartTime": at(i.started_at), "impactMitigationTime": i.ended_at.map(at), "lastUpdateTime": at(last),
                    "impact": i.services.iter().map(|r| json!({"impactedService": name(&r.0.0), "impactedRegions": [{
                        "impactedRegion": "West Europe", "status": "Active",
                        "updates": i.updates.iter().map(|u| json!({"summary": u.body, "updateDateTime": at(u.at)})).collect::<Vec<_>>()}]})).collect::<Vec<_>>()}})),
            _ => sp_incidents.push(json!({
                "id": i.id, "page_id": "p", "name": i.title,
                "status": i.status.key().replace("false_positive", "resolved"),
                "impact": match i.effective_impact() { Health::MajorOutage => "critical", Health::PartialOutage => "major", _ => "minor" },
                "created_at": at(i.started_at), "started_at": at(i.started_at), "updated_at": at(last),
                "resolved_at": i.ended_at.map(at), "monitoring_at": null, "shortlink": "https://stspg.example/x",
                "components": i.services.iter().map(|r| json!({"id": r.0.0, "name": name(&r.0.0)})).collect::<Vec<_>>(),
                "incident_updates": i.updates.iter().rev().map(|u| json!({"id": "u", "incident_id": i.id,
                    "status": u.status.map_or("investigating", |s| s.key()), "body": u.body,
                    "created_at": at(u.at), "updated_at": at(u.at), "display_at": at(u.at)})).collect::<Vec<_>>()})),
        }
    }
    for m in &snap.maintenance {
        let first = m
            .services
            .first()
            .map(|r| r.0.0.clone())
            .unwrap_or_default();
        match platform(&first) {
            Some(Platform::Microsoft365) => t.messages.push(json!({
                "id": m.id, "title": m.title, "startDateTime": at(m.starts_at), "endDateTime": at(m.ends_at),
                "lastModifiedDateTime": at(m.starts_at), "category": "planForChange", "severity": "normal",
                "isMajorChange": false, "actionRequiredByDateTime": null, "hasAttachments": false, "viewPoint": null,
                "services": m.services.iter().map(|r| name(&r.0.0)).collect::<Vec<_>>(), "tags": [], "details": [],
                "body": {"contentType": content_type(m.format), "content": m.body}})),
            Some(Platform::Azure) => events.push(json!({"name": m.id, "properties": {
                "eventType": "PlannedMaintenance", "status": "Active", "title": m.title, "summary": m.body,
                "impactStartTime": at(m.starts_at), "impactMitigationTime": at(m.ends_at), "lastUpdateTime": at(m.starts_at),
                "impact": m.services.iter().map(|r| json!({"impactedService": name(&r.0.0), "impactedRegions": []})).collect::<Vec<_>>()}})),
            _ => sp_maint.push(json!({
                "id": m.id, "page_id": "p", "name": m.title, "status": "scheduled", "impact": "maintenance",
                "created_at": at(m.starts_at), "started_at": at(m.starts_at), "updated_at": at(m.starts_at),
                "scheduled_for": at(m.starts_at), "scheduled_until": at(m.ends_at), "resolved_at": null,
                "components": m.services.iter().map(|r| json!({"id": r.0.0})).collect::<Vec<_>>(),
                "incident_updates": [{"id": "u", "status": "scheduled", "body": m.body, "created_at": at(m.starts_at)}]})),
        }
    }
    t.subscriptions.insert(format!("sub-{slug}"), events);
    let page = (!components.is_empty()).then(|| {
        let page = json!({"id": "p", "name": format!("{slug} partners"), "url": "https://status.example.com", "time_zone": "Asia/Seoul"});
        [
            ("summary.json".to_owned(), json!({"page": page, "status": {"indicator": "none", "description": "ok"},
                "components": components, "incidents": [], "scheduled_maintenances": []})),
            ("incidents.json".to_owned(), json!({"page": page, "incidents": sp_incidents})),
            ("scheduled-maintenances.json".to_owned(), json!({"page": page, "scheduled_maintenances": sp_maint})),
        ]
        .into_iter()
        .collect()
    });
    (t, page, azure_names)
}

/// Page stems per (customer/locale/kind).
fn shape(site: &SiteTest) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, _) in site.files("public") {
        let parts: Vec<&str> = path.split('/').collect();
        if let [customer, locale, kind, file] = parts.as_slice() {
            // A history month's page is named by its date, which moves
            // with the clock of the fetch.
            let month = file.len() == 12 && file.as_bytes()[4] == b'-' && file.ends_with(".html");
            if *kind == "history" && month {
                continue;
            }
            out.entry(format!("{customer}/{locale}/{kind}"))
                .or_default()
                .insert((*file).to_owned());
        }
    }
    out
}

#[test]
fn the_demo_fleet_fetched_live_has_the_offline_shape() {
    let offline = SiteTest::demo();
    offline.build();
    let mock = Mock::start_paged(SECRET, 3);
    let base = mock.base();
    let china = format!("http://localhost:{}", mock.addr.port());
    let live = SiteTest::demo().edit("statusfleet.yaml", |mut text| {
        for slug in CUSTOMERS {
            let (tenant, page, azure) = upstream(slug);
            let tenant_id = format!("tenant-{slug}");
            mock.tenant(&tenant_id, tenant);
            let mut sources = format!(
                "      - graph: {{ credentials: app }}\n      - azure: {{ credentials: app, services: [{}] }}\n",
                azure.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
            );
            if let Some(p) = page {
                mock.statuspage(slug, p);
                sources.push_str(&format!("      - statuspage: {{ url: \"{base}/{slug}\" }}\n"));
            }
            text = text.replace(&format!("      - file: {{ path: demo/{slug}.yaml }}\n"), &sources);
            let marker = format!("  - slug: {slug}\n");
            let at = text.find(&marker).unwrap();
            let tid = text[at..].find("tenant_id: ").unwrap() + at;
            let end = text[tid..].find('\n').unwrap() + tid;
            text.replace_range(tid..end, &format!("tenant_id: {tenant_id}"));
        }
        let clouds = format!(
            "clouds:\n  global: {{ login: \"{base}\", graph: \"{base}\", arm: \"{base}\" }}\n  china: {{ login: \"{china}\", graph: \"{china}\", arm: \"{china}\" }}\ncredentials:\n  app: {{ client_id: demo-app, client_secret_env: DEMO_SECRET }}\nfetch:\n  timeout_seconds: 5\n\ncustomers:\n"
        );
        text.replacen("customers:\n", &clouds, 1)
    });
    let r = live.run_env(&["build"], &[("DEMO_SECRET", SECRET)]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // The same customers, locales, page kinds and incident pages.
    let (a, b) = (shape(&offline), shape(&live));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, files) in &a {
        if k.ends_with("/services") {
            assert_eq!(
                files.len(),
                b[k].len(),
                "{k}: Azure and Statuspage services get new ids, not new counts"
            );
        } else {
            assert_eq!(files, &b[k], "{k}");
        }
    }
    // Each customer's incidents and maintenance on its own pages only.
    let mut owned: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for slug in CUSTOMERS {
        let snap =
            statusfleet::source::file::load(&support::repo().join(format!("demo/{slug}.yaml")))
                .unwrap();
        owned.insert(
            slug,
            snap.incidents.iter().map(|i| i.title.clone()).collect(),
        );
        let maint = live.read(&format!("public/{slug}/en/maintenance.html"));
        for m in &snap.maintenance {
            let escaped = m
                .title
                .replace('&', "&amp;")
                .replace('\'', "&#x27;")
                .replace('"', "&quot;");
            assert!(maint.contains(&escaped), "{slug}: {}", m.title);
        }
    }
    for slug in CUSTOMERS {
        let pages: String = live
            .files(&format!("public/{slug}"))
            .into_iter()
            .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
            .collect();
        for (other, titles) in &owned {
            if *other == slug {
                continue;
            }
            for title in titles.difference(&owned[slug]) {
                let escaped = title
                    .replace('&', "&amp;")
                    .replace('\'', "&#x27;")
                    .replace('"', "&quot;");
                assert!(
                    !pages.contains(&escaped),
                    "{other}'s incident `{title}` on {slug}'s pages"
                );
            }
        }
    }
    // lianhua (cloud: china) went through the `clouds.china` endpoints (the
    // mock under the name `localhost`), every other customer through the
    // global ones (`127.0.0.1`).
    let china_host = format!("localhost:{}", mock.addr.port());
    for l in mock.log().iter().filter(|l| l.tenant.is_some()) {
        let host = l
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("host"))
            .map(|(_, v)| v.as_str());
        let china = l.tenant.as_deref() == Some("tenant-lianhua");
        assert_eq!(
            host == Some(china_host.as_str()),
            china,
            "{} {:?}",
            l.path,
            host
        );
    }
}
