//! The subscribable and machine-readable outputs, end to end: the
//! Statuspage-shaped JSON read back through a typed client model, `noindex`
//! and sitemaps, relative links without a base URL, stable ids. The
//! independent parsers (feedparser, icalendar, jsonschema, vnu) run from
//! `tests/validate/run.sh`.

use crate::support;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use support::SiteTest;

const CUSTOMERS: [&str; 4] = ["contoso", "hanbit", "lianhua", "fromagerie"];

/// A Statuspage API client's model of the v2 files (reference §4): strict,
/// so a field we add, drop or misspell fails here.
mod client {
    use super::*;

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct Page {
        pub id: String,
        pub name: String,
        pub url: String,
        pub time_zone: String,
        pub updated_at: String,
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
    #[serde(rename_all = "snake_case")]
    pub enum Indicator {
        None,
        Maintenance,
        Minor,
        Major,
        Critical,
    }

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct Status {
        pub indicator: Indicator,
        pub description: String,
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq, Clone, Copy)]
    #[serde(rename_all = "snake_case")]
    pub enum ComponentStatus {
        Operational,
        DegradedPerformance,
        PartialOutage,
        MajorOutage,
        UnderMaintenance,
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    pub struct Component {
        pub id: String,
        pub page_id: String,
        pub name: String,
        pub status: ComponentStatus,
        pub created_at: String,
        pub updated_at: String,
        pub position: u32,
        pub description: Option<String>,
        pub showcase: bool,
        pub group_id: Option<String>,
        pub group: bool,
        pub only_show_if_degraded: bool,
        pub start_date: Option<String>,
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq, Clone, Copy)]
    #[serde(rename_all = "snake_case")]
    pub enum IncidentStatus {
        Investigating,
        Identified,
        Monitoring,
        Resolved,
        Postmortem,
        Scheduled,
        InProgress,
        Verifying,
        Completed,
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq, Clone, Copy)]
    #[serde(rename_all = "snake_case")]
    pub enum Impact {
        None,
        Minor,
        Major,
        Critical,
        Maintenance,
    }

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct AffectedComponent {
        pub code: String,
        pub name: String,
        pub old_status: String,
        pub new_status: String,
    }

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct IncidentUpdate {
        pub id: String,
        pub incident_id: String,
        pub status: IncidentStatus,
        pub body: String,
        pub created_at: String,
        pub updated_at: String,
        pub display_at: Option<String>,
        pub affected_components: Option<Vec<AffectedComponent>>,
        pub deliver_notifications: bool,
        pub custom_tweet: Option<String>,
        pub tweet_id: Option<String>,
    }

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct Incident {
        pub id: String,
        pub page_id: String,
        pub name: String,
        pub status: IncidentStatus,
        pub impact: Impact,
        pub created_at: String,
        pub started_at: String,
        pub updated_at: Option<String>,
        pub monitoring_at: Option<String>,
        pub resolved_at: Option<String>,
        pub shortlink: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub scheduled_for: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub scheduled_until: Option<String>,
        pub components: Vec<Component>,
        pub incident_updates: Vec<IncidentUpdate>,
        /// statusfleet's documented extension (the book's JSON API, docs/src/subscribing.md
        /// section); Statuspage clients ignore it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub statusfleet: Option<Extension>,
    }

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct Extension {
        pub classification: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub upstream_status: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub feature: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub feature_group: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub unlisted_services: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub mitigated_at: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub level: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub impact_type: Option<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        pub withheld: bool,
    }

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct Summary {
        pub page: Page,
        pub status: Status,
        pub components: Vec<Component>,
        pub incidents: Vec<Incident>,
        pub scheduled_maintenances: Vec<Incident>,
    }

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct StatusFile {
        pub page: Page,
        pub status: Status,
    }

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct Components {
        pub page: Page,
        pub components: Vec<Component>,
    }

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct Incidents {
        pub page: Page,
        pub incidents: Vec<Incident>,
    }

    #[derive(Debug, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct Maintenances {
        pub page: Page,
        pub scheduled_maintenances: Vec<Incident>,
    }
}

/// Reads `rel` as `T` and checks that writing it back gives the same JSON.
fn round_trip<T: serde::de::DeserializeOwned + Serialize>(site: &SiteTest, rel: &str) -> T {
    let text = site.read(rel);
    let typed: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let again = serde_json::to_value(&typed).unwrap();
    let original: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(again, original, "{rel} does not round-trip");
    typed
}

