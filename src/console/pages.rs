//! The console's pages, per locale, and its exports.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Parts;
use super::fleet::{Fleet, Row, initial};
use super::views::*;
use crate::config::{Cloud, Customer};
use crate::history::deliveries::DeliveryProblem;
use crate::i18n::Catalog;
use crate::locale::Locale;
use crate::model::{Health, Platform};
use crate::output::OutputFile;
use crate::render::RenderError;
use crate::site::aggregate::IncidentRef;

/// A page: what every page has, and its own data.
#[derive(Serialize)]
struct PageView<'a, T: Serialize> {
    common: &'a Common,
    data: &'a T,
}

/// One locale's pages being made.
struct Locale1<'p, 'f> {
    parts: &'p Parts<'p>,
    fleet: &'p Fleet<'f>,
    locale: &'p Locale,
    cat: &'p Catalog,
    tz: chrono_tz::Tz,
    sink: &'p (dyn Fn(OutputFile) + Sync),
}

/// Every file of the console, each given to `sink` as soon as it is made
/// (pages in parallel; the console is never held in memory whole).
pub fn all(
    parts: &Parts<'_>,
    fleet: &Fleet<'_>,
    sink: &(dyn Fn(OutputFile) + Sync),
) -> Result<(), RenderError> {
    let locales = parts.config.console.locales(&parts.config.site);
    for (name, bytes) in parts.statics {
        sink(OutputFile {
            path: format!("static/{name}"),
            bytes: bytes.clone(),
        });
    }
    sink(OutputFile {
        path: "static/console.css".into(),
        bytes: CONSOLE_CSS.as_bytes().to_vec(),
    });
    for locale in &locales {
        let l = Locale1 {
            parts,
            fleet,
            locale,
            cat: parts.catalogs.get(locale),
            tz: parts.config.console.time_zone(&parts.config.site),
            sink,
        };
        l.pages()?;
    }
    super::exports::files(parts, fleet, sink);
    let default = &locales[0];
    let cat = parts.catalogs.get(default);
    #[derive(Serialize)]
    struct Chooser {
        lang: LangView,
        title: String,
        href: String,
        stylesheets: Vec<String>,
        alternates: Vec<Link>,
    }
    let chooser = Chooser {
        lang: lang_view(cat),
        title: console_title(parts, cat),
        href: format!("{}/index.html", default.tag()),
        stylesheets: stylesheets(parts),
        alternates: locales
            .iter()
            .map(|l| Link {
                href: format!("{}/index.html", l.tag()),
                label: parts.catalogs.get(l).t("locale.name"),
                lang: Some(l.tag().to_owned()),
            })
            .collect(),
    };
    let html = parts.renderer.render(
        default.tag(),
        "console/chooser.html",
        "index.html",
        &chooser,
    )?;
    sink(OutputFile {
        path: "index.html".into(),
        bytes: html.into_bytes(),
    });
    Ok(())
}

const CONSOLE_CSS: &str = include_str!("../../themes/default/static/console.css");

fn stylesheets(parts: &Parts<'_>) -> Vec<String> {
    let mut s: Vec<String> = parts.stylesheets.to_vec();
    s.push("console.css".into());
    s
}

fn lang_view(cat: &Catalog) -> LangView {
    LangView {
        tag: cat.locale.tag().to_owned(),
        dir: cat.dir(),
        name: cat.t("locale.name"),
    }
}

fn console_title(parts: &Parts<'_>, cat: &Catalog) -> String {
    format!(
        "{}{}{}",
        cat.t("console.title"),
        cat.t("common.separator"),
        parts.config.site.partner.name
    )
}

/// Active incidents the overview lists (the rest are on the incident list).
const OVERVIEW_INCIDENTS: usize = 10;

/// The pages of the incident list: page 1 at `incidents/index.html`, the
/// others in a folder no incident's file can be named (`all/`).
fn incident_list_path(n: usize) -> String {
    if n == 1 {
        "incidents/index.html".into()
    } else {
        format!("incidents/all/{n}.html")
    }
}

