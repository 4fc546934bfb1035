//! Subscribable and machine-readable outputs of one customer (DESIGN §5):
//! an Atom feed, an iCalendar and an SVG badge per locale, the
//! Statuspage-v2-shaped JSON API, and the sitemap. They are built from the
//! same per-locale views as the pages, so titles, translations and times
//! match what the pages say; every text is escaped for its format here.

mod atom;
mod badge;
pub mod csv;
mod ics;
mod json;
mod sitemap;

pub use sitemap::{robots_txt, sitemap_index};

use chrono::{DateTime, Utc};

use crate::model::{IncidentStatus, Maintenance, MaintenanceStatus};
use crate::site::IncidentModel;
use crate::site::OutputFile;
use crate::site::views::LocaleViews;

/// How outputs link to pages: absolute when `site.base_url` is set,
/// otherwise relative to the file that holds the link.
#[derive(Debug, Clone)]
pub struct Links {
    /// `https://status.example.net/contoso/`.
    customer_url: Option<String>,
}

impl Links {
    pub fn new(base_url: Option<&crate::config::SiteUrl>, folder: &str) -> Links {
        Links {
            customer_url: base_url.map(|b| format!("{}{folder}/", b.as_str())),
        }
    }

    /// `path` (relative to the customer folder) as linked from a file whose
    /// folder is `up` levels below the customer folder.
    pub fn href(&self, path: &str, up: usize) -> String {
        match &self.customer_url {
            Some(root) => format!("{root}{path}"),
            None => format!("{}{path}", "../".repeat(up)),
        }
    }

    /// The absolute URL of `path`, when the site's URL is known.
    pub fn absolute(&self, path: &str) -> Option<String> {
        self.customer_url
            .as_ref()
            .map(|root| format!("{root}{path}"))
    }
}

/// What a feed or calendar covers: the customer, or one of its services
/// (its own files beside its page, `services/<file>.atom` and `.ics`).
#[derive(Clone, Copy)]
pub enum Scope<'s> {
    Customer,
    Service(&'s crate::site::ServiceModel),
}

impl Scope<'_> {
    /// Whether something affecting `services` belongs.
    pub fn holds(&self, services: &[crate::model::ServiceRef]) -> bool {
        match self {
            Scope::Customer => true,
            Scope::Service(s) => services.iter().any(|r| r.0 == s.service.id),
        }
    }

    /// The file's path under the locale folder, without its extension.
    pub fn stem(&self, customer: &str) -> String {
        match self {
            Scope::Customer => customer.to_owned(),
            Scope::Service(s) => format!("services/{}", s.file),
        }
    }

    /// How a relative link from the file reaches the locale folder.
    pub fn up(&self) -> &'static str {
        match self {
            Scope::Customer => "",
            Scope::Service(_) => "../",
        }
    }
}

/// A file of one locale (see [`locale_files`]).
pub struct LocaleFile {
    pub file: OutputFile,
    /// The key of its inputs, for a file kept by them (the Atom feeds).
    pub inputs: Option<crate::ids::Key>,
    /// The current site has it from the same inputs: kept, not written
    /// (given at all only in debug builds, to check it renders the same).
    pub kept: bool,
}

/// The files of one locale: `feed.atom`, `maintenance.ics`, `badge.svg`,
/// and each service's feed and calendar. With `keep`, a feed the current
/// site has from the same inputs (see [`atom::inputs_key`]) is kept
/// without being made: on a steady-state run, the feeds of the services
/// the change does not touch.
pub fn locale_files(
    views: &LocaleViews,
    links: &Links,
    keep: Option<&crate::site::views::KeepByInputs<'_>>,
    files: &mut Vec<LocaleFile>,
) {
    let slug = views.model.customer.folder.as_str();
    let tag = views.cat.locale.tag();
    let plain = |path: String, bytes: String| LocaleFile {
        file: OutputFile {
            path,
            bytes: bytes.into_bytes(),
        },
        inputs: None,
        kept: false,
    };
    let feed = |scope: Scope<'_>, rel: String, files: &mut Vec<LocaleFile>| {
        let inputs = keep.map(|k| atom::inputs_key(views, links, k.seed, scope, &rel));
        let kept = keep
            .zip(inputs)
            .is_some_and(|(k, key)| (k.keep)(&rel, &key));
        if kept && !cfg!(debug_assertions) {
            return;
        }
        files.push(LocaleFile {
            file: OutputFile {
                path: format!("{slug}/{tag}/{rel}"),
                bytes: atom::feed(views, links, scope).into_bytes(),
            },
            inputs,
            kept,
        });
    };
    feed(Scope::Customer, "feed.atom".to_owned(), files);
    files.push(plain(
        format!("{slug}/{tag}/maintenance.ics"),
        ics::calendar(views, links, Scope::Customer),
    ));
    for s in &views.model.services {
        let scope = Scope::Service(s);
        feed(scope, format!("services/{}.atom", s.file), files);
        files.push(plain(
            format!("{slug}/{tag}/services/{}.ics", s.file),
            ics::calendar(views, links, scope),
        ));
    }
    files.push(plain(format!("{slug}/{tag}/badge.svg"), badge::svg(views)));
}

/// The customer-level files, given the default locale's views and the
/// files rendered so far: the JSON API, the default locale's calendar and
/// badge at the customer root, and the sitemap of an indexable customer.
/// The files a customer's default locale also gives at the customer's
/// root: its calendar and badge.
pub const AT_ROOT: [&str; 2] = ["maintenance.ics", "badge.svg"];

