//! `api/v2/*.json`: the customer's status in the shape of Atlassian
//! Statuspage's public API v2 (reference §4), so existing Statuspage
//! clients and dashboards read it. Text is in the customer's default
//! locale; times carry the customer's UTC offset, as Statuspage's do.
//!
//! Mapping (reference §4.5): services are components; incidents keep their
//! timeline as `incident_updates` (newest first); maintenance windows are
//! `scheduled_maintenances` with `impact: maintenance`. Statuspage has no
//! "unknown" health (it becomes `degraded_performance`), no false positive
//! (`resolved`) and no cancelled maintenance (`completed`, with an update
//! that says so).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Links, update_statuses};
use crate::model::{IncidentStatus, MaintenanceStatus};
use crate::site::views::LocaleViews;
use crate::site::{CustomerModel, IncidentModel};

mod shapes;
use shapes::*;

/// Statuspage lists this many incidents and maintenances.
const RECENT: usize = 50;

struct Api<'v, 'm, 'a> {
    v: &'v LocaleViews<'m, 'a>,
    links: &'v Links,
    page_id: String,
    components: Vec<Component>,
}

impl Api<'_, '_, '_> {
    fn model(&self) -> &CustomerModel<'_> {
        self.v.model
    }

    fn time(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.model().customer.time_zone.0)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
    }

    /// The page object; `up` is the file's depth below the customer folder.
    fn page(&self, up: usize) -> PageRef {
        let m = self.model();
        PageRef {
            id: self.page_id.clone(),
            name: self.v.picked(&m.customer.name).0,
            url: self.links.href("index.html", up),
            time_zone: m.customer.time_zone.0.name().to_owned(),
            updated_at: self.time(m.now),
        }
    }

    fn status(&self) -> Status {
        let key = self.model().overall.key();
        Status {
            indicator: impact(self.model().overall),
            description: self.v.cat.t(&format!("status.overall.{key}")),
        }
    }

    fn components_of(&self, refs: &[crate::model::ServiceRef]) -> Vec<Component> {
        self.components
            .iter()
            .filter(|c| refs.iter().any(|r| r.0.0 == c.id))
            .cloned()
            .collect()
    }

    fn incident(&self, m: &IncidentModel, up: usize) -> Incident {
        let i = &m.incident;
        let (name, _) = self.v.title_of(m);
        let tag = self.v.cat.locale.tag();
        let statuses = update_statuses(m);
        // Untyped older updates take the last status before them.
        let mut carried = Vec::with_capacity(statuses.len());
        let mut last = IncidentStatus::Investigating;
        for s in statuses.iter().rev() {
            if let Some(s) = s {
                last = *s;
            }
            carried.push(last);
        }
        carried.reverse();
        let monitoring_at = m
            .updates()
            .raw()
            .iter()
            .zip(&carried)
            .filter(|(_, s)| **s == IncidentStatus::Monitoring)
            .map(|(u, _)| u.at)
            .min();
        let resolved = !i.status.is_active();
        let updates = m
            .updates()
            .iter()
            .zip(&carried)
            .map(|((u, html), s)| IncidentUpdate {
                id: short_id(&[
                    "update",
                    self.model().customer.slug.as_str(),
                    &i.id,
                    &super::utc(u.at),
                    u.region.as_deref().unwrap_or(""),
                    &u.body,
                ]),
                incident_id: i.id.clone(),
                status: incident_status(*s),
                body: crate::sanitize::plain_text_of(&u.body, u.format, || html.to_owned()),
                created_at: self.time(u.at),
                updated_at: self.time(u.at),
                display_at: Some(self.time(u.at)),
                affected_components: None,
                deliver_notifications: true,
                custom_tweet: None,
                tweet_id: None,
            })
            .collect();
        Incident {
            id: i.id.clone(),
            page_id: self.page_id.clone(),
            name,
            status: incident_status(i.status),
            impact: i
                .upstream
                .as_ref()
                .filter(|u| u.vocabulary == crate::model::Vocabulary::Statuspage)
                .and_then(|u| u.impact.as_deref())
                .and_then(|w| {
                    ["none", "minor", "major", "critical"]
                        .into_iter()
                        .find(|k| *k == w)
                })
                .unwrap_or_else(|| incident_impact(i.effective_impact())),
            created_at: self.time(i.started_at),
            started_at: self.time(i.started_at),
            updated_at: i
                .updated_at
                .or_else(|| m.updates().raw().first().map(|u| u.at))
                .map(|t| self.time(t)),
            monitoring_at: monitoring_at.map(|t| self.time(t)),
            resolved_at: if resolved {
                i.ended_at.or(i.updated_at).map(|t| self.time(t))
            } else {
                None
            },
            shortlink: self
                .links
                .href(&format!("{tag}/incidents/{}.html", m.file), up),
            scheduled_for: None,
            scheduled_until: None,
            components: self.components_of(&i.services),
            incident_updates: updates,
            statusfleet: Some(Extension {
                classification: i.classification.key(),
                upstream_status: i.upstream.as_ref().map(|u| u.status.clone()),
                feature: i.feature.clone(),
                feature_group: i.feature_group.clone(),
                unlisted_services: i.unlisted_services.clone(),
                mitigated_at: i.mitigated_at.map(|t| self.time(t)),
                level: i.level.map(|l| l.key()),
                impact_type: i.impact_type.clone(),
                withheld: i.withheld,
            }),
        }
    }

    fn maintenance(&self, item: &crate::site::MaintenanceModel, up: usize) -> Incident {
        let (mt, status, html) = (&item.maintenance, &item.status, &item.html);
        let cat = self.v.cat;
        let view = self.v.maint(item);
        let tag = cat.locale.tag();
        let slug = self.model().customer.slug.as_str();
        let label = |s: MaintenanceStatus| cat.t(&format!("maintenance_status.{}", s.key()));
        let milestones = super::milestones(mt, *status, self.model().now);
        let announced = milestones[0].1;
        let updates = milestones
            .into_iter()
            .rev()
            .map(|(s, at)| IncidentUpdate {
                id: short_id(&["maintenance-update", slug, &mt.id, s.key()]),
                incident_id: mt.id.clone(),
                status: maintenance_status(s),
                // Upstream's own words for the milestone when it posted
                // some; the announcement for the first.
                body: match mt
                    .updates
                    .iter()
                    .find(|u| u.upstream_status.as_deref() == Some(s.key()))
                {
                    Some(u) => crate::sanitize::plain_text(&u.body, u.format),
                    None if s == MaintenanceStatus::Scheduled => {
                        crate::sanitize::plain_text_of(&mt.body, mt.format, || html.clone())
                    }
                    None => label(s),
                },
                created_at: self.time(at),
                updated_at: self.time(at),
                display_at: Some(self.time(at)),
                affected_components: None,
                deliver_notifications: true,
                custom_tweet: None,
                tweet_id: None,
            })
            .collect();
        let done = matches!(
            status,
            MaintenanceStatus::Completed | MaintenanceStatus::Cancelled
        );
        Incident {
            id: mt.id.clone(),
            page_id: self.page_id.clone(),
            name: mt.title.clone(),
            status: maintenance_status(*status),
            impact: "maintenance",
            created_at: self.time(announced),
            started_at: self.time(mt.starts_at),
            updated_at: Some(self.time(mt.updated_at.unwrap_or(announced))),
            monitoring_at: None,
            resolved_at: done.then(|| self.time(mt.ends_at.min(self.model().now))),
            shortlink: self
                .links
                .href(&format!("{tag}/maintenance.html#{}", view.anchor), up),
            scheduled_for: Some(self.time(mt.starts_at)),
            scheduled_until: Some(self.time(mt.ends_at)),
            components: self.components_of(&mt.services),
            incident_updates: updates,
            statusfleet: None,
        }
    }
}

fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("plain data serializes");
    bytes.push(b'\n');
    bytes
}

/// Every file of the API, by path under `api/v2/`. (Long by design: one
/// entry per file, so the whole API reads in one place.)
pub fn api(v: &LocaleViews, links: &Links) -> Vec<(String, Vec<u8>)> {
    let model = v.model;
    let slug = model.customer.slug.as_str();
    let page_id = short_id(&["page", slug]);
    let mut api = Api {
        v,
        links,
        page_id: page_id.clone(),
        components: Vec::new(),
    };
    let stamp = api.time(model.now);
    api.components = components(v, &page_id, &stamp);

    let incidents = |up: usize, active_only: bool| -> Vec<Incident> {
        model
            .incidents
            .iter()
            .filter(|m| !active_only || m.is_active())
            .take(RECENT)
            .map(|m| api.incident(m, up))
            .collect()
    };
    let maintenances = |up: usize, keep: &dyn Fn(MaintenanceStatus) -> bool| -> Vec<Incident> {
        // Most recent first, as Statuspage lists them.
        model
            .maintenance
            .iter()
            .rev()
            .filter(|m| keep(m.status))
            .take(RECENT)
            .map(|m| api.maintenance(m, up))
            .collect()
    };
    let upcoming_or_active = |s: MaintenanceStatus| s.is_open();

    vec![
        (
            "summary.json".into(),
            to_json(&Summary {
                page: api.page(2),
                status: api.status(),
                components: api.components.clone(),
                incidents: incidents(2, true),
                scheduled_maintenances: maintenances(2, &upcoming_or_active),
            }),
        ),
        (
            "status.json".into(),
            to_json(&StatusFile {
                page: api.page(2),
                status: api.status(),
            }),
        ),
        (
            "components.json".into(),
            to_json(&Components {
                page: api.page(2),
                components: &api.components,
            }),
        ),
        (
            "incidents.json".into(),
            to_json(&Incidents {
                page: api.page(2),
                incidents: incidents(2, false),
            }),
        ),
        (
            "incidents/unresolved.json".into(),
            to_json(&Incidents {
                page: api.page(3),
                incidents: incidents(3, true),
            }),
        ),
        (
            "scheduled-maintenances.json".into(),
            to_json(&Maintenances {
                page: api.page(2),
                scheduled_maintenances: maintenances(2, &|_| true),
            }),
        ),
        (
            "scheduled-maintenances/upcoming.json".into(),
            to_json(&Maintenances {
                page: api.page(3),
                scheduled_maintenances: maintenances(3, &|s| s == MaintenanceStatus::Scheduled),
            }),
        ),
        (
            "scheduled-maintenances/active.json".into(),
            to_json(&Maintenances {
                page: api.page(3),
                scheduled_maintenances: maintenances(3, &|s| {
                    matches!(
                        s,
                        MaintenanceStatus::InProgress | MaintenanceStatus::Verifying
                    )
                }),
            }),
        ),
    ]
}

/// The services as Statuspage components, in the customer's order.
fn components(v: &LocaleViews, page_id: &str, stamp: &str) -> Vec<Component> {
    let tag = v.cat.locale.tag();
    v.model
        .services
        .iter()
        .enumerate()
        .map(|(k, s)| Component {
            id: s.service.id.0.clone(),
            page_id: page_id.to_owned(),
            name: s.service.name.pick(tag, tag).text.to_owned(),
            status: component_status(s.health),
            created_at: stamp.to_owned(),
            updated_at: stamp.to_owned(),
            position: k + 1,
            description: s
                .service
                .description
                .as_ref()
                .map(|d| d.pick(tag, tag).text.to_owned()),
            showcase: true,
            group_id: None,
            group: false,
            only_show_if_degraded: false,
            start_date: None,
        })
        .collect()
}
