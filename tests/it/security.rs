//! One customer never sees another's data; `site.path: secret` folders;
//! nothing reads outside the site folder or writes outside the output.

use crate::support;

use std::fmt::Write as _;

use support::SiteTest;

const CUSTOMERS: [&str; 3] = ["alpha", "bravo", "charlie"];
const PATH_SECRET: &str = "0123456789abcdef0123456789abcdef-test";

/// A marker unique to one customer and one field.
fn marker(slug: &str, field: &str) -> String {
    format!("MK{}{field}X", slug.to_uppercase())
}

/// A snapshot whose every text field carries its customer's markers. The
/// incident ids are shared on purpose (`EX1` is the same Microsoft
/// incident for every tenant); everything said about it differs.
fn snapshot(slug: &str) -> String {
    let m = |f: &str| marker(slug, f);
    serde_json::json!({
        "taken_at": "2026-11-22T12:00:00Z",
        "services": [
            {"id": "exchange", "name": m("svcname"), "health": "degraded", "upstream_status": m("svcstatus"), "description": m("svcdesc")},
            {"id": "teams", "name": m("svcname2"), "health": "operational"},
        ],
        "incidents": [
            {"id": "EX1", "title": m("title"), "classification": "incident", "status": "investigating",
             "impact": "degraded", "impact_description": m("impact"), "services": ["exchange"],
             "started_at": "2026-11-22T08:00:00Z",
             "updates": [
                {"at": "2026-11-22T08:30:00Z", "status": "investigating", "body": m("body"), "format": "text", "region": m("region")},
                {"at": "2026-11-22T09:30:00Z", "status": "identified", "body": format!("<p>{}</p>", m("html")), "format": "html"},
             ],
             "links": [{"title": m("linktitle"), "url": format!("https://{}.example/x", slug)}]},
            {"id": format!("{slug}-own"), "title": m("owntitle"), "classification": "advisory", "status": "resolved",
             "services": ["teams"], "started_at": "2026-11-10T08:00:00Z", "ended_at": "2026-11-10T09:00:00Z",
             "updates": [{"at": "2026-11-10T08:30:00Z", "body": m("ownbody"), "format": "markdown"}]},
        ],
        "maintenance": [
            {"id": "MNT1", "title": m("mainttitle"), "services": ["exchange"], "starts_at": "2026-12-01T00:00:00Z",
             "ends_at": "2026-12-01T02:00:00Z", "status": "scheduled", "body": m("maintbody"), "format": "text"},
        ],
        "stale": [{"source": m("stalesource"), "since": "2026-11-22T11:00:00Z", "reason": m("stalereason")}],
    })
    .to_string()
}

fn config(extra_site: &str) -> String {
    let mut y = format!(
        "site:\n  title: Status\n  partner:\n    name: Northwind\n  base_url: https://status.example.net/\n  locales: [en, fr-FR, ko-KR, zh-CN]\n{extra_site}customers:\n"
    );
    for slug in CUSTOMERS {
        let m = |f: &str| marker(slug, f);
        write!(
            y,
            "  - slug: {slug}\n    name: {}\n    tenant_id: {}\n    indexable: {}\n    sources:\n      - file: {{ path: data-files/{slug}.json }}\n    support:\n      service_request_url: https://desk.example/{}\n      self_support_url: https://kb.example/{}\n      email: {}@desk.example\n      phone: \"+1 555 {}\"\n",
            m("name"),
            m("tenant").to_lowercase(),
            !extra_site.contains("path: secret"),
            m("request"),
            m("selfsupport"),
            m("email").to_lowercase(),
            m("phone"),
        )
        .unwrap();
    }
    y
}

