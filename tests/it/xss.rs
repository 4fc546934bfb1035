//! Untrusted text stays text: every payload of `tests/xss/payloads.json`
//! goes through every upstream text field (Graph, Azure Resource Health,
//! Statuspage, all served by the mock and fetched for real), every field of
//! a snapshot file, every content file type and every configuration string
//! a page shows. The site is built by the binary, then:
//!
//! - scanned here: no `<script>`, no `on*` attribute, no `javascript:`,
//!   `data:` or `vbscript:` URL, nothing that loads from another origin, in
//!   any HTML page, feed entry or badge; every text field reads back as the
//!   payload's own text;
//! - left in `target/tmp/xss-site/public` for `tests/browser/xss.mjs`,
//!   which opens every page in Chromium with an execution detector.
//!
//! Each payload is preceded by a canary (`cNN-field`) so the test can tell
//! that every field reached a page.

#![allow(clippy::needless_range_loop, reason = "payload i goes with canary i")]

use crate::support;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::{Value, json};
use support::SiteTest;
use support::mock::{Mock, fixture, recorded_statuspage};

const SECRET: &str = "xss-test-secret-value";
const SECRET_VAR: &str = "STATUSFLEET_XSS_SECRET";
/// Payloads per "chunk" for text fields, which are escaped as a whole and
/// so can carry many payloads at once.
const CHUNK: usize = 30;

fn payloads() -> Vec<String> {
    let text = std::fs::read_to_string(support::repo().join("tests/xss/payloads.json")).unwrap();
    let p: Vec<String> = serde_json::from_str(&text).unwrap();
    assert!(p.len() >= 100, "the corpus has {} payloads", p.len());
    p
}

/// Every payload, `CHUNK` at a time, joined: for plain-text fields.
fn chunks(p: &[String]) -> Vec<String> {
    p.chunks(CHUNK).map(|c| c.join(" ")).collect()
}

fn canary(i: usize, field: &str) -> String {
    format!("c{i}-{field}")
}

/// A payload behind its canary.
fn tagged(p: &[String], i: usize, field: &str) -> String {
    format!("{} {}", canary(i, field), p[i])
}

/// Double-quoted YAML (JSON strings are valid YAML flow scalars).
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// The fields a test put canaries in, and how many.
#[derive(Default)]
struct Expect(Vec<(String, usize)>);

impl Expect {
    fn field(&mut self, name: &str, n: usize) {
        self.0.push((name.to_owned(), n));
    }
}

/// The snapshot file of customer `xss-data`: every model text field.
fn snapshot(p: &[String], expect: &mut Expect) -> Value {
    let c = chunks(p);
    let n = p.len();
    let services: Vec<Value> = c
        .iter()
        .enumerate()
        .map(|(k, text)| {
            json!({
                "id": format!("svc-{k}"),
                "name": text,
                "health": if k == 0 { "degraded" } else { "operational" },
                "upstream_status": text,
                "description": text,
            })
        })
        .collect();
    let formats = ["html", "text", "markdown"];
    let mut incidents = Vec::new();
    for (k, text) in c.iter().enumerate() {
        let start = k * CHUNK;
        let updates: Vec<Value> = (start..(start + CHUNK).min(n))
            .flat_map(|i| {
                formats
                    .iter()
                    .enumerate()
                    .map(move |(f, format)| (i, f, *format))
            })
            .map(|(i, f, format)| {
                json!({
                    "at": format!("2026-11-20T{:02}:{:02}:00Z", (i / 60) % 24, i % 60),
                    "status": "investigating",
                    "body": tagged(p, i, &format!("body{format}")),
                    "format": format,
                    "region": if f == 0 { Some(text.clone()) } else { None },
                })
            })
            .collect();
        incidents.push(json!({
            // Ids reach file names and anchors: every payload is an id too.
            "id": text,
            "title": text,
            "classification": if k % 2 == 0 { "incident" } else { "advisory" },
            "status": if k == 0 { "identified" } else { "resolved" },
            "impact": "degraded",
            "impact_description": text,
            "services": [format!("svc-{k}")],
            "started_at": "2026-11-20T00:00:00Z",
            "ended_at": if k == 0 { None } else { Some("2026-11-21T00:00:00Z") },
            "updates": updates,
            "links": (start..(start + CHUNK).min(n)).map(|i| json!({"title": p[i], "url": p[i]})).collect::<Vec<_>>(),
            "lang": text,
        }));
    }
    // Plain incidents that the content notes attach to.
    for i in 0..n {
        incidents.push(json!({
            "id": format!("note-{i}"),
            "title": format!("note {i}"),
            "classification": "advisory",
            "status": "resolved",
            "services": ["svc-0"],
            "started_at": "2026-11-10T00:00:00Z",
            "ended_at": "2026-11-10T01:00:00Z",
            "updates": [{"at": "2026-11-10T00:30:00Z", "body": "ok", "format": "text"}],
        }));
    }
    let maintenance: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "id": p[i],
                "title": tagged(p, i, "mainttitle"),
                "services": ["svc-1"],
                "starts_at": "2026-12-01T00:00:00Z",
                "ends_at": "2026-12-01T02:00:00Z",
                "status": "scheduled",
                "body": tagged(p, i, "maintbody"),
                "format": formats[i % 3],
                "lang": p[i],
            })
        })
        .collect();
    for f in formats {
        expect.field(&format!("body{f}"), n);
    }
    expect.field("mainttitle", n);
    expect.field("maintbody", n);
    json!({
        "taken_at": "2026-11-22T12:00:00Z",
        "services": services,
        "incidents": incidents,
        "maintenance": maintenance,
        "stale": c.iter().map(|t| json!({"source": t, "since": "2026-11-22T11:00:00Z", "reason": t})).collect::<Vec<_>>(),
    })
}