/// The pages of one initial of the A–Z index.
fn initial_path(key: &str, n: usize) -> String {
    if n == 1 {
        format!("az/{key}.html")
    } else {
        format!("az/{key}-{n}.html")
    }
}

/// The pages of the fleet table: page 1 is the overview.
fn fleet_page_path(n: usize) -> String {
    if n == 1 {
        "index.html".into()
    } else {
        format!("fleet/{n}.html")
    }
}

impl Locale1<'_, '_> {
    fn time(&self, t: DateTime<Utc>) -> TimeView {
        TimeView {
            iso: t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            text: self.cat.formats.datetime(t, self.tz),
        }
    }

    fn label(&self, prefix: &str, key: &str) -> Label {
        Label {
            key: key.to_owned(),
            text: self.cat.t(&format!("{prefix}.{key}")),
        }
    }

    fn health(&self, h: Health) -> Label {
        self.label("health", h.key())
    }

    /// `title`, or `title, page n` after the first page.
    fn paged_title(&self, title: String, n: usize) -> String {
        if n == 1 {
            return title;
        }
        self.cat.text_or_key(
            "console.page_title",
            None,
            &[
                ("title", &title),
                ("page", &self.cat.formats.integer(n as i64)),
            ],
        )
    }

    fn count(&self, key: &str, n: usize) -> String {
        self.cat.text_or_key(key, Some(n as u64), &[])
    }

    fn name_of(&self, c: &Customer) -> (String, Option<String>) {
        let p = c.name.pick(self.locale.tag(), c.default_locale.tag());
        (p.text.to_owned(), p.lang.map(str::to_owned))
    }

    /// A customer in a list, linked from a page `depth` folders below the
    /// locale folder.
    fn cell(&self, row: &Row<'_>, depth: usize) -> CustomerCell {
        let (name, lang) = self.name_of(row.customer);
        CustomerCell {
            name,
            lang,
            detail: row.detail.clone(),
            href: format!("{}customers/{}.html", "../".repeat(depth), row.slug()),
        }
    }

    /// The customer sites' root from a page `depth` folders below the
    /// locale folder.
    fn sites(&self, depth: usize) -> String {
        let s = &self.parts.sites;
        if s.starts_with("http://") || s.starts_with("https://") {
            s.clone()
        } else {
            format!("{}{s}", "../".repeat(depth + 1))
        }
    }

    fn cloud(&self, c: Cloud) -> String {
        self.cat.t(match c {
            Cloud::Global => "console.cloud.global",
            Cloud::China => "console.cloud.china",
        })
    }

    fn origin(&self, i: &IncidentRef) -> String {
        if i.partner {
            return self.parts.config.site.partner.name.clone();
        }
        self.cat.t(match i.platform {
            Some(Platform::Microsoft365) => "console.origin.microsoft365",
            Some(Platform::Azure) => "console.origin.azure",
            Some(Platform::Other) => "console.origin.other",
            None => "console.origin.unknown",
        })
    }

