//! Messages from events: what each subscriber is told, in its language,
//! on its channel (a mail with text and HTML parts, a Teams Adaptive Card,
//! a Slack Block Kit message, a signed JSON webhook). Rendered once, when
//! queued.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::events::Event;
use crate::config::notify::{Channel, EventKind};
use crate::i18n::Catalog;
use crate::sanitize::escape;
use crate::site::views::{LocaleViews, Step};

/// The webhook payload's schema version (docs/src/notifications.md).
pub const WEBHOOK_SCHEMA: u32 = 1;

/// One event as a message says it, in one locale: plain text only (each
/// channel escapes it its own way).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub customer: String,
    pub customer_name: String,
    /// `incident`, `maintenance`, `source`.
    pub subject_type: String,
    pub subject_id: String,
    /// What happened ("New update").
    pub heading: String,
    pub title: String,
    /// Status words ("Investigating", "Scheduled").
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    pub services: Vec<(String, String)>,
    /// When ("Started: …", "Window: …").
    pub when: String,
    /// The latest update's time and text, or the window's announcement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<String>,
    /// The page that says more (absolute).
    pub url: String,
    /// What to do, each step with its links (label, absolute href).
    pub steps: Steps,
    /// A partner's message: every customer the subject hits (name, their
    /// page), when it hits more than one; the message says the subject
    /// once and lists them (see [`fold_customers`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customers: Vec<(String, String)>,
}

/// How many customers a partner's mail lists by name under one subject
/// (chat messages: [`CHAT_CUSTOMERS`]); the rest are counted. A Microsoft
/// incident can hit every customer of the fleet: listed whole, the mail
/// grows past what mail servers accept (about 2.7 KB a customer).
pub const MAIL_CUSTOMERS: usize = 50;
/// The most events one partner webhook carries (about 1.3 KB each): a
/// subject that hits more customers is sent in several messages, each
/// well under the 1 MB a web server accepts by default (nginx's
/// `client_max_body_size`).
pub const WEBHOOK_EVENTS: usize = 500;
pub const CHAT_CUSTOMERS: usize = 20;

/// A partner's lines with the same incident or window in several
/// customers folded into one, which lists the customers: a Microsoft
/// incident that hits the whole fleet is said once. Source lines stay
/// apart (each customer's failure has its own error).
pub fn fold_customers(lines: Vec<Line>) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    for l in lines {
        let same = |o: &&mut Line| {
            o.subject_type != "source"
                && o.subject_type == l.subject_type
                && o.subject_id == l.subject_id
                && o.title == l.title
        };
        match out.iter_mut().find(same) {
            Some(o) => {
                if o.customers.is_empty() {
                    o.customers.push((o.customer_name.clone(), o.url.clone()));
                }
                o.customers.push((l.customer_name, l.url));
            }
            None => out.push(l),
        }
    }
    out
}

/// The customer names a line lists, at most `max`, and how many more.
fn customer_names(l: &Line, max: usize) -> (Vec<&str>, usize) {
    let names: Vec<&str> = l.customers.iter().take(max).map(|c| c.0.as_str()).collect();
    let more = l.customers.len() - names.len();
    (names, more)
}

/// "A, B, C and 12 more", for the chat channels and mail's text part.
fn customers_text(cat: &Catalog, l: &Line, max: usize) -> String {
    let (names, more) = customer_names(l, max);
    let mut text = names.join(", ");
    if more > 0 {
        text.push_str(", ");
        text.push_str(&cat.text_or_key("notify.customers_more", Some(more as u64), &[]));
    }
    text
}

/// The label and value that say whom a partner's line is about.
fn customer_fact(cat: &Catalog, l: &Line, max: usize) -> (String, String) {
    if l.customers.len() > 1 {
        let label = format!(
            "{} ({})",
            cat.t("notify.customers"),
            cat.formats.integer(l.customers.len() as i64)
        );
        (label, customers_text(cat, l, max))
    } else {
        (cat.t("notify.customer"), l.customer_name.clone())
    }
}

/// Next steps: each a sentence with its links (label, absolute href).
pub type Steps = Vec<(String, Vec<(String, String)>)>;

