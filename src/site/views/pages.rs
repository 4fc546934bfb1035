//! The page contexts: what every page shares, and one page of each kind.

use super::*;

/// How many active incidents the widget names.
const WIDGET_INCIDENTS: usize = 3;

impl<'m, 'a> LocaleViews<'m, 'a> {
    pub(super) fn common(&self) -> Common {
        let c = self.model.customer;
        let overall_key = self.model.overall.key();
        let as_of_text = self
            .cat
            .text_or_key("common.data_as_of", None, &[("time", "\u{0}")]);
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
            zone_note: self.cat.text_or_key(
                "common.times_in",
                None,
                &[
                    (
                        "zone",
                        &self.cat.formats.zone_generic(self.model.now, self.tz()),
                    ),
                    ("iana", self.tz().name()),
                ],
            ),
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
                        .text_or_key("notice.not_offered", None, &[("source", source)])
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

    pub(super) fn meta(
        &self,
        kind: &'static str,
        path: &str,
        title: String,
        nav_key: &str,
    ) -> PageMeta {
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
    pub(super) fn pick_page<'p>(
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

    /// Every page of this customer in this locale, and the context they
    /// all share.
    pub fn pages(&self) -> (Common, Vec<PageBody>) {
        let shared = Shared::new(self);
        let mut pages = vec![self.overview_page(&shared)];
        pages.extend(self.service_pages(&shared));
        pages.extend(self.incident_pages(&shared));
        pages.extend(self.history_pages(&shared));
        pages.push(self.maintenance_page(&shared));
        pages.push(self.widget_page(&shared));
        pages.extend(self.content_pages());
        (self.common(), pages)
    }

    fn overview_page(&self, shared: &Shared) -> PageBody {
        let cat = self.cat;
        let any_active = shared.summaries.iter().any(|s| s.active);
        let recently_resolved = self.recently_resolved(self.model.incidents.iter());
        PageBody {
            template: "overview.html",
            page: self.meta(
                "overview",
                "index.html",
                cat.t("overview.title"),
                "overview",
            ),
            data: PageData::Overview {
                services: shared.rows.clone(),
                active: shared.active(),
                upcoming: shared.upcoming.clone(),
                recent: shared
                    .summaries
                    .iter()
                    .filter(|s| !s.active)
                    .take(5)
                    .cloned()
                    .collect(),
                next_steps: self.overview_next_steps("", any_active, recently_resolved),
                next_first: any_active || recently_resolved,
            },
        }
    }

    fn service_pages(&self, shared: &Shared) -> Vec<PageBody> {
        let (model, cat) = (self.model, self.cat);
        let mut out = Vec::new();
        for (s, row) in model.services.iter().zip(&shared.rows) {
            let touches =
                |refs: &[crate::model::ServiceRef]| refs.iter().any(|r| r.0 == s.service.id);
            let (active, history): (Vec<IncidentSummary>, Vec<IncidentSummary>) = model
                .incidents
                .iter()
                .zip(&shared.summaries)
                .filter(|(m, _)| touches(&m.incident.services))
                .map(|(_, sum)| sum.clone())
                .partition(|sum| sum.active);
            let recently_resolved = self.recently_resolved(
                model
                    .incidents
                    .iter()
                    .filter(|m| touches(&m.incident.services)),
            );
            // One folder down, as incident pages are.
            let next_steps =
                self.service_next_steps(s, !active.is_empty(), recently_resolved, "../");
            out.push(PageBody {
                template: "service.html",
                page: self.meta(
                    "service",
                    &format!("services/{}.html", s.file),
                    row.name.clone(),
                    "",
                ),
                data: PageData::Service {
                    service: Box::new(row.clone()),
                    description: s.service.description.as_ref().map(|d| self.picked(d).0),
                    active,
                    upcoming: model
                        .maintenance
                        .iter()
                        .filter(|m| touches(&m.maintenance.services))
                        .filter(|m| m.status.is_open())
                        .map(|m| self.maint(m))
                        .collect(),
                    history,
                    no_incidents: cat.text_or_key("service.no_incidents", Some(shared.days), &[]),
                    next_steps,
                },
            });
        }
        out
    }

    fn incident_pages(&self, shared: &Shared) -> Vec<PageBody> {
        self.model
            .incidents
            .iter()
            .zip(&shared.summaries)
            .map(|(m, summary)| {
                let detail = self.incident_detail(m, summary.clone());
                PageBody {
                    template: "incident.html",
                    page: self.meta(
                        "incident",
                        &format!("incidents/{}.html", m.file),
                        detail.summary.title.clone(),
                        "history",
                    ),
                    data: PageData::Incident {
                        incident: Box::new(detail),
                    },
                }
            })
            .collect()
    }

    /// `history/index.html`, `history/2.html`, …: every incident of the
    /// window, newest first, `history_per_page` a page.
    /// `incidents` (newest first) by the month they started in, in the
    /// customer's zone.
    fn by_month(&self, incidents: &[IncidentSummary]) -> Vec<MonthGroup> {
        let mut out: Vec<MonthGroup> = Vec::new();
        for i in incidents {
            let Ok(t) = chrono::DateTime::parse_from_rfc3339(&i.started.iso) else {
                continue;
            };
            let t = t.with_timezone(&chrono::Utc);
            let key = t.with_timezone(&self.tz()).format("%Y-%m").to_string();
            match out.last_mut() {
                Some(g) if g.key == key => g.incidents.push(i.clone()),
                _ => out.push(MonthGroup {
                    label: self.cat.formats.year_month(t, self.tz()),
                    key,
                    incidents: vec![i.clone()],
                }),
            }
        }
        out
    }

    fn history_pages(&self, shared: &Shared) -> Vec<PageBody> {
        let cat = self.cat;
        let per_page = self.config.site.history_per_page;
        let chunks: Vec<&[IncidentSummary]> = if shared.summaries.is_empty() {
            vec![&[]]
        } else {
            shared.summaries.chunks(per_page).collect()
        };
        let history_path = |n: usize| {
            if n == 1 {
                "history/index.html".to_owned()
            } else {
                format!("history/{n}.html")
            }
        };
        // Links between history pages are relative to history/.
        let rel = |k: usize| history_path(k).trim_start_matches("history/").to_owned();
        let total = chunks.len();
        let page_of = |n: usize| {
            cat.text_or_key(
                "history.page_of",
                None,
                &[
                    ("page", &cat.formats.integer(n as i64)),
                    ("pages", &cat.formats.integer(total as i64)),
                ],
            )
        };
        // The views: each month of the window, incidents, advisories (every
        // one a page of its own under history/, no JavaScript needed).
        let all_months = self.by_month(&shared.summaries);
        let kinds = [
            ("incident", "incidents", "history.kind.incidents"),
            ("advisory", "advisories", "history.kind.advisories"),
        ];
        let view_list: Vec<(String, String)> = all_months
            .iter()
            .map(|g| (format!("{}.html", g.key), g.label.clone()))
            .chain(
                kinds
                    .iter()
                    .map(|(_, file, key)| (format!("{file}.html"), cat.t(key))),
            )
            .collect();
        let views = |current: &str| -> Vec<NavItem> {
            view_list
                .iter()
                .map(|(href, label)| NavItem {
                    label: label.clone(),
                    lang: None,
                    href: href.clone(),
                    current: href == current,
                })
                .collect()
        };
        let mut out: Vec<PageBody> = Vec::new();
        let view_page = |file: &str, name: String, incidents: Vec<IncidentSummary>| PageBody {
            template: "history.html",
            page: self.meta(
                "history",
                &format!("history/{file}"),
                cat.text_or_key("history.view_title", None, &[("view", &name)]),
                "history",
            ),
            data: PageData::History {
                months: self.by_month(&incidents),
                view: Some(name),
                views: views(file),
                incidents,
                intro: cat.text_or_key("history.intro", Some(shared.days), &[]),
                empty: cat.text_or_key("history.empty", Some(shared.days), &[]),
                page_of: String::new(),
                prev: None,
                next: None,
                pages: Vec::new(),
            },
        };
        for g in &all_months {
            out.push(view_page(
                &format!("{}.html", g.key),
                g.label.clone(),
                g.incidents.clone(),
            ));
        }
        for (classification, file, key) in kinds {
            let of_kind: Vec<IncidentSummary> = self
                .model
                .incidents
                .iter()
                .zip(&shared.summaries)
                .filter(|(m, _)| m.incident.classification.key() == classification)
                .map(|(_, s)| s.clone())
                .collect();
            out.push(view_page(&format!("{file}.html"), cat.t(key), of_kind));
        }
        let paged = chunks
            .iter()
            .enumerate()
            .map(|(idx, chunk)| {
                let n = idx + 1;
                PageBody {
                    template: "history.html",
                    page: self.meta(
                        "history",
                        &history_path(n),
                        cat.t("history.title"),
                        "history",
                    ),
                    data: PageData::History {
                        months: self.by_month(chunk),
                        view: None,
                        views: views(""),
                        incidents: chunk.to_vec(),
                        intro: cat.text_or_key("history.intro", Some(shared.days), &[]),
                        empty: cat.text_or_key("history.empty", Some(shared.days), &[]),
                        page_of: page_of(n),
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
                }
            })
            .collect::<Vec<_>>();
        paged.into_iter().chain(out).collect()
    }

    /// The status widget: the overall state, what is active, a link to
    /// the status page; a small page for another site's iframe.
    fn widget_page(&self, shared: &Shared) -> PageBody {
        let active = shared.active();
        let more = (active.len() > WIDGET_INCIDENTS).then(|| {
            self.cat.text_or_key(
                "widget.more",
                Some((active.len() - WIDGET_INCIDENTS) as u64),
                &[],
            )
        });
        PageBody {
            template: "widget.html",
            page: self.meta("widget", "widget.html", self.cat.t("widget.title"), ""),
            data: PageData::Widget {
                active: active.into_iter().take(WIDGET_INCIDENTS).collect(),
                more,
            },
        }
    }

    fn maintenance_page(&self, shared: &Shared) -> PageBody {
        PageBody {
            template: "maintenance.html",
            page: self.meta(
                "maintenance",
                "maintenance.html",
                self.cat.t("maintenance.title"),
                "maintenance",
            ),
            data: PageData::Maintenance {
                upcoming: shared.upcoming.clone(),
                past: self
                    .model
                    .maintenance
                    .iter()
                    .rev()
                    .filter(|m| !m.status.is_open())
                    .map(|m| self.maint(m))
                    .collect(),
            },
        }
    }

    /// The partner's content pages (`support.html`), each in this locale
    /// or, without a translation, in another.
    fn content_pages(&self) -> Vec<PageBody> {
        self.model
            .pages
            .iter()
            .filter_map(|(name, by_locale)| {
                let (tag, p) = self.pick_page(by_locale)?;
                Some(PageBody {
                    template: "page.html",
                    page: self.meta("page", &format!("{name}.html"), p.title.clone(), "page"),
                    data: PageData::Content {
                        html: p.html.clone(),
                        content_lang: tag,
                    },
                })
            })
            .collect()
    }
}

/// What several pages of a locale show: made once.
struct Shared {
    summaries: Vec<IncidentSummary>,
    upcoming: Vec<MaintView>,
    rows: Vec<ServiceRow>,
    days: u64,
}

impl Shared {
    fn new(v: &LocaleViews<'_, '_>) -> Shared {
        Shared {
            summaries: v.model.incidents.iter().map(|m| v.summary(m)).collect(),
            upcoming: v
                .model
                .maintenance
                .iter()
                .filter(|m| m.status.is_open())
                .map(|m| v.maint(m))
                .collect(),
            rows: v.model.services.iter().map(|s| v.service_row(s)).collect(),
            days: u64::from(v.config.site.history_days),
        }
    }

    fn active(&self) -> Vec<IncidentSummary> {
        self.summaries
            .iter()
            .filter(|s| s.active)
            .cloned()
            .collect()
    }
}
