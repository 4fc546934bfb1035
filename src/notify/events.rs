//! What changed for one customer since notifications last looked: the
//! events, derived by comparing what its pages show now with what was
//! seen (kept in the outbox). The first look sets a baseline and gives
//! nothing, so history is never announced.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::config::notify::EventKind;
use crate::model::{Health, IncidentStatus, MaintenanceStatus};
use crate::site::CustomerModel;

/// What notifications last saw of a customer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seen {
    pub incidents: BTreeMap<String, SeenIncident>,
    pub maintenance: BTreeMap<String, SeenWindow>,
    /// Failing sources (label → failing since).
    #[serde(default)]
    pub failing: BTreeMap<String, DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeenIncident {
    pub status: IncidentStatus,
    /// How many updates its timeline had, and the newest one's time.
    pub updates: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeenWindow {
    pub status: MaintenanceStatus,
    /// The "starting soon" notice went out (or was not needed).
    pub reminded: bool,
}

/// One change, about one incident, window or source of one customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Stable: the same change always has the same id.
    pub id: String,
    pub kind: String,
    pub customer: String,
    /// The incident or window id, or the source's label.
    pub subject: String,
    /// When it happened (the update's time, the window's start, the
    /// failure's first time), else when it was seen.
    pub at: DateTime<Utc>,
    /// Incidents: their impact; windows: `maintenance`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Health>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// The new status, for a state change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl Event {
    pub fn kind(&self) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.key() == self.kind)
    }
}

/// An incident that appears already over, ended longer ago than this, is
/// history (a source added late, a store imported): no notice.
const HISTORY_AFTER_HOURS: i64 = 72;