    fn common(&self, path: &str, title: String) -> Common {
        let depth = path.matches('/').count();
        let root = "../".repeat(depth + 1);
        let here = |p: &str| format!("{}{p}", "../".repeat(depth));
        let section = path.split('/').next().unwrap_or("");
        let nav = [
            (
                "index.html",
                "console.nav.fleet",
                path == "index.html" || section == "fleet",
            ),
            (
                "incidents/index.html",
                "console.nav.incidents",
                section == "incidents",
            ),
            (
                "services/index.html",
                "console.nav.services",
                section == "services",
            ),
            (
                "sources.html",
                "console.nav.sources",
                path == "sources.html",
            ),
            (
                "az/index.html",
                "console.nav.customers",
                section == "az" || section == "customers",
            ),
        ]
        .into_iter()
        .map(|(href, key, current)| Nav {
            href: here(href),
            label: self.cat.t(key),
            current,
        })
        .collect();
        let locales = self.parts.config.console.locales(&self.parts.config.site);
        let as_of = self
            .cat
            .text_or_key("common.data_as_of", None, &[("time", "\u{0}")]);
        let (as_of_before, as_of_after) = as_of.split_once('\u{0}').unwrap_or((&as_of, ""));
        let (as_of_before, as_of_after) = (as_of_before.to_owned(), as_of_after.to_owned());
        let shard_note = self.parts.shard.map(|(k, n)| {
            self.cat.text_or_key(
                "console.shard",
                None,
                &[
                    ("k", &self.cat.formats.integer(k.into())),
                    ("n", &self.cat.formats.integer(n.into())),
                ],
            )
        });
        Common {
            lang: lang_view(self.cat),
            title_lang: None,
            title,
            console_title: console_title(self.parts, self.cat),
            root: root.clone(),
            stylesheets: stylesheets(self.parts),
            nav,
            alternates: locales
                .iter()
                .filter(|l| *l != self.locale)
                .map(|l| Link {
                    href: format!("{root}{}/{path}", l.tag()),
                    label: self.parts.catalogs.get(l).t("locale.name"),
                    lang: Some(l.tag().to_owned()),
                })
                .collect(),
            as_of: self.time(self.fleet.as_of),
            as_of_before,
            as_of_after,
            zone_note: self.cat.text_or_key(
                "common.times_in",
                None,
                &[
                    (
                        "zone",
                        &self.cat.formats.zone_generic(self.fleet.as_of, self.tz),
                    ),
                    ("iana", self.tz.name()),
                ],
            ),
            private_note: self.cat.text_or_key(
                "console.private",
                None,
                &[("partner", &self.parts.config.site.partner.name)],
            ),
            shard_note,
        }
    }

    fn emit<T: Serialize>(
        &self,
        template: &str,
        path: &str,
        title: String,
        data: &T,
    ) -> Result<(), RenderError> {
        self.emit_in(template, path, (title, None), data)
    }

    /// [`emit`](Self::emit) with a title in its own language.
    fn emit_in<T: Serialize>(
        &self,
        template: &str,
        path: &str,
        (title, title_lang): (String, Option<String>),
        data: &T,
    ) -> Result<(), RenderError> {
        let mut common = self.common(path, title);
        common.title_lang = title_lang;
        let html = self.parts.renderer.render(
            self.locale.tag(),
            template,
            path,
            &PageView {
                common: &common,
                data,
            },
        )?;
        (self.sink)(OutputFile {
            path: format!("{}/{path}", self.locale.tag()),
            bytes: html.into_bytes(),
        });
        Ok(())
    }

    fn pages(&self) -> Result<(), RenderError> {
        use rayon::prelude::*;
        self.fleet_pages()?;
        self.customer_index()?;
        (0..self.fleet.rows.len())
            .into_par_iter()
            .try_for_each(|n| self.customer_page(n))?;
        self.incident_pages()?;
        self.service_pages()?;
        self.sources_page()
    }

    fn active_count(&self) -> usize {
        self.fleet
            .incidents
            .iter()
            .filter(|i| i.incident.is_active())
            .count()
    }

    fn row_view(&self, row: &Row<'_>, depth: usize) -> RowView {
        RowView {
            customer: self.cell(row, depth),
            domain: row.customer.domain.clone(),
            cloud: self.cloud(row.customer.cloud),
            state: self.health(row.agg.overall),
            active: row.active as u64,
            stale: row.agg.stale.len() as u64,
            as_of: self.time(row.agg.as_of),
        }
    }

    /// An incident in a list: `r`, hitting `customers` customers.
    fn incident_row(&self, r: &IncidentRef, customers: usize, depth: usize) -> IncidentRow {
        IncidentRow {
            id: r.id.clone(),
            href: format!("{}incidents/{}.html", "../".repeat(depth), r.file),
            title: r.title.clone(),
            lang: r.lang.clone(),
            kind: self.label("classification", r.classification.key()),
            status: self.label("incident_status", r.status.key()),
            impact: self.health(r.impact),
            origin: self.origin(r),
            customers: customers as u64,
            affects: self.count("console.affects", customers),
            started: self.time(r.started_at),
            ended: r.ended_at.map(|t| self.time(t)),
        }
    }

