//! Snapshots of page `<main>` regions per locale. Inputs carry fixed times
//! (the page clock is the snapshot's `taken_at`), so nothing needs redacting.
//! After an intended change: `INSTA_UPDATE=always cargo test --test it snapshots::`,
//! then review the diff of `tests/it/snapshots/`.

use crate::support;

use support::{SiteTest, main_region};

#[test]
fn incident_page_in_every_locale() {
    let site = SiteTest::demo();
    site.build();
    for locale in ["en", "fr-FR", "ko-KR", "zh-CN"] {
        let html = site.read(&format!("public/contoso/{locale}/incidents/EX948213.html"));
        insta::assert_snapshot!(format!("incident_EX948213_{locale}"), main_region(&html));
    }
}

#[test]
fn overview_history_and_maintenance_of_a_small_site() {
    let site = SiteTest::from_fixture("small");
    site.build();
    for locale in ["en", "fr-FR"] {
        for page in ["index", "history/index", "maintenance"] {
            let html = site.read(&format!("public/acme/{locale}/{page}.html"));
            let name = format!("small_{}_{locale}", page.replace('/', "_"));
            insta::assert_snapshot!(name, main_region(&html));
        }
    }
}

/// The overview in each state a customer's admin meets it in: what to do
/// comes right after the active incidents while something is active and
/// for `next_steps_after_resolved_hours` after the last one ended, at the
/// bottom otherwise; an active card's stripe and impact badge follow its
/// severity (an advisory that degrades is amber, an outage red).
#[test]
fn overview_in_each_state() {
    let states = [
        (
            "nothing_active",
            "resolved",
            "incident",
            "partial_outage",
            // Resolved two days before the data's time.
            Some("2026-11-20T10:00:00Z"),
        ),
        (
            "active_advisory",
            "investigating",
            "advisory",
            "degraded",
            None,
        ),
        (
            "active_outage",
            "investigating",
            "incident",
            "major_outage",
            None,
        ),
        (
            "recently_resolved",
            "resolved",
            "incident",
            "partial_outage",
            // Resolved 23 hours before the data's time.
            Some("2026-11-20T10:00:00Z"),
        ),
    ];
    for (name, status, classification, impact, ended) in states {
        let site = SiteTest::from_fixture("small").edit("demo/acme.yaml", |s| {
            let s = s
                .replace(
                    "status: investigating\n    services",
                    &format!("status: {status}\n    impact: {impact}\n    services"),
                )
                .replace(
                    "classification: incident",
                    &format!("classification: {classification}"),
                );
            match ended {
                Some(t) => s
                    .replace("2026-11-22T09:", "2026-11-20T09:")
                    .replace(
                        "    started_at: 2026-11-20T09:00:00Z\n",
                        &format!("    started_at: 2026-11-20T09:00:00Z\n    ended_at: {t}\n"),
                    )
                    .replace(
                        "taken_at: 2026-11-22T12:00:00Z",
                        if name == "recently_resolved" {
                            "taken_at: 2026-11-21T09:00:00Z"
                        } else {
                            "taken_at: 2026-11-22T12:00:00Z"
                        },
                    ),
                None => s,
            }
        });
        let r = site.build();
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        let html = site.read("public/acme/en/index.html");
        let main = main_region(&html);
        let next = main.find("id=\"next\"").unwrap();
        let services = main.find("id=\"services\"").unwrap();
        assert_eq!(
            next < services,
            name != "nothing_active",
            "{name}: next steps at the wrong place"
        );
        insta::assert_snapshot!(format!("overview_{name}"), main);
    }
}

/// A service page lists its active incident once (not again under its
/// history), and says what to do for its state as an incident page does.
#[test]
fn a_service_page_says_what_to_do_for_its_state() {
    let site = SiteTest::from_fixture("small");
    assert_eq!(site.build().code, 0);
    let html = main_region(&site.read("public/acme/en/services/exchange.html"));
    let cards = html
        .matches("<h3><a dir=\"ltr\" href=\"../incidents/EX1.html\"")
        .count();
    assert_eq!(cards, 1, "{html}");
    for want in [
        "This problem is known and is being worked on",
        "Administrators can follow it in the <a href=\"https://admin.microsoft.com/",
        "<a href=\"../support.html\">try the self-support steps first</a>",
    ] {
        assert!(html.contains(want), "missing {want:?}:\n{html}");
    }
    assert!(!html.contains("not listed here"), "{html}");
    // Resolved an hour ago: if the problem persists, submit a request.
    let site = SiteTest::from_fixture("small").edit("demo/acme.yaml", |s| {
        s.replace(
            "status: investigating\n    services",
            "status: resolved\n    services",
        )
        .replace(
            "    started_at: 2026-11-22T09:00:00Z\n",
            "    started_at: 2026-11-22T09:00:00Z\n    ended_at: 2026-11-22T11:00:00Z\n",
        )
    });
    assert_eq!(site.build().code, 0);
    let html = main_region(&site.read("public/acme/en/services/exchange.html"));
    assert!(
        html.contains("If the problem persists after the end of the service outage"),
        "{html}"
    );
    assert!(
        html.contains("Administrators can see details in the"),
        "{html}"
    );
    assert!(!html.contains("This problem is known"), "{html}");
}
