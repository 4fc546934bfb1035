//! Incidents as pages show them: summaries, details, updates, facts,
//! affected services.

use super::*;
use super::{IncidentModel, Origin};
use crate::model::{Incident, Platform};

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

impl<'m, 'a> LocaleViews<'m, 'a> {
    /// An update's status: its upstream word in the incident's vocabulary.
    pub(super) fn update_status(
        &self,
        i: Option<&Incident>,
        u: &crate::model::Update,
    ) -> Option<Label> {
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

    pub(super) fn update_view(
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
            review: crate::model::review_key(&u.tags).map(|k| self.cat.t(&format!("review.{k}"))),
        }
    }

    /// The report document's link, relative to `base` (the customer's
    /// locale folder's parent: `../../` from an incident page).
    pub(super) fn report_view(&self, m: &IncidentModel, base: &str) -> Option<ReportView> {
        let r = m.report.as_ref()?;
        let cat = self.cat;
        let format = cat.t(&format!("report_format.{}", r.format.ext()));
        let meta = cat.text_or_key("incident.report_meta", None, &[("format", &format)]);
        let (before, after) = meta.split_once("{size}").unwrap_or((&meta, ""));
        let label = cat.t("incident.report");
        Some(ReportView {
            href: format!("{base}{}", r.path),
            download: format!("{}.{}", m.file, r.format.ext()),
            media_type: r.format.media_type().to_owned(),
            label,
            before: before.to_owned(),
            size: SizeView {
                bytes: r.bytes,
                text: cat.file_size(r.bytes),
            },
            after: after.to_owned(),
        })
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
    pub(super) fn incident_services(&self, i: &Incident) -> Vec<ServiceLink> {
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

    /// Links as a list in the locale's "and" pattern: each with the text
    /// that follows it (`, `, ` et `, `、`).
    pub(super) fn listed(&self, mut links: Vec<ServiceLink>) -> Vec<ServiceLink> {
        let seps = self.cat.formats.list_separators(links.len());
        for (link, sep) in links.iter_mut().zip(seps) {
            link.after = sep;
        }
        links
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
                .or_else(|| m.updates().raw().first().map(|u| u.at))
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

    /// What upstream says of an incident beyond the standard facts.
    pub(super) fn facts(&self, i: &Incident) -> Vec<Fact> {
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

    /// Where an incident came from, as a key: `partner`, or its services'
    /// platforms (`microsoft365`, `azure`, `other`), joined by `+`.
    pub fn origin_key(&self, m: &IncidentModel) -> &'static str {
        if m.origin == Origin::Partner {
            return "partner";
        }
        match self.platforms_of(&m.incident.services).as_slice() {
            [] => "unknown",
            [Platform::Microsoft365] => "microsoft365",
            [Platform::Azure] => "azure",
            [Platform::Other] => "other",
            _ => "mixed",
        }
    }

    /// Where an incident came from, in words: the partner, or each
    /// platform of its services (a third-party service by its name).
    pub(super) fn origin(&self, m: &IncidentModel) -> String {
        let cat = self.cat;
        if m.origin == Origin::Partner {
            let partner = &self.config.site.partner.name;
            return cat.text_or_key("origin.partner", None, &[("partner", partner)]);
        }
        let mut parts = Vec::new();
        for p in self.platforms_of(&m.incident.services) {
            match p {
                Platform::Microsoft365 => parts.push(cat.t("origin.microsoft365")),
                Platform::Azure => parts.push(cat.t("origin.azure")),
                Platform::Other => {
                    for s in self.model.services.iter().filter(|s| {
                        s.service.platform == Platform::Other
                            && m.incident.services.iter().any(|r| r.0 == s.service.id)
                    }) {
                        let name = self.picked(&s.service.name).0;
                        parts.push(cat.text_or_key("origin.other", None, &[("name", &name)]));
                    }
                }
            }
        }
        if parts.is_empty() {
            return cat.t("origin.unknown");
        }
        cat.formats.list(&parts)
    }

    pub(super) fn incident_detail(
        &self,
        m: &IncidentModel,
        summary: IncidentSummary,
    ) -> IncidentDetail {
        self.incident_detail_at(m, summary, "../")
    }

    /// [`Self::incident_detail`] with the next steps' links under `base`
    /// (`../` from the incident page, an absolute URL in a message).
    pub(super) fn incident_detail_at(
        &self,
        m: &IncidentModel,
        summary: IncidentSummary,
        base: &str,
    ) -> IncidentDetail {
        let original_title = (summary.title != m.incident.title).then(|| m.incident.title.clone());
        let note = m
            .notes
            .get(self.cat.locale.tag())
            .filter(|n| !n.html.trim().is_empty())
            .map(|n| NoteView {
                heading: self.cat.text_or_key(
                    "incident.partner_note",
                    None,
                    &[("partner", &self.config.site.partner.name)],
                ),
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
                .updates()
                .iter()
                .map(|(u, html)| self.update_view(Some(i), u, html))
                .collect(),
            facts: self.facts(i),
            withheld: i.withheld.then(|| self.cat.t("incident.withheld")),
            report: self.report_view(m, &format!("{base}../")),
            update_count: self.cat.text_or_key(
                "incident.update_count",
                Some(m.updates().len() as u64),
                &[],
            ),
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
            origin: self.origin(m),
            summary,
        }
    }
}
