//! `sitemap.xml` per indexable customer (every page, with `xhtml:link`
//! hreflang alternates), a sitemap index at the output root, and
//! `robots.txt`. Customers that are not indexable appear in none of them,
//! and `robots.txt` names no customer.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{Links, xml_escape};
use crate::config::Config;
use crate::site::views::LocaleViews;

/// The customer's sitemap, from the pages rendered for it; `None` without
/// a `site.base_url` (a sitemap holds absolute URLs only).
pub fn customer(v: &LocaleViews, links: &Links, paths: &[String]) -> Option<String> {
    links.absolute("")?;
    let c = v.model.customer;
    let prefix = format!("{}/", c.folder);
    // Page path within a locale → locales that have it.
    let mut pages: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let tags: Vec<&str> = c.locales.iter().map(|l| l.tag()).collect();
    for path in paths {
        let Some(rest) = path.strip_prefix(&prefix) else {
            continue;
        };
        let Some((tag, page)) = rest.split_once('/') else {
            continue;
        };
        // The widget is for iframes, not for search results.
        if page.ends_with(".html") && page != "widget.html" && tags.contains(&tag) {
            pages.entry(page).or_default().push(tag);
        }
    }
    // In the customer's order of locales, however the paths came.
    for have in pages.values_mut() {
        have.sort_by_key(|t| tags.iter().position(|x| x == t));
        have.dedup();
    }
    let mut x = String::with_capacity(256 + pages.len() * tags.len() * 400);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n");
    let default = c.default_locale.tag();
    for (page, have) in &pages {
        for tag in have {
            let _ = writeln!(
                x,
                "  <url>\n    <loc>{}</loc>",
                xml_escape(&links.absolute(&format!("{tag}/{page}"))?)
            );
            for alt in have {
                let _ = writeln!(
                    x,
                    "    <xhtml:link rel=\"alternate\" hreflang=\"{alt}\" href=\"{}\"/>",
                    xml_escape(&links.absolute(&format!("{alt}/{page}"))?)
                );
            }
            if have.contains(&default) {
                let _ = writeln!(
                    x,
                    "    <xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"{}\"/>",
                    xml_escape(&links.absolute(&format!("{default}/{page}"))?)
                );
            }
            x.push_str("  </url>\n");
        }
    }
    x.push_str("</urlset>\n");
    Some(x)
}

/// `sitemap.xml` at the output root: the index of the indexable customers'
/// sitemaps. `None` when there is none or no base URL.
pub fn sitemap_index(config: &Config) -> Option<String> {
    let base = config.site.base_url.as_ref()?;
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let mut any = false;
    for c in config.customers.iter().filter(|c| c.indexable) {
        any = true;
        let _ = writeln!(
            x,
            "  <sitemap><loc>{}</loc></sitemap>",
            xml_escape(&format!("{}{}/sitemap.xml", base.as_str(), c.folder))
        );
    }
    x.push_str("</sitemapindex>\n");
    any.then_some(x)
}

/// `robots.txt` at the output root. Pages are left crawlable so search
/// engines see each page's `noindex`; the machine-readable files are not
/// for search engines at all.
pub fn robots_txt(config: &Config) -> String {
    let mut t = String::from(
        "# statusfleet: pages of customers that are not indexable carry\n\
         # <meta name=\"robots\" content=\"noindex\">; feeds, calendars and the\n\
         # JSON API are not for search engines.\n\
         User-agent: *\n\
         Disallow: /*/api/\n\
         Disallow: /*.atom$\n\
         Disallow: /*.ics$\n",
    );
    if sitemap_index(config).is_some()
        && let Some(base) = &config.site.base_url
    {
        let _ = write!(t, "\nSitemap: {}sitemap.xml\n", base.as_str());
    }
    t
}
