//! Message catalogs: `i18n/<locale>.yaml`, one flat map of dotted keys to a
//! string or to CLDR plural forms. The built-in set is embedded in the binary;
//! a site's `i18n/` folder overrides keys or adds a locale. Every locale must
//! have exactly the keys of `en` — checked when catalogs load.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{InputError, InputErrors};
use crate::format::Formats;
use crate::locale::Locale;

pub use crate::locale::REFERENCE;

/// Every catalog in the repository's `i18n/`, embedded by `build.rs`
/// (sorted by tag): a new built-in locale is a new file there.
const BUILT_IN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/catalogs.rs"));

const PLURAL_CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Message {
    Text(String),
    Plural(BTreeMap<String, String>),
}

/// One locale's messages and formatters.
#[derive(Debug)]
pub struct Catalog {
    pub locale: Locale,
    messages: BTreeMap<String, Message>,
    pub formats: Formats,
}

/// A message that a template or the code asked for and no catalog has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("missing translation: locale {locale} has no key `{key}`")]
pub struct MissingTranslation {
    pub locale: String,
    pub key: String,
}

impl Catalog {
    /// The message `key`, with `{name}` placeholders replaced from `args`.
    /// A plural message picks its form by the CLDR category of `count`.
    pub fn text(
        &self,
        key: &str,
        count: Option<u64>,
        args: &[(&str, &str)],
    ) -> Result<String, MissingTranslation> {
        let missing = || MissingTranslation {
            locale: self.locale.to_string(),
            key: key.to_owned(),
        };
        let template = match self.messages.get(key).ok_or_else(missing)? {
            Message::Text(s) => s.as_str(),
            Message::Plural(forms) => {
                let n = count.unwrap_or(0);
                forms
                    .get(self.formats.plural(n))
                    .or_else(|| forms.get("other"))
                    .ok_or_else(missing)?
            }
        };
        let mut out = template.to_owned();
        if let Some(n) = count {
            out = out.replace("{count}", &self.formats.integer(n as i64));
        }
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        Ok(out)
    }

    /// [`text`](Self::text) for a key the code names: every catalog has
    /// every key of `en` (checked when catalogs load, and
    /// `tests/it/catalog.rs` checks that the code names only keys of `en`), so
    /// a miss is a bug: it panics in debug builds and shows the key itself
    /// in release builds, never an empty string.
    pub fn text_or_key(&self, key: &str, count: Option<u64>, args: &[(&str, &str)]) -> String {
        self.text(key, count, args).unwrap_or_else(|e| {
            if cfg!(debug_assertions) {
                panic!("{e}");
            }
            log::error!("{e}");
            key.to_owned()
        })
    }

    /// Whether the catalog has `key` (for labels of upstream words, which
    /// fall back to the normalized status when a word is new).
    pub fn has(&self, key: &str) -> bool {
        self.messages.contains_key(key)
    }

    /// A plain message without arguments; for keys the code itself uses,
    /// which the catalog test guarantees exist.
    pub fn t(&self, key: &str) -> String {
        self.text(key, None, &[]).unwrap_or_else(|e| e.to_string())
    }

    /// `Label: value` with the locale's punctuation (`Début : …`, `开始时间：…`).
    pub fn label_value(&self, label: &str, value: &str) -> String {
        self.text_or_key(
            "common.label_value",
            None,
            &[("label", label), ("value", value)],
        )
    }

    /// A duration in this locale's CLDR unit patterns (`2 hours, 25
    /// minutes`), or the catalog's words for less than a minute.
    pub fn duration(&self, minutes: i64) -> String {
        self.formats
            .duration(minutes.max(0) as u64)
            .unwrap_or_else(|| self.t("duration.less_than_minute"))
    }

    /// A file's size in this locale's CLDR short unit patterns, decimal
    /// units as CLDR's digital units are: `820 byte`, `245 kB` (whole
    /// kilobytes), `1.2 MB` (megabytes to a tenth).
    pub fn file_size(&self, bytes: u64) -> String {
        let (key, n) = if bytes < 1000 {
            ("unit.byte", self.formats.integer(bytes as i64))
        } else if bytes < 999_500 {
            (
                "unit.kilobyte",
                self.formats.integer(((bytes as f64) / 1e3).round() as i64),
            )
        } else {
            ("unit.megabyte", self.formats.fixed(bytes as f64 / 1e6, 1))
        };
        self.text_or_key(key, None, &[("n", &n)])
    }

