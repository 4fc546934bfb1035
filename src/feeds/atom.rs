//! `<locale>/feed.atom` (RFC 4287): one entry per incident update and per
//! maintenance milestone (announced, started, completed or cancelled), with
//! ids that stay the same from build to build.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use super::{Links, Scope, stable_uuid, update_statuses, utc, xml_escape};
use crate::model::{IncidentStatus, Update};
use crate::sanitize::escape;
use crate::site::IncidentModel;
use crate::site::views::LocaleViews;

#[derive(Hash)]
struct Entry {
    id: String,
    title: String,
    updated: DateTime<Utc>,
    link: String,
    term: &'static str,
    label: String,
    /// HTML (already safe), written escaped as `type="html"`.
    html: String,
}

/// The feed of `scope`: its newest `site.feed_entries` entries.
pub fn feed(v: &LocaleViews, links: &Links, scope: Scope<'_>) -> String {
    let cap = v.config.site.feed_entries;
    let mut entries = Vec::new();
    maintenance_entries(v, links, scope, &mut entries);
    // Incidents by their newest entry, newest first: once `cap` entries
    // are newer than an incident's newest, it and every one after it are
    // left out unmade (years of history cost what the feed shows).
    let mut incidents: Vec<(DateTime<Utc>, &IncidentModel)> = v
        .model
        .incidents
        .iter()
        .filter(|m| scope.holds(&m.incident.services))
        .map(|m| (newest_entry(m), m))
        .collect();
    incidents.sort_by_key(|b| std::cmp::Reverse(b.0));
    let mut threshold: Option<DateTime<Utc>> = None;
    for (newest, m) in incidents {
        if threshold.is_some_and(|t| newest < t) {
            break;
        }
        incident_entries(v, links, scope, m, &mut entries);
        if entries.len() >= cap {
            let mut times: Vec<DateTime<Utc>> = entries.iter().map(|e| e.updated).collect();
            let (_, nth, _) = times.select_nth_unstable_by(cap - 1, |a, b| b.cmp(a));
            threshold = Some(*nth);
        }
    }
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id)));
    entries.truncate(cap);
    write_feed(v, links, scope, &entries)
}

/// The key of the feed of `scope` at `path` (in the locale folder) from
/// what it is made of, before any entry is: the customer's services (the
/// feed's title and links name them), its maintenance entries (few, and
/// dated by the data's time while under way), the inputs of every incident
/// in scope (which of them the feed shows follows from those), and the
/// data's time when there is nothing else to date the feed by. The rest
/// (the catalog, the site's settings, the customer's name) is in `seed`.
pub fn inputs_key(
    v: &LocaleViews,
    links: &Links,
    seed: &str,
    scope: Scope<'_>,
    path: &str,
) -> crate::ids::Key {
    let mut maintenance = Vec::new();
    maintenance_entries(v, links, scope, &mut maintenance);
    // Streamed into a digest of their own: at 40,000 incidents a list of
    // their keys would be 640 KB a feed, and freeing blocks that large
    // makes glibc keep more of the heap for the rest of the run.
    let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
    let mut in_scope = 0_usize;
    for m in v
        .model
        .incidents
        .iter()
        .filter(|m| scope.holds(&m.incident.services))
    {
        digest.update(&m.inputs_key());
        in_scope += 1;
    }
    let incidents = (in_scope, digest.finish().as_ref().to_vec());
    let services: Vec<_> = v
        .model
        .services
        .iter()
        .map(|s| (&s.service.id, &s.service.name, &s.file))
        .collect();
    let now = (in_scope == 0 && maintenance.is_empty()).then_some(v.model.now);
    crate::ids::key_of_hashed(
        &[
            "atom feed",
            seed,
            v.model.customer.folder.as_str(),
            v.cat.locale.tag(),
            path,
        ],
        &(
            services,
            maintenance,
            incidents,
            now,
            v.config.site.feed_entries,
        ),
    )
}

/// When an incident's newest feed entry is dated: its newest update, or
/// the incident itself while it has none (see [`incident_entries`]).
fn newest_entry(m: &IncidentModel) -> DateTime<Utc> {
    m.updates()
        .raw()
        .iter()
        .map(|u| u.at)
        .max()
        .unwrap_or_else(|| m.incident.updated_at.unwrap_or(m.incident.started_at))
}

