//! The normalized model every source produces (DESIGN §4): services with a
//! health, incidents with timelines, planned maintenance.
//!
//! These types are also the schema of the `file` source's snapshot files, so
//! every struct here is strict (`deny_unknown_fields`) and every enum names its
//! accepted values in error messages.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A customer's health snapshot: what one source said at one moment.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// When the data was taken (UTC or any RFC 3339 offset).
    pub taken_at: DateTime<Utc>,
    #[serde(default)]
    pub services: Vec<Service>,
    #[serde(default)]
    pub incidents: Vec<Incident>,
    #[serde(default)]
    pub maintenance: Vec<Maintenance>,
    /// Sources whose last fetch failed: their data is the last good answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stale: Vec<StaleSource>,
    /// Labels of sources whose service is not offered where the customer
    /// is (Azure Resource Health in a cloud without it): pages say so.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_offered: Vec<String>,
}

/// A source that could not be reached at the last fetch; pages say so.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StaleSource {
    /// Human label of the source (`Microsoft 365`, `status.example.com`).
    pub source: String,
    /// When its data was last fetched successfully; `None` = never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<DateTime<Utc>>,
    /// The first failed fetch of the current run of failures.
    pub since: DateTime<Utc>,
    /// Why, in English (`HTTP 503 after 4 attempts`): for the operator
    /// (the console, the build's summary), never for customer pages.
    pub reason: String,
    /// What the operator can do about it, when it is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
}

/// Which platform a service (and so its admin portal) belongs to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    #[default]
    Microsoft365,
    Azure,
    /// A third-party service (for example read from a Statuspage API).
    Other,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Stable id used in URLs and references (`exchange`, `teams`, `Exchange`).
    pub id: ServiceId,
    /// Display name as upstream gives it (`Exchange Online`); a snapshot
    /// file may give one per locale.
    pub name: crate::text::Text,
    pub health: Health,
    #[serde(default)]
    pub platform: Platform,
    /// The upstream status verbatim (`serviceDegradation`), shown for reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<crate::text::Text>,
}

pub use crate::ids::ServiceId;
pub(crate) use crate::ids::parse_service_id;

/// A reference to a service from an incident or maintenance; checked against
/// the services the snapshot defines (see `crate::scope`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ServiceRef(pub ServiceId);

impl<'de> Deserialize<'de> for ServiceRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::scope::parse_str(d, "a service id", |s| {
            let id = parse_service_id(s)?;
            crate::scope::check_service(&id.0)?;
            Ok(ServiceRef(id))
        })
    }
}

/// Health of a service, worst last (the order is used for aggregation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Operational,
    Maintenance,
    Unknown,
    Degraded,
    PartialOutage,
    MajorOutage,
}

impl Health {
    pub fn key(self) -> &'static str {
        match self {
            Health::Operational => "operational",
            Health::Maintenance => "maintenance",
            Health::Unknown => "unknown",
            Health::Degraded => "degraded",
            Health::PartialOutage => "partial_outage",
            Health::MajorOutage => "major_outage",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// The service or a major function is unavailable.
    Incident,
    /// Limited or intermittent impact; often with a workaround.
    Advisory,
}

impl Classification {
    pub fn key(self) -> &'static str {
        match self {
            Classification::Incident => "incident",
            Classification::Advisory => "advisory",
        }
    }
}

/// Where an incident is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Investigating,
    Identified,
    /// Fix applied; restoring or verifying service.
    Monitoring,
    Resolved,
    /// Resolved, and a post-incident report is published.
    Postmortem,
    /// Investigated and found not to be a service problem.
    FalsePositive,
}

impl IncidentStatus {
    pub fn is_active(self) -> bool {
        matches!(
            self,
            IncidentStatus::Investigating | IncidentStatus::Identified | IncidentStatus::Monitoring
        )
    }
    pub fn key(self) -> &'static str {
        match self {
            IncidentStatus::Investigating => "investigating",
            IncidentStatus::Identified => "identified",
            IncidentStatus::Monitoring => "monitoring",
            IncidentStatus::Resolved => "resolved",
            IncidentStatus::Postmortem => "postmortem",
            IncidentStatus::FalsePositive => "false_positive",
        }
    }
}

