//! One customer's files: its pages in every locale, feeds, calendars, JSON
//! API, badge, chooser and static files.

use serde::Serialize;

use super::Inputs;
use crate::config::Customer;
use crate::error::InputError;
use crate::model::Snapshot;
use crate::output::{OutputFile, PageKey};
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
/// A closure takes every file; the build's staging also keeps, unrendered,
/// the pages the current site already has (by their keys).
pub trait Sink: Sync {
    fn put(&self, f: OutputFile);

    /// Takes a page made from `view` (its context's key, see
    /// [`page_key`]) and, when it has one, `inputs` (its inputs' key).
    fn put_page(&self, f: OutputFile, _inputs: Option<PageKey>, _view: PageKey) {
        self.put(f);
    }

    /// Keeps the current site's page at `path` when its context's key was
    /// `view`: whether it did (the page need not be rendered then).
    fn keep(&self, _path: &str, _view: &PageKey) -> bool {
        false
    }

    /// Keeps the current site's page at `path` when its inputs' key was
    /// `inputs` (its context need not even be made).
    fn keep_inputs(&self, _path: &str, _inputs: &PageKey) -> bool {
        false
    }

    /// The current site's bytes at `path` (debug builds check with them
    /// that a kept page renders the same).
    fn current(&self, _path: &str) -> Option<Vec<u8>> {
        None
    }
}

impl<F: Fn(OutputFile) + Sync> Sink for F {
    fn put(&self, f: OutputFile) {
        self(f);
    }
}

impl Sink for crate::output::CustomerStage<'_> {
    fn put(&self, f: OutputFile) {
        crate::output::CustomerStage::put(self, &f);
    }

    fn put_page(&self, f: OutputFile, inputs: Option<PageKey>, view: PageKey) {
        crate::output::CustomerStage::put_page(self, &f, inputs, view);
    }

    fn keep(&self, path: &str, view: &PageKey) -> bool {
        crate::output::CustomerStage::keep(self, path, view)
    }

    fn keep_inputs(&self, path: &str, inputs: &PageKey) -> bool {
        crate::output::CustomerStage::keep_inputs(self, path, inputs)
    }

    fn current(&self, path: &str) -> Option<Vec<u8>> {
        crate::output::CustomerStage::current(self, path)
    }
}

/// Counts what passes through to another sink.
struct Counted<'a> {
    inner: &'a dyn Sink,
    files: std::sync::atomic::AtomicUsize,
}

impl Counted<'_> {
    fn add(&self) {
        self.files
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn count(&self, kept: bool) -> bool {
        if kept {
            self.add();
        }
        kept
    }
}

impl Sink for Counted<'_> {
    fn put(&self, f: OutputFile) {
        self.add();
        self.inner.put(f);
    }

    fn put_page(&self, f: OutputFile, inputs: Option<PageKey>, view: PageKey) {
        self.add();
        self.inner.put_page(f, inputs, view);
    }

    fn keep(&self, path: &str, view: &PageKey) -> bool {
        self.count(self.inner.keep(path, view))
    }

    fn keep_inputs(&self, path: &str, inputs: &PageKey) -> bool {
        self.count(self.inner.keep_inputs(path, inputs))
    }

    fn current(&self, path: &str) -> Option<Vec<u8>> {
        self.inner.current(path)
    }
}

