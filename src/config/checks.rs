//! Checks of the config that need more than one key: links, and what
//! fetching needs.

use super::resolve::RawCustomer;
use super::*;
use crate::error::{InputError, InputErrors, locate_scalar};
use std::path::Path;

/// The error for `url` at `key` unless it is a link a page can carry: an
/// absolute http(s) URL (`javascript:` and friends are refused, not
/// escaped).
fn not_a_page_link(key: &str, url: &str, file: &Path, text: &str) -> Option<InputError> {
    let ok = crate::sanitize::safe_url(url).is_some_and(|u| u.starts_with("http"));
    (!ok).then(|| {
        InputError::new(
            file,
            locate_scalar(text, 1, url.trim()),
            format!(
                "{key}: `{}` is not a link a page can carry: expected an absolute http or https URL",
                url.escape_debug()
            ),
        )
    })
}

/// The admin portals the next steps link to, of either cloud, are
/// absolute http(s) URLs.
pub(super) fn check_portals(
    clouds: &CloudsConfig,
    file: &Path,
    text: &str,
) -> Result<(), InputError> {
    for (name, cloud) in [("global", Cloud::Global), ("china", Cloud::China)] {
        let e = clouds.endpoints(cloud);
        for (key, url) in [
            ("m365_service_health", &e.m365_service_health),
            ("azure_service_health", &e.azure_service_health),
            ("partner_center_customer", &e.partner_center_customer),
            ("m365_admin_for_tenant", &e.m365_admin_for_tenant),
            ("azure_portal_for_tenant", &e.azure_portal_for_tenant),
        ] {
            if let Some(e) = not_a_page_link(&format!("clouds.{name}.{key}"), url, file, text) {
                return Err(e);
            }
        }
    }
    Ok(())
}

/// Every URL a page will link to is absolute http(s) (`javascript:` and
/// friends are refused, not escaped), every email an address.
pub(super) fn check_links(
    site: &Site,
    customers: &[RawCustomer],
    file: &Path,
    text: &str,
) -> Result<(), InputErrors> {
    let mut errors = Vec::new();
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
    errors.extend(
        urls.iter()
            .filter_map(|(key, url)| not_a_page_link(key, url, file, text)),
    );
    for c in customers {
        if let Some(email) = &c.support.email {
            let ok = crate::sanitize::safe_url(&format!("mailto:{email}")).is_some()
                && email.split('@').count() == 2
                && !email
                    .chars()
                    .any(|ch| ch.is_whitespace() || "<>\"'?&/\\:;,()[]".contains(ch));
            if !ok {
                errors.push(InputError::new(
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
    if errors.is_empty() {
        Ok(())
    } else {
        Err(InputErrors(errors))
    }
}

/// Checks what only matters for live sources: limits, credential sets, and
/// that every reference to one resolves.
pub(super) fn check_fetch_side(
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
