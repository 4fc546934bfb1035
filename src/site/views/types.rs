//! The view types: what templates get, all serializable.

use serde::Serialize;

use crate::i18n::Catalog;

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
    /// "Nov 20: Partial outage": the day's tooltip and accessible name.
    pub title: String,
    /// A day with incidents: the page of its worst one (relative to the
    /// locale folder), so the day is a link keyboard and touch reach.
    pub href: Option<String>,
    /// Every incident of the day, for the list that says the bars in text.
    pub incidents: Vec<LinkView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UptimeView {
    pub caption: String,
    pub percent: String,
    pub incident_days: String,
    pub start: String,
    pub end: String,
    pub days: Vec<DayView>,
    /// Whether any day has incidents (the text list is shown).
    pub any_incidents: bool,
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
    /// What the update is when it is a post-incident review or a root
    /// cause analysis (Azure's `Final PIR`, `Preliminary PIR`, an RCA
    /// event), in words.
    pub review: Option<String>,
}

/// A post-incident report document to download.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    /// Relative to the page.
    pub href: String,
    /// The file name a download gets (`TM911950.pdf`).
    pub download: String,
    pub media_type: String,
    /// `Post-incident report`.
    pub label: String,
    /// The format and size in the locale's words, around the size:
    /// `(PDF, ` … `)`.
    pub before: String,
    pub size: SizeView,
    pub after: String,
}

/// A file size: the number of bytes, and the text of it.
#[derive(Debug, Clone, Serialize)]
pub struct SizeView {
    pub bytes: u64,
    pub text: String,
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
    /// Where it came from, in words: Microsoft 365 or Azure service
    /// health, a third-party service by name, or the partner.
    pub origin: String,
    pub links: Vec<LinkView>,
    pub next_steps: Vec<Step>,
    /// Feature, feature group, mitigation, level, impact type, additional
    /// information: what upstream gives beyond the standard facts.
    pub facts: Vec<Fact>,
    /// Why the text is missing, when upstream withholds it.
    pub withheld: Option<String>,
    /// The post-incident report document, when upstream published one.
    pub report: Option<ReportView>,
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
    pub(super) fn new(text: String, links: Vec<LinkView>) -> Step {
        Step {
            text,
            links,
            ..Default::default()
        }
    }

    /// `key`'s message with `link` in place of its `{placeholder}`.
    pub(super) fn inline(cat: &Catalog, key: &str, placeholder: &str, link: LinkView) -> Step {
        let marker = "\u{0}";
        let text = cat.text_or_key(key, None, &[(placeholder, marker)]);
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

/// A page in a pager. The pager links a bounded window of pages (the
/// first, the last, and two either side of the current one), so a history
/// of any length costs the same per page.
#[derive(Debug, Clone, Serialize)]
pub struct PagerItem {
    pub label: String,
    pub href: String,
    pub current: bool,
    /// Pages are left out between this one and the one before it.
    pub gap_before: bool,
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
    /// "Data as of {time}" split around the time, so word order follows
    /// the locale while the time stays a `<time>` element (the time
    /// itself is the page's: see [`PageView::as_of`]).
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
        /// Something is active, or was resolved within
        /// `site.next_steps_after_resolved_hours`: what to do comes right
        /// after the active incidents, not at the bottom.
        next_first: bool,
    },
    Service {
        service: Box<ServiceRow>,
        description: Option<String>,
        active: Vec<IncidentSummary>,
        upcoming: Vec<MaintView>,
        /// Resolved incidents that touched it, the newest
        /// `site.history_per_page` (the active ones are in `active`).
        history: Vec<IncidentSummary>,
        /// When it has more: the service's own history pages.
        history_more: Option<LinkView>,
        no_incidents: String,
        /// What to do, by the service's state (as on an incident page).
        next_steps: Vec<Step>,
    },
    Incident {
        incident: Box<IncidentDetail>,
    },
    /// The embeddable status widget (`widget.html`, for an iframe).
    Widget {
        /// The three most recent active incidents.
        active: Vec<IncidentSummary>,
        /// "and 2 more", when there are more.
        more: Option<String>,
    },
    History {
        incidents: Vec<IncidentSummary>,
        /// The same incidents by the month they started in (the
        /// customer's zone), newest first.
        months: Vec<MonthGroup>,
        /// A view of the history (a month, incidents or advisories only):
        /// its name; `None` on the paged history.
        view: Option<String>,
        /// The history's views, each linked from every history page.
        views: Vec<NavItem>,
        intro: String,
        empty: String,
        page_of: String,
        prev: Option<String>,
        next: Option<String>,
        /// The pager: the first and last pages and those around this one.
        pages: Vec<PagerItem>,
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

/// One page's own part: its template, meta and data.
#[derive(Debug, Clone)]
pub struct PageBody {
    pub template: &'static str,
    /// The page shows what is current (the overview, a service, an active
    /// incident, a history page that lists one): it says when the data
    /// was taken. A settled page (a resolved incident, older history)
    /// does not, so it changes only when what it shows does.
    pub live: bool,
    /// The key of what it is made from, when known before its context is
    /// made (a settled incident's page).
    pub inputs: Option<crate::ids::Key>,
    /// Already kept from the current site by `inputs`: given only so that
    /// debug builds check it renders the same.
    pub kept: bool,
    pub page: PageMeta,
    pub data: PageData,
}

/// A page's whole context: what every page of the locale shares, borrowed,
/// and its own part.
#[derive(Debug, Serialize)]
pub struct PageView<'c> {
    #[serde(flatten)]
    pub common: &'c Common,
    /// When the data was taken, on a live page (see [`PageBody::live`]).
    pub as_of: Option<&'c TimeView>,
    /// The overall status, on a live page.
    pub overall: Option<&'c Label>,
    pub page: &'c PageMeta,
    #[serde(flatten)]
    pub data: &'c PageData,
}

/// A history page's incidents of one month.
#[derive(Debug, Clone, Serialize)]
pub struct MonthGroup {
    /// `November 2026`, in the locale's words.
    pub label: String,
    /// `2026-11`: an anchor.
    pub key: String,
    pub incidents: Vec<IncidentSummary>,
}
