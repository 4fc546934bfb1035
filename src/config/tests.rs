use super::*;
use std::path::Path;

fn locales() -> BTreeSet<String> {
    ["en", "fr-FR", "ko-KR", "zh-CN"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

const GOOD: &str = "site:\n  title: Status\n  partner:\n    name: Northwind\ncustomers:\n  - slug: contoso\n    name: Contoso\n    default_locale: ko-KR\n    locales: [en, ko-KR]\n    sources:\n      - file: { path: demo/contoso.yaml }\n";

#[test]
fn resolves_defaults_and_puts_default_locale_first() {
    let c = parse(Path::new("statusfleet.yaml"), GOOD, &locales()).unwrap();
    let cust = &c.customers[0];
    let tags: Vec<_> = cust.locales.iter().map(|l| l.tag()).collect();
    assert_eq!(tags, ["ko-KR", "en"]);
    assert_eq!(cust.time_zone.0, chrono_tz::UTC);
    assert_eq!(
        cust.sources,
        [SourceConfig::File {
            path: "demo/contoso.yaml".into()
        }]
    );
    assert_eq!(c.site.history_days, 90);
    assert_eq!(c.site.uptime_days(), 90);
}

#[test]
fn uptime_bars_are_ninety_days_within_the_history_window() {
    let with = |site: &str| {
        parse(
            Path::new("statusfleet.yaml"),
            &GOOD.replace(
                "    name: Northwind\n",
                &format!("    name: Northwind\n{site}"),
            ),
            &locales(),
        )
        .map(|c| c.site.uptime_days())
    };
    assert_eq!(with("  history_days: 730\n").unwrap(), 90);
    assert_eq!(with("  history_days: 30\n").unwrap(), 30);
    assert_eq!(
        with("  history_days: 730\n  uptime_days: 365\n").unwrap(),
        365
    );
    assert_eq!(
        with("  history_days: 30\n  uptime_days: 45\n")
            .unwrap_err()
            .to_string(),
        "statusfleet.yaml:6:3: site.uptime_days (45) is longer than site.history_days (30): each day of the bars links its incidents' pages, which the site keeps for history_days; the nearest valid value is 30"
    );
    assert_eq!(
        with("  uptime_days: 0\n").unwrap_err().to_string(),
        "statusfleet.yaml:5:3: site.uptime_days must be at least 1"
    );
}

fn err(text: &str) -> String {
    parse(Path::new("statusfleet.yaml"), text, &locales())
        .unwrap_err()
        .to_string()
}

#[test]
fn errors_name_file_line_column_and_expectation() {
    let cases = [
        (
            GOOD.replace("    name: Contoso\n", "    name: Contoso\n    titel: x\n"),
            "statusfleet.yaml:8:5: customers[0]: unknown field `titel`, expected one of",
        ),
        (
            GOOD.replace("locales: [en, ko-KR]", "locales: [en, de-DE]"),
            "statusfleet.yaml:9:19: customers[0].locales[1]: no catalog for locale `de-DE`",
        ),
        (
            GOOD.replace("slug: contoso", "slug: Contoso"),
            "statusfleet.yaml:6:11: customers[0].slug: invalid slug `Contoso`",
        ),
        (
            GOOD.replace(
                "default_locale: ko-KR",
                "default_locale: ko-KR\n    time_zone: Asia/Seul",
            ),
            "statusfleet.yaml:9:16: customers[0].time_zone: unknown time zone `Asia/Seul`",
        ),
        (
            format!("{GOOD}  - slug: contoso\n    name: Again\n    sources: []\n"),
            "statusfleet.yaml:12:11: customers[1].slug: duplicate customer slug `contoso`",
        ),
        (
            GOOD.replace("- file: { path: demo/contoso.yaml }", "- ftp: { path: x }"),
            "statusfleet.yaml:11:9: customers[0].sources[0]: unknown variant `ftp`, expected one of `file`, `graph`, `azure`, `statuspage`",
        ),
    ];
    for (text, want) in cases {
        let got = err(&text);
        assert!(got.starts_with(want), "got:  {got}\nwant: {want}");
    }
}

const LIVE: &str = "site:\n  title: Status\n  partner:\n    name: Northwind\ncredentials:\n  partner-app:\n    client_id: 11111111-aaaa-bbbb-cccc-000000000001\n    client_secret_env: STATUSFLEET_SECRET\ncustomers:\n  - slug: contoso\n    name: Contoso\n    tenant_id: contoso.onmicrosoft.com\n    sources:\n      - graph: { credentials: partner-app }\n      - azure: { credentials: partner-app, subscriptions: [sub-1] }\n      - statuspage: { url: \"https://status.example.com/\" }\n";

#[test]
fn live_sources_resolve_with_defaults() {
    let c = parse(Path::new("statusfleet.yaml"), LIVE, &locales()).unwrap();
    let keys: Vec<_> = c.customers[0].sources.iter().map(|s| s.key()).collect();
    assert_eq!(
        keys,
        ["graph", "azure", "statuspage:https://status.example.com"]
    );
    let SourceConfig::Azure {
        api_version,
        lookback_days,
        ..
    } = &c.customers[0].sources[1]
    else {
        panic!("azure")
    };
    assert_eq!((api_version.as_str(), *lookback_days), ("2025-05-01", 30));
    assert_eq!(c.fetch.concurrency, 16);
    assert_eq!(c.data_dir(), Path::new("data"));
    let china = c.clouds.endpoints(Cloud::China);
    assert_eq!(china.login.as_str(), "https://login.chinacloudapi.cn");
    assert_eq!(
        china.graph_scope,
        "https://microsoftgraph.chinacloudapi.cn/.default"
    );
}

#[test]
fn live_source_mistakes_are_located() {
    let cases = [
        (
            LIVE.replace(
                "client_secret_env: STATUSFLEET_SECRET",
                "client_secret: hunter2",
            ),
            "statusfleet.yaml:8:5: credentials.partner-app: unknown field `client_secret`, expected one of",
        ),
        (
            LIVE.replace(
                "- graph: { credentials: partner-app }",
                "- graph: { credentials: partner-ap }",
            ),
            "statusfleet.yaml:14:31: customer `contoso`: unknown credentials `partner-ap`: expected one of the names under `credentials:` (partner-app)",
        ),
        (
            LIVE.replace("    tenant_id: contoso.onmicrosoft.com\n", ""),
            "statusfleet.yaml:10:11: customer `contoso`: a graph source needs the customer's tenant_id",
        ),
        (
            LIVE.replace("https://status.example.com/", "http://status.example.com"),
            "statusfleet.yaml:16:28: customers[0].sources[2].statuspage.url: invalid URL `http://status.example.com`: expected https:// (http:// only to localhost)",
        ),
        (
            LIVE.replace(
                "client_secret_env: STATUSFLEET_SECRET",
                "client_id_env: X\n    client_secret_env: Y",
            ),
            "statusfleet.yaml:6:3: credentials.partner-app: expected one of client_id or client_id_env, not both",
        ),
        (
            LIVE.replace("credentials:\n", "fetch:\n  concurrency: 0\ncredentials:\n"),
            "statusfleet.yaml:6:3: fetch.concurrency must be at least 1",
        ),
        (
            LIVE.replace(
                "client_secret_env: STATUSFLEET_SECRET",
                "client_secret_env: STATUSFLEET_SECRET\n    client_certificate_file: app.pem",
            ),
            "statusfleet.yaml:6:3: credentials.partner-app: expected one way for the app to prove itself, found client_secret_env, client_certificate_file",
        ),
        (
            LIVE.replace(
                "client_secret_env: STATUSFLEET_SECRET",
                "github_actions: {}\n    refresh_token_env: RT",
            ),
            "statusfleet.yaml:6:3: credentials.partner-app: a refresh token is redeemed with a client secret or a certificate, not with a federated token or a managed identity",
        ),
    ];
    for (text, want) in cases {
        let got = err(&text);
        assert!(got.starts_with(want), "got:  {got}\nwant: {want}");
    }
}

#[test]
fn notification_problems_are_all_reported_at_their_lines() {
    let text = GOOD.replace(
        "customers:\n",
        "notifications:\n  concurrency: 0\n  partner:\n    - webhook: http://hooks.example/x\n    - email: not-an-address\ncustomers:\n",
    ) + "    subscribers:\n      - email: it@contoso.example\n        min_severity: degraded\n      - slack: https://hooks.slack.com/x\n        teams: https://x.webhook.office.com/y\n";
    let e = err(&text);
    for want in [
        "statusfleet.yaml:5:1: notifications link to the customers' pages, so they need site.base_url",
        "statusfleet.yaml:8:16: notifications.partner 1: `http://hooks.example/x`: expected an https:// URL",
        "notifications.partner 1: a webhook is signed: expected `secret_env`",
        "statusfleet.yaml:9:14: notifications.partner 2: `not-an-address` is not a mail address",
        "statusfleet.yaml:6:3: notifications.concurrency 0: expected 1 to 256 (the default is 16)",
        "customer `contoso`: subscriber 1: `min_severity` is a filter of the partner's subscribers",
        "customer `contoso`: subscriber 2: a subscriber has one channel, this one has 2",
        "notifications by mail need a sender",
        "notifications by mail need `unsubscribe:`",
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
}

#[test]
fn subscribers_without_a_notifications_section_are_refused() {
    let text = GOOD.to_owned() + "    subscribers:\n      - email: it@contoso.example\n";
    assert!(
        err(&text)
            .contains("customers have `subscribers:` but there is no `notifications:` section"),
        "{}",
        err(&text)
    );
}

#[test]
fn the_nearest_valid_value_is_suggested_only_when_close() {
    use crate::error::nearest;
    let keys = ["time_zone", "title", "theme", "locales"];
    assert_eq!(nearest("time_zon", keys), Some("time_zone"));
    assert_eq!(nearest("tiem_zone", keys), Some("time_zone"), "a swap");
    assert_eq!(nearest("Locales", keys), None, "the same, but for case");
    assert_eq!(nearest("colour", keys), None, "nothing close");
    let zones = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name());
    assert_eq!(nearest("Europe/Londn", zones), Some("Europe/London"));
}

#[test]
fn a_bad_list_item_is_reported_once_and_the_rest_still_read() {
    let text = GOOD.replace(
        "locales: [en, ko-KR]",
        "locales:\n      - en\n      - de-DE\n    titel: x",
    );
    let got = err(&text);
    assert_eq!(
        got.matches("no catalog for locale `de-DE`").count(),
        1,
        "{got}"
    );
    assert!(got.contains("unknown field `titel`"), "{got}");
    assert!(!got.contains("invalid type: map"), "{got}");
}
