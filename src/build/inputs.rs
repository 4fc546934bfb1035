//! Reading and checking every input of a build: config, catalogs, content,
//! theme, and what every customer shares.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use super::phase;
use crate::config::{Config, Customer};
use crate::content::Content;
use crate::error::{InputError, InputErrors};
use crate::i18n::Catalogs;
use crate::model::Snapshot;
use crate::render::{Renderer, Theme};

use super::fingerprint::shared_fingerprint;

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

/// Reads and checks the config alone (what `fetch` needs).
pub fn load_config(config_path: &Path) -> Result<Config, InputErrors> {
    let root = config_path.parent().unwrap_or(Path::new(""));
    let tags = crate::i18n::available(&root.join("i18n"));
    crate::config::load(config_path, &tags)
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
            if let Err(InputErrors(e)) = b {
                errors.extend(e);
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

/// Checks one customer's snapshot against the config and the content: its
/// `services:` list and the partner incidents and maintenance for it may
/// only name services its sources give.
pub(super) fn check_customer(
    inputs: &Inputs,
    customer: &Customer,
    snapshot: &Snapshot,
) -> Vec<InputError> {
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
pub(super) fn check_notes(inputs: &Inputs, used: &BTreeSet<String>) -> Vec<InputError> {
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
