//! The console's exports: per incident, the customers it hits (CSV for a
//! mail merge, JSON for a ticketing system), and the whole fleet table.
//! Locale-independent: machine names, UTC times.

use serde::Serialize;

use super::Parts;
use super::fleet::{Fleet, Row};
use crate::output::OutputFile;

use crate::feeds::csv::line;

#[derive(Serialize)]
struct CustomerExport<'a> {
    slug: &'a str,
    name: &'a str,
    domain: Option<&'a str>,
    tenant_id: Option<&'a str>,
    cloud: &'static str,
    state: &'static str,
    status_page: String,
    incident_page: Option<String>,
    support: Support<'a>,
}

#[derive(Serialize)]
struct Support<'a> {
    email: Option<&'a str>,
    phone: Option<&'a str>,
    service_request_url: Option<&'a str>,
    self_support_url: Option<&'a str>,
}

const HEADER: &[&str] = &[
    "slug",
    "name",
    "domain",
    "tenant_id",
    "cloud",
    "state",
    "status_page",
    "incident_page",
    "support_email",
    "support_phone",
    "service_request_url",
    "self_support_url",
];

/// `up`: from the export's folder to the console's root.
fn export<'a>(
    parts: &Parts<'_>,
    row: &'a Row<'_>,
    file: Option<&str>,
    up: &str,
) -> CustomerExport<'a> {
    let c = row.customer;
    let base = format!("{}{}/", sites_from(parts, up), c.folder);
    CustomerExport {
        slug: c.slug.as_str(),
        name: c.name.any(),
        domain: c.domain.as_deref(),
        tenant_id: c.tenant_id.as_deref(),
        cloud: match c.cloud {
            crate::config::Cloud::Global => "global",
            crate::config::Cloud::China => "china",
        },
        state: row.agg.overall.key(),
        status_page: format!("{base}index.html"),
        incident_page: file.map(|f| format!("{base}{}/incidents/{f}.html", c.default_locale.tag())),
        support: Support {
            email: c.support.email.as_deref(),
            phone: c.support.phone.as_deref(),
            service_request_url: c.support.service_request_url.as_deref(),
            self_support_url: c.support.self_support_url.as_deref(),
        },
    }
}

/// Links in exports: absolute under `site.base_url`, else relative to
/// the export's folder.
fn sites_from(parts: &Parts<'_>, up: &str) -> String {
    let s = &parts.sites;
    if s.starts_with("http://") || s.starts_with("https://") {
        s.clone()
    } else {
        format!("{up}{s}")
    }
}

fn csv(rows: &[CustomerExport<'_>]) -> Vec<u8> {
    let mut out = line(HEADER);
    for r in rows {
        out.push_str(&line(&[
            r.slug,
            r.name,
            r.domain.unwrap_or(""),
            r.tenant_id.unwrap_or(""),
            r.cloud,
            r.state,
            &r.status_page,
            r.incident_page.as_deref().unwrap_or(""),
            r.support.email.unwrap_or(""),
            r.support.phone.unwrap_or(""),
            r.support.service_request_url.unwrap_or(""),
            r.support.self_support_url.unwrap_or(""),
        ]));
    }
    out.into_bytes()
}

pub fn files(parts: &Parts<'_>, fleet: &Fleet<'_>, sink: &(dyn Fn(OutputFile) + Sync)) {
    for fi in &fleet.incidents {
        let r = fi.incident;
        let rows: Vec<CustomerExport<'_>> = fi
            .customers
            .iter()
            .map(|&n| export(parts, &fleet.rows[n], Some(&r.file), "../../"))
            .collect();
        sink(OutputFile {
            path: format!("exports/incidents/{}.csv", r.file),
            bytes: csv(&rows),
        });
        #[derive(Serialize)]
        struct IncidentExport<'a> {
            id: &'a str,
            title: &'a str,
            classification: &'static str,
            status: &'static str,
            impact: &'static str,
            started_at: String,
            ended_at: Option<String>,
            services: &'a [String],
            customers: Vec<CustomerExport<'a>>,
        }
        let t =
            |d: chrono::DateTime<chrono::Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let json = IncidentExport {
            id: &r.id,
            title: &r.title,
            classification: r.classification.key(),
            status: r.status.key(),
            impact: r.impact.key(),
            started_at: t(r.started_at),
            ended_at: r.ended_at.map(t),
            services: &r.services,
            customers: rows,
        };
        let mut bytes = serde_json::to_vec_pretty(&json).expect("serializable");
        bytes.push(b'\n');
        sink(OutputFile {
            path: format!("exports/incidents/{}.json", r.file),
            bytes,
        });
    }
    // The fleet table, worst first.
    let rows: Vec<CustomerExport<'_>> = fleet
        .rows
        .iter()
        .map(|r| export(parts, r, None, "../"))
        .collect();
    sink(OutputFile {
        path: "exports/customers.csv".into(),
        bytes: csv(&rows),
    });
}