/// A message's words and structure, before a channel shapes it.
pub struct Draft<'c> {
    pub cat: &'c Catalog,
    pub subject: String,
    /// One paragraph before the items.
    pub intro: String,
    pub lines: Vec<Line>,
    /// Closing next steps (digests); a single item carries its own.
    pub steps: Steps,
    /// The customer's overview (absolute), or the partner's nothing.
    pub status_url: Option<String>,
    pub footer: String,
}

pub fn steps_of(steps: Vec<Step>) -> Steps {
    steps
        .into_iter()
        .map(|s| {
            let mut text = s.text;
            let mut links: Vec<(String, String)> =
                s.links.into_iter().map(|l| (l.label, l.href)).collect();
            if let Some(l) = s.inline {
                text = format!("{text}{}{}", l.label, s.after);
                links.insert(0, (l.label, l.href));
            }
            (text, links)
        })
        .collect()
}

/// The words for one event of the customer `views` shows, links under
/// `base` (the locale folder's absolute URL).
pub fn line(views: &LocaleViews<'_, '_>, base: &str, event: &Event) -> Option<Line> {
    let cat = views.cat;
    let kind = event.kind()?;
    let customer = views.model.customer;
    let customer_name = customer
        .name
        .pick(cat.locale.tag(), customer.default_locale.tag())
        .text
        .to_owned();
    let heading = match kind {
        EventKind::IncidentState => cat.text_or_key(
            "notify.event.incident.state",
            None,
            &[(
                "status",
                &cat.t(&format!(
                    "incident_status.{}",
                    event.status.as_deref().unwrap_or("resolved")
                )),
            )],
        ),
        k => cat.t(&format!("notify.event.{}", k.key())),
    };
    let services = |ids: &[String]| -> Vec<(String, String)> {
        ids.iter()
            .filter_map(|id| {
                let s = views
                    .model
                    .services
                    .iter()
                    .find(|s| s.service.id.0 == *id)?;
                Some((
                    s.service
                        .name
                        .pick(cat.locale.tag(), customer.default_locale.tag())
                        .text
                        .to_owned(),
                    format!("{base}services/{}.html", s.file),
                ))
            })
            .collect()
    };
    match kind {
        EventKind::IncidentNew | EventKind::IncidentUpdate | EventKind::IncidentState => {
            let d = views.incident_notice(&event.subject, base)?;
            let latest = d.updates.first();
            Some(Line {
                customer: customer.slug.to_string(),
                customer_name,
                subject_type: "incident".into(),
                subject_id: event.subject.clone(),
                heading,
                title: d.summary.title.clone(),
                status: d.summary.status.text.clone(),
                status_key: Some(d.summary.status.key.to_owned()),
                classification: Some(d.summary.classification.text.clone()),
                impact: Some(d.summary.impact.text.clone()),
                services: services(&event.services),
                when: cat.label_value(&cat.t("notify.started"), &d.summary.started.text),
                latest_at: latest.map(|u| u.at.text.clone()),
                latest: latest.map(|u| crate::sanitize::html_to_text(&u.html)),
                url: d.summary.href.clone(),
                steps: steps_of(d.next_steps),
                customers: Vec::new(),
            })
        }
        EventKind::MaintenanceNew
        | EventKind::MaintenanceStarting
        | EventKind::MaintenanceStarted
        | EventKind::MaintenanceCompleted
        | EventKind::MaintenanceCancelled => {
            let m = views.maintenance_notice(&event.subject)?;
            let when = format!(
                "{}{}{}{}{}",
                m.range.before, m.starts.text, m.range.between, m.ends.text, m.range.after
            );
            Some(Line {
                customer: customer.slug.to_string(),
                customer_name,
                subject_type: "maintenance".into(),
                subject_id: event.subject.clone(),
                heading,
                title: m.title.clone(),
                status: m.status.text.clone(),
                status_key: Some(m.status.key.to_owned()),
                classification: None,
                impact: None,
                services: services(&event.services),
                when: cat.label_value(&cat.t("notify.window"), &when),
                latest_at: m.updates.first().map(|u| u.at.text.clone()),
                latest: Some(crate::sanitize::html_to_text(
                    m.updates.first().map_or(&m.html, |u| &u.html),
                )),
                url: format!("{base}maintenance.html#{}", m.anchor),
                steps: Vec::new(),
                customers: Vec::new(),
            })
        }
        EventKind::SourceFailing | EventKind::SourceRecovered => {
            let stale = views.model.stale.iter().find(|s| s.source == event.subject);
            Some(Line {
                customer: customer.slug.to_string(),
                customer_name,
                subject_type: "source".into(),
                subject_id: event.subject.clone(),
                heading,
                title: event.subject.clone(),
                status: stale.map_or_else(String::new, |s| s.reason.clone()),
                status_key: None,
                classification: None,
                impact: None,
                services: Vec::new(),
                when: String::new(),
                latest_at: None,
                latest: stale.and_then(|s| s.advice.clone()),
                url: format!("{base}index.html"),
                steps: Vec::new(),
                customers: Vec::new(),
            })
        }
        EventKind::DiscoveryFailing | EventKind::DiscoveryRecovered => None,
    }
}

