use super::*;
use crate::sanitize::upstream_body;

fn page<T: serde::de::DeserializeOwned>(file: &str) -> Page<T> {
    let path = format!(
        "{}/tests/fixtures/upstream/graph/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn overviews() -> Vec<HealthOverview> {
    let mut v = page::<HealthOverview>("health_overviews.json").value;
    v.extend(page::<HealthOverview>("health_overviews_page2.json").value);
    v
}

#[test]
fn every_status_maps_to_a_health_and_an_incident_status() {
    use IncidentStatus as I;
    // (wire value, service health, open issue status, resolved issue status)
    let table = [
        (
            "serviceOperational",
            Health::Operational,
            I::Investigating,
            I::Resolved,
        ),
        (
            "investigating",
            Health::Degraded,
            I::Investigating,
            I::Resolved,
        ),
        (
            "restoringService",
            Health::Degraded,
            I::Identified,
            I::Resolved,
        ),
        (
            "verifyingService",
            Health::Degraded,
            I::Monitoring,
            I::Resolved,
        ),
        (
            "serviceRestored",
            Health::Operational,
            I::Monitoring,
            I::Resolved,
        ),
        (
            "postIncidentReviewPublished",
            Health::Operational,
            I::Postmortem,
            I::Postmortem,
        ),
        (
            "serviceDegradation",
            Health::Degraded,
            I::Identified,
            I::Resolved,
        ),
        (
            "serviceInterruption",
            Health::PartialOutage,
            I::Identified,
            I::Resolved,
        ),
        (
            "extendedRecovery",
            Health::Degraded,
            I::Monitoring,
            I::Resolved,
        ),
        (
            "falsePositive",
            Health::Operational,
            I::FalsePositive,
            I::FalsePositive,
        ),
        (
            "investigationSuspended",
            Health::Degraded,
            I::Investigating,
            I::Resolved,
        ),
        ("resolved", Health::Operational, I::Monitoring, I::Resolved),
        (
            "mitigatedExternal",
            Health::Operational,
            I::Monitoring,
            I::Resolved,
        ),
        ("mitigated", Health::Operational, I::Monitoring, I::Resolved),
        (
            "resolvedExternal",
            Health::Operational,
            I::Monitoring,
            I::Resolved,
        ),
        ("confirmed", Health::Degraded, I::Investigating, I::Resolved),
        ("reported", Health::Degraded, I::Investigating, I::Resolved),
        (
            "unknownFutureValue",
            Health::Unknown,
            I::Investigating,
            I::Resolved,
        ),
        (
            "serviceThrottled",
            Health::Unknown,
            I::Investigating,
            I::Resolved,
        ),
    ];
    for (wire, health, open, resolved) in table {
        for spelling in [wire.to_owned(), wire.to_uppercase(), {
            let mut c = wire.chars();
            c.next()
                .unwrap()
                .to_uppercase()
                .chain(c)
                .collect::<String>()
        }] {
            let s = Status::parse(&spelling);
            assert_eq!(health_of(&s), health, "{spelling}");
            assert_eq!(incident_status(Some(&s), false), open, "{spelling}");
            assert_eq!(incident_status(Some(&s), true), resolved, "{spelling}");
        }
    }
    assert_eq!(
        Status::parse("serviceThrottled"),
        Status::Unknown("serviceThrottled".into())
    );
    for (wire, want) in [
        ("advisory", ClassificationType::Advisory),
        ("Incident", ClassificationType::Incident),
        ("unknownFutureValue", ClassificationType::UnknownFutureValue),
    ] {
        assert_eq!(ClassificationType::parse(wire), want);
    }
    for wire in ["microsoft", "thirdParty", "customer", "unknownFutureValue"] {
        assert!(!matches!(Origin::parse(wire), Origin::Unknown(_)), "{wire}");
    }
    for wire in ["regular", "quick", "strategic", "unknownFutureValue"] {
        assert!(
            !matches!(PostType::parse(wire), PostType::Unknown(_)),
            "{wire}"
        );
    }
    for wire in [
        "preventOrFixIssue",
        "planForChange",
        "stayInformed",
        "unknownFutureValue",
    ] {
        assert!(
            !matches!(Category::parse(wire), Category::Unknown(_)),
            "{wire}"
        );
    }
    for wire in ["normal", "high", "critical", "unknownFutureValue"] {
        assert!(
            !matches!(Severity::parse(wire), Severity::Unknown(_)),
            "{wire}"
        );
    }
}

#[test]
fn health_overviews_become_services() {
    let o = overviews();
    let page1: Page<HealthOverview> = page("health_overviews.json");
    assert!(page1.next_link.unwrap().ends_with("$skip=100"));
    let services = services(&o);
    assert_eq!(services.len(), 14);
    let by_id = |id: &str| services.iter().find(|s| s.id.0 == id).unwrap();
    assert_eq!(by_id("Exchange").health, Health::Degraded);
    // An interruption with an open incident-class issue is a major outage.
    assert_eq!(by_id("microsoftteams").health, Health::MajorOutage);
    let crm = by_id("DynamicsCRM");
    assert_eq!(crm.health, Health::Unknown);
    assert_eq!(crm.upstream_status.as_deref(), Some("serviceThrottled"));
    assert_eq!(by_id("Planner").health, Health::Operational);
    assert!(
        services
            .iter()
            .all(|s| s.platform == Platform::Microsoft365)
    );
}

#[test]
fn pascal_case_bodies_parse_the_same() {
    let o: Page<HealthOverview> = page("health_overviews_pascal.json");
    let services = services(&o.value);
    let names = ServiceNames::new(&services);
    assert_eq!(services[1].health, Health::Degraded);
    let issues: Vec<Incident> = o
        .value
        .iter()
        .flat_map(|s| s.issues.iter().flatten())
        .map(|i| incident(i, &names))
        .collect();
    assert_eq!(issues[0].classification, Classification::Incident);
    assert_eq!(issues[0].status, IncidentStatus::Identified);
    assert_eq!(
        issues[0].services,
        [ServiceRef(ServiceId("Exchange".into()))]
    );
    assert_eq!(issues[1].classification, Classification::Advisory);
    assert_eq!(issues[1].status, IncidentStatus::Resolved);
    assert!(issues[1].ended_at.is_some());
}

#[test]
fn issues_keep_timelines_links_and_safe_bodies() {
    let o = overviews();
    let services = services(&o);
    let names = ServiceNames::new(&services);
    let find = |id: &str| {
        o.iter()
            .flat_map(|s| s.issues.iter().flatten())
            .find(|i| i.id == id)
            .unwrap()
            .clone()
    };
    let history: Page<Issue> = page("issues.json");
    let newer = history
        .value
        .iter()
        .find(|i| i.id == "EX912345")
        .unwrap()
        .clone();
    let merged = incident(&merge_issue(find("EX912345"), newer), &names);
    assert_eq!(merged.updates.len(), 4, "posts of both copies, once each");
    assert!(merged.updates.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(
        merged.updated_at.unwrap().to_rfc3339(),
        "2026-11-22T11:48:00+00:00"
    );
    assert_eq!(merged.status, IncidentStatus::Identified);
    assert!(merged.ended_at.is_none());
    assert!(
        !merged.links.is_empty(),
        "ExternalLink detail becomes a link"
    );
    assert!(merged.links.iter().all(|l| l.url.starts_with("https://")));
    // Plain text typed as HTML keeps its paragraphs; real HTML is cleaned.
    let plain = upstream_body(&merged.updates[0].body, merged.updates[0].format);
    assert!(plain.matches("<p>").count() >= 2, "{plain}");
    for u in &merged.updates {
        let html = upstream_body(&u.body, u.format);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }
    let text = incident(&find("EX911870"), &names);
    assert_eq!(text.updates[0].format, BodyFormat::Text);
    assert_eq!(text.status, IncidentStatus::Resolved);
    let pir = incident(&find("TM911950"), &names);
    assert_eq!(pir.status, IncidentStatus::Postmortem);
    assert_eq!(pir.updates.len(), 2, "a post without a body is skipped");
    let fp = incident(&find("IT912505"), &names);
    assert_eq!(fp.status, IncidentStatus::FalsePositive);
    let unknown = incident(&find("CR912700"), &names);
    assert_eq!(unknown.classification, Classification::Advisory);
    assert!(unknown.updates.is_empty());
    let teams = incident(&find("TM912001"), &names);
    assert_eq!(teams.impact, Some(Health::MajorOutage));
}

#[test]
fn plan_for_change_posts_become_maintenance() {
    let o = overviews();
    let names = ServiceNames::new(&services(&o));
    let m: Page<Message> = page("messages.json");
    assert!(m.next_link.is_some());
    let got: Vec<Maintenance> = m
        .value
        .iter()
        .filter_map(|x| maintenance(x, &names))
        .collect();
    let ids: Vec<_> = got.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids, ["MC912001", "MC912045"]);
    assert!(got[0].major);
    assert_eq!(got[0].ends_at.to_rfc3339(), "2027-01-31T08:00:00+00:00");
    assert_eq!(got[0].services, [ServiceRef(ServiceId("Exchange".into()))]);
    let body = upstream_body(&got[0].body, got[0].format);
    assert!(body.contains("<li>") && !body.contains("onerror"), "{body}");
    assert!(!got[1].major);
    assert_eq!(
        got[1].ends_at - got[1].starts_at,
        Duration::days(30),
        "no end: the post's 30-day life"
    );
}
