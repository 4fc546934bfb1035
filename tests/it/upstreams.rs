//! Real upstream answers through fetch and build: the payloads in
//! `tests/fixtures/real/` (Microsoft's Graph and Azure REST examples,
//! Partner Center's docs, captures of public Statuspage pages; provenance
//! in their README) served by the mock at the real paths, and for each what
//! the page, the feed and the JSON API say. Then one test per rule the
//! "Real upstreams, exactly" issue set, each citing what it fixes.

use crate::support;

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};
use support::SiteTest;
use support::mock::{Api, Fault, Mock, Tenant};

const SECRET: &str = "s3cr3t-V4lue-never-printed";
const SECRET_VAR: &str = "STATUSFLEET_TEST_SECRET";

/// A recorded real payload.
fn real(rel: &str) -> Value {
    let path = format!("{}/tests/fixtures/real/{rel}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn values(v: &Value) -> Vec<Value> {
    v["value"].as_array().cloned().unwrap_or_default()
}

/// A site with one customer of `sources` against the mock.
fn site(mock: &Mock, cloud: &str, sources: &str, extra_fetch: &str) -> SiteTest {
    let base = mock.base();
    SiteTest::with_config(&format!(
        r#"site:
  title: Service status
  partner: {{ name: Northwind }}
  locales: [en, fr-FR]
  history_days: 30
fetch:
  timeout_seconds: 2
  connect_timeout_seconds: 1
  retries: 1
  backoff_seconds: 0.05
  max_retry_after_seconds: 2
{extra_fetch}clouds:
  global: {{ login: "{base}", graph: "{base}", arm: "{base}", partner_center: "{base}" }}
  china: {{ login: "{base}", graph: "{base}", arm: "{base}", partner_center: "{base}" }}
credentials:
  app:
    client_id: 00000000-aaaa-bbbb-cccc-000000000001
    client_secret_env: {SECRET_VAR}
customers:
  - slug: contoso
    name: Contoso
    tenant_id: tenant-contoso
    cloud: {cloud}
    sources:
{sources}"#
    ))
}

/// Runs `args` with the secret set and the fetch clock at `now`.
fn run(site: &SiteTest, args: &[&str], now: &str) -> support::Run {
    let r = site.run_env(args, &[(SECRET_VAR, SECRET), ("STATUSFLEET_NOW", now)]);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    r
}

fn fetch_and_build(site: &SiteTest, now: &str) -> support::Run {
    let r = run(site, &["build"], now);
    assert!(r.code == 0 || r.code == 4, "{}\n{}", r.stdout, r.stderr);
    r
}

/// The text of a page with tags removed and whitespace folded, for
/// checking what a reader sees.
fn text(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("main").unwrap();
    let main = doc.select(&sel).next().expect("<main>");
    main.text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn json_file(site: &SiteTest, rel: &str) -> Value {
    serde_json::from_str(&site.read(rel)).unwrap()
}

fn api_incident<'a>(incidents: &'a Value, id: &str) -> &'a Value {
    incidents["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == json!(id))
        .unwrap_or_else(|| panic!("{id} not in the JSON API"))
}

/// A Graph tenant from the docs' examples: the overviews of
/// `list-healthoverviews`, the issues of `list-healthoverviews?$expand`,
/// `list-issues` and `get-servicehealthissue`, the messages of
/// `list-messages`.
fn graph_docs_tenant() -> Tenant {
    let mut overviews = values(&real("graph/list-healthoverviews.json"));
    let mut issues = Vec::new();
    for o in values(&real("graph/list-healthoverviews-expand-issues.json")) {
        issues.extend(o["issues"].as_array().cloned().unwrap_or_default());
    }
    issues.extend(values(&real("graph/list-issues.json")));
    let mut one = real("graph/get-servicehealthissue.json");
    one.as_object_mut().unwrap().remove("@odata.context");
    issues.push(one);
    for o in &mut overviews {
        o.as_object_mut().unwrap().remove("issues");
    }
    Tenant {
        overviews,
        issues,
        messages: values(&real("graph/list-messages.json")),
        ..Default::default()
    }
}

#[test]
fn graph_docs_examples_say_on_pages_feeds_and_json_what_graph_says() {
    let mock = Mock::start(SECRET);
    mock.tenant("tenant-contoso", graph_docs_tenant());
    let site = site(&mock, "global", "      - graph: { credentials: app }\n", "");
    let r = fetch_and_build(&site, "2020-11-21T00:00:00Z");
    assert_eq!(r.code, 0, "{}", r.stdout);

    // EX226792 (list-issues): an Exchange incident, restored.
    let page = text(&site.read("public/contoso/en/incidents/EX226792.html"));
    for want in [
        "Limited number of users unable to send or receive email through the Exchange Online service",
        "Service restored",
        "Incident",
        "Exchange Online",
        "Feature Mailflow - delayed delivery from Internet",
        "Feature group E-Mail timely delivery",
        "Users may have been unable to send or receive email through the Exchange Online service.",
        "User Impact: Users may be unable to send or receive email through the Exchange Online service.",
    ] {
        assert!(page.contains(want), "EX226792 page lacks {want:?}:\n{page}");
    }
    let fr = text(&site.read("public/contoso/fr-FR/incidents/EX226792.html"));
    assert!(fr.contains("Service rétabli"), "{fr}");
    // EX226574 (an advisory inside healthOverviews?$expand=issues).
    let adv = text(&site.read("public/contoso/en/incidents/EX226574.html"));
    assert!(
        adv.contains("Advisory") && adv.contains("Management and Provisioning"),
        "{adv}"
    );
    // MO226784 names "Microsoft 365 suite", which has a health overview.
    let mo = site.read("public/contoso/en/incidents/MO226784.html");
    assert!(text(&mo).contains("Microsoft 365 suite"), "{mo}");

    // The JSON API: resolved, with the feature and Graph's status.
    let api = json_file(&site, "public/contoso/api/v2/incidents.json");
    let ex = api_incident(&api, "EX226792");
    assert_eq!(ex["status"], "resolved");
    assert_eq!(ex["impact"], "major");
    assert_eq!(ex["statusfleet"]["classification"], "incident");
    assert_eq!(ex["statusfleet"]["upstream_status"], "serviceRestored");
    assert_eq!(
        ex["statusfleet"]["feature"],
        "Mailflow - delayed delivery from Internet"
    );
    assert_eq!(ex["statusfleet"]["feature_group"], "E-Mail timely delivery");
    assert_eq!(ex["components"][0]["name"], "Exchange Online");
    // The feed has the incident's update.
    let feed = site.read("public/contoso/en/feed.atom");
    assert!(feed.contains("Limited number of users unable to send or receive email"));
    // MC172851 is `stayInformed`, not `planForChange`: not maintenance.
    let maint = site.read("public/contoso/en/maintenance.html");
    assert!(
        !maint.contains("MC172851") && !maint.contains("PowerPoint"),
        "{maint}"
    );
    // Services with Graph's own words for their status.
    let identity = text(&site.read("public/contoso/en/services/OrgLiveID.html"));
    assert!(identity.contains("Service restored"), "{identity}");
}

/// Graph issue whose service has no health overview (the docs' example of
/// an overview for "Microsoft 365 suite" holds an Exchange issue): the
/// page still names the service.
#[test]
fn graph_issue_for_a_service_without_an_overview_names_it() {
    let mock = Mock::start(SECRET);
    let mut t = graph_docs_tenant();
    // The tenant has no Exchange overview.
    t.overviews.retain(|o| o["id"] != "Exchange");
    mock.tenant("tenant-contoso", t);
    let site = site(&mock, "global", "      - graph: { credentials: app }\n", "");
    fetch_and_build(&site, "2020-11-21T00:00:00Z");
    let page = site.read("public/contoso/en/incidents/EX226792.html");
    let doc = scraper::Html::parse_document(&page);
    let sel = scraper::Selector::parse("dl.facts div").unwrap();
    let affected = doc
        .select(&sel)
        .find(|d| d.text().any(|t| t.contains("Affected services")))
        .expect("an affected-services row");
    let shown: String = affected.text().collect();
    assert!(shown.contains("Exchange Online"), "{shown}");
    let api = json_file(&site, "public/contoso/api/v2/incidents.json");
    assert_eq!(
        api_incident(&api, "EX226792")["statusfleet"]["unlisted_services"],
        json!(["Exchange Online"])
    );
}

/// Azure's 2025-05-01 list example: an `Active` event whose updates carry
/// `False Positive` and `Final PIR` tags. Fixes "an Active event shown as
/// False positive and resolved, beside 'Ended: Ongoing'".
#[test]
fn azure_active_event_stays_active_whatever_earlier_tags_said() {
    let mock = Mock::start(SECRET);
    let events = values(&real("azure/2025-05-01.Events_ListBySubscriptionId.json"));
    mock.tenant(
        "tenant-contoso",
        Tenant {
            subscriptions: [("sub-1".to_owned(), events)].into_iter().collect(),
            ..Default::default()
        },
    );
    let site = site(
        &mock,
        "global",
        "      - azure: { credentials: app, subscriptions: [sub-1] }\n",
        "",
    );
    fetch_and_build(&site, "2025-05-13T16:00:00Z");
    let html = site.read("public/contoso/en/incidents/BC_1-FXZ.html");
    let page = text(&html);
    assert!(
        page.contains("ACTIVE: Virtual machines in West US"),
        "{page}"
    );
    assert!(!page.contains("False positive"), "{page}");
    assert!(!page.contains("Resolved"), "{page}");
    assert!(page.contains("Ended Ongoing"), "{page}");
    assert!(page.contains("Investigating"), "{page}");
    // Each update keeps its own tags.
    assert!(page.contains("Update 3 - An outage alert is being investigated"));
    let doc = scraper::Html::parse_document(&html);
    let sel = scraper::Selector::parse("ol.timeline li").unwrap();
    let items: Vec<String> = doc.select(&sel).map(|li| li.text().collect()).collect();
    assert_eq!(items.len(), 3);
    assert!(
        items[0].contains("Update 3") && items[0].contains("Final PIR"),
        "{items:?}"
    );
    assert!(items[1].contains("Update 2") && items[1].contains("False Positive"));
    assert!(items[2].contains("Update 1") && items[2].contains("Action Recommended"));
    // Level and the expected mitigation; the boilerplate header is not
    // "User impact".
    assert!(page.contains("Level Warning"), "{page}");
    assert!(page.contains("Mitigation expected"), "{page}");
    assert!(!page.contains("User impact"), "{page}");
    assert!(
        !page.contains("Your service might have been impacted"),
        "{page}"
    );
    // The JSON API agrees: unresolved.
    let api = json_file(&site, "public/contoso/api/v2/incidents.json");
    let ev = api_incident(&api, "BC_1-FXZ");
    assert_eq!(ev["status"], "investigating");
    assert!(ev["resolved_at"].is_null());
    assert_eq!(ev["statusfleet"]["level"], "warning");
    let unresolved = json_file(&site, "public/contoso/api/v2/incidents/unresolved.json");
    assert!(
        unresolved["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == "BC_1-FXZ")
    );
    // Once its mitigation time has passed, the same event is mitigated,
    // still not over.
    fetch_and_build(&site, "2025-05-15T00:00:00Z");
    let page = text(&site.read("public/contoso/en/incidents/BC_1-FXZ.html"));
    assert!(
        page.contains("Impact mitigated") && page.contains("Monitoring"),
        "{page}"
    );
    assert!(page.contains("Ended Ongoing"), "{page}");
}

/// The same event resolved: the latest update's tags decide.
#[test]
fn azure_resolved_event_takes_the_latest_updates_tags() {
    let mock = Mock::start(SECRET);
    let mut events = values(&real("azure/2025-05-01.Events_ListBySubscriptionId.json"));
    events[0]["properties"]["status"] = json!("Resolved");
    let mut fp = events[0].clone();
    fp["name"] = json!("FP_1-XYZ");
    // Newest update: "False Positive" alone.
    let updates = &mut fp["properties"]["impact"][0]["impactedRegions"][0]["updates"];
    updates[0]["eventTags"] = json!(["False Positive"]);
    events.push(fp);
    mock.tenant(
        "tenant-contoso",
        Tenant {
            subscriptions: [("sub-1".to_owned(), events)].into_iter().collect(),
            ..Default::default()
        },
    );
    let site = site(
        &mock,
        "global",
        "      - azure: { credentials: app, subscriptions: [sub-1] }\n",
        "",
    );
    fetch_and_build(&site, "2025-05-16T00:00:00Z");
    let pir = text(&site.read("public/contoso/en/incidents/BC_1-FXZ.html"));
    assert!(pir.contains("Post-incident report published"), "{pir}");
    let fp = text(&site.read("public/contoso/en/incidents/FP_1-XYZ.html"));
    assert!(fp.contains("False positive"), "{fp}");
}

/// A sensitive security advisory: its details come from
/// `fetchEventDetails` (the spec's example), or the page says they are
/// withheld.
#[test]
fn azure_security_advisory_details_fetched_or_said_to_be_withheld() {
    let details = real("azure/2025-05-01.Event_fetchDetailsBySubscriptionIdAndTrackingId.json");
    let mut full = details.clone();
    full["name"] = json!("SA_1-ABC");
    full["properties"]["eventType"] = json!("SecurityAdvisory");
    full["properties"]["isEventSensitive"] = json!(true);
    // What the list gives of a sensitive event: no summary, no updates.
    let mut listed = full.clone();
    let p = listed["properties"].as_object_mut().unwrap();
    p.remove("summary");
    p.remove("description");
    p.remove("article");
    listed["properties"]["impact"][0]["impactedRegions"][0]
        .as_object_mut()
        .unwrap()
        .remove("updates");
    for forbidden in [false, true] {
        let mock = Mock::start(SECRET);
        mock.tenant(
            "tenant-contoso",
            Tenant {
                subscriptions: [("sub-1".to_owned(), vec![listed.clone()])]
                    .into_iter()
                    .collect(),
                event_details: [("SA_1-ABC".to_owned(), full.clone())]
                    .into_iter()
                    .collect(),
                details_forbidden: forbidden,
                ..Default::default()
            },
        );
        let site = site(
            &mock,
            "global",
            "      - azure: { credentials: app, subscriptions: [sub-1] }\n",
            "",
        );
        let r = fetch_and_build(&site, "2018-11-07T12:00:00Z");
        assert_eq!(r.code, 0, "{}", r.stdout);
        assert!(
            mock.log()
                .iter()
                .any(|l| l.method == "POST"
                    && l.path.ends_with("/events/SA_1-ABC/fetchEventDetails")),
            "details asked for"
        );
        let page = text(&site.read("public/contoso/en/incidents/SA_1-ABC.html"));
        if forbidden {
            assert!(
                page.contains("does not publish the details of this security advisory"),
                "{page}"
            );
            let api = json_file(&site, "public/contoso/api/v2/incidents.json");
            assert_eq!(
                api_incident(&api, "SA_1-ABC")["statusfleet"]["withheld"],
                true
            );
        } else {
            assert!(
                page.contains("An outage alert is being investigated"),
                "{page}"
            );
            assert!(!page.contains("does not publish the details"), "{page}");
        }
    }
}

/// A next page that answers 400 is a paging error, not "not available in
/// this cloud".
#[test]
fn azure_expired_skip_token_is_a_paging_error() {
    let mock = Mock::start_paged(SECRET, 1);
    let mut events = values(&real("azure/2025-05-01.Events_ListBySubscriptionId.json"));
    let mut second = events[0].clone();
    second["name"] = json!("BC_2-FXZ");
    events.push(second);
    mock.tenant(
        "tenant-contoso",
        Tenant {
            subscriptions: [("sub-1".to_owned(), events)].into_iter().collect(),
            ..Default::default()
        },
    );
    mock.fault("tenant-contoso", Api::Arm, Fault::ExpiredSkipToken, 100);
    let site = site(
        &mock,
        "global",
        "      - azure: { credentials: app, subscriptions: [sub-1] }\n",
        "",
    );
    let r = run(&site, &["fetch"], "2025-05-13T16:00:00Z");
    assert_eq!(r.code, 4, "{}", r.stdout);
    assert!(
        r.stdout.contains("Resource Health events from")
            && r.stdout.contains("page 2 failed (HTTP 400")
            && r.stdout.contains("InvalidSkipToken")
            && !r.stdout.contains("not available"),
        "{}",
        r.stdout
    );
}

/// In 21Vianet's cloud, `NoRegisteredProviderFound` means Resource Health
/// is not offered there: said on the page, not a failing source.
#[test]
fn azure_not_offered_in_21vianet_is_said_and_exits_0() {
    let mock = Mock::start(SECRET);
    mock.tenant(
        "tenant-contoso",
        Tenant {
            subscriptions: [("sub-1".to_owned(), vec![])].into_iter().collect(),
            ..Default::default()
        },
    );
    mock.fault("tenant-contoso", Api::Arm, Fault::NoRegisteredProvider, 100);
    let site = site(
        &mock,
        "china",
        "      - azure: { credentials: app, subscriptions: [sub-1] }\n",
        "",
    );
    let r = run(&site, &["build"], "2026-11-22T12:00:00Z");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("note    contoso: Azure: Azure Resource Health is not offered"),
        "{}",
        r.stdout
    );
    let page = site.read("public/contoso/en/index.html");
    assert!(
        page.contains("class=\"notice\"") && page.contains("not offered in the customer’s cloud"),
        "{page}"
    );
    assert!(!page.contains("class=\"stale\""), "not a failure");
    assert!(
        site.read("public/contoso/fr-FR/index.html")
            .contains("ne sont pas proposées")
    );
    // In the global cloud the same answer is a failure (a wrong
    // api-version there), named as such.
    let global = site.edit("statusfleet.yaml", |y| {
        y.replace("cloud: china", "cloud: global")
    });
    let r = run(&global, &["fetch"], "2026-11-22T12:00:00Z");
    assert_eq!(r.code, 4, "{}", r.stdout);
    assert!(
        r.stdout.contains("NoRegisteredProviderFound"),
        "{}",
        r.stdout
    );
}

/// Public Statuspage captures (GitHub, 2020 and 2022) through the real
/// paths; `incidents.json` is what the page would answer beside them (its
/// open incidents).
#[test]
fn github_status_captures_say_what_github_said() {
    for (capture, now, id, title, status, impact) in [
        (
            "statuspage/githubstatus-summary-2020-04-02-outage.json",
            "2020-04-02T21:00:00Z",
            "80d0cs6kpsps",
            "Incident on 2020-04-02 20:20 UTC",
            "Investigating",
            "Major impact",
        ),
        (
            "statuspage/githubstatus-summary-2022-11-25-investigating.json",
            "2022-11-25T18:00:00Z",
            "ljwdk6qml8z8",
            "Incident with Packages and Pages",
            "Investigating",
            "Major impact",
        ),
    ] {
        let summary = real(capture);
        let mut files = BTreeMap::new();
        files.insert(
            "incidents.json".to_owned(),
            json!({"page": summary["page"], "incidents": summary["incidents"]}),
        );
        files.insert(
            "scheduled-maintenances.json".to_owned(),
            json!({"page": summary["page"], "scheduled_maintenances": summary["scheduled_maintenances"]}),
        );
        files.insert("summary.json".to_owned(), summary.clone());
        let mock = Mock::start(SECRET);
        mock.statuspage("github", files);
        let source = format!(
            "      - statuspage: {{ url: \"{}/github\" }}\n",
            mock.base()
        );
        let site = site(&mock, "global", &source, "");
        let r = fetch_and_build(&site, now);
        assert_eq!(r.code, 0, "{}", r.stdout);
        let page = text(&site.read(&format!("public/contoso/en/incidents/{id}.html")));
        for want in [title, status, impact, "Incident"] {
            assert!(page.contains(want), "{capture}: {want:?} not in\n{page}");
        }
        let first = summary["incidents"][0]["incident_updates"][0]["body"]
            .as_str()
            .unwrap();
        assert!(page.contains(first.trim()), "{capture}: newest update");
        // Components keep GitHub's health.
        let overview = text(&site.read("public/contoso/en/index.html"));
        for c in summary["components"].as_array().unwrap() {
            assert!(
                overview.contains(c["name"].as_str().unwrap()),
                "{capture}: {}",
                c["name"]
            );
        }
        let api = json_file(&site, "public/contoso/api/v2/components.json");
        for c in summary["components"].as_array().unwrap() {
            let ours = api["components"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["name"] == c["name"])
                .unwrap();
            assert_eq!(ours["status"], c["status"], "{capture}: {}", c["name"]);
        }
        let incidents = json_file(&site, "public/contoso/api/v2/incidents.json");
        assert_eq!(api_incident(&incidents, id)["impact"], "major");
        assert_eq!(api_incident(&incidents, id)["status"], "investigating");
        // Kept by GitHub's page id.
        let h = support::history(&site, "contoso");
        let key = format!(
            "statuspage:page:{}",
            summary["page"]["id"].as_str().unwrap()
        );
        assert!(h["sources"][&key].is_object(), "{capture}: {key}");
    }
}

/// The Partner Center docs' list example: both customers found, told apart
/// though the example gives them the same placeholder name and domain.
#[test]
fn partner_center_docs_example_lists_both_customers() {
    let mock = Mock::start_paged(SECRET, 40);
    let example = real("partner_center/get-a-list-of-customers.json");
    mock.tenant(
        "tenant-partner",
        Tenant {
            customers: example["items"].as_array().unwrap().clone(),
            ..Default::default()
        },
    );
    let base = mock.base();
    let site = SiteTest::with_config(&format!(
        r#"site:
  title: Service status
  partner: {{ name: Northwind }}
  locales: [en]
clouds:
  global: {{ login: "{base}", partner_center: "{base}" }}
credentials:
  app:
    client_id: 00000000-aaaa-bbbb-cccc-000000000001
    client_secret_env: {SECRET_VAR}
discovery:
  partner_center:
    tenant_id: tenant-partner
    credentials: app
    defaults:
      sources:
        - file: {{ path: snap.yaml }}
customers: []
"#
    ));
    std::fs::write(
        site.path("snap.yaml"),
        "taken_at: 2026-11-22T12:00:00Z\nservices:\n  - { id: mail, name: Mail, health: operational }\n",
    )
    .unwrap();
    let r = run(&site, &["build"], "2026-11-22T12:00:00Z");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let d = json_file(&site, "data/_customers.json");
    let mut tenants: Vec<&str> = d["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["tenant_id"].as_str().unwrap())
        .collect();
    tenants.sort();
    assert_eq!(
        tenants,
        [
            "45c44870-ef77-4fdd-b6fe-3dacb075cff2",
            "b44bb1fb-c595-45b0-9e09-d657365580bf"
        ],
        "the customer id is the tenant id"
    );
    let index = site.read("public-console/en/index.html");
    let doc = scraper::Html::parse_document(&index);
    let sel = scraper::Selector::parse("table.fleet tbody th").unwrap();
    let rows: Vec<String> = doc.select(&sel).map(|li| li.text().collect()).collect();
    assert_eq!(rows.len(), 2);
    assert_ne!(rows[0], rows[1], "told apart: {rows:?}");
}

/// Statuspage bodies are HTML written with plain newlines: `<br />` is a
/// line break on pages, and not escaped twice in the feed. Fixes
/// "`<br /><br />` shown as literal text".
#[test]
fn statuspage_html_bodies_render_as_html_and_feeds_escape_once() {
    let mock = Mock::start(SECRET);
    let mut files = support::mock::recorded_statuspage();
    let body = "We are investigating reports of degraded performance.<br /><br />Details: <a href=\"https://status.example.com/x\">status</a> &amp; more.\r\nNext update within 30 minutes.";
    for f in ["incidents.json", "summary.json"] {
        for i in files.get_mut(f).unwrap()["incidents"]
            .as_array_mut()
            .unwrap()
        {
            if i["id"] == "w2e4r6t8y0u2" {
                i["incident_updates"][0]["body"] = json!(body);
            }
        }
    }
    mock.statuspage("tailspin", files);
    let source = format!(
        "      - statuspage: {{ url: \"{}/tailspin\" }}\n",
        mock.base()
    );
    let site = site(&mock, "global", &source, "");
    fetch_and_build(&site, "2026-11-22T12:00:00Z");
    let html = site.read("public/contoso/en/incidents/w2e4r6t8y0u2.html");
    assert!(!html.contains("&lt;br"), "no literal tags");
    assert!(
        html.contains("performance.<br><br>Details: <a href=\"https://status.example.com/x\""),
        "{html}"
    );
    assert!(html.contains("&amp; more.<br>Next update"), "{html}");
    let feed = site.read("public/contoso/en/feed.atom");
    assert!(!feed.contains("&amp;lt;"), "escaped once in the feed");
    assert!(
        feed.contains("performance.&lt;br&gt;&lt;br&gt;Details"),
        "{feed}"
    );
}

/// Maintenance status comes from upstream: `in_progress` past its planned
/// end is still in progress; `verifying` is said; the timeline is kept.
#[test]
fn statuspage_maintenance_status_and_timeline_come_from_upstream() {
    let mock = Mock::start(SECRET);
    let mut files = support::mock::recorded_statuspage();
    let window = json!({
        "id": "mnt0verify01", "page_id": "tsp7k2m9x4q1", "name": "Database failover test",
        "status": "verifying", "impact": "maintenance",
        "created_at": "2026-11-20T09:00:00.000-06:00", "started_at": "2026-11-20T09:00:00.000-06:00",
        "updated_at": "2026-11-22T05:40:00.000-06:00", "monitoring_at": null, "resolved_at": null,
        "shortlink": "https://stspg.io/mnt0verify01",
        "scheduled_for": "2026-11-22T04:00:00.000-06:00", "scheduled_until": "2026-11-22T05:00:00.000-06:00",
        "components": [],
        "incident_updates": [
            {"id": "u3", "incident_id": "mnt0verify01", "status": "verifying", "body": "The failover is done; we are verifying.",
             "created_at": "2026-11-22T05:40:00.000-06:00", "updated_at": "2026-11-22T05:40:00.000-06:00", "display_at": "2026-11-22T05:40:00.000-06:00",
             "affected_components": null, "deliver_notifications": true, "custom_tweet": null, "tweet_id": null},
            {"id": "u2", "incident_id": "mnt0verify01", "status": "in_progress", "body": "Maintenance is under way.",
             "created_at": "2026-11-22T04:00:00.000-06:00", "updated_at": "2026-11-22T04:00:00.000-06:00", "display_at": "2026-11-22T04:00:00.000-06:00",
             "affected_components": null, "deliver_notifications": true, "custom_tweet": null, "tweet_id": null},
            {"id": "u1", "incident_id": "mnt0verify01", "status": "scheduled", "body": "We will test a database failover.",
             "created_at": "2026-11-20T09:00:00.000-06:00", "updated_at": "2026-11-20T09:00:00.000-06:00", "display_at": "2026-11-20T09:00:00.000-06:00",
             "affected_components": null, "deliver_notifications": true, "custom_tweet": null, "tweet_id": null}
        ]
    });
    let mut running = window.clone();
    running["id"] = json!("mnt0running1");
    running["name"] = json!("Network upgrade");
    running["status"] = json!("in_progress");
    running["incident_updates"] = json!([
        window["incident_updates"][1].clone(),
        window["incident_updates"][2].clone()
    ]);
    files.get_mut("scheduled-maintenances.json").unwrap()["scheduled_maintenances"]
        .as_array_mut()
        .unwrap()
        .extend([window, running]);
    mock.statuspage("tailspin", files);
    let source = format!(
        "      - statuspage: {{ url: \"{}/tailspin\" }}\n",
        mock.base()
    );
    let site = site(&mock, "global", &source, "");
    // An hour after both windows were meant to end.
    fetch_and_build(&site, "2026-11-22T12:00:00Z");
    let html = site.read("public/contoso/en/maintenance.html");
    let doc = scraper::Html::parse_document(&html);
    let item = |id: &str| -> String {
        let sel = scraper::Selector::parse(&format!("li#m-{id}")).unwrap();
        doc.select(&sel)
            .next()
            .unwrap_or_else(|| panic!("{id}"))
            .text()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let verify = item("mnt0verify01");
    assert!(verify.contains("Verifying"), "{verify}");
    assert!(!verify.contains("Completed"), "{verify}");
    assert!(
        verify.contains("We will test a database failover."),
        "announcement"
    );
    assert!(
        verify.contains("The failover is done; we are verifying."),
        "timeline"
    );
    assert!(verify.contains("Maintenance is under way."), "timeline");
    let running = item("mnt0running1");
    assert!(
        running.contains("In progress") && !running.contains("Completed"),
        "{running}"
    );
    // Upcoming section holds both (neither is over).
    let upcoming = scraper::Selector::parse("section[aria-labelledby=upcoming] li.maint").unwrap();
    assert_eq!(
        doc.select(&upcoming)
            .filter(|l| l.value().id().is_some_and(|i| i.starts_with("m-mnt0")))
            .count(),
        2
    );
    let api = json_file(
        &site,
        "public/contoso/api/v2/scheduled-maintenances/active.json",
    );
    let active: Vec<&str> = api["scheduled_maintenances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["status"].as_str().unwrap())
        .collect();
    assert!(
        active.contains(&"verifying") && active.contains(&"in_progress"),
        "{active:?}"
    );
}

/// Statuspage's own words: `monitoring` is "Monitoring", `impact: none` is
/// "No impact", not "Degraded".
#[test]
fn statuspage_words_are_statuspage_words() {
    let mock = Mock::start(SECRET);
    let mut files = support::mock::recorded_statuspage();
    for i in files.get_mut("incidents.json").unwrap()["incidents"]
        .as_array_mut()
        .unwrap()
    {
        if i["id"] == "w2e4r6t8y0u2" {
            i["impact"] = json!("none");
        }
    }
    mock.statuspage("tailspin", files);
    let source = format!(
        "      - statuspage: {{ url: \"{}/tailspin\" }}\n",
        mock.base()
    );
    let site = site(&mock, "global", &source, "");
    fetch_and_build(&site, "2026-11-22T12:00:00Z");
    let page = text(&site.read("public/contoso/en/incidents/w2e4r6t8y0u2.html"));
    assert!(page.contains("Monitoring"), "{page}");
    assert!(!page.contains("Restoring service"), "{page}");
    assert!(
        page.contains("No impact") && !page.contains("Degraded"),
        "{page}"
    );
    let fr = text(&site.read("public/contoso/fr-FR/incidents/w2e4r6t8y0u2.html"));
    assert!(
        fr.contains("Surveillance en cours") && fr.contains("Aucun impact"),
        "{fr}"
    );
    let api = json_file(&site, "public/contoso/api/v2/incidents.json");
    assert_eq!(api_incident(&api, "w2e4r6t8y0u2")["impact"], "none");
}

/// History of a Statuspage source is kept by its page id: a page that
/// moves to another URL keeps its history.
#[test]
fn statuspage_history_follows_the_page_not_the_url() {
    let mock = Mock::start(SECRET);
    mock.statuspage("tailspin", support::mock::recorded_statuspage());
    let source = format!(
        "      - statuspage: {{ url: \"{}/tailspin\" }}\n",
        mock.base()
    );
    let site = site(&mock, "global", &source, "");
    assert_eq!(run(&site, &["fetch"], "2026-11-22T12:00:00Z").code, 0);
    let before = support::history(&site, "contoso");
    let n = before["sources"]["statuspage:page:tsp7k2m9x4q1"]["incidents"]
        .as_object()
        .unwrap()
        .len();
    // The page moves; its new address lists one incident fewer.
    let mut moved = support::mock::recorded_statuspage();
    let list = moved.get_mut("incidents.json").unwrap()["incidents"]
        .as_array_mut()
        .unwrap();
    let gone = list.remove(0)["id"].as_str().unwrap().to_owned();
    mock.statuspage("tailspin-new", moved);
    let site = site.edit("statusfleet.yaml", |y| {
        y.replace("/tailspin\"", "/tailspin-new\"")
    });
    assert_eq!(run(&site, &["fetch"], "2026-11-22T12:05:00Z").code, 0);
    let after = support::history(&site, "contoso");
    let sources = after["sources"].as_object().unwrap();
    assert_eq!(sources.len(), 1, "{:?}", sources.keys());
    let kept = &after["sources"]["statuspage:page:tsp7k2m9x4q1"];
    assert_eq!(
        kept["incidents"].as_object().unwrap().len(),
        n,
        "history kept"
    );
    assert!(kept["incidents"][&gone].is_object(), "{gone} kept");
    assert_eq!(kept["urls"].as_array().unwrap().len(), 2);
    assert_eq!(
        run(&site, &["build", "--offline"], "2026-11-22T12:05:00Z").code,
        0
    );
    assert!(
        site.path(&format!("public/contoso/en/incidents/{gone}.html"))
            .is_file()
    );
}

/// A Statuspage shared by many customers is fetched once per run.
#[test]
fn a_shared_statuspage_is_fetched_once_per_run() {
    let mock = Mock::start(SECRET);
    mock.statuspage("tailspin", support::mock::recorded_statuspage());
    let base = mock.base();
    let mut customers = String::new();
    for i in 0..40 {
        customers.push_str(&format!(
            "  - slug: c{i}\n    name: Customer {i}\n    locales: [en]\n    sources:\n      - statuspage: {{ url: \"{base}/tailspin\"{} }}\n",
            if i % 2 == 0 { ", components: [Fax to Email]" } else { "" }
        ));
    }
    let site = SiteTest::with_config(&format!(
        "site:\n  title: Status\n  partner: {{ name: Northwind }}\nfetch:\n  concurrency: 8\ncustomers:\n{customers}"
    ));
    let r = run(&site, &["fetch"], "2026-11-22T12:00:00Z");
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        mock.requests(),
        3,
        "summary, incidents, scheduled maintenances: once"
    );
    // Each customer still gets its own components.
    let even = support::history(&site, "c0");
    let odd = support::history(&site, "c1");
    let services = |h: &Value| {
        h["sources"]["statuspage:page:tsp7k2m9x4q1"]["services"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(services(&even), 1);
    assert_eq!(services(&odd), 7);
}

/// The size cap holds within a few KB of what was read, decoded bytes
/// included, and a gzip bomb says so.
#[test]
fn the_body_cap_holds_for_plain_and_gzip_answers() {
    for (fault, want) in [
        (Fault::Huge(3_000_000), "is larger than 1000000 bytes"),
        (
            Fault::GzipBomb(50_000_000),
            "decompress to more (a decompression bomb?)",
        ),
    ] {
        let mock = Mock::start(SECRET);
        mock.tenant("tenant-contoso", graph_docs_tenant());
        mock.fault("tenant-contoso", Api::Graph, fault.clone(), 100);
        let site = site(
            &mock,
            "global",
            "      - graph: { credentials: app }\n",
            "  max_response_bytes: 1000000\n",
        );
        let r = run(&site, &["fetch"], "2020-11-21T00:00:00Z");
        assert_eq!(r.code, 4, "{fault:?}: {}", r.stdout);
        assert!(r.stdout.contains(want), "{fault:?}: {}", r.stdout);
    }
}

/// Graph answers gzip when asked: decoded, same pages.
#[test]
fn gzip_answers_are_decoded() {
    let mock = Mock::start(SECRET);
    mock.tenant("tenant-contoso", graph_docs_tenant());
    let site = site(&mock, "global", "      - graph: { credentials: app }\n", "");
    let r = run(&site, &["fetch"], "2020-11-21T00:00:00Z");
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(mock.log().iter().all(|l| {
        l.headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("accept-encoding") && v.contains("gzip"))
    }));
    let h = support::history(&site, "contoso");
    assert!(h["sources"]["graph"]["incidents"]["EX226792"].is_object());
}

/// Answers together stay within the in-flight budget: one that would go
/// over it is dropped and retried, and every customer is still fetched.
#[test]
fn answers_in_flight_stay_within_the_budget() {
    let mock = Mock::start_paged(SECRET, 1000);
    mock.set_latency(Duration::from_millis(20));
    let big = json!("x".repeat(600_000));
    let base = mock.base();
    let mut customers = String::new();
    for i in 0..8 {
        let mut t = graph_docs_tenant();
        for o in &mut t.overviews {
            o["padding"] = big.clone();
        }
        mock.tenant(&format!("tenant-{i}"), t);
        customers.push_str(&format!(
            "  - slug: c{i}\n    name: C{i}\n    tenant_id: tenant-{i}\n    locales: [en]\n    sources:\n      - graph: {{ credentials: app, messages: false }}\n"
        ));
    }
    let site = SiteTest::with_config(&format!(
        r#"site:
  title: Status
  partner: {{ name: Northwind }}
fetch:
  concurrency: 8
  max_response_bytes: 3000000
  max_in_flight_bytes: 3000000
  retries: 8
  backoff_seconds: 0.05
clouds:
  global: {{ login: "{base}", graph: "{base}" }}
credentials:
  app:
    client_id: 00000000-aaaa-bbbb-cccc-000000000001
    client_secret_env: {SECRET_VAR}
customers:
{customers}"#
    ));
    let r = run(&site, &["fetch"], "2020-11-21T00:00:00Z");
    assert_eq!(r.code, 0, "{}", r.stdout);
    for i in 0..8 {
        let h = support::history(&site, &format!("c{i}"));
        assert!(h["sources"]["graph"]["last_success"].is_string(), "c{i}");
    }
}

/// A body that stalls after its headers, and a source that runs past its
/// deadline, each say which wait ran out.
#[test]
fn timeouts_say_which_deadline_fired() {
    let mock = Mock::start(SECRET);
    mock.tenant("tenant-contoso", graph_docs_tenant());
    mock.fault(
        "tenant-contoso",
        Api::Graph,
        Fault::SlowBody(Duration::from_millis(2600)),
        100,
    );
    let site = site(&mock, "global", "      - graph: { credentials: app }\n", "");
    let r = run(&site, &["fetch"], "2020-11-21T00:00:00Z");
    assert_eq!(r.code, 4, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("headers arrived, the body did not finish within 2 s"),
        "{}",
        r.stdout
    );
    // Five slow answers would take 10 s; the source deadline stops it at 3.
    mock.clear_faults();
    mock.fault(
        "tenant-contoso",
        Api::Graph,
        Fault::Slow(Duration::from_millis(1500)),
        100,
    );
    let site = site.edit("statusfleet.yaml", |y| {
        y.replace(
            "  retries: 1\n",
            "  retries: 4\n  source_deadline_seconds: 3\n",
        )
    });
    let start = std::time::Instant::now();
    let r = run(&site, &["fetch"], "2020-11-21T00:00:00Z");
    assert_eq!(r.code, 4, "{}", r.stdout);
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "{:?}",
        start.elapsed()
    );
    assert!(
        r.stdout.contains("Microsoft 365 did not finish within its deadline of 3 s (fetch.source_deadline_seconds)"),
        "{}",
        r.stdout
    );
}