/// The events between `seen` and what `model` shows, and what is seen now.
/// `seen: None` (a new customer) gives no events: it sets the baseline.
pub fn derive(
    seen: Option<&Seen>,
    model: &CustomerModel<'_>,
    lead: Duration,
) -> (Vec<Event>, Seen) {
    let slug = model.customer.slug.as_str();
    let now = model.now;
    let mut next = Seen::default();
    let mut events = Vec::new();
    let event = |kind: EventKind, subject: &str, discriminator: &str, at: DateTime<Utc>| Event {
        id: crate::ids::stable_uuid(&["event", slug, kind.key(), subject, discriminator]),
        kind: kind.key().to_owned(),
        customer: slug.to_owned(),
        subject: subject.to_owned(),
        at,
        severity: None,
        services: Vec::new(),
        status: None,
    };
    for m in &model.incidents {
        let i = &m.incident;
        let last = i.updates.iter().map(|u| u.at).max();
        next.incidents.insert(
            i.id.clone(),
            SeenIncident {
                status: i.status,
                updates: i.updates.len(),
                last,
            },
        );
        let Some(seen) = seen else { continue };
        let with = |mut e: Event| {
            e.severity = Some(i.effective_impact());
            e.services = i.services.iter().map(|s| s.0.0.clone()).collect();
            e
        };
        match seen.incidents.get(&i.id) {
            None => {
                let history = i
                    .ended_at
                    .is_some_and(|end| end < now - Duration::hours(HISTORY_AFTER_HOURS));
                if !history {
                    events.push(with(event(EventKind::IncidentNew, &i.id, "", i.started_at)));
                }
            }
            Some(before) => {
                let mut newer: Vec<_> = i
                    .updates
                    .iter()
                    .filter(|u| before.last.is_none_or(|l| u.at > l))
                    .collect();
                newer.sort_by_key(|u| u.at);
                if newer.is_empty() && i.updates.len() > before.updates {
                    // An update inserted before the newest one known.
                    newer.extend(i.updates.iter().max_by_key(|u| u.at));
                }
                for u in newer {
                    let disc = format!(
                        "{}|{}|{}",
                        u.at.to_rfc3339(),
                        u.region.as_deref().unwrap_or(""),
                        crate::ids::short_hash(&u.body)
                    );
                    events.push(with(event(EventKind::IncidentUpdate, &i.id, &disc, u.at)));
                }
                if before.status != i.status {
                    let at = i.ended_at.or(i.updated_at).or(last).unwrap_or(now);
                    let mut e = with(event(EventKind::IncidentState, &i.id, i.status.key(), at));
                    e.status = Some(i.status.key().to_owned());
                    events.push(e);
                }
            }
        }
    }
    for w in &model.maintenance {
        let m = &w.maintenance;
        let soon = w.status == MaintenanceStatus::Scheduled && now >= m.starts_at - lead;
        let before = seen.map(|s| s.maintenance.get(&m.id));
        let reminded = match before {
            Some(Some(b)) => b.reminded || w.status != MaintenanceStatus::Scheduled,
            // New (or the baseline): the announcement says when it starts.
            _ => soon || w.status != MaintenanceStatus::Scheduled,
        };
        next.maintenance.insert(
            m.id.clone(),
            SeenWindow {
                status: w.status,
                reminded,
            },
        );
        let Some(before) = before else { continue };
        let with = |mut e: Event| {
            e.severity = Some(Health::Maintenance);
            e.services = m.services.iter().map(|s| s.0.0.clone()).collect();
            e.status = Some(w.status.key().to_owned());
            e
        };
        match before {
            None => {
                let history =
                    !w.status.is_open() && m.ends_at < now - Duration::hours(HISTORY_AFTER_HOURS);
                if !history {
                    events.push(with(event(
                        EventKind::MaintenanceNew,
                        &m.id,
                        "",
                        m.updated_at.unwrap_or(m.starts_at).min(now),
                    )));
                }
            }
            Some(b) => {
                if soon && !b.reminded {
                    events.push(with(event(
                        EventKind::MaintenanceStarting,
                        &m.id,
                        "",
                        m.starts_at - lead,
                    )));
                }
                if b.status != w.status {
                    let kind = match w.status {
                        MaintenanceStatus::InProgress => Some(EventKind::MaintenanceStarted),
                        MaintenanceStatus::Completed => Some(EventKind::MaintenanceCompleted),
                        MaintenanceStatus::Cancelled => Some(EventKind::MaintenanceCancelled),
                        // Verifying is still under way; back to scheduled
                        // (rescheduled) is said by the next notice.
                        MaintenanceStatus::Verifying | MaintenanceStatus::Scheduled => None,
                    };
                    if let Some(kind) = kind {
                        let at = match w.status {
                            MaintenanceStatus::InProgress => m.starts_at,
                            _ => m.updated_at.unwrap_or(m.ends_at),
                        }
                        .min(now);
                        events.push(with(event(kind, &m.id, "", at)));
                    }
                }
            }
        }
    }
    for s in &model.stale {
        next.failing.insert(s.source.clone(), s.since);
        if let Some(seen) = seen
            && !seen.failing.contains_key(&s.source)
        {
            events.push(event(
                EventKind::SourceFailing,
                &s.source,
                &s.since.to_rfc3339(),
                s.since,
            ));
        }
    }
    if let Some(seen) = seen {
        for (label, since) in &seen.failing {
            if !next.failing.contains_key(label) {
                events.push(event(
                    EventKind::SourceRecovered,
                    label,
                    &since.to_rfc3339(),
                    now,
                ));
            }
        }
    }
    // Windows or incidents gone from the pages (out of the history window)
    // are forgotten; they cannot come back with a notice, since the store
    // keeps them and the window only moves forward.
    (events, next)
}

/// Whether an event concerns a subscriber who follows `services` (all when
/// `None`); events without services (a source) concern everyone.
pub fn touches(event: &Event, services: Option<&[crate::ids::ServiceId]>) -> bool {
    match services {
        None => true,
        Some(_) if event.services.is_empty() => true,
        Some(list) => list.iter().any(|s| event.services.contains(&s.0)),
    }
}
