//! `statusfleet.yaml`: parsed strictly into raw structs (unknown fields are
//! errors with `file:line:col`), then resolved into a checked [`Config`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{InputError, locate_scalar};
use crate::ids::ServiceId;
use crate::locale::Locale;

pub mod branding;
mod sources;
pub use sources::{
    BaseUrl, CloudsConfig, CredentialConfig, Credentials, CustomerDefaults, CustomerSettings,
    Discovered, Discovery, DiscoveryOverride, DiscoveryRule, Endpoints, FetchSettings,
    GithubActions, ManagedIdentity, PartnerCenterDiscovery, RuleMatch, SourceConfig,
};

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
}

/// How a customer's folder name is made.
#[derive(Clone)]
pub enum PathScheme {
    /// The slug: `contoso/`.
    Slug,
    /// An HMAC-SHA256 of the tenant id (the slug when there is none) keyed
    /// with the site secret: customers sharing a host cannot guess each
    /// other's folders.
    Secret(ring::hmac::Key),
}

impl std::fmt::Debug for PathScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.write_str(match self {
            PathScheme::Slug => "Slug",
            PathScheme::Secret(_) => "Secret",
        })
    }
}

impl PathScheme {
    /// The folder name for a customer: 26 characters of lowercase base32
    /// (128 bits) under `secret`, the slug otherwise.
    pub fn folder(&self, slug: &Slug, tenant_id: Option<&str>) -> String {
        match self {
            PathScheme::Slug => slug.0.clone(),
            PathScheme::Secret(key) => {
                let message = match tenant_id {
                    Some(t) => format!("tenant:{}", t.trim().to_lowercase()),
                    None => format!("slug:{}", slug.0),
                };
                let tag = ring::hmac::sign(key, message.as_bytes());
                crate::ids::base32_lower(&tag.as_ref()[..16])
            }
        }
    }
}

/// `site.path`: the customer folder names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PathMode {
    /// `<slug>/`.
    #[default]
    Slug,
    /// `<hmac>/`, keyed with the secret in `site.path_secret_env`.
    Secret,
}

fn default_path_secret_env() -> String {
    "STATUSFLEET_PATH_SECRET".to_owned()
}

impl Config {
    /// Adds customers found by discovery. A customer under `customers:`
    /// with the same tenant id wins; slugs come from the customer's
    /// `onmicrosoft.com` domain (or its override) and never collide. Each
    /// gets `defaults`, then every matching rule in order, then its
    /// override.
    pub fn add_discovered(&mut self, found: &[Discovered]) {
        let Some(d) = &self.discovery else { return };
        let pc = &d.partner_center;
        let mut tenants: BTreeSet<String> = self
            .customers
            .iter()
            .filter_map(|c| c.tenant_id.as_ref().map(|t| t.to_lowercase()))
            .collect();
        let mut slugs: BTreeSet<String> = self.customers.iter().map(|c| c.slug.0.clone()).collect();
        let mut sorted = found.to_vec();
        sorted.sort_by(|a, b| a.tenant_id.cmp(&b.tenant_id));
        // Overridden slugs are reserved first, so a domain-made slug
        // never takes one.
        let overrides: std::collections::BTreeMap<String, &sources::DiscoveryOverride> = pc
            .overrides
            .iter()
            .map(|o| (o.tenant_id.to_lowercase(), o))
            .collect();
        for o in overrides.values() {
            if let Some(s) = &o.slug {
                slugs.insert(s.0.clone());
            }
        }
        let mut added = Vec::new();
        for f in sorted {
            if !tenants.insert(f.tenant_id.to_lowercase()) {
                continue;
            }
            let own = overrides.get(&f.tenant_id.to_lowercase()).copied();
            let slug = match own.and_then(|o| o.slug.clone()) {
                Some(s) => s,
                None => {
                    let base = crate::ids::customer_slug(f.domain.as_deref(), &f.tenant_id);
                    let tail: String = f
                        .tenant_id
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric())
                        .take(8)
                        .collect::<String>()
                        .to_ascii_lowercase();
                    let Some(slug) = [base.clone(), format!("{base}-{tail}")]
                        .into_iter()
                        .filter_map(|s| Slug::parse(&s).ok())
                        .find(|s| !slugs.contains(s.as_str()))
                    else {
                        continue;
                    };
                    slugs.insert(slug.0.clone());
                    slug
                }
            };
            let layers = pc
                .rules
                .iter()
                .filter(|r| r.when.matches(&f))
                .map(|r| &r.set)
                .chain(own.map(|o| &o.set));
            let mut s = Layered::from_defaults(&pc.defaults, pc.cloud, &self.site);
            for layer in layers {
                s.apply(layer);
            }
            let mut locales = vec![s.default_locale.clone()];
            for l in s.locales {
                if !locales.contains(&l) {
                    locales.push(l);
                }
            }
            let folder = self.paths.folder(&slug, Some(&f.tenant_id));
            added.push(Customer {
                folder,
                slug,
                name: own
                    .and_then(|o| o.name.clone())
                    .unwrap_or_else(|| f.name.as_str().into()),
                domain: f.domain.clone(),
                logo: None,
                tenant_id: Some(f.tenant_id.clone()),
                cloud: s.cloud,
                default_locale: s.default_locale,
                locales,
                time_zone: s.time_zone,
                services: None,
                sources: s.sources,
                support: s.support,
                indexable: false,
            });
        }
        self.customers.extend(added);
    }

    /// The history store folder.
    pub fn data_dir(&self) -> PathBuf {
        self.root.join(&self.fetch.data_dir)
    }
}