/// Content files: pages, notes, partner incidents and partner maintenance,
/// one payload per file (a markdown body is one HTML fragment, so payloads
/// sharing one could hide each other).
fn content(site: &SiteTest, p: &[String], expect: &mut Expect) {
    let n = p.len();
    for i in 0..n {
        let body = |field: &str| format!("{}\n\n{}\n", canary(i, field), p[i]);
        std::fs::create_dir_all(site.path("content/pages")).unwrap();
        std::fs::create_dir_all(site.path("content/incidents")).unwrap();
        std::fs::create_dir_all(site.path("content/maintenance")).unwrap();
        std::fs::write(
            site.path(&format!("content/pages/x{i}.md")),
            format!(
                "---\ntitle: {}\ncustomers: [xss-data]\n---\n{}",
                q(&p[i]),
                body("page")
            ),
        )
        .unwrap();
        std::fs::write(
            site.path(&format!("content/incidents/note-{i}.md")),
            format!("---\ntitle: {}\n---\n{}", q(&p[i]), body("note")),
        )
        .unwrap();
        std::fs::write(
            site.path(&format!("content/incidents/partner-{i}.md")),
            format!(
                "---\ntitle: {}\ncustomers: [xss-data]\nservices: [svc-2]\nclassification: incident\nstatus: resolved\nstarted_at: 2026-11-05T00:00:00Z\nended_at: 2026-11-05T01:00:00Z\nupdates:\n  - at: 2026-11-05T00:10:00Z\n    status: investigating\n    body: {}\n---\n{}",
                q(&p[i]),
                q(&format!("{}\n\n{}", canary(i, "partnerupdate"), p[i])),
                body("partnerincident"),
            ),
        )
        .unwrap();
        std::fs::write(
            site.path(&format!("content/maintenance/pm-{i}.md")),
            format!(
                "---\ntitle: {}\ncustomers: [xss-data]\nservices: [svc-3]\nstarts_at: 2026-12-02T00:00:00Z\nends_at: 2026-12-02T01:00:00Z\n---\n{}",
                q(&p[i]),
                body("partnermaint"),
            ),
        )
        .unwrap();
    }
    for f in [
        "page",
        "note",
        "partnerupdate",
        "partnerincident",
        "partnermaint",
    ] {
        expect.field(f, n);
    }
}

