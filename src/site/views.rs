//! Per-locale views of a customer: every string translated, every time
//! formatted in the customer's zone, every body already sanitized. Templates
//! only lay these out. The page context is built in exactly one function,
//! [`LocaleViews::pages`].

use serde::Serialize;

use super::{CustomerModel, IncidentModel, MaintenanceModel, Origin, ServiceModel};
use crate::config::{Cloud, Config};
use crate::i18n::Catalog;
use crate::model::{Incident, Platform, Vocabulary};

#[derive(Debug, Clone, Serialize)]
pub struct TimeView {
    /// UTC, for `<time datetime>`.
    pub iso: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Label {
    pub key: &'static str,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub href: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceLink {
    pub name: String,
    /// The language of `name` when it is not the page's.
    pub lang: Option<String>,
    /// Relative to the locale root; `None` for a service the customer's
    /// list does not hold (named by upstream, no page of its own).
    pub href: Option<String>,
    /// The list's text after this item (`, `, ` et `, `、`; empty after
    /// the last).
    pub after: String,
}

/// One more fact about an incident, beside the standard ones.
#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    pub label: String,
    /// Plain text, or `time` when the fact is a moment.
    pub value: String,
    pub time: Option<TimeView>,
    /// The value's language when it is upstream text.
    pub lang: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayView {
    pub health: &'static str,
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UptimeView {
    pub caption: String,
    pub percent: String,
    pub incident_days: String,
    pub start: String,
    pub end: String,
    pub days: Vec<DayView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceRow {
    pub name: String,
    /// The language of `name` when it is not the page's.
    pub name_lang: Option<String>,
    pub href: String,
    pub health: Label,
    /// The status upstream reports, in its words (Graph's "Service
    /// degradation"), verbatim when the catalog has no label for it.
    pub upstream_status: Option<String>,
    pub uptime: UptimeView,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncidentSummary {
    pub id: String,
    pub href: String,
    pub title: String,
    /// Language of `title`.
    pub title_lang: String,
    pub classification: Label,
    pub status: Label,
    pub active: bool,
    pub impact: Label,
    pub services: Vec<ServiceLink>,
    pub started: TimeView,
    pub ended: Option<TimeView>,
    /// The text around and between `started` and `ended`.
    pub range: RangeView,
    pub duration: DurationView,
    pub last_update: Option<TimeView>,
}

/// How long something lasted (or has lasted so far), for
/// `<time datetime="{{ iso }}">`: the text in the locale's CLDR units and
/// the sentence around it (`Ongoing for {duration}`).
#[derive(Debug, Clone, Serialize)]
pub struct DurationView {
    /// An HTML valid duration string (`PT4H35M`, `P3DT5M`, `PT40S`).
    pub iso: String,
    pub text: String,
    pub before: String,
    pub after: String,
}

/// `P3DT4H35M`: an HTML valid duration string (days, hours, minutes;
/// seconds only under a minute).
pub(crate) fn iso_duration(d: chrono::TimeDelta) -> String {
    let secs = d.num_seconds().max(0);
    if secs < 60 {
        return format!("PT{secs}S");
    }
    let minutes = secs / 60;
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let mut out = String::from("P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if hours > 0 || mins > 0 {
        out.push('T');
        if hours > 0 {
            out.push_str(&format!("{hours}H"));
        }
        if mins > 0 {
            out.push_str(&format!("{mins}M"));
        }
    }
    out
}

/// A range in the locale's words (`{start} – {end}`, `{start}～{end}`),
/// as the text before, between and after its two ends.
#[derive(Debug, Clone, Serialize, Default)]
pub struct RangeView {
    pub before: String,
    pub between: String,
    pub after: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UpdateView {
    pub at: TimeView,
    pub status: Option<Label>,
    /// Sanitized HTML.
    pub html: String,
    /// The Azure region the update is about.
    pub region: Option<String>,
    /// Tags upstream gave this update (`Final PIR`), verbatim English.
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoteView {
    pub heading: String,
    pub title_lang: String,
    pub html: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncidentDetail {
    #[serde(flatten)]
    pub summary: IncidentSummary,
    /// The upstream title when `title` shows a translation.
    pub original_title: Option<String>,
    /// Language of the upstream text (updates, impact, original title).
    pub lang: String,
    pub impact_description: Option<String>,
    pub summary_html: Option<String>,
    pub note: Option<NoteView>,
    pub updates: Vec<UpdateView>,
    pub update_count: String,
    pub links: Vec<LinkView>,
    pub next_steps: Vec<Step>,
    /// Feature, feature group, mitigation, level, impact type, additional
    /// information: what upstream gives beyond the standard facts.
    pub facts: Vec<Fact>,
    /// Why the text is missing, when upstream withholds it.
    pub withheld: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MaintView {
    pub id: String,
    /// Fragment id of the item on the maintenance page (`m-…`).
    pub anchor: String,
    pub title: String,
    pub lang: String,
    pub services: Vec<ServiceLink>,
    pub starts: TimeView,
    pub ends: TimeView,
    pub range: RangeView,
    pub status: Label,
    pub html: String,
    /// "Major change", when upstream flags it.
    pub major: Option<String>,
    /// Upstream's updates after the announcement, newest first.
    pub updates: Vec<UpdateView>,
}

/// A source whose data is not fresh, said in the page's language. Why it
/// failed is for the operator (the fetch summary), never for the page.
#[derive(Debug, Clone, Serialize)]
pub struct StaleView {
    pub text: String,
}

/// One next step: a sentence, optionally followed by links. With `inline`,
/// the sentence is `text` + the link + `after` (a link inside a sentence,
/// placed where the locale's word order puts it).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Step {
    pub text: String,
    pub inline: Option<LinkView>,
    pub after: String,
    pub links: Vec<LinkView>,
}

impl Step {
    fn new(text: String, links: Vec<LinkView>) -> Step {
        Step {
            text,
            links,
            ..Default::default()
        }
    }

    /// `key`'s message with `link` in place of its `{placeholder}`.
    fn inline(cat: &Catalog, key: &str, placeholder: &str, link: LinkView) -> Step {
        let marker = "\u{0}";
        let text = cat
            .text(key, None, &[(placeholder, marker)])
            .unwrap_or_default();
        let (before, after) = text.split_once(marker).unwrap_or((&text, ""));
        Step {
            text: before.to_owned(),
            inline: Some(link),
            after: after.to_owned(),
            links: vec![],
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Alternate {
    pub tag: String,
    pub name: String,
    pub href: String,
    pub current: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub label: String,
    /// The language of `label` when it is not the page's (a content page
    /// without a translation).
    pub lang: Option<String>,
    pub href: String,
    pub current: bool,
}

/// The partner, as pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerView {
    pub name: String,
    pub url: Option<String>,
    pub colors: crate::config::branding::Colors,
    pub links: Vec<PartnerLinkView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartnerLinkView {
    pub title: String,
    /// The language of `title` when it is not the page's.
    pub lang: Option<String>,
    pub url: String,
}

/// What every page has.
#[derive(Debug, Clone, Serialize)]
pub struct Common {
    pub site_title: String,
    /// The language of `site_title` when it is not the page's.
    pub site_title_lang: Option<String>,
    pub partner: PartnerView,
    /// The partner logo's file name under `static/`.
    pub logo: Option<String>,
    /// The customer's logo's file name under `static/`.
    pub customer_logo: Option<String>,
    /// Stylesheets under `static/`, in order: the theme's, then the
    /// partner colours (`brand.css`).
    pub stylesheets: Vec<String>,
    pub customer_name: String,
    /// The language of `customer_name` when it is not the page's.
    pub customer_name_lang: Option<String>,
    pub lang: LangView,
    pub overall: Label,
    pub as_of: TimeView,
    /// "Data as of {time}" split around the time, so word order follows
    /// the locale while the time stays a `<time>` element.
    pub as_of_before: String,
    pub as_of_after: String,
    pub zone_note: String,
    /// "Dates use the Gregorian calendar", where the locale's own default
    /// calendar is another.
    pub calendar_note: Option<String>,
    pub stale: Vec<StaleView>,
    /// Sources whose service is not offered where the customer is, said
    /// in the page's language.
    pub notices: Vec<String>,
    /// The customer is not indexable: pages carry `noindex`.
    pub noindex: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LangView {
    pub tag: String,
    pub dir: &'static str,
    pub name: String,
}

/// Where the page is and how to reach the rest of the site from it.
#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    pub kind: &'static str,
    pub title: String,
    /// Path inside the locale folder (`incidents/EX1.html`).
    pub path: String,
    /// Relative prefix to the locale root (`../`).
    pub base: String,
    /// Relative prefix to the customer root (`../../`).
    pub root: String,
    pub alternates: Vec<Alternate>,
    pub x_default: String,
    pub nav: Vec<NavItem>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum PageData {
    Overview {
        services: Vec<ServiceRow>,
        active: Vec<IncidentSummary>,
        upcoming: Vec<MaintView>,
        recent: Vec<IncidentSummary>,
        next_steps: Vec<Step>,
    },
    Service {
        service: Box<ServiceRow>,
        description: Option<String>,
        active: Vec<IncidentSummary>,
        upcoming: Vec<MaintView>,
        history: Vec<IncidentSummary>,
        no_incidents: String,
        portal: Option<Step>,
    },
    Incident {
        incident: Box<IncidentDetail>,
    },
    History {
        incidents: Vec<IncidentSummary>,
        intro: String,
        empty: String,
        page_of: String,
        prev: Option<String>,
        next: Option<String>,
        pages: Vec<NavItem>,
    },
    Maintenance {
        upcoming: Vec<MaintView>,
        past: Vec<MaintView>,
    },
    Content {
        html: String,
        content_lang: String,
    },
}

/// A page to render: template, context parts.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    #[serde(skip)]
    pub template: &'static str,
    #[serde(flatten)]
    pub common: Common,
    pub page: PageMeta,
    #[serde(flatten)]
    pub data: PageData,
}

pub struct LocaleViews<'m, 'a> {
    pub model: &'m CustomerModel<'a>,
    pub config: &'a Config,
    pub cat: &'m Catalog,
    /// Names of all the customer's locales (endonyms), by tag.
    pub locale_names: Vec<(String, String)>,
    pub brand: Brand,
}

/// A customer's branding files under `static/`.
#[derive(Debug, Clone, Default)]
pub struct Brand {
    pub logo: Option<String>,
    pub customer_logo: Option<String>,
    pub stylesheets: Vec<String>,
}

fn label(cat: &Catalog, prefix: &str, key: &'static str) -> Label {
    Label {
        key,
        text: cat.t(&format!("{prefix}.{key}")),
    }
}

/// The label of an upstream word (`upstream.statuspage.monitoring`), or
/// of the normalized value when the catalog has no label for the word.
fn worded(
    cat: &Catalog,
    vocabulary: Option<Vocabulary>,
    group: &str,
    word: Option<&str>,
    fallback: Label,
) -> Label {
    let found = vocabulary.zip(word).and_then(|(v, w)| {
        let key = format!("upstream.{}.{group}{w}", v.key());
        cat.has(&key).then(|| cat.t(&key))
    });
    match found {
        Some(text) => Label {
            key: fallback.key,
            text,
        },
        None => fallback,
    }
}

impl<'m, 'a> LocaleViews<'m, 'a> {
    /// An incident's status in its upstream's words.
    pub(crate) fn status_label(&self, i: &Incident) -> Label {
        let v = i.upstream.as_ref();
        worded(
            self.cat,
            v.map(|u| u.vocabulary),
            "",
            v.map(|u| u.status.as_str()),
            label(self.cat, "incident_status", i.status.key()),
        )
    }

    /// An incident's impact: upstream's word (Statuspage `none` is "No
    /// impact", not "Degraded"), else the health it gives services.
    pub(crate) fn impact_label(&self, i: &Incident) -> Label {
        let v = i.upstream.as_ref();
        worded(
            self.cat,
            v.map(|u| u.vocabulary),
            "impact.",
            v.and_then(|u| u.impact.as_deref()),
            label(self.cat, "health", i.effective_impact().key()),
        )
    }

    /// An update's status: its upstream word in the incident's vocabulary.
    fn update_status(&self, i: Option<&Incident>, u: &crate::model::Update) -> Option<Label> {
        let vocabulary = i.and_then(|i| i.upstream.as_ref()).map(|w| w.vocabulary);
        let fallback = u
            .status
            .map(|s| label(self.cat, "incident_status", s.key()));
        match (fallback, &u.upstream_status) {
            (Some(f), word) => Some(worded(self.cat, vocabulary, "", word.as_deref(), f)),
            (None, Some(word)) => {
                // A maintenance update: Statuspage maintenance words.
                let key = format!("upstream.statuspage.{word}");
                self.cat.has(&key).then(|| Label {
                    key: "maintenance",
                    text: self.cat.t(&key),
                })
            }
            (None, None) => None,
        }
    }

    fn update_view(
        &self,
        i: Option<&Incident>,
        u: &crate::model::Update,
        html: &str,
    ) -> UpdateView {
        UpdateView {
            at: self.time(u.at),
            status: self.update_status(i, u),
            html: html.to_owned(),
            region: u.region.clone(),
            tags: u.tags.clone(),
        }
    }

    pub(crate) fn tz(&self) -> chrono_tz::Tz {
        self.model.customer.time_zone.0
    }

    pub(crate) fn time(&self, t: chrono::DateTime<chrono::Utc>) -> TimeView {
        TimeView {
            iso: t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            text: self.cat.formats.datetime(t, self.tz()),
        }
    }

    pub(crate) fn service_links(&self, refs: &[crate::model::ServiceRef]) -> Vec<ServiceLink> {
        let links = refs
            .iter()
            .filter_map(|r| self.model.services.iter().find(|s| s.service.id == r.0))
            .map(|s| {
                let name = self.picked(&s.service.name);
                ServiceLink {
                    name: name.0,
                    lang: name.1,
                    href: Some(format!("services/{}.html", s.file)),
                    after: String::new(),
                }
            })
            .collect();
        self.listed(links)
    }

    /// An incident's services: those with a page, then those upstream
    /// names that the customer's list does not hold.
    fn incident_services(&self, i: &Incident) -> Vec<ServiceLink> {
        let mut out = self.service_links(&i.services);
        out.extend(i.unlisted_services.iter().map(|name| ServiceLink {
            name: name.clone(),
            // Upstream's service names are English.
            lang: Some("en".to_owned()),
            href: None,
            after: String::new(),
        }));
        self.listed(out)
    }

    /// A partner's text in this page's locale, with its language when it
    /// is another.
    pub(crate) fn picked(&self, t: &crate::text::Text) -> (String, Option<String>) {
        let p = t.pick(
            self.cat.locale.tag(),
            self.model.customer.default_locale.tag(),
        );
        (p.text.to_owned(), p.lang.map(str::to_owned))
    }

    /// Links as a list in the locale's "and" pattern: each with the text
    /// that follows it (`, `, ` et `, `、`).
    fn listed(&self, mut links: Vec<ServiceLink>) -> Vec<ServiceLink> {
        let seps = self.cat.formats.list_separators(links.len());
        for (link, sep) in links.iter_mut().zip(seps) {
            link.after = sep;
        }
        links
    }

    /// The locale's range pattern, split around its two ends.
    pub(crate) fn range(&self) -> RangeView {
        let text = self.cat.t("common.range");
        let (before, rest) = text.split_once("{start}").unwrap_or(("", &text));
        let (between, after) = rest.split_once("{end}").unwrap_or((rest, ""));
        RangeView {
            before: before.to_owned(),
            between: between.to_owned(),
            after: after.to_owned(),
        }
    }

    pub(crate) fn summary(&self, m: &IncidentModel) -> IncidentSummary {
        let i = &m.incident;
        let (title, title_lang) = self.title_of(m);
        let end = i.ended_at.unwrap_or(self.model.now);
        let minutes = (end - i.started_at).num_minutes();
        let (before, after) = if m.is_active() {
            let sentence = self.cat.t("incident.ongoing_for");
            let (b, a) = sentence.split_once("{duration}").unwrap_or(("", ""));
            (b.to_owned(), a.to_owned())
        } else {
            (String::new(), String::new())
        };
        let duration = DurationView {
            iso: iso_duration(end - i.started_at),
            text: self.cat.duration(minutes),
            before,
            after,
        };
        IncidentSummary {
            id: i.id.clone(),
            href: format!("incidents/{}.html", m.file),
            title,
            title_lang,
            classification: label(self.cat, "classification", i.classification.key()),
            status: self.status_label(i),
            active: m.is_active(),
            impact: self.impact_label(i),
            services: self.incident_services(i),
            started: self.time(i.started_at),
            ended: i.ended_at.map(|t| self.time(t)),
            range: self.range(),
            duration,
            last_update: i
                .updated_at
                .or_else(|| m.updates.first().map(|u| u.0.at))
                .map(|t| self.time(t)),
        }
    }

    /// The title in this locale when a partner translated it.
    pub(crate) fn title_of(&self, m: &IncidentModel) -> (String, String) {
        match m
            .notes
            .get(self.cat.locale.tag())
            .and_then(|n| n.title.clone())
        {
            Some(t) => (t, self.cat.locale.tag().to_owned()),
            None => (m.incident.title.clone(), m.incident.lang.clone()),
        }
    }

    pub(crate) fn maint(&self, item: &MaintenanceModel) -> MaintView {
        let MaintenanceModel {
            maintenance: m,
            status,
            html,
            updates: timeline,
        } = item;
        MaintView {
            id: m.id.clone(),
            anchor: format!("m-{}", super::file_stem(&m.id)),
            title: m.title.clone(),
            lang: m.lang.clone(),
            services: self.service_links(&m.services),
            starts: self.time(m.starts_at),
            ends: self.time(m.ends_at),
            range: self.range(),
            status: label(self.cat, "maintenance_status", status.key()),
            html: html.clone(),
            major: m.major.then(|| self.cat.t("maintenance.major")),
            updates: timeline
                .iter()
                .map(|(u, html)| self.update_view(None, u, html))
                .collect(),
        }
    }

    fn service_row(&self, s: &ServiceModel) -> ServiceRow {
        let days: Vec<DayView> = s
            .days
            .iter()
            .map(|d| DayView {
                health: d.health.key(),
                title: self.cat.label_value(
                    &self.cat.formats.month_day(d.date),
                    &if d.incidents.is_empty() {
                        self.cat.t("uptime.day_ok")
                    } else {
                        self.cat.t(&format!("health.{}", d.health.key()))
                    },
                ),
            })
            .collect();
        let n = self.config.site.history_days as u64;
        let bad_days = s.days.iter().filter(|d| !d.incidents.is_empty()).count() as u64;
        let upstream_status = s.service.upstream_status.as_ref().map(|word| {
            let key = match s.service.platform {
                Platform::Microsoft365 => format!("upstream.graph.{word}"),
                Platform::Other => format!("upstream.statuspage.component.{word}"),
                Platform::Azure => String::new(),
            };
            if self.cat.has(&key) {
                self.cat.t(&key)
            } else {
                word.clone()
            }
        });
        let (name, name_lang) = self.picked(&s.service.name);
        ServiceRow {
            name,
            name_lang,
            href: format!("services/{}.html", s.file),
            health: label(self.cat, "health", s.health.key()),
            upstream_status,
            uptime: UptimeView {
                caption: self
                    .cat
                    .text("uptime.caption", Some(n), &[])
                    .unwrap_or_default(),
                percent: self
                    .cat
                    .text(
                        "uptime.percent",
                        None,
                        &[("percent", &self.cat.formats.percent(s.uptime_percent, 2))],
                    )
                    .unwrap_or_default(),
                incident_days: self
                    .cat
                    .text("uptime.incident_days", Some(bad_days), &[])
                    .unwrap_or_default(),
                start: self
                    .cat
                    .text("uptime.days_ago", Some(n.saturating_sub(1)), &[])
                    .unwrap_or_default(),
                end: self.cat.t("uptime.today"),
                days,
            },
        }
    }

    fn portal(&self, platform: Platform) -> Option<LinkView> {
        let china = self.model.customer.cloud == Cloud::China;
        let (key, href) = match (platform, china) {
            (Platform::Microsoft365, false) => (
                "portal.microsoft365",
                "https://admin.microsoft.com/Adminportal/Home#/servicehealth",
            ),
            (Platform::Microsoft365, true) => (
                "portal.microsoft365_china",
                "https://portal.partner.microsoftonline.cn/Adminportal/Home#/servicehealth",
            ),
            (Platform::Azure, false) => (
                "portal.azure",
                "https://portal.azure.com/#view/Microsoft_Azure_Health/AzureHealthBrowseBlade/~/serviceIssues",
            ),
            (Platform::Azure, true) => (
                "portal.azure_china",
                "https://portal.azure.cn/#view/Microsoft_Azure_Health/AzureHealthBrowseBlade/~/serviceIssues",
            ),
            (Platform::Other, _) => return None,
        };
        Some(LinkView {
            href: href.to_owned(),
            label: self.cat.t(key),
        })
    }

    fn platforms_of(&self, refs: &[crate::model::ServiceRef]) -> Vec<Platform> {
        let mut p: Vec<Platform> = refs
            .iter()
            .filter_map(|r| self.model.services.iter().find(|s| s.service.id == r.0))
            .map(|s| s.service.platform)
            .collect();
        p.sort();
        p.dedup();
        p
    }

    /// Where to submit a service request: the configured link, else the
    /// partner's support page, else the partner's site.
    fn request_link(&self, base: &str) -> Option<LinkView> {
        let support = &self.model.customer.support;
        let href = support
            .service_request_url
            .clone()
            .or_else(|| {
                self.model
                    .pages
                    .contains_key("support")
                    .then(|| format!("{base}support.html"))
            })
            .or_else(|| self.config.site.partner.url.clone())?;
        Some(LinkView {
            href,
            label: self.cat.t("next.submit_request"),
        })
    }

    fn support_steps(&self, base: &str) -> Vec<Step> {
        let support = &self.model.customer.support;
        let mut steps = Vec::new();
        let self_support = support.self_support_url.clone().or_else(|| {
            self.model
                .pages
                .contains_key("support")
                .then(|| format!("{base}support.html"))
        });
        if let Some(href) = self_support {
            steps.push(Step::new(
                self.cat.t("next.self_support"),
                vec![LinkView {
                    href,
                    label: self.cat.t("next.self_support_link"),
                }],
            ));
        }
        let mut contact = Vec::new();
        if let Some(email) = &support.email {
            contact.push(LinkView {
                href: format!("mailto:{email}"),
                label: self
                    .cat
                    .text("next.email", None, &[("email", &self.isolated_ltr(email))])
                    .unwrap_or_default(),
            });
        }
        if let Some(phone) = &support.phone {
            let tel: String = phone
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            contact.push(LinkView {
                href: format!("tel:{tel}"),
                label: self
                    .cat
                    .text("next.phone", None, &[("phone", &self.isolated_ltr(phone))])
                    .unwrap_or_default(),
            });
        }
        if !contact.is_empty() {
            steps.push(Step::new(self.cat.t("next.customer_support"), contact));
        }
        steps
    }

    /// A phone number or address inside right-to-left text, isolated as
    /// left-to-right (U+2066 … U+2069) so that `+1 555 0100` keeps its order.
    fn isolated_ltr(&self, s: &str) -> String {
        if self.cat.dir() == "rtl" {
            format!("\u{2066}{s}\u{2069}")
        } else {
            s.to_owned()
        }
    }

    fn persists_step(&self, base: &str) -> Step {
        let text = if self.model.customer.cloud == Cloud::China {
            self.cat
                .text(
                    "next.persists_china",
                    None,
                    &[("partner", &self.config.site.partner.name)],
                )
                .unwrap_or_default()
        } else {
            self.cat.t("next.persists")
        };
        Step::new(text, self.request_link(base).into_iter().collect())
    }

    fn incident_next_steps(&self, m: &IncidentModel, base: &str) -> Vec<Step> {
        let mut steps = Vec::new();
        if m.is_active() {
            steps.push(Step::new(self.cat.t("next.active_known"), vec![]));
            steps.push(Step::new(self.cat.t("next.regular_updates"), vec![]));
            for p in self.platforms_of(&m.incident.services) {
                if let Some(link) = self.portal(p) {
                    steps.push(Step::inline(
                        self.cat,
                        "next.follow_in_portal",
                        "portal",
                        link,
                    ));
                }
            }
        } else {
            steps.push(self.persists_step(base));
        }
        steps.extend(self.support_steps(base));
        steps
    }

    fn overview_next_steps(&self, base: &str, any_active: bool) -> Vec<Step> {
        let mut steps = Vec::new();
        if any_active {
            steps.push(Step::new(self.cat.t("next.active_known"), vec![]));
            steps.push(Step::new(self.cat.t("next.regular_updates"), vec![]));
            steps.push(self.persists_step(base));
        } else {
            steps.push(Step::new(
                self.cat.t("next.not_listed"),
                self.request_link(base).into_iter().collect(),
            ));
        }
        steps.extend(self.support_steps(base));
        let mut platforms: Vec<Platform> = self
            .model
            .services
            .iter()
            .map(|s| s.service.platform)
            .collect();
        platforms.sort();
        platforms.dedup();
        let portals: Vec<LinkView> = platforms
            .into_iter()
            .filter_map(|p| self.portal(p))
            .collect();
        if !portals.is_empty() {
            steps.push(Step::new(self.cat.t("next.portals"), portals));
        }
        steps
    }

    /// What upstream says of an incident beyond the standard facts.
    fn facts(&self, i: &Incident) -> Vec<Fact> {
        let text = |key: &str, value: &Option<String>| {
            value.as_ref().map(|v| Fact {
                label: self.cat.t(key),
                value: v.clone(),
                time: None,
                lang: Some(i.lang.clone()),
            })
        };
        let mitigated = i.mitigated_at.map(|t| Fact {
            // A time still ahead is Azure's estimate.
            label: self.cat.t(if t > self.model.now {
                "incident.mitigation_expected"
            } else {
                "incident.mitigated"
            }),
            value: String::new(),
            time: Some(self.time(t)),
            lang: None,
        });
        let level = i.level.map(|l| Fact {
            label: self.cat.t("incident.level"),
            value: self.cat.t(&format!("level.{}", l.key())),
            time: None,
            lang: None,
        });
        [
            text("incident.feature", &i.feature),
            text("incident.feature_group", &i.feature_group),
            mitigated,
            level,
            text("incident.impact_type", &i.impact_type),
            text("incident.additional_information", &i.additional_information),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn incident_detail(&self, m: &IncidentModel, summary: IncidentSummary) -> IncidentDetail {
        let base = "../";
        let original_title = (summary.title != m.incident.title).then(|| m.incident.title.clone());
        let note = m
            .notes
            .get(self.cat.locale.tag())
            .filter(|n| !n.html.trim().is_empty())
            .map(|n| NoteView {
                heading: self
                    .cat
                    .text(
                        "incident.partner_note",
                        None,
                        &[("partner", &self.config.site.partner.name)],
                    )
                    .unwrap_or_default(),
                title_lang: self.cat.locale.tag().to_owned(),
                html: n.html.clone(),
            });
        let i: &Incident = &m.incident;
        IncidentDetail {
            original_title,
            lang: i.lang.clone(),
            impact_description: i.impact_description.clone(),
            summary_html: if m.origin == Origin::Partner {
                m.summary_html.clone()
            } else {
                None
            },
            note,
            updates: m
                .updates
                .iter()
                .map(|(u, html)| self.update_view(Some(i), u, html))
                .collect(),
            facts: self.facts(i),
            withheld: i.withheld.then(|| self.cat.t("incident.withheld")),
            update_count: self
                .cat
                .text("incident.update_count", Some(m.updates.len() as u64), &[])
                .unwrap_or_default(),
            // Upstream links: only http(s) and mailto become links.
            links: i
                .links
                .iter()
                .filter_map(|l| {
                    Some(LinkView {
                        href: crate::sanitize::safe_url(&l.url)?,
                        label: l.title.clone(),
                    })
                })
                .collect(),
            next_steps: self.incident_next_steps(m, base),
            summary,
        }
    }

    fn common(&self) -> Common {
        let c = self.model.customer;
        let overall_key = self.model.overall.key();
        let as_of_text = self
            .cat
            .text("common.data_as_of", None, &[("time", "\u{0}")])
            .unwrap_or_default();
        let as_of = as_of_text.split_once('\u{0}').unwrap_or((&as_of_text, ""));
        let here = self.cat.locale.tag();
        let fallback = c.default_locale.tag();
        let title = self.config.site.title.pick(here, fallback);
        let name = c.name.pick(here, fallback);
        let partner = &self.config.site.partner;
        Common {
            site_title: title.text.to_owned(),
            site_title_lang: title.lang.map(str::to_owned),
            partner: PartnerView {
                name: partner.name.clone(),
                url: partner.url.clone(),
                colors: partner.colors.clone(),
                links: partner
                    .links
                    .iter()
                    .map(|l| {
                        let t = l.title.pick(here, fallback);
                        PartnerLinkView {
                            title: t.text.to_owned(),
                            lang: t.lang.map(str::to_owned),
                            url: l.url.clone(),
                        }
                    })
                    .collect(),
            },
            logo: self.brand.logo.clone(),
            customer_logo: self.brand.customer_logo.clone(),
            stylesheets: self.brand.stylesheets.clone(),
            customer_name: name.text.to_owned(),
            customer_name_lang: name.lang.map(str::to_owned),
            lang: LangView {
                tag: self.cat.locale.tag().to_owned(),
                dir: self.cat.dir(),
                name: self.cat.t("locale.name"),
            },
            overall: Label {
                key: overall_key,
                text: self.cat.t(&format!("status.overall.{overall_key}")),
            },
            as_of: self.time(self.model.now),
            as_of_before: as_of.0.to_owned(),
            as_of_after: as_of.1.to_owned(),
            zone_note: self
                .cat
                .text(
                    "common.times_in",
                    None,
                    &[
                        (
                            "zone",
                            &self.cat.formats.zone_generic(self.model.now, self.tz()),
                        ),
                        ("iana", self.tz().name()),
                    ],
                )
                .unwrap_or_default(),
            calendar_note: self
                .cat
                .formats
                .other_default_calendar
                .then(|| self.cat.t("common.calendar_note")),
            noindex: !c.indexable,
            notices: self
                .model
                .not_offered
                .iter()
                .map(|source| {
                    self.cat
                        .text("notice.not_offered", None, &[("source", source)])
                        .unwrap_or_default()
                })
                .collect(),
            stale: self
                .model
                .stale
                .iter()
                .map(|s| {
                    let since = self.cat.formats.datetime(s.since, self.tz());
                    let text = match s.as_of {
                        Some(t) => self.cat.text(
                            "stale.as_of",
                            None,
                            &[
                                ("source", &s.source),
                                ("as_of", &self.cat.formats.datetime(t, self.tz())),
                                ("since", &since),
                            ],
                        ),
                        None => self.cat.text(
                            "stale.never",
                            None,
                            &[("source", &s.source), ("since", &since)],
                        ),
                    };
                    StaleView {
                        text: text.unwrap_or_default(),
                    }
                })
                .collect(),
        }
    }

    fn meta(&self, kind: &'static str, path: &str, title: String, nav_key: &str) -> PageMeta {
        let depth = path.matches('/').count();
        let base = "../".repeat(depth);
        let root = "../".repeat(depth + 1);
        let here = self.cat.locale.tag();
        let alternates = self
            .locale_names
            .iter()
            .map(|(tag, name)| Alternate {
                tag: tag.clone(),
                name: name.clone(),
                href: format!("{root}{tag}/{path}"),
                current: tag == here,
            })
            .collect();
        let x_default = format!("{root}{}/{path}", self.model.customer.default_locale.tag());
        let mut nav = vec![
            (
                "overview",
                self.cat.t("nav.overview"),
                "index.html".to_owned(),
                None,
            ),
            (
                "history",
                self.cat.t("nav.history"),
                "history/index.html".to_owned(),
                None,
            ),
            (
                "maintenance",
                self.cat.t("nav.maintenance"),
                "maintenance.html".to_owned(),
                None,
            ),
        ];
        for (name, by_locale) in &self.model.pages {
            if let Some((tag, p)) = self.pick_page(by_locale) {
                let lang = (tag != self.cat.locale.tag()).then_some(tag);
                nav.push(("page", p.title.clone(), format!("{name}.html"), lang));
            }
        }
        let nav = nav
            .into_iter()
            .map(|(key, label, target, lang)| NavItem {
                current: (key == nav_key && key != "page") || (key == "page" && target == path),
                label,
                lang,
                href: format!("{base}{target}"),
            })
            .collect();
        PageMeta {
            kind,
            title,
            path: path.to_owned(),
            base,
            root,
            alternates,
            x_default,
            nav,
        }
    }

    /// A content page in this locale, else the default locale's, else en's.
    fn pick_page<'p>(
        &self,
        by_locale: &'p std::collections::BTreeMap<String, crate::content::Page>,
    ) -> Option<(String, &'p crate::content::Page)> {
        [
            self.cat.locale.tag(),
            self.model.customer.default_locale.tag(),
            crate::i18n::REFERENCE,
        ]
        .into_iter()
        .find_map(|t| by_locale.get(t).map(|p| (t.to_owned(), p)))
        .or_else(|| by_locale.iter().next().map(|(t, p)| (t.clone(), p)))
    }

    /// Every page of this customer in this locale.
    pub fn pages(&self) -> Vec<PageView> {
        let common = self.common();
        let model = self.model;
        let cat = self.cat;
        let mut out = Vec::new();
        let mut push = |template: &'static str, page: PageMeta, data: PageData| {
            out.push(PageView {
                template,
                common: common.clone(),
                page,
                data,
            });
        };
        let summaries: Vec<IncidentSummary> =
            model.incidents.iter().map(|m| self.summary(m)).collect();
        let active: Vec<IncidentSummary> = summaries.iter().filter(|s| s.active).cloned().collect();
        let upcoming: Vec<MaintView> = model
            .maintenance
            .iter()
            .filter(|m| m.status.is_open())
            .map(|m| self.maint(m))
            .collect();
        let rows: Vec<ServiceRow> = model.services.iter().map(|s| self.service_row(s)).collect();
        let days = u64::from(self.config.site.history_days);

        push(
            "overview.html",
            self.meta(
                "overview",
                "index.html",
                cat.t("overview.title"),
                "overview",
            ),
            PageData::Overview {
                services: rows.clone(),
                active: active.clone(),
                upcoming: upcoming.clone(),
                recent: summaries
                    .iter()
                    .filter(|s| !s.active)
                    .take(5)
                    .cloned()
                    .collect(),
                next_steps: self.overview_next_steps("", !active.is_empty()),
            },
        );

        for (s, row) in model.services.iter().zip(&rows) {
            let touches =
                |refs: &[crate::model::ServiceRef]| refs.iter().any(|r| r.0 == s.service.id);
            let history: Vec<IncidentSummary> = model
                .incidents
                .iter()
                .zip(&summaries)
                .filter(|(m, _)| touches(&m.incident.services))
                .map(|(_, sum)| sum.clone())
                .collect();
            let portal = self
                .portal(s.service.platform)
                .map(|link| Step::inline(cat, "service.admin_portal", "portal", link));
            push(
                "service.html",
                self.meta(
                    "service",
                    &format!("services/{}.html", s.file),
                    row.name.clone(),
                    "",
                ),
                PageData::Service {
                    service: Box::new(row.clone()),
                    description: s.service.description.as_ref().map(|d| self.picked(d).0),
                    active: history.iter().filter(|h| h.active).cloned().collect(),
                    upcoming: model
                        .maintenance
                        .iter()
                        .filter(|m| touches(&m.maintenance.services))
                        .filter(|m| m.status.is_open())
                        .map(|m| self.maint(m))
                        .collect(),
                    history,
                    no_incidents: cat
                        .text("service.no_incidents", Some(days), &[])
                        .unwrap_or_default(),
                    portal,
                },
            );
        }

        for (m, summary) in model.incidents.iter().zip(&summaries) {
            let detail = self.incident_detail(m, summary.clone());
            let title = detail.summary.title.clone();
            push(
                "incident.html",
                self.meta(
                    "incident",
                    &format!("incidents/{}.html", m.file),
                    title,
                    "history",
                ),
                PageData::Incident {
                    incident: Box::new(detail),
                },
            );
        }

        let per_page = self.config.site.history_per_page;
        let chunks: Vec<&[IncidentSummary]> = if summaries.is_empty() {
            vec![&[]]
        } else {
            summaries.chunks(per_page).collect()
        };
        let history_path = |n: usize| {
            if n == 1 {
                "history/index.html".to_owned()
            } else {
                format!("history/{n}.html")
            }
        };
        let total = chunks.len();
        for (idx, chunk) in chunks.iter().enumerate() {
            let n = idx + 1;
            let path = history_path(n);
            let meta = self.meta("history", &path, cat.t("history.title"), "history");
            // Links between history pages are relative to history/.
            let rel = |k: usize| history_path(k).trim_start_matches("history/").to_owned();
            push(
                "history.html",
                meta,
                PageData::History {
                    incidents: chunk.to_vec(),
                    intro: cat
                        .text("history.intro", Some(days), &[])
                        .unwrap_or_default(),
                    empty: cat
                        .text("history.empty", Some(days), &[])
                        .unwrap_or_default(),
                    page_of: cat
                        .text(
                            "history.page_of",
                            None,
                            &[
                                ("page", &cat.formats.integer(n as i64)),
                                ("pages", &cat.formats.integer(total as i64)),
                            ],
                        )
                        .unwrap_or_default(),
                    prev: (n > 1).then(|| rel(n - 1)),
                    next: (n < total).then(|| rel(n + 1)),
                    pages: (1..=total)
                        .map(|k| NavItem {
                            label: cat.formats.integer(k as i64),
                            lang: None,
                            href: rel(k),
                            current: k == n,
                        })
                        .collect(),
                },
            );
        }

        push(
            "maintenance.html",
            self.meta(
                "maintenance",
                "maintenance.html",
                cat.t("maintenance.title"),
                "maintenance",
            ),
            PageData::Maintenance {
                upcoming,
                past: model
                    .maintenance
                    .iter()
                    .rev()
                    .filter(|m| !m.status.is_open())
                    .map(|m| self.maint(m))
                    .collect(),
            },
        );

        for (name, by_locale) in &model.pages {
            if let Some((tag, p)) = self.pick_page(by_locale) {
                push(
                    "page.html",
                    self.meta("page", &format!("{name}.html"), p.title.clone(), "page"),
                    PageData::Content {
                        html: p.html.clone(),
                        content_lang: tag,
                    },
                );
            }
        }
        out
    }
}
