//! `maintenance.ics` (RFC 5545, with RFC 7986's NAME and
//! REFRESH-INTERVAL): every planned maintenance window in the history window
//! and ahead, in UTC. One calendar per locale, because calendar apps show a
//! single language and the labels and local times are the locale's; an event
//! has the same UID in every locale's calendar, so subscribing to two of them
//! never shows one window twice.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use super::{Links, Scope, stable_uuid};
use crate::model::MaintenanceStatus;
use crate::site::views::LocaleViews;

pub fn calendar(v: &LocaleViews, links: &Links, scope: Scope<'_>) -> String {
    let model = v.model;
    let cat = v.cat;
    let slug = model.customer.slug.as_str();
    let tag = cat.locale.tag();
    let customer = v.picked(&model.customer.name).0;
    let name = match scope {
        Scope::Customer => cat.text_or_key("calendar.name", None, &[("customer", &customer)]),
        Scope::Service(s) => cat.text_or_key(
            "calendar.service_name",
            None,
            &[
                ("customer", &customer),
                ("service", &v.picked(&s.service.name).0),
            ],
        ),
    };
    let mut out = Ics::default();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line(&format!(
        "PRODID:-//statusfleet//statusfleet {}//EN",
        env!("CARGO_PKG_VERSION")
    ));
    out.line("CALSCALE:GREGORIAN");
    out.line("METHOD:PUBLISH");
    out.prop("NAME", &[], &name);
    out.prop("X-WR-CALNAME", &[], &name);
    out.line("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    out.line("X-PUBLISHED-TTL:PT1H");
    let category = cat.t("nav.maintenance");
    for item in model
        .maintenance
        .iter()
        .filter(|i| scope.holds(&i.maintenance.services))
    {
        let (m, status, html) = (&item.maintenance, &item.status, &item.html);
        let view = v.maint(item);
        out.line("BEGIN:VEVENT");
        out.line(&format!(
            "UID:{}@statusfleet",
            stable_uuid(&["maintenance", slug, &m.id])
        ));
        out.line(&format!("DTSTAMP:{}", stamp(model.now)));
        if let Some(t) = m.updated_at {
            out.line(&format!("LAST-MODIFIED:{}", stamp(t)));
        }
        out.line(&format!("DTSTART:{}", stamp(m.starts_at)));
        out.line(&format!("DTEND:{}", stamp(m.ends_at.max(m.starts_at))));
        out.prop("SUMMARY", &[("LANGUAGE", &m.lang)], &m.title);
        let mut text = String::new();
        let _ = writeln!(
            text,
            "{}",
            cat.label_value(&cat.t("maintenance.starts"), &view.starts.text)
        );
        let _ = writeln!(
            text,
            "{}",
            cat.label_value(&cat.t("maintenance.ends"), &view.ends.text)
        );
        let services = super::service_names(&view.services);
        if !services.is_empty() {
            let _ = writeln!(
                text,
                "{}",
                cat.label_value(&cat.t("maintenance.services"), &services)
            );
        }
        let body = crate::sanitize::plain_text_of(&m.body, m.format, || html.clone());
        if !body.is_empty() {
            let _ = write!(text, "\n{body}\n");
        }
        let url = links.absolute(&format!("{tag}/maintenance.html#{}", view.anchor));
        if let Some(u) = &url {
            let _ = write!(text, "\n{u}\n");
        }
        out.prop("DESCRIPTION", &[], text.trim_end());
        out.prop("CATEGORIES", &[], &category);
        out.line(if *status == MaintenanceStatus::Cancelled {
            "STATUS:CANCELLED"
        } else {
            "STATUS:CONFIRMED"
        });
        out.line("TRANSP:TRANSPARENT");
        if let Some(u) = url {
            out.prop_raw("URL", &[("VALUE", "URI")], &u);
        }
        out.line("END:VEVENT");
    }
    out.line("END:VCALENDAR");
    out.0
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Content lines, CRLF-terminated and folded at 75 octets.
#[derive(Default)]
struct Ics(String);

impl Ics {
    fn line(&mut self, line: &str) {
        fold_into(&mut self.0, line);
    }

    /// A TEXT property: the value escaped.
    fn prop(&mut self, name: &str, params: &[(&str, &str)], value: &str) {
        self.prop_raw(name, params, &escape_text(value));
    }

    fn prop_raw(&mut self, name: &str, params: &[(&str, &str)], value: &str) {
        let mut l = name.to_owned();
        for (k, v) in params {
            let _ = write!(l, ";{k}={}", param_value(v));
        }
        l.push(':');
        l.push_str(value);
        self.line(&l);
    }
}

/// Appends `line` folded as RFC 5545 §3.1 says: no line longer than 75
/// octets, continuations start with a space, never inside a UTF-8
/// sequence.
fn fold_into(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// TEXT escaping (RFC 5545 §3.3.11); control characters other than the
/// newline are dropped.
fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.replace("\r\n", "\n").chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value: quoted when it holds `:`, `;` or `,`; `"` and
/// controls removed (they cannot be written).
fn param_value(v: &str) -> String {
    let clean: String = v.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    if clean.contains([':', ';', ',']) {
        format!("\"{clean}\"")
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let line = format!("DESCRIPTION:{}", "가".repeat(40));
        fold_into(&mut out, &line);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l:?}", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{line}\r\n"));
    }

    #[test]
    fn escapes_text_values() {
        assert_eq!(escape_text("a,b;c\\d\r\ne\u{7}"), "a\\,b\\;c\\\\d\\ne");
        assert_eq!(param_value("en"), "en");
        assert_eq!(param_value("a:b\""), "\"a:b\"");
    }
}
