//! The site model of one customer, independent of locale: effective service
//! health, incidents merged with partner content, uptime per day, what the
//! history window holds. Views per locale are built from it (`views`).

pub mod aggregate;
pub mod uptime;
pub mod views;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::config::{Config, Customer};
use crate::content::{Content, Note};
use crate::model::{Health, Incident, Maintenance, MaintenanceStatus, Service, Snapshot, Update};

/// Where an incident came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Upstream,
    Partner,
}

#[derive(Debug)]
pub struct IncidentModel {
    pub incident: Incident,
    pub origin: Origin,
    /// File-safe id for the incident's page.
    pub file: String,
    /// Partner summary (partner incidents), sanitized HTML.
    pub summary_html: Option<String>,
    /// The sanitized bodies of `incident.updates` (newest first), made
    /// when first asked for (see [`IncidentModel::updates`]): a build that
    /// keeps the incident's pages and leaves it out of the capped feeds
    /// never makes them. Shared with every customer showing the same body.
    html: std::sync::OnceLock<Vec<Arc<str>>>,
    /// Partner notes or translations by locale tag.
    pub notes: BTreeMap<String, Note>,
    /// The post-incident report document the site serves.
    pub report: Option<ReportFile>,
    /// The key of all of the above (see [`IncidentModel::inputs_key`]).
    inputs_key: std::sync::OnceLock<crate::ids::Key>,
    /// Its place in the customer's whole history, counted from the
    /// oldest: what the paged history is cut by (see [`Place`]).
    pub place: Place,
}

/// An incident's place in the customer's whole history (every incident
/// the snapshot or store holds, in or out of the history window), counted
/// from the oldest: among all of them, among those of its classification,
/// and among those of each of its services (in the order of
/// `incident.services`).
///
/// The paged history cuts its pages at fixed multiples of these, so an
/// incident that ages out of the window, or a new one, moves no other
/// incident to another page: a steady run re-renders the page it is on,
/// not the whole history.
#[derive(Debug, Clone, Default)]
pub struct Place {
    pub all: usize,
    pub kind: usize,
    pub services: Vec<usize>,
}

/// A post-incident report document: where it is read from, what it is,
/// and where the customer's site serves it.
#[derive(Debug, Clone)]
pub struct ReportFile {
    pub source: std::path::PathBuf,
    pub format: crate::report::Format,
    pub bytes: u64,
    /// Its path in the customer's folder (`reports/TM911950.pdf`).
    pub path: String,
}

/// An incident's updates, newest first, each with its body sanitized
/// (see [`IncidentModel::updates`]).
#[derive(Debug, Clone, Copy)]
pub struct Updates<'a> {
    raw: &'a [Update],
    html: &'a std::sync::OnceLock<Vec<Arc<str>>>,
}

impl<'a> Updates<'a> {
    /// The updates as the source gave them, not sanitized (what their
    /// times and statuses need, without making their bodies).
    pub fn raw(&self) -> &'a [Update] {
        self.raw
    }

    pub fn len(&self) -> usize {
        self.raw.len()
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Each update with its sanitized body, newest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&'a Update, &'a str)> + Clone + 'a {
        let html = self.html.get_or_init(|| {
            self.raw
                .iter()
                .map(|u| sanitized(&u.body, u.format))
                .collect()
        });
        self.raw.iter().zip(html.iter().map(|h| &**h))
    }
}

/// An upstream body sanitized, once a run for every customer that shows
/// it (a Microsoft incident's update is the same for every tenant): kept
/// by the SHA-256 of its text, a few thousand at most (emptied when full).
fn sanitized(body: &str, format: crate::model::BodyFormat) -> Arc<str> {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    const MAX: usize = 4096;
    static DONE: LazyLock<Mutex<HashMap<crate::ids::Key, Arc<str>>>> =
        LazyLock::new(Default::default);
    let mut d = ring::digest::Context::new(&ring::digest::SHA256);
    d.update(&[format as u8]);
    d.update(body.as_bytes());
    let mut key = crate::ids::Key::default();
    key.copy_from_slice(&d.finish().as_ref()[..16]);
    if let Some(done) = DONE.lock().expect("not poisoned").get(&key) {
        return done.clone();
    }
    let clean: Arc<str> = crate::sanitize::upstream_body(body, format).into();
    let mut done = DONE.lock().expect("not poisoned");
    if done.len() >= MAX {
        done.clear();
    }
    done.insert(key, clean.clone());
    clean
}