/// A discovered customer's settings while `defaults`, rules and its
/// override are laid over each other.
struct Layered {
    cloud: Cloud,
    default_locale: Locale,
    locales: Vec<Locale>,
    time_zone: TimeZone,
    sources: Vec<SourceConfig>,
    support: Support,
}

impl Layered {
    fn from_defaults(d: &CustomerDefaults, cloud: Cloud, site: &Site) -> Layered {
        Layered {
            cloud: d.cloud.unwrap_or(cloud),
            default_locale: d
                .default_locale
                .clone()
                .unwrap_or_else(|| site.default_locale.clone()),
            locales: d.locales.clone().unwrap_or_else(|| site.locales.clone()),
            time_zone: d.time_zone.unwrap_or(site.time_zone),
            sources: d.sources.clone(),
            support: d.support.clone(),
        }
    }

    fn apply(&mut self, s: &sources::CustomerSettings) {
        let sources::CustomerSettings {
            cloud,
            default_locale,
            locales,
            time_zone,
            sources,
            add_sources,
            support,
        } = s;
        if let Some(c) = cloud {
            self.cloud = *c;
        }
        if let Some(l) = default_locale {
            self.default_locale = l.clone();
        }
        if let Some(l) = locales {
            self.locales = l.clone();
        }
        if let Some(t) = time_zone {
            self.time_zone = *t;
        }
        if let Some(list) = sources {
            self.sources = list.clone();
        }
        for add in add_sources {
            // A source named twice would be fetched twice into one key.
            self.sources.retain(|have| have.key() != add.key());
            self.sources.push(add.clone());
        }
        let Support {
            service_request_url,
            self_support_url,
            email,
            phone,
        } = support;
        let to = &mut self.support;
        for (slot, value) in [
            (&mut to.service_request_url, service_request_url),
            (&mut to.self_support_url, self_support_url),
            (&mut to.email, email),
            (&mut to.phone, phone),
        ] {
            if value.is_some() {
                slot.clone_from(value);
            }
        }
    }
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
    /// How far back history pages and uptime bars reach.
    #[serde(default = "default_history_days")]
    pub history_days: u32,
    /// Incidents per history page.
    #[serde(default = "default_per_page")]
    pub history_per_page: usize,
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
    /// Write `index.html` at the output root listing every customer. Off by
    /// default: customers sharing a host should not see each other.
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    site: Site,
    #[serde(default)]
    fetch: FetchSettings,
    #[serde(default)]
    clouds: CloudsConfig,
    #[serde(default)]
    credentials: Credentials,
    #[serde(default)]
    discovery: Option<Discovery>,
    #[serde(default)]
    customers: Vec<RawCustomer>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustomer {
    slug: Slug,
    name: crate::text::Text,
    #[serde(default)]
    domain: Option<String>,
    #[serde(default)]
    logo: Option<PathBuf>,
    #[serde(default)]
    tenant_id: Option<String>,
    #[serde(default)]
    cloud: Cloud,
    #[serde(default)]
    default_locale: Option<Locale>,
    #[serde(default)]
    locales: Option<Vec<Locale>>,
    #[serde(default)]
    time_zone: Option<TimeZone>,
    #[serde(default)]
    services: Option<Vec<ServiceId>>,
    #[serde(with = "serde_yaml::with::singleton_map_recursive")]
    sources: Vec<SourceConfig>,
    #[serde(default)]
    support: Support,
    #[serde(default)]
    indexable: bool,
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
                format!("unknown time zone `{s}`: expected an IANA name such as Europe/Paris or Asia/Seoul")
            })
        })
    }
}

