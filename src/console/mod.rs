//! The partner console: a private static site beside the customer sites,
//! for the partner's helpdesk. It is made from the per-customer aggregates
//! the build collected while each customer rendered (no second pass over
//! the fleet's data): the fleet worst first, which customers each incident
//! hits (with CSV and JSON exports for a mail merge or a ticketing system),
//! each service's customers by state, every failing source with the
//! operator's error and what to do, and one page per customer with the
//! links a partner uses. It holds what customers must never see, so it is
//! never written inside a customer folder and is hosted behind
//! authentication (README, "The partner console").

mod exports;
mod fleet;
mod pages;
mod views;

use std::path::Path;

use crate::config::{Config, Customer};
use crate::i18n::Catalogs;
use crate::output::OutputFile;
use crate::render::{RenderError, Renderer};
use crate::site::aggregate::Aggregate;

pub use fleet::Fleet;

/// What the console is made from besides the fleet.
pub struct Parts<'a> {
    pub config: &'a Config,
    pub catalogs: &'a Catalogs,
    pub renderer: &'a Renderer,
    /// The theme's static files (its stylesheets are the console's too).
    pub statics: &'a [(String, Vec<u8>)],
    pub stylesheets: &'a [String],
    /// Notifications whose last attempt failed, or that were given up.
    pub deliveries: &'a [crate::history::deliveries::DeliveryProblem],
    /// Why the last customer discovery failed, if it did.
    pub discovery_problem: Option<&'a str>,
    /// `--shard K/N`: the console covers that shard only.
    pub shard: Option<(u32, u32)>,
    /// How a console page at the console's root reaches the customer
    /// sites' root: `site.base_url`, else a relative path.
    pub sites: String,
}

/// Every file of the console for `customers` (each with what its render
/// collected), each given to `sink` as it is made.
pub fn render(
    parts: &Parts<'_>,
    customers: Vec<(&Customer, &Aggregate)>,
    sink: &(dyn Fn(OutputFile) + Sync),
) -> Result<(), RenderError> {
    let fleet = Fleet::new(parts, customers);
    pages::all(parts, &fleet, sink)
}

/// What a path segment or a query value keeps unescaped: RFC 3986's
/// unreserved characters.
pub(crate) const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The relative path from folder `from` to folder `to` (both made
/// absolute), with a trailing `/`: how the console links the customer
/// sites when no `site.base_url` is set.
pub fn relative_href(from: &Path, to: &Path) -> String {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let (from, to) = (abs(from), abs(to));
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = "../".repeat(a.len() - common);
    for c in &b[common..] {
        out.push_str(
            &percent_encoding::utf8_percent_encode(
                &c.as_os_str().to_string_lossy(),
                percent_encoding::NON_ALPHANUMERIC,
            )
            .to_string()
            .replace("%2D", "-")
            .replace("%2E", ".")
            .replace("%5F", "_"),
        );
        out.push('/');
    }
    out
}

/// Why the console cannot go at `console` for customer sites at `out`:
/// inside the output (customers could read it), or holding the output.
pub fn misplaced(console: &Path, out: &Path) -> Option<String> {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let (c, o) = (abs(console), abs(out));
    if c.starts_with(&o) {
        Some(format!(
            "the partner console would be written inside the customer sites' folder ({} is in {}): customers could read it; set console.output_dir to a folder beside it",
            c.display(),
            o.display()
        ))
    } else if o.starts_with(&c) {
        Some(format!(
            "the customer sites' folder {} is inside the partner console's folder {}: set console.output_dir to a folder beside it",
            o.display(),
            c.display()
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_href_walks_up_then_down() {
        assert_eq!(
            relative_href(Path::new("/a/b/public-console"), Path::new("/a/b/public")),
            "../public/"
        );
        assert_eq!(
            relative_href(Path::new("/a/console"), Path::new("/a/x y/public")),
            "../x%20y/public/"
        );
    }

    #[test]
    fn the_console_never_goes_inside_the_sites() {
        assert!(misplaced(Path::new("/s/public/console"), Path::new("/s/public")).is_some());
        assert!(misplaced(Path::new("/s"), Path::new("/s/public")).is_some());
        assert!(misplaced(Path::new("/s/public-console"), Path::new("/s/public")).is_none());
    }
}
