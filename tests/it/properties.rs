//! Property tests (proptest): the parsers never panic on arbitrary input
//! and their errors carry a location; front-matter splitting round-trips;
//! the history merge is idempotent, never drops an incident and does not
//! depend on the order of snapshots; dates format in every locale and time
//! zone.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use serde_json::Value;
use statusfleet::history::SourceHistory;
use statusfleet::model::{BodyFormat, Classification, Incident, IncidentStatus, Update};
use statusfleet::source::{SourceData, azure, graph, statuspage};

const CASES: u32 = 512;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn fixture(rel: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/upstream")
        .join(rel);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// A recorded body with some of its leaves replaced by arbitrary values
/// (strings, numbers, nulls, booleans): inputs shaped like the upstream's
/// that still reach the normalizers when they deserialize.
fn mutate(v: &Value, picks: &[(usize, Value)]) -> Value {
    let mut out = v.clone();
    let mut leaves = Vec::new();
    fn collect(v: &Value, path: Vec<String>, out: &mut Vec<Vec<String>>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, x)| {
                let mut p = path.clone();
                p.push(k.clone());
                collect(x, p, out);
            }),
            Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| {
                let mut p = path.clone();
                p.push(i.to_string());
                collect(x, p, out);
            }),
            _ => out.push(path),
        }
    }
    collect(v, Vec::new(), &mut leaves);
    for (i, new) in picks {
        let path = &leaves[i % leaves.len()];
        let mut at = &mut out;
        for k in path {
            at = match at {
                Value::Object(m) => m.get_mut(k).unwrap(),
                Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
                _ => unreachable!(),
            };
        }
        *at = new.clone();
    }
    out
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<String>().prop_map(Value::from),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})?".prop_map(Value::from),
        prop::sample::select(vec!["serviceDegradation", "resolved", "Active", "Resolved", "investigating", "major_outage", "incident", "advisory", "html", "text", "", "ServiceIssue", "PlannedMaintenance"]).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ]
}

fn picks() -> impl Strategy<Value = Vec<(usize, Value)>> {
    prop::collection::vec((any::<usize>(), leaf()), 1..8)
}

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
}

fn incident(id: &str, updates: &[(i64, String)]) -> Incident {
    Incident {
        updates: updates
            .iter()
            .map(|(at, body)| Update::new(t(*at), body.clone(), BodyFormat::Text))
            .collect(),
        ..Incident::new(
            id.to_owned(),
            format!("title {id}"),
            Classification::Incident,
            IncidentStatus::Investigating,
            t(0),
        )
    }
}

fn data(incidents: Vec<Incident>) -> SourceData {
    SourceData {
        label: "graph".to_owned(),
        incidents,
        ..SourceData::default()
    }
}

/// A snapshot of a source: some incident ids of a small pool, each with a
/// few updates.
fn snapshot() -> impl Strategy<Value = Vec<(String, Vec<(i64, String)>)>> {
    prop::collection::vec(
        (
            "EX[0-9]",
            prop::collection::vec((0i64..50, "[a-c]{1,2}"), 0..4),
        ),
        0..6,
    )
}

