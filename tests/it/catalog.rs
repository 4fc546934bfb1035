//! The reference catalog and the code agree: every key a template or the
//! code asks for is in `i18n/en.yaml`, and every key there is asked for.

use std::collections::BTreeSet;
use std::path::Path;

use regex::Regex;
use walkdir::WalkDir;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &str, ext: &str) -> Vec<(String, String)> {
    WalkDir::new(repo().join(dir))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == ext))
        .map(|e| {
            (
                e.path().strip_prefix(repo()).unwrap().display().to_string(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect()
}

fn en_keys() -> BTreeSet<String> {
    let text = std::fs::read_to_string(repo().join("i18n/en.yaml")).unwrap();
    let map: serde_yaml::Mapping = serde_yaml::from_str(&text).unwrap();
    map.keys().map(|k| k.as_str().unwrap().to_owned()).collect()
}

/// What the templates and the code ask the catalogs for: keys by name,
/// with where (a template's `t(key=…)`, the code's `.t("…")`, `.text("…"`,
/// `text("…"`, `Step::inline(cat, "…"`), every other string literal of the
/// code that is a key, and the prefixes the code builds keys from at run
/// time (`label(cat, "health", key)`, `format!("status.overall.{key}")`).
struct Used {
    named: Vec<(String, String)>,
    literals: BTreeSet<String>,
    prefixes: BTreeSet<String>,
}

fn used(en: &BTreeSet<String>) -> Used {
    let template_key = Regex::new(r#"\bt\(\s*key\s*=\s*"([^"]+)""#).unwrap();
    let code_key = Regex::new(
        r#"(?:\.t|\btext|\.text_or_key|\.has|Step::inline\(\s*[a-z_.]+\s*,)\(?\s*"([a-z][a-z0-9_]*\.[a-z0-9_.]+)""#,
    )
    .unwrap();
    let literal = Regex::new(r#""([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)""#).unwrap();
    let label_family = Regex::new(r#"\blabel\(\s*[^,]+,\s*"([a-z_]+)""#).unwrap();
    let format_prefix = Regex::new(r#"format!\(\s*"([a-z_]+\.[a-z_.]*)\{"#).unwrap();
    let mut u = Used {
        named: Vec::new(),
        literals: BTreeSet::new(),
        prefixes: BTreeSet::new(),
    };
    for (path, text) in files("themes", "html") {
        for c in template_key.captures_iter(&text) {
            u.named.push((c[1].to_owned(), path.clone()));
        }
    }
    for (path, text) in files("src", "rs") {
        for c in code_key.captures_iter(&text) {
            u.named.push((c[1].to_owned(), path.clone()));
        }
        for c in literal.captures_iter(&text) {
            u.literals.insert(c[1].to_owned());
        }
        for c in label_family.captures_iter(&text) {
            u.prefixes.insert(format!("{}.", &c[1]));
        }
        // (`format!("credentials.{name}…")` in an error message is no key.)
        for c in format_prefix.captures_iter(&text) {
            if en.iter().any(|k| k.starts_with(&c[1])) {
                u.prefixes.insert(c[1].to_owned());
            }
        }
    }
    u
}

#[test]
fn every_key_asked_for_is_in_the_reference_catalog() {
    let en = en_keys();
    let keys = used(&en).named;
    assert!(
        keys.len() > 100,
        "found only {} keys: the scan is broken",
        keys.len()
    );
    let missing: Vec<String> = keys
        .iter()
        .filter(|(k, _)| !en.contains(k))
        .map(|(k, at)| format!("{at}: `{k}` is not in i18n/en.yaml"))
        .collect();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn every_key_of_the_reference_catalog_is_asked_for() {
    let en = en_keys();
    let u = used(&en);
    for p in &u.prefixes {
        assert!(
            en.iter().any(|k| k.starts_with(p.as_str())),
            "the code builds keys of `{p}…`, which i18n/en.yaml does not have"
        );
    }
    let unused: Vec<&String> = en
        .iter()
        .filter(|k| !u.named.iter().any(|(n, _)| n == *k) && !u.literals.contains(*k))
        .filter(|k| !u.prefixes.iter().any(|p| k.starts_with(p.as_str())))
        // Read by the catalog loader itself.
        .filter(|k| !["locale.name", "locale.dir"].contains(&k.as_str()))
        .collect();
    assert!(
        unused.is_empty(),
        "keys of i18n/en.yaml that no template or code asks for (remove them, or use them):\n{}",
        unused
            .iter()
            .map(|k| format!("  {k}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