pub use crate::sanitize::BodyFormat;

/// Whose words an upstream status or impact is in: pages label it in that
/// vocabulary (Statuspage's `monitoring` is "Monitoring", Graph's
/// `restoringService` is "Restoring service"), translated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Vocabulary {
    /// Microsoft Graph `serviceHealthStatus`.
    Graph,
    /// Atlassian Statuspage incident and maintenance statuses and impacts.
    Statuspage,
}

impl Vocabulary {
    pub fn key(self) -> &'static str {
        match self {
            Vocabulary::Graph => "graph",
            Vocabulary::Statuspage => "statuspage",
        }
    }
}

/// What upstream itself said of an incident, verbatim.
#[derive(Debug, Clone, PartialEq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamWords {
    pub vocabulary: Vocabulary,
    /// The upstream status (`serviceDegradation`, `monitoring`).
    pub status: String,
    /// The upstream impact (Statuspage `none`, `minor`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
}

/// Azure's "level of insight" of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Critical,
    Warning,
}

impl Level {
    pub fn key(self) -> &'static str {
        match self {
            Level::Critical => "critical",
            Level::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// Upstream id (`EX900101`); unique within the customer.
    pub id: String,
    pub title: String,
    pub classification: Classification,
    pub status: IncidentStatus,
    /// The status and impact in upstream's own words, when it has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<UpstreamWords>,
    /// The health affected services had during the incident. Defaults to
    /// `partial_outage` for incidents and `degraded` for advisories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<Health>,
    /// User impact, plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact_description: Option<String>,
    pub services: Vec<ServiceRef>,
    /// Affected services upstream names that the customer's service list
    /// does not hold (a Graph issue for a service without a health
    /// overview): shown by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unlisted_services: Vec<String>,
    /// The feature affected (Graph `feature`: "Mail flow").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    /// Its group (Graph `featureGroup`: "E-Mail timely delivery").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_group: Option<String>,
    /// When the impact was mitigated, or is expected to be (Azure
    /// `impactMitigationTime`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mitigated_at: Option<DateTime<Utc>>,
    /// Azure's level of the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Azure `impactType`, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact_type: Option<String>,
    /// Azure `additionalInformation.message`, plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_information: Option<String>,
    /// Upstream withholds the text (a sensitive Azure security advisory
    /// whose details could not be fetched): pages say so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withheld: bool,
    pub started_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// The timeline; any order in the file, shown newest first.
    #[serde(default)]
    pub updates: Vec<Update>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// The post-incident report document upstream published (Graph
    /// `incidentReport`), which the site serves for download.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
    /// Language of the upstream text (BCP-47); Microsoft writes in English.
    #[serde(default = "default_text_lang")]
    pub lang: String,
}

/// A post-incident report document.
#[derive(Debug, Clone, PartialEq, Hash, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// In a snapshot file: the document's path, relative to the snapshot
    /// file. In the history store: its name under `data/reports/` (named
    /// by its SHA-256, so a document shared by many customers is kept
    /// once). A PDF or a Word document (`.docx`).
    pub file: String,
}

impl Incident {
    /// An incident with only the required fields set.
    pub fn new(
        id: String,
        title: String,
        classification: Classification,
        status: IncidentStatus,
        started_at: DateTime<Utc>,
    ) -> Incident {
        Incident {
            id,
            title,
            classification,
            status,
            upstream: None,
            impact: None,
            impact_description: None,
            services: Vec::new(),
            unlisted_services: Vec::new(),
            feature: None,
            feature_group: None,
            mitigated_at: None,
            level: None,
            impact_type: None,
            additional_information: None,
            withheld: false,
            started_at,
            ended_at: None,
            updated_at: None,
            updates: Vec::new(),
            links: Vec::new(),
            report: None,
            lang: default_text_lang(),
        }
    }

    pub fn effective_impact(&self) -> Health {
        self.impact.unwrap_or(match self.classification {
            Classification::Incident => Health::PartialOutage,
            Classification::Advisory => Health::Degraded,
        })
    }
}

pub(crate) use crate::locale::default_text_lang;