fn to_data(s: &[(String, Vec<(i64, String)>)]) -> SourceData {
    let mut seen = BTreeSet::new();
    data(
        s.iter()
            .filter(|(id, _)| seen.insert(id.clone()))
            .map(|(id, u)| incident(id, u))
            .collect(),
    )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn front_matter_round_trips(yaml in "([a-z]{1,8}: [a-z0-9 ]{0,12}\n){0,5}", body in any::<String>(), crlf in any::<bool>()) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let text = format!("---{nl}{yaml}---{nl}{body}");
        let (y, b) = statusfleet::content::split_front_matter(&text).unwrap();
        prop_assert_eq!(y, yaml.as_str());
        prop_assert_eq!(b, body.as_str());
    }

    #[test]
    fn front_matter_never_panics(text in any::<String>()) {
        let _ = statusfleet::content::split_front_matter(&text);
    }

    #[test]
    fn snapshot_parser_errors_carry_a_location(text in any::<String>(), yaml in any::<bool>()) {
        let name = if yaml { "snap.yaml" } else { "snap.json" };
        if let Err(e) = statusfleet::source::file::parse(Path::new(name), &text) {
            let m = e.to_string();
            prop_assert!(m.starts_with(name), "{}", m);
            let pos = m[name.len()..].split(':').take(3).collect::<Vec<_>>();
            prop_assert!(pos.len() == 3 && pos[1].parse::<usize>().is_ok() && pos[2].parse::<usize>().is_ok(), "no line:col in {}", m);
        }
    }

    #[test]
    fn snapshot_parser_on_mutated_snapshots(p in picks()) {
        let demo: Value = serde_yaml::from_str(&std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/contoso.yaml")).unwrap()).unwrap();
        let text = serde_json::to_string(&mutate(&demo, &p)).unwrap();
        if let Err(e) = statusfleet::source::file::parse(Path::new("snap.json"), &text) {
            prop_assert!(e.to_string().starts_with("snap.json:"), "{}", e);
        }
    }

    #[test]
    fn graph_normalizes_whatever_deserializes(p in picks()) {
        let overviews = fixture("graph/health_overviews.json");
        let issues = fixture("graph/issues.json");
        let messages = fixture("graph/messages.json");
        if let Ok(o) = serde_json::from_value::<graph::Page<graph::HealthOverview>>(mutate(&overviews, &p)) {
            let services = graph::services(&o.value);
            let names = graph::ServiceNames::new(&services);
            if let Ok(i) = serde_json::from_value::<graph::Page<graph::Issue>>(mutate(&issues, &p)) {
                for issue in &i.value {
                    let _ = graph::incident(issue, &names);
                }
            }
            if let Ok(m) = serde_json::from_value::<graph::Page<graph::Message>>(mutate(&messages, &p)) {
                for msg in &m.value {
                    let _ = graph::maintenance(msg, &names);
                }
            }
        }
    }

    #[test]
    fn azure_normalizes_whatever_deserializes(p in picks(), now in 0i64..100_000_000) {
        let events = fixture("azure/events_page1.json");
        if let Ok(v) = serde_json::from_value::<Vec<azure::Event>>(mutate(&events["value"], &p)) {
            let _ = azure::normalize(&azure::dedupe(v), &[], t(now));
        }
    }

    #[test]
    fn statuspage_normalizes_whatever_deserializes(p in picks()) {
        let s = serde_json::from_value::<statuspage::Summary>(mutate(&fixture("statuspage/summary.json"), &p));
        let i = serde_json::from_value::<statuspage::Incidents>(mutate(&fixture("statuspage/incidents.json"), &p));
        let m = serde_json::from_value::<statuspage::Maintenances>(mutate(&fixture("statuspage/scheduled-maintenances.json"), &p));
        if let (Ok(s), Ok(i), Ok(m)) = (s, i, m) {
            let _ = statuspage::normalize(&s, &i, &m, None, "en");
        }
    }

    #[test]
    fn upstream_bodies_never_panic(text in any::<String>()) {
        let _ = serde_json::from_str::<graph::Page<graph::Issue>>(&text);
        let _ = serde_json::from_str::<Vec<azure::Event>>(&text);
        let _ = serde_json::from_str::<statuspage::Summary>(&text);
        for f in [BodyFormat::Html, BodyFormat::Text, BodyFormat::Markdown] {
            let html = statusfleet::sanitize::upstream_body(&text, f);
            prop_assert!(!html.to_ascii_lowercase().contains("<script"));
            let _ = statusfleet::sanitize::plain_text(&text, f);
        }
    }

    #[test]
    fn history_merge_is_idempotent_and_keeps_everything(snaps in prop::collection::vec(snapshot(), 1..5)) {
        let mut h = SourceHistory::default();
        let mut ids = BTreeSet::new();
        let mut updates = BTreeSet::new();
        for (n, s) in snaps.iter().enumerate() {
            h.record_success(to_data(s), t(1000 + n as i64));
            for i in &to_data(s).incidents {
                ids.insert(i.id.clone());
                for u in &i.updates {
                    updates.insert((i.id.clone(), u.at, u.body.clone()));
                }
            }
            // Never drops an incident or an update once seen.
            let have: BTreeSet<String> = h.incidents.keys().cloned().collect();
            prop_assert_eq!(&have, &ids);
            let have_updates: BTreeSet<_> = h.incidents.values().flat_map(|i| i.updates.iter().map(move |u| (i.id.clone(), u.at, u.body.clone()))).collect();
            prop_assert!(updates.is_subset(&have_updates));
        }
        // Idempotent: the last snapshot again changes nothing.
        let before = h.clone();
        h.record_success(to_data(snaps.last().unwrap()), t(1000 + snaps.len() as i64 - 1));
        prop_assert_eq!(before, h);
    }

    #[test]
    fn history_merge_does_not_depend_on_order(s in snapshot(), shuffle in any::<prop::sample::Index>()) {
        // The same data arriving as two snapshots, in either order.
        let d = to_data(&s);
        let cut = if d.incidents.is_empty() { 0 } else { shuffle.index(d.incidents.len() + 1) };
        let (a, b) = d.incidents.split_at(cut);
        let mut one = SourceHistory::default();
        one.record_success(data(a.to_vec()), t(5));
        one.record_success(data(b.to_vec()), t(5));
        let mut two = SourceHistory::default();
        two.record_success(data(b.to_vec()), t(5));
        two.record_success(data(a.to_vec()), t(5));
        prop_assert_eq!(one, two);
    }

    #[test]
    fn dates_format_in_every_locale_and_zone(secs in -2_000_000_000i64..4_000_000_000, zone in any::<prop::sample::Index>(), locale in 0usize..6) {
        let tag = ["en", "fr-FR", "ko-KR", "zh-CN", "ja-JP", "ar-SA"][locale];
        let f = statusfleet::format::Formats::new(&tag.parse().unwrap()).unwrap();
        let tz = chrono_tz::TZ_VARIANTS[zone.index(chrono_tz::TZ_VARIANTS.len())];
        let at = Utc.timestamp_opt(secs, 0).unwrap();
        for s in [f.datetime(at, tz), f.date(at, tz), f.zone_generic(at, tz), f.zone_long(at, tz), f.month_day(at.date_naive())] {
            prop_assert!(!s.trim().is_empty(), "{} {} {}", tag, tz, at);
        }
    }
}
