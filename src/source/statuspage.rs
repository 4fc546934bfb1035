//! Any Atlassian-Statuspage-compatible v2 API (upstream-apis.md §4):
//! components become services, incidents and scheduled maintenances keep
//! their timelines. Times carry the page's own offset.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::upstream::{opt_time, safe_link, time, upstream_enum};
use crate::model::{
    BodyFormat, Classification, Health, Incident, IncidentStatus, Link, Maintenance,
    MaintenanceStatus, Platform, Service, ServiceId, ServiceRef, Update, UpstreamWords, Vocabulary,
};

upstream_enum!(
    ComponentStatus {
        Operational = "operational",
        DegradedPerformance = "degraded_performance",
        PartialOutage = "partial_outage",
        MajorOutage = "major_outage",
        UnderMaintenance = "under_maintenance",
    }
);

upstream_enum!(
    /// Incident and maintenance status share one field.
    Status {
        Investigating = "investigating",
        Identified = "identified",
        Monitoring = "monitoring",
        Resolved = "resolved",
        Postmortem = "postmortem",
        Scheduled = "scheduled",
        InProgress = "in_progress",
        Verifying = "verifying",
        Completed = "completed",
    }
);

upstream_enum!(
    Impact {
        None = "none",
        Minor = "minor",
        Major = "major",
        Critical = "critical",
        Maintenance = "maintenance",
    }
);

