//! Customers found by discovery, added to the fleet with their settings.

use super::*;
use crate::locale::Locale;
use std::path::PathBuf;

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
        let overrides: std::collections::BTreeMap<String, &DiscoveryOverride> = pc
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
                subscribers: Vec::new(),
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
pub(super) struct Layered {
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

    fn apply(&mut self, s: &CustomerSettings) {
        let CustomerSettings {
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
