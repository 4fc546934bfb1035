//! Templates: tera, one instance per locale (so `t()` knows its catalog),
//! each parsed once per build. The default theme is embedded; a site theme
//! (`themes/<name>/templates/*.html`, `themes/<name>/static/*`) overrides it
//! file by file.

pub mod functions;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use crate::error::InputError;
use crate::i18n::Catalogs;

/// The default theme, embedded in the binary.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "header.html",
        include_str!("../../themes/default/templates/header.html"),
    ),
    (
        "footer.html",
        include_str!("../../themes/default/templates/footer.html"),
    ),
    (
        "macros.html",
        include_str!("../../themes/default/templates/macros.html"),
    ),
    (
        "overview.html",
        include_str!("../../themes/default/templates/overview.html"),
    ),
    (
        "service.html",
        include_str!("../../themes/default/templates/service.html"),
    ),
    (
        "incident.html",
        include_str!("../../themes/default/templates/incident.html"),
    ),
    (
        "history.html",
        include_str!("../../themes/default/templates/history.html"),
    ),
    (
        "maintenance.html",
        include_str!("../../themes/default/templates/maintenance.html"),
    ),
    (
        "page.html",
        include_str!("../../themes/default/templates/page.html"),
    ),
    (
        "chooser.html",
        include_str!("../../themes/default/templates/chooser.html"),
    ),
    (
        "widget.html",
        include_str!("../../themes/default/templates/widget.html"),
    ),
    (
        "console/base.html",
        include_str!("../../themes/default/templates/console/base.html"),
    ),
    (
        "console/macros.html",
        include_str!("../../themes/default/templates/console/macros.html"),
    ),
    (
        "console/fleet.html",
        include_str!("../../themes/default/templates/console/fleet.html"),
    ),
    (
        "console/customers.html",
        include_str!("../../themes/default/templates/console/customers.html"),
    ),
    (
        "console/incidents.html",
        include_str!("../../themes/default/templates/console/incidents.html"),
    ),
    (
        "console/incident.html",
        include_str!("../../themes/default/templates/console/incident.html"),
    ),
    (
        "console/services.html",
        include_str!("../../themes/default/templates/console/services.html"),
    ),
    (
        "console/service.html",
        include_str!("../../themes/default/templates/console/service.html"),
    ),
    (
        "console/sources.html",
        include_str!("../../themes/default/templates/console/sources.html"),
    ),
    (
        "console/customer.html",
        include_str!("../../themes/default/templates/console/customer.html"),
    ),
    (
        "console/chooser.html",
        include_str!("../../themes/default/templates/console/chooser.html"),
    ),
    (
        "security.html",
        include_str!("../../themes/default/templates/security.html"),
    ),
];

/// The policy every HTML page must declare (see `security.html`): nothing
/// from another origin, no script at all, no `<base>`, no form posts.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'";

/// Whether a rendered page declares [`CONTENT_SECURITY_POLICY`] and a
/// referrer policy in its `<head>`, before anything that could load.
pub fn declares_policies(html: &str) -> bool {
    static CSP_META: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            r#"<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">"#
        )
    });
    let head = html.split("</head>").next().unwrap_or_default();
    let Some(at) = head.find(CSP_META.as_str()) else {
        return false;
    };
    // A `<link>`, `<style>` or `<base>` before the policy would escape it.
    let before = &head[..at];
    !["<link", "<style", "<base", "<script"]
        .iter()
        .any(|t| before.contains(t))
        && head.contains(r#"<meta name="referrer" content="no-referrer">"#)
}

pub const DEFAULT_STATIC: &[(&str, &[u8])] = &[(
    "style.css",
    include_bytes!("../../themes/default/static/style.css"),
)];

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{0}")]
    Template(InputError),
    #[error("rendering {template} for {page}: {message}")]
    Render {
        template: String,
        page: String,
        message: String,
    },
}

