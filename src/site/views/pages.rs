//! The page contexts: what every page shares, and one page of each kind.

use super::*;
use rayon::prelude::*;

/// How many active incidents the widget names.
const WIDGET_INCIDENTS: usize = 3;

impl<'m, 'a> LocaleViews<'m, 'a> {
    pub(super) fn common(&self) -> Common {
        let c = self.model.customer;
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
    /// Gives every page of this locale to `f`, in parallel. An incident
    /// page is made only when it is given, so a long history is never held
    /// whole; the first error stops the rest.
    ///
    /// With `keep`, a settled incident page (see [`PageBody::live`]) the
    /// current site has from the same inputs is kept before its context
    /// is made, and not given to `f` (debug builds give it anyway, marked
    /// [`PageBody::kept`], to check that it renders the same).
    pub fn for_each_page<E: Send>(
        &self,
        keep: Option<&KeepByInputs<'_>>,
        f: impl Fn(&Common, PageBody) -> Result<(), E> + Sync,
    ) -> Result<(), E> {
        let shared = Shared::new(self);
        let common = self.common();
        // What every incident page shows besides its incident: the
        // locale's common part and the customer's services (names, pages,
        // platforms).
        let around = keep.and_then(|_| {
            // Not their health: an incident page does not show it.
            let services: Vec<_> = self
                .model
                .services
                .iter()
                .map(|s| (&s.service.id, &s.service.name, s.service.platform, &s.file))
                .collect();
            crate::ids::key_of(&["around an incident"], &(&common, services)).ok()
        });
        let mut pages = vec![self.overview_page(&shared)];
        pages.extend(self.service_pages(&shared));
        pages.push(self.maintenance_page(&shared));
        pages.push(self.widget_page(&shared));
        pages.extend(self.content_pages());
        pages.into_par_iter().try_for_each(|p| f(&common, p))?;
        self.history_pages(&shared)
            .into_par_iter()
            .try_for_each(|spec| {
                let inputs = keep
                    .zip(around)
                    .and_then(|(k, around)| self.settled_history_key(k.seed, &spec, around));
                let kept = keep
                    .zip(inputs)
                    .is_some_and(|(k, key)| (k.keep)(&format!("history/{}", spec.file), &key));
                if kept && !cfg!(debug_assertions) {
                    return Ok(());
                }
                let mut body = self.history_page(&shared, spec);
                body.inputs = inputs;
                body.kept = kept;
                f(&common, body)
            })?;
        self.model
            .incidents
            .par_iter()
            .enumerate()
            .try_for_each(|(i, m)| {
                let inputs = keep
                    .zip(around)
                    .and_then(|(k, around)| self.settled_key(k.seed, m, around));
                let kept = keep
                    .zip(inputs)
                    .is_some_and(|(k, key)| (k.keep)(&format!("incidents/{}.html", m.file), &key));
                if kept && !cfg!(debug_assertions) {
                    return Ok(());
                }
                let mut body = self.incident_page(m, shared.summary(self, i).clone());
                body.inputs = inputs;
                body.kept = kept;
                f(&common, body)
            })
    }

    /// Whether an incident's pages and summary no longer depend on the
    /// data's time: it ended (and any mitigation came) by then.
    fn settled(&self, m: &IncidentModel) -> bool {
        let now = self.model.now;
        let i = &m.incident;
        !m.is_active()
            && i.ended_at.is_some_and(|t| t <= now)
            && i.mitigated_at.is_none_or(|t| t <= now)
    }

    /// The key of a history page that lists only settled incidents, from
    /// what it is made of: its place (name, view, views, pager) and the
    /// inputs of each incident it lists.
    fn settled_history_key(
        &self,
        seed: &str,
        spec: &HistorySpec,
        around: crate::ids::Key,
    ) -> Option<crate::ids::Key> {
        let mut incidents = Vec::with_capacity(spec.incidents.len());
        for &i in &spec.incidents {
            let m = &self.model.incidents[i];
            if !self.settled(m) {
                return None;
            }
            incidents.push(m.inputs_key());
        }
        // The pager's words and links follow from its place and the
        // locale (in `around`); the views' links from their list.
        let pager = spec
            .pager
            .as_ref()
            .map(|p| (p.stem.as_deref(), p.n, p.total));
        let views = (spec.views.list.key, spec.views.current);
        Some(crate::ids::key_of_hashed(
            &["history page", seed, self.cat.locale.tag(), &spec.file],
            &(around, &spec.view, views, pager, incidents),
        ))
    }

    /// The key of a settled incident's page, from what it is made of:
    /// none for a page whose context depends on the data's time (an
    /// incident still active, or not yet ended or mitigated by then).
    fn settled_key(
        &self,
        seed: &str,
        m: &IncidentModel,
        around: crate::ids::Key,
    ) -> Option<crate::ids::Key> {
        if !self.settled(m) {
            return None;
        }
        Some(crate::ids::key_of_hashed(
            &["incident page", seed, self.cat.locale.tag(), &m.file],
            &(around, m.inputs_key()),
        ))
    }

    fn overview_page(&self, shared: &Shared) -> PageBody {
        let cat = self.cat;
        let any_active = self.model.incidents.iter().any(|m| m.is_active());
        let recently_resolved = self.recently_resolved(self.model.incidents.iter());
        PageBody {
            template: "overview.html",
            live: true,
            inputs: None,
            kept: false,
            page: self.meta(
                "overview",
                "index.html",
                cat.t("overview.title"),
                "overview",
            ),
            data: PageData::Overview {
                services: shared.rows.clone(),
                active: shared.active(self),
                upcoming: shared.upcoming.clone(),
                recent: self
                    .model
                    .incidents
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| !m.is_active())
                    .take(5)
                    .map(|(i, _)| shared.summary(self, i).clone())
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
            let (active, history): (Vec<usize>, Vec<usize>) = (0..model.incidents.len())
                .filter(|&i| touches(&model.incidents[i].incident.services))
                .partition(|&i| model.incidents[i].is_active());
            let summaries = |list: &[usize]| -> Vec<IncidentSummary> {
                list.iter()
                    .map(|&i| shared.summary(self, i).clone())
                    .collect()
            };
            // The newest, as a history page holds them; the rest on the
            // service's own history pages (see `history_pages`).
            let per_page = self.config.site.history_per_page;
            let active = summaries(&active);
            let history_more = (history.len() > per_page).then(|| LinkView {
                href: format!("../history/{}.html", service_view_file(&s.file)),
                label: cat.text_or_key("history.view_title", None, &[("view", &row.name)]),
            });
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
                live: true,
                inputs: None,
                kept: false,
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
                    history: summaries(&history[..history.len().min(per_page)]),
                    history_more,
                    no_incidents: cat.text_or_key("service.no_incidents", Some(shared.days), &[]),
                    next_steps,
                },
            });
        }
        out
    }

    fn incident_page(&self, m: &IncidentModel, summary: IncidentSummary) -> PageBody {
        let detail = self.incident_detail(m, summary);
        PageBody {
            template: "incident.html",
            live: m.is_active(),
            inputs: None,
            kept: false,
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
    }

    /// The months of `incidents` (newest first), in the customer's zone:
    /// key (`2026-11`), label, and the incidents of each.
    fn months_of(&self, incidents: &[usize]) -> Vec<(String, String, Vec<usize>)> {
        let mut out: Vec<(String, String, Vec<usize>)> = Vec::new();
        for &i in incidents {
            let t = self.model.incidents[i].incident.started_at;
            let key = t.with_timezone(&self.tz()).format("%Y-%m").to_string();
            match out.last_mut() {
                Some(g) if g.0 == key => g.2.push(i),
                _ => out.push((key, self.cat.formats.year_month(t, self.tz()), vec![i])),
            }
        }
        out
    }

    /// Every history page, as what it holds (the incidents' places in the
    /// model): each is made into a page only when it is rendered.
    fn history_pages(&self, shared: &Shared) -> Vec<HistorySpec> {
        let cat = self.cat;
        let incidents = &self.model.incidents;
        let all: Vec<usize> = (0..incidents.len()).collect();
        // The views: each month of the window, incidents, advisories (every
        // one a page of its own under history/, no JavaScript needed).
        let all_months = self.months_of(&all);
        let kinds = [
            ("incident", "incidents", "history.kind.incidents"),
            ("advisory", "advisories", "history.kind.advisories"),
        ];
        let list: Vec<(String, String)> = all_months
            .iter()
            .map(|(key, label, _)| (format!("{key}.html"), label.clone()))
            .chain(
                kinds
                    .iter()
                    .map(|(_, file, key)| (format!("{file}.html"), cat.t(key))),
            )
            .collect();
        // Every page names the same list (made into links when a page is
        // rendered); a page's key takes the list's key and its place in it.
        let views = std::sync::Arc::new(ViewList {
            key: crate::ids::key_of_hashed(&["history views"], &list),
            list,
        });
        let view_at = |current: &str| Views {
            list: views.clone(),
            current: views.list.iter().position(|(href, _)| href == current),
        };
        // The whole history, `history_per_page` a page.
        let mut out = self.paged(&all, |m| m.place.all, None, None, &view_at(""));
        // A month is short (a few a day): one page.
        for (key, label, incidents) in all_months {
            let file = format!("{key}.html");
            out.push(HistorySpec {
                views: view_at(&file),
                file,
                view: Some(label),
                incidents,
                pager: None,
            });
        }
        // A service whose page lists only its newest resolved incidents:
        // all of them, paged like the whole (the views' list does not
        // name it; its service page links it).
        let per_page = self.config.site.history_per_page;
        for (s, row) in self.model.services.iter().zip(&shared.rows) {
            let of_service: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&i| {
                    incidents[i]
                        .incident
                        .services
                        .iter()
                        .any(|r| r.0 == s.service.id)
                })
                .collect();
            if of_service
                .iter()
                .filter(|&&i| !incidents[i].is_active())
                .count()
                <= per_page
            {
                continue;
            }
            let id = &s.service.id;
            out.extend(self.paged(
                &of_service,
                |m| {
                    let k = m.incident.services.iter().position(|r| &r.0 == id);
                    k.map_or(0, |k| m.place.services[k])
                },
                Some(service_view_file(&s.file)),
                Some(row.name.clone()),
                &view_at(""),
            ));
        }
        // A kind holds most of the history: paged like the whole.
        for (classification, file, key) in kinds {
            let of_kind: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&i| incidents[i].incident.classification.key() == classification)
                .collect();
            out.extend(self.paged(
                &of_kind,
                |m| m.place.kind,
                Some(file.to_owned()),
                Some(cat.t(key)),
                &view_at(&format!("{file}.html")),
            ));
        }
        out
    }

    /// `incidents` (newest first) as pages under history/, named from
    /// `stem` (see [`Pages::file`]), each with a pager.
    ///
    /// The pages are cut where `place` (an incident's place in the whole
    /// history of the view, counted from the oldest: see
    /// [`crate::site::Place`]) crosses a multiple of `history_per_page`,
    /// not by counting from the newest: a new incident, or one that ages
    /// out of the window, changes only the page it is on, until the number
    /// of pages changes (once every `history_per_page` incidents). Each
    /// page but the first and the last holds `history_per_page` (fewer
    /// when some of its incidents have left the window); the first also
    /// holds the next one's while its own holds fewer than half a page, so
    /// it is never nearly empty.
    fn paged(
        &self,
        incidents: &[usize],
        place: impl Fn(&IncidentModel) -> usize,
        stem: Option<String>,
        view: Option<String>,
        views: &Views,
    ) -> Vec<HistorySpec> {
        let per_page = self.config.site.history_per_page;
        let mut chunks: Vec<Vec<usize>> = Vec::new();
        let mut bucket = None;
        for &i in incidents {
            let b = place(&self.model.incidents[i]) / per_page;
            match chunks.last_mut() {
                Some(chunk) if bucket == Some(b) => chunk.push(i),
                _ => chunks.push(vec![i]),
            }
            bucket = Some(b);
        }
        if chunks.len() > 1 && chunks[0].len() < per_page.div_ceil(2) {
            let first = chunks.remove(0);
            chunks[0].splice(0..0, first);
        }
        if chunks.is_empty() {
            chunks.push(Vec::new());
        }
        let total = chunks.len();
        let stem = std::sync::Arc::new(stem);
        chunks
            .into_iter()
            .enumerate()
            .map(|(idx, chunk)| {
                let pages = Pages {
                    stem: stem.clone(),
                    n: idx + 1,
                    total,
                };
                HistorySpec {
                    file: pages.file(pages.n),
                    view: view.clone(),
                    incidents: chunk,
                    views: views.clone(),
                    pager: Some(pages),
                }
            })
            .collect()
    }

    /// A page's pager: where it is among its pages, in words and links.
    fn pager(&self, pages: &Pages) -> Pager {
        let cat = self.cat;
        let (n, total) = (pages.n, pages.total);
        Pager {
            page_of: cat.text_or_key(
                "history.page_of",
                None,
                &[
                    ("page", &cat.formats.integer(n as i64)),
                    ("pages", &cat.formats.integer(total as i64)),
                ],
            ),
            prev: (n > 1).then(|| pages.file(n - 1)),
            next: (n < total).then(|| pages.file(n + 1)),
            pages: pager_window(n, total)
                .into_iter()
                .map(|(k, gap_before)| PagerItem {
                    label: cat.formats.integer(k as i64),
                    href: pages.file(k),
                    current: k == n,
                    gap_before,
                })
                .collect(),
        }
    }

    /// One history page, made from what it holds.
    fn history_page(&self, shared: &Shared, spec: HistorySpec) -> PageBody {
        let cat = self.cat;
        let HistorySpec {
            file,
            view,
            incidents,
            views,
            pager,
        } = spec;
        let title = match &view {
            Some(name) => cat.text_or_key("history.view_title", None, &[("view", name)]),
            None => cat.t("history.title"),
        };
        let pager = pager.map(|p| self.pager(&p)).unwrap_or_default();
        let views = views
            .list
            .list
            .iter()
            .enumerate()
            .map(|(k, (href, label))| NavItem {
                label: label.clone(),
                lang: None,
                href: href.clone(),
                current: views.current == Some(k),
            })
            .collect();
        let months = self
            .months_of(&incidents)
            .into_iter()
            .map(|(key, label, items)| MonthGroup {
                label,
                key,
                incidents: items
                    .into_iter()
                    .map(|i| shared.summary(self, i).clone())
                    .collect(),
            })
            .collect();
        PageBody {
            template: "history.html",
            live: incidents
                .iter()
                .any(|&i| self.model.incidents[i].is_active()),
            inputs: None,
            kept: false,
            page: self.meta("history", &format!("history/{file}"), title, "history"),
            data: PageData::History {
                months,
                view,
                views,
                incidents: incidents
                    .into_iter()
                    .map(|i| shared.summary(self, i).clone())
                    .collect(),
                intro: cat.text_or_key("history.intro", Some(shared.days), &[]),
                empty: cat.text_or_key("history.empty", Some(shared.days), &[]),
                page_of: pager.page_of,
                prev: pager.prev,
                next: pager.next,
                pages: pager.pages,
            },
        }
    }

    /// The status widget: the overall state, what is active, a link to
    /// the status page; a small page for another site's iframe.
    fn widget_page(&self, shared: &Shared) -> PageBody {
        let active = shared.active(self);
        let more = (active.len() > WIDGET_INCIDENTS).then(|| {
            self.cat.text_or_key(
                "widget.more",
                Some((active.len() - WIDGET_INCIDENTS) as u64),
                &[],
            )
        });
        PageBody {
            template: "widget.html",
            live: true,
            inputs: None,
            kept: false,
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
            live: true,
            inputs: None,
            kept: false,
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
                    live: false,
                    inputs: None,
                    kept: false,
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

/// Keeps pages by their inputs' keys (see [`LocaleViews::for_each_page`]).
pub struct KeepByInputs<'k> {
    /// The build's shared fingerprint (binary, config, theme, catalogs,
    /// content).
    pub seed: &'k str,
    /// Keeps the current site's page at this path (in the locale folder)
    /// when it was made from this key: whether it did.
    pub keep: &'k (dyn Fn(&str, &crate::ids::Key) -> bool + Sync),
}

/// A service's history view under history/ (`service-exchange`).
fn service_view_file(service_file: &str) -> String {
    format!("service-{service_file}")
}

/// What several pages of a locale show: made once (an incident's summary
/// when first needed: a kept page needs none).
struct Shared {
    summaries: Vec<std::sync::OnceLock<IncidentSummary>>,
    upcoming: Vec<MaintView>,
    rows: Vec<ServiceRow>,
    days: u64,
}

impl Shared {
    fn new(v: &LocaleViews<'_, '_>) -> Shared {
        Shared {
            summaries: v
                .model
                .incidents
                .iter()
                .map(|_| std::sync::OnceLock::new())
                .collect(),
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

    /// The summary of the model's incident `i`.
    fn summary(&self, v: &LocaleViews<'_, '_>, i: usize) -> &IncidentSummary {
        self.summaries[i].get_or_init(|| v.summary(&v.model.incidents[i]))
    }

    fn active(&self, v: &LocaleViews<'_, '_>) -> Vec<IncidentSummary> {
        (0..v.model.incidents.len())
            .filter(|&i| v.model.incidents[i].is_active())
            .map(|i| self.summary(v, i).clone())
            .collect()
    }
}

/// What one history page holds, before it is made (see
/// [`LocaleViews::for_each_page`]).
struct HistorySpec {
    /// Under history/.
    file: String,
    /// A view's name; `None` for the whole history.
    view: Option<String>,
    /// Its incidents, by their place in the model.
    incidents: Vec<usize>,
    views: Views,
    /// Its place among its pages, if paged.
    pager: Option<Pages>,
}

/// The views every history page names (each month, incidents,
/// advisories): their files and labels, and the key of the list.
struct ViewList {
    key: crate::ids::Key,
    list: Vec<(String, String)>,
}

/// The views' list as one page names it: which one it is, if any.
#[derive(Clone)]
struct Views {
    list: std::sync::Arc<ViewList>,
    current: Option<usize>,
}

/// Page `n` of `total` pages named from `stem`: `index.html`, `2.html`…
/// for the whole history (no stem), `<stem>.html`, `<stem>-2.html`… for a
/// view.
struct Pages {
    stem: std::sync::Arc<Option<String>>,
    n: usize,
    total: usize,
}

impl Pages {
    fn file(&self, k: usize) -> String {
        match (self.stem.as_deref(), k) {
            (None, 1) => "index.html".to_owned(),
            (None, k) => format!("{k}.html"),
            (Some(stem), 1) => format!("{stem}.html"),
            (Some(stem), k) => format!("{stem}-{k}.html"),
        }
    }
}

/// A history page's place among its pages.
#[derive(Default)]
struct Pager {
    page_of: String,
    prev: Option<String>,
    next: Option<String>,
    pages: Vec<PagerItem>,
}

/// The pages a pager on page `n` of `total` links, with whether pages are
/// left out before each: the first, the last, and two either side of `n`.
/// At most 7, whatever `total` is.
pub(crate) fn pager_window(n: usize, total: usize) -> Vec<(usize, bool)> {
    let mut pages: Vec<usize> = vec![1, total];
    pages.extend(n.saturating_sub(2).max(1)..=(n + 2).min(total));
    pages.sort_unstable();
    pages.dedup();
    let mut out = Vec::with_capacity(pages.len());
    let mut last = 0;
    for k in pages {
        out.push((k, k > last + 1 && last > 0));
        last = k;
    }
    out
}

#[cfg(test)]
mod pager_tests {
    use super::pager_window;

    #[test]
    fn the_pager_links_a_bounded_window() {
        let pages = |n, total| -> Vec<String> {
            pager_window(n, total)
                .into_iter()
                .map(|(k, gap)| format!("{}{k}", if gap { "…" } else { "" }))
                .collect()
        };
        assert_eq!(pages(1, 1), ["1"]);
        assert_eq!(pages(1, 3), ["1", "2", "3"]);
        assert_eq!(pages(1, 500), ["1", "2", "3", "…500"]);
        assert_eq!(pages(4, 500), ["1", "2", "3", "4", "5", "6", "…500"]);
        assert_eq!(
            pages(250, 500),
            ["1", "…248", "249", "250", "251", "252", "…500"]
        );
        assert_eq!(pages(500, 500), ["1", "…498", "499", "500"]);
        assert_eq!(pages(5, 7), ["1", "…3", "4", "5", "6", "7"]);
        for total in 1..60 {
            for n in 1..=total {
                let w = pager_window(n, total);
                assert!(w.len() <= 7, "{n}/{total}");
                assert!(w.iter().any(|(k, _)| *k == n));
                assert!(w.windows(2).all(|p| p[0].0 < p[1].0));
                assert!(w.windows(2).all(|p| p[1].1 == (p[1].0 > p[0].0 + 1)));
            }
        }
    }
}
