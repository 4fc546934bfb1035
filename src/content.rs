//! `content/`: partner-written markdown with YAML front matter.
//!
//! - `content/pages/<name>[.<locale>].md`: a page per locale (`support.html`).
//! - `content/incidents/<id>[.<locale>].md`: for an upstream incident id, a
//!   partner note (and translated title) shown beside the upstream text; for
//!   any other id, a partner-written incident (front matter gives customers,
//!   services, status and times).
//!
//! - `content/maintenance/<id>[.<locale>].md`: partner-written planned
//!   maintenance (front matter gives customers, services and the window; the
//!   body is the announcement, written in the file's locale).
//!
//! The locale comes from the file name; no suffix means `en`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::config::Slug;
use crate::error::{InputError, InputErrors};
use crate::locale::Locale;
use crate::model::{Classification, Health, IncidentStatus};

/// All content of a site, parsed and sanitized.
#[derive(Debug, Default)]
pub struct Content {
    /// name → locale tag → page.
    pub pages: BTreeMap<String, BTreeMap<String, Page>>,
    /// incident id → locale tag → partner note or translation.
    pub notes: BTreeMap<String, BTreeMap<String, Note>>,
    /// Partner-written incidents, by id.
    pub incidents: BTreeMap<String, PartnerIncident>,
    /// Partner-written maintenance, by id.
    pub maintenance: BTreeMap<String, PartnerMaintenance>,
}

#[derive(Debug, Clone)]
pub struct PartnerMaintenance {
    pub file: PathBuf,
    pub front: MaintenanceFront,
    /// The body (markdown) and its language.
    pub body: String,
    pub lang: String,
}

/// Front matter of partner-written maintenance.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceFront {
    pub title: String,
    pub customers: Vec<Slug>,
    pub services: Vec<crate::model::ServiceRef>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// `cancelled`; otherwise the status follows from the window.
    #[serde(default)]
    pub status: Option<crate::model::MaintenanceStatus>,
    /// When the announcement last changed (feed and calendar dates).
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub major: bool,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub title: String,
    pub html: String,
    pub customers: Option<BTreeSet<String>>,
}

#[derive(Debug, Clone)]
pub struct Note {
    pub title: Option<String>,
    pub html: String,
    pub file: PathBuf,
}

#[derive(Debug, Clone)]
pub struct PartnerIncident {
    pub file: PathBuf,
    pub front: IncidentFront,
    /// The file's body: a summary shown above the timeline.
    pub html: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageFront {
    title: String,
    /// Limit the page to these customers; default: every customer.
    #[serde(default)]
    customers: Option<Vec<Slug>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteFront {
    /// The incident's title in this file's locale.
    #[serde(default)]
    title: Option<String>,
}

/// Front matter of a partner-written incident.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentFront {
    pub title: String,
    pub customers: Vec<Slug>,
    pub services: Vec<crate::model::ServiceRef>,
    pub classification: Classification,
    pub status: IncidentStatus,
    #[serde(default)]
    pub impact: Option<Health>,
    pub started_at: DateTime<Utc>,
    #[serde(default)]
    pub ended_at: Option<DateTime<Utc>>,
    /// Language of the text; default: the file's locale.
    #[serde(default)]
    pub lang: Option<Locale>,
    #[serde(default)]
    pub updates: Vec<FrontUpdate>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontUpdate {
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub status: Option<IncidentStatus>,
    /// Markdown.
    pub body: String,
}

/// Splits `---\nYAML\n---\nbody`. Returns the YAML, the body, and the number
/// of lines before the YAML (for error positions).
pub fn split_front_matter(text: &str) -> Result<(&str, &str), String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .ok_or("expected front matter: the file must start with a line `---`")?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end_matches(['\r', '\n']) == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Ok((yaml, body));
        }
        offset += line.len();
    }
    Err("expected a closing `---` line after the front matter".to_owned())
}

/// `support.fr-FR.md` → (`support`, fr-FR). Names may not contain dots.
fn parse_file_name(
    path: &Path,
    locales: &BTreeSet<String>,
) -> Result<(String, Locale), InputError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let stem = name.strip_suffix(".md").unwrap_or(name);
    let (base, tag) = match stem.split_once('.') {
        Some((base, tag)) => (base, tag),
        None => (stem, "en"),
    };
    let bad = |msg: String| InputError::new(path, None, msg);
    let locale: Locale = tag.parse().map_err(|_| {
        bad(format!(
            "expected a file name `<name>.md` or `<name>.<locale>.md`; `{tag}` is not a locale"
        ))
    })?;
    if !locales.contains(locale.tag()) {
        return Err(bad(format!(
            "no catalog for locale `{tag}`: expected one of {}",
            locales.iter().cloned().collect::<Vec<_>>().join(", ")
        )));
    }
    let base_ok = !base.is_empty()
        && base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !base_ok {
        return Err(bad(format!(
            "invalid name `{base}`: expected letters, digits, - and _"
        )));
    }
    Ok((base.to_owned(), locale))
}

fn parse_front<T: for<'de> Deserialize<'de>>(
    path: &Path,
    yaml: &str,
    scope: crate::scope::Scope,
) -> Result<T, InputError> {
    crate::scope::with(scope, || serde_yaml::from_str(yaml))
        .map_err(|e| InputError::from_yaml(path, &e, 1))
}

