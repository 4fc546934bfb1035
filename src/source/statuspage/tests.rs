use super::*;

fn read<T: serde::de::DeserializeOwned>(file: &str) -> T {
    let path = format!(
        "{}/tests/fixtures/upstream/statuspage/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn normalized(only: Option<&[String]>) -> Normalized {
    normalize(
        &read("summary.json"),
        &read("incidents.json"),
        &read("scheduled-maintenances.json"),
        only,
        "en",
    )
}

#[test]
fn every_enum_value_parses() {
    for (wire, health) in [
        ("operational", Health::Operational),
        ("degraded_performance", Health::Degraded),
        ("partial_outage", Health::PartialOutage),
        ("major_outage", Health::MajorOutage),
        ("under_maintenance", Health::Maintenance),
        ("on_fire", Health::Unknown),
    ] {
        assert_eq!(health_of(&ComponentStatus::parse(wire)), health, "{wire}");
    }
    for wire in [
        "investigating",
        "identified",
        "monitoring",
        "resolved",
        "postmortem",
        "scheduled",
        "in_progress",
        "verifying",
        "completed",
    ] {
        assert!(!matches!(Status::parse(wire), Status::Unknown(_)), "{wire}");
    }
    for wire in ["none", "minor", "major", "critical", "maintenance"] {
        assert!(!matches!(Impact::parse(wire), Impact::Unknown(_)), "{wire}");
    }
}

#[test]
fn components_incidents_and_maintenance() {
    let n = normalized(None);
    assert_eq!(n.label, "Tailspin Voice");
    assert_eq!(n.services.len(), 7, "groups are not services");
    let health = |name: &str| {
        n.services
            .iter()
            .find(|s| s.name.any() == name)
            .unwrap()
            .health
    };
    assert_eq!(health("Admin Portal"), Health::Maintenance);
    assert_eq!(health("Fax to Email"), Health::MajorOutage);
    let inc = |id: &str| n.incidents.iter().find(|i| i.id == id).unwrap();
    assert_eq!(n.incidents.len(), 5);
    assert_eq!(inc("t5y7u9i1o3p5").impact, Some(Health::MajorOutage));
    assert_eq!(inc("t5y7u9i1o3p5").classification, Classification::Incident);
    assert_eq!(inc("r8x2k4m6p0q1").classification, Classification::Advisory);
    assert_eq!(inc("w2e4r6t8y0u2").status, IncidentStatus::Monitoring);
    assert_eq!(inc("w2e4r6t8y0u2").services.len(), 2);
    assert_eq!(inc("b1n3m5q7w9e1").status, IncidentStatus::Postmortem);
    assert!(inc("y6u8i0o2p4a6").ended_at.is_some());
    for i in &n.incidents {
        assert!(
            i.updates.windows(2).all(|w| w[0].at <= w[1].at),
            "oldest first"
        );
        assert!(i.links.iter().all(|l| l.url.starts_with("http")));
    }
    let maint: Vec<_> = n.maintenance.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(maint.len(), 4, "{maint:?}");
    let m = n
        .maintenance
        .iter()
        .find(|m| m.id == "x9c1v3b5n7m9")
        .unwrap();
    assert_eq!(
        m.starts_at.to_rfc3339(),
        "2026-11-29T06:00:00+00:00",
        "-06:00 offset"
    );
}

#[test]
fn a_component_filter_keeps_only_what_the_customer_uses() {
    let only = vec!["Fax to Email".to_owned()];
    let n = normalized(Some(&only));
    assert_eq!(n.services.len(), 1);
    let ids: Vec<_> = n.incidents.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["t5y7u9i1o3p5"]);
}
