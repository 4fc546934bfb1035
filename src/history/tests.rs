use super::*;
use crate::model::{BodyFormat, Classification, IncidentStatus};

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn incident(id: &str, updates: &[(&str, &str)], status: IncidentStatus) -> Incident {
    Incident {
        updates: updates
            .iter()
            .map(|(at, body)| Update::new(t(at), (*body).into(), BodyFormat::Text))
            .collect(),
        ..Incident::new(
            id.into(),
            id.into(),
            Classification::Incident,
            status,
            t("2026-11-01T00:00:00Z"),
        )
    }
}

fn data(incidents: Vec<Incident>) -> SourceData {
    SourceData {
        label: "Microsoft 365".into(),
        incidents,
        ..SourceData::default()
    }
}

#[test]
fn merge_keeps_forgotten_incidents_and_unites_timelines() {
    let mut h = SourceHistory::default();
    let a1 = incident(
        "EX1",
        &[("2026-11-01T01:00:00Z", "one")],
        IncidentStatus::Investigating,
    );
    let b = incident("EX2", &[], IncidentStatus::Resolved);
    h.record_success(data(vec![a1, b]), t("2026-11-01T02:00:00Z"));
    // Upstream forgot EX2 and the first post of EX1.
    let a2 = incident(
        "EX1",
        &[("2026-11-01T03:00:00Z", "two")],
        IncidentStatus::Resolved,
    );
    h.record_success(data(vec![a2]), t("2026-11-01T04:00:00Z"));
    assert_eq!(h.incidents.len(), 2, "EX2 kept");
    let ex1 = &h.incidents["EX1"];
    assert_eq!(ex1.status, IncidentStatus::Resolved, "newer copy wins");
    let bodies: Vec<_> = ex1.updates.iter().map(|u| u.body.as_str()).collect();
    assert_eq!(bodies, ["one", "two"]);
}

#[test]
fn failures_keep_data_and_the_first_failure_time() {
    let mut h = SourceHistory::default();
    h.record_success(
        data(vec![incident("EX1", &[], IncidentStatus::Investigating)]),
        t("2026-11-01T00:00:00Z"),
    );
    h.record_failure(
        "Microsoft 365",
        "HTTP 503".into(),
        None,
        t("2026-11-01T00:05:00Z"),
    );
    h.record_failure(
        "Microsoft 365",
        "timeout".into(),
        None,
        t("2026-11-01T00:10:00Z"),
    );
    let s = h.stale().unwrap();
    assert_eq!(s.since, t("2026-11-01T00:05:00Z"));
    assert_eq!(s.as_of, Some(t("2026-11-01T00:00:00Z")));
    assert_eq!(s.reason, "timeout");
    assert_eq!(h.incidents.len(), 1);
    h.record_success(data(vec![]), t("2026-11-01T00:15:00Z"));
    assert!(h.stale().is_none());
}

#[test]
fn round_trips_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = load(dir.path(), "contoso").unwrap();
    assert!(h.sources.is_empty());
    h.sources.entry("graph".into()).or_default().record_success(
        data(vec![incident("EX1", &[], IncidentStatus::Investigating)]),
        t("2026-11-01T00:00:00Z"),
    );
    save(dir.path(), &h).unwrap();
    assert_eq!(load(dir.path(), "contoso").unwrap(), h);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["contoso.json"], "no temp file left");
    std::fs::write(path_for(dir.path(), "bad"), "{\"schema\": 1,").unwrap();
    let e = load(dir.path(), "bad").unwrap_err().to_string();
    assert!(e.contains("bad.json:1:"), "{e}");
}