fn timestamps_parse(i: &client::Incident) {
    let all = [Some(&i.created_at), Some(&i.started_at)]
        .into_iter()
        .chain([&i.updated_at, &i.resolved_at, &i.monitoring_at].map(Option::as_ref))
        .chain([&i.scheduled_for, &i.scheduled_until].map(Option::as_ref))
        .flatten()
        .chain(i.incident_updates.iter().map(|u| &u.created_at));
    for t in all {
        chrono::DateTime::parse_from_rfc3339(t).unwrap_or_else(|e| panic!("{t}: {e}"));
    }
}

#[test]
fn statuspage_json_round_trips_through_a_typed_client_model() {
    let site = SiteTest::demo();
    site.build();
    for c in CUSTOMERS {
        let api = |f: &str| format!("public/{c}/api/v2/{f}");
        let summary: client::Summary = round_trip(&site, &api("summary.json"));
        let status: client::StatusFile = round_trip(&site, &api("status.json"));
        let components: client::Components = round_trip(&site, &api("components.json"));
        let incidents: client::Incidents = round_trip(&site, &api("incidents.json"));
        let unresolved: client::Incidents = round_trip(&site, &api("incidents/unresolved.json"));
        let maint: client::Maintenances = round_trip(&site, &api("scheduled-maintenances.json"));
        let upcoming: client::Maintenances =
            round_trip(&site, &api("scheduled-maintenances/upcoming.json"));
        let active: client::Maintenances =
            round_trip(&site, &api("scheduled-maintenances/active.json"));

        assert_eq!(summary.status.indicator, status.status.indicator, "{c}");
        assert_eq!(summary.components, components.components, "{c}");
        assert!(incidents.incidents.len() <= 50);
        let ids = |v: &[client::Incident]| v.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&summary.incidents), ids(&unresolved.incidents), "{c}");
        for i in &incidents.incidents {
            timestamps_parse(i);
            assert!(
                i.scheduled_for.is_none(),
                "{c}: incident {} has a window",
                i.id
            );
            assert_ne!(i.impact, client::Impact::Maintenance);
            // Newest first, as Statuspage lists them.
            let times: Vec<_> = i
                .incident_updates
                .iter()
                .map(|u| chrono::DateTime::parse_from_rfc3339(&u.created_at).unwrap())
                .collect();
            assert!(times.windows(2).all(|w| w[0] >= w[1]), "{c}: {}", i.id);
            for comp in &i.components {
                assert!(summary.components.contains(comp), "{c}: {}", comp.id);
            }
        }
        for m in &maint.scheduled_maintenances {
            timestamps_parse(m);
            assert_eq!(m.impact, client::Impact::Maintenance);
            assert!(m.scheduled_for.is_some() && m.scheduled_until.is_some());
        }
        for m in &upcoming.scheduled_maintenances {
            assert_eq!(m.status, client::IncidentStatus::Scheduled);
        }
        for m in &active.scheduled_maintenances {
            assert_eq!(m.status, client::IncidentStatus::InProgress);
        }
        // The worst component status and the indicator agree.
        let worst = summary
            .components
            .iter()
            .map(|x| match x.status {
                client::ComponentStatus::Operational => client::Indicator::None,
                client::ComponentStatus::UnderMaintenance => client::Indicator::Maintenance,
                client::ComponentStatus::DegradedPerformance => client::Indicator::Minor,
                client::ComponentStatus::PartialOutage => client::Indicator::Major,
                client::ComponentStatus::MajorOutage => client::Indicator::Critical,
            })
            .max()
            .unwrap();
        assert_eq!(worst, summary.status.indicator, "{c}");
    }
    // Contoso's open Exchange incident is in the API as the page shows it.
    let s: client::Summary = round_trip(&site, "public/contoso/api/v2/summary.json");
    assert_eq!(
        s.page.url,
        "https://status.northwind.example/contoso/index.html"
    );
    assert_eq!(s.page.time_zone, "America/New_York");
    assert!(
        s.page.updated_at.ends_with("-05:00"),
        "{}",
        s.page.updated_at
    );
    let ex = s.incidents.iter().find(|i| i.id == "EX948213").unwrap();
    assert_eq!(ex.status, client::IncidentStatus::Identified);
    assert_eq!(
        ex.shortlink,
        "https://status.northwind.example/contoso/en/incidents/EX948213.html"
    );
    assert_eq!(ex.components.len(), 1);
    assert_eq!(ex.components[0].name, "Exchange Online");
    assert!(
        !ex.incident_updates[0].body.contains('<'),
        "bodies are text"
    );
    // Hanbit's JSON speaks its default locale.
    let h: client::StatusFile = round_trip(&site, "public/hanbit/api/v2/status.json");
    assert!(
        h.status
            .description
            .chars()
            .any(|c| ('가'..='힣').contains(&c)),
        "{}",
        h.status.description
    );
}

