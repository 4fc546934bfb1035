//! Per-day health and uptime over the history window, from incident
//! intervals. A day is in the customer's time zone.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde::Serialize;

use crate::model::{Health, Incident, IncidentStatus};

#[derive(Debug, Clone, Serialize)]
pub struct Day {
    pub date: NaiveDate,
    /// Worst impact of an incident touching the day; operational if none.
    pub health: Health,
    /// Ids of incidents that touched the day.
    pub incidents: Vec<String>,
}

fn counts(i: &Incident) -> bool {
    i.status != IncidentStatus::FalsePositive
}

fn interval(i: &Incident, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (i.started_at, i.ended_at.unwrap_or(now).max(i.started_at))
}

/// The last `n` days up to and including the day of `now`, oldest first.
pub fn days(incidents: &[&Incident], now: DateTime<Utc>, tz: chrono_tz::Tz, n: u32) -> Vec<Day> {
    let today = now.with_timezone(&tz).date_naive();
    (0..n)
        .rev()
        .map(|back| {
            let date = today - Duration::days(i64::from(back));
            let start = local_midnight(tz, date);
            let end = local_midnight(tz, date + Duration::days(1));
            let touching: Vec<&&Incident> = incidents
                .iter()
                .filter(|i| counts(i))
                .filter(|i| {
                    let (s, e) = interval(i, now);
                    s < end && e >= start
                })
                .collect();
            Day {
                date,
                health: touching
                    .iter()
                    .map(|i| i.effective_impact())
                    .max()
                    .unwrap_or(Health::Operational),
                incidents: touching.iter().map(|i| i.id.clone()).collect(),
            }
        })
        .collect()
}

fn local_midnight(tz: chrono_tz::Tz, date: NaiveDate) -> DateTime<Utc> {
    let naive = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    tz.from_local_datetime(&naive)
        .earliest()
        // A zone whose midnight is skipped by a DST jump: the hour after.
        .unwrap_or_else(|| tz.from_utc_datetime(&naive))
        .with_timezone(&Utc)
}

/// How much an incident of this impact counts against uptime (Statuspage's
/// convention: major outage fully, partial outage 30 %, degraded not at all).
fn weight(h: Health) -> f64 {
    match h {
        Health::MajorOutage => 1.0,
        Health::PartialOutage => 0.3,
        _ => 0.0,
    }
}

/// Percent of `[from, now]` that services were up, overlapping incidents
/// counted once at their worst.
pub fn percent(incidents: &[&Incident], from: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
    let total = (now - from).num_seconds().max(1) as f64;
    let spans: Vec<(DateTime<Utc>, DateTime<Utc>, f64)> = incidents
        .iter()
        .filter(|i| counts(i))
        .map(|i| {
            let (s, e) = interval(i, now);
            (s.max(from), e.min(now), weight(i.effective_impact()))
        })
        .filter(|(s, e, w)| s < e && *w > 0.0)
        .collect();
    let mut points: Vec<DateTime<Utc>> = spans.iter().flat_map(|(s, e, _)| [*s, *e]).collect();
    points.sort();
    points.dedup();
    let down: f64 = points
        .windows(2)
        .map(|w| {
            let worst = spans
                .iter()
                .filter(|(s, e, _)| *s <= w[0] && *e >= w[1])
                .map(|(_, _, wt)| *wt)
                .fold(0.0, f64::max);
            worst * (w[1] - w[0]).num_seconds() as f64
        })
        .sum();
    100.0 * (1.0 - down / total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Classification, ServiceId, ServiceRef};

    fn incident(start: &str, end: Option<&str>, impact: Health) -> Incident {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        Incident {
            impact: Some(impact),
            services: vec![ServiceRef(ServiceId("x".into()))],
            ended_at: end.map(t),
            ..Incident::new(
                start.to_owned(),
                String::new(),
                Classification::Incident,
                IncidentStatus::Resolved,
                t(start),
            )
        }
    }

    #[test]
    fn overlapping_incidents_count_once_at_their_worst() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        let major = incident(
            "2026-01-01T00:00:00Z",
            Some("2026-01-01T10:00:00Z"),
            Health::MajorOutage,
        );
        let partial = incident(
            "2026-01-01T05:00:00Z",
            Some("2026-01-01T20:00:00Z"),
            Health::PartialOutage,
        );
        let degraded = incident(
            "2026-01-02T00:00:00Z",
            Some("2026-01-03T00:00:00Z"),
            Health::Degraded,
        );
        let all = [&major, &partial, &degraded];
        // 10 h fully down + 10 h at 30 % = 13 h of 100 h.
        let p = percent(&all, t("2026-01-01T00:00:00Z"), t("2026-01-05T04:00:00Z"));
        assert!((p - 87.0).abs() < 1e-9, "{p}");
    }

    #[test]
    fn days_are_local_to_the_customer() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        // 23:30 UTC on Jan 1 is Jan 2 in Seoul.
        let late = incident(
            "2026-01-01T23:30:00Z",
            Some("2026-01-01T23:50:00Z"),
            Health::MajorOutage,
        );
        let seoul: chrono_tz::Tz = "Asia/Seoul".parse().unwrap();
        let d = days(&[&late], t("2026-01-03T12:00:00Z"), seoul, 3);
        let got: Vec<_> = d.iter().map(|d| (d.date.to_string(), d.health)).collect();
        assert_eq!(
            got,
            [
                ("2026-01-01".into(), Health::Operational),
                ("2026-01-02".into(), Health::MajorOutage),
                ("2026-01-03".into(), Health::Operational)
            ]
        );
    }
}
