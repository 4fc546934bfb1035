//! What the partner console keeps of one customer: collected from the
//! customer's model while it renders, kept in the build's manifest (so a
//! customer carried over unchanged still has it), small and
//! locale-independent.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomerModel, Origin};
use crate::model::{Classification, Health, IncidentStatus, Platform, StaleSource};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    /// The customer's overall state, as its overview shows it.
    pub overall: Health,
    /// The moment its data describes.
    pub as_of: DateTime<Utc>,
    pub services: Vec<ServiceState>,
    /// Active incidents and advisories, then those resolved within the
    /// console's recent window; newest first.
    pub incidents: Vec<IncidentRef>,
    /// Sources whose last fetch failed, with the operator's error.
    pub stale: Vec<StaleSource>,
    /// Maintenance windows in progress.
    pub maintenance_now: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceState {
    pub id: String,
    pub name: crate::text::Text,
    pub health: Health,
    pub platform: Platform,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentRef {
    /// Upstream id (`EX900101`): the same incident in every tenant.
    pub id: String,
    /// The page's file stem under `<locale>/incidents/`.
    pub file: String,
    pub title: String,
    /// The title's language (BCP-47; Microsoft writes in English).
    #[serde(default = "crate::model::default_text_lang")]
    pub lang: String,
    pub classification: Classification,
    pub status: IncidentStatus,
    /// The health it gives the services it affects.
    pub impact: Health,
    /// Where it came from: a platform, or the partner's own.
    pub platform: Option<Platform>,
    pub partner: bool,
    pub services: Vec<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl IncidentRef {
    pub fn is_active(&self) -> bool {
        self.status.is_active() && self.ended_at.is_none()
    }
}

impl Aggregate {
    /// What the console needs of `model`: resolved incidents are kept for
    /// `recent_days` after they ended.
    pub fn of(model: &CustomerModel<'_>, recent_days: u32) -> Aggregate {
        let recent = model.now - Duration::days(i64::from(recent_days));
        let platform_of = |id: &str| {
            model
                .services
                .iter()
                .find(|s| s.service.id.0 == id)
                .map(|s| s.service.platform)
        };
        let incidents = model
            .incidents
            .iter()
            .filter(|m| m.is_active() || m.incident.ended_at.is_some_and(|e| e >= recent))
            .map(|m| {
                let i = &m.incident;
                let services: Vec<String> = i.services.iter().map(|s| s.0.0.clone()).collect();
                let platform = services.iter().find_map(|s| platform_of(s));
                IncidentRef {
                    id: i.id.clone(),
                    file: m.file.clone(),
                    title: i.title.clone(),
                    lang: i.lang.clone(),
                    classification: i.classification,
                    status: i.status,
                    impact: i.effective_impact(),
                    platform,
                    partner: m.origin == Origin::Partner,
                    services,
                    started_at: i.started_at,
                    ended_at: i.ended_at,
                    updated_at: i.updated_at,
                }
            })
            .collect();
        Aggregate {
            overall: model.overall,
            as_of: model.now,
            services: model
                .services
                .iter()
                .map(|s| ServiceState {
                    id: s.service.id.0.clone(),
                    name: s.service.name.clone(),
                    health: s.health,
                    platform: s.service.platform,
                })
                .collect(),
            incidents,
            stale: model.stale.clone(),
            maintenance_now: model
                .maintenance
                .iter()
                .filter(|m| m.status == crate::model::MaintenanceStatus::InProgress)
                .count(),
        }
    }
}
