//! The fleet as the console sees it: customers worst first, incidents by
//! upstream id with the customers they hit, services with their customers
//! by state, failing sources. Made once from the aggregates; every page
//! reads it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::Parts;
use crate::config::Customer;
use crate::model::{Health, StaleSource};
use crate::site::aggregate::{Aggregate, IncidentRef, ServiceState};

/// One customer on the console.
pub struct Row<'a> {
    pub customer: &'a Customer,
    pub agg: &'a Aggregate,
    /// What tells it apart from customers of the same name: its domain,
    /// else its slug (only when a domain is known or the name is shared).
    pub detail: Option<String>,
    pub active: usize,
}

impl Row<'_> {
    pub fn slug(&self) -> &str {
        self.customer.slug.as_str()
    }
}

/// One upstream incident (by id) across the fleet.
pub struct FleetIncident<'a> {
    /// The copy of the first customer that has it.
    pub incident: &'a IncidentRef,
    /// Indexes into [`Fleet::rows`], in the rows' order.
    pub customers: Vec<usize>,
}

/// One service across the fleet.
pub struct FleetService<'a> {
    pub service: &'a ServiceState,
    /// Customers (row indexes) by the service's health there, worst first.
    pub by_health: BTreeMap<std::cmp::Reverse<Health>, Vec<usize>>,
}

pub struct Fleet<'a> {
    /// Worst first: overall state, then stale sources, active incidents,
    /// name.
    pub rows: Vec<Row<'a>>,
    /// Active first, then newest started; by id.
    pub incidents: Vec<FleetIncident<'a>>,
    /// Where each upstream id is in `incidents`.
    pub incident_at: HashMap<&'a str, usize>,
    pub services: Vec<FleetService<'a>>,
    /// (row, source), worst first as the rows.
    pub failing: Vec<(usize, &'a StaleSource)>,
    /// The newest data of the fleet: the moment the console describes
    /// (not the clock, so the same inputs give the same bytes).
    pub as_of: DateTime<Utc>,
}

impl<'a> Fleet<'a> {
    pub fn new(parts: &Parts<'_>, customers: Vec<(&'a Customer, &'a Aggregate)>) -> Fleet<'a> {
        let locale = parts.config.site.default_locale.tag();
        let mut names: HashMap<&str, usize> = HashMap::new();
        let mut pairs: HashMap<(&str, Option<&str>), usize> = HashMap::new();
        for (c, _) in &customers {
            *names.entry(c.name.any()).or_default() += 1;
            *pairs
                .entry((c.name.any(), c.domain.as_deref()))
                .or_default() += 1;
        }
        let mut rows: Vec<Row<'a>> = customers
            .into_iter()
            .map(|(customer, agg)| {
                let name = customer.name.any();
                let shared = names[name] > 1;
                let domain_shared =
                    customer.domain.is_none() || pairs[&(name, customer.domain.as_deref())] > 1;
                let detail = match (&customer.domain, shared && domain_shared) {
                    (Some(d), true) => Some(format!("{d}, {}", customer.slug)),
                    (Some(d), false) => Some(d.clone()),
                    (None, true) => Some(customer.slug.to_string()),
                    (None, false) => None,
                };
                Row {
                    customer,
                    agg,
                    detail,
                    active: agg.incidents.iter().filter(|i| i.is_active()).count(),
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            b.agg
                .overall
                .cmp(&a.agg.overall)
                .then(b.agg.stale.len().cmp(&a.agg.stale.len()))
                .then(b.active.cmp(&a.active))
                .then_with(|| {
                    a.customer
                        .name
                        .pick(locale, locale)
                        .text
                        .to_lowercase()
                        .cmp(&b.customer.name.pick(locale, locale).text.to_lowercase())
                })
                .then_with(|| a.slug().cmp(b.slug()))
        });
        let mut by_id: BTreeMap<&str, FleetIncident<'a>> = BTreeMap::new();
        let mut by_service: BTreeMap<&str, FleetService<'a>> = BTreeMap::new();
        let mut failing = Vec::new();
        for (n, row) in rows.iter().enumerate() {
            for i in &row.agg.incidents {
                by_id
                    .entry(i.id.as_str())
                    .or_insert_with(|| FleetIncident {
                        incident: i,
                        customers: Vec::new(),
                    })
                    .customers
                    .push(n);
            }
            for s in &row.agg.services {
                by_service
                    .entry(s.id.as_str())
                    .or_insert_with(|| FleetService {
                        service: s,
                        by_health: BTreeMap::new(),
                    })
                    .by_health
                    .entry(std::cmp::Reverse(s.health))
                    .or_default()
                    .push(n);
            }
            failing.extend(row.agg.stale.iter().map(|s| (n, s)));
        }
        let mut incidents: Vec<FleetIncident<'a>> = by_id.into_values().collect();
        incidents.sort_by(|a, b| {
            b.incident
                .is_active()
                .cmp(&a.incident.is_active())
                .then(b.incident.impact.cmp(&a.incident.impact))
                .then(b.incident.started_at.cmp(&a.incident.started_at))
                .then_with(|| a.incident.id.cmp(&b.incident.id))
        });
        let as_of = rows
            .iter()
            .map(|r| r.agg.as_of)
            .max()
            .unwrap_or(DateTime::UNIX_EPOCH);
        let incident_at = incidents
            .iter()
            .enumerate()
            .map(|(n, i)| (i.incident.id.as_str(), n))
            .collect();
        Fleet {
            rows,
            incidents,
            incident_at,
            services: by_service.into_values().collect(),
            failing,
            as_of,
        }
    }

    /// How many customers are in each overall state, worst first (states
    /// no customer is in are left out).
    pub fn counts(&self) -> Vec<(Health, usize)> {
        let mut by: BTreeMap<std::cmp::Reverse<Health>, usize> = BTreeMap::new();
        for r in &self.rows {
            *by.entry(std::cmp::Reverse(r.agg.overall)).or_default() += 1;
        }
        by.into_iter().map(|(h, n)| (h.0, n)).collect()
    }
}

/// The key and label of a name's initial for the A–Z index: an ASCII
/// letter, `0-9` for digits, else the character itself (keyed by its code
/// point, so file names stay ASCII).
pub fn initial(name: &str) -> (String, String) {
    let c = name.trim().chars().next().unwrap_or('#');
    let up: String = c.to_uppercase().collect();
    if c.is_ascii_alphabetic() {
        (c.to_ascii_lowercase().to_string(), up)
    } else if c.is_ascii_digit() {
        ("0-9".into(), "0–9".into())
    } else if c.is_alphanumeric() {
        let base = up.chars().next().unwrap_or(c);
        (format!("u{:04x}", base as u32), base.to_string())
    } else {
        ("other".into(), "#".into())
    }
}