/// A customer's pages, without the widget (which is for another site's
/// iframe: always `noindex`, no feed links).
fn pages_of(site: &SiteTest, customer: &str) -> Vec<(String, String)> {
    site.files(&format!("public/{customer}"))
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html") && !p.ends_with("widget.html"))
        .map(|(p, b)| (p, String::from_utf8(b).unwrap()))
        .collect()
}

const NOINDEX: &str = r#"<meta name="robots" content="noindex">"#;

#[test]
fn customers_are_kept_out_of_search_engines_unless_indexable() {
    // hanbit loses its `indexable: true`: the default applies.
    let site = SiteTest::demo().edit("statusfleet.yaml", |t| {
        let at = t.find("slug: hanbit").unwrap();
        let (a, b) = t.split_at(at);
        format!("{a}{}", b.replacen("    indexable: true\n", "", 1))
    });
    site.build();
    let pages = pages_of(&site, "hanbit");
    assert!(pages.len() > 40);
    for (p, html) in &pages {
        assert!(html.contains(NOINDEX), "hanbit/{p} lacks noindex");
    }
    for (p, html) in pages_of(&site, "contoso") {
        assert!(!html.contains(NOINDEX), "contoso/{p} has noindex");
    }
    assert!(!site.path("public/hanbit/sitemap.xml").exists());
    assert!(site.path("public/contoso/sitemap.xml").is_file());
    let index = site.read("public/sitemap.xml");
    assert!(index.contains("/contoso/sitemap.xml") && !index.contains("hanbit"));
    for (p, bytes) in site.files("public") {
        if p.starts_with("hanbit/") || !(p.ends_with(".xml") || p == "robots.txt") {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains("hanbit"), "{p} names hanbit");
    }
    // The feed, calendar and JSON of a non-indexable customer still exist:
    // its people subscribe to them.
    for f in ["ko-KR/feed.atom", "maintenance.ics", "api/v2/summary.json"] {
        assert!(site.path(&format!("public/hanbit/{f}")).is_file(), "{f}");
    }
}

