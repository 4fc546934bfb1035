//! The `file` source: a snapshot in the normalized shape, YAML or JSON.

use std::collections::BTreeSet;
use std::path::Path;

use crate::error::{InputError, locate_scalar};
use crate::model::Snapshot;
use crate::scope::{self, Scope};

pub fn load(path: &Path) -> Result<Snapshot, InputError> {
    let text = std::fs::read_to_string(path).map_err(|e| InputError::io(path, &e))?;
    parse(path, &text)
}

fn parse_with(path: &Path, text: &str, scope: Scope) -> Result<Snapshot, InputError> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    scope::with(scope, || {
        if is_json {
            serde_json::from_str(text).map_err(|e| InputError::from_json(path, &e))
        } else {
            serde_yaml::from_str(text).map_err(|e| InputError::from_yaml(path, &e, 0))
        }
    })
}

/// Parses a snapshot and checks it: references name defined services, ids
/// are unique, times are ordered.
pub fn parse(path: &Path, text: &str) -> Result<Snapshot, InputError> {
    let snapshot = parse_with(path, text, Scope::default())?;
    let defined: BTreeSet<String> = snapshot.services.iter().map(|s| s.id.0.clone()).collect();
    let refs = snapshot
        .incidents
        .iter()
        .flat_map(|i| &i.services)
        .chain(snapshot.maintenance.iter().flat_map(|m| &m.services));
    if refs.into_iter().any(|r| !defined.contains(&r.0.0)) {
        // Parse again with the defined ids in scope: the error then carries
        // the exact position of the bad reference.
        let scope = Scope {
            services: Some(defined),
            ..Default::default()
        };
        parse_with(path, text, scope)?;
    }
    check_unique(
        path,
        text,
        "service",
        snapshot.services.iter().map(|s| s.id.0.as_str()),
    )?;
    check_unique(
        path,
        text,
        "incident",
        snapshot.incidents.iter().map(|i| i.id.as_str()),
    )?;
    check_unique(
        path,
        text,
        "maintenance",
        snapshot.maintenance.iter().map(|m| m.id.as_str()),
    )?;
    for i in &snapshot.incidents {
        if let Some(end) = i.ended_at
            && end < i.started_at
        {
            return Err(InputError::new(
                path,
                locate_scalar(text, 1, &i.id),
                format!(
                    "incident `{}` ends before it starts: expected ended_at after started_at",
                    i.id
                ),
            ));
        }
    }
    for m in &snapshot.maintenance {
        if m.ends_at < m.starts_at {
            return Err(InputError::new(
                path,
                locate_scalar(text, 1, &m.id),
                format!(
                    "maintenance `{}` ends before it starts: expected ends_at after starts_at",
                    m.id
                ),
            ));
        }
    }
    Ok(snapshot)
}

fn check_unique<'a>(
    path: &Path,
    text: &str,
    what: &str,
    ids: impl Iterator<Item = &'a str>,
) -> Result<(), InputError> {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            let first = locate_scalar(text, 1, id).map_or(1, |(l, _)| l + 1);
            return Err(InputError::new(
                path,
                locate_scalar(text, first, id),
                format!("duplicate {what} id `{id}`: ids must be unique within a snapshot"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SNAP: &str = "taken_at: 2026-11-22T13:45:00Z
services:
  - id: exchange
    name: Exchange Online
    health: degraded
incidents:
  - id: EX1
    title: Mail delayed
    classification: incident
    status: identified
    services: [exchange]
    started_at: 2026-11-22T08:15:00Z
";

    fn err(text: &str) -> String {
        parse(Path::new("demo/c.yaml"), text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn parses_a_snapshot() {
        let s = parse(Path::new("c.yaml"), SNAP).unwrap();
        assert_eq!(s.incidents[0].services[0].0.0, "exchange");
    }

    #[test]
    fn errors_are_located() {
        let cases = [
            (
                SNAP.replace("services: [exchange]", "services: [exchnage]"),
                "demo/c.yaml:11:16: incidents[0].services[0]: unknown service `exchnage`: expected one of the services defined here (exchange)",
            ),
            (
                SNAP.replace("status: identified", "status: fixed"),
                "demo/c.yaml:10:13: incidents[0].status: unknown variant `fixed`, expected one of `investigating`, `identified`",
            ),
            (
                SNAP.replace("health: degraded", "health: degraded\n    colour: red"),
                "demo/c.yaml:6:5: services[0]: unknown field `colour`",
            ),
            (
                SNAP.replace("started_at: 2026-11-22T08:15:00Z", "started_at: yesterday"),
                "demo/c.yaml:12:17: incidents[0].started_at: input contains invalid characters",
            ),
            (
                format!(
                    "{SNAP}  - id: EX1\n    title: again\n    classification: advisory\n    status: resolved\n    services: []\n    started_at: 2026-11-22T08:15:00Z\n"
                ),
                "demo/c.yaml:13:9: duplicate incident id `EX1`",
            ),
        ];
        for (text, want) in cases {
            let got = err(&text);
            assert!(got.starts_with(want), "got:  {got}\nwant: {want}");
        }
    }
}