/// The customer-level files (CSV, JSON API, sitemap); `paths` are every
/// other file of the customer (the sitemap lists its pages).
pub fn customer_files(
    views: &LocaleViews,
    links: &Links,
    paths: &[String],
    files: &mut Vec<OutputFile>,
) {
    let slug = views.model.customer.folder.as_str();
    files.push(csv::history_file(views, links));
    for (name, bytes) in json::api(views, links) {
        files.push(OutputFile {
            path: format!("{slug}/api/v2/{name}"),
            bytes,
        });
    }
    if views.model.customer.indexable
        && let Some(xml) = sitemap::customer(views, links, paths)
    {
        files.push(OutputFile {
            path: format!("{slug}/sitemap.xml"),
            bytes: xml.into_bytes(),
        });
    }
}

/// The status each update stands for, newest first: its own, else (for the
/// newest) the incident's current one, else none.
pub(crate) fn update_statuses(m: &IncidentModel) -> Vec<Option<IncidentStatus>> {
    m.updates()
        .raw()
        .iter()
        .enumerate()
        .map(|(k, u)| u.status.or((k == 0).then_some(m.incident.status)))
        .collect()
}

/// The names of linked services, comma-separated.
pub(crate) fn service_names(services: &[crate::site::views::ServiceLink]) -> String {
    services
        .iter()
        .map(|x| x.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A maintenance window's milestones so far, oldest first: announced,
/// then started, verifying and completed, or cancelled. Upstream's own
/// updates give them when it posts a timeline (each status when it was
/// first posted); otherwise the window does, up to the status upstream
/// gives. Never dated after `now`. Feeds and the JSON API tell the same
/// story.
pub(crate) fn milestones(
    m: &Maintenance,
    status: MaintenanceStatus,
    now: DateTime<Utc>,
) -> Vec<(MaintenanceStatus, DateTime<Utc>)> {
    let announced = m
        .updated_at
        .unwrap_or(m.starts_at)
        .min(m.starts_at)
        .min(now);
    let mut out = vec![(MaintenanceStatus::Scheduled, announced)];
    let mut posted: Vec<(MaintenanceStatus, DateTime<Utc>)> = m
        .updates
        .iter()
        .filter_map(|u| {
            let s = match u.upstream_status.as_deref()? {
                "scheduled" => MaintenanceStatus::Scheduled,
                "in_progress" => MaintenanceStatus::InProgress,
                "verifying" => MaintenanceStatus::Verifying,
                "completed" => MaintenanceStatus::Completed,
                _ => return None,
            };
            Some((s, u.at.min(now)))
        })
        .collect();
    if !posted.is_empty() {
        posted.sort_by_key(|(_, at)| *at);
        out[0].1 = posted[0].1.min(announced);
        for (s, at) in posted {
            if !out.iter().any(|(have, _)| *have == s) {
                out.push((s, at));
            }
        }
        if status == MaintenanceStatus::Cancelled {
            out.retain(|(s, _)| *s == MaintenanceStatus::Scheduled);
            out.push((
                MaintenanceStatus::Cancelled,
                m.updated_at.unwrap_or(announced).min(now),
            ));
        }
        return out;
    }
    if status == MaintenanceStatus::Cancelled {
        let at = m.updated_at.unwrap_or(m.starts_at).max(announced).min(now);
        out.push((MaintenanceStatus::Cancelled, at));
        return out;
    }
    let reached = |s: MaintenanceStatus| {
        use MaintenanceStatus::*;
        let rank = |x| match x {
            Scheduled => 0,
            InProgress => 1,
            Verifying => 2,
            Completed | Cancelled => 3,
        };
        rank(status) >= rank(s)
    };
    if reached(MaintenanceStatus::InProgress) && now >= m.starts_at {
        out.push((MaintenanceStatus::InProgress, m.starts_at));
    }
    if reached(MaintenanceStatus::Completed) {
        // Completed before its planned end: when upstream last changed it.
        let at = if now >= m.ends_at {
            m.ends_at.max(m.starts_at)
        } else {
            m.updated_at.unwrap_or(now).min(now)
        };
        out.push((MaintenanceStatus::Completed, at));
    }
    out
}

/// Escapes text for XML content and attribute values, dropping the
/// characters XML 1.0 does not allow (C0 controls but tab and newlines,
/// lone surrogates cannot occur in a `str`, U+FFFE, U+FFFF).
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(c),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

pub use crate::ids::stable_uuid;

/// RFC 3339 in UTC, to the second (Atom dates).
pub fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_drops_what_xml_cannot_hold() {
        assert_eq!(
            xml_escape("a<b>&\"'\u{0}\u{1b}\t\n\r\u{FFFF}z"),
            "a&lt;b&gt;&amp;&quot;&apos;\t\n&#13;z"
        );
    }

    #[test]
    fn stable_uuids_are_stable_distinct_and_well_formed() {
        let a = stable_uuid(&["contoso", "EX1"]);
        assert_eq!(a, stable_uuid(&["contoso", "EX1"]));
        assert_ne!(a, stable_uuid(&["contoso", "EX2"]));
        // Parts are delimited: ("ab","c") is not ("a","bc").
        assert_ne!(stable_uuid(&["ab", "c"]), stable_uuid(&["a", "bc"]));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "8", "version 8: {a}");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "variant: {a}");
    }

    #[test]
    fn links_are_absolute_only_with_a_base_url() {
        let rel = Links::new(None, "contoso");
        assert_eq!(rel.href("en/index.html", 2), "../../en/index.html");
        assert_eq!(rel.absolute("x"), None);
        let base = crate::config::SiteUrl::parse("https://status.example.net/sub").unwrap();
        let abs = Links::new(Some(&base), "contoso");
        assert_eq!(
            abs.href("en/index.html", 2),
            "https://status.example.net/sub/contoso/en/index.html"
        );
    }
}