/// A theme resolved: every template's source and every static file.
#[derive(Debug, Clone)]
pub struct Theme {
    pub templates: BTreeMap<String, (PathBuf, String)>,
    pub statics: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// The default theme with the site theme's files laid over it.
    pub fn load(site_root: &Path, name: &str) -> Result<Theme, InputError> {
        let mut templates: BTreeMap<String, (PathBuf, String)> = DEFAULT_TEMPLATES
            .iter()
            .map(|(n, s)| {
                (
                    n.to_string(),
                    (
                        PathBuf::from(format!("themes/default/templates/{n} (built in)")),
                        s.to_string(),
                    ),
                )
            })
            .collect();
        let mut statics: BTreeMap<String, Vec<u8>> = DEFAULT_STATIC
            .iter()
            .map(|(n, b)| (n.to_string(), b.to_vec()))
            .collect();
        let dir = site_root.join("themes").join(name);
        if name != "default" && !dir.is_dir() {
            return Err(InputError::new(
                &dir,
                None,
                format!(
                    "theme `{name}` not found: expected a folder themes/{name}/ with templates/ and/or static/"
                ),
            ));
        }
        for (sub, is_template) in [("templates", true), ("static", false)] {
            let folder = dir.join(sub);
            if !folder.is_dir() {
                continue;
            }
            for entry in walkdir::WalkDir::new(&folder).sort_by_file_name() {
                let entry = entry
                    .map_err(|e| InputError::new(&folder, None, format!("cannot read: {e}")))?;
                if entry.path_is_symlink() {
                    // A link could read anything on the machine into the site.
                    return Err(InputError::new(
                        entry.path(),
                        None,
                        "a symbolic link in a theme: expected a regular file (links are not followed, so nothing outside the site folder is read)".to_owned(),
                    ));
                }
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry
                    .path()
                    .strip_prefix(&folder)
                    .expect("walkdir yields children")
                    .to_string_lossy()
                    .replace('\\', "/");
                if is_template {
                    let text = std::fs::read_to_string(entry.path())
                        .map_err(|e| InputError::io(entry.path(), &e))?;
                    templates.insert(rel, (entry.path().to_owned(), text));
                } else {
                    if rel == "brand.css"
                        || rel.starts_with("partner-logo.")
                        || rel.starts_with("customer-logo.")
                    {
                        return Err(InputError::new(
                            entry.path(),
                            None,
                            format!(
                                "static/{rel}: the name is reserved for the files made from site.partner.colors and the logos; expected another name"
                            ),
                        ));
                    }
                    let bytes = std::fs::read(entry.path())
                        .map_err(|e| InputError::io(entry.path(), &e))?;
                    statics.insert(rel, bytes);
                }
            }
        }
        Ok(Theme { templates, statics })
    }
}

/// Parsed templates for every locale of the build.
pub struct Renderer {
    by_locale: BTreeMap<String, tera::Tera>,
    /// With [`Renderer::record_variables`]: per template, every variable
    /// path its contexts had (`page.alternates[].href`).
    variables: Option<std::sync::Mutex<BTreeMap<String, std::collections::BTreeSet<String>>>>,
}

/// Every leaf of a context as a path: `a.b`, `a[].c`; an empty list or a
/// null is a path of its own (see [`Renderer::variables`]).
fn variable_paths(
    value: &serde_json::Value,
    at: String,
    out: &mut std::collections::BTreeSet<String>,
) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                variable_paths(v, path, out);
            }
        }
        serde_json::Value::Array(items) => {
            let path = format!("{at}[]");
            if items.is_empty() {
                out.insert(path);
            } else {
                for v in items {
                    variable_paths(v, path.clone(), out);
                }
            }
        }
        _ => {
            out.insert(at);
        }
    }
}

/// An error and its causes on one line; tera puts the useful part (which
/// variable, which line) in the causes.
fn chain(err: &tera::Error) -> String {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    message
}

fn template_error(path: &Path, err: &tera::Error) -> InputError {
    let message = chain(err);
    // tera reports `--> LINE:COL` inside its parse message.
    let position = message.split("--> ").nth(1).and_then(|rest| {
        let mut it = rest
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty());
        Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
    });
    InputError::new(path, position, message.trim().replace('\n', " "))
}

