//! The build, as a recipe: config → i18n → sources → content → model →
//! render → write. Each phase takes the previous phases' output.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;

use crate::config::{Config, Customer};
use crate::content::Content;
use crate::error::{InputError, InputErrors};
use crate::i18n::Catalogs;
use crate::model::Snapshot;
use crate::output::{OutputFile, WriteStats};
use crate::render::{RenderError, Renderer, Theme};
use crate::site::views::LocaleViews;

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// `statusfleet.yaml`.
    pub config: PathBuf,
    /// Output folder; default: the config's `site.output_dir`.
    pub out: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Input(#[from] InputErrors),
    #[error("{0}")]
    Render(#[from] RenderError),
    #[error("writing {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, Default)]
pub struct BuildSummary {
    pub customers: usize,
    pub locales: usize,
    pub pages: usize,
    pub files: usize,
    pub write: WriteStats,
    pub out: PathBuf,
    pub elapsed: Duration,
    /// Customers whose pages show stale data: (slug, source labels).
    pub stale: Vec<(String, Vec<String>)>,
}

/// Everything read and checked: what `check` validates and `build` renders.
pub struct Inputs {
    pub config: Config,
    pub catalogs: Arc<Catalogs>,
    pub snapshots: Vec<Snapshot>,
    pub content: Content,
    pub renderer: Renderer,
    pub theme: Theme,
}

fn phase<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    if std::env::var_os("STATUSFLEET_TIMINGS").is_some() {
        eprintln!("  {name}: {:.1} ms", start.elapsed().as_secs_f64() * 1000.0);
    }
    out
}

/// Reads and checks the config alone (what `fetch` needs).
pub fn load_config(config_path: &Path) -> Result<Config, InputErrors> {
    let root = config_path.parent().unwrap_or(Path::new(""));
    let tags = crate::i18n::available(&root.join("i18n"));
    crate::config::load(config_path, &tags).map_err(InputErrors::from)
}

/// Reads and checks every input; reports every problem found, not just the
/// first, so `check` can list them all.
pub fn load_inputs(config_path: &Path) -> Result<Inputs, InputErrors> {
    let root = config_path.parent().unwrap_or(Path::new("")).to_owned();
    let i18n_dir = root.join("i18n");
    let catalogs = phase("i18n", || crate::i18n::load(&i18n_dir));
    let tags = match &catalogs {
        Ok(c) => c.tags(),
        Err(_) => crate::i18n::available(&i18n_dir),
    };
    let config = phase("config", || crate::config::load(config_path, &tags));
    let (catalogs, mut config) = match (catalogs, config) {
        (Ok(a), Ok(b)) => (Arc::new(a), b),
        (a, b) => {
            let mut errors = Vec::new();
            if let Err(e) = b {
                errors.push(e);
            }
            if let Err(InputErrors(e)) = a {
                errors.extend(e);
            }
            return Err(InputErrors(errors));
        }
    };
    let mut errors: Vec<InputError> = Vec::new();
    if config.discovery.is_some() {
        let dir = config.data_dir();
        match crate::history::load_discovery(&dir) {
            Ok(Some(record)) => config.add_discovered(&record.customers),
            Ok(None) => {}
            Err(e) => errors.push(InputError::new(
                &crate::history::discovery_path(&dir),
                None,
                e.to_string(),
            )),
        }
    }
    let loaded: Vec<Result<Snapshot, InputError>> = phase("sources", || {
        config
            .customers
            .par_iter()
            .map(|c| crate::source::load_customer(&config, c))
            .collect()
    });
    let mut snapshots = Vec::with_capacity(loaded.len());
    for r in loaded {
        match r {
            Ok(s) => snapshots.push(s),
            Err(e) => errors.push(e),
        }
    }
    check_shown_services(&config, &snapshots, &mut errors);
    let upstream_ids: BTreeSet<String> = snapshots
        .iter()
        .flat_map(|s| s.incidents.iter().map(|i| i.id.clone()))
        .collect();
    let service_ids: BTreeSet<String> = snapshots
        .iter()
        .flat_map(|s| s.services.iter().map(|x| x.id.0.clone()))
        .collect();
    let content = phase("content", || {
        crate::content::load(&root.join("content"), &tags, &upstream_ids, &service_ids)
    })
    .unwrap_or_else(|InputErrors(e)| {
        errors.extend(e);
        Content::default()
    });
    let theme = Theme::load(&root, &config.site.theme);
    let renderer = theme
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|t| phase("templates", || Renderer::new(t, &catalogs)));
    if let Err(e) = &renderer {
        errors.push(e.clone());
    }
    if let Some(logo) = &config.site.partner.logo
        && !root.join(logo).is_file()
    {
        errors.push(InputError::new(
            &config.file,
            crate::error::locate_scalar(
                &std::fs::read_to_string(&config.file).unwrap_or_default(),
                1,
                &logo.to_string_lossy(),
            ),
            format!("site.partner.logo: no file {}", root.join(logo).display()),
        ));
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    Ok(Inputs {
        config,
        catalogs,
        snapshots,
        content,
        renderer: renderer.expect("checked"),
        theme: theme.expect("checked"),
    })
}

/// A customer's `services:` list may only name services its sources give.
fn check_shown_services(config: &Config, snapshots: &[Snapshot], errors: &mut Vec<InputError>) {
    let text = std::fs::read_to_string(&config.file).unwrap_or_default();
    for (c, s) in config.customers.iter().zip(snapshots) {
        let Some(shown) = &c.services else { continue };
        let have: BTreeSet<&str> = s.services.iter().map(|x| x.id.0.as_str()).collect();
        for id in shown.iter().filter(|id| !have.contains(id.0.as_str())) {
            let from = crate::error::locate_scalar(&text, 1, c.slug.as_str()).map_or(1, |p| p.0);
            errors.push(InputError::new(
                &config.file,
                crate::error::locate_scalar(&text, from, &id.0),
                format!(
                    "customer `{}`: services lists `{}`, which none of its sources provides (they provide: {})",
                    c.slug,
                    id,
                    have.iter().copied().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
}

#[derive(Serialize)]
struct ChooserEntry {
    tag: String,
    name: String,
    href: String,
    title: String,
}

#[derive(Serialize)]
struct ChooserContext<'a> {
    lang: crate::site::views::LangView,
    customer_name: &'a str,
    site_title: &'a str,
    default_href: String,
    default_feed: String,
    alternates: Vec<ChooserEntry>,
    noindex: bool,
}

/// Every file of one customer's site.
pub fn render_customer(
    inputs: &Inputs,
    customer: &Customer,
    snapshot: &Snapshot,
) -> Result<Vec<OutputFile>, RenderError> {
    let Inputs {
        config,
        catalogs,
        content,
        renderer,
        theme,
        ..
    } = inputs;
    let model = crate::site::build(config, customer, snapshot.clone(), content);
    let slug = customer.slug.as_str();
    let locale_names: Vec<(String, String)> = customer
        .locales
        .iter()
        .map(|l| (l.tag().to_owned(), catalogs.get(l).t("locale.name")))
        .collect();
    let logo = config
        .site
        .partner
        .logo
        .as_ref()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    let mut files = Vec::new();
    let links = crate::feeds::Links::new(config.site.base_url.as_ref(), slug);
    let views_of = |locale| LocaleViews {
        model: &model,
        config,
        cat: catalogs.get(locale),
        locale_names: locale_names.clone(),
        logo: logo.clone(),
    };
    for locale in &customer.locales {
        let views = views_of(locale);
        for page in views.pages() {
            let html = renderer.render(locale.tag(), page.template, &page.page.path, &page)?;
            files.push(OutputFile {
                path: format!("{slug}/{}/{}", locale.tag(), page.page.path),
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
        customer_name: &customer.name,
        site_title: &config.site.title,
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
                    title: cat
                        .text("site.status_for", None, &[("customer", &customer.name)])
                        .unwrap_or_default(),
                }
            })
            .collect(),
        noindex: !customer.indexable,
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
    for (name, bytes) in &theme.statics {
        files.push(OutputFile {
            path: format!("{slug}/static/{name}"),
            bytes: bytes.clone(),
        });
    }
    if let (Some(logo_path), Some(name)) = (&config.site.partner.logo, &logo)
        && let Ok(bytes) = std::fs::read(config.root.join(logo_path))
    {
        files.push(OutputFile {
            path: format!("{slug}/static/{name}"),
            bytes,
        });
    }
    Ok(files)
}

#[derive(Serialize)]
struct FleetEntry<'a> {
    slug: &'a str,
    name: &'a str,
}

/// Renders every customer (in parallel) into memory.
pub fn render_all(inputs: &Inputs) -> Result<Vec<OutputFile>, RenderError> {
    let per_customer: Vec<Vec<OutputFile>> = inputs
        .config
        .customers
        .par_iter()
        .zip(inputs.snapshots.par_iter())
        .map(|(c, s)| render_customer(inputs, c, s))
        .collect::<Result<_, _>>()?;
    let mut files: Vec<OutputFile> = per_customer.into_iter().flatten().collect();
    if inputs.config.site.fleet_index {
        #[derive(Serialize)]
        struct Fleet<'a> {
            site_title: &'a str,
            partner_name: &'a str,
            customers: Vec<FleetEntry<'a>>,
        }
        let ctx = Fleet {
            site_title: &inputs.config.site.title,
            partner_name: &inputs.config.site.partner.name,
            customers: inputs
                .config
                .customers
                .iter()
                .map(|c| FleetEntry {
                    slug: c.slug.as_str(),
                    name: &c.name,
                })
                .collect(),
        };
        let html =
            inputs
                .renderer
                .render(crate::i18n::REFERENCE, "fleet.html", "index.html", &ctx)?;
        files.push(OutputFile {
            path: "index.html".into(),
            bytes: html.into_bytes(),
        });
    }
    files.push(OutputFile {
        path: "robots.txt".into(),
        bytes: crate::feeds::robots_txt(&inputs.config).into_bytes(),
    });
    if let Some(index) = crate::feeds::sitemap_index(&inputs.config) {
        files.push(OutputFile {
            path: "sitemap.xml".into(),
            bytes: index.into_bytes(),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The whole build.
pub fn build(opts: &BuildOptions) -> Result<BuildSummary, BuildError> {
    let start = Instant::now();
    let inputs = load_inputs(&opts.config)?;
    let files = phase("render", || render_all(&inputs))?;
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| inputs.config.root.join(&inputs.config.site.output_dir));
    let write = phase("write", || crate::output::write_site(&out, &files)).map_err(|source| {
        BuildError::Write {
            path: out.clone(),
            source,
        }
    })?;
    let locales: BTreeSet<&str> = inputs
        .config
        .customers
        .iter()
        .flat_map(|c| c.locales.iter().map(|l| l.tag()))
        .collect();
    Ok(BuildSummary {
        customers: inputs.config.customers.len(),
        locales: locales.len(),
        pages: files.iter().filter(|f| f.path.ends_with(".html")).count(),
        files: files.len(),
        write,
        out,
        elapsed: start.elapsed(),
        stale: inputs
            .config
            .customers
            .iter()
            .zip(&inputs.snapshots)
            .filter(|(_, s)| !s.stale.is_empty())
            .map(|(c, s)| {
                (
                    c.slug.to_string(),
                    s.stale.iter().map(|x| x.source.clone()).collect(),
                )
            })
            .collect(),
    })
}