/// What a page is made from, hashed: the build's shared fingerprint
/// (binary, config, theme, catalogs, content), the page's path and
/// template, and its whole context, as the renderer is given it. Two
/// pages with the same key have the same bytes (templates are pure
/// functions of their context and catalog).
pub fn page_key(
    seed: &str,
    path: &str,
    template: &str,
    view: &impl Serialize,
) -> Result<PageKey, RenderError> {
    crate::ids::key_of(&["page", seed, path, template], view).map_err(|e| RenderError::Render {
        template: template.to_owned(),
        page: path.to_owned(),
        message: e.to_string(),
    })
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

/// Loads, checks and renders one customer, giving each file to `sink`.
pub fn render_one(
    inputs: &Inputs,
    customer: &Customer,
    sink: &dyn Sink,
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
    let counted = Counted {
        inner: sink,
        files: 0.into(),
    };
    let console =
        render_customer(inputs, customer, snapshot, &counted).map_err(CustomerError::Render)?;
    Ok(Rendered {
        files: counted.files.into_inner(),
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
/// (locales and pages in parallel); what the console keeps of it. A page
/// the sink already has from its key is not rendered.
pub fn render_customer(
    inputs: &Inputs,
    customer: &Customer,
    snapshot: Snapshot,
    sink: &dyn Sink,
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
    // The paths given so far, for the sitemap to list the pages (only a
    // customer that has one: an indexable one on a site with a URL).
    let paths = std::sync::Mutex::new(Vec::new());
    let mapped = customer.indexable && links.absolute("").is_some();
    let note = |path: &str| {
        if mapped {
            paths.lock().expect("not poisoned").push(path.to_owned());
        }
    };
    let give = |f: OutputFile| {
        note(&f.path);
        sink.put(f);
    };
    for f in files.drain(..) {
        give(f);
    }
    // One locale after another (each one's pages on every core): a
    // locale's summaries of every incident are dropped before the next
    // one's are made, which bounds a large customer's memory.
    customer.locales.iter().try_for_each(|locale| {
        let views = views_of(locale);
        let as_of = views.time(views.model.now);
        let overall = views.overall();
        let in_locale = |rel: &str| format!("{slug}/{}/{rel}", locale.tag());
        let keep_inputs = |rel: &str, key: &PageKey| {
            let path = in_locale(rel);
            let kept = sink.keep_inputs(&path, key);
            if kept {
                note(&path);
            }
            kept
        };
        let keep = crate::site::views::KeepByInputs {
            seed: &inputs.fingerprint,
            keep: &keep_inputs,
        };
        views.for_each_page(Some(&keep), |common, body| {
            let view = crate::site::views::PageView {
                common,
                as_of: body.live.then_some(&as_of),
                overall: body.live.then_some(&overall),
                page: &body.page,
                data: &body.data,
            };
            let path = in_locale(&body.page.path);
            if !body.kept {
                note(&path);
            }
            // A page with an input key is kept by it, or not at all: its
            // context changes only with its inputs, so its context's key
            // is not made (the zero key stands for none).
            let key = if body.kept || body.inputs.is_some() {
                None
            } else {
                Some(page_key(&inputs.fingerprint, &path, body.template, &view)?)
            };
            let kept = body.kept || key.is_some_and(|key| sink.keep(&path, &key));
            if kept && !cfg!(debug_assertions) {
                return Ok(());
            }
            let html = renderer.render(locale.tag(), body.template, &body.page.path, &view)?;
            if kept {
                // Debug builds (the tests) render a kept page anyway: its
                // keys must tell everything its bytes come from.
                let current = sink.current(&path).unwrap_or_default();
                assert!(
                    current == html.as_bytes(),
                    "{path} was kept by its key but renders differently: the key misses an input"
                );
                return Ok(());
            }
            sink.put_page(
                OutputFile {
                    path,
                    bytes: html.into_bytes(),
                },
                body.inputs,
                key.unwrap_or_default(),
            );
            Ok::<(), RenderError>(())
        })?;
        let mut files = Vec::new();
        crate::feeds::locale_files(&views, &links, Some(&keep), &mut files);
        for crate::feeds::LocaleFile {
            file: f,
            inputs,
            kept,
        } in files
        {
            if kept {
                // Debug builds make a kept feed anyway: its key must tell
                // everything its bytes come from.
                assert!(
                    sink.current(&f.path).unwrap_or_default() == f.bytes,
                    "{} was kept by its key but is made differently: the key misses an input",
                    f.path
                );
                continue;
            }
            if let Some(inputs) = inputs {
                note(&f.path);
                sink.put_page(f, Some(inputs), PageKey::default());
                continue;
            }
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
        sink.put(f);
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
