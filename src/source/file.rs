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
    let mut snapshot = parse_with(path, text, Scope::default())?;
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
    for i in &mut snapshot.incidents {
        if let Some(r) = &mut i.report {
            r.file = report_path(path, text, &i.id, &r.file)?;
        }
    }
    Ok(snapshot)
}

/// Where an incident's report document is, checked: in the `reports/`
/// folder beside the snapshot file (a build notices a changed document by
/// that folder), a PDF or Word document by its name and by its bytes.
fn report_path(path: &Path, text: &str, id: &str, file: &str) -> Result<String, InputError> {
    let at = locate_scalar(text, 1, file);
    let fail = |msg: String| Err(InputError::new(path, at, format!("incident `{id}`: {msg}")));
    let rel = Path::new(file);
    let name = rel.file_name().map(|n| n.to_string_lossy().into_owned());
    let inside = rel.starts_with("reports")
        && rel.components().count() > 1
        && rel
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !inside {
        return fail(format!(
            "report `{file}` must be in the `reports/` folder next to the snapshot file (`reports/{}`)",
            name.unwrap_or_default()
        ));
    }
    let Some(format) = crate::report::Format::of_name(file) else {
        return fail(format!(
            "report `{file}` must be a PDF (`.pdf`) or a Word document (`.docx`)"
        ));
    };
    let full = path.parent().unwrap_or(Path::new("")).join(rel);
    let bytes = match std::fs::read(&full) {
        Ok(b) => b,
        Err(e) => return fail(format!("report `{}`: {e}", full.display())),
    };
    if crate::report::Format::sniff(&bytes) != Some(format) {
        return fail(format!(
            "report `{file}` is not a {} document: its bytes do not start as one does",
            format.ext().to_uppercase()
        ));
    }
    Ok(full.to_string_lossy().into_owned())
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

    #[test]
    fn report_documents_are_checked() {
        let dir = std::env::temp_dir().join(format!("sf-report-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("reports")).unwrap();
        std::fs::write(dir.join("reports/ok.pdf"), b"%PDF-1.4 ...").unwrap();
        std::fs::write(dir.join("reports/page.pdf"), b"<html>").unwrap();
        let path = dir.join("c.yaml");
        let with = |file: &str| format!("{SNAP}    report:\n      file: {file}\n");
        let s = parse(&path, &with("reports/ok.pdf")).unwrap();
        assert_eq!(
            s.incidents[0].report.as_ref().unwrap().file,
            dir.join("reports/ok.pdf").to_string_lossy()
        );
        let p = path.display();
        for (file, want) in [
            (
                "ok.pdf",
                format!(
                    "{p}:14:13: incident `EX1`: report `ok.pdf` must be in the `reports/` folder next to the snapshot file (`reports/ok.pdf`)"
                ),
            ),
            (
                "reports/../../x.pdf",
                format!(
                    "{p}:14:13: incident `EX1`: report `reports/../../x.pdf` must be in the `reports/` folder next to the snapshot file (`reports/x.pdf`)"
                ),
            ),
            (
                "reports/ok.html",
                format!(
                    "{p}:14:13: incident `EX1`: report `reports/ok.html` must be a PDF (`.pdf`) or a Word document (`.docx`)"
                ),
            ),
            (
                "reports/page.pdf",
                format!(
                    "{p}:14:13: incident `EX1`: report `reports/page.pdf` is not a PDF document: its bytes do not start as one does"
                ),
            ),
            (
                "reports/gone.pdf",
                format!(
                    "{p}:14:13: incident `EX1`: report `{}`: ",
                    dir.join("reports/gone.pdf").display()
                ),
            ),
        ] {
            let got = parse(&path, &with(file)).unwrap_err().to_string();
            assert!(got.starts_with(&want), "got:  {got}\nwant: {want}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
