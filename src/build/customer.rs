//! One customer's files: its pages in every locale, feeds, calendars, JSON
//! API, badge, chooser and static files.

use rayon::prelude::*;
use serde::Serialize;

use super::Inputs;
use crate::config::Customer;
use crate::error::InputError;
use crate::model::Snapshot;
use crate::output::OutputFile;
use crate::render::RenderError;
use crate::site::aggregate::Aggregate;
use crate::site::views::{Brand, LocaleViews};

use super::inputs::check_customer;

/// What rendering one customer gives (its files went to the sink).
pub struct Rendered {
    pub files: usize,
    /// Labels of the sources whose data is stale.
    pub stale: Vec<String>,
    /// Ids of the customer's incidents that have partner notes.
    pub notes: Vec<String>,
    /// What the partner console shows of it.
    pub console: Aggregate,
}

/// Where a customer's files go as they are made (from several threads).
pub type Sink<'s> = dyn Fn(OutputFile) + Sync + 's;

/// What one customer gave the build: files rendered (0 when carried over),
/// the partner notes it used, its console aggregate.
pub(super) struct Done {
    pub files: usize,
    pub notes: Vec<String>,
    pub console: Option<Aggregate>,
}

/// One customer's outcome, or why it has none.
pub(super) type Outcome = Result<Done, (String, CustomerError)>;

/// Why one customer could not be rendered.
#[derive(Debug)]
pub enum CustomerError {
    Input(Vec<InputError>),
    Render(RenderError),
}

/// Loads, checks and renders one customer, giving each file to `sink`.
pub fn render_one(
    inputs: &Inputs,
    customer: &Customer,
    sink: &Sink<'_>,
) -> Result<Rendered, CustomerError> {
    let snapshot = crate::snapshot::load_customer(&inputs.config, customer)
        .map_err(|e| CustomerError::Input(vec![e]))?;
    let errors = check_customer(inputs, customer, &snapshot);
    if !errors.is_empty() {
        return Err(CustomerError::Input(errors));
    }
    let stale = snapshot.stale.iter().map(|x| x.source.clone()).collect();
    let notes = snapshot
        .incidents
        .iter()
        .filter(|i| inputs.content.notes.contains_key(&i.id))
        .map(|i| i.id.clone())
        .collect();
    let count = std::sync::atomic::AtomicUsize::new(0);
    let counted = |f: OutputFile| {
        count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        sink(f);
    };
    let console =
        render_customer(inputs, customer, snapshot, &counted).map_err(CustomerError::Render)?;
    Ok(Rendered {
        files: count.into_inner(),
        stale,
        notes,
        console,
    })
}

#[derive(Serialize)]
pub(super) struct ChooserEntry {
    tag: String,
    name: String,
    href: String,
    title: String,
}

#[derive(Serialize)]
pub(super) struct ChooserContext<'a> {
    lang: crate::site::views::LangView,
    customer_name: &'a str,
    site_title: &'a str,
    default_href: String,
    default_feed: String,
    alternates: Vec<ChooserEntry>,
    noindex: bool,
    stylesheets: Vec<String>,
}

