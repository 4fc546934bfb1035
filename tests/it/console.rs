//! The partner console: which customers an incident hits, the exports,
//! the operator's errors, and that none of it reaches a customer's site.

use crate::support;
use support::SiteTest;

/// A snapshot file for one customer: Exchange and Teams, and the given
/// incidents (id, title, status).
fn snapshot(incidents: &[(&str, &str, &str)]) -> String {
    let mut s = String::from(
        "taken_at: 2026-11-22T13:45:00Z\nservices:\n  - { id: exchange, name: Exchange Online, health: operational }\n  - { id: teams, name: Microsoft Teams, health: operational }\n",
    );
    if !incidents.is_empty() {
        s.push_str("incidents:\n");
    }
    for (id, title, status) in incidents {
        let end = if *status == "resolved" {
            "    ended_at: 2026-11-22T12:00:00Z\n"
        } else {
            ""
        };
        s.push_str(&format!(
            "  - id: {id}\n    title: {title}\n    classification: incident\n    status: {status}\n    services: [exchange]\n    started_at: 2026-11-22T09:00:00Z\n{end}    updates:\n      - {{ at: 2026-11-22T09:10:00Z, body: Investigating. }}\n"
        ));
    }
    s
}

/// Five customers; EX1 (active) hits alpha, gamma and epsilon; beta had
/// EX2, resolved; delta's Statuspage source fails with a planted error.
fn fleet() -> SiteTest {
    let mut yaml = String::from(
        "site:\n  title: Status\n  partner: { name: Northwind }\n  locales: [en, fr-FR]\n  base_url: https://status.example.net/\nconsole:\n  locales: [en, fr-FR]\n  time_zone: Europe/Paris\ncustomers:\n",
    );
    let names = [
        ("alpha", "Alphaquill Ltd", "alpha.example"),
        ("beta", "Betamoss GmbH", "beta.example"),
        ("gamma", "Gammaroot SA", "gamma.example"),
        ("delta", "Deltafern Inc", "delta.example"),
        ("epsilon", "Epsilonwick AB", "epsilon.example"),
    ];
    for (slug, name, domain) in names {
        yaml.push_str(&format!(
            "  - slug: {slug}\n    name: {name}\n    domain: {domain}\n    tenant_id: 00000000-0000-0000-0000-00000000000{}\n    support: {{ email: help-{slug}@northwind.example }}\n    sources:\n      - file: {{ path: snap/{slug}.yaml }}\n",
            slug.len()
        ));
        if slug == "delta" {
            yaml.push_str("      - statuspage: { url: \"https://status.fake-host-4417.invalid/\", name: Acme Cloud }\n");
        }
    }
    let ex1 = ("EX1", "Mail delivery delays", "investigating");
    let mut site = SiteTest::with_config(&yaml)
        .edit("snap/alpha.yaml", |_| snapshot(&[ex1]))
        .edit("snap/beta.yaml", |_| {
            snapshot(&[("EX2", "Search was slow", "resolved")])
        })
        .edit("snap/gamma.yaml", |_| snapshot(&[ex1]))
        .edit("snap/delta.yaml", |_| snapshot(&[]))
        .edit("snap/epsilon.yaml", |_| snapshot(&[ex1]));
    // The history store of delta's Statuspage: it answered once, then
    // failed with an error a customer must never read.
    site = site.edit("data/delta.json", |_| {
        serde_json::json!({
            "schema": 1,
            "customer": "delta",
            "sources": {
                "statuspage:https://status.fake-host-4417.invalid": {
                    "label": "Acme Cloud",
                    "last_attempt": "2026-11-22T13:40:00Z",
                    "last_success": "2026-11-22T10:00:00Z",
                    "failing_since": "2026-11-22T11:00:00Z",
                    "error": "cannot reach status.fake-host-4417.invalid: PLANTED-ERR-4417 connection refused (4 attempts)",
                    "advice": "check DNS, the firewall and any proxy between this machine and status.fake-host-4417.invalid",
                    "services": [],
                    "incidents": {},
                    "maintenance": {}
                }
            }
        })
        .to_string()
    });
    site
}