    /// The overview (page 1 of the fleet table) and the table's other
    /// pages.
    fn fleet_pages(&self) -> Result<(), RenderError> {
        #[derive(Serialize)]
        struct FleetData {
            overview: bool,
            counts: Vec<(Label, String)>,
            total: String,
            active: Vec<IncidentRow>,
            all_active: String,
            failing: String,
            /// Failing notification deliveries, when there are any.
            deliveries: Option<String>,
            rows: Vec<RowView>,
            pager: Option<Pager>,
        }
        let per = self.parts.config.console.per_page;
        let pages = self.fleet.rows.len().div_ceil(per).max(1);
        for n in 1..=pages {
            let path = fleet_page_path(n);
            let depth = path.matches('/').count();
            let overview = n == 1;
            let data = FleetData {
                overview,
                counts: if overview {
                    self.fleet
                        .counts()
                        .into_iter()
                        .map(|(h, c)| (self.health(h), self.count("console.customers", c)))
                        .collect()
                } else {
                    Vec::new()
                },
                total: self.count("console.customers", self.fleet.rows.len()),
                active: if overview {
                    // The ten that hit the most customers; the rest are a
                    // link away.
                    let mut active: Vec<_> = self
                        .fleet
                        .incidents
                        .iter()
                        .filter(|i| i.incident.is_active())
                        .collect();
                    active.sort_by_key(|i| std::cmp::Reverse(i.customers.len()));
                    active
                        .into_iter()
                        .take(OVERVIEW_INCIDENTS)
                        .map(|i| self.incident_row(i.incident, i.customers.len(), depth))
                        .collect()
                } else {
                    Vec::new()
                },
                all_active: self.count("console.incidents.all_active", self.active_count()),
                failing: self.count("console.failing_sources", self.fleet.failing.len()),
                deliveries: (!self.parts.deliveries.is_empty())
                    .then(|| self.count("console.failing_deliveries", self.parts.deliveries.len())),
                rows: self.fleet.rows[(n - 1) * per..(n * per).min(self.fleet.rows.len())]
                    .iter()
                    .map(|r| self.row_view(r, depth))
                    .collect(),
                pager: (pages > 1).then(|| self.pager(n, pages, depth)),
            };
            let title = self.paged_title(self.cat.t("console.fleet.title"), n);
            self.emit("console/fleet.html", &path, title, &data)?;
        }
        Ok(())
    }

    /// Links to the first, the last and the two pages either side of
    /// `n`, with gaps between.
    fn pager(&self, n: usize, pages: usize, depth: usize) -> Pager {
        self.pager_of(n, pages, depth, &fleet_page_path)
    }

    /// A pager over `pages` pages whose paths (from the locale folder)
    /// `path_of` gives, seen from page `n` at `depth`.
    fn pager_of(
        &self,
        n: usize,
        pages: usize,
        depth: usize,
        path_of: &dyn Fn(usize) -> String,
    ) -> Pager {
        let href = |k: usize| format!("{}{}", "../".repeat(depth), path_of(k));
        let mut links = Vec::new();
        let mut last = 0;
        for k in 1..=pages {
            let shown = k == 1 || k == pages || k.abs_diff(n) <= 2;
            if !shown {
                continue;
            }
            if k > last + 1 {
                links.push(PageLink {
                    label: "…".into(),
                    href: None,
                    current: false,
                });
            }
            links.push(PageLink {
                label: self.cat.formats.integer(k as i64),
                href: (k != n).then(|| href(k)),
                current: k == n,
            });
            last = k;
        }
        Pager {
            text: self.cat.text_or_key(
                "console.page_of",
                None,
                &[
                    ("page", &self.cat.formats.integer(n as i64)),
                    ("pages", &self.cat.formats.integer(pages as i64)),
                ],
            ),
            prev: (n > 1).then(|| href(n - 1)),
            next: (n < pages).then(|| href(n + 1)),
            pages: links,
        }
    }

