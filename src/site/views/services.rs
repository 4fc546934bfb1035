//! Service rows with their uptime bars, and maintenance.

use super::*;
use super::{IncidentModel, MaintenanceModel, ServiceModel};
use crate::model::Platform;

impl<'m, 'a> LocaleViews<'m, 'a> {
    pub(crate) fn maint(&self, item: &MaintenanceModel) -> MaintView {
        let MaintenanceModel {
            maintenance: m,
            status,
            html,
            updates: timeline,
        } = item;
        MaintView {
            id: m.id.clone(),
            anchor: format!("m-{}", crate::ids::file_stem(&m.id)),
            title: m.title.clone(),
            lang: m.lang.clone(),
            services: self.service_links(&m.services),
            starts: self.time(m.starts_at),
            ends: self.time(m.ends_at),
            range: self.range(),
            status: label(self.cat, "maintenance_status", status.key()),
            html: html.clone(),
            major: m.major.then(|| self.cat.t("maintenance.major")),
            updates: timeline
                .iter()
                .map(|(u, html)| self.update_view(None, u, html))
                .collect(),
        }
    }

    pub(super) fn service_row(&self, s: &ServiceModel) -> ServiceRow {
        let days: Vec<DayView> = s
            .days
            .iter()
            .map(|d| {
                // The day's incidents, worst first (as the bar's colour).
                let mut found: Vec<&IncidentModel> = d
                    .incidents
                    .iter()
                    .filter_map(|id| self.model.incident(id))
                    .collect();
                found.sort_by_key(|m| std::cmp::Reverse(m.incident.effective_impact()));
                DayView {
                    health: d.health.key(),
                    title: self.cat.label_value(
                        &self.cat.formats.month_day(d.date),
                        &if d.incidents.is_empty() {
                            self.cat.t("uptime.day_ok")
                        } else {
                            self.cat.t(&format!("health.{}", d.health.key()))
                        },
                    ),
                    href: found.first().map(|m| format!("incidents/{}.html", m.file)),
                    incidents: found
                        .iter()
                        .map(|m| LinkView {
                            href: format!("incidents/{}.html", m.file),
                            label: self.title_of(m).0,
                        })
                        .collect(),
                }
            })
            .collect();
        let n = u64::from(self.config.site.uptime_days());
        let bad_days = s.days.iter().filter(|d| !d.incidents.is_empty()).count() as u64;
        let upstream_status = s.service.upstream_status.as_ref().map(|word| {
            let key = match s.service.platform {
                Platform::Microsoft365 => format!("upstream.graph.{word}"),
                Platform::Other => format!("upstream.statuspage.component.{word}"),
                Platform::Azure => String::new(),
            };
            if self.cat.has(&key) {
                self.cat.t(&key)
            } else {
                word.clone()
            }
        });
        let (name, name_lang) = self.picked(&s.service.name);
        ServiceRow {
            name,
            name_lang,
            href: format!("services/{}.html", s.file),
            health: label(self.cat, "health", s.health.key()),
            upstream_status,
            uptime: UptimeView {
                caption: self.cat.text_or_key("uptime.caption", Some(n), &[]),
                percent: self.cat.text_or_key(
                    "uptime.percent",
                    None,
                    &[("percent", &self.cat.formats.percent(s.uptime_percent, 2))],
                ),
                incident_days: self
                    .cat
                    .text_or_key("uptime.incident_days", Some(bad_days), &[]),
                start: self
                    .cat
                    .text_or_key("uptime.days_ago", Some(n.saturating_sub(1)), &[]),
                end: self.cat.t("uptime.today"),
                any_incidents: bad_days > 0,
                days,
            },
        }
    }
}