fn python_csv(path: &std::path::Path) -> Vec<Vec<String>> {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))))",
        ])
        .arg(path)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn an_incident_lists_exactly_the_customers_it_hits_and_its_csv_parses() {
    let site = fleet();
    let r = site.run(&["build", "--offline"]);
    // delta's data is stale: exit code 4, the console named.
    assert_eq!(r.code, 4, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("public-console/index.html"),
        "{}",
        r.stdout
    );
    let page = site.read("public-console/en/incidents/EX1.html");
    let main = support::main_region(&page);
    for (slug, name) in [
        ("alpha", "Alphaquill Ltd"),
        ("gamma", "Gammaroot SA"),
        ("epsilon", "Epsilonwick AB"),
    ] {
        assert!(main.contains(name), "{name} in\n{main}");
        assert!(
            main.contains(&format!(
                "https://status.example.net/{slug}/en/incidents/EX1.html"
            )),
            "link to {slug}'s incident page"
        );
    }
    for name in ["Betamoss GmbH", "Deltafern Inc"] {
        assert!(!main.contains(name), "{name} is not hit by EX1");
    }
    assert!(main.contains("Affects 3 customers"), "{main}");
    let fr = site.read("public-console/fr-FR/incidents/EX1.html");
    assert!(fr.contains("Concerne 3 clients"), "the French console");
    let rows = python_csv(&site.path("public-console/exports/incidents/EX1.csv"));
    assert_eq!(rows[0][..4], ["slug", "name", "domain", "tenant_id"]);
    let body: Vec<(&str, &str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[8].as_str()))
        .collect();
    let mut sorted = body.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            ("alpha", "Alphaquill Ltd", "help-alpha@northwind.example"),
            (
                "epsilon",
                "Epsilonwick AB",
                "help-epsilon@northwind.example"
            ),
            ("gamma", "Gammaroot SA", "help-gamma@northwind.example"),
        ]
    );
    let json: serde_json::Value =
        serde_json::from_str(&site.read("public-console/exports/incidents/EX1.json")).unwrap();
    assert_eq!(json["customers"].as_array().unwrap().len(), 3);
    assert_eq!(json["status"], "investigating");
    // The resolved one is on the list of recent incidents, with beta only.
    let list = site.read("public-console/en/incidents/index.html");
    assert!(list.contains("Search was slow") && list.contains("Resolved in the last 7 days"));
    let ex2 = python_csv(&site.path("public-console/exports/incidents/EX2.csv"));
    assert_eq!(ex2.len(), 2);
    assert_eq!(ex2[1][0], "beta");
    // The overview: counts by state; the worst customers first (delta is
    // stale, the three hit by EX1 are degraded).
    let overview = support::main_region(&site.read("public-console/en/index.html"));
    let at = |name: &str| overview.find(name).unwrap_or_else(|| panic!("{name}"));
    assert!(at("Alphaquill Ltd") < at("Betamoss GmbH"));
    assert!(at("Gammaroot SA") < at("Deltafern Inc") && at("Deltafern Inc") < at("Betamoss GmbH"));
    // One customer's page: the partner's links for its tenant.
    let alpha = site.read("public-console/en/customers/alpha.html");
    assert!(alpha.contains(
        "https://partner.microsoft.com/dashboard/v2/customers/00000000-0000-0000-0000-000000000005/servicemanagement"
    ));
    assert!(alpha.contains("https://status.example.net/alpha/index.html"));
}

