//! `statusfleet.yaml`: parsed strictly into raw structs (unknown fields are
//! errors with `file:line:col`), then resolved into a checked [`Config`].

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::ids::ServiceId;
use crate::locale::Locale;

pub mod branding;
mod checks;
mod clouds;
mod console;
mod credentials;
mod discovered;
mod discovery;
mod fetch;
pub mod notify;
mod paths;
mod resolve;
mod sources;

pub use clouds::{CloudsConfig, Endpoints};
pub use console::ConsoleConfig;
pub use credentials::{CredentialConfig, Credentials, GithubActions, ManagedIdentity};
pub use discovery::{
    CustomerDefaults, CustomerSettings, Discovered, Discovery, DiscoveryOverride, DiscoveryRule,
    PartnerCenterDiscovery, RuleMatch,
};
pub use fetch::FetchSettings;
pub use notify::{NotifyConfig, Subscriber};
use paths::default_path_secret_env;
pub use paths::{PathMode, PathScheme};
pub use resolve::{load, parse};
pub use sources::{BaseUrl, SourceConfig};

pub const CONFIG_FILE: &str = "statusfleet.yaml";

/// The checked configuration of a site.
#[derive(Debug, Clone)]
pub struct Config {
    /// The folder holding `statusfleet.yaml`; relative paths resolve here.
    pub root: PathBuf,
    pub file: PathBuf,
    pub site: Site,
    pub customers: Vec<Customer>,
    pub fetch: FetchSettings,
    pub clouds: CloudsConfig,
    pub credentials: Credentials,
    pub discovery: Option<Discovery>,
    /// How customers' folder names are made (`site.path`).
    pub paths: PathScheme,
    /// The partner console (`console:`).
    pub console: ConsoleConfig,
    /// Notifications (`notifications:`); `None`: none are sent.
    pub notifications: Option<NotifyConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Shown in every page title (`Service status`); one text or one per
    /// locale.
    pub title: crate::text::Text,
    pub partner: Partner,
    /// `default` (built in) or a folder under `themes/`.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// How far back history pages, feeds and the JSON API reach.
    #[serde(default = "default_history_days")]
    pub history_days: u32,
    /// How many days the uptime bars show (and their percentage covers):
    /// 90 unless set, as Statuspage shows, and never more than
    /// `history_days` (each day links its incidents' pages). See
    /// [`Site::uptime_days`].
    #[serde(default)]
    pub uptime_days: Option<u32>,
    /// Incidents per history page.
    #[serde(default = "default_per_page")]
    pub history_per_page: usize,
    /// Entries per Atom feed (the newest): a feed is polled, so it holds
    /// what a reader has not seen yet, not the whole history.
    #[serde(default = "default_feed_entries")]
    pub feed_entries: usize,
    /// For how long after the last incident was resolved the overview
    /// keeps what to do ("if the problem persists…") near the top.
    #[serde(default = "default_next_steps_hours")]
    pub next_steps_after_resolved_hours: u32,
    /// Default for customers that name none.
    #[serde(default = "default_time_zone")]
    pub time_zone: TimeZone,
    /// Default for customers that name none.
    #[serde(default = "default_locale")]
    pub default_locale: Locale,
    /// Default for customers that name none.
    #[serde(default = "default_locales")]
    pub locales: Vec<Locale>,
    /// Output folder (relative to the site folder); `--out` overrides it.
    #[serde(default = "default_output_dir")]
    pub output_dir: PathBuf,
    /// Replaced by the partner console (`console:`); `true` is an error
    /// that says so.
    #[serde(default)]
    pub fleet_index: bool,
    /// Where the output folder is published (`https://status.example.net/`
    /// or `https://example.net/status/`). Needed for sitemaps and for
    /// absolute links in feeds, calendars and the JSON API; without it those
    /// links are relative.
    #[serde(default)]
    pub base_url: Option<SiteUrl>,
    /// Customer folder names: `slug` (the default) or `secret`.
    #[serde(default)]
    pub path: PathMode,
    /// With `path: secret`, the environment variable holding the secret
    /// (at least 32 characters; never in the config file).
    #[serde(default = "default_path_secret_env")]
    pub path_secret_env: String,
}

/// The public URL of the output folder: http or https, no query or
/// fragment, kept with a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SiteUrl(String);