/// Walks `content/` and parses every file. Whether an incident file is a
/// partner incident (its front matter names `customers`) or a note on an
/// incident is decided here; that a note's incident exists and that partner
/// content names only services its customers have is checked per customer
/// while rendering (the build streams customers and never holds every
/// snapshot at once).
pub fn load(dir: &Path, locales: &BTreeSet<String>) -> Result<Content, InputErrors> {
    let mut content = Content::default();
    let mut errors = Vec::new();
    if !dir.exists() {
        return Ok(content);
    }
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .follow_links(false);
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(InputError::new(dir, None, format!("cannot read: {e}")));
                continue;
            }
        };
        let path = entry.path();
        if entry.file_type().is_dir()
            || path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        if entry.file_type().is_symlink() {
            errors.push(InputError::new(
                path,
                None,
                "symbolic links are not followed in content/",
            ));
            continue;
        }
        let rel = path.strip_prefix(dir).unwrap_or(path);
        let folder = rel.parent().and_then(|p| p.to_str()).unwrap_or_default();
        if path.extension().is_none_or(|e| e != "md") {
            errors.push(InputError::new(
                path,
                None,
                "unexpected file: content/ holds markdown (.md) files only",
            ));
            continue;
        }
        if let Err(e) = load_file(path, folder, locales, &mut content) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(content)
    } else {
        Err(InputErrors(errors))
    }
}

fn load_file(
    path: &Path,
    folder: &str,
    locales: &BTreeSet<String>,
    content: &mut Content,
) -> Result<(), InputError> {
    let text = std::fs::read_to_string(path).map_err(|e| InputError::io(path, &e))?;
    let (name, locale) = parse_file_name(path, locales)?;
    let (yaml, body) =
        split_front_matter(&text).map_err(|m| InputError::new(path, Some((1, 1)), m))?;
    let html = crate::sanitize::content_markdown(body);
    match folder {
        "pages" => {
            let front: PageFront = parse_front(path, yaml, Default::default())?;
            let customers = front
                .customers
                .map(|c| c.into_iter().map(|s| s.as_str().to_owned()).collect());
            content.pages.entry(name).or_default().insert(
                locale.tag().to_owned(),
                Page {
                    title: front.title,
                    html,
                    customers,
                },
            );
        }
        "incidents" => {
            // A partner incident names its customers; anything else is a
            // note (and translated title) on an incident of that id.
            let names_customers = serde_yaml::from_str::<serde_yaml::Value>(yaml)
                .ok()
                .and_then(|v| v.get("customers").map(|_| ()))
                .is_some();
            if names_customers {
                if locale.tag() != crate::i18n::REFERENCE {
                    return Err(InputError::new(
                        path,
                        None,
                        format!(
                            "a partner incident is written in content/incidents/{name}.md (with `lang:` for its language); `{}` files hold notes and translated titles, without `customers:`",
                            path.file_name().unwrap_or_default().to_string_lossy()
                        ),
                    ));
                }
                let scope = crate::scope::Scope {
                    locales: Some(locales.clone()),
                    cldr_covers: Some(crate::format::covers_tag),
                    ..Default::default()
                };
                let front: IncidentFront = parse_front(path, yaml, scope)?;
                content.incidents.insert(
                    name,
                    PartnerIncident {
                        file: path.to_owned(),
                        front,
                        html,
                    },
                );
            } else {
                let front: NoteFront = parse_front(path, yaml, Default::default())?;
                content.notes.entry(name).or_default().insert(
                    locale.tag().to_owned(),
                    Note {
                        title: front.title,
                        html,
                        file: path.to_owned(),
                    },
                );
            }
        }
        "maintenance" => {
            let front: MaintenanceFront = parse_front(path, yaml, Default::default())?;
            if front.ends_at < front.starts_at {
                // Point at the value of `ends_at:`.
                let at = crate::error::locate_scalar(&text, 1, "ends_at").map(|(line, col)| {
                    let l = text.lines().nth(line - 1).unwrap_or_default();
                    let after = col - 1 + "ends_at:".len();
                    let pad = l.get(after..).map_or(0, |r| r.len() - r.trim_start().len());
                    let prefix = l.get(..(after + pad).min(l.len())).unwrap_or(l);
                    (line, prefix.chars().count() + 1)
                });
                return Err(InputError::new(
                    path,
                    at,
                    format!(
                        "ends_at ({}) is before starts_at ({}): expected the end of the window after its start",
                        front.ends_at, front.starts_at
                    ),
                ));
            }
            if let Some(other) = content.maintenance.get(&name) {
                return Err(InputError::new(
                    path,
                    None,
                    format!(
                        "maintenance `{name}` is also defined in {}: expected one file per maintenance id",
                        other.file.display()
                    ),
                ));
            }
            content.maintenance.insert(
                name,
                PartnerMaintenance {
                    file: path.to_owned(),
                    front,
                    body: body.to_owned(),
                    lang: locale.tag().to_owned(),
                },
            );
        }
        other => {
            return Err(InputError::new(
                path,
                None,
                format!(
                    "unknown content folder `{other}`: expected content/pages/, content/incidents/ or content/maintenance/"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
