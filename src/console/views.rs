//! What the console's templates are given.

use serde::Serialize;

pub use crate::site::views::{LangView, TimeView};

/// A state, kind or status: its key (for the colour class and the icon)
/// and its words.
#[derive(Debug, Clone, Serialize)]
pub struct Label {
    pub key: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub href: String,
    pub label: String,
    /// The label's language when it is not the page's (a language's own
    /// name in a language switcher).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Nav {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// What every console page has.
#[derive(Debug, Clone, Serialize)]
pub struct Common {
    pub lang: LangView,
    /// This page's title.
    pub title: String,
    /// Its language when not the page's (an upstream incident's title).
    pub title_lang: Option<String>,
    /// `Partner console · Northwind IT Services`.
    pub console_title: String,
    /// From this page to the console's root (`../`).
    pub root: String,
    pub stylesheets: Vec<String>,
    pub nav: Vec<Nav>,
    /// This page in the console's other locales.
    pub alternates: Vec<Link>,
    pub as_of: TimeView,
    /// `Data as of {time}` around the time.
    pub as_of_before: String,
    pub as_of_after: String,
    pub zone_note: String,
    pub private_note: String,
    pub shard_note: Option<String>,
}

/// A customer in a list: its console page and its own status site.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerCell {
    pub name: String,
    /// The name's language when it is not the page's.
    pub lang: Option<String>,
    pub detail: Option<String>,
    pub href: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    pub customer: CustomerCell,
    pub domain: Option<String>,
    pub cloud: String,
    pub state: Label,
    pub active: u64,
    pub stale: u64,
    pub as_of: TimeView,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    pub text: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// First, last and the neighbours of the current page: a bounded
    /// window, not every page.
    pub pages: Vec<PageLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageLink {
    pub label: String,
    pub href: Option<String>,
    pub current: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncidentRow {
    pub id: String,
    pub href: String,
    pub title: String,
    /// The title's language.
    pub lang: String,
    pub kind: Label,
    pub status: Label,
    pub impact: Label,
    pub origin: String,
    pub customers: u64,
    pub affects: String,
    pub started: TimeView,
    pub ended: Option<TimeView>,
}

/// Customers in one state (of a service, or overall).
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub state: Label,
    pub count: String,
    pub customers: Vec<CustomerCell>,
    /// Shown open (anything but operational).
    pub open: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceRow {
    pub customer: CustomerCell,
    pub source: String,
    pub since: TimeView,
    pub last_success: Option<TimeView>,
    pub error: String,
    pub advice: Option<String>,
}

/// A notification that could not be delivered (sources page).
#[derive(Serialize)]
pub struct DeliveryRow {
    /// The customer, linked; `None`: the partner's own subscribers or a
    /// customer no longer configured (`who` names them).
    pub customer: Option<CustomerCell>,
    pub who: String,
    pub to: String,
    pub subject: String,
    pub attempts: String,
    pub error: String,
    pub queued: TimeView,
    /// `None`: given up.
    pub next: Option<TimeView>,
}
