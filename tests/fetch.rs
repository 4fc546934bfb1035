//! `statusfleet fetch` and `build` against the in-process mock of the
//! upstream APIs: every fault case leaves healthy customers untouched, keeps
//! the faulted customer's last good data marked stale, and never leaks the
//! secret.

mod support;

use std::time::Duration;

use support::SiteTest;
use support::mock::{Api, Fault, Mock, recorded_statuspage, recorded_tenant};

const SECRET: &str = "s3cr3t-V4lue-never-printed";
const SECRET_VAR: &str = "STATUSFLEET_TEST_SECRET";

fn config(mock: &Mock) -> String {
    let base = mock.base();
    format!(
        r#"site:
  title: Service status
  partner: {{ name: Northwind }}
  locales: [en, fr-FR]
  history_days: 60
fetch:
  concurrency: 4
  timeout_seconds: 1
  connect_timeout_seconds: 1
  retries: 2
  backoff_seconds: 0.05
  max_retry_after_seconds: 5
  max_response_bytes: 1000000
  max_pages: 20
clouds:
  global: {{ login: "{base}", graph: "{base}", arm: "{base}", partner_center: "{base}" }}
credentials:
  app:
    client_id: 00000000-aaaa-bbbb-cccc-000000000001
    client_secret_env: {SECRET_VAR}
customers:
  - slug: good
    name: Good Corp
    tenant_id: tenant-good
    sources:
      - graph: {{ credentials: app }}
      - azure: {{ credentials: app, services: [Cosmos DB] }}
      - statuspage: {{ url: "{base}/tailspin" }}
  - slug: bad
    name: Bad Luck Ltd
    tenant_id: tenant-bad
    sources:
      - graph: {{ credentials: app }}
      - azure: {{ credentials: app, subscriptions: [11111111-2222-3333-4444-555555555555] }}
"#
    )
}

fn mock() -> Mock {
    let m = Mock::start(SECRET);
    m.tenant("tenant-good", recorded_tenant());
    // The second tenant answers with PascalCase enums, as the doc examples do.
    let mut pascal = recorded_tenant();
    pascal.overviews.clear();
    for o in support::mock::fixture("graph/health_overviews_pascal.json")["value"]
        .as_array()
        .unwrap()
    {
        let mut o = o.clone();
        pascal
            .issues
            .extend(o["issues"].as_array().cloned().unwrap_or_default());
        o.as_object_mut().unwrap().remove("issues");
        pascal.overviews.push(o);
    }
    m.tenant("tenant-bad", pascal);
    m.statuspage("tailspin", recorded_statuspage());
    m
}

fn run(site: &SiteTest, args: &[&str]) -> support::Run {
    let r = site.run_env(args, &[(SECRET_VAR, SECRET)]);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    r
}

fn history(site: &SiteTest, slug: &str) -> serde_json::Value {
    serde_json::from_str(&site.read(&format!("data/{slug}.json"))).unwrap()
}

fn incident_count(h: &serde_json::Value, source: &str) -> usize {
    h["sources"][source]["incidents"]
        .as_object()
        .map_or(0, |m| m.len())
}

/// Everything a run left behind: output, history and site.
fn assert_no_secret(site: &SiteTest, runs: &[&support::Run]) {
    for r in runs {
        assert!(!r.stdout.contains(SECRET) && !r.stderr.contains(SECRET));
        assert!(
            !r.stdout.contains("tok-") && !r.stderr.contains("tok-"),
            "token printed"
        );
    }
    for (name, bytes) in site.files("") {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(SECRET), "secret in {name}");
        assert!(!text.contains("Bearer tok-"), "token in {name}");
    }
}

