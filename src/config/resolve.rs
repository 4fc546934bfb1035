//! Reading `statusfleet.yaml`: parsing with positions, then resolving it
//! into a checked [`Config`].

use super::checks::{check_fetch_side, check_links};
use super::paths::{confined, logo_type, path_scheme};
use super::*;
use crate::error::{InputError, InputErrors, locate_scalar};
use crate::ids::ServiceId;
use crate::locale::Locale;
pub use clouds::CloudsConfig;
pub use credentials::Credentials;
pub use discovery::Discovery;
pub use fetch::FetchSettings;
use serde::Deserialize;
pub use sources::SourceConfig;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub(super) site: Site,
    #[serde(default)]
    pub(super) fetch: FetchSettings,
    #[serde(default)]
    pub(super) clouds: CloudsConfig,
    #[serde(default)]
    pub(super) credentials: Credentials,
    #[serde(default)]
    pub(super) discovery: Option<Discovery>,
    #[serde(default)]
    pub(super) customers: Vec<RawCustomer>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCustomer {
    pub(super) slug: Slug,
    pub(super) name: crate::text::Text,
    #[serde(default)]
    pub(super) domain: Option<String>,
    #[serde(default)]
    pub(super) logo: Option<PathBuf>,
    #[serde(default)]
    pub(super) tenant_id: Option<String>,
    #[serde(default)]
    pub(super) cloud: Cloud,
    #[serde(default)]
    pub(super) default_locale: Option<Locale>,
    #[serde(default)]
    pub(super) locales: Option<Vec<Locale>>,
    #[serde(default)]
    pub(super) time_zone: Option<TimeZone>,
    #[serde(default)]
    pub(super) services: Option<Vec<ServiceId>>,
    #[serde(with = "serde_yaml::with::singleton_map_recursive")]
    pub(super) sources: Vec<SourceConfig>,
    #[serde(default)]
    pub(super) support: Support,
    #[serde(default)]
    pub(super) indexable: bool,
}

/// Reads and checks `file`. `known_locales` are the locales with a catalog.
pub fn load(file: &Path, known_locales: &BTreeSet<String>) -> Result<Config, InputErrors> {
    let text = std::fs::read_to_string(file).map_err(|e| InputError::io(file, &e))?;
    parse(file, &text, known_locales)
}

pub fn parse(
    file: &Path,
    text: &str,
    known_locales: &BTreeSet<String>,
) -> Result<Config, InputErrors> {
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

pub(super) fn resolve(
    raw: RawConfig,
    root: PathBuf,
    file: &Path,
    text: &str,
) -> Result<Config, InputErrors> {
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
        )
        .into());
    }
    let paths = path_scheme(&site, file, text)?;
    check_links(&site, &customers, file, text)?;
    for (name, cloud) in [("global", Cloud::Global), ("china", Cloud::China)] {
        let e = clouds.endpoints(cloud);
        for (key, url) in [
            ("m365_service_health", &e.m365_service_health),
            ("azure_service_health", &e.azure_service_health),
        ] {
            if !crate::sanitize::safe_url(url).is_some_and(|u| u.starts_with("http")) {
                return Err(InputError::new(
                    file,
                    locate_scalar(text, 1, url.trim()),
                    format!(
                        "clouds.{name}.{key}: `{}` is not a link a page can carry: expected an absolute http or https URL",
                        url.escape_debug()
                    ),
                )
                .into());
            }
        }
    }
    // What the build reads stays inside the site folder.
    if let Some(logo) = &site.partner.logo {
        confined(&root, logo, "site.partner.logo", file, text)?;
        logo_type(logo, "site.partner.logo", file, text)?;
    }
    if let Err((key, message)) = site.partner.colors.check() {
        return Err(InputError::new(file, locate_scalar(text, 1, key), message).into());
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
        ).into());
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
            ).into());
        }
        if indexable && matches!(paths, PathScheme::Secret(_)) {
            let from = locate_scalar(text, 1, slug.as_str()).map_or(1, |p| p.0);
            return Err(InputError::new(
                file,
                locate_scalar(text, from, "indexable"),
                format!(
                    "customer `{slug}` is indexable, but site.path is secret: the sitemap index would publish its secret folder; expected `indexable: false` (the default)"
                ),
            ).into());
        }
        if sources.is_empty() {
            let at = locate_scalar(text, 1, slug.as_str());
            return Err(InputError::new(
                file,
                at,
                format!(
                    "customer `{slug}` has no sources: expected at least one, e.g. `- file: {{ path: data/{slug}.yaml }}`"
                ),
            ).into());
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