    /// The A–Z index and a page per initial.
    fn customer_index(&self) -> Result<(), RenderError> {
        let mut by: std::collections::BTreeMap<String, (String, Vec<usize>)> =
            std::collections::BTreeMap::new();
        for (n, row) in self.fleet.rows.iter().enumerate() {
            let (key, label) = initial(&self.name_of(row.customer).0);
            by.entry(key)
                .or_insert_with(|| (label, Vec::new()))
                .1
                .push(n);
        }
        #[derive(Serialize)]
        struct Initial {
            label: String,
            href: String,
            count: String,
        }
        #[derive(Serialize)]
        struct IndexData {
            initials: Vec<Initial>,
            heading: Option<String>,
            rows: Vec<RowView>,
            pager: Option<Pager>,
        }
        let index = IndexData {
            initials: by
                .iter()
                .map(|(key, (label, rows))| Initial {
                    label: label.clone(),
                    href: format!("{key}.html"),
                    count: self.count("console.customers", rows.len()),
                })
                .collect(),
            heading: None,
            rows: Vec::new(),
            pager: None,
        };
        self.emit(
            "console/customers.html",
            "az/index.html",
            self.cat.t("console.customers.title"),
            &index,
        )?;
        for (key, (label, rows)) in &by {
            let mut rows: Vec<&Row<'_>> = rows.iter().map(|&n| &self.fleet.rows[n]).collect();
            rows.sort_by_cached_key(|r| {
                (
                    self.name_of(r.customer).0.to_lowercase(),
                    r.slug().to_owned(),
                )
            });
            let heading =
                self.cat
                    .text_or_key("console.customers.initial", None, &[("initial", label)]);
            let per = self.parts.config.console.per_page;
            let pages = rows.len().div_ceil(per).max(1);
            for n in 1..=pages {
                let data = IndexData {
                    initials: index
                        .initials
                        .iter()
                        .map(|i| Initial {
                            label: i.label.clone(),
                            href: i.href.clone(),
                            count: i.count.clone(),
                        })
                        .collect(),
                    heading: Some(heading.clone()),
                    rows: rows[(n - 1) * per..(n * per).min(rows.len())]
                        .iter()
                        .map(|r| self.row_view(r, 1))
                        .collect(),
                    pager: (pages > 1)
                        .then(|| self.pager_of(n, pages, 1, &|k| initial_path(key, k))),
                };
                let title = self.paged_title(heading.clone(), n);
                self.emit(
                    "console/customers.html",
                    &initial_path(key, n),
                    title,
                    &data,
                )?;
            }
        }
        Ok(())
    }

    /// The links a partner uses for one customer, in its cloud.
    fn tenant_links(&self, c: &Customer) -> Vec<Link> {
        let e = self.parts.config.clouds.endpoints(c.cloud);
        let china = c.cloud == Cloud::China;
        let mut links = Vec::new();
        if let Some(tenant) = &c.tenant_id {
            let t: String = percent_encoding::utf8_percent_encode(tenant, super::SEGMENT).collect();
            let fill = |tpl: &str| tpl.replace("{tenant_id}", &t);
            for (tpl, key) in [
                (
                    &e.partner_center_customer,
                    if china {
                        "console.link.partner_center_china"
                    } else {
                        "console.link.partner_center"
                    },
                ),
                (
                    &e.m365_admin_for_tenant,
                    if china {
                        "console.link.m365_admin_china"
                    } else {
                        "console.link.m365_admin"
                    },
                ),
                (
                    &e.azure_portal_for_tenant,
                    if china {
                        "console.link.azure_portal_china"
                    } else {
                        "console.link.azure_portal"
                    },
                ),
            ] {
                links.push(Link {
                    href: fill(tpl),
                    label: self.cat.t(key),
                    lang: None,
                });
            }
        }
        links
    }