/// The mock's answers for customer `xss-live`: recorded bodies with every
/// text field replaced.
fn upstream(mock: &Mock, p: &[String], expect: &mut Expect) {
    let n = p.len();
    let c = chunks(p);
    let mut t = support::mock::recorded_tenant();
    let overview = t.overviews[0].clone();
    let issue = t.issues[0].clone();
    let message = t.messages[0].clone();
    t.overviews = c
        .iter()
        .enumerate()
        .map(|(k, text)| {
            let mut o = overview.clone();
            o["id"] = json!(format!("XssService{k}"));
            o["service"] = json!(text);
            o["status"] = json!(if k == 0 {
                "serviceDegradation"
            } else {
                "serviceOperational"
            });
            o
        })
        .collect();
    t.issues = c
        .iter()
        .enumerate()
        .map(|(k, text)| {
            let mut x = issue.clone();
            x["id"] = json!(format!("XG{k}"));
            x["title"] = json!(text);
            x["impactDescription"] = json!(text);
            x["feature"] = json!(text);
            x["featureGroup"] = json!(text);
            x["service"] = json!(text);
            x["status"] = json!(if k == 0 { "serviceDegradation" } else { "serviceRestored" });
            x["isResolved"] = json!(k != 0);
            let start = k * CHUNK;
            let mut posts = Vec::new();
            for i in start..(start + CHUNK).min(n) {
                for kind in ["html", "text"] {
                    posts.push(json!({
                        "createdDateTime": format!("2026-11-22T{:02}:{:02}:00Z", (i / 60) % 24, i % 60),
                        "postType": "regular",
                        "description": {"contentType": kind, "content": tagged(p, i, &format!("graphpost{kind}"))},
                    }));
                }
            }
            x["posts"] = json!(posts);
            x
        })
        .collect();
    t.messages = (0..n)
        .map(|i| {
            let mut m = message.clone();
            m["id"] = json!(format!("MC{i}"));
            m["title"] = json!(tagged(p, i, "mctitle"));
            m["body"] = json!({"contentType": "html", "content": tagged(p, i, "mcbody")});
            m["services"] = json!([c[0]]);
            m["details"] = json!([{"name": "ExternalLink", "value": p[i]}]);
            m
        })
        .collect();
    expect.field("graphposthtml", n);
    expect.field("graphposttext", n);
    expect.field("mctitle", n);
    expect.field("mcbody", n);

    let event = fixture("azure/events_page1.json")["value"][0].clone();
    let events: Vec<Value> = (0..n)
        .map(|i| {
            let mut e = event.clone();
            let id = format!("XA{i}");
            e["name"] = json!(id);
            e["id"] = json!(format!(
                "/subscriptions/11111111-2222-3333-4444-555555555555/providers/Microsoft.ResourceHealth/events/{id}"
            ));
            let pr = &mut e["properties"];
            pr["title"] = json!(tagged(p, i, "aztitle"));
            pr["summary"] = json!(tagged(p, i, "azsummary"));
            pr["header"] = json!(p[i]);
            pr["reason"] = json!(p[i]);
            pr["additionalInformation"] = json!({"message": p[i]});
            pr["recommendedActions"] = json!({"message": p[i], "actions": [{"groupId": 1, "actionText": p[i]}], "localeCode": "en-us"});
            pr["faqs"] = json!([{"question": p[i], "answer": p[i], "localeCode": "en-us"}]);
            pr["article"] = json!({"articleContent": p[i], "articleId": "x"});
            pr["impact"][0]["impactedService"] = json!("Virtual Machines");
            for r in pr["impact"][0]["impactedRegions"].as_array_mut().unwrap() {
                r["impactedRegion"] = json!(p[i]);
                for u in r["updates"].as_array_mut().unwrap() {
                    u["summary"] = json!(tagged(p, i, "azupdate"));
                }
            }
            e
        })
        .collect();
    t.subscriptions.clear();
    t.subscriptions
        .insert("11111111-2222-3333-4444-555555555555".to_owned(), events);
    // The event summary is injected too, but the page shows the region
    // updates that supersede it, so it has no canary to find.
    expect.field("aztitle", n);
    expect.field("azupdate", n);
    mock.tenant("tenant-xss", t);

    let mut sp = recorded_statuspage();
    let component = sp["summary.json"]["components"][0].clone();
    let components: Vec<Value> = c
        .iter()
        .enumerate()
        .map(|(k, text)| {
            let mut x = component.clone();
            x["id"] = json!(format!("comp{k}"));
            x["name"] = json!(text);
            x["description"] = json!(text);
            x.as_object_mut().unwrap().remove("group_id");
            x
        })
        .collect();
    let sp_incident = sp["incidents.json"]["incidents"][0].clone();
    let incidents: Vec<Value> = c
        .iter()
        .enumerate()
        .map(|(k, text)| {
            let mut x = sp_incident.clone();
            x["id"] = json!(format!("spinc{k}"));
            x["name"] = json!(text);
            x["status"] = json!(if k == 0 { "investigating" } else { "resolved" });
            x["components"] = json!([components[k]]);
            let start = k * CHUNK;
            x["incident_updates"] = json!(
                (start..(start + CHUNK).min(n))
                    .map(|i| json!({
                        "id": format!("spu{i}"),
                        "status": "investigating",
                        "body": tagged(p, i, "spbody"),
                        "incident_id": format!("spinc{k}"),
                        "created_at": "2026-11-22T05:31:40.066-06:00",
                        "updated_at": "2026-11-22T05:31:40.066-06:00",
                        "display_at": "2026-11-22T05:31:40.066-06:00",
                        "affected_components": [{"code": format!("comp{k}"), "name": text, "old_status": "operational", "new_status": "degraded_performance"}],
                    }))
                    .collect::<Vec<_>>()
            );
            x
        })
        .collect();
    let sp_maint = sp["scheduled-maintenances.json"]["scheduled_maintenances"][0].clone();
    let maint: Vec<Value> = (0..n)
        .map(|i| {
            let mut x = sp_maint.clone();
            x["id"] = json!(format!("spm{i}"));
            x["name"] = json!(tagged(p, i, "spmname"));
            x["components"] = json!([components[0]]);
            x["incident_updates"][0]["body"] = json!(p[i]);
            x["incident_updates"][0]["incident_id"] = json!(format!("spm{i}"));
            x
        })
        .collect();
    expect.field("spbody", n);
    expect.field("spmname", n);
    let summary = &mut sp.get_mut("summary.json").unwrap();
    summary["page"]["name"] = json!(c[0]);
    summary["components"] = json!(components);
    summary["incidents"] = json!([incidents[0]]);
    summary["scheduled_maintenances"] = json!([]);
    summary["status"]["description"] = json!(c[1]);
    sp.get_mut("incidents.json").unwrap()["incidents"] = json!(incidents);
    sp.get_mut("scheduled-maintenances.json").unwrap()["scheduled_maintenances"] = json!(maint);
    mock.statuspage("xss", sp);
}