/// The feed's head (id, title, links, author), then its entries, newest
/// first.
fn write_feed(v: &LocaleViews, links: &Links, scope: Scope<'_>, entries: &[Entry]) -> String {
    let model = v.model;
    let cat = v.cat;
    let slug = model.customer.slug.as_str();
    let tag = cat.locale.tag();
    let updated = entries.first().map_or(model.now, |e| e.updated);
    let customer = v.picked(&model.customer.name).0;
    let title = match scope {
        Scope::Customer => cat.text_or_key("feed.title", None, &[("customer", &customer)]),
        Scope::Service(s) => cat.text_or_key(
            "feed.service_title",
            None,
            &[
                ("customer", &customer),
                ("service", &v.picked(&s.service.name).0),
            ],
        ),
    };
    let feed_id = match scope {
        Scope::Customer => stable_uuid(&["atom", slug, tag]),
        Scope::Service(s) => stable_uuid(&["atom", slug, tag, "service", &s.service.id.0]),
    };
    let up = scope.up();
    let (self_path, home_path) = match scope {
        Scope::Customer => ("feed.atom".to_owned(), "index.html".to_owned()),
        Scope::Service(s) => (
            format!("services/{}.atom", s.file),
            format!("services/{}.html", s.file),
        ),
    };
    let partner = &v.config.site.partner;

    let mut x = String::with_capacity(4096 + entries.len() * 2048);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        x,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        xml_escape(tag)
    );
    let _ = writeln!(x, "  <id>urn:uuid:{feed_id}</id>");
    let _ = writeln!(x, "  <title type=\"text\">{}</title>", xml_escape(&title));
    let _ = writeln!(x, "  <updated>{}</updated>", utc(updated));
    // Relative links are relative to the feed's own place.
    let self_href = links
        .absolute(&format!("{tag}/{self_path}"))
        .unwrap_or_else(|| format!("{up}{self_path}"));
    let home = links
        .absolute(&format!("{tag}/{home_path}"))
        .unwrap_or_else(|| format!("{up}{home_path}"));
    let _ = writeln!(
        x,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        xml_escape(&self_href)
    );
    let _ = writeln!(
        x,
        "  <link rel=\"alternate\" type=\"text/html\" hreflang=\"{}\" href=\"{}\"/>",
        xml_escape(tag),
        xml_escape(&home)
    );
    x.push_str("  <author>\n");
    let _ = writeln!(x, "    <name>{}</name>", xml_escape(&partner.name));
    if let Some(url) = &partner.url {
        let _ = writeln!(x, "    <uri>{}</uri>", xml_escape(url));
    }
    x.push_str("  </author>\n");
    let _ = writeln!(
        x,
        "  <generator version=\"{}\">statusfleet</generator>",
        env!("CARGO_PKG_VERSION")
    );
    for e in entries {
        write_entry(&mut x, e);
    }
    x.push_str("</feed>\n");
    x
}

/// The entries of one incident: one per update, or one for the incident
/// itself while it has none.
fn incident_entries(
    v: &LocaleViews,
    links: &Links,
    scope: Scope<'_>,
    m: &IncidentModel,
    entries: &mut Vec<Entry>,
) {
    let cat = v.cat;
    let slug = v.model.customer.slug.as_str();
    let tag = cat.locale.tag();
    let s = v.summary(m);
    let link = links
        .absolute(&format!("{tag}/{}", s.href))
        .unwrap_or_else(|| format!("{}{}", scope.up(), s.href));
    let services = super::service_names(&s.services);
    let mut head = String::new();
    if !services.is_empty() {
        let _ = write!(
            head,
            "<p>{}</p>",
            escape(&cat.label_value(&cat.t("incident.affected_services"), &services))
        );
    }
    let classification = m.incident.classification.key();
    let title_of = |status: Option<crate::model::IncidentStatus>, n: usize| match status {
        Some(st) => cat.text(
            "feed.update",
            None,
            &[
                ("title", &s.title),
                ("status", &cat.t(&format!("incident_status.{}", st.key()))),
            ],
        ),
        None => cat.text(
            "feed.update_numbered",
            None,
            &[("title", &s.title), ("n", &cat.formats.integer(n as i64))],
        ),
    };
    if m.updates().is_empty() {
        let at = m.incident.updated_at.unwrap_or(m.incident.started_at);
        let mut html = head.clone();
        if let Some(impact) = &m.incident.impact_description {
            let _ = write!(
                html,
                "<div lang=\"{}\">{}</div>",
                escape(&m.incident.lang),
                crate::sanitize::text_to_html(impact)
            );
        }
        entries.push(Entry {
            id: stable_uuid(&["atom", slug, tag, "incident", &m.incident.id]),
            title: title_of(Some(m.incident.status), 1).unwrap_or_default(),
            updated: at,
            link: link.clone(),
            term: classification,
            label: s.classification.text.clone(),
            html,
        });
    }
    let count = m.updates().len();
    for (k, ((u, body), status)) in m.updates().iter().zip(update_statuses(m)).enumerate() {
        let html = update_html(v, m, u, body, status, &head);
        entries.push(Entry {
            id: stable_uuid(&[
                "atom",
                slug,
                tag,
                "incident",
                &m.incident.id,
                &utc(u.at),
                u.region.as_deref().unwrap_or(""),
                &u.body,
            ]),
            title: title_of(status, count - k).unwrap_or_default(),
            updated: u.at,
            link: link.clone(),
            term: classification,
            label: s.classification.text.clone(),
            html,
        });
    }
}

