//! The Statuspage v2 shapes (reference §4) and how our states map onto
//! theirs.

use crate::feeds::stable_uuid;
use crate::model::{Health, IncidentStatus, MaintenanceStatus};
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct PageRef {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) url: String,
    pub(super) time_zone: String,
    pub(super) updated_at: String,
}

#[derive(Serialize)]
pub(super) struct Status {
    pub(super) indicator: &'static str,
    pub(super) description: String,
}

#[derive(Serialize, Clone)]
pub(super) struct Component {
    pub(super) id: String,
    pub(super) page_id: String,
    pub(super) name: String,
    pub(super) status: &'static str,
    pub(super) created_at: String,
    pub(super) updated_at: String,
    pub(super) position: usize,
    pub(super) description: Option<String>,
    pub(super) showcase: bool,
    pub(super) group_id: Option<String>,
    pub(super) group: bool,
    pub(super) only_show_if_degraded: bool,
    pub(super) start_date: Option<String>,
}

#[derive(Serialize)]
pub(super) struct Incident {
    pub(super) id: String,
    pub(super) page_id: String,
    pub(super) name: String,
    pub(super) status: &'static str,
    pub(super) impact: &'static str,
    pub(super) created_at: String,
    pub(super) started_at: String,
    pub(super) updated_at: Option<String>,
    pub(super) monitoring_at: Option<String>,
    pub(super) resolved_at: Option<String>,
    pub(super) shortlink: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) scheduled_for: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) scheduled_until: Option<String>,
    pub(super) components: Vec<Component>,
    pub(super) incident_updates: Vec<IncidentUpdate>,
    /// What statusfleet knows beyond Statuspage's shape (clients of the
    /// Statuspage API ignore it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) statusfleet: Option<Extension>,
}

/// The `statusfleet` object of an incident.
#[derive(Serialize)]
pub(super) struct Extension {
    pub(super) classification: &'static str,
    /// Upstream's status, verbatim (`serviceDegradation`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) upstream_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) feature: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) feature_group: Option<String>,
    /// Services upstream names that have no component here.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) unlisted_services: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) mitigated_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) level: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) impact_type: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(super) withheld: bool,
}

#[derive(Serialize)]
pub(super) struct IncidentUpdate {
    pub(super) id: String,
    pub(super) incident_id: String,
    pub(super) status: &'static str,
    pub(super) body: String,
    pub(super) created_at: String,
    pub(super) updated_at: String,
    pub(super) display_at: Option<String>,
    pub(super) affected_components: Option<Vec<AffectedComponent>>,
    pub(super) deliver_notifications: bool,
    pub(super) custom_tweet: Option<String>,
    pub(super) tweet_id: Option<String>,
}

#[derive(Serialize)]
pub(super) struct AffectedComponent {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) old_status: &'static str,
    pub(super) new_status: &'static str,
}

pub(super) fn component_status(h: Health) -> &'static str {
    match h {
        Health::Operational => "operational",
        Health::Maintenance => "under_maintenance",
        Health::Degraded | Health::Unknown => "degraded_performance",
        Health::PartialOutage => "partial_outage",
        Health::MajorOutage => "major_outage",
    }
}

/// `status.indicator` and incident `impact`.
pub(super) fn impact(h: Health) -> &'static str {
    match h {
        Health::Operational => "none",
        Health::Maintenance => "maintenance",
        Health::Degraded | Health::Unknown => "minor",
        Health::PartialOutage => "major",
        Health::MajorOutage => "critical",
    }
}

/// An incident's impact: never `none` or `maintenance`.
pub(super) fn incident_impact(h: Health) -> &'static str {
    match impact(h) {
        "none" | "maintenance" => "minor",
        other => other,
    }
}

pub(super) fn incident_status(s: IncidentStatus) -> &'static str {
    match s {
        IncidentStatus::Investigating => "investigating",
        IncidentStatus::Identified => "identified",
        IncidentStatus::Monitoring => "monitoring",
        IncidentStatus::Resolved | IncidentStatus::FalsePositive => "resolved",
        IncidentStatus::Postmortem => "postmortem",
    }
}

pub(super) fn maintenance_status(s: MaintenanceStatus) -> &'static str {
    match s {
        MaintenanceStatus::Scheduled => "scheduled",
        MaintenanceStatus::InProgress => "in_progress",
        MaintenanceStatus::Verifying => "verifying",
        MaintenanceStatus::Completed | MaintenanceStatus::Cancelled => "completed",
    }
}

/// A short opaque id, like Statuspage's.
pub(super) fn short_id(parts: &[&str]) -> String {
    stable_uuid(parts).replace('-', "")[..12].to_owned()
}

/// The files: what each of `api/v2/*.json` holds.
#[derive(Serialize)]
pub(super) struct Summary {
    pub(super) page: PageRef,
    pub(super) status: Status,
    pub(super) components: Vec<Component>,
    pub(super) incidents: Vec<Incident>,
    pub(super) scheduled_maintenances: Vec<Incident>,
}
#[derive(Serialize)]
pub(super) struct StatusFile {
    pub(super) page: PageRef,
    pub(super) status: Status,
}
#[derive(Serialize)]
pub(super) struct Components<'c> {
    pub(super) page: PageRef,
    pub(super) components: &'c [Component],
}
#[derive(Serialize)]
pub(super) struct Incidents {
    pub(super) page: PageRef,
    pub(super) incidents: Vec<Incident>,
}
#[derive(Serialize)]
pub(super) struct Maintenances {
    pub(super) page: PageRef,
    pub(super) scheduled_maintenances: Vec<Incident>,
}