impl IncidentModel {
    /// The updates, newest first, with their sanitized bodies.
    pub fn updates(&self) -> Updates<'_> {
        Updates {
            raw: &self.incident.updates,
            html: &self.html,
        }
    }

    pub fn is_active(&self) -> bool {
        self.incident.status.is_active() && self.incident.ended_at.is_none()
    }

    /// A key of everything the model holds of the incident: the incident
    /// as the source gave it (its sanitized bodies follow from it), its
    /// page's name, origin, partner summary and notes, and its report
    /// document's place and size. Made once.
    pub fn inputs_key(&self) -> crate::ids::Key {
        *self.inputs_key.get_or_init(|| {
            let notes: Vec<(&String, &Option<String>, &String)> = self
                .notes
                .iter()
                .map(|(tag, n)| (tag, &n.title, &n.html))
                .collect();
            let report = self
                .report
                .as_ref()
                .map(|r| (&r.path, r.format.ext(), r.bytes));
            let origin = match self.origin {
                Origin::Partner => "partner",
                Origin::Upstream => "upstream",
            };
            let parts = (
                &self.incident,
                &self.file,
                origin,
                &self.summary_html,
                notes,
                report,
            );
            crate::ids::key_of_hashed(&["incident"], &parts)
        })
    }
}

#[derive(Debug)]
pub struct ServiceModel {
    pub service: Service,
    pub file: String,
    /// Worst of upstream health and the impact of active incidents.
    pub health: Health,
    pub days: Vec<uptime::Day>,
    /// Percent of the window without outage (partial outages count 30 %).
    pub uptime_percent: f64,
}

/// A maintenance window as pages show it.
#[derive(Debug)]
pub struct MaintenanceModel {
    pub maintenance: Maintenance,
    /// Upstream's status, else what the window says at the snapshot time.
    pub status: MaintenanceStatus,
    /// The sanitized announcement.
    pub html: String,
    /// Upstream's later updates with sanitized bodies, newest first (the
    /// first one is the announcement itself, shown as `html`).
    pub updates: Vec<(Update, String)>,
}

#[derive(Debug)]
pub struct CustomerModel<'a> {
    pub customer: &'a Customer,
    /// The moment the page describes: the snapshot time.
    pub now: DateTime<Utc>,
    pub window_start: DateTime<Utc>,
    pub services: Vec<ServiceModel>,
    /// Incidents in the history window (or still active), newest first.
    pub incidents: Vec<IncidentModel>,
    /// Maintenance with its status at `now`, soonest first.
    pub maintenance: Vec<MaintenanceModel>,
    pub overall: Health,
    /// Content pages this customer has: name → locale → page.
    pub pages: BTreeMap<String, BTreeMap<String, crate::content::Page>>,
    /// Sources whose data is the last good answer, not a fresh one.
    pub stale: Vec<crate::model::StaleSource>,
    /// Labels of sources whose service is not offered here.
    pub not_offered: Vec<String>,
    /// Positions in `incidents`, by incident id.
    by_id: std::collections::HashMap<String, usize>,
}

impl CustomerModel<'_> {
    /// The incident `id`, if it is in the window.
    pub fn incident(&self, id: &str) -> Option<&IncidentModel> {
        self.by_id.get(id).map(|&k| &self.incidents[k])
    }
}

pub use crate::ids::{file_stem, short_hash};

