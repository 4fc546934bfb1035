//! A locale is a validated BCP-47 tag, never a bare string. Which locales
//! exist is data: one catalog file each (see `i18n`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Locale {
    /// Canonical tag (`en`, `fr-FR`, `zh-CN`), used in paths and `lang`.
    tag: String,
}

impl Locale {
    /// The tag for `<html lang>`, `hreflang` and output folder names.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The ICU locale, for CLDR formatting data.
    pub fn icu(&self) -> icu_locale_core::Locale {
        self.tag.parse().expect("validated at construction")
    }
}

impl FromStr for Locale {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parsed: icu_locale_core::Locale = s.parse().map_err(|_| {
            format!("`{s}` is not a BCP-47 locale tag (expected e.g. en, fr-FR, zh-CN)")
        })?;
        let tag = parsed.to_string();
        if tag == "und" {
            return Err(format!(
                "`{s}` is not a BCP-47 locale tag (expected e.g. en, fr-FR, zh-CN)"
            ));
        }
        Ok(Locale { tag })
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tag)
    }
}

impl fmt::Debug for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Locale({})", self.tag)
    }
}

impl Serialize for Locale {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.tag)
    }
}

/// Deserializing a locale also checks that a catalog exists for it when a
/// validation scope is installed (see `scope`).
impl<'de> Deserialize<'de> for Locale {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::scope::parse_str(d, "a BCP-47 locale tag", |s| {
            let locale: Locale = s.parse()?;
            crate::scope::check_locale(locale.tag())?;
            Ok(locale)
        })
    }
}

/// The reference locale: every catalog has exactly its keys, and text
/// without a language is taken to be in it.
pub const REFERENCE: &str = "en";

/// The language of upstream text that does not say (serde default).
pub(crate) fn default_text_lang() -> String {
    REFERENCE.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_canonicalized_and_validated() {
        let cases = [
            ("en", Ok("en")),
            ("fr-FR", Ok("fr-FR")),
            ("fr-fr", Ok("fr-FR")),
            ("zh-cn", Ok("zh-CN")),
            ("ko-KR", Ok("ko-KR")),
            ("ar-SA", Ok("ar-SA")),
            ("not a locale", Err(())),
            ("", Err(())),
            ("en_US_x!", Err(())),
        ];
        for (input, want) in cases {
            let got = input
                .parse::<Locale>()
                .map(|l| l.tag().to_owned())
                .map_err(|_| ());
            assert_eq!(got, want.map(str::to_owned), "input {input:?}");
        }
    }
}
