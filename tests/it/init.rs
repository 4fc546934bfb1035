//! `statusfleet init`: the new site builds at once and passes the demo's
//! link and locale checks; its commented examples are valid config; it
//! never overwrites a file.

use crate::support;

use std::path::Path;
use std::process::Command;

use support::files_under;

fn statusfleet(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_statusfleet"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_new_site_builds_offline_and_passes_the_link_and_locale_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out) = statusfleet(tmp.path(), &["init", "x"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("created x/statusfleet.yaml"), "{out}");
    let site = tmp.path().join("x");
    let (code, out) = statusfleet(&site, &["build", "--offline"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("built 1 customers × 4 locales"),
        "one customer in four locales: {out}"
    );
    let files = files_under(&site.join("public"));
    support::checks::links_resolve(&files);
    support::checks::locales_and_alternates(&files, |_| &["en", "fr-FR", "ko-KR", "zh-CN"]);
    let page = |p: &str| {
        let (_, bytes) = files
            .iter()
            .find(|(f, _)| f == p)
            .unwrap_or_else(|| panic!("{p}"));
        String::from_utf8(bytes.clone()).unwrap()
    };
    // Every page type, the support page in each locale's own words, the
    // branding.
    for p in [
        "example/index.html",
        "example/en/incidents/EX100001.html",
        "example/en/services/exchange.html",
        "example/en/history/index.html",
        "example/en/maintenance.html",
        "example/en/feed.atom",
        "example/api/v2/summary.json",
        "example/static/partner-logo.svg",
        "example/static/customer-logo.svg",
    ] {
        page(p);
    }
    for (locale, title) in [
        ("en", "<h1>Support</h1>"),
        ("fr-FR", "<h1>Assistance</h1>"),
        ("ko-KR", "<h1>지원</h1>"),
        ("zh-CN", "<h1>支持</h1>"),
    ] {
        let html = page(&format!("example/{locale}/support.html"));
        assert!(html.contains(title), "{locale}: {html}");
    }
    let overview = page("example/en/index.html");
    assert!(overview.contains("Some users may see delays when receiving email"));
    assert!(overview.contains(r#"href="../static/brand.css""#));
    assert!(page("example/static/brand.css").contains("--link: #2f5b9c"));
    // `check` agrees, and a second build writes nothing.
    let (code, out) = statusfleet(&site, &["check"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = statusfleet(&site, &["build", "--offline"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(" 0 written"), "{out}");
}

/// Removes `# ` from every commented-out YAML line (a key or a list item;
/// prose comments start with a capital letter or a command).
fn uncomment_examples(text: &str) -> String {
    text.lines()
        .map(|line| {
            let indent = line.len() - line.trim_start().len();
            let Some(rest) = line.trim_start().strip_prefix("# ") else {
                return line.to_owned();
            };
            let body = rest.trim_start();
            let key = body.split_once(':').is_some_and(|(k, _)| {
                k.starts_with(|c: char| c.is_ascii_lowercase())
                    && k.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'
                    })
            });
            if key || body.starts_with("- ") {
                format!("{}{rest}", &line[..indent])
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_commented_examples_cover_every_source_and_cloud_and_are_valid_config() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out) = statusfleet(tmp.path(), &["init"]);
    assert_eq!(code, 0, "{out}");
    let text = std::fs::read_to_string(tmp.path().join("statusfleet.yaml")).unwrap();
    let full = uncomment_examples(&text);
    for needle in [
        "- file: {",
        "- graph: {",
        "- azure: {",
        "- statuspage: {",
        "discovery:\n  partner_center:",
        "credentials:\n  partner-app:",
        "cloud: global",
        "cloud: china",
        "base_url:",
    ] {
        assert!(full.contains(needle), "no example of `{needle}`:\n{full}");
    }
    // The live parts are examples: the site as made needs no credentials.
    let live: Vec<&str> = text
        .lines()
        .map(|l| l.split('#').next().unwrap())
        .filter(|code| {
            [
                "graph:",
                "azure:",
                "statuspage:",
                "discovery:",
                "credentials:",
                "china",
            ]
            .iter()
            .any(|k| code.contains(k))
        })
        .collect();
    assert!(live.is_empty(), "not commented out: {live:?}");
    std::fs::write(tmp.path().join("full.yaml"), &full).unwrap();
    let (code, out) = statusfleet(tmp.path(), &["check", "--config", "full.yaml"]);
    assert_eq!(
        code, 0,
        "the uncommented examples are not valid config:\n{out}\n{full}"
    );
    assert!(out.contains("ok: 2 customers"), "{out}");
}

#[test]
fn init_never_overwrites_and_writes_nothing_when_one_file_exists() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    std::fs::create_dir_all(site.join("content/pages")).unwrap();
    std::fs::write(site.join("content/pages/support.md"), "mine").unwrap();
    std::fs::write(site.join("notes.txt"), "unrelated").unwrap();
    let (code, out) = statusfleet(tmp.path(), &["init", "site"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("content/pages/support.md already exists in site; nothing was written"),
        "{out}"
    );
    let left: Vec<String> = files_under(&site).into_iter().map(|(p, _)| p).collect();
    assert_eq!(left, ["content/pages/support.md", "notes.txt"]);
    assert_eq!(
        std::fs::read_to_string(site.join("content/pages/support.md")).unwrap(),
        "mine"
    );

    // A folder with only unrelated files is fine; a second init is refused
    // and changes no byte.
    std::fs::remove_file(site.join("content/pages/support.md")).unwrap();
    let (code, out) = statusfleet(tmp.path(), &["init", "site"]);
    assert_eq!(code, 0, "{out}");
    let before = files_under(&site);
    let (code, out) = statusfleet(&site, &["init"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("statusfleet.yaml, snapshots/example.yaml"),
        "{out}"
    );
    assert_eq!(files_under(&site), before);
}
