use super::*;

fn events(file: &str) -> Page<Event> {
    let path = format!(
        "{}/tests/fixtures/upstream/azure/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn all() -> Vec<Event> {
    let p1 = events("events_page1.json");
    assert!(p1.next_link.as_deref().unwrap().contains("$skipToken="));
    let mut v = p1.value;
    v.extend(events("events_page2.json").value);
    v.extend(events("events_sub2.json").value);
    v
}

fn now() -> DateTime<Utc> {
    "2026-11-22T12:00:00Z".parse().unwrap()
}

#[test]
fn every_event_type_parses() {
    for wire in [
        "ServiceIssue",
        "PlannedMaintenance",
        "HealthAdvisory",
        "RCA",
        "EmergingIssues",
        "SecurityAdvisory",
        "Billing",
        "rca",
        "serviceissue",
    ] {
        assert!(
            !matches!(EventType::parse(wire), EventType::Unknown(_)),
            "{wire}"
        );
    }
    assert_eq!(
        EventType::parse("ChaosEvent"),
        EventType::Unknown("ChaosEvent".into())
    );
    for wire in ["Critical", "Error", "Warning", "Informational"] {
        assert!(!matches!(EventLevel::parse(wire), EventLevel::Unknown(_)));
    }
}

#[test]
fn events_are_deduplicated_across_subscriptions() {
    let raw = all();
    assert_eq!(raw.iter().filter(|e| e.name == "VN4T-8Q0").count(), 2);
    let events = dedupe(raw);
    assert_eq!(events.iter().filter(|e| e.name == "VN4T-8Q0").count(), 1);
    let n = normalize(&events, &[], now());
    let vm = n.incidents.iter().find(|i| i.id == "VN4T-8Q0").unwrap();
    let east: Vec<_> = vm
        .updates
        .iter()
        .filter(|u| u.region.as_deref() == Some("East US 2"))
        .collect();
    // Virtual Machines: 3 updates in East US 2 (one only in sub 2), Storage 1.
    assert_eq!(east.len(), 4, "{east:#?}");
    assert!(
        vm.updates
            .iter()
            .any(|u| u.region.as_deref() == Some("West Europe"))
    );
    assert_eq!(vm.status, IncidentStatus::Investigating);
    assert_eq!(vm.services.len(), 2);
    assert!(vm.updates.windows(2).all(|w| w[0].at <= w[1].at));
}

#[test]
fn event_types_map_to_incidents_advisories_and_maintenance() {
    let n = normalize(&dedupe(all()), &["Cosmos DB".to_owned()], now());
    let inc = |id: &str| {
        n.incidents
            .iter()
            .find(|i| i.id == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    assert_eq!(inc("0TRC-HW8").status, IncidentStatus::Postmortem);
    assert_eq!(inc("0TRC-HW8").classification, Classification::Incident);
    assert_eq!(inc("K2D7-9V8").status, IncidentStatus::Postmortem);
    assert!(inc("K2D7-9V8").ended_at.is_some());
    // Pages label review and root-cause text as such: the RCA event's
    // text is its root cause analysis; a PIR-tagged update is a review.
    let reviews = |id: &str| -> Vec<Option<&str>> {
        inc(id)
            .updates
            .iter()
            .map(|u| crate::model::review_key(&u.tags))
            .collect()
    };
    let rca = reviews("0TRC-HW8");
    assert!(
        !rca.is_empty() && rca.iter().all(Option::is_some),
        "{rca:?}"
    );
    let k2 = reviews("K2D7-9V8");
    assert!(
        k2.iter()
            .any(|r| matches!(r, Some("final" | "preliminary"))),
        "{k2:?}"
    );
    assert!(
        k2.contains(&None),
        "updates before the review are none: {k2:?}"
    );
    assert_eq!(inc("MK3B-1S8").status, IncidentStatus::FalsePositive);
    assert_eq!(inc("2LMN-P70").classification, Classification::Advisory);
    assert_eq!(inc("HL5V-R90").classification, Classification::Advisory);
    let sa = inc("SA7R-X11");
    assert_eq!(sa.classification, Classification::Advisory);
    assert!(sa.updates.is_empty(), "sensitive events show no text");
    assert!(
        !n.incidents.iter().any(|i| i.id == "BL2X-4F0"),
        "billing is not health"
    );
    assert!(
        !n.incidents.iter().any(|i| i.id == "CH4O-S00"),
        "no time, no entry"
    );
    let maint: Vec<_> = n.maintenance.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(maint, ["7QWE-2MN", "ZX9K-T3Q"], "by tracking id");
    assert!(n.maintenance.iter().all(|m| m.ends_at >= m.starts_at));
    let names: Vec<_> = n.services.iter().map(|s| s.name.any()).collect();
    assert!(
        names.contains(&"Cosmos DB"),
        "configured services are listed"
    );
    assert!(names.contains(&"Virtual Machines"));
    assert!(
        n.services
            .iter()
            .all(|s| s.platform == Platform::Azure && s.id.0.starts_with("azure-"))
    );
}

#[test]
fn query_start_time_is_month_day_year() {
    let t: DateTime<Utc> = "2026-07-04T10:00:00Z".parse().unwrap();
    assert_eq!(query_start_time(t), "7/4/2026");
}
