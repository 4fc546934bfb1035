//! `discovery:`: adding every Partner Center customer, with defaults,
//! rules and overrides.

use super::*;
use super::{Cloud, Support, TimeZone};
use crate::locale::Locale;
use serde::{Deserialize, Serialize};

/// `discovery:`: where the list of customers comes from, beside the config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Discovery {
    pub partner_center: PartnerCenterDiscovery,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerCenterDiscovery {
    /// The partner's own tenant.
    pub tenant_id: String,
    pub credentials: String,
    #[serde(default)]
    pub cloud: Cloud,
    /// Settings of every discovered customer; an entry under `customers:`
    /// with the same `tenant_id` wins.
    pub defaults: CustomerDefaults,
    /// Settings for the discovered customers a rule matches, applied in
    /// order over `defaults` (a later rule wins, key by key).
    #[serde(default)]
    pub rules: Vec<DiscoveryRule>,
    /// Settings of one discovered customer by tenant id, applied last.
    #[serde(default)]
    pub overrides: Vec<DiscoveryOverride>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerDefaults {
    #[serde(default)]
    pub cloud: Option<Cloud>,
    #[serde(default)]
    pub default_locale: Option<Locale>,
    #[serde(default)]
    pub locales: Option<Vec<Locale>>,
    #[serde(default)]
    pub time_zone: Option<TimeZone>,
    #[serde(with = "serde_yaml::with::singleton_map_recursive")]
    pub sources: Vec<SourceConfig>,
    #[serde(default)]
    pub support: Support,
}

/// What a rule or an override may set; every key is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerSettings {
    #[serde(default)]
    pub cloud: Option<Cloud>,
    #[serde(default)]
    pub default_locale: Option<Locale>,
    #[serde(default)]
    pub locales: Option<Vec<Locale>>,
    #[serde(default)]
    pub time_zone: Option<TimeZone>,
    /// Replaces the sources so far.
    #[serde(default, deserialize_with = "opt_sources")]
    pub sources: Option<Vec<SourceConfig>>,
    /// Added to the sources so far (a Statuspage a customer depends on).
    #[serde(default, with = "serde_yaml::with::singleton_map_recursive")]
    pub add_sources: Vec<SourceConfig>,
    /// Keys set here replace those so far.
    #[serde(default)]
    pub support: Support,
}

pub(super) fn opt_sources<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<SourceConfig>>, D::Error> {
    serde_yaml::with::singleton_map_recursive::deserialize(d).map(Some)
}

/// Which discovered customers a rule applies to: every condition given
/// must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMatch {
    /// The customer's domain ends with this (`.cn`, `contoso.com`),
    /// compared without regard to case.
    #[serde(default)]
    pub domain_suffix: Option<String>,
    /// ISO 3166 alpha-2 country of the customer's billing address (`CN`).
    #[serde(default)]
    pub country: Option<String>,
    /// The customer's display name starts with this.
    #[serde(default)]
    pub name_prefix: Option<String>,
}

impl RuleMatch {
    pub fn is_empty(&self) -> bool {
        self.domain_suffix.is_none() && self.country.is_none() && self.name_prefix.is_none()
    }
    pub fn matches(&self, d: &Discovered) -> bool {
        let suffix = self.domain_suffix.as_ref().is_none_or(|s| {
            d.domain
                .as_deref()
                .is_some_and(|dom| dom.to_lowercase().ends_with(&s.to_lowercase()))
        });
        let country = self.country.as_ref().is_none_or(|c| {
            d.country
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(c.trim()))
        });
        let name = self
            .name_prefix
            .as_ref()
            .is_none_or(|p| d.name.starts_with(p.as_str()));
        suffix && country && name
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryRule {
    pub when: RuleMatch,
    pub set: CustomerSettings,
}

/// One discovered customer's own settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryOverride {
    pub tenant_id: String,
    /// Its folder name instead of the one made from its domain.
    #[serde(default)]
    pub slug: Option<super::Slug>,
    /// Its display name instead of Partner Center's.
    #[serde(default)]
    pub name: Option<crate::text::Text>,
    #[serde(default)]
    pub set: CustomerSettings,
}

/// A customer as discovery records it in the history store.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Discovered {
    pub tenant_id: String,
    pub name: String,
    pub domain: Option<String>,
    /// ISO 3166 alpha-2 country of the billing address, when the answer
    /// carries one (discovery rules can match on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}
