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