    fn customer_page(&self, n: usize) -> Result<(), RenderError> {
        let row = &self.fleet.rows[n];
        let c = row.customer;
        let sites = self.sites(1);
        let site_base = format!("{sites}{}/", c.folder);
        #[derive(Serialize)]
        struct ServiceRow {
            name: String,
            state: Label,
            href: String,
        }
        #[derive(Serialize)]
        struct CustomerIncident {
            row: IncidentRow,
            site_href: String,
        }
        #[derive(Serialize)]
        struct CustomerData {
            cell: CustomerCell,
            slug: String,
            tenant_id: Option<String>,
            domain: Option<String>,
            cloud: String,
            state: Label,
            as_of: TimeView,
            links: Vec<Link>,
            site: Link,
            services: Vec<ServiceRow>,
            incidents: Vec<CustomerIncident>,
            sources: Vec<SourceRow>,
            contacts: Vec<Link>,
        }
        let s = &c.support;
        let mut contacts = Vec::new();
        if let Some(u) = &s.service_request_url {
            contacts.push(Link {
                href: u.clone(),
                label: self.cat.t("next.submit_request"),
                lang: None,
            });
        }
        if let Some(u) = &s.self_support_url {
            contacts.push(Link {
                href: u.clone(),
                label: self.cat.t("next.self_support_link"),
                lang: None,
            });
        }
        if let Some(e) = &s.email {
            contacts.push(Link {
                href: format!("mailto:{e}"),
                label: self.cat.text_or_key("next.email", None, &[("email", e)]),
                lang: None,
            });
        }
        if let Some(p) = &s.phone {
            let tel: String = p
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            contacts.push(Link {
                href: format!("tel:{tel}"),
                label: self.cat.text_or_key("next.phone", None, &[("phone", p)]),
                lang: None,
            });
        }
        let incidents = row
            .agg
            .incidents
            .iter()
            .map(|i| {
                // This customer's copy, with how many customers it hits.
                let hits = self
                    .fleet
                    .incident_at
                    .get(i.id.as_str())
                    .map_or(1, |&n| self.fleet.incidents[n].customers.len());
                CustomerIncident {
                    row: self.incident_row(i, hits, 1),
                    site_href: format!(
                        "{site_base}{}/incidents/{}.html",
                        c.default_locale.tag(),
                        i.file
                    ),
                }
            })
            .collect();
        let data = CustomerData {
            cell: self.cell(row, 1),
            slug: c.slug.to_string(),
            tenant_id: c.tenant_id.clone(),
            domain: c.domain.clone(),
            cloud: self.cloud(c.cloud),
            state: self.health(row.agg.overall),
            as_of: self.time(row.agg.as_of),
            links: self.tenant_links(c),
            site: Link {
                href: format!("{site_base}index.html"),
                label: self.cat.t("console.link.status_site"),
                lang: None,
            },
            services: row
                .agg
                .services
                .iter()
                .map(|s| ServiceRow {
                    name: s
                        .name
                        .pick(self.locale.tag(), c.default_locale.tag())
                        .text
                        .to_owned(),
                    state: self.health(s.health),
                    href: format!("../services/{}.html", crate::ids::file_stem(&s.id)),
                })
                .collect(),
            incidents,
            sources: row
                .agg
                .stale
                .iter()
                .map(|s| self.source_row(row, s, 1))
                .collect(),
            contacts,
        };
        let title = self.name_of(c).0;
        self.emit(
            "console/customer.html",
            &format!("customers/{}.html", row.slug()),
            title,
            &data,
        )
    }

    fn source_row(&self, row: &Row<'_>, s: &crate::model::StaleSource, depth: usize) -> SourceRow {
        SourceRow {
            customer: self.cell(row, depth),
            source: s.source.clone(),
            since: self.time(s.since),
            last_success: s.as_of.map(|t| self.time(t)),
            error: s.reason.clone(),
            advice: s.advice.clone(),
        }
    }