#[test]
fn operator_errors_reach_the_console_and_no_customer_file() {
    let site = fleet();
    let r = site.run(&["build", "--offline"]);
    assert_eq!(r.code, 4, "{}\n{}", r.stdout, r.stderr);
    let sources = site.read("public-console/en/sources.html");
    assert!(
        sources.contains("PLANTED-ERR-4417"),
        "the console shows the raw error:\n{sources}\n{}",
        r.stdout
    );
    assert!(sources.contains("status.fake-host-4417.invalid"));
    assert!(
        sources.contains("check DNS, the firewall"),
        "and what to do"
    );
    assert!(
        site.read("public-console/en/customers/delta.html")
            .contains("PLANTED-ERR-4417")
    );
    let names = [
        ("alpha", "Alphaquill"),
        ("beta", "Betamoss"),
        ("gamma", "Gammaroot"),
        ("delta", "Deltafern"),
        ("epsilon", "Epsilonwick"),
    ];
    let console_dir = site.path("public-console");
    for (path, bytes) in site.files("public") {
        let text = String::from_utf8_lossy(&bytes);
        for planted in ["PLANTED-ERR-4417", "fake-host-4417", "console"] {
            // `console` may only appear as a word of upstream text; the
            // folder and its pages never.
            let hit = match planted {
                "console" => text.contains("public-console") || text.contains("/console/"),
                p => text.contains(p),
            };
            assert!(!hit, "{planted} in public/{path}");
        }
        let owner = path.split('/').next().unwrap();
        for (slug, name) in names {
            if slug != owner && path.contains('/') {
                assert!(!text.contains(name), "{name} in public/{path}");
            }
        }
    }
    // The banner says which data is old and since when, in the page's
    // language.
    let fr = site.read("public/delta/fr-FR/index.html");
    assert!(fr.contains("Les données de Acme Cloud datent du"), "{fr}");
    // Nothing of the console inside the customer sites.
    assert!(!console_dir.starts_with(site.path("public")));
    for (path, _) in site.files("public") {
        assert!(
            !path.contains("exports/") && !path.ends_with("sources.html"),
            "{path}"
        );
    }
    // Every console page: noindex, the site's security policy.
    for (path, bytes) in site.files("public-console") {
        if path.ends_with(".html") {
            let html = String::from_utf8_lossy(&bytes);
            assert!(
                html.contains(r#"<meta name="robots" content="noindex, nofollow">"#),
                "{path}"
            );
            assert!(statusfleet::render::declares_policies(&html), "{path}");
            assert!(!html.contains("<script"), "{path}");
        }
    }
}

#[test]
fn a_console_inside_the_customer_sites_is_refused() {
    let site = fleet();
    let r = site.run(&["build", "--offline", "--console", "public/console"]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("inside the customer sites' folder"),
        "{}",
        r.stderr
    );
    assert!(!site.path("public").exists(), "nothing was written");
}

#[test]
fn fleet_index_says_what_replaced_it() {
    let site = fleet().edit("statusfleet.yaml", |y| {
        y.replace("  base_url:", "  fleet_index: true\n  base_url:")
    });
    let r = site.run(&["check"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("statusfleet.yaml:5:")
            && r.stderr
                .contains("site.fleet_index was replaced by the partner console"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_customer_carried_over_unchanged_stays_on_the_console() {
    let site = fleet();
    site.run(&["build", "--offline"]);
    let before = site.read("public-console/en/incidents/EX1.html");
    // Only beta renders again; the others come from the manifest.
    let r = site.run(&["build", "--offline", "--only", "beta"]);
    assert_eq!(r.code, 4, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(site.read("public-console/en/incidents/EX1.html"), before);
}

#[test]
fn an_unchanged_fleet_leaves_the_console_as_it_is() {
    use std::os::unix::fs::MetadataExt;
    let site = fleet();
    site.run(&["build", "--offline"]);
    let inode = |p: &str| std::fs::metadata(site.path(p)).unwrap().ino();
    let before = inode("public-console/en/index.html");
    let dir = inode("public-console");
    site.run(&["build", "--offline"]);
    assert_eq!(inode("public-console"), dir, "not even swapped");
    assert_eq!(inode("public-console/en/index.html"), before);
    // A change to one customer's data makes a new console.
    let snap = site.read("snap/beta.yaml");
    std::fs::write(
        site.path("snap/beta.yaml"),
        snap.replace("Search was slow", "Search was very slow"),
    )
    .unwrap();
    site.run(&["build", "--offline"]);
    assert!(
        site.read("public-console/en/incidents/index.html")
            .contains("Search was very slow")
    );
}

#[test]
fn long_lists_are_split_into_pages_with_a_bounded_pager() {
    let site = fleet().edit("statusfleet.yaml", |y| {
        y.replace(
            "  time_zone: Europe/Paris\n",
            "  time_zone: Europe/Paris\n  per_page: 1\n",
        )
    });
    site.run(&["build", "--offline"]);
    // Five customers, one a page: the overview, then fleet/2 … fleet/5.
    for n in 2..=5 {
        assert!(
            site.path(&format!("public-console/en/fleet/{n}.html"))
                .is_file()
        );
    }
    assert!(!site.path("public-console/en/fleet/6.html").exists());
    let third = site.read("public-console/en/fleet/3.html");
    assert!(third.contains("Page 3 of 5") && third.contains(r#"rel="prev""#));
    // Two incidents, one a page: the active one first, the resolved one on
    // page 2.
    let first = support::main_region(&site.read("public-console/en/incidents/index.html"));
    assert!(first.contains("Mail delivery delays") && !first.contains("Search was slow"));
    let second = support::main_region(&site.read("public-console/en/incidents/all/2.html"));
    assert!(
        second.contains("Search was slow")
            && second.contains(r#"href="../../incidents/index.html""#)
    );
    assert!(site.path("public-console/en/az/a.html").is_file());
}

/// What `statusfleet notify` could not deliver reaches the console's
/// sources page (and a count on the overview), the next build after it
/// changed; never a customer's site.
#[test]
fn failing_deliveries_reach_the_console_and_no_customer_file() {
    let site = fleet();
    let r = site.run(&["build", "--offline"]);
    assert_eq!(r.code, 4, "{}\n{}", r.stdout, r.stderr);
    let sources = site.read("public-console/en/sources.html");
    assert!(sources.contains("Every notification was delivered at its last attempt."));
    assert!(
        !site
            .read("public-console/en/index.html")
            .contains("failing deliver")
    );
    std::fs::create_dir_all(site.path("data")).unwrap();
    std::fs::write(
        site.path("data/_deliveries.json"),
        serde_json::json!([
            {"customer": "alpha", "channel": "email", "to": "email it@alpha.example",
             "subject": "Alphaquill: Mail delayed (New update)", "attempts": 3,
             "error": "SMTP 451 PLANTED-SMTP-9931 try again later",
             "queued_at": "2026-11-30T09:10:00Z", "next_attempt": "2026-11-30T09:18:00Z"},
            {"channel": "webhook", "to": "webhook hooks.partner.example",
             "subject": "Mail delayed (3 customers)", "attempts": 40,
             "error": "HTTP 500 PLANTED-HOOK-9932", "queued_at": "2026-11-27T09:10:00Z"}
        ])
        .to_string(),
    )
    .unwrap();
    let r = site.run(&["build", "--offline"]);
    assert_eq!(r.code, 4, "{}\n{}", r.stdout, r.stderr);
    let sources = site.read("public-console/en/sources.html");
    let doc = scraper::Html::parse_document(&sources);
    let rows: Vec<Vec<String>> = doc
        .select(&scraper::Selector::parse("section[aria-labelledby=deliveries] tbody tr").unwrap())
        .map(|tr| {
            tr.select(&scraper::Selector::parse("th, td").unwrap())
                .map(|c| c.text().collect::<String>())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 2, "{sources}");
    assert_eq!(rows[0][0], "Alphaquill Ltd");
    assert_eq!(rows[0][1], "email it@alpha.example");
    assert_eq!(rows[0][3], "3");
    assert!(rows[0][4].contains("PLANTED-SMTP-9931"));
    assert!(!rows[0][6].contains("Given up"), "{:?}", rows[0]);
    assert_eq!(rows[1][0], "Your helpdesk");
    assert_eq!(rows[1][6], "Given up");
    assert!(sources.contains(r#"<a href="customers/alpha.html""#));
    let overview = site.read("public-console/en/index.html");
    assert!(
        overview.contains(r#"<a href="sources.html#deliveries">2 failing deliveries</a>"#),
        "{overview}"
    );
    assert!(
        site.read("public-console/fr-FR/index.html")
            .contains("2 envois en échec")
    );
    for (path, bytes) in site.files("public") {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("PLANTED-SMTP") && !text.contains("PLANTED-HOOK"),
            "public/{path}"
        );
    }
}
