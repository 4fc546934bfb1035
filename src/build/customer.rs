//! One customer's files: its pages in every locale, feeds, calendars, JSON
//! API, badge, chooser and static files.

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

/// What rendering one customer gives.
pub struct Rendered {
    pub files: Vec<OutputFile>,
    /// Labels of the sources whose data is stale.
    pub stale: Vec<String>,
    /// Ids of the customer's incidents that have partner notes.
    pub notes: Vec<String>,
    /// What the partner console shows of it.
    pub console: Aggregate,
}

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

/// Loads, checks and renders one customer.
pub fn render_one(inputs: &Inputs, customer: &Customer) -> Result<Rendered, CustomerError> {
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
    let (files, console) =
        render_customer(inputs, customer, snapshot).map_err(CustomerError::Render)?;
    Ok(Rendered {
        files,
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

/// Every file of one customer's site, and what the console keeps of it.
pub fn render_customer(
    inputs: &Inputs,
    customer: &Customer,
    snapshot: Snapshot,
) -> Result<(Vec<OutputFile>, Aggregate), RenderError> {
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
    for locale in &customer.locales {
        let views = views_of(locale);
        let (common, pages) = views.pages();
        for body in &pages {
            let view = crate::site::views::PageView {
                common: &common,
                page: &body.page,
                data: &body.data,
            };
            let html = renderer.render(locale.tag(), body.template, &body.page.path, &view)?;
            files.push(OutputFile {
                path: format!("{slug}/{}/{}", locale.tag(), body.page.path),
                bytes: html.into_bytes(),
            });
        }
        crate::feeds::locale_files(&views, &links, &mut files);
    }
    crate::feeds::customer_files(&views_of(&customer.default_locale), &links, &mut files);
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
    Ok((files, aggregate))
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