#[derive(Debug, Clone, PartialEq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Update {
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<IncidentStatus>,
    pub body: String,
    #[serde(default)]
    pub format: BodyFormat,
    /// The region this update is about (Azure posts per-region timelines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The update's status in upstream's words (the incident's vocabulary;
    /// a maintenance update's Statuspage status).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream_status: Option<String>,
    /// Tags this update carries (Azure `eventTags`: `Final PIR`): they
    /// describe this update, not the whole event.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl Update {
    /// An update with only its time, text and format.
    pub fn new(at: DateTime<Utc>, body: String, format: BodyFormat) -> Update {
        Update {
            at,
            status: None,
            body,
            format,
            region: None,
            upstream_status: None,
            tags: Vec::new(),
        }
    }
}

/// What an update is by its tags: a final or preliminary post-incident
/// review, or a root cause analysis (the catalog's `review.*` key).
pub fn review_key(tags: &[String]) -> Option<&'static str> {
    let has = |t: &str| tags.iter().any(|g| g.eq_ignore_ascii_case(t));
    if has("Final PIR") {
        Some("final")
    } else if has("Preliminary PIR") {
        Some("preliminary")
    } else if has("RCA") {
        Some("rca")
    } else {
        None
    }
}

#[derive(Debug, Clone, PartialEq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MaintenanceStatus {
    Scheduled,
    InProgress,
    /// The work is done and is being checked (Statuspage `verifying`).
    Verifying,
    Completed,
    Cancelled,
}

impl MaintenanceStatus {
    pub fn key(self) -> &'static str {
        match self {
            MaintenanceStatus::Scheduled => "scheduled",
            MaintenanceStatus::InProgress => "in_progress",
            MaintenanceStatus::Verifying => "verifying",
            MaintenanceStatus::Completed => "completed",
            MaintenanceStatus::Cancelled => "cancelled",
        }
    }
    /// Upcoming or under way (not over).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            MaintenanceStatus::Scheduled
                | MaintenanceStatus::InProgress
                | MaintenanceStatus::Verifying
        )
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Maintenance {
    pub id: String,
    pub title: String,
    pub services: Vec<ServiceRef>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The status upstream gives; when it gives none, the status follows
    /// from the window and the snapshot time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MaintenanceStatus>,
    #[serde(default)]
    pub body: String,
    /// Upstream's updates to the announcement (Statuspage keeps a timeline
    /// per maintenance), any order in the file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub updates: Vec<Update>,
    #[serde(default)]
    pub format: BodyFormat,
    #[serde(default = "default_text_lang")]
    pub lang: String,
    /// A major change (Message Center `isMajorChange`): flagged on pages.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub major: bool,
    /// When upstream last changed the announcement (feeds and calendars
    /// use it as the entry's date; the window start when unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

impl Maintenance {
    /// Upstream's status when it gives one (an `in_progress` window past
    /// its planned end is still in progress); otherwise from the window.
    pub fn status_at(&self, now: DateTime<Utc>) -> MaintenanceStatus {
        match self.status {
            Some(s) => s,
            None if now < self.starts_at => MaintenanceStatus::Scheduled,
            None if now < self.ends_at => MaintenanceStatus::InProgress,
            None => MaintenanceStatus::Completed,
        }
    }
}

/// What one live source answered, normalized.
#[derive(Debug, Clone, Default)]
pub struct SourceData {
    /// Shown on pages when the source is stale (`Microsoft 365`).
    pub label: String,
    pub services: Vec<Service>,
    pub incidents: Vec<Incident>,
    pub maintenance: Vec<Maintenance>,
    /// What the source is kept under in the history store when that is
    /// known only from its answer (a Statuspage's page id).
    pub key: Option<String>,
    /// The service is not offered where the customer is (Azure Resource
    /// Health in a cloud without it): said on pages, not an error.
    pub not_offered: Option<String>,
    /// Post-incident report documents downloaded in this answer, by
    /// incident id; the fetch keeps them in the store and names them on
    /// their incidents.
    pub reports: Vec<(String, crate::report::Format, Vec<u8>)>,
    /// What the operator should hear of that did not fail the source (a
    /// report that could not be downloaded this time), in English.
    pub notes: Vec<String>,
}