/// One line's plain text block (mail's text part).
fn line_text(out: &mut String, cat: &Catalog, l: &Line, with_customer: bool) {
    out.push_str(&format!("== {}: {}\n", l.heading, l.title));
    if with_customer {
        let (label, value) = customer_fact(cat, l, MAIL_CUSTOMERS);
        out.push_str(&format!("{}\n", cat.label_value(&label, &value)));
    }
    if !l.status.is_empty() {
        out.push_str(&format!(
            "{}\n",
            cat.label_value(&cat.t("notify.status"), &l.status)
        ));
    }
    if let Some(i) = &l.impact {
        out.push_str(&format!(
            "{}\n",
            cat.label_value(&cat.t("notify.impact"), i)
        ));
    }
    if !l.services.is_empty() {
        let names: Vec<&str> = l.services.iter().map(|s| s.0.as_str()).collect();
        out.push_str(&format!(
            "{}\n",
            cat.label_value(&cat.t("notify.services"), &names.join(", "))
        ));
    }
    if !l.when.is_empty() {
        out.push_str(&format!("{}\n", l.when));
    }
    if let Some(t) = &l.latest
        && !t.trim().is_empty()
    {
        match &l.latest_at {
            Some(at) => out.push_str(&format!(
                "\n{}\n{}\n",
                cat.label_value(&cat.t("notify.latest"), at),
                t.trim()
            )),
            None => out.push_str(&format!("\n{}\n", t.trim())),
        }
    }
    out.push_str(&format!("\n{}: {}\n", cat.t("notify.view_page"), l.url));
    steps_text(out, cat, &l.steps);
    out.push('\n');
}

fn steps_text(out: &mut String, cat: &Catalog, steps: &[(String, Vec<(String, String)>)]) {
    if steps.is_empty() {
        return;
    }
    out.push_str(&format!("\n{}\n", cat.t("notify.next_steps")));
    for (text, links) in steps {
        out.push_str(&format!("- {text}\n"));
        for (label, href) in links {
            out.push_str(&format!("  {label}: {href}\n"));
        }
    }
}

pub fn mail_text(d: &Draft<'_>, with_customer: bool) -> String {
    let mut out = format!("{}\n\n", d.intro);
    for l in &d.lines {
        line_text(&mut out, d.cat, l, with_customer);
    }
    steps_text(&mut out, d.cat, &d.steps);
    if let Some(u) = &d.status_url {
        out.push_str(&format!("\n{}: {u}\n", d.cat.t("notify.status_page")));
    }
    out.push_str(&format!("\n-- \n{}\n", d.footer));
    out
}

fn href_ok(h: &str) -> Option<String> {
    crate::sanitize::safe_url(h)
}