fn default_theme() -> String {
    "default".to_owned()
}
fn default_history_days() -> u32 {
    90
}
fn default_per_page() -> usize {
    10
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

/// Reads and checks `file`. `known_locales` are the locales with a catalog.
pub fn load(file: &Path, known_locales: &BTreeSet<String>) -> Result<Config, InputError> {
    let text = std::fs::read_to_string(file).map_err(|e| InputError::io(file, &e))?;
    parse(file, &text, known_locales)
}

pub fn parse(
    file: &Path,
    text: &str,
    known_locales: &BTreeSet<String>,
) -> Result<Config, InputError> {
    let scope = crate::scope::Scope {
        locales: Some(known_locales.clone()),
        cldr_covers: Some(crate::format::covers_tag),
        slugs: Some(BTreeSet::new()),
        ..Default::default()
    };
    let raw: RawConfig = crate::scope::with(scope, || serde_yaml::from_str(text))
        .map_err(|e| InputError::from_yaml(file, &e, 0))?;
    // Empty for a config in the current folder, so paths in messages read
    // `demo/x.yaml`, not `./demo/x.yaml`.
    let root = file.parent().unwrap_or(Path::new("")).to_owned();
    resolve(raw, root, file, text)
}

fn resolve(raw: RawConfig, root: PathBuf, file: &Path, text: &str) -> Result<Config, InputError> {
    let RawConfig {
        site,
        fetch,
        clouds,
        credentials,
        discovery,
        customers,
    } = raw;
    check_fetch_side(
        file,
        text,
        &fetch,
        &credentials,
        discovery.as_ref(),
        &customers,
    )?;
    if site.history_days == 0 || site.history_per_page == 0 {
        let key = if site.history_days == 0 {
            "history_days"
        } else {
            "history_per_page"
        };
        return Err(InputError::new(
            file,
            locate_scalar(text, 1, key),
            format!("site.{key} must be at least 1"),
        ));
    }
    let paths = path_scheme(&site, file, text)?;
    check_links(&site, &customers, file, text)?;
    // What the build reads stays inside the site folder.
    if let Some(logo) = &site.partner.logo {
        confined(&root, logo, "site.partner.logo", file, text)?;
        logo_type(logo, "site.partner.logo", file, text)?;
    }
    if let Err((key, message)) = site.partner.colors.check() {
        return Err(InputError::new(file, locate_scalar(text, 1, key), message));
    }
    for c in &customers {
        if let Some(logo) = &c.logo {
            let key = format!("customer `{}`: logo", c.slug);
            confined(&root, logo, &key, file, text)?;
            logo_type(logo, &key, file, text)?;
        }
        for s in &c.sources {
            if let SourceConfig::File { path } = s {
                confined(
                    &root,
                    path,
                    &format!("customer `{}`: file source", c.slug),
                    file,
                    text,
                )?;
            }
        }
    }
    if site.theme.is_empty()
        || !site
            .theme
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
    {
        return Err(InputError::new(
            file,
            locate_scalar(text, 1, &site.theme),
            format!(
                "site.theme `{}`: expected the name of a folder under themes/ (letters, digits, - and _)",
                site.theme.escape_debug()
            ),
        ));
    }
    let mut resolved = Vec::with_capacity(customers.len());
    for c in customers {
        let RawCustomer {
            slug,
            name,
            domain,
            logo,
            tenant_id,
            cloud,
            default_locale,
            locales,
            time_zone,
            services,
            sources,
            support,
            indexable,
        } = c;
        if indexable && site.base_url.is_none() {
            let from = locate_scalar(text, 1, slug.as_str()).map_or(1, |p| p.0);
            return Err(InputError::new(
                file,
                locate_scalar(text, from, "indexable"),
                format!(
                    "customer `{slug}` is indexable, but site.base_url is not set: a sitemap needs the absolute URL the site is published at, e.g. `base_url: https://status.example.net/`"
                ),
            ));
        }
        if indexable && matches!(paths, PathScheme::Secret(_)) {
            let from = locate_scalar(text, 1, slug.as_str()).map_or(1, |p| p.0);
            return Err(InputError::new(
                file,
                locate_scalar(text, from, "indexable"),
                format!(
                    "customer `{slug}` is indexable, but site.path is secret: the sitemap index would publish its secret folder; expected `indexable: false` (the default)"
                ),
            ));
        }
        if sources.is_empty() {
            let at = locate_scalar(text, 1, slug.as_str());
            return Err(InputError::new(
                file,
                at,
                format!(
                    "customer `{slug}` has no sources: expected at least one, e.g. `- file: {{ path: data/{slug}.yaml }}`"
                ),
            ));
        }
        let default_locale = default_locale.unwrap_or_else(|| site.default_locale.clone());
        let mut enabled = vec![default_locale.clone()];
        for l in locales.unwrap_or_else(|| site.locales.clone()) {
            if !enabled.contains(&l) {
                enabled.push(l);
            }
        }
        resolved.push(Customer {
            folder: paths.folder(&slug, tenant_id.as_deref()),
            slug,
            name,
            domain,
            logo,
            tenant_id,
            cloud,
            default_locale,
            locales: enabled,
            time_zone: time_zone.unwrap_or(site.time_zone),
            services,
            sources,
            support,
            indexable,
        });
    }
    Ok(Config {
        root,
        file: file.to_owned(),
        site,
        customers: resolved,
        fetch,
        clouds,
        credentials,
        discovery,
        paths,
    })
}

/// A path the build reads: relative, and inside the site folder once
/// symbolic links are resolved.
fn confined(
    root: &Path,
    path: &Path,
    key: &str,
    file: &Path,
    text: &str,
) -> Result<(), InputError> {
    use std::path::Component;
    let lexical = path
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    let resolved = (
        root.join(path).canonicalize(),
        root_dir(root).canonicalize(),
    );
    let escapes = match resolved {
        (Ok(p), Ok(r)) => !p.starts_with(r),
        // Missing files are reported where they are read.
        _ => false,
    };
    if !lexical || escapes {
        return Err(InputError::new(
            file,
            locate_scalar(text, 1, &path.to_string_lossy()),
            format!(
                "{key}: `{}` is outside the site folder: expected a relative path inside it{}",
                path.display(),
                if lexical {
                    " (a symbolic link leads out)"
                } else {
                    ""
                }
            ),
        ));
    }
    Ok(())
}

/// A logo is an image, by its extension.
fn logo_type(path: &Path, key: &str, file: &Path, text: &str) -> Result<(), InputError> {
    branding::logo_extension(path).map(|_| ()).map_err(|e| {
        InputError::new(
            file,
            locate_scalar(text, 1, &path.to_string_lossy()),
            format!("{key}: {e}"),
        )
    })
}

fn root_dir(root: &Path) -> &Path {
    if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    }
}