/// An update as the entry's content: when, the state it set, the region,
/// the affected services, then its text.
fn update_html(
    v: &LocaleViews,
    m: &IncidentModel,
    u: &Update,
    body: &str,
    status: Option<IncidentStatus>,
    head: &str,
) -> String {
    let at = v.time(u.at);
    let mut html = format!(
        "<p><time datetime=\"{}\">{}</time>",
        at.iso,
        escape(&at.text)
    );
    if let Some(st) = status {
        let _ = write!(
            html,
            " · {}",
            escape(&v.cat.t(&format!("incident_status.{}", st.key())))
        );
    }
    if let Some(r) = &u.region {
        let _ = write!(html, " · {}", escape(r));
    }
    html.push_str("</p>");
    html.push_str(head);
    let _ = write!(
        html,
        "<div lang=\"{}\">{}</div>",
        escape(&m.incident.lang),
        body
    );
    html
}

/// The entries of the maintenance windows: one per milestone reached.
fn maintenance_entries(v: &LocaleViews, links: &Links, scope: Scope<'_>, entries: &mut Vec<Entry>) {
    let model = v.model;
    let cat = v.cat;
    let slug = model.customer.slug.as_str();
    let tag = cat.locale.tag();
    let maint_label = cat.t("nav.maintenance");
    for item in model
        .maintenance
        .iter()
        .filter(|i| scope.holds(&i.maintenance.services))
    {
        let (mt, now_status, body) = (&item.maintenance, &item.status, &item.html);
        let view = v.maint(item);
        let link = match links.absolute(&format!("{tag}/maintenance.html")) {
            Some(abs) => format!("{abs}#{}", view.anchor),
            None => format!("{}maintenance.html#{}", scope.up(), view.anchor),
        };
        let milestones = super::milestones(mt, *now_status, model.now);
        let services = super::service_names(&view.services);
        let mut head = format!(
            "<p>{}<br>{}",
            labelled_time(cat, "maintenance.starts", &view.starts),
            labelled_time(cat, "maintenance.ends", &view.ends),
        );
        if !services.is_empty() {
            let _ = write!(
                head,
                "<br>{}",
                escape(&cat.label_value(&cat.t("maintenance.services"), &services))
            );
        }
        head.push_str("</p>");
        for (status, at) in milestones {
            let mut html = head.clone();
            if !body.is_empty() {
                let _ = write!(html, "<div lang=\"{}\">{}</div>", escape(&mt.lang), body);
            }
            entries.push(Entry {
                id: stable_uuid(&["atom", slug, tag, "maintenance", &mt.id, status.key()]),
                title: cat.text_or_key(
                    &format!("feed.maintenance_{}", status.key()),
                    None,
                    &[("title", &mt.title)],
                ),
                updated: at,
                link: link.clone(),
                term: "maintenance",
                label: maint_label.clone(),
                html,
            });
        }
    }
}

/// One `<entry>`.
fn write_entry(x: &mut String, e: &Entry) {
    x.push_str("  <entry>\n");
    let _ = writeln!(x, "    <id>urn:uuid:{}</id>", e.id);
    let _ = writeln!(
        x,
        "    <title type=\"text\">{}</title>",
        xml_escape(&e.title)
    );
    let _ = writeln!(x, "    <updated>{}</updated>", utc(e.updated));
    let _ = writeln!(x, "    <published>{}</published>", utc(e.updated));
    let _ = writeln!(
        x,
        "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        xml_escape(&e.link)
    );
    let _ = writeln!(
        x,
        "    <category term=\"{}\" label=\"{}\"/>",
        e.term,
        xml_escape(&e.label)
    );
    let _ = writeln!(
        x,
        "    <content type=\"html\">{}</content>",
        xml_escape(&e.html)
    );
    x.push_str("  </entry>\n");
}

/// `Starts: <time datetime="…">November 28, 2026 at 9:00 PM EST</time>`,
/// in the catalog's label–value pattern, as HTML.
fn labelled_time(
    cat: &crate::i18n::Catalog,
    key: &str,
    t: &crate::site::views::TimeView,
) -> String {
    const MARK: &str = "\u{E000}";
    let text = cat.label_value(&cat.t(key), MARK);
    let (before, after) = text.split_once(MARK).unwrap_or((&text, ""));
    format!(
        "{}<time datetime=\"{}\">{}</time>{}",
        escape(before),
        t.iso,
        escape(&t.text),
        escape(after)
    )
}