fn steps_html(out: &mut String, cat: &Catalog, steps: &[(String, Vec<(String, String)>)]) {
    if steps.is_empty() {
        return;
    }
    out.push_str(&format!(
        "<h3 style=\"font-size:16px;margin:16px 0 4px\">{}</h3><ul>",
        escape(&cat.t("notify.next_steps"))
    ));
    for (text, links) in steps {
        out.push_str(&format!("<li>{}", escape(text)));
        for (label, href) in links {
            if let Some(h) = href_ok(href) {
                out.push_str(&format!(
                    " <a href=\"{}\">{}</a>",
                    escape(&h),
                    escape(label)
                ));
            }
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
}

/// The HTML part: plain markup with inline styles (mail clients drop
/// style sheets), every text escaped, only http(s) and mailto links.
pub fn mail_html(d: &Draft<'_>, with_customer: bool) -> String {
    let cat = d.cat;
    let mut out = format!(
        "<!DOCTYPE html><html lang=\"{}\" dir=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:640px\">",
        escape(cat.locale.tag()),
        cat.dir(),
        escape(&d.subject)
    );
    out.push_str(&format!("<p>{}</p>", escape(&d.intro)));
    for l in &d.lines {
        out.push_str(
            "<div style=\"border-inline-start:4px solid #555;padding:4px 12px;margin:12px 0\">",
        );
        out.push_str(&format!(
            "<p style=\"margin:0;color:#555\">{}</p><h2 style=\"font-size:18px;margin:2px 0 8px\">{}</h2><dl style=\"margin:0\">",
            escape(&l.heading),
            escape(&l.title)
        ));
        let mut fact = |label: &str, value: &str| {
            out.push_str(&format!(
                "<div><dt style=\"display:inline;font-weight:600\">{}</dt> <dd style=\"display:inline;margin:0\">{}</dd></div>",
                escape(cat.label_value(label, "").trim_end()),
                escape(value)
            ));
        };
        if with_customer && l.customers.len() <= 1 {
            fact(&cat.t("notify.customer"), &l.customer_name);
        }
        if !l.status.is_empty() {
            fact(&cat.t("notify.status"), &l.status);
        }
        if let Some(i) = &l.impact {
            fact(&cat.t("notify.impact"), i);
        }
        if !l.services.is_empty() {
            let names: Vec<&str> = l.services.iter().map(|s| s.0.as_str()).collect();
            fact(&cat.t("notify.services"), &names.join(", "));
        }
        out.push_str("</dl>");
        if with_customer && l.customers.len() > 1 {
            let (label, _) = customer_fact(cat, l, MAIL_CUSTOMERS);
            let (names, more) = customer_names(l, MAIL_CUSTOMERS);
            out.push_str(&format!(
                "<p style=\"margin:8px 0 0;font-weight:600\">{}</p><ul style=\"margin:0\">",
                escape(&label)
            ));
            for (name, (_, url)) in names.iter().zip(&l.customers) {
                match href_ok(url) {
                    Some(h) => out.push_str(&format!(
                        "<li><a href=\"{}\">{}</a></li>",
                        escape(&h),
                        escape(name)
                    )),
                    None => out.push_str(&format!("<li>{}</li>", escape(name))),
                }
            }
            if more > 0 {
                out.push_str(&format!(
                    "<li>{}</li>",
                    escape(&cat.text_or_key("notify.customers_more", Some(more as u64), &[]))
                ));
            }
            out.push_str("</ul>");
        }
        if !l.when.is_empty() {
            out.push_str(&format!(
                "<p style=\"margin:4px 0\">{}</p>",
                escape(&l.when)
            ));
        }
        if let Some(t) = &l.latest
            && !t.trim().is_empty()
        {
            if let Some(at) = &l.latest_at {
                out.push_str(&format!(
                    "<p style=\"margin:8px 0 0;font-weight:600\">{}</p>",
                    escape(&cat.label_value(&cat.t("notify.latest"), at))
                ));
            }
            for para in t.trim().split("\n\n") {
                out.push_str(&format!(
                    "<p style=\"margin:4px 0\">{}</p>",
                    escape(para).replace('\n', "<br>")
                ));
            }
        }
        if let Some(h) = href_ok(&l.url) {
            out.push_str(&format!(
                "<p><a href=\"{}\">{}</a></p>",
                escape(&h),
                escape(&cat.t("notify.view_page"))
            ));
        }
        steps_html(&mut out, cat, &l.steps);
        out.push_str("</div>");
    }
    steps_html(&mut out, cat, &d.steps);
    if let Some(u) = d.status_url.as_deref().and_then(href_ok) {
        out.push_str(&format!(
            "<p><a href=\"{}\">{}</a></p>",
            escape(&u),
            escape(&cat.t("notify.status_page"))
        ));
    }
    out.push_str(&format!(
        "<hr><p style=\"font-size:13px;color:#555\">{}</p></body></html>",
        escape(&d.footer)
    ));
    out
}

/// Adaptive Card text: Teams reads a subset of Markdown in TextBlocks, so
/// every character that could start markup is escaped.
pub fn card_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_{}[]()#+-.!|>~<&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Slack mrkdwn text: `&`, `<` and `>` escaped, as Slack documents, so
/// no upstream text becomes a link, a mention or a channel ping.
pub fn slack_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// [`truncate`] for Slack mrkdwn: never cuts inside an escape (`&amp;`)
/// or a link (`<url|label>`), which would leave broken markup behind.
pub(crate) fn truncate_mrkdwn(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    let open_entity = t.rfind('&').filter(|&a| !t[a..].contains(';'));
    let open_link = t.rfind('<').filter(|&a| !t[a..].contains('>'));
    if let Some(cut) = open_entity.into_iter().chain(open_link).min() {
        t.truncate(cut);
    }
    t.push('…');
    t
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// A Teams message with one Adaptive Card (1.4, what incoming webhooks
/// and Workflows render).
pub fn teams(d: &Draft<'_>, with_customer: bool) -> Value {
    let cat = d.cat;
    let mut body = vec![json!({
        "type": "TextBlock", "text": card_text(&d.subject), "size": "Large",
        "weight": "Bolder", "wrap": true
    })];
    body.push(json!({"type": "TextBlock", "text": card_text(&d.intro), "wrap": true}));
    let mut actions = Vec::new();
    for l in d.lines.iter().take(20) {
        body.push(
            json!({"type": "TextBlock", "text": card_text(&l.heading), "wrap": true,
            "isSubtle": true, "spacing": "Medium", "separator": true}),
        );
        body.push(
            json!({"type": "TextBlock", "text": card_text(&l.title), "weight": "Bolder",
            "wrap": true}),
        );
        let mut facts = Vec::new();
        if with_customer {
            let (label, value) = customer_fact(cat, l, CHAT_CUSTOMERS);
            facts.push(json!({"title": label, "value": card_text(&value)}));
        }
        if !l.status.is_empty() {
            facts.push(json!({"title": cat.t("notify.status"), "value": card_text(&l.status)}));
        }
        if let Some(i) = &l.impact {
            facts.push(json!({"title": cat.t("notify.impact"), "value": card_text(i)}));
        }
        if !l.services.is_empty() {
            let names: Vec<&str> = l.services.iter().map(|s| s.0.as_str()).collect();
            facts.push(
                json!({"title": cat.t("notify.services"), "value": card_text(&names.join(", "))}),
            );
        }
        if !facts.is_empty() {
            body.push(json!({"type": "FactSet", "facts": facts}));
        }
        if !l.when.is_empty() {
            body.push(json!({"type": "TextBlock", "text": card_text(&l.when), "wrap": true}));
        }
        if let Some(t) = l.latest.as_deref().filter(|t| !t.trim().is_empty()) {
            body.push(
                json!({"type": "TextBlock", "text": card_text(&truncate(t.trim(), 2000)),
                "wrap": true}),
            );
        }
        if actions.len() < 5
            && let Some(h) = href_ok(&l.url)
        {
            actions.push(json!({"type": "Action.OpenUrl",
                "title": truncate(&format!("{}: {}", cat.t("notify.view_page"), l.title), 100),
                "url": h}));
        }
        for (text, _) in &l.steps {
            body.push(
                json!({"type": "TextBlock", "text": card_text(&format!("• {text}")), "wrap": true,
                "spacing": "Small"}),
            );
        }
    }
    body.push(
        json!({"type": "TextBlock", "text": card_text(&d.footer), "wrap": true,
        "isSubtle": true, "size": "Small", "separator": true}),
    );
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                // The card schema's `lang` is a bare ISO 639 language
                // ("fr", not "fr-FR").
                "lang": cat.locale.tag().split('-').next().unwrap_or("en"),
                "rtl": cat.dir() == "rtl",
                "body": body,
                "actions": actions,
            }
        }]
    })
}

