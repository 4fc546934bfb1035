//! The shipped demo fleet, built end to end by the real binary.

use crate::support;

use std::path::Path;

use scraper::{Html, Selector};
use support::SiteTest;

const CUSTOMERS: [&str; 4] = ["contoso", "hanbit", "lianhua", "fromagerie"];
const LOCALES: [&str; 4] = ["en", "fr-FR", "ko-KR", "zh-CN"];

/// Each demo customer's locales, its default first (as statusfleet.yaml
/// lists them).
fn customer_locales(customer: &str) -> &'static [&'static str] {
    match customer {
        "contoso" => &["en", "fr-FR", "ko-KR", "zh-CN", "ar-SA"],
        "hanbit" => &["ko-KR", "en", "fr-FR", "zh-CN", "ja-JP"],
        "lianhua" => &["zh-CN", "en", "fr-FR", "ko-KR"],
        "fromagerie" => &["fr-FR", "en", "ko-KR", "zh-CN"],
        other => panic!("{other} is not a demo customer"),
    }
}

/// The demo, built. A clean build of a good site prints its summary and
/// nothing else: no warnings of the libraries beneath it on stderr.
fn built_demo() -> SiteTest {
    let site = SiteTest::demo();
    let r = site.build();
    assert_eq!(r.stderr, "", "stderr of a clean build");
    site
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

#[test]
fn every_customer_and_locale_gets_every_page_type() {
    let site = built_demo();
    for c in CUSTOMERS {
        assert!(
            site.path(&format!("public/{c}/index.html")).is_file(),
            "{c} chooser"
        );
        for l in LOCALES {
            let base = format!("public/{c}/{l}");
            for page in [
                "index.html",
                "history/index.html",
                "maintenance.html",
                "support.html",
            ] {
                assert!(
                    site.path(&format!("{base}/{page}")).is_file(),
                    "{base}/{page}"
                );
            }
            let count = |dir: &str| {
                std::fs::read_dir(site.path(&format!("{base}/{dir}"))).map_or(0, |d| d.count())
            };
            assert!(count("services") >= 5, "{base}: services");
            assert!(count("incidents") >= 11, "{base}: incidents");
            // Every demo customer has more than one page of history.
            assert!(
                site.path(&format!("{base}/history/2.html")).is_file(),
                "{base}/history/2.html"
            );
        }
    }
}

#[test]
fn every_internal_link_resolves_and_nothing_is_loaded_from_elsewhere() {
    support::checks::links_resolve(&built_demo().files("public"));
}

#[test]
fn pages_declare_their_locale_and_link_every_alternate() {
    support::checks::locales_and_alternates(&built_demo().files("public"), customer_locales);
}

#[test]
fn the_customer_root_sends_browsers_to_the_default_locale_without_javascript() {
    let site = built_demo();
    for customer in CUSTOMERS {
        let locales = customer_locales(customer);
        let default = locales[0];
        let html = site.read(&format!("public/{customer}/index.html"));
        let doc = Html::parse_document(&html);
        let refresh = doc
            .select(&sel(r#"meta[http-equiv="refresh"]"#))
            .next()
            .unwrap();
        assert_eq!(
            refresh.value().attr("content"),
            Some(format!("0; url={default}/index.html").as_str())
        );
        assert_eq!(
            doc.select(&sel("html"))
                .next()
                .unwrap()
                .value()
                .attr("lang"),
            Some(default)
        );
        assert_eq!(doc.select(&sel("ul.chooser a")).count(), locales.len());
    }
}

#[test]
fn two_builds_give_identical_bytes_and_the_second_rewrites_nothing() {
    let a = built_demo();
    let b = built_demo();
    let files_a = a.files("public");
    assert_eq!(
        files_a,
        b.files("public"),
        "two builds of the same inputs differ"
    );
    let mtimes = |s: &SiteTest| -> Vec<(String, std::time::SystemTime, u64)> {
        use std::os::unix::fs::MetadataExt;
        s.files("public")
            .iter()
            .map(|(p, _)| {
                let m = std::fs::metadata(s.path(&format!("public/{p}"))).unwrap();
                (p.clone(), m.modified().unwrap(), m.ino())
            })
            .collect()
    };
    let before = mtimes(&a);
    let again = a.build();
    assert!(
        again.stdout.contains(&format!(
            "0 written, {} unchanged, 0 removed",
            files_a.len()
        )),
        "{}",
        again.stdout
    );
    assert_eq!(before, mtimes(&a), "the second build touched files");
}

#[test]
fn one_customer_never_shows_another_customers_name() {
    let site = built_demo();
    let names = [
        ("contoso", "Contoso Ltd"),
        ("hanbit", "한빛물산"),
        ("lianhua", "莲花科技有限公司"),
        ("fromagerie", "Fromagerie Dubois SA"),
    ];
    for (page, bytes) in site.files("public").iter().filter(|(p, _)| p.contains('/')) {
        let text = String::from_utf8_lossy(bytes);
        let owner = page.split('/').next().unwrap();
        for (slug, name) in names.iter().filter(|(s, _)| *s != owner) {
            assert!(!text.contains(name), "{page} mentions {slug}");
        }
    }
}

#[test]
fn next_steps_follow_state_and_cloud() {
    let site = built_demo();
    let steps = |page: &str| {
        let doc = Html::parse_document(&site.read(page));
        doc.select(&sel(".next ul.steps"))
            .next()
            .unwrap()
            .text()
            .collect::<String>()
    };
    // Active incident: known, updates here, the portal of its platform.
    let active = steps("public/contoso/en/incidents/EX948213.html");
    assert!(
        active.contains("This problem is known and is being worked on"),
        "{active}"
    );
    assert!(active.contains("Microsoft 365 admin center"), "{active}");
    assert!(!active.contains("If the problem persists"), "{active}");
    // Resolved: submit a service request.
    let resolved = steps("public/contoso/en/incidents/TM947120.html");
    assert!(
        resolved.contains(
            "If the problem persists after the end of the service outage, submit a service request."
        ),
        "{resolved}"
    );
    // 21Vianet: the request goes to 21Vianet, portals are the China ones.
    let china = Html::parse_document(&site.read("public/lianhua/zh-CN/index.html"));
    let text: String = china.select(&sel(".next")).next().unwrap().text().collect();
    assert!(text.contains("世纪互联"), "{text}");
    let hrefs: Vec<&str> = china
        .select(&sel(".next a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(
        hrefs
            .iter()
            .any(|h| h.starts_with("https://portal.azure.cn/")),
        "{hrefs:?}"
    );
    assert!(
        !hrefs
            .iter()
            .any(|h| h.starts_with("https://portal.azure.com/")),
        "{hrefs:?}"
    );
}

#[test]
fn upstream_text_keeps_its_language_and_hostile_markup_is_gone() {
    let site = built_demo();
    let html = site.read("public/contoso/ko-KR/incidents/EX948213.html");
    let doc = Html::parse_document(&html);
    for body in doc.select(&sel("ol.timeline .body")) {
        assert_eq!(body.value().attr("lang"), Some("en"));
    }
    assert!(
        !html.contains("<script") && !html.contains("onerror"),
        "unsanitized markup"
    );
    assert!(
        Path::new(&site.path("public-console/index.html")).is_file()
            && !Path::new(&site.path("public/index.html")).exists(),
        "the partner console beside the sites, no fleet list at their root"
    );
}