fn config(mock: &Mock, p: &[String]) -> String {
    let c = chunks(p);
    let all = p.join(" ");
    let base = mock.base();
    let mut yaml = format!(
        "site:\n  title: {}\n  partner:\n    name: {}\n    url: https://partner.example/\n    links:\n",
        q(&all),
        q(&all)
    );
    for (i, text) in p.iter().enumerate() {
        // A link's text is any payload; its URL must be http(s) and is
        // checked (`javascript:` URLs are refused, see `config_refuses_script_urls`).
        writeln!(
            yaml,
            "      - {{ title: {}, url: {} }}",
            q(text),
            q(&format!("https://partner.example/l/{i}?q=<\"'>"))
        )
        .unwrap();
    }
    write!(
        yaml,
        "  locales: [en, ko-KR]\n  history_days: 60\n  history_per_page: 50\nfetch:\n  concurrency: 2\n  timeout_seconds: 5\n  retries: 0\n  max_pages: 100\nclouds:\n  global: {{ login: \"{base}\", graph: \"{base}\", arm: \"{base}\" }}\ncredentials:\n  app:\n    client_id: 00000000-aaaa-bbbb-cccc-000000000001\n    client_secret_env: {SECRET_VAR}\ncustomers:\n"
    )
    .unwrap();
    write!(
        yaml,
        "  - slug: xss-data\n    name: {}\n    locales: [en]\n    sources:\n      - file: {{ path: data-files/xss-data.json }}\n    support:\n      phone: {}\n",
        q(&c[0]),
        q(&c[1])
    )
    .unwrap();
    write!(
        yaml,
        "  - slug: xss-live\n    name: {}\n    tenant_id: tenant-xss\n    locales: [en]\n    sources:\n      - graph: {{ credentials: app }}\n      - azure: {{ credentials: app, subscriptions: [11111111-2222-3333-4444-555555555555] }}\n      - statuspage: {{ url: \"{base}/xss\" }}\n",
        q(&c[2 % c.len()])
    )
    .unwrap();
    // The other chunks name customers of their own, in every locale.
    for (k, text) in c.iter().enumerate() {
        write!(
            yaml,
            "  - slug: xss-name-{k}\n    name: {}\n    sources:\n      - file: {{ path: data-files/plain.json }}\n    support:\n      phone: {}\n      email: help{k}@partner.example\n",
            q(text),
            q(text)
        )
        .unwrap();
    }
    yaml
}

/// Lowercased, without whitespace and control characters: how a browser
/// reads a URL scheme.
fn scheme_of(url: &str) -> String {
    url.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Everything dangerous in one HTML (or SVG) document.
fn scan_html(name: &str, html: &str, problems: &mut Vec<String>) {
    scan_markup(name, html, false, problems)
}

/// [`scan_html`], with inline `style` attributes allowed when
/// `inline_styles` (mail clients drop style sheets, so a mail's HTML part
/// styles inline) as long as none loads or computes anything.
fn scan_markup(name: &str, html: &str, inline_styles: bool, problems: &mut Vec<String>) {
    let doc = scraper::Html::parse_document(html);
    let all = scraper::Selector::parse("*").unwrap();
    let chooser = html.contains("http-equiv=\"refresh\"") && name.ends_with("/index.html");
    for el in doc.select(&all) {
        let tag = el.value().name();
        if matches!(
            tag,
            "script"
                | "iframe"
                | "object"
                | "embed"
                | "base"
                | "form"
                | "frame"
                | "frameset"
                | "applet"
                | "portal"
                | "style"
                | "template"
                | "noscript"
                | "xmp"
                | "textarea"
                | "input"
                | "button"
                | "math"
        ) {
            problems.push(format!("{name}: <{tag}> element"));
        }
        if tag == "meta"
            && el
                .value()
                .attr("http-equiv")
                .is_some_and(|v| v.eq_ignore_ascii_case("refresh"))
            && !chooser
        {
            problems.push(format!("{name}: meta refresh"));
        }
        for (attr, value) in el.value().attrs() {
            let a = attr.to_ascii_lowercase();
            if a.starts_with("on") {
                problems.push(format!("{name}: <{tag} {attr}=…>"));
            }
            if a == "style" && inline_styles {
                let v = value.to_ascii_lowercase();
                if ["url(", "expression", "@import", "\\", "behavior", "binding"]
                    .iter()
                    .any(|bad| v.contains(bad))
                {
                    problems.push(format!("{name}: <{tag} style={value:?}>"));
                }
            } else if a == "style"
                || a == "srcdoc"
                || a == "formaction"
                || a == "srcset"
                || a == "ping"
            {
                problems.push(format!("{name}: <{tag} {attr}=…>"));
            }
            if matches!(
                a.as_str(),
                "href"
                    | "src"
                    | "action"
                    | "data"
                    | "xlink:href"
                    | "poster"
                    | "background"
                    | "cite"
            ) {
                let s = scheme_of(value);
                if s.starts_with("javascript:")
                    || s.starts_with("data:")
                    || s.starts_with("vbscript:")
                {
                    problems.push(format!("{name}: <{tag} {attr}={value:?}>"));
                }
                // Only links navigate elsewhere; anything that loads stays home.
                let loads = tag != "a"
                    && !(tag == "link"
                        && el
                            .value()
                            .attr("rel")
                            .is_some_and(|r| r.contains("alternate")));
                if loads
                    && (s.starts_with("http:") || s.starts_with("https:") || s.starts_with("//"))
                {
                    problems.push(format!(
                        "{name}: <{tag} {attr}={value:?}> loads from another origin"
                    ));
                }
            }
        }
    }
}

fn out_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("xss-site/public")
}