/// A Slack message in Block Kit (incoming webhook), with the plain text
/// Slack shows in notifications.
pub fn slack(d: &Draft<'_>, with_customer: bool) -> Value {
    let cat = d.cat;
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": truncate(&d.subject, 150), "emoji": false}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": truncate_mrkdwn(&slack_text(&d.intro), 3000)}}),
    ];
    for l in d.lines.iter().take(15) {
        let mut text = format!("*{}*\n{}", slack_text(&l.heading), slack_text(&l.title));
        let mut fields = Vec::new();
        if with_customer {
            let (label, value) = customer_fact(cat, l, CHAT_CUSTOMERS);
            fields.push(cat.label_value(&label, &value));
        }
        if !l.status.is_empty() {
            fields.push(cat.label_value(&cat.t("notify.status"), &l.status));
        }
        if let Some(i) = &l.impact {
            fields.push(cat.label_value(&cat.t("notify.impact"), i));
        }
        if !l.services.is_empty() {
            let names: Vec<&str> = l.services.iter().map(|s| s.0.as_str()).collect();
            fields.push(cat.label_value(&cat.t("notify.services"), &names.join(", ")));
        }
        if !l.when.is_empty() {
            fields.push(l.when.clone());
        }
        for f in fields {
            text.push('\n');
            text.push_str(&slack_text(&f));
        }
        if let Some(t) = l.latest.as_deref().filter(|t| !t.trim().is_empty()) {
            text.push_str("\n\n");
            text.push_str(&slack_text(t.trim()));
        }
        // The link survives when a long update is cut.
        let link = href_ok(&l.url).map_or_else(String::new, |h| {
            format!(
                "\n<{}|{}>",
                h.replace('|', "%7C").replace('>', "%3E"),
                slack_text(&cat.t("notify.view_page"))
            )
        });
        let mut text = truncate_mrkdwn(&text, 3000 - link.chars().count());
        text.push_str(&link);
        blocks.push(json!({"type": "divider"}));
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": text}}));
        if !l.steps.is_empty() {
            let steps: Vec<String> = l
                .steps
                .iter()
                .map(|(t, _)| format!("• {}", slack_text(t)))
                .collect();
            blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": truncate_mrkdwn(&steps.join("\n"), 3000)}]}));
        }
    }
    blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": truncate_mrkdwn(&slack_text(&d.footer), 3000)}]}));
    // The notification's text is mrkdwn too: escaped like the blocks, so a
    // title's `<!channel>` pings no one.
    json!({"text": slack_text(&truncate(&d.subject, 2000)), "blocks": blocks})
}

