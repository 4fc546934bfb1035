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
use crate::site::views::{Brand, LocaleViews};

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// `statusfleet.yaml`.
    pub config: PathBuf,
    /// Output folder; default: the config's `site.output_dir`.
    pub out: Option<PathBuf>,
    /// Build only this part of the fleet.
    pub shard: Option<Shard>,
    /// Render only this customer; carry the others over from the current
    /// output as they are.
    pub only: Option<String>,
}

/// `--shard K/N`: the customers whose slug hashes to K of N (1-based). The
/// fleet-level files go with shard 1, so the shards' outputs together are
/// the whole site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u32,
    pub n: u32,
}

impl Shard {
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("invalid shard `{s}`: expected K/N with 1 <= K <= N, e.g. 2/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (u32, u32) = (k.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }

    /// Whether `slug` belongs to this shard: a stable hash (FNV-1a), the
    /// same on every machine and release.
    pub fn holds(&self, slug: &str) -> bool {
        crate::site::short_hash(slug) % self.n == self.k - 1
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Input(#[from] InputErrors),
    #[error("{0}")]
    Render(#[from] RenderError),
    #[error("customer `{slug}`: {source}")]
    Customer { slug: String, source: RenderError },
    #[error("no customer `{0}` in the config")]
    UnknownCustomer(String),
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
    /// Why the last customer discovery failed, if it did.
    pub discovery_problem: Option<String>,
}

/// Everything read and checked: what `check` validates and `build` renders.
pub struct Inputs {
    pub config: Config,
    pub catalogs: Arc<Catalogs>,
    pub content: Content,
    pub renderer: Renderer,
    pub theme: Theme,
    /// A hash of every input the customers share (binary, config, content,
    /// catalogs, theme); with a customer's own data files it decides
    /// whether the customer must be rendered again.
    pub fingerprint: String,
    /// What every customer's `static/` holds, made once per build.
    pub statics: SharedStatics,
    /// Why the last customer discovery failed, if it did.
    pub discovery_problem: Option<String>,
}

/// The files every customer's `static/` gets (the theme's, `brand.css`,
/// the partner logo) and what pages link: read and made once per build,
/// not once per customer.
pub struct SharedStatics {
    pub files: Vec<(String, Vec<u8>)>,
    /// Stylesheets to link, in order: `style.css`, the theme's others by
    /// name, `brand.css`.
    pub stylesheets: Vec<String>,
    pub partner_logo: Option<String>,
}

impl SharedStatics {
    fn new(config: &Config, theme: &Theme, partner_logo: Option<(String, Vec<u8>)>) -> Self {
        let mut files: Vec<(String, Vec<u8>)> = theme
            .statics
            .iter()
            .map(|(n, b)| (n.clone(), b.clone()))
            .collect();
        let mut stylesheets = vec!["style.css".to_owned()];
        stylesheets.extend(
            theme
                .statics
                .keys()
                .filter(|n| n.ends_with(".css") && !n.contains('/') && *n != "style.css")
                .cloned(),
        );
        if !config.site.partner.colors.is_empty() {
            stylesheets.push("brand.css".to_owned());
            files.push((
                "brand.css".to_owned(),
                config.site.partner.colors.stylesheet().into_bytes(),
            ));
        }
        let name = partner_logo.as_ref().map(|(n, _)| n.clone());
        files.extend(partner_logo);
        SharedStatics {
            files,
            stylesheets,
            partner_logo: name,
        }
    }
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
    let mut discovery_problem = None;
    if config.discovery.is_some() {
        let dir = config.data_dir();
        match crate::history::load_discovery(&dir) {
            Ok(Some(record)) => {
                discovery_problem = record.problem();
                config.add_discovered(&record.customers);
            }
            Ok(None) => {
                discovery_problem = Some(
                    "customer discovery (Partner Center) has not run yet: run `statusfleet fetch`; no customer list yet".to_owned(),
                );
            }
            Err(e) => errors.push(InputError::new(
                &crate::history::discovery_path(&dir),
                None,
                e.to_string(),
            )),
        }
    }
    let content = phase("content", || {
        crate::content::load(&root.join("content"), &tags)
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
    let config_text = std::fs::read_to_string(&config.file).unwrap_or_default();
    let logos = std::iter::once(("site.partner.logo".to_owned(), &config.site.partner.logo)).chain(
        config
            .customers
            .iter()
            .map(|c| (format!("customer `{}`: logo", c.slug), &c.logo)),
    );
    // The partner logo is read here once; every customer gets these bytes.
    let mut partner_logo = None;
    for (i, (key, logo)) in logos.enumerate() {
        let Some(logo) = logo else { continue };
        let at = crate::error::locate_scalar(&config_text, 1, &logo.to_string_lossy());
        let bytes = match std::fs::read(root.join(logo)) {
            Ok(bytes) => bytes,
            Err(e) => {
                errors.push(InputError::new(
                    &config.file,
                    at,
                    format!("{key}: cannot read {}: {e}", root.join(logo).display()),
                ));
                continue;
            }
        };
        if logo
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
            && let Err(e) = crate::config::branding::check_svg(&bytes)
        {
            errors.push(InputError::new(
                &root.join(logo),
                None,
                format!("{key}: {e}"),
            ));
        }
        if i == 0 {
            partner_logo = crate::config::branding::logo_extension(logo)
                .ok()
                .map(|ext| (format!("partner-logo.{ext}"), bytes));
        }
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    let theme = theme.expect("checked");
    let fingerprint = shared_fingerprint(&config, &theme, partner_logo.as_ref());
    let statics = SharedStatics::new(&config, &theme, partner_logo);
    Ok(Inputs {
        config,
        catalogs,
        content,
        renderer: renderer.expect("checked"),
        theme,
        fingerprint,
        statics,
        discovery_problem,
    })
}

/// SHA-256 over the inputs every customer shares, hex.
fn shared_fingerprint(
    config: &Config,
    theme: &Theme,
    partner_logo: Option<&(String, Vec<u8>)>,
) -> String {
    let mut h = ring::digest::Context::new(&ring::digest::SHA256);
    let mut add = |label: &str, bytes: &[u8]| {
        h.update(label.as_bytes());
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    add("version", env!("CARGO_PKG_VERSION").as_bytes());
    // The binary itself: a rebuilt binary may render differently.
    if let Ok(m) = std::env::current_exe().and_then(std::fs::metadata) {
        let stamp = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        add("exe", format!("{}:{stamp}", m.len()).as_bytes());
    }
    add("config", &std::fs::read(&config.file).unwrap_or_default());
    if config.discovery.is_some() {
        let path = crate::history::discovery_path(&config.data_dir());
        add("discovery", &std::fs::read(path).unwrap_or_default());
    }
    for dir in ["content", "i18n"] {
        let root = config.root.join(dir);
        for e in walkdir::WalkDir::new(&root)
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
        {
            let rel = e.path().strip_prefix(&config.root).unwrap_or(e.path());
            add(
                &rel.to_string_lossy(),
                &std::fs::read(e.path()).unwrap_or_default(),
            );
        }
    }
    for (name, (_, text)) in &theme.templates {
        add(name, text.as_bytes());
    }
    for (name, bytes) in &theme.statics {
        add(name, bytes);
    }
    if let Some((_, bytes)) = partner_logo {
        add("logo", bytes);
    }
    hex(h.finish().as_ref())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The shared fingerprint with this customer's own data files (its
/// snapshot files and its history), by size and modification time.
fn customer_fingerprint(inputs: &Inputs, customer: &Customer) -> String {
    let config = &inputs.config;
    let mut h = ring::digest::Context::new(&ring::digest::SHA256);
    h.update(inputs.fingerprint.as_bytes());
    h.update(customer.slug.as_str().as_bytes());
    // Size and modification time stand for the bytes (as in make and
    // cargo): a stat per file, not a read, for a fleet of thousands.
    // Labelled by the path as written, not as resolved: the same site
    // built through another path to its config is the same site.
    let mut add = |label: &Path, path: &Path| {
        let stamp = std::fs::metadata(path).ok().map(|m| {
            let t = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            (m.len(), t)
        });
        h.update(format!("{}:{stamp:?}\n", label.display()).as_bytes());
    };
    for source in &customer.sources {
        if let crate::config::SourceConfig::File { path } = source {
            add(path, &config.root.join(path));
        }
    }
    if let Some(logo) = &customer.logo {
        add(logo, &config.root.join(logo));
    }
    if customer.sources.iter().any(|s| s.is_live()) {
        let history = crate::history::path_for(&config.data_dir(), customer.slug.as_str());
        add(Path::new("history"), &history);
    }
    hex(h.finish().as_ref())
}

/// Checks one customer's snapshot against the config and the content: its
/// `services:` list and the partner incidents and maintenance for it may
/// only name services its sources give.
fn check_customer(inputs: &Inputs, customer: &Customer, snapshot: &Snapshot) -> Vec<InputError> {
    let config = &inputs.config;
    let mut errors = Vec::new();
    let have: BTreeSet<&str> = snapshot.services.iter().map(|x| x.id.0.as_str()).collect();
    let known = || have.iter().copied().collect::<Vec<_>>().join(", ");
    if let Some(shown) = &customer.services {
        for id in shown.iter().filter(|id| !have.contains(id.0.as_str())) {
            let text = std::fs::read_to_string(&config.file).unwrap_or_default();
            let from =
                crate::error::locate_scalar(&text, 1, customer.slug.as_str()).map_or(1, |p| p.0);
            errors.push(InputError::new(
                &config.file,
                crate::error::locate_scalar(&text, from, &id.0),
                format!(
                    "customer `{}`: services lists `{}`, which none of its sources provides (they provide: {})",
                    customer.slug,
                    id,
                    known()
                ),
            ));
        }
    }
    let partner = inputs
        .content
        .incidents
        .values()
        .filter(|p| p.front.customers.contains(&customer.slug))
        .map(|p| (&p.file, &p.front.services))
        .chain(
            inputs
                .content
                .maintenance
                .values()
                .filter(|p| p.front.customers.contains(&customer.slug))
                .map(|p| (&p.file, &p.front.services)),
        );
    for (file, services) in partner {
        for (k, r) in services.iter().enumerate() {
            if have.contains(r.0.0.as_str()) {
                continue;
            }
            let text = std::fs::read_to_string(file).unwrap_or_default();
            errors.push(InputError::new(
                file,
                crate::error::locate_scalar(&text, 1, &r.0.0),
                format!(
                    "services[{k}]: unknown service `{}`: expected one of the services of customer `{}` ({})",
                    r.0,
                    customer.slug,
                    known()
                ),
            ));
        }
    }
    errors
}

/// Notes (content/incidents/<id>.<locale>.md without `customers:`) must be
/// about an incident some customer has.
fn check_notes(inputs: &Inputs, used: &BTreeSet<String>) -> Vec<InputError> {
    inputs
        .content
        .notes
        .iter()
        .filter(|(id, _)| !used.contains(*id) && !inputs.content.incidents.contains_key(*id))
        .flat_map(|(id, by_locale)| {
            by_locale.values().map(move |n| {
                InputError::new(
                    &n.file,
                    None,
                    format!(
                        "no incident `{id}`: a note or translation needs an upstream incident with this id, or a partner incident in content/incidents/{id}.md"
                    ),
                )
            })
        })
        .collect()
}

/// What rendering one customer gives.
pub struct Rendered {
    pub files: Vec<OutputFile>,
    /// Labels of the sources whose data is stale.
    pub stale: Vec<String>,
    /// Ids of the customer's incidents that have partner notes.
    pub notes: Vec<String>,
}

/// One customer's outcome: files rendered and notes used, or why not.
type Outcome = Result<(usize, Vec<String>), (String, CustomerError)>;

/// Why one customer could not be rendered.
#[derive(Debug)]
pub enum CustomerError {
    Input(Vec<InputError>),
    Render(RenderError),
}

/// Loads, checks and renders one customer.
pub fn render_one(inputs: &Inputs, customer: &Customer) -> Result<Rendered, CustomerError> {
    let snapshot = crate::source::load_customer(&inputs.config, customer)
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
    let files = render_customer(inputs, customer, snapshot).map_err(CustomerError::Render)?;
    Ok(Rendered {
        files,
        stale,
        notes,
    })
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
    stylesheets: Vec<String>,
}

/// Every file of one customer's site.
pub fn render_customer(
    inputs: &Inputs,
    customer: &Customer,
    snapshot: Snapshot,
) -> Result<Vec<OutputFile>, RenderError> {
    let Inputs {
        config,
        catalogs,
        content,
        renderer,
        ..
    } = inputs;
    let model = crate::site::build(config, customer, snapshot, content);
    // Paths are in the customer's folder (its slug, or secret).
    let slug = customer.folder.as_str();
    let locale_names: Vec<(String, String)> = customer
        .locales
        .iter()
        .map(|l| (l.tag().to_owned(), catalogs.get(l).t("locale.name")))
        .collect();
    let mut files = Vec::new();
    let brand = brand_files(inputs, customer, slug, &mut files);
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
                    title: cat
                        .text(
                            "site.status_for",
                            None,
                            &[(
                                "customer",
                                customer
                                    .name
                                    .pick(l.tag(), customer.default_locale.tag())
                                    .text,
                            )],
                        )
                        .unwrap_or_default(),
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
    Ok(files)
}

/// The shared static files and the customer's logo into the customer's
/// `static/`; what pages need to link them.
fn brand_files(
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

#[derive(Serialize)]
struct FleetEntry<'a> {
    slug: &'a str,
    name: &'a str,
    /// What tells this customer apart from others of the same name: its
    /// domain, else its slug (only shown when the name is shared or a
    /// domain is known).
    detail: Option<String>,
}

/// The fleet-level files: the fleet index (when enabled), `robots.txt`
/// and the sitemap index.
pub fn root_files(inputs: &Inputs) -> Result<Vec<OutputFile>, RenderError> {
    let mut files = Vec::new();
    if inputs.config.site.fleet_index {
        #[derive(Serialize)]
        struct Fleet<'a> {
            site_title: &'a str,
            partner_name: &'a str,
            customers: Vec<FleetEntry<'a>>,
        }
        let ctx = Fleet {
            site_title: inputs.config.site.title.any(),
            partner_name: &inputs.config.site.partner.name,
            customers: {
                let customers = &inputs.config.customers;
                let mut names: std::collections::HashMap<&str, usize> =
                    std::collections::HashMap::new();
                let mut pairs: std::collections::HashMap<(&str, Option<&str>), usize> =
                    std::collections::HashMap::new();
                for c in customers {
                    *names.entry(c.name.any()).or_default() += 1;
                    *pairs
                        .entry((c.name.any(), c.domain.as_deref()))
                        .or_default() += 1;
                }
                customers
                    .iter()
                    .map(|c| {
                        let name = c.name.any();
                        let shared = names[name] > 1;
                        // The domain tells most apart; the slug the rest.
                        let domain_shared =
                            c.domain.is_none() || pairs[&(name, c.domain.as_deref())] > 1;
                        FleetEntry {
                            slug: c.folder.as_str(),
                            name,
                            detail: match (&c.domain, shared && domain_shared) {
                                (Some(d), true) => Some(format!("{d}, {}", c.slug)),
                                (Some(d), false) => Some(d.clone()),
                                (None, true) => Some(c.slug.to_string()),
                                (None, false) => None,
                            },
                        }
                    })
                    .collect()
            },
        };
        let html =
            inputs
                .renderer
                .render(crate::i18n::REFERENCE, "fleet.html", "index.html", &ctx)?;
        files.push(OutputFile {
            path: "index.html".into(),
            bytes: html.into_bytes(),
        });
        // A stylesheet, not a `<style>`: the page's policy allows no inline
        // style either.
        files.push(OutputFile {
            path: "fleet.css".into(),
            bytes: b"body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}\n".to_vec(),
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
    Ok(files)
}

/// Renders every customer (in parallel) and checks everything, keeping
/// only counts: what `check` does.
pub fn check_all(inputs: &Inputs) -> Result<usize, BuildError> {
    let results: Vec<Outcome> = inputs
        .config
        .customers
        .par_iter()
        .map(|c| {
            render_one(inputs, c)
                .map(|r| (r.files.len(), r.notes))
                .map_err(|e| (c.slug.to_string(), e))
        })
        .collect();
    let files = collect_outcomes(inputs, results, true)?;
    Ok(files + root_files(inputs)?.len())
}

/// Renders the site at `config_path` in memory and gives, per template,
/// every variable its contexts had (see [`Renderer::variables`]).
pub fn template_variables(
    config_path: &Path,
) -> Result<std::collections::BTreeMap<String, BTreeSet<String>>, BuildError> {
    let mut inputs = load_inputs(config_path)?;
    inputs.renderer.record_variables();
    check_all(&inputs)?;
    Ok(inputs.renderer.variables())
}

/// Sums per-customer outcomes, or gives every input error found (then the
/// first render error). Notes are checked against the incidents of the
/// whole fleet, so only when `whole_fleet`.
fn collect_outcomes(
    inputs: &Inputs,
    results: Vec<Outcome>,
    whole_fleet: bool,
) -> Result<usize, BuildError> {
    let mut errors = Vec::new();
    let mut render = None;
    let mut files = 0;
    let mut used = BTreeSet::new();
    for r in results {
        match r {
            Ok((n, notes)) => {
                files += n;
                used.extend(notes);
            }
            Err((_, CustomerError::Input(e))) => errors.extend(e),
            Err((slug, CustomerError::Render(e))) => {
                render.get_or_insert(BuildError::Customer { slug, source: e });
            }
        }
    }
    if whole_fleet {
        errors.extend(check_notes(inputs, &used));
    }
    if !errors.is_empty() {
        return Err(BuildError::Input(InputErrors(errors)));
    }
    if let Some(e) = render {
        return Err(e);
    }
    Ok(files)
}

/// The whole build: customers are rendered in parallel and each one's
/// files go to the staging folder as soon as they are rendered, so memory
/// does not grow with the fleet. A customer whose inputs did not change
/// since the last build is carried over without rendering.
pub fn build(opts: &BuildOptions) -> Result<BuildSummary, BuildError> {
    let start = Instant::now();
    let inputs = load_inputs(&opts.config)?;
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| inputs.config.root.join(&inputs.config.site.output_dir));
    let write_err = |source: std::io::Error| BuildError::Write {
        path: out.clone(),
        source,
    };
    if let Some(only) = &opts.only
        && !inputs
            .config
            .customers
            .iter()
            .any(|c| c.slug.as_str() == only)
    {
        return Err(BuildError::UnknownCustomer(only.clone()));
    }
    let chosen: Vec<&Customer> = inputs
        .config
        .customers
        .iter()
        .filter(|c| opts.shard.is_none_or(|s| s.holds(c.slug.as_str())))
        .collect();
    let staging = crate::output::Staging::begin(&out).map_err(write_err)?;
    let results: Vec<Result<Outcome, std::io::Error>> = phase("render+write", || {
        chosen
            .par_iter()
            .map(|c| {
                let slug = c.slug.as_str();
                // The output and its manifest know customers by folder.
                let folder = c.folder.as_str();
                let fingerprint = customer_fingerprint(&inputs, c);
                let previous = match &opts.only {
                    Some(only) if only != slug => staging.previous_customer(folder),
                    _ => staging.unchanged_customer(folder, &fingerprint),
                };
                if let Some(entry) = previous.cloned()
                    && staging.carry_over(folder, &entry).is_ok()
                {
                    return Ok(Ok((0, entry.notes.clone())));
                }
                match render_one(&inputs, c) {
                    Ok(r) => {
                        staging.write(
                            Some(folder),
                            &fingerprint,
                            r.stale,
                            r.notes.clone(),
                            &r.files,
                        )?;
                        Ok(Ok((r.files.len(), r.notes)))
                    }
                    Err(e) => Ok(Err((slug.to_owned(), e))),
                }
            })
            .collect()
    });
    let mut outcomes = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(o) => outcomes.push(o),
            Err(e) => {
                staging.abort();
                return Err(write_err(e));
            }
        }
    }
    let whole_fleet = opts.shard.is_none() && opts.only.is_none();
    if let Err(e) = collect_outcomes(&inputs, outcomes, whole_fleet) {
        staging.abort();
        return Err(e);
    }
    if opts.shard.is_none_or(|s| s.k == 1) {
        let root = match root_files(&inputs) {
            Ok(r) => r,
            Err(e) => {
                staging.abort();
                return Err(e.into());
            }
        };
        if let Err(e) = staging.write(None, "", Vec::new(), Vec::new(), &root) {
            staging.abort();
            return Err(write_err(e));
        }
    }
    let report = staging.finish().map_err(write_err)?;
    let slug_of: std::collections::HashMap<&str, &str> = chosen
        .iter()
        .map(|c| (c.folder.as_str(), c.slug.as_str()))
        .collect();
    let locales: BTreeSet<&str> = chosen
        .iter()
        .flat_map(|c| c.locales.iter().map(|l| l.tag()))
        .collect();
    Ok(BuildSummary {
        customers: chosen.len(),
        locales: locales.len(),
        pages: report.pages,
        files: report.files,
        write: report.stats,
        out,
        elapsed: start.elapsed(),
        discovery_problem: inputs.discovery_problem.clone(),
        stale: report
            .stale
            .into_iter()
            .filter_map(|(folder, labels)| {
                slug_of
                    .get(folder.as_str())
                    .map(|slug| (slug.to_string(), labels))
            })
            .collect(),
    })
}