    /// Text direction, from the catalog (`locale.dir`: `ltr` or `rtl`).
    pub fn dir(&self) -> &'static str {
        match self.messages.get("locale.dir") {
            Some(Message::Text(d)) if d == "rtl" => "rtl",
            _ => "ltr",
        }
    }
}

/// Every catalog of a build, by locale tag.
#[derive(Debug)]
pub struct Catalogs {
    by_tag: BTreeMap<String, Catalog>,
}

impl Catalogs {
    pub fn get(&self, locale: &Locale) -> &Catalog {
        self.by_tag
            .get(locale.tag())
            .expect("config validation only admits locales with a catalog")
    }
    pub fn tags(&self) -> BTreeSet<String> {
        self.by_tag.keys().cloned().collect()
    }
}

/// The locale tags that have a catalog and CLDR data: the built-in ones
/// and the site's.
pub fn available(site_i18n: &Path) -> BTreeSet<String> {
    let mut tags: BTreeSet<String> = BUILT_IN.iter().map(|(t, _)| t.to_string()).collect();
    for (tag, _) in site_files(site_i18n) {
        let covered = tag
            .parse::<Locale>()
            .is_ok_and(|l| crate::format::has_cldr_data(&l));
        if covered {
            tags.insert(tag);
        }
    }
    tags
}

fn site_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(String, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .filter_map(|p| {
            let stem = p.file_stem()?.to_str()?;
            let locale: Locale = stem.parse().ok()?;
            Some((locale.tag().to_owned(), p))
        })
        .collect();
    files.sort();
    files
}

struct Source {
    path: PathBuf,
    text: String,
}

fn parse_messages(src: &Source) -> Result<BTreeMap<String, Message>, InputError> {
    // A file of comments only (as `statusfleet init` writes) overrides nothing.
    serde_yaml::from_str::<Option<BTreeMap<String, Message>>>(&src.text)
        .map(Option::unwrap_or_default)
        .map_err(|e| InputError::from_yaml(&src.path, &e, 0))
}

/// 1-based line where a top-level key is defined, for error messages.
fn key_position(text: &str, key: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(i, line)| {
        let unquoted = line.strip_prefix(key);
        let dq = line.strip_prefix(&format!("\"{key}\""));
        let sq = line.strip_prefix(&format!("'{key}'"));
        [unquoted, dq, sq]
            .into_iter()
            .flatten()
            .any(|rest| rest.trim_start().starts_with(':'))
            .then_some((i + 1, 1))
    })
}

fn placeholders(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.insert(after[..close].to_owned());
        rest = &after[close + 1..];
    }
    out
}

fn message_placeholders(m: &Message) -> BTreeSet<String> {
    match m {
        Message::Text(s) => placeholders(s),
        Message::Plural(forms) => forms.values().flat_map(|s| placeholders(s)).collect(),
    }
}

/// A locale's merged messages, and for each key the index of the file that
/// gave it (for error messages).
type Merged = (BTreeMap<String, Message>, BTreeMap<String, usize>);