    /// A failing notification delivery, on the sources page.
    fn delivery_row(&self, d: &DeliveryProblem) -> DeliveryRow {
        let row = d
            .customer
            .as_deref()
            .and_then(|slug| self.fleet.rows.iter().find(|r| r.slug() == slug));
        DeliveryRow {
            customer: row.map(|r| self.cell(r, 0)),
            // The partner's own subscribers; or a customer no longer in
            // the fleet, by its folder name.
            who: match &d.customer {
                None => self.cat.t("console.deliveries.partner"),
                Some(slug) => slug.clone(),
            },
            to: d.to.clone(),
            subject: d.subject.clone(),
            attempts: self.cat.formats.integer(i64::from(d.attempts)),
            error: d.error.clone(),
            queued: self.time(d.queued_at),
            next: d.next_attempt.map(|t| self.time(t)),
        }
    }

    fn incident_pages(&self) -> Result<(), RenderError> {
        #[derive(Serialize)]
        struct ListData {
            /// Whether this page holds the start of each part.
            active_here: bool,
            recent_here: bool,
            active: Vec<IncidentRow>,
            recent: Vec<IncidentRow>,
            recent_heading: String,
            pager: Option<Pager>,
        }
        let days = self.parts.config.console.recent_days as usize;
        // Active first, then recent (the fleet's order), `per_page` a page.
        let per = self.parts.config.console.per_page;
        let all = &self.fleet.incidents;
        let active = self.active_count();
        let pages = all.len().div_ceil(per).max(1);
        for n in 1..=pages {
            let path = incident_list_path(n);
            let depth = path.matches('/').count();
            let (from, to) = ((n - 1) * per, (n * per).min(all.len()));
            let chunk = &all[from..to];
            let list = ListData {
                active_here: from < active || (n == 1 && active == 0),
                recent_here: to > active || (n == pages && active == all.len()),
                active: chunk
                    .iter()
                    .filter(|i| i.incident.is_active())
                    .map(|i| self.incident_row(i.incident, i.customers.len(), depth))
                    .collect(),
                recent: chunk
                    .iter()
                    .filter(|i| !i.incident.is_active())
                    .map(|i| self.incident_row(i.incident, i.customers.len(), depth))
                    .collect(),
                recent_heading: self.count("console.incidents.recent", days),
                pager: (pages > 1).then(|| self.pager_of(n, pages, depth, &incident_list_path)),
            };
            let title = self.paged_title(self.cat.t("console.incidents.title"), n);
            self.emit("console/incidents.html", &path, title, &list)?;
        }
        #[derive(Serialize)]
        struct Affected {
            cell: CustomerCell,
            domain: Option<String>,
            tenant_id: Option<String>,
            cloud: String,
            state: Label,
            site_href: String,
        }
        #[derive(Serialize)]
        struct IncidentData {
            row: IncidentRow,
            services: Vec<String>,
            csv: String,
            json: String,
            customers: Vec<Affected>,
        }
        let sites = self.sites(1);
        use rayon::prelude::*;
        self.fleet.incidents.par_iter().try_for_each(|fi| {
            let r = fi.incident;
            let first = &self.fleet.rows[fi.customers[0]];
            let services = r
                .services
                .iter()
                .map(|id| {
                    first.agg.services.iter().find(|s| &s.id == id).map_or_else(
                        || id.clone(),
                        |s| {
                            s.name
                                .pick(self.locale.tag(), first.customer.default_locale.tag())
                                .text
                                .to_owned()
                        },
                    )
                })
                .collect();
            let data = IncidentData {
                row: self.incident_row(fi.incident, fi.customers.len(), 1),
                services,
                csv: format!("../../exports/incidents/{}.csv", r.file),
                json: format!("../../exports/incidents/{}.json", r.file),
                customers: fi
                    .customers
                    .iter()
                    .map(|&n| {
                        let row = &self.fleet.rows[n];
                        let c = row.customer;
                        Affected {
                            cell: self.cell(row, 1),
                            domain: c.domain.clone(),
                            tenant_id: c.tenant_id.clone(),
                            cloud: self.cloud(c.cloud),
                            state: self.health(row.agg.overall),
                            site_href: format!(
                                "{sites}{}/{}/incidents/{}.html",
                                c.folder,
                                c.default_locale.tag(),
                                r.file
                            ),
                        }
                    })
                    .collect(),
            };
            let page = format!("incidents/{}.html", r.file);
            let lang = (r.lang != self.locale.tag()).then(|| r.lang.clone());
            self.emit_in(
                "console/incident.html",
                &page,
                (r.title.clone(), lang),
                &data,
            )
        })
    }