#[test]
fn healthy_fleet_fetches_and_builds() {
    let mock = mock();
    let site = SiteTest::with_config(&config(&mock));
    let r = run(&site, &["build"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("customers"), "{}", r.stdout);
    let good = history(&site, "good");
    assert!(
        incident_count(&good, "graph") >= 18,
        "overview issues and history"
    );
    assert!(incident_count(&good, "azure") >= 7);
    let sp = "statuspage:".to_owned() + &mock.base() + "/tailspin";
    assert_eq!(incident_count(&good, &sp), 5);
    let bad = history(&site, "bad");
    let ex = &bad["sources"]["graph"]["incidents"]["EX912480"];
    assert_eq!(
        ex["status"], "identified",
        "PascalCase `ServiceDegradation`"
    );
    assert_eq!(ex["classification"], "incident", "PascalCase `Incident`");
    let services = bad["sources"]["graph"]["services"].as_array().unwrap();
    assert_eq!(services.len(), 3);
    assert!(
        services
            .iter()
            .any(|s| s["id"] == "Exchange" && s["health"] == "degraded")
    );
    // Pages: Graph incidents, Azure events and Message Center maintenance.
    let overview = site.read("public/good/en/index.html");
    assert!(overview.contains("Exchange Online"));
    assert!(overview.contains("Virtual Machines"), "Azure service");
    assert!(overview.contains("Fax to Email"), "Statuspage component");
    assert!(!overview.contains("class=\"stale\""));
    let vm = site.read("public/good/en/incidents/VN4T-8Q0.html");
    assert!(vm.contains("East US 2"), "region of an Azure update");
    let maint = site.read("public/good/en/maintenance.html");
    assert!(
        maint.contains("Retirement of Basic authentication for SMTP AUTH"),
        "Message Center post MC912001"
    );
    assert!(
        maint.contains("class=\"badge major\""),
        "major change flagged"
    );
    // Sanitized: the recorded bodies carry <script> and javascript: links.
    for (name, bytes) in site.files("public") {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("<script"), "{name}");
        assert!(!text.contains("javascript:"), "{name}");
        assert!(!text.contains("onerror"), "{name}");
    }
    // Paging was followed: more than one page of overviews was asked for.
    let pages = mock
        .log()
        .iter()
        .filter(|l| {
            l.path.ends_with("/healthOverviews") && l.tenant.as_deref() == Some("tenant-good")
        })
        .count();
    assert!(pages >= 7, "14 services at 2 per page: {pages} requests");
    assert_no_secret(&site, &[&r]);
}

/// Fetches once healthy, then with `fault`, and checks the outcome.
fn fault_case(api: Api, fault: Fault, times: usize, expect: Option<&str>) {
    let mock = mock();
    let site = SiteTest::with_config(&config(&mock));
    let first = run(&site, &["fetch"]);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    let before_good = history(&site, "good");
    let before_bad = history(&site, "bad");
    let who = if api == Api::Statuspage {
        "tailspin"
    } else {
        "tenant-bad"
    };
    mock.fault(who, api, fault.clone(), times);
    let second = run(&site, &["fetch"]);
    let bad = history(&site, "bad");
    let good = history(&site, "good");
    match expect {
        None => {
            assert_eq!(
                second.code, 0,
                "{fault:?}: {}\n{}",
                second.stdout, second.stderr
            );
            let retries: u64 = second
                .stdout
                .lines()
                .nth(1)
                .unwrap()
                .split_whitespace()
                .nth(5)
                .unwrap()
                .parse()
                .unwrap();
            assert!(
                retries >= 1 || matches!(fault, Fault::Unauthorized),
                "{}",
                second.stdout
            );
        }
        Some(reason) => {
            assert_eq!(
                second.code, 4,
                "{fault:?}: {}\n{}",
                second.stdout, second.stderr
            );
            assert!(
                second.stdout.contains(reason),
                "{fault:?}: want {reason:?} in\n{}",
                second.stdout
            );
            let line = second
                .stdout
                .lines()
                .find(|l| l.starts_with("stale "))
                .unwrap_or("");
            let faulted = if api == Api::Statuspage {
                "good"
            } else {
                "bad"
            };
            assert!(line.contains(&format!(" {faulted}: ")), "{}", second.stdout);
            let h = if api == Api::Statuspage { &good } else { &bad };
            let key = match api {
                Api::Arm => "azure".to_owned(),
                Api::Statuspage => format!("statuspage:{}/tailspin", mock.base()),
                _ => "graph".to_owned(),
            };
            let before = if api == Api::Statuspage {
                &before_good
            } else {
                &before_bad
            };
            assert_eq!(
                h["sources"][&key]["incidents"], before["sources"][&key]["incidents"],
                "{fault:?}: last good data kept"
            );
            assert!(
                h["sources"][&key]["failing_since"].is_string(),
                "{fault:?}: marked stale"
            );
            // The stale banner is on the faulted customer's pages only.
            let built = run(&site, &["build", "--offline"]);
            assert_eq!(built.code, 4, "{}", built.stdout);
            let faulted_page = site.read(&format!("public/{faulted}/en/index.html"));
            assert!(faulted_page.contains("class=\"stale\""), "{fault:?}");
            let fr = site.read(&format!("public/{faulted}/fr-FR/index.html"));
            assert!(fr.contains("injoignable"), "banner is translated");
            if api != Api::Statuspage {
                assert!(
                    !site
                        .read("public/good/en/index.html")
                        .contains("class=\"stale\"")
                );
            }
            assert_no_secret(&site, &[&first, &second, &built]);
        }
    }
    // Healthy customers are unaffected either way.
    if api != Api::Statuspage {
        assert!(
            good["sources"]["graph"]["failing_since"].is_null(),
            "{fault:?}"
        );
        assert_eq!(
            incident_count(&good, "graph"),
            incident_count(&before_good, "graph")
        );
    }
    assert_no_secret(&site, &[&first, &second]);
}