impl SiteUrl {
    pub fn parse(s: &str) -> Result<SiteUrl, String> {
        let url = url::Url::parse(s).map_err(|e| format!("invalid URL `{s}`: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(format!(
                "invalid URL `{s}`: expected an absolute http:// or https:// URL"
            ));
        }
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(format!(
                "invalid URL `{s}`: expected no user, query or fragment"
            ));
        }
        let mut u = url.to_string();
        if !u.ends_with('/') {
            u.push('/');
        }
        Ok(SiteUrl(u))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for SiteUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::scope::parse_str(d, "an absolute http(s) URL", SiteUrl::parse)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// An image file in the site folder, copied into every customer's
    /// `static/` (pages get its file name there as `logo`).
    #[serde(default, skip_serializing)]
    pub logo: Option<PathBuf>,
    /// Accent colours, written to `static/brand.css`.
    #[serde(default, skip_serializing_if = "branding::Colors::is_empty")]
    pub colors: branding::Colors,
    #[serde(default)]
    pub links: Vec<PartnerLink>,
}

/// A footer link of the partner's.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerLink {
    /// One text or one per locale.
    pub title: crate::text::Text,
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cloud {
    /// Microsoft's global cloud.
    #[default]
    Global,
    /// Microsoft 365 and Azure operated by 21Vianet in China.
    China,
}

#[derive(Debug, Clone)]
pub struct Customer {
    pub slug: Slug,
    /// The customer's primary domain (`contoso.onmicrosoft.com`): tells
    /// apart customers with the same display name in every list.
    pub domain: Option<String>,
    /// The customer's folder in the output: the slug, or with
    /// `site.path: secret` a name derived from the tenant id.
    pub folder: String,
    /// The display name: one text or one per locale.
    pub name: crate::text::Text,
    /// An image in the site folder shown beside the customer's name.
    pub logo: Option<PathBuf>,
    pub tenant_id: Option<String>,
    pub cloud: Cloud,
    pub default_locale: Locale,
    /// Enabled locales, the default first, each once.
    pub locales: Vec<Locale>,
    pub time_zone: TimeZone,
    /// Services shown, in this order; `None` = every service the sources give.
    pub services: Option<Vec<ServiceId>>,
    pub sources: Vec<SourceConfig>,
    pub support: Support,
    /// Search engines may index the pages and the customer is listed in
    /// sitemaps. Off by default: pages carry `noindex`.
    pub indexable: bool,
    /// Subscribers given under the customer in the config (more can be in
    /// `notifications.subscribers_dir`).
    pub subscribers: Vec<Subscriber>,
}

/// Where the customer gets help; used by "next steps".
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Support {
    /// Where to submit a service request (the partner's service desk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_request_url: Option<String>,
    /// Self-support: knowledge base, FAQ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_support_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// A customer slug: the customer's folder name, stable and URL-safe
/// (`^[a-z0-9][a-z0-9-]{0,62}$`), never derived from a display name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn parse(s: &str) -> Result<Slug, String> {
        let mut chars = s.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if first_ok && rest_ok && s.len() <= 63 {
            Ok(Slug(s.to_owned()))
        } else {
            Err(format!(
                "invalid slug `{s}`: expected 1 to 63 of a-z 0-9 and -, starting with a letter or digit"
            ))
        }
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::scope::parse_str(d, "a customer slug", |s| {
            let slug = Slug::parse(s)?;
            crate::scope::check_new_slug(s)?;
            Ok(slug)
        })
    }
}

/// An IANA time zone (`Europe/Paris`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(pub chrono_tz::Tz);

impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::scope::parse_str(d, "an IANA time zone name", |s| {
            s.parse::<chrono_tz::Tz>().map(TimeZone).map_err(|_| {
                let names = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name());
                match crate::error::nearest(s, names) {
                    Some(near) => format!("unknown time zone `{s}`: did you mean `{near}`?"),
                    None => format!("unknown time zone `{s}`: expected an IANA name such as Europe/Paris or Asia/Seoul"),
                }
            })
        })
    }
}

fn default_theme() -> String {
    "default".to_owned()
}

fn default_next_steps_hours() -> u32 {
    24
}

fn default_history_days() -> u32 {
    90
}

/// The uptime bars' length when `site.uptime_days` is not set.
pub const DEFAULT_UPTIME_DAYS: u32 = 90;

impl Site {
    /// The days the uptime bars show: `uptime_days`, 90 unless set, within
    /// the history window (a day links its incidents, whose pages history
    /// keeps for `history_days`).
    pub fn uptime_days(&self) -> u32 {
        self.uptime_days
            .unwrap_or(DEFAULT_UPTIME_DAYS)
            .min(self.history_days)
    }
}

fn default_per_page() -> usize {
    10
}

fn default_feed_entries() -> usize {
    50
}

fn default_time_zone() -> TimeZone {
    TimeZone(chrono_tz::UTC)
}

fn default_locale() -> Locale {
    "en".parse().expect("valid")
}

fn default_locales() -> Vec<Locale> {
    ["en", "fr-FR", "ko-KR", "zh-CN"]
        .iter()
        .map(|t| t.parse().expect("valid"))
        .collect()
}

fn default_output_dir() -> PathBuf {
    PathBuf::from("public")
}

#[cfg(test)]
mod tests;