#[derive(Debug, Clone, Deserialize)]
pub struct PageInfo {
    /// The page's own id: what its history is kept by.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Summary {
    pub page: PageInfo,
    #[serde(default)]
    pub components: Vec<Component>,
    #[serde(default)]
    pub incidents: Vec<SpIncident>,
    #[serde(default)]
    pub scheduled_maintenances: Vec<SpIncident>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Incidents {
    #[serde(default)]
    pub incidents: Vec<SpIncident>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Maintenances {
    #[serde(default)]
    pub scheduled_maintenances: Vec<SpIncident>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Component {
    pub id: String,
    pub name: String,
    pub status: ComponentStatus,
    #[serde(default)]
    pub position: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub group: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ComponentRef {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SpIncident {
    pub id: String,
    pub name: String,
    pub status: Status,
    #[serde(default)]
    pub impact: Option<Impact>,
    #[serde(deserialize_with = "time")]
    pub created_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "opt_time")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub resolved_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub scheduled_for: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub scheduled_until: Option<DateTime<Utc>>,
    #[serde(default)]
    pub shortlink: Option<String>,
    #[serde(default)]
    pub components: Option<Vec<ComponentRef>>,
    #[serde(default)]
    pub incident_updates: Option<Vec<SpUpdate>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SpUpdate {
    pub status: Status,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(deserialize_with = "time")]
    pub created_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "opt_time")]
    pub display_at: Option<DateTime<Utc>>,
}

pub fn health_of(s: &ComponentStatus) -> Health {
    match s {
        ComponentStatus::Operational => Health::Operational,
        ComponentStatus::DegradedPerformance => Health::Degraded,
        ComponentStatus::PartialOutage => Health::PartialOutage,
        ComponentStatus::MajorOutage => Health::MajorOutage,
        ComponentStatus::UnderMaintenance => Health::Maintenance,
        ComponentStatus::Unknown(_) => Health::Unknown,
    }
}

fn incident_status(s: &Status) -> IncidentStatus {
    match s {
        Status::Investigating => IncidentStatus::Investigating,
        Status::Identified | Status::InProgress => IncidentStatus::Identified,
        Status::Monitoring | Status::Verifying => IncidentStatus::Monitoring,
        Status::Postmortem => IncidentStatus::Postmortem,
        Status::Resolved | Status::Completed => IncidentStatus::Resolved,
        Status::Scheduled | Status::Unknown(_) => IncidentStatus::Investigating,
    }
}

/// A maintenance's status as upstream gives it; `None` for a value that is
/// not a maintenance status (the window decides then).
fn maintenance_status(m: &SpIncident, starts_at: DateTime<Utc>) -> Option<MaintenanceStatus> {
    match m.status {
        Status::Scheduled => Some(MaintenanceStatus::Scheduled),
        Status::InProgress => Some(MaintenanceStatus::InProgress),
        Status::Verifying => Some(MaintenanceStatus::Verifying),
        // Statuspage has no "cancelled": a window completed before it
        // began was called off.
        Status::Completed if m.resolved_at.is_some_and(|r| r < starts_at) => {
            Some(MaintenanceStatus::Cancelled)
        }
        Status::Completed | Status::Resolved => Some(MaintenanceStatus::Completed),
        _ => None,
    }
}

/// The health an incident of this impact gives the components it names.
fn impact_health(impact: &Impact) -> Health {
    match impact {
        Impact::Critical => Health::MajorOutage,
        Impact::Major => Health::PartialOutage,
        Impact::Minor => Health::Degraded,
        Impact::Maintenance => Health::Maintenance,
        // No impact: the components keep their health.
        Impact::None => Health::Operational,
        Impact::Unknown(_) => Health::Degraded,
    }
}

/// A component id as a service id (Statuspage ids are short alphanumerics).
fn service_id(component: &str) -> ServiceId {
    super::upstream::id_from_name("sp-", component)
}

/// An update's text: Statuspage bodies are HTML written with plain
/// newlines as line breaks.
fn updates(list: Option<&Vec<SpUpdate>>) -> Vec<Update> {
    let mut out: Vec<Update> = list
        .into_iter()
        .flatten()
        .filter(|u| u.body.as_deref().is_some_and(|b| !b.trim().is_empty()))
        .map(|u| Update {
            status: Some(incident_status(&u.status)),
            upstream_status: Some(u.status.as_str().to_owned()),
            ..Update::new(
                u.display_at.unwrap_or(u.created_at),
                u.body.clone().unwrap_or_default(),
                BodyFormat::Html,
            )
        })
        .collect();
    out.sort_by_key(|u| u.at);
    out
}

/// What one Statuspage page says, for the components `only` names (all
/// when `None`).
#[derive(Debug, Default)]
pub struct Normalized {
    pub label: String,
    /// The page's id (`summary.json` `page.id`), when it gives one.
    pub page_id: Option<String>,
    pub services: Vec<Service>,
    pub incidents: Vec<Incident>,
    pub maintenance: Vec<Maintenance>,
}

pub fn normalize(
    summary: &Summary,
    incidents: &Incidents,
    maintenances: &Maintenances,
    only: Option<&[String]>,
    lang: &str,
) -> Normalized {
    let label = summary.page.name.clone().unwrap_or_default();
    let mut components: Vec<&Component> = summary
        .components
        .iter()
        .filter(|c| c.group != Some(true))
        .filter(|c| only.is_none_or(|names| names.iter().any(|n| n == &c.name)))
        .collect();
    components.sort_by_key(|c| (c.position.unwrap_or(i64::MAX), c.name.clone()));
    let known: BTreeMap<&str, ServiceId> = components
        .iter()
        .map(|c| (c.id.as_str(), service_id(&c.id)))
        .collect();
    let refs = |i: &SpIncident| -> Vec<ServiceRef> {
        i.components
            .iter()
            .flatten()
            .filter_map(|c| known.get(c.id.as_str()).cloned().map(ServiceRef))
            .collect()
    };
    let services = components
        .iter()
        .map(|c| Service {
            id: service_id(&c.id),
            name: c.name.as_str().into(),
            health: health_of(&c.status),
            platform: Platform::Other,
            upstream_status: Some(c.status.as_str().to_owned()),
            description: c
                .description
                .clone()
                .filter(|d| !d.is_empty())
                .map(Into::into),
        })
        .collect();
    let mut all: BTreeMap<&str, &SpIncident> = BTreeMap::new();
    for i in incidents.incidents.iter().chain(&summary.incidents) {
        all.entry(i.id.as_str()).or_insert(i);
    }
    let page_link = summary.page.url.as_deref().and_then(safe_link);
    let out_incidents = all
        .values()
        .filter(|i| only.is_none() || !refs(i).is_empty())
        .map(|i| {
            let impact = i.impact.clone().unwrap_or(Impact::None);
            let status = incident_status(&i.status);
            let started = i.started_at.unwrap_or(i.created_at);
            Incident {
                upstream: Some(UpstreamWords {
                    vocabulary: Vocabulary::Statuspage,
                    status: i.status.as_str().to_owned(),
                    impact: Some(impact.as_str().to_owned()),
                }),
                impact: Some(impact_health(&impact)),
                services: refs(i),
                ended_at: (!status.is_active()).then(|| {
                    i.resolved_at
                        .or(i.updated_at)
                        .unwrap_or(started)
                        .max(started)
                }),
                updated_at: i.updated_at,
                updates: updates(i.incident_updates.as_ref()),
                links: i
                    .shortlink
                    .as_deref()
                    .and_then(safe_link)
                    .or(page_link.clone())
                    .map(|url| Link {
                        title: label.clone(),
                        url,
                    })
                    .into_iter()
                    .collect(),
                lang: lang.to_owned(),
                ..Incident::new(
                    i.id.clone(),
                    i.name.clone(),
                    match impact {
                        Impact::Major | Impact::Critical => Classification::Incident,
                        _ => Classification::Advisory,
                    },
                    status,
                    started,
                )
            }
        })
        .collect();
    let mut windows: BTreeMap<&str, &SpIncident> = BTreeMap::new();
    for m in maintenances
        .scheduled_maintenances
        .iter()
        .chain(&summary.scheduled_maintenances)
    {
        windows.entry(m.id.as_str()).or_insert(m);
    }
    let out_maintenance = windows
        .values()
        .filter(|m| only.is_none() || !refs(m).is_empty())
        .filter_map(|m| {
            let starts_at = m.scheduled_for?;
            let ends_at = m.scheduled_until.filter(|e| *e >= starts_at)?;
            let timeline = updates(m.incident_updates.as_ref());
            // The announcement is the first update; the rest is the
            // timeline.
            let body = timeline.first().map(|u| u.body.clone()).unwrap_or_default();
            Some(Maintenance {
                id: m.id.clone(),
                title: m.name.clone(),
                services: refs(m),
                starts_at,
                ends_at,
                status: maintenance_status(m, starts_at),
                body,
                updates: timeline,
                format: BodyFormat::Html,
                lang: lang.to_owned(),
                major: false,
                updated_at: m.updated_at,
            })
        })
        .collect();
    Normalized {
        label,
        page_id: summary.page.id.clone().filter(|id| !id.trim().is_empty()),
        services,
        incidents: out_incidents,
        maintenance: out_maintenance,
    }
}

#[cfg(test)]
mod tests;
