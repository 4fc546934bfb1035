//! CSV (RFC 4180) for spreadsheets: the console's exports and each
//! customer's incident history. Machine values: keys, UTC times.

use crate::site::OutputFile;
use crate::site::views::LocaleViews;

/// One CSV field: quoted when it holds a separator, a quote or a line
/// break (RFC 4180); a value a spreadsheet would run as a formula
/// (`=`, `@`, a `+` or `-` not starting a number) is prefixed with `'`.
/// Names can come from customers (Partner Center) and titles from upstreams.
pub fn field(s: &str) -> String {
    let formula = match s.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !s[1..]
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '(' | ')' | '-' | '.')),
        _ => false,
    };
    let s = if formula {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub fn line(fields: &[&str]) -> String {
    let mut l = fields
        .iter()
        .map(|f| field(f))
        .collect::<Vec<_>>()
        .join(",");
    l.push_str("\r\n");
    l
}

/// A customer's incident history over the history window, newest first:
/// one row per incident, for a spreadsheet or a service review. Times in
/// UTC (RFC 3339), states as keys, the page in the view's locale.
pub fn history(v: &LocaleViews, links: &super::Links) -> Vec<u8> {
    let tag = v.cat.locale.tag();
    let mut out = line(&[
        "id",
        "title",
        "classification",
        "status",
        "impact",
        "started_at",
        "ended_at",
        "duration_minutes",
        "services",
        "origin",
        "page",
    ]);
    for m in &v.model.incidents {
        let i = &m.incident;
        let end = i.ended_at.unwrap_or(v.model.now);
        let services: Vec<String> = v
            .service_links(&i.services)
            .into_iter()
            .map(|s| s.name)
            .chain(i.unlisted_services.iter().cloned())
            .collect();
        let page = format!("{tag}/incidents/{}.html", m.file);
        let time =
            |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        out.push_str(&line(&[
            &i.id,
            &i.title,
            i.classification.key(),
            i.status.key(),
            i.effective_impact().key(),
            &time(i.started_at),
            &i.ended_at.map(time).unwrap_or_default(),
            &(end - i.started_at).num_minutes().max(0).to_string(),
            &services.join("; "),
            v.origin_key(m),
            &links.absolute(&page).unwrap_or(page.clone()),
        ]));
    }
    out.into_bytes()
}

/// `<customer>/history.csv`, of the default locale's views.
pub fn history_file(v: &LocaleViews, links: &super::Links) -> OutputFile {
    OutputFile {
        path: format!("{}/history.csv", v.model.customer.folder),
        bytes: history(v, links),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(field("Contoso, Ltd"), "\"Contoso, Ltd\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+1 555 0100"), "+1 555 0100");
        assert_eq!(field("-cmd"), "'-cmd");
    }
}
