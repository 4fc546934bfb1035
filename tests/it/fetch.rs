//! `statusfleet fetch` and `build` against the in-process mock of the
//! upstream APIs: every fault case leaves healthy customers untouched, keeps
//! the faulted customer's last good data marked stale, and never leaks the
//! secret.

use crate::support;

use std::time::Duration;

use support::SiteTest;
use support::mock::{Api, Fault, Mock, recorded_statuspage, recorded_tenant};

const SECRET: &str = "s3cr3t-V4lue-never-printed";
const SECRET_VAR: &str = "STATUSFLEET_TEST_SECRET";

/// The config's `clouds:` (every API on the mock) and the app's
/// `credentials:` (its secret in [`SECRET_VAR`]).
fn endpoints(base: &str) -> String {
    format!(
        r#"clouds:
  global: {{ login: "{base}", graph: "{base}", arm: "{base}", partner_center: "{base}" }}
credentials:
  app:
    client_id: 00000000-aaaa-bbbb-cccc-000000000001
    client_secret_env: {SECRET_VAR}"#
    )
}

fn config(mock: &Mock) -> String {
    let base = mock.base();
    let endpoints = endpoints(&base);
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
{endpoints}
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
    support::history(site, slug)
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
    // Kept by the page's id, not its URL.
    let sp = "statuspage:page:tsp7k2m9x4q1";
    assert_eq!(incident_count(&good, sp), 5);
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
                Api::Statuspage => "statuspage:page:tsp7k2m9x4q1".to_owned(),
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
            assert!(
                fr.contains("n’ont pas pu être récupérées"),
                "banner is translated"
            );
            // Why it failed is for the operator, not the customer.
            assert!(
                !faulted_page.contains("HTTP ") && !faulted_page.contains("127.0.0.1"),
                "no raw error on pages"
            );
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
        Some("sent no answer within 1 s (3 attempts)"),
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
        r.stdout.contains("3 customers from Partner Center"),
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

/// `n` Partner Center customers in the list's shape.
fn pc_customers(n: usize) -> Vec<serde_json::Value> {
    (0..n)
        .map(|i| {
            let tenant = format!("{i:08x}-0000-4000-8000-{i:012x}");
            serde_json::json!({
                "id": tenant,
                "companyProfile": {
                    "tenantId": tenant,
                    "domain": format!("cust{i}.onmicrosoft.com"),
                    "companyName": format!("Customer {i}"),
                    "attributes": {"objectType": "CustomerCompanyProfile"}
                },
                "relationshipToPartner": "reseller",
                "attributes": {"objectType": "Customer"}
            })
        })
        .collect()
}

/// A site whose customers all come from discovery and are built from one
/// snapshot file (nothing else to fetch).
fn discovery_site(mock: &Mock, extra: &str) -> SiteTest {
    let base = mock.base();
    let endpoints = endpoints(&base);
    let yaml = format!(
        r#"site:
  title: Service status
  partner: {{ name: Northwind }}
  locales: [en]
fetch:
  timeout_seconds: 2
  retries: 1
  backoff_seconds: 0.05
  max_pages: 30
{endpoints}
discovery:
  partner_center:
    tenant_id: tenant-partner
    credentials: app
    defaults:
      sources:
        - file: {{ path: snap.yaml }}
{extra}customers: []
"#
    );
    let site = SiteTest::with_config(&yaml);
    std::fs::write(
        site.path("snap.yaml"),
        "taken_at: 2026-11-22T12:00:00Z\nservices:\n  - { id: mail, name: Mail, health: operational }\n",
    )
    .unwrap();
    site
}

fn discovered(site: &SiteTest) -> serde_json::Value {
    serde_json::from_str(&site.read("data/_customers.json")).unwrap()
}

/// Fixes "discovery stops on page 3": Partner Center repeats one next URI
/// on every page and moves on by the `MS-ContinuationToken` header only.
#[test]
fn discovery_pages_by_uri_and_continuation_token() {
    for (customers, pages) in [(1, 1), (3, 2), (5, 3), (49, 25)] {
        let mock = Mock::start_paged(SECRET, 2);
        mock.tenant(
            "tenant-partner",
            support::mock::Tenant {
                customers: pc_customers(customers),
                ..Default::default()
            },
        );
        let site = discovery_site(&mock, "");
        let r = run(&site, &["fetch"]);
        assert_eq!(r.code, 0, "{customers}: {}\n{}", r.stdout, r.stderr);
        let listed = mock
            .log()
            .iter()
            .filter(|l| l.path == "/v1/customers")
            .count();
        assert_eq!(listed, pages, "{customers} customers");
        let next_uris: std::collections::BTreeSet<String> = mock
            .log()
            .iter()
            .filter(|l| l.path == "/v1/customers")
            .skip(1)
            .map(|l| {
                l.headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("MS-ContinuationToken"))
                    .map(|(_, v)| v.clone())
                    .unwrap()
            })
            .collect();
        assert_eq!(next_uris.len(), pages - 1, "a new token on every page");
        assert_eq!(
            discovered(&site)["customers"].as_array().unwrap().len(),
            customers
        );
    }
}

