//! Per-locale views of a customer: every string translated, every time
//! formatted in the customer's zone, every body already sanitized. Templates
//! only lay these out. The page context is built in exactly one function,
//! [`LocaleViews::pages`].

use super::{CustomerModel, IncidentModel, MaintenanceModel, Origin, ServiceModel};
use crate::config::Config;
use crate::i18n::Catalog;
use crate::model::{Incident, Vocabulary};

mod incidents;
mod next_steps;
mod notice;
mod pages;
mod services;
mod types;

pub use pages::KeepByInputs;
pub use types::*;

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

pub(super) fn label(cat: &Catalog, prefix: &str, key: &'static str) -> Label {
    Label {
        key,
        text: cat.t(&format!("{prefix}.{key}")),
    }
}

/// The label of an upstream word (`upstream.statuspage.monitoring`), or
/// of the normalized value when the catalog has no label for the word.
pub(super) fn worded(
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

    /// The overall status in words (live pages show it).
    pub fn overall(&self) -> Label {
        let key = self.model.overall.key();
        Label {
            key,
            text: self.cat.t(&format!("status.overall.{key}")),
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

    /// A partner's text in this page's locale, with its language when it
    /// is another.
    pub(crate) fn picked(&self, t: &crate::text::Text) -> (String, Option<String>) {
        let p = t.pick(
            self.cat.locale.tag(),
            self.model.customer.default_locale.tag(),
        );
        (p.text.to_owned(), p.lang.map(str::to_owned))
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
}