/// One file of the output, its path relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// `/`-separated, relative, no `..` (checked before writing).
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A customer's page model: its incidents (upstream and the partner's) in
/// the history window, its services with their health and uptime, its
/// maintenance, its content pages.
pub fn build<'a>(
    config: &'a Config,
    customer: &'a Customer,
    snapshot: Snapshot,
    content: &Content,
) -> CustomerModel<'a> {
    let now = snapshot.taken_at;
    let window = Window {
        now,
        days: config.site.history_days,
    };
    let window_start = window.start();
    let mut incidents: Vec<IncidentModel> = snapshot
        .incidents
        .into_iter()
        .map(|i| incident_model(i, Origin::Upstream, None, content))
        .chain(partner_incidents(customer, content))
        .collect();
    incidents.sort_by(|a, b| {
        b.incident
            .started_at
            .cmp(&a.incident.started_at)
            .then_with(|| a.incident.id.cmp(&b.incident.id))
    });
    number_places(&mut incidents);
    incidents.retain(|m| m.is_active() || m.incident.ended_at.unwrap_or(now) >= window_start);
    let mut all_maintenance = snapshot.maintenance;
    all_maintenance.extend(partner_maintenance(customer, content));
    let shown: Vec<Service> = match &customer.services {
        Some(ids) => ids
            .iter()
            .filter_map(|id| snapshot.services.iter().find(|s| &s.id == id).cloned())
            .collect(),
        None => snapshot.services,
    };
    // The uptime bars' days: within the history window, whose incidents
    // their days link.
    let uptime = Window {
        now,
        days: config.site.uptime_days(),
    };
    let services: Vec<ServiceModel> = shown
        .into_iter()
        .map(|service| service_model(service, customer, &incidents, &all_maintenance, &uptime))
        .collect();
    let overall = services
        .iter()
        .map(|s| s.health)
        .max()
        .unwrap_or(Health::Unknown);
    let mut maintenance: Vec<MaintenanceModel> = all_maintenance
        .into_iter()
        .filter(|m| m.ends_at >= window_start || m.status_at(now).is_open())
        .map(|m| maintenance_model(m, now))
        .collect();
    maintenance.sort_by(|a, b| {
        a.maintenance
            .starts_at
            .cmp(&b.maintenance.starts_at)
            .then_with(|| a.maintenance.id.cmp(&b.maintenance.id))
    });
    let by_id = incidents
        .iter()
        .enumerate()
        .map(|(k, m)| (m.incident.id.clone(), k))
        .collect();
    CustomerModel {
        customer,
        now,
        window_start,
        services,
        by_id,
        incidents,
        maintenance,
        overall,
        pages: customer_pages(customer, content),
        stale: snapshot.stale,
        not_offered: snapshot.not_offered,
    }
}

/// The history window: it ends at the snapshot's time and is
/// `site.history_days` long.
struct Window {
    now: DateTime<Utc>,
    days: u32,
}

impl Window {
    fn start(&self) -> DateTime<Utc> {
        self.now - Duration::days(i64::from(self.days))
    }
}

/// The partner's own incidents (content/incidents) for this customer.
fn partner_incidents<'c>(
    customer: &'c Customer,
    content: &'c Content,
) -> impl Iterator<Item = IncidentModel> + 'c {
    content
        .incidents
        .iter()
        .filter(|(_, p)| p.front.customers.iter().any(|c| c == &customer.slug))
        .map(|(id, p)| {
            let f = &p.front;
            let incident = Incident {
                impact: f.impact,
                services: f.services.clone(),
                ended_at: f.ended_at,
                updated_at: f.updates.iter().map(|u| u.at).max(),
                updates: f
                    .updates
                    .iter()
                    .map(|u| Update {
                        status: u.status,
                        ..Update::new(u.at, u.body.clone(), crate::model::BodyFormat::Markdown)
                    })
                    .collect(),
                lang: f
                    .lang
                    .as_ref()
                    .map_or_else(|| "en".to_owned(), |l| l.tag().to_owned()),
                ..Incident::new(
                    id.clone(),
                    f.title.clone(),
                    f.classification,
                    f.status,
                    f.started_at,
                )
            };
            incident_model(incident, Origin::Partner, Some(p.html.clone()), content)
        })
}

/// The partner's own maintenance windows (content/maintenance) for this
/// customer.
fn partner_maintenance<'c>(
    customer: &'c Customer,
    content: &'c Content,
) -> impl Iterator<Item = Maintenance> + 'c {
    content
        .maintenance
        .iter()
        .filter(|(_, p)| p.front.customers.iter().any(|c| c == &customer.slug))
        .map(|(id, p)| Maintenance {
            id: id.clone(),
            title: p.front.title.clone(),
            services: p.front.services.clone(),
            starts_at: p.front.starts_at,
            ends_at: p.front.ends_at,
            status: p.front.status,
            body: p.body.clone(),
            updates: Vec::new(),
            format: crate::model::BodyFormat::Markdown,
            lang: p.lang.clone(),
            major: p.front.major,
            updated_at: p.front.updated_at,
        })
}