/// Fails with the first twenty of `found` (sorted, each once), if any:
/// problems scanned, canaries missing.
fn assert_none(what: &str, mut found: Vec<String>) {
    found.sort();
    found.dedup();
    assert!(
        found.is_empty(),
        "{} {what}, first: {:#?}",
        found.len(),
        &found[..found.len().min(20)]
    );
}

/// Every output file (the site was built into `out_dir()`), relative paths.
fn output() -> Vec<(String, Vec<u8>)> {
    support::files_under(&out_dir())
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(out_dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every `c<digits>-<letters>` token in `text`, in one pass.
fn canaries_in(text: &str) -> BTreeSet<String> {
    let b = text.as_bytes();
    let mut found = BTreeSet::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'c' && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let mut j = i + 1;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if j > i + 1 && j < b.len() && b[j] == b'-' {
                let mut k = j + 1;
                while k < b.len() && b[k].is_ascii_lowercase() {
                    k += 1;
                }
                if k > j + 1 {
                    found.insert(text[i..k].to_owned());
                    i = k;
                    continue;
                }
            }
        }
        i += 1;
    }
    found
}

/// Builds the site with every payload everywhere, once per test binary.
fn xss_site() -> &'static (SiteTest, Vec<String>, Expect) {
    static SITE: std::sync::OnceLock<(SiteTest, Vec<String>, Expect)> = std::sync::OnceLock::new();
    SITE.get_or_init(|| {
        let p = payloads();
        let mut expect = Expect::default();
        let mock = Mock::start_paged(SECRET, 100);
        let site = SiteTest::with_config(&config(&mock, &p));
        std::fs::create_dir_all(site.path("data-files")).unwrap();
        std::fs::write(
            site.path("data-files/xss-data.json"),
            serde_json::to_string_pretty(&snapshot(&p, &mut expect)).unwrap(),
        )
        .unwrap();
        std::fs::write(
            site.path("data-files/plain.json"),
            r#"{"taken_at": "2026-11-22T12:00:00Z", "services": [{"id": "svc-0", "name": "Mail", "health": "operational"}]}"#,
        )
        .unwrap();
        content(&site, &p, &mut expect);
        upstream(&mock, &p, &mut expect);
        let fetched = site.run_env(&["fetch", "-q"], &[(SECRET_VAR, SECRET)]);
        assert_eq!(fetched.code, 0, "fetch:\n{}\n{}", fetched.stdout, fetched.stderr);
        // Kept for the browser detector (tests/browser/xss.mjs).
        let keep = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("xss-site");
        let _ = std::fs::remove_dir_all(&keep);
        std::fs::create_dir_all(&keep).unwrap();
        let out = keep.join("public");
        let built = site.run(&["build", "--offline", "-q", "--out", out.to_str().unwrap()]);
        // Exit 4 (stale): xss-data's snapshot names stale sources (on purpose).
        assert_eq!(built.code, 4, "build:\n{}", built.stderr);
        assert!(built.stdout.contains("stale data shown for xss-data"));
        (site, p, expect)
    })
}

#[test]
fn no_payload_survives_in_any_output() {
    let (_, p, expect) = xss_site();
    let files = output();
    let mut problems = Vec::new();
    let mut html_files = 0;
    let mut text = String::new();
    for (name, bytes) in &files {
        let s = String::from_utf8_lossy(bytes);
        if name.ends_with(".html") || name.ends_with(".svg") {
            html_files += 1;
            scan_html(name, &s, &mut problems);
            text.push_str(&s);
        } else if name.ends_with(".atom") {
            // Feed readers render entry content as HTML: scan it as such.
            let doc = scraper::Html::parse_document(&s);
            for c in doc.select(
                &scraper::Selector::parse(
                    "content[type=html], title[type=html], summary[type=html], content[type=xhtml]",
                )
                .unwrap(),
            ) {
                let inner: String = c.text().collect();
                scan_html(&format!("{name} (entry)"), &inner, &mut problems);
            }
            text.push_str(&s);
        } else {
            text.push_str(&s);
        }
    }
    assert_none("problems", problems);
    // Every field reached an output: its canaries are there.
    let found = canaries_in(&text);
    let mut missing = Vec::new();
    for (field, n) in &expect.0 {
        for i in 0..*n {
            if !found.contains(&canary(i, field)) {
                missing.push(canary(i, field));
            }
        }
    }
    assert_none("canaries missing", missing);
    let tried: usize = expect.0.iter().map(|(_, n)| n).sum();
    eprintln!(
        "xss: {} payloads; {tried} one-payload fields and {} text fields of {} payloads each; {html_files} HTML/SVG files and {} files in all scanned",
        p.len(),
        chunks(p).len(),
        CHUNK,
        files.len()
    );
}