/// Every URL a page will link to is absolute http(s) (`javascript:` and
/// friends are refused, not escaped), every email an address.
fn check_links(
    site: &Site,
    customers: &[RawCustomer],
    file: &Path,
    text: &str,
) -> Result<(), InputError> {
    let mut urls: Vec<(String, &str)> = Vec::new();
    if let Some(u) = &site.partner.url {
        urls.push(("site.partner.url".to_owned(), u));
    }
    for (i, l) in site.partner.links.iter().enumerate() {
        urls.push((format!("site.partner.links[{i}].url"), &l.url));
    }
    for c in customers {
        if let Some(u) = &c.support.service_request_url {
            urls.push((
                format!("customer `{}`: support.service_request_url", c.slug),
                u,
            ));
        }
        if let Some(u) = &c.support.self_support_url {
            urls.push((
                format!("customer `{}`: support.self_support_url", c.slug),
                u,
            ));
        }
    }
    for (key, url) in urls {
        let ok = crate::sanitize::safe_url(url).is_some_and(|u| u.starts_with("http"));
        if !ok {
            return Err(InputError::new(
                file,
                locate_scalar(text, 1, url.trim()),
                format!(
                    "{key}: `{}` is not a link a page can carry: expected an absolute http or https URL",
                    url.escape_debug()
                ),
            ));
        }
    }
    for c in customers {
        if let Some(email) = &c.support.email {
            let ok = crate::sanitize::safe_url(&format!("mailto:{email}")).is_some()
                && email.split('@').count() == 2
                && !email
                    .chars()
                    .any(|ch| ch.is_whitespace() || "<>\"'?&/\\:;,()[]".contains(ch));
            if !ok {
                return Err(InputError::new(
                    file,
                    locate_scalar(text, 1, email.trim()),
                    format!(
                        "customer `{}`: support.email `{}` is not an email address: expected name@domain",
                        c.slug,
                        email.escape_debug()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// `site.path` and its secret, checked: the secret comes from the
/// environment, and nothing may list the secret folders.
fn path_scheme(site: &Site, file: &Path, text: &str) -> Result<PathScheme, InputError> {
    if site.path == PathMode::Slug {
        return Ok(PathScheme::Slug);
    }
    let at = || locate_scalar(text, 1, "path");
    if site.fleet_index {
        return Err(InputError::new(
            file,
            locate_scalar(text, 1, "fleet_index"),
            "site.fleet_index lists every customer's folder, which site.path: secret keeps unguessable: expected `fleet_index: false`",
        ));
    }
    let var = &site.path_secret_env;
    let secret = std::env::var(var).unwrap_or_default();
    if secret.trim().chars().count() < 32 {
        return Err(InputError::new(
            file,
            at(),
            format!(
                "site.path is secret, but the environment variable {var} {}: expected a random secret of at least 32 characters (e.g. `openssl rand -base64 32`)",
                if secret.is_empty() {
                    "is not set"
                } else {
                    "is shorter than 32 characters"
                }
            ),
        ));
    }
    Ok(PathScheme::Secret(ring::hmac::Key::new(
        ring::hmac::HMAC_SHA256,
        secret.trim().as_bytes(),
    )))
}

/// Checks what only matters for live sources: limits, credential sets, and
/// that every reference to one resolves.
fn check_fetch_side(
    file: &Path,
    text: &str,
    fetch: &FetchSettings,
    credentials: &Credentials,
    discovery: Option<&Discovery>,
    customers: &[RawCustomer],
) -> Result<(), InputError> {
    let err = |from: usize, needle: &str, msg: String| {
        Err(InputError::new(
            file,
            locate_scalar(text, from, needle),
            msg,
        ))
    };
    if let Some((key, msg)) = fetch.problems().into_iter().next() {
        return err(1, key, msg);
    }
    for (name, c) in credentials {
        if let Some(problem) = c.problems(name).into_iter().next() {
            return err(1, name, problem);
        }
    }
    let known = || credentials.keys().cloned().collect::<Vec<_>>().join(", ");
    let check_ref = |from: usize, name: &str, whose: &str| {
        if credentials.contains_key(name) {
            Ok(())
        } else {
            err(
                from,
                name,
                format!(
                    "{whose}: unknown credentials `{name}`: expected one of the names under `credentials:` ({})",
                    known()
                ),
            )
        }
    };
    if let Some(d) = discovery {
        let pc = &d.partner_center;
        let from = locate_scalar(text, 1, "discovery").map_or(1, |p| p.0);
        check_ref(from, &pc.credentials, "discovery.partner_center")?;
        let layers = std::iter::once(("defaults".to_owned(), pc.defaults.sources.iter().collect()))
            .chain(pc.rules.iter().enumerate().map(|(i, r)| {
                let list: Vec<&SourceConfig> = r
                    .set
                    .sources
                    .iter()
                    .flatten()
                    .chain(&r.set.add_sources)
                    .collect();
                (format!("rules[{i}].set"), list)
            }))
            .chain(pc.overrides.iter().enumerate().map(|(i, o)| {
                let list: Vec<&SourceConfig> = o
                    .set
                    .sources
                    .iter()
                    .flatten()
                    .chain(&o.set.add_sources)
                    .collect();
                (format!("overrides[{i}].set"), list)
            }));
        for (key, list) in layers {
            for s in list {
                if let Some(name) = s.credentials() {
                    check_ref(from, name, &format!("discovery.partner_center.{key}"))?;
                }
            }
        }
        for (i, r) in pc.rules.iter().enumerate() {
            if r.when.is_empty() {
                return err(
                    from,
                    "when",
                    format!(
                        "discovery.partner_center.rules[{i}].when: expected at least one of domain_suffix, country, name_prefix (use `defaults:` for every customer)"
                    ),
                );
            }
        }
        let mut seen = BTreeSet::new();
        for o in &pc.overrides {
            if !seen.insert(o.tenant_id.to_lowercase()) {
                return err(
                    from,
                    &o.tenant_id,
                    format!(
                        "discovery.partner_center.overrides: tenant `{}` is listed twice",
                        o.tenant_id
                    ),
                );
            }
        }
    }
    for c in customers {
        // Located only when reporting: a search per customer would make
        // loading a fleet of thousands quadratic.
        let from = || locate_scalar(text, 1, c.slug.as_str()).map_or(1, |p| p.0);
        let whose = format!("customer `{}`", c.slug);
        for s in &c.sources {
            if let Some(name) = s.credentials() {
                if !credentials.contains_key(name) {
                    check_ref(from(), name, &whose)?;
                }
                if c.tenant_id.is_none() {
                    return err(
                        from(),
                        c.slug.as_str(),
                        format!(
                            "{whose}: a {} source needs the customer's tenant_id",
                            s.key()
                        ),
                    );
                }
            }
        }
        let mut keys = BTreeSet::new();
        for s in &c.sources {
            if !keys.insert(s.key()) {
                return err(
                    from(),
                    c.slug.as_str(),
                    format!("{whose}: source `{}` is listed twice", s.key()),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