/// A site of three customers, each with its own markers in every input:
/// config, snapshot, partner incident, partner maintenance, note, page.
fn site(extra_site: &str) -> SiteTest {
    let site = SiteTest::with_config(&config(extra_site));
    for slug in CUSTOMERS {
        let m = |f: &str| marker(slug, f);
        let w = |rel: &str, text: String| {
            let p = site.path(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        w(&format!("data-files/{slug}.json"), snapshot(slug));
        w(
            &format!("content/incidents/{slug}-own.md"),
            format!("---\ntitle: {}\n---\n{}\n", m("notetitle"), m("notebody")),
        );
        w(
            &format!("content/incidents/{slug}-local.md"),
            format!(
                "---\ntitle: {}\ncustomers: [{slug}]\nservices: [teams]\nclassification: incident\nstatus: resolved\nstarted_at: 2026-11-05T00:00:00Z\nended_at: 2026-11-05T01:00:00Z\n---\n{}\n",
                m("partnertitle"),
                m("partnerbody")
            ),
        );
        w(
            &format!("content/maintenance/{slug}-window.md"),
            format!(
                "---\ntitle: {}\ncustomers: [{slug}]\nservices: [exchange]\nstarts_at: 2026-12-03T00:00:00Z\nends_at: 2026-12-03T01:00:00Z\n---\n{}\n",
                m("pmtitle"),
                m("pmbody")
            ),
        );
        w(
            &format!("content/pages/{slug}-page.md"),
            format!(
                "---\ntitle: {}\ncustomers: [{slug}]\n---\n{}\n",
                m("pagetitle"),
                m("pagebody")
            ),
        );
    }
    site
}

const FIELDS: &[&str] = &[
    "name",
    "svcname",
    "svcdesc",
    "title",
    "impact",
    "body",
    "region",
    "html",
    "linktitle",
    "owntitle",
    "ownbody",
    "mainttitle",
    "maintbody",
    "stalesource",
    "notetitle",
    "notebody",
    "partnertitle",
    "partnerbody",
    "pmtitle",
    "pmbody",
    "pagetitle",
    "pagebody",
    "request",
    "selfsupport",
    "email",
    "phone",
];

/// Every customer's output holds its own markers and none of another's;
/// the fleet-level files hold none at all.
fn assert_isolated(site: &SiteTest, folder_of: &dyn Fn(&str) -> String, sitemaps: bool) -> usize {
    let files = site.files("public");
    let mut checked = 0;
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes).to_uppercase();
        let owner = CUSTOMERS
            .iter()
            .find(|s| name.starts_with(&format!("{}/", folder_of(s))));
        for other in CUSTOMERS {
            if owner == Some(&other) {
                continue;
            }
            let prefix = format!("MK{}", other.to_uppercase());
            assert!(!text.contains(&prefix), "{name} holds {other}'s data");
        }
        checked += 1;
    }
    // Why a source failed is the operator's diagnostics: in no file.
    for slug in CUSTOMERS {
        let reason = marker(slug, "stalereason").to_uppercase();
        for (name, bytes) in &files {
            assert!(
                !String::from_utf8_lossy(bytes)
                    .to_uppercase()
                    .contains(&reason),
                "{name} shows {slug}'s stale reason"
            );
        }
    }
    // And the test has teeth: every field of every customer reached its
    // own output, in some file.
    for slug in CUSTOMERS {
        let own: String = files
            .iter()
            .filter(|(n, _)| n.starts_with(&format!("{}/", folder_of(slug))))
            .map(|(_, b)| String::from_utf8_lossy(b).to_uppercase())
            .collect();
        for f in FIELDS {
            assert!(
                own.contains(&marker(slug, f).to_uppercase()),
                "{slug}'s {f} is in none of its files"
            );
        }
        // Every kind of output is there to be checked.
        let kinds: &[&str] = if sitemaps {
            &[".html", ".atom", ".ics", ".json", ".svg", "sitemap.xml"]
        } else {
            &[".html", ".atom", ".ics", ".json", ".svg"]
        };
        for kind in kinds {
            assert!(
                files
                    .iter()
                    .any(|(n, _)| n.starts_with(&format!("{}/", folder_of(slug)))
                        && n.ends_with(kind)),
                "{slug} has no {kind}"
            );
        }
    }
    checked
}

#[test]
fn no_customer_sees_another_customers_data() {
    let site = site("");
    let r = site.run(&["build", "--offline", "-q"]);
    assert_eq!(r.code, 4, "{}", r.stderr); // stale sources, on purpose
    let n = assert_isolated(&site, &|s| s.to_owned(), true);
    assert!(site.path("public/sitemap.xml").is_file());
    eprintln!(
        "isolation: {n} files of 3 customers checked; {} marker fields each",
        FIELDS.len()
    );
}