#[test]
fn throttled_with_fractional_retry_after_then_served() {
    fault_case(Api::Graph, Fault::Throttle("0.25".into()), 1, None);
}

#[test]
fn throttled_with_http_date_retry_after_then_served() {
    let at = chrono::Utc::now() + chrono::Duration::seconds(1);
    fault_case(
        Api::Arm,
        Fault::Throttle(at.to_rfc2822().replace("+0000", "GMT")),
        1,
        None,
    );
}

#[test]
fn throttled_for_good_goes_stale() {
    fault_case(
        Api::Graph,
        Fault::Throttle("0.1".into()),
        100,
        Some("HTTP 429"),
    );
}

#[test]
fn retry_after_longer_than_allowed_goes_stale_without_waiting() {
    fault_case(
        Api::Arm,
        Fault::Throttle("3600".into()),
        100,
        Some("Retry-After 3600 s"),
    );
}

#[test]
fn server_error_then_success() {
    fault_case(Api::Graph, Fault::ServerError, 1, None);
}

#[test]
fn server_errors_go_stale() {
    fault_case(Api::Arm, Fault::ServerError, 100, Some("HTTP 500"));
}

#[test]
fn timeout_goes_stale() {
    fault_case(
        Api::Graph,
        Fault::Slow(Duration::from_millis(2500)),
        100,
        Some("did not answer within"),
    );
}

#[test]
fn truncated_json_goes_stale() {
    fault_case(
        Api::Graph,
        Fault::Truncated,
        100,
        Some("is not what was expected"),
    );
}

#[test]
fn body_over_the_cap_goes_stale() {
    fault_case(
        Api::Graph,
        Fault::Huge(2_000_000),
        100,
        Some("larger than 1000000 bytes"),
    );
}

#[test]
fn invalid_client_goes_stale() {
    fault_case(
        Api::Token,
        Fault::InvalidClient,
        100,
        Some("invalid_client: AADSTS7000215"),
    );
}

#[test]
fn unauthorized_renews_the_token_once() {
    fault_case(Api::Graph, Fault::Unauthorized, 1, None);
}

#[test]
fn endless_next_links_stop_at_the_page_cap() {
    fault_case(
        Api::Graph,
        Fault::EndlessNextLink,
        1000,
        Some("more than 20 pages"),
    );
}

#[test]
fn looping_next_links_are_detected() {
    fault_case(Api::Arm, Fault::LoopNextLink, 1000, Some("paging loop"));
}

#[test]
fn statuspage_garbage_goes_stale() {
    fault_case(
        Api::Statuspage,
        Fault::Truncated,
        100,
        Some("is not what was expected"),
    );
}

#[test]
fn token_is_never_sent_to_a_foreign_next_link() {
    let other = Mock::start(SECRET);
    fault_case(
        Api::Graph,
        Fault::NextLinkTo(other.base()),
        1000,
        Some("refusing to send credentials"),
    );
    assert!(
        other.log().iter().all(|l| l.authorization.is_none()),
        "{:?}",
        other.log()
    );
}

