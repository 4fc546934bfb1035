//! Helpers shared by the upstream parsers: enums that accept any casing and
//! keep unknown values, lenient timestamps, ids derived from names.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;

/// An upstream enum: known values matched case-insensitively (Graph's docs
/// say `ServiceOperational`, its responses `serviceOperational`), anything
/// else kept verbatim in `Unknown` so a value added tomorrow parses.
macro_rules! upstream_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $wire:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum $name {
            $($variant,)*
            Unknown(String),
        }

        impl $name {
            pub fn parse(s: &str) -> Self {
                $(if s.eq_ignore_ascii_case($wire) {
                    return $name::$variant;
                })*
                $name::Unknown(s.to_owned())
            }
            #[allow(dead_code, reason = "used by tests and messages")]
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Unknown(s) => s,
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok($name::parse(&s))
            }
        }
    };
}
pub(crate) use upstream_enum;

/// Parses an upstream timestamp: RFC 3339 with any fraction length and any
/// offset; a timestamp without offset is taken as UTC.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// `#[serde(deserialize_with = "time")]` for a required timestamp.
pub fn time<'de, D: serde::Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let s = String::deserialize(d)?;
    parse_time(&s).ok_or_else(|| {
        serde::de::Error::custom(format!("invalid timestamp `{s}`: expected RFC 3339"))
    })
}

/// `#[serde(default, deserialize_with = "opt_time")]` for a nullable one.
pub fn opt_time<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => parse_time(&s).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!("invalid timestamp `{s}`: expected RFC 3339"))
        }),
    }
}

/// A service id from a display name: `App Service` → `app-service`, with a
/// prefix. Names with nothing usable fall back to a hash, so two names never
/// share an id by accident.
pub fn id_from_name(prefix: &str, name: &str) -> crate::model::ServiceId {
    let mut out = String::from(prefix);
    let mut dash = !prefix.is_empty();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash {
            out.push('-');
            dash = true;
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    let plain = name.is_ascii();
    if out.len() > prefix.len() && plain && out.len() <= 100 {
        crate::model::ServiceId(out)
    } else {
        let keep: String = out.chars().take(80).collect();
        let keep = match keep.trim_matches('-') {
            "" => "service",
            k => k,
        };
        crate::model::ServiceId(format!("{keep}-{:08x}", crate::ids::short_hash(name)))
    }
}

/// Only `http(s)` links from upstream reach a page.
pub fn safe_link(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    matches!(u.scheme(), "https" | "http").then(|| u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_of_every_upstream_format() {
        let cases = [
            ("2020-11-20T17:56:31.39Z", "2020-11-20T17:56:31.390Z"),
            ("2026-03-02T08:15:00Z", "2026-03-02T08:15:00.000Z"),
            ("2026-03-10T01:00:00.0000000Z", "2026-03-10T01:00:00.000Z"),
            ("2026-03-03T12:00:48.1203530Z", "2026-03-03T12:00:48.120Z"),
            ("2019-02-20T12:00:19.418-06:00", "2019-02-20T18:00:19.418Z"),
            ("2026-03-02T09:40:12.5+00:00", "2026-03-02T09:40:12.500Z"),
            ("2026-03-02T09:40:12", "2026-03-02T09:40:12.000Z"),
        ];
        for (input, want) in cases {
            let got = parse_time(input).unwrap_or_else(|| panic!("{input}"));
            assert_eq!(
                got.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                want,
                "{input}"
            );
        }
        assert_eq!(parse_time("7/24/2020"), None);
        assert_eq!(parse_time(""), None);
    }

    #[test]
    fn ids_from_names() {
        assert_eq!(id_from_name("azure-", "App Service").0, "azure-app-service");
        assert_eq!(id_from_name("", "Exchange Online").0, "exchange-online");
        let a = id_from_name("", "한빛 메일");
        let b = id_from_name("", "한빛 달력");
        assert_ne!(a, b);
        assert!(a.0.starts_with("service-"), "{a:?}");
    }
}