/// A service's health (what it reports, raised by its active incidents,
/// or in maintenance) and its uptime over the window.
fn service_model(
    service: Service,
    customer: &Customer,
    incidents: &[IncidentModel],
    maintenance: &[Maintenance],
    uptime: &Window,
) -> ServiceModel {
    let now = uptime.now;
    let related: Vec<&Incident> = incidents
        .iter()
        .map(|m| &m.incident)
        .filter(|i| i.services.iter().any(|r| r.0 == service.id))
        .collect();
    // A Statuspage sets each component's status itself (an incident may
    // name a component it does not take down), so its incidents do not
    // raise what it reports.
    let reported = service.upstream_status.is_some();
    let active_impact = related
        .iter()
        .filter(|i| i.status.is_active() && i.ended_at.is_none())
        .filter(|i| {
            !(reported
                && i.upstream
                    .as_ref()
                    .is_some_and(|u| u.vocabulary == crate::model::Vocabulary::Statuspage))
        })
        .map(|i| i.effective_impact())
        .max();
    let in_maintenance = maintenance.iter().any(|m| {
        m.status_at(now) == MaintenanceStatus::InProgress
            && m.services.iter().any(|r| r.0 == service.id)
    });
    let mut health = service
        .health
        .max(active_impact.unwrap_or(Health::Operational));
    if health == Health::Operational && in_maintenance {
        health = Health::Maintenance;
    }
    let days = uptime::days(&related, now, customer.time_zone.0, uptime.days);
    let uptime_percent = uptime::percent(&related, uptime.start(), now);
    ServiceModel {
        file: file_stem(&service.id.0),
        service,
        health,
        days,
        uptime_percent,
    }
}

/// A maintenance window as the pages show it: its state now, its body
/// and its later updates as safe HTML, newest first.
fn maintenance_model(mut m: Maintenance, now: DateTime<Utc>) -> MaintenanceModel {
    let status = m.status_at(now);
    let html = crate::sanitize::upstream_body(&m.body, m.format);
    m.updates.sort_by_key(|u| std::cmp::Reverse(u.at));
    let updates = m
        .updates
        .iter()
        // The oldest update is the announcement shown as the body.
        .take(m.updates.len().saturating_sub(1))
        .map(|u| (u.clone(), crate::sanitize::upstream_body(&u.body, u.format)))
        .collect();
    MaintenanceModel {
        maintenance: m,
        status,
        html,
        updates,
    }
}

/// The content pages meant for this customer (all, or those naming it).
fn customer_pages(
    customer: &Customer,
    content: &Content,
) -> BTreeMap<String, BTreeMap<String, crate::content::Page>> {
    content
        .pages
        .iter()
        .filter(|(_, by_locale)| {
            by_locale.values().any(|p| {
                p.customers
                    .as_ref()
                    .is_none_or(|c| c.contains(customer.slug.as_str()))
            })
        })
        .map(|(name, by_locale)| (name.clone(), by_locale.clone()))
        .collect()
}

fn incident_model(
    mut incident: Incident,
    origin: Origin,
    summary_html: Option<String>,
    content: &Content,
) -> IncidentModel {
    incident.updates.sort_by_key(|u| std::cmp::Reverse(u.at));
    let file = file_stem(&incident.id);
    // Checked when read (snapshot files) or written (the store); a
    // document gone since is left out rather than linked.
    let report = incident.report.as_ref().and_then(|r| {
        let source = std::path::PathBuf::from(&r.file);
        let format = crate::report::Format::of_name(&r.file)?;
        let bytes = std::fs::metadata(&source).ok()?.len();
        Some(ReportFile {
            path: format!("reports/{file}.{}", format.ext()),
            source,
            format,
            bytes,
        })
    });
    IncidentModel {
        file,
        report,
        notes: content.notes.get(&incident.id).cloned().unwrap_or_default(),
        incident,
        origin,
        summary_html,
        html: std::sync::OnceLock::new(),
        inputs_key: std::sync::OnceLock::new(),
        place: Place::default(),
    }
}

/// Gives each incident its [`Place`]: `incidents` is the whole history,
/// newest first.
fn number_places(incidents: &mut [IncidentModel]) {
    use std::collections::HashMap;
    let mut kinds: HashMap<&'static str, usize> = HashMap::new();
    let mut services: HashMap<String, usize> = HashMap::new();
    for (all, m) in incidents.iter_mut().rev().enumerate() {
        let kind = kinds.entry(m.incident.classification.key()).or_default();
        let mut place = Place {
            all,
            kind: *kind,
            services: Vec::with_capacity(m.incident.services.len()),
        };
        *kind += 1;
        for r in &m.incident.services {
            let n = services.entry(r.0.0.clone()).or_default();
            place.services.push(*n);
            *n += 1;
        }
        m.place = place;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe_and_distinct() {
        assert_eq!(file_stem("EX900101"), "EX900101");
        assert_eq!(file_stem("ZX9K-T3Q"), "ZX9K-T3Q");
        let a = file_stem("../etc/passwd");
        assert!(!a.contains('/') && !a.starts_with('.'), "{a}");
        assert_ne!(file_stem("a/b"), file_stem("a:b"));
        let safe = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        assert!(safe(&file_stem("서비스")), "{}", file_stem("서비스"));
        assert_ne!(file_stem("서비스"), file_stem("고객"));
    }
}
