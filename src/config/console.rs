//! `console:` in the config: the partner console, a private site written
//! beside the customer sites by the same build.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Site, TimeZone};
use crate::locale::Locale;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleConfig {
    /// Write the console (the default).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Its folder, relative to the site folder; default: beside the
    /// output folder, named after it (`public` → `public-console`).
    #[serde(default)]
    pub output_dir: Option<PathBuf>,
    /// Its languages, the first the default; default: the site's default
    /// locale.
    #[serde(default)]
    pub locales: Option<Vec<Locale>>,
    /// The zone its times are shown in; default: the site's.
    #[serde(default)]
    pub time_zone: Option<TimeZone>,
    /// How long a resolved incident stays on the console's incident list.
    #[serde(default = "default_recent_days")]
    pub recent_days: u32,
    /// Customers per page of the fleet table.
    #[serde(default = "default_per_page")]
    pub per_page: usize,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            enabled: true,
            output_dir: None,
            locales: None,
            time_zone: None,
            recent_days: default_recent_days(),
            per_page: default_per_page(),
        }
    }
}

fn yes() -> bool {
    true
}

fn default_recent_days() -> u32 {
    7
}

fn default_per_page() -> usize {
    100
}

impl ConsoleConfig {
    /// The console's locales, its default first.
    pub fn locales(&self, site: &Site) -> Vec<Locale> {
        match &self.locales {
            Some(l) if !l.is_empty() => l.clone(),
            _ => vec![site.default_locale.clone()],
        }
    }

    pub fn time_zone(&self, site: &Site) -> chrono_tz::Tz {
        self.time_zone.as_ref().map_or(site.time_zone.0, |t| t.0)
    }

    /// Where the console goes for a build writing the customer sites to
    /// `out`: the configured folder, else `out`'s sibling `<name>-console`.
    pub fn folder(&self, root: &Path, out: &Path) -> PathBuf {
        match &self.output_dir {
            Some(dir) => root.join(dir),
            None => {
                let name = out
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "public".into());
                out.with_file_name(format!("{name}-console"))
            }
        }
    }
}
