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
    assert_eq!(names, ["contoso.log"], "no temp file left");
    std::fs::write(path_for(dir.path(), "bad"), "{\"schema\": 1,").unwrap();
    let e = load(dir.path(), "bad").unwrap_err().to_string();
    assert!(e.contains("bad.json:1:"), "{e}");
}

fn log_len(dir: &Path) -> u64 {
    std::fs::metadata(log::log_path(dir, "contoso"))
        .unwrap()
        .len()
}

/// A history with `n` incidents in one source, as a fetch records it.
fn fetched(n: usize, at: &str) -> CustomerHistory {
    let mut h = CustomerHistory {
        schema: SCHEMA,
        customer: "contoso".into(),
        ..Default::default()
    };
    let incidents = (0..n)
        .map(|k| {
            incident(
                &format!("EX{k}"),
                &[("2026-11-01T01:00:00Z", "a body of some length")],
                IncidentStatus::Resolved,
            )
        })
        .collect();
    h.sources
        .entry("graph".into())
        .or_default()
        .record_success(data(incidents), t(at));
    h
}

#[test]
fn a_save_appends_what_changed_only() {
    let dir = tempfile::tempdir().unwrap();
    let first = save(dir.path(), &fetched(200, "2026-11-01T00:00:00Z")).unwrap();
    assert!(first.whole);
    // The next fetch: the source's state changed (its time), one incident
    // has a new update, one is new.
    let mut h = load(dir.path(), "contoso").unwrap();
    let g = h.sources.get_mut("graph").unwrap();
    g.record_success(
        data(vec![
            incident(
                "EX7",
                &[("2026-11-01T02:00:00Z", "an update")],
                IncidentStatus::Resolved,
            ),
            incident("EX900", &[], IncidentStatus::Investigating),
        ]),
        t("2026-11-01T00:05:00Z"),
    );
    let next = save(dir.path(), &h).unwrap();
    assert!(!next.whole);
    assert!(
        next.bytes * 20 < first.bytes,
        "{} bytes appended for 2 of 201 incidents, {} for the whole",
        next.bytes,
        first.bytes
    );
    let back = load(dir.path(), "contoso").unwrap();
    assert_eq!(back, h);
    assert_eq!(back.sources["graph"].incidents["EX7"].updates.len(), 2);
    // Nothing changed but the time: the state alone.
    let same = save(dir.path(), &back).unwrap();
    assert!(same.bytes < 1000, "{same:?}");
    assert_eq!(load(dir.path(), "contoso").unwrap(), back);
}

#[test]
fn a_killed_append_leaves_the_history_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    save(dir.path(), &fetched(5, "2026-11-01T00:00:00Z")).unwrap();
    let before = load(dir.path(), "contoso").unwrap();
    let good = log_len(dir.path());
    let path = log::log_path(dir.path(), "contoso");
    // A batch cut short: a whole record without its commit, then half of
    // one.
    let mut h = before.clone();
    h.sources.get_mut("graph").unwrap().label = "changed".into();
    save(dir.path(), &h).unwrap();
    let full = std::fs::read(&path).unwrap();
    let batch = &full[good as usize..];
    for cut in [1, batch.len() / 2, batch.len() - 2] {
        std::fs::write(&path, [&full[..good as usize], &batch[..cut]].concat()).unwrap();
        let got = load(dir.path(), "contoso").unwrap();
        assert_eq!(got, before, "cut at {cut} of {}", batch.len());
        assert_eq!(got.sources["graph"].label, "Microsoft 365");
        // The next save cuts the torn tail off.
        save(dir.path(), &h).unwrap();
        assert_eq!(
            load(dir.path(), "contoso").unwrap().sources["graph"].label,
            "changed"
        );
        assert_eq!(std::fs::read(&path).unwrap(), full, "cut at {cut}");
    }
    // A damaged committed record is an error, with its line.
    let text = String::from_utf8(full).unwrap();
    let broken = text.replacen("\"label\":\"changed\"", "\"label\":changed", 1);
    std::fs::write(&path, broken).unwrap();
    let e = load(dir.path(), "contoso").unwrap_err().to_string();
    assert!(e.contains("contoso.log:9:"), "{e}");
}

#[test]
fn a_json_history_is_migrated_by_its_first_save() {
    let dir = tempfile::tempdir().unwrap();
    let h = fetched(3, "2026-11-01T00:00:00Z");
    std::fs::write(path_for(dir.path(), "contoso"), export(&h)).unwrap();
    let read = load(dir.path(), "contoso").unwrap();
    assert_eq!(read, h, "read from the JSON file");
    assert!(save(dir.path(), &read).unwrap().whole);
    assert!(
        !path_for(dir.path(), "contoso").exists(),
        "the JSON file is gone"
    );
    assert_eq!(load(dir.path(), "contoso").unwrap(), h);
    assert_eq!(export(&load(dir.path(), "contoso").unwrap()), export(&h));
}

#[test]
fn a_log_of_superseded_records_is_compacted() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = fetched(50, "2026-11-01T00:00:00Z");
    save(dir.path(), &h).unwrap();
    let whole = log_len(dir.path());
    let mut compactions = 0;
    for k in 0..400 {
        h = load(dir.path(), "contoso").unwrap();
        // Every incident changes each time: the log grows fast.
        let g = h.sources.get_mut("graph").unwrap();
        let renamed = g
            .incidents
            .values()
            .map(|i| Incident {
                title: format!("title {k}"),
                ..i.clone()
            })
            .collect();
        g.record_success(data(renamed), t("2026-11-01T00:05:00Z"));
        if save(dir.path(), &h).unwrap().whole {
            compactions += 1;
        }
        assert!(log_len(dir.path()) <= 2 * whole + 300 * 1024, "run {k}");
    }
    assert!(compactions > 0);
    assert_eq!(load(dir.path(), "contoso").unwrap(), h);
}

#[test]
fn an_empty_log_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(log::log_path(dir.path(), "contoso"), "").unwrap();
    let mut h = load(dir.path(), "contoso").unwrap();
    assert!(h.sources.is_empty());
    h.customer = "contoso".into();
    h.sources.insert(
        "graph".into(),
        fetched(2, "2026-11-01T00:00:00Z").sources["graph"].clone(),
    );
    assert!(save(dir.path(), &h).unwrap().whole);
    assert_eq!(load(dir.path(), "contoso").unwrap(), h);
}