    fn service_pages(&self) -> Result<(), RenderError> {
        #[derive(Serialize)]
        struct ServiceSummary {
            name: String,
            href: String,
            counts: Vec<(Label, String)>,
        }
        #[derive(Serialize)]
        struct ListData {
            services: Vec<ServiceSummary>,
        }
        let locale = self.locale.tag().to_owned();
        let default = self.parts.config.site.default_locale.tag().to_owned();
        let name = |s: &crate::site::aggregate::ServiceState| {
            s.name.pick(&locale, &default).text.to_owned()
        };
        let list = ListData {
            services: self
                .fleet
                .services
                .iter()
                .map(|s| ServiceSummary {
                    name: name(s.service),
                    href: format!("{}.html", crate::ids::file_stem(&s.service.id)),
                    counts: s
                        .by_health
                        .iter()
                        .map(|(h, rows)| {
                            (
                                self.health(h.0),
                                self.count("console.customers", rows.len()),
                            )
                        })
                        .collect(),
                })
                .collect(),
        };
        self.emit(
            "console/services.html",
            "services/index.html",
            self.cat.t("console.services.title"),
            &list,
        )?;
        #[derive(Serialize)]
        struct ServiceData {
            groups: Vec<Group>,
        }
        for s in &self.fleet.services {
            let data = ServiceData {
                groups: s
                    .by_health
                    .iter()
                    .map(|(h, rows)| Group {
                        state: self.health(h.0),
                        count: self.count("console.customers", rows.len()),
                        customers: rows
                            .iter()
                            .map(|&n| self.cell(&self.fleet.rows[n], 1))
                            .collect(),
                        open: h.0 != Health::Operational,
                    })
                    .collect(),
            };
            let page = format!("services/{}.html", crate::ids::file_stem(&s.service.id));
            self.emit("console/service.html", &page, name(s.service), &data)?;
        }
        Ok(())
    }

    fn sources_page(&self) -> Result<(), RenderError> {
        #[derive(Serialize)]
        struct SourcesData {
            discovery: String,
            discovery_failed: bool,
            rows: Vec<SourceRow>,
            deliveries: Vec<DeliveryRow>,
        }
        let (discovery, discovery_failed) =
            match (&self.parts.config.discovery, self.parts.discovery_problem) {
                (None, _) => (self.cat.t("console.discovery.off"), false),
                (Some(_), None) => (self.cat.t("console.discovery.ok"), false),
                (Some(_), Some(p)) => (
                    self.cat
                        .text_or_key("console.discovery.failed", None, &[("reason", p)]),
                    true,
                ),
            };
        let data = SourcesData {
            discovery,
            discovery_failed,
            rows: self
                .fleet
                .failing
                .iter()
                .map(|(n, s)| self.source_row(&self.fleet.rows[*n], s, 0))
                .collect(),
            deliveries: self
                .parts
                .deliveries
                .iter()
                .map(|d| self.delivery_row(d))
                .collect(),
        };
        self.emit(
            "console/sources.html",
            "sources.html",
            self.cat.t("console.sources.title"),
            &data,
        )
    }
}
