//! The link and locale checks every built site must pass: the demo's, and
//! the site `statusfleet init` makes.

use std::collections::BTreeSet;

use scraper::{Html, Selector};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// Resolves a relative link from `page` (a path under public/), ignoring
/// the fragment and query; `None` for links that leave the site.
pub fn resolve(page: &str, href: &str) -> Option<String> {
    if href.starts_with("http://")
        || href.starts_with("https://")
        || href.starts_with("mailto:")
        || href.starts_with("tel:")
    {
        return None;
    }
    let href = href.split(['#', '?']).next().unwrap();
    if href.is_empty() {
        return Some(page.to_owned());
    }
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in href.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop().expect("link climbs above the output root");
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Every internal link, stylesheet and image of every page resolves to a
/// file of the site; nothing loads from another site; no script, frame or
/// object. `files` are the output's files (paths relative to it).
pub fn links_resolve(files: &[(String, Vec<u8>)]) {
    let paths: BTreeSet<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    let links = sel("a[href], link[href], img[src], script[src], script, iframe, object, embed");
    for (page, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let mut checked = 0;
        let doc = Html::parse_document(std::str::from_utf8(bytes).unwrap());
        for el in doc.select(&links) {
            let name = el.value().name();
            assert!(
                !matches!(name, "script" | "iframe" | "object" | "embed"),
                "{page}: <{name}>"
            );
            let target = el.value().attr("href").or(el.value().attr("src")).unwrap();
            if name != "a" {
                let rel = el.value().attr("rel").unwrap_or_default();
                assert!(
                    !(target.starts_with("http:")
                        || target.starts_with("https:")
                        || target.starts_with("//"))
                        || rel == "alternate",
                    "{page}: <{name}> loads {target} from another site"
                );
            }
            if let Some(file) = resolve(page, target) {
                assert!(
                    paths.contains(file.as_str()),
                    "{page}: broken link {target} ({file})"
                );
                checked += 1;
            }
        }
        // At least the stylesheet and the alternates of every customer page
        // were followed (the fleet index has only customer links; the
        // widget, for an iframe, only the status page's).
        if page.contains('/') && !page.ends_with("/widget.html") {
            assert!(checked >= 6, "{page}: only {checked} internal links");
        }
    }
}

/// Every customer page (`<customer>/<locale>/…`) declares its locale in
/// `<html lang dir>` (right-to-left for Arabic, Hebrew and Persian), links
/// each of the customer's locales and `x-default` (the customer's default
/// locale, the first of `customer_locales`) as alternates of the same
/// page, and its language switcher stays on the same page.
pub fn locales_and_alternates(
    files: &[(String, Vec<u8>)],
    customer_locales: impl Fn(&str) -> &'static [&'static str],
) {
    let html_sel = sel("html");
    let alt_sel = sel(r#"link[rel="alternate"][hreflang]"#);
    let switch_sel = sel("nav.langs a[hreflang]");
    for (page, bytes) in files
        .iter()
        // The widget stands alone in another site's iframe: no switcher.
        .filter(|(p, _)| {
            p.ends_with(".html") && p.matches('/').count() >= 2 && !p.ends_with("/widget.html")
        })
    {
        let locale = page.split('/').nth(1).unwrap();
        let doc = Html::parse_document(std::str::from_utf8(bytes).unwrap());
        let html = doc.select(&html_sel).next().unwrap();
        assert_eq!(html.value().attr("lang"), Some(locale), "{page}");
        let rtl = ["ar", "he", "fa"].contains(&locale.split('-').next().unwrap());
        let want_dir = if rtl { "rtl" } else { "ltr" };
        assert_eq!(html.value().attr("dir"), Some(want_dir), "{page}");
        let within_locale = page.splitn(3, '/').nth(2).unwrap();
        let customer = page.split('/').next().unwrap();
        let locales = customer_locales(customer);
        let alternates: Vec<(String, String)> = doc
            .select(&alt_sel)
            .map(|e| {
                (
                    e.value().attr("hreflang").unwrap().to_owned(),
                    e.value().attr("href").unwrap().to_owned(),
                )
            })
            .collect();
        let tags: BTreeSet<&str> = alternates.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            tags,
            locales.iter().copied().chain(["x-default"]).collect(),
            "{page}"
        );
        for (tag, href) in &alternates {
            let target = resolve(page, href).unwrap();
            let want_locale = if tag == "x-default" { locales[0] } else { tag };
            assert_eq!(
                target,
                format!("{customer}/{want_locale}/{within_locale}"),
                "{page}: {tag}"
            );
        }
        // The visible switcher keeps you on the same page too.
        let switch: Vec<String> = doc
            .select(&switch_sel)
            .map(|e| resolve(page, e.value().attr("href").unwrap()).unwrap())
            .collect();
        assert_eq!(switch.len(), locales.len(), "{page}");
        for target in switch {
            assert!(
                target.ends_with(&format!("/{within_locale}")),
                "{page}: switcher to {target}"
            );
        }
    }
}