/// Loads the built-in catalogs merged with the site's `i18n/` folder and
/// checks them all; every problem is reported, not just the first.
pub fn load(site_i18n: &Path) -> Result<Catalogs, InputErrors> {
    let mut errors = Vec::new();
    // tag -> (messages, where each key came from)
    let mut merged: BTreeMap<String, Merged> = BTreeMap::new();
    let mut sources: Vec<Source> = BUILT_IN
        .iter()
        .map(|(tag, text)| Source {
            path: PathBuf::from(format!("i18n/{tag}.yaml (built in)")),
            text: (*text).to_owned(),
        })
        .collect();
    let mut order: Vec<String> = BUILT_IN.iter().map(|(t, _)| t.to_string()).collect();
    for (tag, path) in site_files(site_i18n) {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                sources.push(Source { path, text });
                order.push(tag);
            }
            Err(e) => errors.push(InputError::io(&path, &e)),
        }
    }
    for (idx, (src, tag)) in sources.iter().zip(&order).enumerate() {
        match parse_messages(src) {
            Ok(msgs) => {
                let entry = merged.entry(tag.clone()).or_default();
                for (k, v) in msgs {
                    entry.1.insert(k.clone(), idx);
                    entry.0.insert(k, v);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    let Some((reference, _)) = merged.get(REFERENCE).cloned() else {
        errors.push(InputError::new(
            Path::new("i18n/en.yaml"),
            None,
            "the reference catalog `en` is missing",
        ));
        return Err(InputErrors(errors));
    };
    let mut by_tag = BTreeMap::new();
    for (tag, (messages, origin)) in merged {
        let file_of = |key: &str| -> &Source {
            let idx = origin.get(key).copied().unwrap_or_else(|| {
                // A missing key: blame the locale's last file (the site's, if any).
                order.iter().rposition(|t| *t == tag).unwrap_or(0)
            });
            &sources[idx]
        };
        for (key, msg) in &messages {
            let src = file_of(key);
            // Found only for an error: a scan of the file per key.
            let at = || key_position(&src.text, key);
            let Some(ref_msg) = reference.get(key) else {
                errors.push(InputError::new(
                    &src.path,
                    at(),
                    format!("locale {tag}: unknown key `{key}` (not in the reference catalog en)"),
                ));
                continue;
            };
            match (ref_msg, msg) {
                (Message::Plural(_), Message::Text(_)) => errors.push(InputError::new(
                    &src.path,
                    at(),
                    format!("locale {tag}: key `{key}` must have plural forms (one, other, …) like en"),
                )),
                (Message::Text(_), Message::Plural(_)) => errors.push(InputError::new(
                    &src.path,
                    at(),
                    format!("locale {tag}: key `{key}` must be a single string like en, not plural forms"),
                )),
                (_, Message::Plural(forms)) => {
                    if !forms.contains_key("other") {
                        errors.push(InputError::new(
                            &src.path,
                            at(),
                            format!("locale {tag}: key `{key}` has no `other` plural form"),
                        ));
                    }
                    if let Some(bad) = forms.keys().find(|k| !PLURAL_CATEGORIES.contains(&k.as_str())) {
                        errors.push(InputError::new(
                            &src.path,
                            at(),
                            format!("locale {tag}: key `{key}` has plural form `{bad}`: expected zero, one, two, few, many or other"),
                        ));
                    }
                }
                _ => {}
            }
            let allowed = message_placeholders(ref_msg);
            if let Some(bad) = message_placeholders(msg).difference(&allowed).next() {
                errors.push(InputError::new(
                    &src.path,
                    at(),
                    format!(
                        "locale {tag}: key `{key}` uses placeholder `{{{bad}}}`, which en does not have (allowed: {})",
                        allowed.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        for key in reference.keys().filter(|k| !messages.contains_key(*k)) {
            errors.push(InputError::new(
                &file_of(key).path,
                None,
                format!("locale {tag}: missing key `{key}` (every locale needs every key of en)"),
            ));
        }
        if let Some(Message::Text(dir)) = messages.get("locale.dir")
            && dir != "ltr"
            && dir != "rtl"
        {
            let src = file_of("locale.dir");
            errors.push(InputError::new(
                &src.path,
                key_position(&src.text, "locale.dir"),
                format!(
                    "locale {tag}: locale.dir is `{dir}`: expected `ltr` (left to right) or `rtl` (right to left, as ar and he)"
                ),
            ));
        }
        let locale: Locale = tag.parse().expect("tags come from parsed locales");
        match Formats::new(&locale) {
            Ok(formats) => {
                by_tag.insert(
                    tag.clone(),
                    Catalog {
                        locale,
                        messages,
                        formats,
                    },
                );
            }
            Err(e) => {
                let src = file_of("locale.name");
                errors.push(InputError::new(
                    &src.path,
                    key_position(&src.text, "locale.name"),
                    e,
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(Catalogs { by_tag })
    } else {
        Err(InputErrors(errors))
    }
}

#[cfg(test)]
mod tests;
