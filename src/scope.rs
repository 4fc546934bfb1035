//! Validation that needs context while a file is deserialized.
//!
//! serde gives no spans, but an error returned from inside `Deserialize` gets
//! the exact line and column of the offending scalar. So reference checks
//! (an incident naming a service the snapshot does not define, a locale with
//! no catalog, a duplicate slug) run inside deserialization, against a set of
//! known names installed for the duration of one parse on this thread.

use std::cell::RefCell;
use std::collections::BTreeSet;

#[derive(Default, Clone)]
pub(crate) struct Scope {
    /// Service ids that references may name; `None` = not checked.
    pub services: Option<BTreeSet<String>>,
    /// Locale tags that have a catalog; `None` = not checked.
    pub locales: Option<BTreeSet<String>>,
    /// Whether CLDR has data for a locale tag (for the message about one
    /// without a catalog); `None` = not said.
    pub cldr_covers: Option<fn(&str) -> bool>,
    /// Slugs seen so far in this parse, to reject duplicates.
    pub slugs: Option<BTreeSet<String>>,
}

thread_local! {
    static SCOPE: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

/// Runs `f` (a parse) with `scope` installed on this thread.
pub(crate) fn with<T>(scope: Scope, f: impl FnOnce() -> T) -> T {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            SCOPE.with(|s| *s.borrow_mut() = None);
        }
    }
    SCOPE.with(|s| *s.borrow_mut() = Some(scope));
    let _reset = Reset;
    f()
}

fn list(set: &BTreeSet<String>) -> String {
    set.iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn check_service(id: &str) -> Result<(), String> {
    SCOPE.with(
        |s| match s.borrow().as_ref().and_then(|s| s.services.as_ref()) {
            Some(known) if !known.contains(id) => Err(format!(
                "unknown service `{id}`: expected one of the services defined here ({})",
                list(known)
            )),
            _ => Ok(()),
        },
    )
}

pub(crate) fn check_locale(tag: &str) -> Result<(), String> {
    SCOPE.with(|s| match s.borrow().as_ref().map(|s| (&s.locales, s.cldr_covers)) {
        Some((Some(known), covers)) if !known.contains(tag) => {
            let covered = covers.is_none_or(|f| f(tag));
            // `fr` for `fr-FR`: the tag with the same language, else a typo's.
            let language = tag.split(['-', '_']).next().unwrap_or(tag);
            let near = known
                .iter()
                .find(|k| k.split('-').next() == Some(language) && k.as_str() != tag)
                .map(String::as_str)
                .or_else(|| crate::error::nearest(tag, known.iter().map(String::as_str)));
            if let Some(near) = near {
                return Err(format!(
                    "no catalog for locale `{tag}`: did you mean `{near}`? (expected one of {})",
                    list(known)
                ));
            }
            Err(if covered {
                format!(
                    "no catalog for locale `{tag}`: expected one of {} (add i18n/{tag}.yaml to support it)",
                    list(known)
                )
            } else {
                format!(
                    "CLDR has no data for locale `{tag}`: its dates, numbers and plural rules would be the root locale's (`2026 M11 22`); expected one of {}",
                    list(known)
                )
            })
        }
        _ => Ok(()),
    })
}

pub(crate) fn check_new_slug(slug: &str) -> Result<(), String> {
    SCOPE.with(|s| {
        let mut s = s.borrow_mut();
        let fresh = s
            .as_mut()
            .and_then(|s| s.slugs.as_mut())
            .is_none_or(|seen| seen.insert(slug.to_owned()));
        if fresh {
            Ok(())
        } else {
            Err(format!(
                "duplicate customer slug `{slug}`: slugs must be unique"
            ))
        }
    })
}

/// Deserializes a string and converts it with `f` *inside* the visitor, so
/// that an error carries the position of the scalar itself rather than the
/// position of the mapping around it.
pub(crate) fn parse_str<'de, D, T>(
    d: D,
    expecting: &'static str,
    f: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct V<F>(&'static str, F);
    impl<'de, T, F: FnOnce(&str) -> Result<T, String>> serde::de::Visitor<'de> for V<F> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str(self.0)
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
            (self.1)(v).map_err(E::custom)
        }
    }
    d.deserialize_str(V(expecting, f))
}
