//! Template functions, registered in one place. Each is a small struct,
//! unit-tested by calling it directly.

use std::collections::HashMap;
use std::sync::Arc;

use tera::{Function, Value};

use crate::i18n::Catalogs;
use crate::locale::Locale;

pub fn register_all(tera: &mut tera::Tera, catalogs: Arc<Catalogs>, locale: Locale) {
    tera.register_function("t", Translate { catalogs, locale });
    tera.register_function("dir", Dir);
}

/// `dir(lang="en")`: `ltr` or `rtl`, the direction of a language's usual
/// script by CLDR's likely subtags, for text in another language than the
/// page's (upstream English in an Arabic page stays left to right).
pub struct Dir;

impl Function for Dir {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let lang = args
            .get("lang")
            .and_then(Value::as_str)
            .ok_or_else(|| tera::Error::msg("dir() needs lang=\"…\""))?;
        Ok(Value::String(direction(lang).to_owned()))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// `rtl` for a language whose likely script is written right to left.
pub fn direction(lang: &str) -> &'static str {
    static DIRECTIONS: std::sync::LazyLock<icu_locale::LocaleDirectionality> =
        std::sync::LazyLock::new(icu_locale::LocaleDirectionality::new_common);
    match lang.parse::<icu_locale_core::LanguageIdentifier>() {
        Ok(id) if DIRECTIONS.is_right_to_left(&id) => "rtl",
        _ => "ltr",
    }
}

/// `t(key="nav.history")`, `t(key="uptime.caption", count=90)`,
/// `t(key="common.data_as_of", time=x)`: a message of the page's locale.
/// Output is text; tera escapes it.
pub struct Translate {
    catalogs: Arc<Catalogs>,
    locale: Locale,
}

impl Function for Translate {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let key = args
            .get("key")
            .and_then(Value::as_str)
            .ok_or_else(|| tera::Error::msg("t() needs key=\"…\""))?;
        let count = match args.get("count") {
            None => None,
            Some(v) => Some(v.as_u64().ok_or_else(|| {
                tera::Error::msg(format!(
                    "t(key=\"{key}\"): count must be a whole number ≥ 0"
                ))
            })?),
        };
        let values: Vec<(String, String)> = args
            .iter()
            .filter(|(k, _)| *k != "key" && *k != "count")
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                )
            })
            .collect();
        let pairs: Vec<(&str, &str)> = values
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let catalog = self.catalogs.get(&self.locale);
        catalog
            .text(key, count, &pairs)
            .map(Value::String)
            .map_err(|e| tera::Error::msg(e.to_string()))
    }

    fn is_safe(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(tag: &str, args: &[(&str, Value)]) -> tera::Result<Value> {
        let dir = tempfile::tempdir().unwrap();
        let catalogs = Arc::new(crate::i18n::load(dir.path()).unwrap());
        let f = Translate {
            catalogs,
            locale: tag.parse().unwrap(),
        };
        f.call(
            &args
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn directions_come_from_the_likely_script() {
        for (lang, want) in [
            ("en", "ltr"),
            ("ar-SA", "rtl"),
            ("he", "rtl"),
            ("ja-JP", "ltr"),
            ("fa", "rtl"),
            ("zh-CN", "ltr"),
            ("not a tag", "ltr"),
        ] {
            assert_eq!(direction(lang), want, "{lang}");
        }
    }

    #[test]
    fn translates_with_plurals_and_placeholders() {
        let v = |s: &str| Value::String(s.to_owned());
        assert_eq!(t("en", &[("key", v("nav.history"))]).unwrap(), v("History"));
        assert_eq!(
            t(
                "en",
                &[("key", v("uptime.caption")), ("count", Value::from(90))]
            )
            .unwrap(),
            v("Last 90 days")
        );
        assert_eq!(
            t(
                "en",
                &[("key", v("uptime.caption")), ("count", Value::from(1))]
            )
            .unwrap(),
            v("Last 1 day")
        );
        assert_eq!(
            t(
                "en",
                &[("key", v("common.data_as_of")), ("time", v("<now>"))]
            )
            .unwrap(),
            v("Data as of <now>")
        );
        let err = t("fr-FR", &[("key", v("no.such.key"))])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "missing translation: locale fr-FR has no key `no.such.key`"
        );
    }
}