#[test]
fn renewal_asks_for_a_new_token() {
    let mock = mock();
    let site = SiteTest::with_config(&config(&mock));
    mock.fault("tenant-bad", Api::Graph, Fault::Unauthorized, 1);
    let r = run(&site, &["fetch"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let tokens = mock
        .log()
        .iter()
        .filter(|l| l.path == "/tenant-bad/oauth2/v2.0/token")
        .count();
    // Graph and ARM use different scopes: one token each, plus one renewal.
    assert_eq!(
        tokens,
        3,
        "{:?}",
        mock.log().iter().map(|l| &l.path).collect::<Vec<_>>()
    );
}

#[test]
fn missing_secret_fails_every_customer_clearly() {
    let mock = mock();
    let site = SiteTest::with_config(&config(&mock));
    let r = site.run(&["fetch"]);
    assert_eq!(r.code, 4, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("credentials `app`: environment variable STATUSFLEET_TEST_SECRET is not set"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("failed"),
        "never fetched: failed, not stale"
    );
    assert_eq!(
        mock.requests()
            - mock
                .log()
                .iter()
                .filter(|l| l.path.contains("/tailspin/"))
                .count(),
        0
    );
}

#[test]
fn unreadable_history_is_left_alone() {
    let mock = mock();
    let site = SiteTest::with_config(&config(&mock));
    std::fs::create_dir_all(site.path("data")).unwrap();
    std::fs::write(site.path("data/bad.json"), "{\"schema\": 1, \"customer\": ").unwrap();
    let r = run(&site, &["fetch"]);
    assert_eq!(r.code, 4);
    assert!(
        r.stdout
            .contains("failed  bad: history store: data/bad.json:1:"),
        "{}",
        r.stdout
    );
    assert_eq!(
        site.read("data/bad.json"),
        "{\"schema\": 1, \"customer\": ",
        "not overwritten"
    );
    assert!(history(&site, "good")["sources"]["graph"]["last_success"].is_string());
}

#[test]
fn partner_center_discovery_adds_customers() {
    let mock = mock();
    let mut partner = support::mock::Tenant::default();
    for f in [
        "partner_center/customers_page1.json",
        "partner_center/customers_page2.json",
    ] {
        partner.customers.extend(
            support::mock::fixture(f)["items"]
                .as_array()
                .unwrap()
                .clone(),
        );
    }
    mock.tenant("tenant-partner", partner);
    let ids: Vec<String> = support::mock::fixture("partner_center/customers_page1.json")["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(
            support::mock::fixture("partner_center/customers_page2.json")["items"]
                .as_array()
                .unwrap(),
        )
        .map(|c| c["companyProfile"]["tenantId"].as_str().unwrap().to_owned())
        .collect();
    for id in &ids {
        mock.tenant(id, recorded_tenant());
    }
    let yaml = config(&mock).replace(
        "customers:\n",
        "discovery:\n  partner_center:\n    tenant_id: tenant-partner\n    credentials: app\n    defaults:\n      locales: [en]\n      sources:\n        - graph: { credentials: app }\ncustomers:\n",
    );
    let site = SiteTest::with_config(&yaml);
    let r = run(&site, &["build"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("3 customer(s) from Partner Center"),
        "{}",
        r.stdout
    );
    for slug in ["contoso", "hanbitmulsan", "fromageriedupre"] {
        assert!(
            site.path(&format!("public/{slug}/en/index.html")).is_file(),
            "{slug}"
        );
    }
    assert!(
        site.read("public/hanbitmulsan/en/index.html")
            .contains("한빛 물산")
    );
    // Paging used the continuation header.
    assert!(mock.log().iter().any(|l| {
        l.headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("MS-ContinuationToken") && v == "ct-2")
    }));
    // Offline builds remember the discovered customers.
    let offline = run(&site, &["build", "--offline"]);
    assert_eq!(offline.code, 0);
    assert!(
        offline.stdout.starts_with("built 5 customers"),
        "{}",
        offline.stdout
    );
}