/// Every file of one customer's site, given to `sink` as it is made
/// (locales and pages in parallel); what the console keeps of it.
pub fn render_customer(
    inputs: &Inputs,
    customer: &Customer,
    snapshot: Snapshot,
    sink: &Sink<'_>,
) -> Result<Aggregate, RenderError> {
    let Inputs {
        config,
        catalogs,
        content,
        renderer,
        ..
    } = inputs;
    let model = crate::site::build(config, customer, snapshot, content);
    let aggregate = Aggregate::of(&model, config.console.recent_days);
    // Paths are in the customer's folder (its slug, or secret).
    let slug = customer.folder.as_str();
    let locale_names: Vec<(String, String)> = customer
        .locales
        .iter()
        .map(|l| (l.tag().to_owned(), catalogs.get(l).t("locale.name")))
        .collect();
    let mut files = Vec::new();
    let brand = brand_files(inputs, customer, slug, &mut files);
    // Post-incident report documents, once per customer (every locale
    // links the same file).
    for r in model.incidents.iter().filter_map(|m| m.report.as_ref()) {
        if let Ok(bytes) = std::fs::read(&r.source) {
            files.push(OutputFile {
                path: format!("{slug}/{}", r.path),
                bytes,
            });
        }
    }
    let links = crate::feeds::Links::new(config.site.base_url.as_ref(), slug);
    let views_of = |locale| LocaleViews {
        model: &model,
        config,
        cat: catalogs.get(locale),
        locale_names: locale_names.clone(),
        brand: brand.clone(),
    };
    // The paths given so far (the sitemap lists the pages), not the bytes.
    let paths = std::sync::Mutex::new(Vec::new());
    let give = |f: OutputFile| {
        paths.lock().expect("not poisoned").push(f.path.clone());
        sink(f);
    };
    for f in files.drain(..) {
        give(f);
    }
    customer.locales.par_iter().try_for_each(|locale| {
        let views = views_of(locale);
        views.for_each_page(|common, body| {
            let view = crate::site::views::PageView {
                common,
                page: &body.page,
                data: &body.data,
            };
            let html = renderer.render(locale.tag(), body.template, &body.page.path, &view)?;
            give(OutputFile {
                path: format!("{slug}/{}/{}", locale.tag(), body.page.path),
                bytes: html.into_bytes(),
            });
            Ok::<(), RenderError>(())
        })?;
        let mut files = Vec::new();
        crate::feeds::locale_files(&views, &links, &mut files);
        for f in files {
            // The default locale's calendar and badge, also at the root.
            let name = f.path.rsplit('/').next().unwrap_or_default();
            if *locale == customer.default_locale && crate::feeds::AT_ROOT.contains(&name) {
                give(OutputFile {
                    path: format!("{slug}/{name}"),
                    bytes: f.bytes.clone(),
                });
            }
            give(f);
        }
        Ok::<(), RenderError>(())
    })?;
    let mut paths = paths.into_inner().expect("not poisoned");
    paths.sort_unstable();
    crate::feeds::customer_files(
        &views_of(&customer.default_locale),
        &links,
        &paths,
        &mut files,
    );
    let default = catalogs.get(&customer.default_locale);
    let chooser = ChooserContext {
        lang: crate::site::views::LangView {
            tag: customer.default_locale.tag().to_owned(),
            dir: default.dir(),
            name: default.t("locale.name"),
        },
        customer_name: customer
            .name
            .pick(customer.default_locale.tag(), customer.default_locale.tag())
            .text,
        site_title: config
            .site
            .title
            .pick(customer.default_locale.tag(), customer.default_locale.tag())
            .text,
        default_href: format!("{}/index.html", customer.default_locale.tag()),
        default_feed: format!("{}/feed.atom", customer.default_locale.tag()),
        alternates: customer
            .locales
            .iter()
            .map(|l| {
                let cat = catalogs.get(l);
                ChooserEntry {
                    tag: l.tag().to_owned(),
                    name: cat.t("locale.name"),
                    href: format!("{}/index.html", l.tag()),
                    title: cat.text_or_key(
                        "site.status_for",
                        None,
                        &[(
                            "customer",
                            customer
                                .name
                                .pick(l.tag(), customer.default_locale.tag())
                                .text,
                        )],
                    ),
                }
            })
            .collect(),
        noindex: !customer.indexable,
        stylesheets: brand.stylesheets.clone(),
    };
    let html = renderer.render(
        customer.default_locale.tag(),
        "chooser.html",
        "index.html",
        &chooser,
    )?;
    files.push(OutputFile {
        path: format!("{slug}/index.html"),
        bytes: html.into_bytes(),
    });
    for f in files {
        sink(f);
    }
    Ok(aggregate)
}

/// The shared static files and the customer's logo into the customer's
/// `static/`; what pages need to link them.
pub(super) fn brand_files(
    inputs: &Inputs,
    customer: &Customer,
    folder: &str,
    files: &mut Vec<OutputFile>,
) -> Brand {
    let shared = &inputs.statics;
    for (name, bytes) in &shared.files {
        files.push(OutputFile {
            path: format!("{folder}/static/{name}"),
            bytes: bytes.clone(),
        });
    }
    let customer_logo = customer.logo.as_ref().and_then(|path| {
        let ext = crate::config::branding::logo_extension(path).ok()?;
        let bytes = std::fs::read(inputs.config.root.join(path)).ok()?;
        let name = format!("customer-logo.{ext}");
        files.push(OutputFile {
            path: format!("{folder}/static/{name}"),
            bytes,
        });
        Some(name)
    });
    Brand {
        logo: shared.partner_logo.clone(),
        customer_logo,
        stylesheets: shared.stylesheets.clone(),
    }
}