impl Renderer {
    pub fn new(theme: &Theme, catalogs: &Arc<Catalogs>) -> Result<Renderer, InputError> {
        let mut parsed = tera::Tera::default();
        parsed.autoescape_on(vec![".html", ".xml", ".svg"]);
        // Escape what HTML needs escaped, not `/` (tera's default).
        parsed.set_escape_fn(crate::sanitize::escape);
        // All at once: templates import each other's macros.
        parsed
            .add_raw_templates(
                theme
                    .templates
                    .iter()
                    .map(|(n, (_, s))| (n.as_str(), s.as_str())),
            )
            .map_err(|e| {
                // Blame the template the message names, if any.
                let text = e.to_string();
                let path = theme
                    .templates
                    .iter()
                    .find(|(n, _)| {
                        text.contains(&format!("'{n}'")) || text.contains(&format!("`{n}`"))
                    })
                    .map_or_else(|| Path::new("themes").to_owned(), |(_, (p, _))| p.clone());
                template_error(&path, &e)
            })?;
        // Parsed once; each locale's copy has its own functions (`t`,
        // dates and numbers in that locale).
        let mut by_locale = BTreeMap::new();
        for tag in catalogs.tags() {
            let mut tera = parsed.clone();
            let locale = tag.parse().expect("catalog tags are valid locales");
            functions::register_all(&mut tera, catalogs.clone(), locale);
            by_locale.insert(tag, tera);
        }
        Ok(Renderer {
            by_locale,
            variables: None,
        })
    }

    /// From now on, note the variables of every context rendered.
    pub fn record_variables(&mut self) {
        self.variables = Some(std::sync::Mutex::default());
    }

    /// Per template, every variable path its contexts had so far: what a
    /// theme can use (the book's template reference lists them).
    pub fn variables(&self) -> BTreeMap<String, std::collections::BTreeSet<String>> {
        let mut all = self
            .variables
            .as_ref()
            .map(|v| v.lock().expect("not poisoned").clone())
            .unwrap_or_default();
        // `a` is null in one context and an object in another: keep `a.x`.
        for paths in all.values_mut() {
            let shadowed: Vec<String> = paths
                .iter()
                .filter(|p| {
                    let (obj, list) = (format!("{p}."), format!("{p}[]"));
                    paths
                        .iter()
                        .any(|q| q.starts_with(&obj) || (q.starts_with(&list) && q != *p))
                })
                .cloned()
                .collect();
            for p in shadowed {
                paths.remove(&p);
            }
        }
        all
    }

    pub fn render<T: serde::Serialize>(
        &self,
        locale: &str,
        template: &str,
        page: &str,
        context: &T,
    ) -> Result<String, RenderError> {
        let tera = self.by_locale.get(locale).expect("a renderer per catalog");
        let fail = |e: tera::Error| {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                message.push_str(&format!(": {s}"));
                source = s.source();
            }
            RenderError::Render {
                template: template.to_owned(),
                page: page.to_owned(),
                message,
            }
        };
        if let Some(vars) = &self.variables {
            let value = serde_json::to_value(context).map_err(|e| fail(tera::Error::json(e)))?;
            let mut paths = std::collections::BTreeSet::new();
            variable_paths(&value, String::new(), &mut paths);
            vars.lock()
                .expect("not poisoned")
                .entry(template.to_owned())
                .or_default()
                .extend(paths);
        }
        let ctx = tera::Context::from_serialize(context).map_err(fail)?;
        let html = tera.render(template, &ctx).map_err(fail)?;
        if page.ends_with(".html") && !declares_policies(&html) {
            return Err(RenderError::Render {
                template: template.to_owned(),
                page: page.to_owned(),
                message: "the page does not declare the site's security policies: expected `{% include \"security.html\" %}` in its <head>, before any <link> or <style>".to_owned(),
            });
        }
        Ok(html)
    }
}