/// The generic webhook's JSON (schema [`WEBHOOK_SCHEMA`]).
pub fn webhook(
    d: &Draft<'_>,
    id: &str,
    events: &[&Event],
    queued_at: chrono::DateTime<chrono::Utc>,
) -> Value {
    let items: Vec<Value> = events
        .iter()
        .zip(&d.lines)
        .map(|(e, l)| {
            json!({
                "id": e.id,
                "kind": e.kind,
                "at": e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "customer": {"slug": l.customer, "name": l.customer_name},
                "subject": {
                    "type": l.subject_type,
                    "id": l.subject_id,
                    "title": l.title,
                    "status": l.status_key,
                    "status_text": l.status,
                    "classification": l.classification,
                    "impact": l.impact,
                    "severity": e.severity.map(|h| h.key()),
                    "url": l.url,
                    "services": l.services.iter().zip(&e.services).map(|((name, url), id)| json!({"id": id, "name": name, "url": url})).collect::<Vec<_>>(),
                },
                "heading": l.heading,
                "latest_update": l.latest.as_ref().map(|t| json!({"at_text": l.latest_at, "text": t})),
                "next_steps": l.steps.iter().map(|(t, links)| json!({"text": t, "links": links.iter().map(|(label, href)| json!({"label": label, "href": href})).collect::<Vec<_>>()})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "type": "statusfleet.notification",
        "schema": WEBHOOK_SCHEMA,
        "id": id,
        "timestamp": queued_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "locale": d.cat.locale.tag(),
        "subject": d.subject,
        "status_url": d.status_url,
        "events": items,
    })
}

/// The channel's body for a draft.
pub fn body(
    channel: Channel,
    d: &Draft<'_>,
    with_customer: bool,
    id: &str,
    events: &[&Event],
    queued_at: chrono::DateTime<chrono::Utc>,
) -> Option<String> {
    let v = match channel {
        Channel::Email => return None,
        Channel::Teams => teams(d, with_customer),
        Channel::Slack => slack(d, with_customer),
        Channel::Webhook => webhook(d, id, events, queued_at),
    };
    Some(v.to_string())
}
