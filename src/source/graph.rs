//! Microsoft Graph service communications: service health, issues and
//! Message Center posts (reference: upstream-apis.md §1). Parsing and
//! normalizing are pure; `fetch` does the HTTP.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::upstream::{id_from_name, opt_time, safe_link, time, upstream_enum};
use crate::model::{
    BodyFormat, Classification, Health, Incident, IncidentStatus, Link, Maintenance, Platform,
    Service, ServiceId, ServiceRef, Update,
};

upstream_enum!(
    /// `serviceHealthStatus`.
    Status {
        ServiceOperational = "serviceOperational",
        Investigating = "investigating",
        RestoringService = "restoringService",
        VerifyingService = "verifyingService",
        ServiceRestored = "serviceRestored",
        PostIncidentReviewPublished = "postIncidentReviewPublished",
        ServiceDegradation = "serviceDegradation",
        ServiceInterruption = "serviceInterruption",
        ExtendedRecovery = "extendedRecovery",
        FalsePositive = "falsePositive",
        InvestigationSuspended = "investigationSuspended",
        Resolved = "resolved",
        MitigatedExternal = "mitigatedExternal",
        Mitigated = "mitigated",
        ResolvedExternal = "resolvedExternal",
        Confirmed = "confirmed",
        Reported = "reported",
        UnknownFutureValue = "unknownFutureValue",
    }
);

upstream_enum!(
    /// `serviceHealthClassificationType`.
    ClassificationType {
        Advisory = "advisory",
        Incident = "incident",
        UnknownFutureValue = "unknownFutureValue",
    }
);

upstream_enum!(
    /// `serviceHealthOrigin`.
    Origin {
        Microsoft = "microsoft",
        ThirdParty = "thirdParty",
        Customer = "customer",
        UnknownFutureValue = "unknownFutureValue",
    }
);

upstream_enum!(
    /// `postType`.
    PostType {
        Regular = "regular",
        Quick = "quick",
        Strategic = "strategic",
        UnknownFutureValue = "unknownFutureValue",
    }
);

upstream_enum!(
    /// `serviceUpdateCategory`.
    Category {
        PreventOrFixIssue = "preventOrFixIssue",
        PlanForChange = "planForChange",
        StayInformed = "stayInformed",
        UnknownFutureValue = "unknownFutureValue",
    }
);

upstream_enum!(
    /// `serviceUpdateSeverity`.
    Severity {
        Normal = "normal",
        High = "high",
        Critical = "critical",
        UnknownFutureValue = "unknownFutureValue",
    }
);

upstream_enum!(
    /// `bodyType`.
    BodyType {
        Text = "text",
        Html = "html",
    }
);