#[test]
fn an_indexable_customer_needs_the_sites_base_url() {
    let site = SiteTest::demo().edit("statusfleet.yaml", |t| {
        t.replace("  base_url: https://status.northwind.example/\n", "")
    });
    let r = site.run(&["build", "--offline"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let line = site
        .read("statusfleet.yaml")
        .lines()
        .position(|l| l.trim() == "indexable: true")
        .unwrap()
        + 1;
    assert!(
        r.stderr.contains(&format!("statusfleet.yaml:{line}:")) && r.stderr.contains("base_url"),
        "{}",
        r.stderr
    );
    let site = SiteTest::demo().edit("statusfleet.yaml", |t| {
        t.replace(
            "base_url: https://status.northwind.example/",
            "base_url: ftp://status.northwind.example/",
        )
    });
    let r = site.run(&["check"]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("http"), "{}", r.stderr);
}

/// Resolves `href` from the file `from` (both relative to public/).
fn resolve(from: &str, href: &str) -> String {
    let href = href.split('#').next().unwrap();
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in href.split('/') {
        match seg {
            ".." => {
                parts.pop().expect("stays inside public/");
            }
            "" | "." => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn attr_values<'a>(text: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!("{attr}=\"");
    text.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &text[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn without_a_base_url_every_link_is_relative_and_resolves() {
    let site = SiteTest::demo().edit("statusfleet.yaml", |t| {
        t.replace("  base_url: https://status.northwind.example/\n", "")
            .replace("    indexable: true\n", "")
    });
    site.build();
    assert!(!site.path("public/sitemap.xml").exists());
    let robots = site.read("public/robots.txt");
    assert!(!robots.contains("Sitemap:"), "{robots}");
    let mut checked = 0;
    for c in CUSTOMERS {
        for tag in ["en", "fr-FR", "ko-KR", "zh-CN"] {
            let rel = format!("{c}/{tag}/feed.atom");
            let feed = site.read(&format!("public/{rel}"));
            for href in attr_values(&feed, "href") {
                assert!(!href.contains("://"), "{rel}: {href}");
                let target = resolve(&rel, href);
                assert!(
                    site.path(&format!("public/{target}")).is_file(),
                    "{rel}: {href}"
                );
                checked += 1;
            }
            let ics = site.read(&format!("public/{c}/{tag}/maintenance.ics"));
            assert!(!ics.contains("\r\nURL"), "a calendar URL must be absolute");
        }
        let s: client::Summary = round_trip(&site, &format!("public/{c}/api/v2/summary.json"));
        assert_eq!(s.page.url, "../../index.html");
        for i in s.incidents.iter().chain(&s.scheduled_maintenances) {
            let target = resolve(&format!("{c}/api/v2/summary.json"), &i.shortlink);
            assert!(
                site.path(&format!("public/{target}")).is_file(),
                "{}",
                i.shortlink
            );
        }
        let u: client::Incidents = round_trip(
            &site,
            &format!("public/{c}/api/v2/incidents/unresolved.json"),
        );
        for i in &u.incidents {
            let target = resolve(
                &format!("{c}/api/v2/incidents/unresolved.json"),
                &i.shortlink,
            );
            assert!(
                site.path(&format!("public/{target}")).is_file(),
                "{}",
                i.shortlink
            );
        }
    }
    assert!(checked > 100, "{checked}");
}

fn ids(text: &str, open: &str, close: &str) -> BTreeSet<String> {
    text.split(open)
        .skip(1)
        .map(|s| s[..s.find(close).unwrap()].to_owned())
        .collect()
}

#[test]
fn feed_and_calendar_ids_survive_rebuilds_and_a_move() {
    let a = SiteTest::demo();
    a.build();
    let b = SiteTest::demo().edit("statusfleet.yaml", |t| {
        t.replace(
            "base_url: https://status.northwind.example/",
            "base_url: https://example.net/status",
        )
    });
    b.build();
    let feed = "public/fromagerie/fr-FR/feed.atom";
    let (fa, fb) = (a.read(feed), b.read(feed));
    assert!(fb.contains("href=\"https://example.net/status/fromagerie/fr-FR/"));
    let entry_ids = ids(&fa, "<id>urn:uuid:", "</id>");
    assert!(entry_ids.len() > 10);
    assert_eq!(entry_ids, ids(&fb, "<id>urn:uuid:", "</id>"));
    let ics = "public/fromagerie/maintenance.ics";
    let uids = ids(&a.read(ics), "UID:", "\r\n");
    assert!(!uids.is_empty());
    assert_eq!(uids, ids(&b.read(ics), "UID:", "\r\n"));
    // One event has one UID in every language.
    assert_eq!(
        uids,
        ids(
            &a.read("public/fromagerie/ko-KR/maintenance.ics"),
            "UID:",
            "\r\n"
        )
    );
    // Rebuilding writes the same bytes.
    a.build();
    assert_eq!(fa, a.read(feed));
}

#[test]
fn pages_advertise_the_feed_calendar_json_and_badge() {
    let site = SiteTest::demo();
    site.build();
    for c in CUSTOMERS {
        for tag in ["en", "fr-FR", "ko-KR", "zh-CN"] {
            let rel = format!("{c}/{tag}/index.html");
            let html = site.read(&format!("public/{rel}"));
            let doc = scraper::Html::parse_document(&html);
            let sel = scraper::Selector::parse("section.subscribe a").unwrap();
            let hrefs: Vec<&str> = doc
                .select(&sel)
                .map(|a| a.value().attr("href").unwrap())
                .collect();
            assert_eq!(
                hrefs,
                [
                    "feed.atom",
                    "maintenance.ics",
                    "../api/v2/summary.json",
                    "badge.svg"
                ],
                "{rel}"
            );
            for h in hrefs {
                assert!(site.path(&format!("public/{}", resolve(&rel, h))).is_file());
            }
        }
        for (p, html) in pages_of(&site, c) {
            assert!(
                html.contains(r#"<link rel="alternate" type="application/atom+xml" href=""#),
                "{c}/{p}"
            );
        }
        // The badge says the status in words, in the customer's language.
        let badge = site.read(&format!("public/{c}/badge.svg"));
        assert!(badge.contains("<title>") && badge.contains("role=\"img\""));
    }
    assert!(
        site.read("public/lianhua/badge.svg").contains("状态"),
        "lianhua's default locale is zh-CN"
    );
}

#[test]
fn partner_maintenance_reaches_the_pages_calendar_feed_and_api() {
    let site = SiteTest::demo();
    site.build();
    let title = "서울 사무소 네트워크 장비 교체 작업";
    let ics = site.read("public/hanbit/fr-FR/maintenance.ics");
    assert!(
        ics.contains(&format!("SUMMARY;LANGUAGE=ko-KR:{title}")),
        "{ics}"
    );
    assert!(ics.contains("DTSTART:20261205T150000Z\r\nDTEND:20261205T190000Z\r\n"));
    assert!(ics.contains("LAST-MODIFIED:20261120T020000Z\r\n"));
    let feed = site.read("public/hanbit/ko-KR/feed.atom");
    assert!(feed.contains(&format!(
        "<title type=\"text\">유지 관리 예정: {title}</title>"
    )));
    assert!(feed.contains("<updated>2026-11-20T02:00:00Z</updated>"));
    let page = site.read("public/hanbit/en/maintenance.html");
    assert!(
        page.contains(&format!("<h3 lang=\"ko-KR\" dir=\"ltr\">{title}</h3>")),
        "{page}"
    );
    let api: client::Maintenances = round_trip(
        &site,
        "public/hanbit/api/v2/scheduled-maintenances/upcoming.json",
    );
    assert!(api.scheduled_maintenances.iter().any(|m| m.name == title));
    // Only the customers it names get it.
    for (p, bytes) in site.files("public/contoso") {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(title),
            "contoso/{p}"
        );
    }
}

#[test]
fn partner_maintenance_with_its_end_before_its_start_is_an_error() {
    let site = SiteTest::demo().edit(
        "content/maintenance/nw-2026-12-06-seoul-network.ko-KR.md",
        |t| {
            t.replace(
                "ends_at: 2026-12-05T19:00:00Z",
                "ends_at: 2026-12-05T14:00:00Z",
            )
        },
    );
    let r = site.run(&["check"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("nw-2026-12-06-seoul-network.ko-KR.md:6:10: ends_at"),
        "{}",
        r.stderr
    );
}

/// Every Atom feed of the demo (customers' and services', every locale).
fn feeds(site: &SiteTest) -> Vec<(String, String)> {
    site.files("public")
        .into_iter()
        .filter(|(name, _)| name.ends_with(".atom"))
        .map(|(name, bytes)| (name, String::from_utf8(bytes).unwrap()))
        .collect()
}

/// A feed's entries, in order.
fn entries(feed: &str) -> Vec<&str> {
    feed.split("<entry>")
        .skip(1)
        .map(|e| e.split("</entry>").next().unwrap())
        .collect()
}

/// `site.feed_entries` keeps the newest entries only, and what it leaves
/// out is never made: a capped feed is exactly the head of the whole one.
#[test]
fn feeds_hold_the_newest_entries_up_to_the_cap() {
    let whole = SiteTest::demo().edit("statusfleet.yaml", |t| {
        t.replacen("site:\n", "site:\n  feed_entries: 100000\n", 1)
    });
    assert_eq!(whole.build().code, 0);
    let whole_feeds = feeds(&whole);
    let most = whole_feeds
        .iter()
        .map(|(_, f)| entries(f).len())
        .max()
        .unwrap();
    assert!(most > 10, "the demo's busiest feed has {most} entries");
    for cap in [1, 3, 10] {
        let capped = SiteTest::demo().edit("statusfleet.yaml", |t| {
            t.replacen("site:\n", &format!("site:\n  feed_entries: {cap}\n"), 1)
        });
        assert_eq!(capped.build().code, 0);
        let capped_feeds = feeds(&capped);
        assert_eq!(capped_feeds.len(), whole_feeds.len());
        for ((name, c), (_, w)) in capped_feeds.iter().zip(&whole_feeds) {
            let (c, w) = (entries(c), entries(w));
            assert_eq!(c.len(), w.len().min(cap), "{name}");
            assert_eq!(c[..], w[..c.len()], "{name}: the newest {cap}");
        }
    }
    // The default holds 50.
    let default = SiteTest::demo();
    assert_eq!(default.build().code, 0);
    for (name, f) in feeds(&default) {
        assert!(entries(&f).len() <= 50, "{name}");
    }
}