/// HMAC-SHA256(key, "tenant:<id>"), first 16 bytes, base32 lowercase:
/// computed independently (Python's hmac and base64 modules) for the
/// tenants of this test.
const EXPECTED_FOLDERS: [(&str, &str); 3] = [
    ("alpha", "6rl3fa5yx5vu34qqe2ixqhweri"),
    ("bravo", "oei7x2knjzkntwzi2shn3bhnui"),
    ("charlie", "qsrna7rgbqegzbnto3w5pwu5wy"),
];

#[test]
fn secret_paths_are_unguessable_folders() {
    let site = site("  path: secret\n  path_secret_env: TEST_PATH_SECRET\n");
    let r = site.run_env(
        &["build", "--offline", "-q"],
        &[("TEST_PATH_SECRET", PATH_SECRET)],
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
    let folder = |slug: &str| {
        EXPECTED_FOLDERS
            .iter()
            .find(|(s, _)| *s == slug)
            .unwrap()
            .1
            .to_owned()
    };
    let mut top: Vec<String> = std::fs::read_dir(site.path("public"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    let mut want: Vec<String> = CUSTOMERS.iter().map(|s| folder(s)).collect();
    want.push("robots.txt".to_owned());
    want.sort();
    assert_eq!(top, want, "only the secret folders and robots.txt");
    assert_isolated(&site, &folder, false);
    // No output names a slug's folder or holds the secret.
    for (name, bytes) in site.files("public") {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(PATH_SECRET), "secret in {name}");
        for slug in CUSTOMERS {
            assert!(
                !text.contains(&format!("/{slug}/")),
                "{name} names /{slug}/"
            );
        }
    }
    assert!(!r.stdout.contains(PATH_SECRET) && !r.stderr.contains(PATH_SECRET));
    // The partner console, beside the output, links the secret folders
    // (which is why it is private).
    for slug in CUSTOMERS {
        let page = site.read(&format!("public-console/en/customers/{slug}.html"));
        assert!(
            page.contains(&format!(
                "https://status.example.net/{}/index.html",
                folder(slug)
            )),
            "the console links {slug}'s secret folder"
        );
    }
    // `paths` hands out the links.
    let p = site.run_env(&["paths"], &[("TEST_PATH_SECRET", PATH_SECRET)]);
    assert_eq!(p.code, 0, "{}", p.stderr);
    for slug in CUSTOMERS {
        let f = folder(slug);
        assert!(
            p.stdout
                .contains(&format!("{slug}\t{f}\thttps://status.example.net/{f}/\n")),
            "{}",
            p.stdout
        );
    }
    // Another secret, other folders: the old ones are removed.
    let other = "another-secret-of-at-least-32-characters";
    let r = site.run_env(
        &["build", "--offline", "-q"],
        &[("TEST_PATH_SECRET", other)],
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
    for slug in CUSTOMERS {
        assert!(!site.path(&format!("public/{}", folder(slug))).exists());
    }
}

#[test]
fn secret_paths_refuse_what_would_list_them() {
    type Env<'a> = &'a [(&'a str, &'a str)];
    let cases: [(&str, Env, &str); 4] = [
        (
            "  path: secret\n",
            &[],
            "site.path is secret, but the environment variable STATUSFLEET_PATH_SECRET is not set",
        ),
        (
            "  path: secret\n",
            &[("STATUSFLEET_PATH_SECRET", "short")],
            "is shorter than 32 characters",
        ),
        (
            "  path: secret\n  fleet_index: true\n",
            &[("STATUSFLEET_PATH_SECRET", PATH_SECRET)],
            "site.fleet_index was replaced by the partner console",
        ),
        (
            "  path: secret\n",
            &[("STATUSFLEET_PATH_SECRET", PATH_SECRET)],
            "customer `alpha` is indexable, but site.path is secret",
        ),
    ];
    for (extra, env, want) in cases {
        let mut yaml = config(extra);
        if extra == "  path: secret\n" && !env.is_empty() && env[0].1 == PATH_SECRET {
            yaml = yaml.replacen("indexable: false", "indexable: true", 1);
        }
        let site = SiteTest::with_config(&yaml);
        let r = site.run_env(&["check"], env);
        assert_eq!(r.code, 3, "{extra}: {}", r.stdout);
        assert!(r.stderr.contains("statusfleet.yaml:"), "{}", r.stderr);
        assert!(r.stderr.contains(want), "{extra}: {}", r.stderr);
        assert!(!r.stderr.contains(PATH_SECRET));
    }
}

#[test]
fn nothing_is_read_outside_the_site_folder() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.json"),
        "{\"taken_at\": \"2026-11-22T12:00:00Z\"}",
    )
    .unwrap();
    let base = || site("");
    // A file source with `..`, an absolute path, and a symlink leading out.
    let abs = outside.path().join("secret.json");
    for (path, want) in [
        ("../secret.json".to_owned(), "is outside the site folder"),
        (abs.display().to_string(), "is outside the site folder"),
        (
            "data-files/link.json".to_owned(),
            "a symbolic link leads out",
        ),
    ] {
        let site = base();
        std::os::unix::fs::symlink(&abs, site.path("data-files/link.json")).unwrap();
        let text = site
            .read("statusfleet.yaml")
            .replacen("data-files/alpha.json", &path, 1);
        std::fs::write(site.path("statusfleet.yaml"), text).unwrap();
        let r = site.run(&["build", "--offline"]);
        assert_eq!(r.code, 3, "{path}: {}", r.stdout);
        assert!(
            r.stderr.contains("customer `alpha`: file source") && r.stderr.contains(want),
            "{path}: {}",
            r.stderr
        );
        assert!(!site.path("public").exists(), "nothing built");
    }
    // Symlinks in content/ and in a theme are refused, not followed.
    let site = base();
    std::os::unix::fs::symlink(&abs, site.path("content/pages/leak.md")).unwrap();
    let r = site.run(&["build", "--offline"]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.contains("symbolic links are not followed"),
        "{}",
        r.stderr
    );

    let site = base();
    std::fs::create_dir_all(site.path("themes/mine/static")).unwrap();
    std::os::unix::fs::symlink(&abs, site.path("themes/mine/static/leak.css")).unwrap();
    let text = site.read("statusfleet.yaml").replacen(
        "  title: Status\n",
        "  title: Status\n  theme: mine\n",
        1,
    );
    std::fs::write(site.path("statusfleet.yaml"), text).unwrap();
    let r = site.run(&["build", "--offline"]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.contains("a symbolic link in a theme"),
        "{}",
        r.stderr
    );

    // A theme name cannot climb out of themes/.
    let site = base();
    let text = site.read("statusfleet.yaml").replacen(
        "  title: Status\n",
        "  title: Status\n  theme: ../../etc\n",
        1,
    );
    std::fs::write(site.path("statusfleet.yaml"), text).unwrap();
    let r = site.run(&["build", "--offline"]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr
            .contains("expected the name of a folder under themes/"),
        "{}",
        r.stderr
    );
}

#[test]
fn nothing_is_written_outside_the_output() {
    // Ids made of path tricks become safe file names inside the customer's
    // folder; the site folder around the output gains nothing else.
    let site = site("");
    let tricky = snapshot("alpha")
        .replace("\"alpha-own\"", "\"../../../escaped\"")
        .replace("\"MNT1\"", "\"/tmp/evil\"")
        .replace("\"EX1\"", "\"..\\\\..\\\\win\"");
    std::fs::write(site.path("data-files/alpha.json"), tricky).unwrap();
    std::fs::remove_file(site.path("content/incidents/alpha-own.md")).unwrap();
    let before: Vec<String> = site.files("").into_iter().map(|(n, _)| n).collect();
    let r = site.run(&["build", "--offline", "-q"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    for (name, _) in site.files("") {
        assert!(
            before.contains(&name)
                || name.starts_with("public/")
                || name.starts_with("public-console/")
                || name == ".public.manifest.json"
                || name == ".public-console.fingerprint"
                // The page keys, one file per customer folder.
                || name
                    .strip_prefix(".public.pages/")
                    .and_then(|n| n.strip_suffix(".keys"))
                    .is_some_and(|c| site.path(&format!("public/{c}")).is_dir()),
            "written outside the output: {name}"
        );
    }
    assert!(!std::path::Path::new("/tmp/evil").exists());
    let incidents: Vec<String> = site
        .files("public/alpha/en/incidents")
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(
        incidents
            .iter()
            .all(|n| !n.contains('/') && !n.starts_with('.')),
        "{incidents:?}"
    );
}