/// An OData collection page.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthOverview {
    pub id: String,
    pub service: String,
    pub status: Status,
    #[serde(default)]
    pub issues: Option<Vec<Issue>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyValue {
    pub name: String,
    #[serde(default)]
    pub value: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemBody {
    #[serde(default)]
    pub content_type: Option<BodyType>,
    #[serde(default)]
    pub content: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Post {
    #[serde(deserialize_with = "time")]
    pub created_date_time: DateTime<Utc>,
    #[serde(default)]
    pub post_type: Option<PostType>,
    #[serde(default)]
    pub description: Option<ItemBody>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Issue {
    pub id: String,
    pub title: String,
    #[serde(deserialize_with = "time")]
    pub start_date_time: DateTime<Utc>,
    #[serde(default, deserialize_with = "opt_time")]
    pub end_date_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub last_modified_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub classification: Option<ClassificationType>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub is_resolved: Option<bool>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub feature: Option<String>,
    #[serde(default)]
    pub feature_group: Option<String>,
    #[serde(default)]
    pub impact_description: Option<String>,
    #[serde(default)]
    pub origin: Option<Origin>,
    #[serde(default)]
    pub posts: Option<Vec<Post>>,
    #[serde(default)]
    pub details: Option<Vec<KeyValue>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: String,
    pub title: String,
    #[serde(default, deserialize_with = "opt_time")]
    pub start_date_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub end_date_time: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub last_modified_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub category: Option<Category>,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub is_major_change: Option<bool>,
    #[serde(default, deserialize_with = "opt_time")]
    pub action_required_by_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub services: Option<Vec<String>>,
    #[serde(default)]
    pub body: Option<ItemBody>,
}

/// The health a service has while its upstream status is `s` (the design
/// buckets of upstream-apis.md §1.9).
pub fn health_of(s: &Status) -> Health {
    use Status::*;
    match s {
        ServiceOperational
        | ServiceRestored
        | FalsePositive
        | PostIncidentReviewPublished
        | Resolved
        | ResolvedExternal
        | Mitigated
        | MitigatedExternal => Health::Operational,
        Investigating
        | ServiceDegradation
        | ExtendedRecovery
        | RestoringService
        | VerifyingService
        | InvestigationSuspended
        | Confirmed
        | Reported => Health::Degraded,
        ServiceInterruption => Health::PartialOutage,
        UnknownFutureValue | Unknown(_) => Health::Unknown,
    }
}

/// Where an issue is in its life. `isResolved` wins over the status.
pub fn incident_status(status: Option<&Status>, resolved: bool) -> IncidentStatus {
    use Status::*;
    match (status, resolved) {
        (Some(PostIncidentReviewPublished), _) => IncidentStatus::Postmortem,
        (Some(FalsePositive), _) => IncidentStatus::FalsePositive,
        (_, true) => IncidentStatus::Resolved,
        (Some(RestoringService | ServiceDegradation | ServiceInterruption), _) => {
            IncidentStatus::Identified
        }
        (
            Some(
                VerifyingService | ExtendedRecovery | ServiceRestored | Mitigated
                | MitigatedExternal | Resolved | ResolvedExternal,
            ),
            _,
        ) => IncidentStatus::Monitoring,
        _ => IncidentStatus::Investigating,
    }
}

/// Maps Graph service display names to the ids of `healthOverviews`.
pub struct ServiceNames(BTreeMap<String, ServiceId>);

impl ServiceNames {
    pub fn new(services: &[Service]) -> Self {
        ServiceNames(
            services
                .iter()
                .map(|s| (s.name.any().to_lowercase(), s.id.clone()))
                .collect(),
        )
    }
    fn id(&self, name: &str) -> ServiceId {
        self.known(name).unwrap_or_else(|| id_from_name("", name))
    }
    /// The id of a service `healthOverviews` lists, by display name.
    fn known(&self, name: &str) -> Option<ServiceId> {
        self.0.get(&name.to_lowercase()).cloned()
    }
}

pub fn services(overviews: &[HealthOverview]) -> Vec<Service> {
    overviews
        .iter()
        .map(|o| {
            let id = crate::model::parse_service_id(&o.id)
                .unwrap_or_else(|_| id_from_name("", &o.service));
            let mut health = health_of(&o.status);
            // An interruption with an open incident-class issue is an outage.
            let open_incident = o.issues.iter().flatten().any(|i| {
                i.is_resolved != Some(true)
                    && i.classification == Some(ClassificationType::Incident)
                    && i.status == Some(Status::ServiceInterruption)
            });
            if o.status == Status::ServiceInterruption && open_incident {
                health = Health::MajorOutage;
            }
            Service {
                id,
                name: o.service.as_str().into(),
                health,
                platform: Platform::Microsoft365,
                upstream_status: Some(o.status.as_str().to_owned()),
                description: None,
            }
        })
        .collect()
}

pub fn incident(issue: &Issue, names: &ServiceNames) -> Incident {
    let resolved = issue.is_resolved.unwrap_or(issue.end_date_time.is_some());
    let classification = match issue.classification {
        Some(ClassificationType::Incident) => Classification::Incident,
        _ => Classification::Advisory,
    };
    let impact = (classification == Classification::Incident
        && issue.status == Some(Status::ServiceInterruption))
    .then_some(Health::MajorOutage);
    let mut updates: Vec<Update> = issue
        .posts
        .iter()
        .flatten()
        .filter_map(|p| {
            let d = p.description.as_ref()?;
            let body = d.content.as_deref()?.trim();
            (!body.is_empty()).then(|| {
                Update::new(
                    p.created_date_time,
                    body.to_owned(),
                    match d.content_type {
                        Some(BodyType::Text) => BodyFormat::Text,
                        _ => BodyFormat::Html,
                    },
                )
            })
        })
        .collect();
    updates.sort_by_key(|u| u.at);
    let links = issue
        .details
        .iter()
        .flatten()
        .filter(|d| d.name.eq_ignore_ascii_case("ExternalLink"))
        .filter_map(|d| {
            let url = safe_link(d.value.as_deref()?)?;
            let host = reqwest::Url::parse(&url).ok()?.host_str()?.to_owned();
            Some(Link { title: host, url })
        })
        .collect();
    let text = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    // A service without a health overview is still named.
    let (services, unlisted_services) = match issue.service.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => match names.known(name) {
            Some(id) => (vec![ServiceRef(id)], Vec::new()),
            None => (Vec::new(), vec![name.to_owned()]),
        },
        _ => (Vec::new(), Vec::new()),
    };
    Incident {
        upstream: issue.status.as_ref().map(|s| crate::model::UpstreamWords {
            vocabulary: crate::model::Vocabulary::Graph,
            status: s.as_str().to_owned(),
            impact: None,
        }),
        impact,
        impact_description: text(&issue.impact_description),
        services,
        unlisted_services,
        feature: text(&issue.feature),
        feature_group: text(&issue.feature_group),
        ended_at: if resolved {
            issue
                .end_date_time
                .or(issue.last_modified_date_time)
                .map(|e| e.max(issue.start_date_time))
        } else {
            None
        },
        updated_at: issue.last_modified_date_time,
        updates,
        links,
        ..Incident::new(
            issue.id.clone(),
            issue.title.clone(),
            classification,
            incident_status(issue.status.as_ref(), resolved),
            issue.start_date_time,
        )
    }
}

/// Message Center posts that announce a change (`planForChange`) become
/// planned maintenance; the window is the post's, or 30 days from its start
/// when it names no end (posts expire about then).
pub fn maintenance(m: &Message, names: &ServiceNames) -> Option<Maintenance> {
    if m.category != Some(Category::PlanForChange) {
        return None;
    }
    let starts_at = m.start_date_time.or(m.last_modified_date_time)?;
    let ends_at = m
        .end_date_time
        .or(m.action_required_by_date_time)
        .filter(|e| *e >= starts_at)
        .unwrap_or(starts_at + Duration::days(30));
    let body = m
        .body
        .as_ref()
        .and_then(|b| b.content.clone())
        .unwrap_or_default();
    let format = match m.body.as_ref().and_then(|b| b.content_type.clone()) {
        Some(BodyType::Text) => BodyFormat::Text,
        _ => BodyFormat::Html,
    };
    Some(Maintenance {
        id: m.id.clone(),
        title: m.title.clone(),
        services: m
            .services
            .iter()
            .flatten()
            .map(|s| ServiceRef(names.id(s)))
            .collect(),
        starts_at,
        ends_at,
        status: None,
        body,
        updates: Vec::new(),
        format,
        lang: "en".to_owned(),
        major: m.is_major_change.unwrap_or(false) || m.severity == Some(Severity::Critical),
        updated_at: m.last_modified_date_time,
    })
}

/// Two copies of one issue (from `healthOverviews` and `issues`): the newer
/// wins, and keeps every post either has.
pub fn merge_issue(a: Issue, b: Issue) -> Issue {
    let (mut newer, older) = if a.last_modified_date_time >= b.last_modified_date_time {
        (a, b)
    } else {
        (b, a)
    };
    let posts = newer.posts.get_or_insert_with(Vec::new);
    for p in older.posts.into_iter().flatten() {
        let dup = posts.iter().any(|q| {
            q.created_date_time == p.created_date_time
                && q.description.as_ref().and_then(|d| d.content.as_ref())
                    == p.description.as_ref().and_then(|d| d.content.as_ref())
        });
        if !dup {
            posts.push(p);
        }
    }
    newer
}

#[cfg(test)]
mod tests;
