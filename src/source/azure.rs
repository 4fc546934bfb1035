//! Azure Resource Health events per subscription (upstream-apis.md §2):
//! service issues and advisories become incidents with per-region timelines,
//! planned maintenance becomes maintenance. Events are deduplicated across a
//! customer's subscriptions by tracking id.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::upstream::{id_from_name, opt_time, upstream_enum};
use crate::model::{
    BodyFormat, Classification, Health, Incident, IncidentStatus, Level, Maintenance, Platform,
    Service, ServiceRef, Update,
};

upstream_enum!(
    EventType {
        ServiceIssue = "ServiceIssue",
        PlannedMaintenance = "PlannedMaintenance",
        HealthAdvisory = "HealthAdvisory",
        Rca = "RCA",
        EmergingIssues = "EmergingIssues",
        SecurityAdvisory = "SecurityAdvisory",
        Billing = "Billing",
    }
);

upstream_enum!(
    EventStatus {
        Active = "Active",
        Resolved = "Resolved",
    }
);

upstream_enum!(
    EventLevel {
        Critical = "Critical",
        Error = "Error",
        Warning = "Warning",
        Informational = "Informational",
    }
);

upstream_enum!(
    /// `level`: the "level of insight".
    InsightLevel {
        Critical = "Critical",
        Warning = "Warning",
    }
);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub value: Vec<T>,
    #[serde(default)]
    pub next_link: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    /// The tracking id.
    pub name: String,
    #[serde(default)]
    pub properties: Properties,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Properties {
    pub event_type: Option<EventType>,
    pub status: Option<EventStatus>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub header: Option<String>,
    pub description: Option<String>,
    pub event_level: Option<EventLevel>,
    pub level: Option<InsightLevel>,
    pub is_event_sensitive: Option<bool>,
    pub impact_type: Option<String>,
    pub additional_information: Option<AdditionalInformation>,
    #[serde(deserialize_with = "opt_time")]
    pub impact_start_time: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_time")]
    pub impact_mitigation_time: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "opt_time")]
    pub last_update_time: Option<DateTime<Utc>>,
    pub impact: Option<Vec<Impact>>,
    pub event_tags: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AdditionalInformation {
    pub message: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Impact {
    pub impacted_service: Option<String>,
    pub impacted_regions: Option<Vec<Region>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Region {
    pub impacted_region: Option<String>,
    pub status: Option<EventStatus>,
    pub updates: Option<Vec<RegionUpdate>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RegionUpdate {
    pub summary: Option<String>,
    #[serde(deserialize_with = "opt_time")]
    pub update_date_time: Option<DateTime<Utc>>,
    /// Tags of this update (`Final PIR`): they describe it, not the event.
    pub event_tags: Option<Vec<String>>,
}

/// `GET /subscriptions?api-version=…` (used when none are configured).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub subscription_id: String,
}

fn tagged(tags: &[String], tag: &str) -> bool {
    tags.iter().any(|t| t.eq_ignore_ascii_case(tag))
}

/// Whether an event's text is hidden from the list (a security advisory
/// read without the right to its details).
pub fn is_sensitive(e: &Event) -> bool {
    e.properties.is_event_sensitive == Some(true)
}

/// Where an event is in its life. Its `status` decides whether it is over:
/// an `Active` event is never shown resolved, whatever an earlier update's
/// tags said. Of a resolved one, the latest update's tags say whether it
/// was a false positive; any PIR tag (or an RCA) means a report exists.
fn event_state(
    p: &Properties,
    kind: &EventType,
    updates: &[Update],
    now: DateTime<Utc>,
) -> IncidentStatus {
    if p.status != Some(EventStatus::Resolved) {
        return if p.impact_mitigation_time.is_some_and(|m| m <= now) {
            IncidentStatus::Monitoring
        } else {
            IncidentStatus::Investigating
        };
    }
    // Older API versions carry tags on the event only.
    let any_update_tags = updates.iter().any(|u| !u.tags.is_empty());
    let event_tags = p.event_tags.clone().unwrap_or_default();
    let latest: &[String] = if any_update_tags {
        updates
            .iter()
            .rev()
            .find(|u| !u.tags.is_empty())
            .map_or(&[][..], |u| &u.tags[..])
    } else {
        &event_tags
    };
    let pir = |tags: &[String]| tagged(tags, "Final PIR") || tagged(tags, "Preliminary PIR");
    if tagged(latest, "False Positive") {
        IncidentStatus::FalsePositive
    } else if *kind == EventType::Rca || pir(&event_tags) || updates.iter().any(|u| pir(&u.tags)) {
        IncidentStatus::Postmortem
    } else {
        IncidentStatus::Resolved
    }
}

/// Events of several subscriptions as one list: one event per tracking id,
/// the newest copy winning, region timelines united.
pub fn dedupe(events: Vec<Event>) -> Vec<Event> {
    let mut by_id: BTreeMap<String, Event> = BTreeMap::new();
    for e in events {
        match by_id.remove(&e.name) {
            None => {
                by_id.insert(e.name.clone(), e);
            }
            Some(old) => {
                let (mut keep, other) =
                    if e.properties.last_update_time >= old.properties.last_update_time {
                        (e, old)
                    } else {
                        (old, e)
                    };
                let mut impacts = keep.properties.impact.take().unwrap_or_default();
                for imp in other.properties.impact.into_iter().flatten() {
                    match impacts
                        .iter_mut()
                        .find(|i| i.impacted_service == imp.impacted_service)
                    {
                        None => impacts.push(imp),
                        Some(have) => {
                            let regions = have.impacted_regions.get_or_insert_with(Vec::new);
                            for r in imp.impacted_regions.into_iter().flatten() {
                                match regions
                                    .iter_mut()
                                    .find(|x| x.impacted_region == r.impacted_region)
                                {
                                    None => regions.push(r),
                                    Some(x) => {
                                        let ups = x.updates.get_or_insert_with(Vec::new);
                                        for u in r.updates.into_iter().flatten() {
                                            if !ups.iter().any(|v| {
                                                v.update_date_time == u.update_date_time
                                                    && v.summary == u.summary
                                            }) {
                                                ups.push(u);
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                keep.properties.impact = Some(impacts);
                by_id.insert(keep.name.clone(), keep);
            }
        }
    }
    by_id.into_values().collect()
}

fn service_names(p: &Properties) -> Vec<String> {
    p.impact
        .iter()
        .flatten()
        .filter_map(|i| i.impacted_service.clone())
        .filter(|s| !s.trim().is_empty())
        .collect()
}

/// What a customer's deduplicated events say.
#[derive(Debug, Default)]
pub struct Normalized {
    pub services: Vec<Service>,
    pub incidents: Vec<Incident>,
    pub maintenance: Vec<Maintenance>,
}

pub fn normalize(events: &[Event], configured: &[String], now: DateTime<Utc>) -> Normalized {
    let mut out = Normalized::default();
    let mut names: BTreeMap<String, Health> = configured
        .iter()
        .map(|n| (n.clone(), Health::Operational))
        .collect();
    for e in events {
        let p = &e.properties;
        let Some(kind) = &p.event_type else { continue };
        let Some(start) = p.impact_start_time.or(p.last_update_time) else {
            continue;
        };
        let service_list = service_names(p);
        for n in &service_list {
            names.entry(n.clone()).or_insert(Health::Operational);
        }
        let refs: Vec<ServiceRef> = service_list
            .iter()
            .map(|n| ServiceRef(id_from_name("azure-", n)))
            .collect();
        let resolved = p.status == Some(EventStatus::Resolved);
        let body = p
            .summary
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| p.description.clone())
            .unwrap_or_default();
        let mut updates = region_updates(p, &body, start);
        // Older API versions tag the event, not its updates: the summary
        // standing for the timeline carries them. An RCA event's text is
        // its root cause analysis, which pages label as such.
        if let [only] = &mut updates[..]
            && only.tags.is_empty()
        {
            only.tags = p.event_tags.clone().unwrap_or_default();
        }
        if *kind == EventType::Rca {
            for u in updates
                .iter_mut()
                .filter(|u| crate::model::review_key(&u.tags).is_none())
            {
                u.tags.push("RCA".to_owned());
            }
        }
        match kind {
            EventType::Billing => continue,
            EventType::PlannedMaintenance => {
                let end = p
                    .impact_mitigation_time
                    .filter(|e| *e >= start)
                    .unwrap_or(start + Duration::hours(8));
                if !resolved && start <= now && now < end {
                    for n in &service_list {
                        let h = names.get_mut(n).expect("inserted above");
                        *h = (*h).max(Health::Maintenance);
                    }
                }
                out.maintenance.push(Maintenance {
                    id: e.name.clone(),
                    title: p.title.clone().unwrap_or_else(|| e.name.clone()),
                    services: refs,
                    starts_at: start,
                    ends_at: end,
                    // Resolved is over; otherwise the window says where it is.
                    status: resolved.then_some(crate::model::MaintenanceStatus::Completed),
                    body,
                    updates: if updates.len() > 1 {
                        updates
                    } else {
                        Vec::new()
                    },
                    format: BodyFormat::Html,
                    lang: "en".into(),
                    major: false,
                    updated_at: p.last_update_time,
                });
            }
            _ => {
                let classification = match kind {
                    EventType::ServiceIssue | EventType::Rca => Classification::Incident,
                    _ => Classification::Advisory,
                };
                let status = event_state(p, kind, &updates, now);
                let impact = match (kind, p.event_level.as_ref()) {
                    (EventType::ServiceIssue, Some(EventLevel::Critical)) => {
                        Some(Health::MajorOutage)
                    }
                    _ => None,
                };
                let withheld = is_sensitive(e) && updates.is_empty() && body.trim().is_empty();
                out.incidents.push(Incident {
                    impact,
                    services: refs,
                    ended_at: resolved.then(|| {
                        p.impact_mitigation_time
                            .or(p.last_update_time)
                            .unwrap_or(start)
                            .max(start)
                    }),
                    updated_at: p.last_update_time,
                    mitigated_at: p.impact_mitigation_time,
                    level: match p.level {
                        Some(InsightLevel::Critical) => Some(Level::Critical),
                        Some(InsightLevel::Warning) => Some(Level::Warning),
                        _ => None,
                    },
                    impact_type: p.impact_type.clone().filter(|t| !t.trim().is_empty()),
                    additional_information: p
                        .additional_information
                        .as_ref()
                        .and_then(|a| a.message.clone())
                        .filter(|m| !m.trim().is_empty()),
                    withheld,
                    updates,
                    ..Incident::new(
                        e.name.clone(),
                        p.title.clone().unwrap_or_else(|| e.name.clone()),
                        classification,
                        status,
                        start,
                    )
                });
            }
        }
    }
    out.services = names
        .into_iter()
        .map(|(name, health)| Service {
            id: id_from_name("azure-", &name),
            name: name.into(),
            health,
            platform: Platform::Azure,
            upstream_status: None,
            description: None,
        })
        .collect();
    out
}

/// The event's timeline: every region's updates, each with its own tags,
/// once, oldest first; the summary alone when no region has any.
fn region_updates(p: &Properties, body: &str, start: DateTime<Utc>) -> Vec<Update> {
    let mut updates: Vec<Update> = Vec::new();
    for imp in p.impact.iter().flatten() {
        for r in imp.impacted_regions.iter().flatten() {
            for u in r.updates.iter().flatten() {
                let (Some(at), Some(text)) = (u.update_date_time, &u.summary) else {
                    continue;
                };
                if text.trim().is_empty() {
                    continue;
                }
                let region = r.impacted_region.clone();
                if updates
                    .iter()
                    .any(|x| x.at == at && x.body == *text && x.region == region)
                {
                    continue;
                }
                updates.push(Update {
                    region,
                    tags: u.event_tags.clone().unwrap_or_default(),
                    ..Update::new(at, text.clone(), BodyFormat::Html)
                });
            }
        }
    }
    if updates.is_empty() && !body.trim().is_empty() {
        updates.push(Update::new(
            p.last_update_time.unwrap_or(start),
            body.to_owned(),
            BodyFormat::Html,
        ));
    }
    updates.sort_by(|a, b| a.at.cmp(&b.at).then(a.region.cmp(&b.region)));
    updates
}

/// `queryStartTime` is `M/D/YYYY`.
pub fn query_start_time(t: DateTime<Utc>) -> String {
    t.format("%-m/%-d/%Y").to_string()
}

#[cfg(test)]
mod tests;
