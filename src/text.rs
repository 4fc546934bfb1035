//! Text a partner writes in the config or a snapshot file, in one language
//! or in several: `title: Service status`, or
//! `title: { en: Service status, fr-FR: État des services }`. A page takes
//! its own locale's text, else the customer's default locale's, else
//! English's, else the first given, and marks the language when it is not
//! the page's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One text, or one per locale tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Text {
    One(String),
    PerLocale(BTreeMap<String, String>),
}

/// The text a page shows, and its language when that is not the page's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Picked<'a> {
    pub text: &'a str,
    pub lang: Option<&'a str>,
}

impl Text {
    /// The text in `locale`, else in `fallback`, else in English, else the
    /// first one given.
    pub fn pick<'a>(&'a self, locale: &str, fallback: &str) -> Picked<'a> {
        match self {
            Text::One(s) => Picked {
                text: s,
                lang: None,
            },
            Text::PerLocale(map) => {
                if let Some(s) = map.get(locale) {
                    return Picked {
                        text: s,
                        lang: None,
                    };
                }
                let (tag, text) = [fallback, crate::locale::REFERENCE]
                    .into_iter()
                    .find_map(|t| map.get_key_value(t))
                    .or_else(|| map.iter().next())
                    .map_or(("", ""), |(k, v)| (k.as_str(), v.as_str()));
                Picked {
                    text,
                    lang: Some(tag),
                }
            }
        }
    }

    /// The text for logs, sorting and messages: English's, else the
    /// first.
    pub fn any(&self) -> &str {
        self.pick(crate::locale::REFERENCE, crate::locale::REFERENCE)
            .text
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::One(s.to_owned())
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::One(s)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.any())
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Text::One(t) => t.serialize(s),
            Text::PerLocale(m) => m.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A visitor rather than an untagged enum: a syntax error or an
        // unknown locale tag keeps its own message and position.
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a text, or a text per locale (`{ en: …, fr-FR: … }`, each tag with a catalog)",
                )
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Text, E> {
                Ok(Text::One(s.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, s: String) -> Result<Text, E> {
                Ok(Text::One(s))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                let mut texts = BTreeMap::new();
                while let Some(tag) = map.next_key::<crate::locale::Locale>()? {
                    let text: String = map.next_value()?;
                    if texts.insert(tag.tag().to_owned(), text).is_some() {
                        return Err(serde::de::Error::custom(format!(
                            "locale `{}` is given twice",
                            tag.tag()
                        )));
                    }
                }
                if texts.is_empty() {
                    return Err(serde::de::Error::custom(
                        "expected a text, or at least one locale's text",
                    ));
                }
                Ok(Text::PerLocale(texts))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// "1 customer", "3 customers": a count in an operator's message (the
/// command line speaks English; pages use the catalogs' plural rules).
pub fn counted(n: usize, one: &str, other: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { other })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_page_locale_then_the_default_then_english() {
        let t = Text::PerLocale(
            [("en", "Mail"), ("fr-FR", "Messagerie"), ("ko-KR", "메일")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into(),
        );
        assert_eq!(
            t.pick("fr-FR", "en"),
            Picked {
                text: "Messagerie",
                lang: None
            }
        );
        assert_eq!(
            t.pick("zh-CN", "ko-KR"),
            Picked {
                text: "메일",
                lang: Some("ko-KR")
            }
        );
        assert_eq!(
            t.pick("zh-CN", "ja-JP"),
            Picked {
                text: "Mail",
                lang: Some("en")
            }
        );
        assert_eq!(Text::from("Mail").pick("zh-CN", "en").lang, None);
        let yaml: Text = serde_yaml::from_str("{ en: A, fr: B }").unwrap();
        assert_eq!(yaml.pick("fr", "en").text, "B");
        assert!(serde_yaml::from_str::<Text>("[1, 2]").is_err());
    }
}