/// Every cell of an RFC 4180 CSV text, unquoted.
fn csv_cells(text: &str) -> Vec<String> {
    let (mut cells, mut cell, mut quoted, mut at_start) = (Vec::new(), String::new(), false, true);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', false) if at_start => quoted = true,
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            (',' | '\n', false) => {
                cells.push(std::mem::take(&mut cell));
                at_start = true;
                continue;
            }
            ('\r', false) => continue,
            (c, _) => cell.push(c),
        }
        at_start = false;
    }
    cells
}

/// The partner console beside the payload site: its pages are scanned
/// as the customer pages are, and no export cell starts a spreadsheet
/// formula.
#[test]
fn no_payload_survives_in_the_console() {
    xss_site();
    let console = out_dir().with_file_name("public-console");
    let files = support::files_under(&console);
    let mut problems = Vec::new();
    let mut pages = 0;
    for (name, bytes) in &files {
        let s = String::from_utf8_lossy(bytes);
        if name.ends_with(".html") {
            pages += 1;
            scan_html(&format!("console/{name}"), &s, &mut problems);
        } else if name.ends_with(".csv") {
            for cell in csv_cells(&s) {
                if cell.starts_with(['=', '@', '\t', '\r']) {
                    problems.push(format!("console/{name}: a formula cell {cell:?}"));
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(pages > 10, "{pages} console pages");
    assert!(
        problems.is_empty(),
        "{} problems, first: {:#?}",
        problems.len(),
        &problems[..problems.len().min(20)]
    );
}

#[test]
fn text_fields_read_back_as_text() {
    let (_, p, _) = xss_site();
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_control() || *c == '\n')
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    // The service names of `xss-data`: each chunk of payloads is the `<h1>`
    // of its service page, character for character.
    let h1 = scraper::Selector::parse("h1").unwrap();
    for (k, text) in chunks(p).iter().enumerate() {
        let html = read(&format!("xss-data/en/services/svc-{k}.html"));
        let doc = scraper::Html::parse_document(&html);
        let got: String = doc.select(&h1).next().unwrap().text().collect();
        assert_eq!(norm(&got), norm(text), "service svc-{k}");
    }
    // Partner link titles are in every page's footer, in order.
    let overview = read("xss-data/en/index.html");
    let doc = scraper::Html::parse_document(&overview);
    let footer: Vec<String> = doc
        .select(&scraper::Selector::parse("footer a[href^='https://partner.example/l/']").unwrap())
        .map(|a| norm(&a.text().collect::<String>()))
        .collect();
    let wanted: Vec<String> = p.iter().map(|s| norm(s)).collect();
    assert_eq!(footer, wanted);
}

#[test]
fn payload_ids_make_safe_distinct_file_names() {
    xss_site();
    let names: BTreeSet<String> = output()
        .into_iter()
        .filter_map(|(n, _)| n.strip_prefix("xss-data/en/incidents/").map(str::to_owned))
        .collect();
    for n in &names {
        assert!(
            n.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
            "{n}"
        );
    }
    // One page per incident: 8 payload-id incidents, the notes' incidents
    // and the partner incidents, none lost to a clash.
    let p = payloads().len();
    assert_eq!(names.len(), chunks(&payloads()).len() + 2 * p, "{names:?}");
}

#[test]
fn config_refuses_script_urls() {
    // Every payload, and the classic script URLs, as a partner link's URL:
    // `check` refuses all but absolute http(s) URLs, at the right key.
    let mut urls = payloads();
    urls.extend(
        [
            "javascript:alert(1)",
            " JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "javascript&#58;alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "//xss.invalid/x",
            "/relative",
            "mailto:x@example.net",
            "https://status.example.net/ok",
            "http://status.example.net/?a=1&b=2",
        ]
        .map(str::to_owned),
    );
    // One config with every URL as a link: `check` reports every problem
    // at once, each at its own index.
    let links: String = urls
        .iter()
        .map(|url| format!("      - {{ title: x, url: {} }}\n", q(url)))
        .collect();
    let site = SiteTest::with_config(&format!(
        "site:\n  title: T\n  partner:\n    name: P\n    links:\n{links}customers:\n  - slug: a\n    name: A\n    sources:\n      - file: {{ path: a.json }}\n"
    ));
    std::fs::write(
        site.path("a.json"),
        r#"{"taken_at": "2026-11-22T12:00:00Z", "services": [{"id": "svc-0", "name": "Mail", "health": "operational"}]}"#,
    )
    .unwrap();
    let r = site.run(&["check"]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    let (mut refused, mut accepted) = (0, 0);
    for (i, url) in urls.iter().enumerate() {
        let key = format!("site.partner.links[{i}].url: ");
        let line = r.stderr.lines().find(|l| l.contains(&key));
        let http = statusfleet::sanitize::safe_url(url).is_some_and(|u| u.starts_with("http"));
        if http {
            assert!(line.is_none(), "{url:?} refused: {line:?}");
            accepted += 1;
        } else {
            assert!(
                line.is_some_and(|l| l.contains("expected an absolute http or https URL")),
                "{url:?} accepted: {line:?}"
            );
            refused += 1;
        }
    }
    eprintln!("config: {refused} URLs refused, {accepted} http(s) URLs accepted");
    assert!(refused >= 100 && accepted >= 2);
}

/// Every string in a JSON value (keys aside), with its path.
fn json_strings(v: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) => out.push((path.to_owned(), s.clone())),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                json_strings(x, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                json_strings(x, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

/// Untrusted text through every field a notification carries, on every
/// channel: every payload as an incident's id, title and latest update
/// (in each body format), as a window's title and body, as the
/// customer's, the services' and the partner's names. Messages written by
/// `notify --dry-run`, then scanned: the mail's HTML part as the pages
/// are (inline styles allowed, nothing that loads or runs), Adaptive Card
/// text with no Markdown link or image left unescaped, Slack mrkdwn with
/// no `<…>` but the links statusfleet writes (no mention, no channel
/// ping, no link of the payload's), every URL on the site's own origin;
/// and every field's canaries reached a message.
#[test]
fn no_payload_survives_in_any_notification() {
    let p = payloads();
    let c = chunks(&p);
    let all = p.join(" ");
    let site = SiteTest::with_config(&format!(
        "site:\n  title: Status\n  partner: {{ name: {} }}\n  base_url: https://status.example.net/\n  locales: [en, ko-KR]\nnotifications:\n  from: \"Status <status@partner.example>\"\n  unsubscribe: \"mailto:unsubscribe@partner.example\"\n  digest_after: 100000\n  partner:\n    - email: helpdesk@partner.example\n    - {{ webhook: \"https://hooks.partner.example/p\", secret_env: XSS_SECRET }}\ncustomers:\n  - slug: xss-notify\n    name: {}\n    locales: [en, ko-KR]\n    sources: [{{ file: {{ path: data-files/x.json }} }}]\n    subscribers:\n      - email: it@customer.example\n      - {{ email: it-ko@customer.example, locale: ko-KR }}\n      - teams: \"https://example.webhook.office.com/webhookb2/x\"\n      - slack: \"https://hooks.slack.com/services/T0/B0/x\"\n      - {{ webhook: \"https://hooks.customer.example/h\", secret_env: XSS_SECRET }}\n",
        q(&all),
        q(&c[0])
    ));
    let formats = ["html", "text", "markdown"];
    let services: Vec<Value> = c
        .iter()
        .enumerate()
        .map(|(k, text)| json!({"id": format!("svc-{k}"), "name": text, "health": "operational"}))
        .collect();
    let write = |incidents: Vec<Value>, maintenance: Vec<Value>| {
        std::fs::create_dir_all(site.path("data-files")).unwrap();
        std::fs::write(
            site.path("data-files/x.json"),
            json!({"taken_at": "2026-11-22T12:00:00Z", "services": services, "incidents": incidents, "maintenance": maintenance}).to_string(),
        )
        .unwrap();
    };
    let env = [
        ("XSS_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ("STATUSFLEET_NOW", "2026-11-22T12:00:00Z"),
    ];
    write(Vec::new(), Vec::new());
    let r = site.run_env(&["notify", "--offline"], &env);
    assert_eq!(r.code, 0, "baseline: {}{}", r.stdout, r.stderr);
    let n = p.len();
    let incidents: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "id": p[i],
                "title": tagged(&p, i, "ntitle"),
                "classification": if i % 2 == 0 { "incident" } else { "advisory" },
                "status": "investigating",
                "impact": "degraded",
                "services": [format!("svc-{}", i / CHUNK)],
                "started_at": "2026-11-22T10:00:00Z",
                "updates": [{"at": "2026-11-22T11:00:00Z", "status": "investigating",
                    "body": tagged(&p, i, &format!("nbody{}", formats[i % 3])), "format": formats[i % 3]}],
            })
        })
        .collect();
    let maintenance: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "id": format!("m{i} {}", p[i]),
                "title": tagged(&p, i, "nmtitle"),
                "services": [format!("svc-{}", i / CHUNK)],
                "starts_at": "2026-12-01T00:00:00Z",
                "ends_at": "2026-12-01T02:00:00Z",
                "status": "scheduled",
                "body": tagged(&p, i, "nmbody"),
                "format": formats[i % 3],
            })
        })
        .collect();
    write(incidents, maintenance);
    let review = site.path("review");
    let r = site.run_env(&["notify", "--dry-run", review.to_str().unwrap()], &env);
    assert_eq!(r.code, 0, "dry run: {}{}", r.stdout, r.stderr);
    let files = support::files_under(&review);
    let mut problems = Vec::new();
    let mut text = String::new();
    let (mut mails, mut cards, mut slacks, mut hooks) = (0, 0, 0, 0);
    let own = |u: &str, what: &str, problems: &mut Vec<String>| {
        // The site, and the admin portals the next steps name.
        let hosts = [
            "https://status.example.net/",
            "https://admin.microsoft.com/",
            "https://portal.azure.com/",
        ];
        if !hosts.iter().any(|h| u.starts_with(h)) {
            problems.push(format!("{what}: a link off the site: {u:?}"));
        }
    };
    for (name, bytes) in &files {
        let s = String::from_utf8(bytes.clone()).unwrap();
        if name.ends_with(".eml") {
            mails += 1;
            let parts = support::mime_parts(&s);
            assert_eq!(parts.len(), 2, "{name}: {parts:?}");
            for (ctype, body) in parts {
                if ctype.starts_with("text/html") {
                    scan_markup(name, &body, true, &mut problems);
                    let doc = scraper::Html::parse_document(&body);
                    for a in doc.select(&scraper::Selector::parse("a[href]").unwrap()) {
                        own(a.value().attr("href").unwrap(), name, &mut problems);
                    }
                }
                text.push_str(&body);
            }
            continue;
        }
        let v: Value = serde_json::from_str(&s).unwrap();
        let mut strings = Vec::new();
        json_strings(&v, "", &mut strings);
        if name.contains("teams-") {
            cards += 1;
            for (path, t) in &strings {
                if path.ends_with(".url") {
                    own(t, name, &mut problems);
                } else if path.ends_with(".text") || path.ends_with(".value") {
                    // Markdown a card renders: a link `[…](…)` or an image
                    // `![…](…)` needs an unescaped `](`.
                    let b = t.as_bytes();
                    for i in 1..b.len() {
                        if b[i] == b'(' && b[i - 1] == b']' && (i < 2 || b[i - 2] != b'\\') {
                            problems.push(format!("{name}{path}: markdown link in {t:?}"));
                        }
                    }
                }
            }
        } else if name.contains("slack-") {
            slacks += 1;
            // The notification text and every block but the header
            // (`plain_text`, shown as it is) are mrkdwn.
            let mut mrkdwn = vec![(".text".to_owned(), v["text"].as_str().unwrap().to_owned())];
            for (k, b) in v["blocks"].as_array().unwrap().iter().enumerate() {
                if b["type"] != "header" {
                    json_strings(b, &format!(".blocks[{k}]"), &mut mrkdwn);
                }
            }
            for (path, t) in &mrkdwn {
                // mrkdwn (and the notification text): `<…>` only as the
                // links statusfleet writes.
                let mut rest = t.as_str();
                while let Some(at) = rest.find('<') {
                    let tail = &rest[at + 1..];
                    let end = tail.find('>').unwrap_or(tail.len());
                    let inner = &tail[..end];
                    if !(inner.starts_with("https://status.example.net/") && inner.contains('|')) {
                        problems.push(format!("{name}{path}: <{inner}> in mrkdwn"));
                    }
                    rest = &tail[end.min(tail.len())..];
                }
            }
        } else {
            hooks += 1;
            for (path, t) in &strings {
                if path.ends_with(".url") || path.ends_with(".href") || path == ".status_url" {
                    own(t, name, &mut problems);
                }
            }
        }
        text.push_str(
            &strings
                .into_iter()
                .map(|(_, t)| t)
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    assert_none("problems", problems);
    // Every field reached a message: its canaries are there.
    let found = canaries_in(&text);
    let mut missing = Vec::new();
    for field in [
        "ntitle",
        "nbodyhtml",
        "nbodytext",
        "nbodymarkdown",
        "nmtitle",
        "nmbody",
    ] {
        for i in 0..n {
            if field.starts_with("nbody") && !field.ends_with(formats[i % 3]) {
                continue;
            }
            if !found.contains(&canary(i, field)) {
                missing.push(canary(i, field));
            }
        }
    }
    assert_none("canaries missing", missing);
    assert!(mails >= 4 * n && cards >= 2 * n && slacks >= 2 * n && hooks >= 2 * n);
    eprintln!(
        "xss/notify: {n} payloads through {} messages ({mails} mails, {cards} Teams cards, {slacks} Slack messages, {hooks} webhooks) scanned",
        files.len()
    );
}