#[test]
fn discovery_of_2500_customers_at_500_a_page() {
    let mock = Mock::start_paged(SECRET, 500);
    mock.tenant(
        "tenant-partner",
        support::mock::Tenant {
            customers: pc_customers(2500),
            ..Default::default()
        },
    );
    let site = discovery_site(&mock, "");
    let r = run(&site, &["fetch"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("2500 customers from Partner Center"),
        "{}",
        r.stdout
    );
    let sizes: Vec<String> = mock
        .log()
        .iter()
        .filter(|l| l.path == "/v1/customers")
        .map(|l| l.path.clone())
        .collect();
    assert_eq!(sizes.len(), 5);
    assert_eq!(
        discovered(&site)["customers"].as_array().unwrap().len(),
        2500
    );
    let paths = run(&site, &["paths"]);
    assert_eq!(paths.stdout.lines().count(), 2500);
}

/// Without an earlier list, a failed discovery says so, and `fetch` and
/// `build --offline` agree on the exit code.
#[test]
fn failed_discovery_without_a_list_says_so_and_exit_codes_agree() {
    let mock = Mock::start(SECRET);
    mock.tenant(
        "tenant-partner",
        support::mock::Tenant {
            customers: pc_customers(3),
            ..Default::default()
        },
    );
    mock.fault(
        "tenant-partner",
        Api::PartnerCenter,
        Fault::ServerError,
        100,
    );
    let site = discovery_site(&mock, "");
    let fetch = run(&site, &["fetch"]);
    assert_eq!(fetch.code, 4, "{}\n{}", fetch.stdout, fetch.stderr);
    assert!(
        fetch.stdout.contains("HTTP 500 from")
            && fetch.stdout.contains("no customer list yet")
            && !fetch.stdout.contains("using the last list"),
        "{}",
        fetch.stdout
    );
    let built = run(&site, &["build", "--offline"]);
    assert_eq!(built.code, fetch.code, "{}\n{}", built.stdout, built.stderr);
    assert!(
        built.stdout.contains("no customer list yet"),
        "{}",
        built.stdout
    );
    // Then it works: the list is written, and a later failure keeps it.
    mock.clear_faults();
    let ok = run(&site, &["fetch"]);
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    assert_eq!(run(&site, &["build", "--offline"]).code, 0);
    mock.fault(
        "tenant-partner",
        Api::PartnerCenter,
        Fault::ServerError,
        100,
    );
    let again = run(&site, &["fetch"]);
    assert_eq!(again.code, 4);
    assert!(
        again.stdout.contains("using the list of") && again.stdout.contains("(3 customers)"),
        "{}",
        again.stdout
    );
    let built = run(&site, &["build", "--offline"]);
    assert_eq!(built.code, 4, "{}", built.stdout);
    assert!(
        built.stdout.starts_with("built 3 customers"),
        "{}",
        built.stdout
    );
    let d = discovered(&site);
    assert_eq!(d["customers"].as_array().unwrap().len(), 3, "list kept");
    assert!(d["error"].as_str().unwrap().contains("HTTP 500"));
}

/// Discovered customers get settings by rule (domain suffix, country) and
/// by tenant, over the defaults.
#[test]
fn discovery_rules_and_overrides_set_customer_settings() {
    let mock = Mock::start_paged(SECRET, 10);
    let mut list = pc_customers(4);
    list[1]["companyProfile"]["domain"] = serde_json::json!("lianhua.partner.onmschina.cn");
    list[2]["billingProfile"] = serde_json::json!({"defaultAddress": {"country": "kr"}});
    mock.tenant(
        "tenant-partner",
        support::mock::Tenant {
            customers: list.clone(),
            ..Default::default()
        },
    );
    let t3 = list[3]["id"].as_str().unwrap().to_owned();
    let extra = format!(
        r#"    rules:
      - when: {{ domain_suffix: .onmschina.cn }}
        set: {{ cloud: china, time_zone: Asia/Shanghai, default_locale: zh-CN }}
      - when: {{ country: KR }}
        set: {{ time_zone: Asia/Seoul, locales: [ko-KR, en] }}
    overrides:
      - tenant_id: {t3}
        slug: the-fourth
        name: Fourth Customer Ltd
        set:
          support: {{ email: help@fourth.example }}
"#
    );
    let site = discovery_site(&mock, &extra).edit("statusfleet.yaml", |y| {
        y.replace(
            "  locales: [en]\n",
            "  locales: [en]\n  time_zone: Europe/Paris\n",
        )
    });
    let r = run(&site, &["fetch"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let b = run(&site, &["build", "--offline"]);
    assert_eq!(b.code, 0, "{}\n{}", b.stdout, b.stderr);
    let paths = run(&site, &["paths"]).stdout;
    for slug in ["cust0", "lianhua", "cust2", "the-fourth"] {
        assert!(paths.contains(&format!("{slug}\t")), "{slug} in\n{paths}");
    }
    // cust0: defaults (Europe/Paris, en).
    let p0 = site.read("public/cust0/en/index.html");
    assert!(
        p0.contains("UTC+1") || p0.contains("UTC+2") || p0.contains("Central European"),
        "Paris zone"
    );
    // lianhua: 21Vianet, Shanghai, zh-CN default.
    assert!(site.path("public/lianhua/zh-CN/index.html").is_file());
    let lh = site.read("public/lianhua/zh-CN/index.html");
    assert!(
        lh.contains("portal.partner.microsoftonline.cn")
            || lh.contains("21Vianet")
            || lh.contains("世纪互联"),
        "china cloud next steps"
    );
    assert!(lh.contains("GMT+8"), "Shanghai zone");
    // cust2 (country KR): Seoul, ko-KR and en.
    assert!(site.path("public/cust2/ko-KR/index.html").is_file());
    assert!(site.read("public/cust2/ko-KR/index.html").contains("GMT+9"));
    // Override: slug, name and support email.
    let four = site.read("public/the-fourth/en/index.html");
    assert!(four.contains("Fourth Customer Ltd"));
    assert!(four.contains("help@fourth.example"));
}

/// Two customers with one display name are told apart by their domain
/// on the partner console.
#[test]
fn the_console_tells_customers_of_the_same_name_apart() {
    let mock = Mock::start_paged(SECRET, 10);
    let mut list = pc_customers(2);
    list[0]["companyProfile"]["companyName"] = serde_json::json!("Contoso");
    list[1]["companyProfile"]["companyName"] = serde_json::json!("Contoso");
    mock.tenant(
        "tenant-partner",
        support::mock::Tenant {
            customers: list,
            ..Default::default()
        },
    );
    let site = discovery_site(&mock, "");
    assert_eq!(run(&site, &["fetch"]).code, 0);
    assert_eq!(run(&site, &["build", "--offline"]).code, 0);
    let index = site.read("public-console/en/index.html");
    assert!(index.contains("(cust0.onmicrosoft.com)"), "{index}");
    assert!(index.contains("(cust1.onmicrosoft.com)"), "{index}");
}

/// Graph's post-incident reports: downloaded once per customer when an
/// issue's status says one is published, kept once in the store however
/// many customers share it, served from each customer's site and linked
/// from the incident page with its format and size. A report not there
/// yet (404) or an answer that is no document never fails the source.
#[test]
fn post_incident_reports_are_downloaded_once_and_served() {
    let mock = Mock::start(SECRET);
    let pdf = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/upstream/graph/TM911950-incident-report.pdf"),
    )
    .unwrap();
    for tenant in ["tenant-pdf", "tenant-pdf2"] {
        let mut t = recorded_tenant();
        t.reports.insert("TM911950".into(), pdf.clone());
        mock.tenant(tenant, t);
    }
    let mut html = recorded_tenant();
    html.reports.insert(
        "TM911950".into(),
        b"<!DOCTYPE html><html><body><script>x()</script>Sign in</body></html>".to_vec(),
    );
    mock.tenant("tenant-html", html);
    mock.tenant("tenant-none", recorded_tenant());
    let base = mock.base();
    let endpoints = endpoints(&base);
    let customers: String = ["pdf", "pdf2", "html", "none"]
        .iter()
        .map(|c| {
            format!(
                "  - {{ slug: {c}, name: {c}, tenant_id: tenant-{c}, sources: [{{ graph: {{ credentials: app }} }}] }}\n"
            )
        })
        .collect();
    let site = SiteTest::with_config(&format!(
        r#"site:
  title: Service status
  partner: {{ name: Northwind }}
  locales: [en, fr-FR]
  history_days: 60
fetch: {{ retries: 0, timeout_seconds: 2 }}
{endpoints}
customers:
{customers}"#
    ));
    let asked = |tenant: &str| {
        mock.log()
            .iter()
            .filter(|l| {
                l.path.ends_with("/issues/TM911950/incidentReport")
                    && l.tenant.as_deref() == Some(tenant)
            })
            .count()
    };
    let r = run(&site, &["build"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "note    html: Microsoft 365: the post-incident report of TM911950 is neither a PDF nor a Word document (68 bytes starting \"<!DOCTYPE html><\"); not published, tried again next run"
        ),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("note    none:"),
        "a 404 is no news: {}",
        r.stdout
    );
    // The store: one document for the two customers that share it, named
    // on their incidents.
    let stored = site.files("data/reports");
    assert_eq!(
        stored.len(),
        1,
        "{:?}",
        stored.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(stored[0].1, pdf);
    for slug in ["pdf", "pdf2"] {
        let h = history(&site, slug);
        let report = &h["sources"]["graph"]["incidents"]["TM911950"]["report"]["file"];
        assert_eq!(
            report.as_str(),
            Some(stored[0].0.rsplit('/').next().unwrap())
        );
        assert_eq!(site.files(&format!("public/{slug}/reports")).len(), 1);
        let served = std::fs::read(site.path(&format!("public/{slug}/reports/TM911950.pdf")));
        assert_eq!(served.unwrap(), pdf);
        let page = site.read(&format!("public/{slug}/en/incidents/TM911950.html"));
        let want = format!(
            r#"<a href="../../reports/TM911950.pdf" download="TM911950.pdf" type="application/pdf">Post-incident report</a> (PDF, <data class="size" value="{0}">{0} byte</data>)"#,
            pdf.len(),
        );
        assert!(page.contains(&want), "want {want}");
        let fr = site.read(&format!("public/{slug}/fr-FR/incidents/TM911950.html"));
        assert!(fr.contains("Rapport post-incident</a> (PDF, <data"), "fr");
        assert!(
            fr.contains(&format!(">{}\u{202f}o</data>)", pdf.len())),
            "CLDR's French short byte"
        );
    }
    for slug in ["html", "none"] {
        let h = history(&site, slug);
        assert!(h["sources"]["graph"]["incidents"]["TM911950"]["report"].is_null());
        assert!(!site.path(&format!("public/{slug}/reports")).exists());
        let page = site.read(&format!("public/{slug}/en/incidents/TM911950.html"));
        assert!(!page.contains("class=\"report\""), "{slug}");
        assert!(
            page.contains("Post-incident report published"),
            "the status says so"
        );
    }
    for t in ["tenant-pdf", "tenant-pdf2", "tenant-html", "tenant-none"] {
        assert_eq!(asked(t), 1, "{t}");
    }
    // The next run asks only where the store has no report yet, though
    // the listing no longer returns the issue (its last change is older
    // than the incremental window); one published since is picked up.
    let mut later = recorded_tenant();
    later.reports.insert("TM911950".into(), pdf.clone());
    mock.tenant("tenant-none", later);
    let r = run(&site, &["build"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(asked("tenant-pdf"), 1, "kept from the first run");
    assert_eq!(asked("tenant-pdf2"), 1, "kept from the first run");
    assert_eq!(asked("tenant-html"), 2, "tried again");
    assert_eq!(asked("tenant-none"), 2, "tried again");
    assert_eq!(site.files("public/pdf/reports").len(), 1, "still served");
    let served = std::fs::read(site.path("public/none/reports/TM911950.pdf"));
    assert_eq!(served.unwrap(), pdf, "published since the first run");
    assert_eq!(site.files("data/reports").len(), 1, "still one document");
    let r = run(&site, &["build"]);
    assert_eq!(asked("tenant-none"), 2, "kept from the second run");
    assert_no_secret(&site, &[&r]);
}
