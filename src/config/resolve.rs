//! Reading `statusfleet.yaml`: parsing with positions, then resolving it
//! into a checked [`Config`].

use super::checks::{check_fetch_side, check_links, check_portals};
use super::paths::{confined, logo_type, path_scheme};
use super::*;
use crate::error::{InputError, InputErrors, locate_scalar};
use crate::ids::ServiceId;
use crate::locale::Locale;
use serde::Deserialize;
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
    #[serde(default)]
    pub(super) console: ConsoleConfig,
    #[serde(default)]
    pub(super) notifications: Option<NotifyConfig>,
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
    #[serde(default)]
    pub(super) subscribers: Vec<Subscriber>,
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
    let mut errors = comment_traps(file, text);
    let (raw, more) = parse_every_problem(file, text, &scope);
    errors.extend(more);
    // With the lines in error set aside, the rest is still checked.
    let Some(raw) = raw else {
        return Err(InputErrors(errors));
    };
    // Empty for a config in the current folder, so paths in messages read
    // `demo/x.yaml`, not `./demo/x.yaml`.
    let root = file.parent().unwrap_or(Path::new("")).to_owned();
    match resolve(raw, root, file, text) {
        Ok(config) if errors.is_empty() => Ok(config),
        Ok(_) => Err(InputErrors(errors)),
        Err(more) => {
            errors.extend(more.0);
            Err(InputErrors(errors))
        }
    }
}

/// The typed reading of the config, with every problem it has rather than
/// the first: after each error the line it points at (and the block under
/// it) is set aside, keeping every other line where it is, and the text is
/// read again, up to 50 times. Stops at a syntax error (what follows it
/// cannot be trusted) and at a field missing only because its line was set
/// aside.
fn parse_every_problem(
    file: &Path,
    text: &str,
    scope: &crate::scope::Scope,
) -> (Option<RawConfig>, Vec<InputError>) {
    let mut work: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut errors: Vec<InputError> = Vec::new();
    let mut set_aside: Vec<String> = Vec::new();
    let mut lines_set_aside: BTreeSet<usize> = BTreeSet::new();
    let newline = if text.ends_with('\n') { "\n" } else { "" };
    for round in 0..50 {
        // The text itself first (an error's place is exactly the file's).
        let joined = if round == 0 {
            text.to_owned()
        } else {
            work.join("\n") + newline
        };
        let e = match crate::scope::with(scope.clone(), || {
            serde_yaml::from_str::<RawConfig>(&joined)
        }) {
            Ok(raw) => return (Some(raw), errors),
            Err(e) => e,
        };
        let message = e.to_string();
        if let Some(field) = message
            .split("missing field `")
            .nth(1)
            .and_then(|r| r.split('`').next())
            && set_aside.iter().any(|k| k == field)
        {
            break;
        }
        let mut err = InputError::from_yaml(file, &e, 0);
        if let Some(hint) = crate::error::suggest_field(&err.message) {
            err.message = format!("{}; {hint}", err.message);
        }
        let line = err.position.map(|p| p.0);
        // A line already set aside that still errs (a list item left as
        // `- {}`) is an echo of its first error: the reading stops there.
        if line.is_some_and(|l| lines_set_aside.contains(&l)) {
            break;
        }
        errors.push(err);
        let syntax = [
            "while scanning",
            "while parsing",
            "did not find expected",
            "cannot start any token",
            "mapping values are not allowed",
            "unexpected end of stream",
            "could not find expected",
        ]
        .iter()
        .any(|s| message.contains(s));
        match line {
            Some(l) if !syntax && l >= 1 && l <= work.len() && lines_set_aside.insert(l) => {
                set_aside.extend(set_aside_line(&mut work, l - 1));
            }
            _ => break,
        }
    }
    (None, errors)
}

/// Empties line `at` and, when its key opens a block, the lines indented
/// under it; gives the key it held.
fn set_aside_line(lines: &mut [String], at: usize) -> Option<String> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let line = lines[at].clone();
    let own = indent(&line);
    let body = line.trim_start().trim_start_matches("- ");
    let key = body
        .split_once(':')
        .map(|(k, _)| k.trim().trim_matches(['"', '\'']).to_owned());
    let item = line.trim_start().starts_with("- ");
    let mapping_item = item && key.is_some() && !body.starts_with(['{', '[', '"', '\'']);
    let opens_block = mapping_item
        || body
            .split_once(':')
            .is_some_and(|(_, v)| v.trim().is_empty() || v.trim().starts_with('#'));
    // A list's scalar item goes; a mapping item keeps its dash (as `{}`),
    // so the list keeps its shape, and its other keys go with it.
    lines[at] = if mapping_item {
        format!("{}- {{}}", " ".repeat(own))
    } else {
        String::new()
    };
    if opens_block {
        for l in lines.iter_mut().skip(at + 1) {
            if l.trim().is_empty() || indent(l) > own {
                l.clear();
            } else {
                break;
            }
        }
    }
    key
}

/// `accent: #2f5b9c`: YAML reads everything from `#` as a comment, so the
/// key is empty; said at its line, with the quoted value to write.
fn comment_traps(file: &Path, text: &str) -> Vec<InputError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        let k = key.trim().trim_start_matches("- ");
        let v = rest.trim();
        let hex = v.strip_prefix('#').unwrap_or("");
        let looks_like_colour = matches!(hex.len(), 3 | 4 | 6 | 8)
            && hex.chars().all(|c| c.is_ascii_hexdigit())
            && rest.starts_with(char::is_whitespace);
        if looks_like_colour
            && !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            out.push(InputError::new(
                file,
                Some((
                    n + 1,
                    line.len() - rest.len() + 1 + (rest.len() - rest.trim_start().len()),
                )),
                format!("`{k}` is empty: YAML reads `{v}` as a comment; quote it: `{k}: \"{v}\"`"),
            ));
        }
    }
    out
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
        console,
        notifications,
    } = raw;
    // Every check runs, so `check` lists every problem at once.
    let mut errors: Vec<InputError> = Vec::new();
    let mut one = |r: Result<(), InputError>| errors.extend(r.err());
    one(check_fetch_side(
        file,
        text,
        &fetch,
        &credentials,
        discovery.as_ref(),
        &customers,
    ));
    one(check_history(&site, file, text));
    one(check_console(&site, &console, file, text));
    one(check_portals(&clouds, file, text));
    errors.extend(check_inputs(&site, &customers, &root, file, text));
    for more in [
        check_notifications(&site, notifications.as_ref(), &customers, file, text),
        check_links(&site, &customers, file, text),
    ] {
        errors.extend(more.err().into_iter().flat_map(|e| e.0));
    }
    let paths = match path_scheme(&site, file, text) {
        Ok(p) => p,
        Err(e) => {
            errors.push(e);
            return Err(InputErrors(errors));
        }
    };
    let mut resolved = Vec::with_capacity(customers.len());
    for c in customers {
        match resolve_customer(c, &site, &paths, file, text) {
            Ok(c) => resolved.push(c),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors));
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
        console,
        notifications,
    })
}

fn check_console(
    site: &Site,
    console: &ConsoleConfig,
    file: &Path,
    text: &str,
) -> Result<(), InputError> {
    if site.fleet_index {
        return Err(InputError::new(
            file,
            locate_scalar(text, 1, "fleet_index"),
            "site.fleet_index was replaced by the partner console, a private site beside the customer sites (`console:`, on by default): remove `fleet_index` and host the console behind authentication (README, \"The partner console\")",
        ));
    }
    if console.per_page == 0 {
        return Err(InputError::new(
            file,
            locate_scalar(text, 1, "per_page"),
            "console.per_page must be at least 1",
        ));
    }
    Ok(())
}

/// Every subscriber in the config checked at once; notifications need
/// `site.base_url` (their links are absolute), and mail needs a sender
/// and an unsubscribe address.
fn check_notifications(
    site: &Site,
    notify: Option<&NotifyConfig>,
    customers: &[RawCustomer],
    file: &Path,
    text: &str,
) -> Result<(), InputErrors> {
    let mut errors = Vec::new();
    let any_inline = customers.iter().any(|c| !c.subscribers.is_empty());
    let Some(n) = notify else {
        if any_inline {
            errors.push(InputError::new(
                file,
                locate_scalar(text, 1, "subscribers"),
                "customers have `subscribers:` but there is no `notifications:` section: add one (README, \"Notifications\")",
            ));
        }
        return if errors.is_empty() {
            Ok(())
        } else {
            Err(InputErrors(errors))
        };
    };
    let section = locate_scalar(text, 1, "notifications");
    let from = section.map_or(1, |p| p.0);
    if site.base_url.is_none() {
        errors.push(InputError::new(
            file,
            section,
            "notifications link to the customers' pages, so they need site.base_url (the absolute URL the site is published at, e.g. `base_url: https://status.example.net/`)",
        ));
    }
    for (k, s) in n.partner.iter().enumerate() {
        let line = nth_list_item(text, "partner", k).unwrap_or(from);
        errors.extend(s.check(
            &format!("notifications.partner {}", k + 1),
            true,
            file,
            text,
            line,
        ));
    }
    // Located only for customers with subscribers: a search of the whole
    // text per customer is quadratic in a fleet of thousands.
    for c in customers.iter().filter(|c| !c.subscribers.is_empty()) {
        let start = locate_scalar(text, 1, c.slug.as_str()).map_or(1, |p| p.0);
        for (k, s) in c.subscribers.iter().enumerate() {
            let line = nth_list_item_from(text, start, "subscribers", k).unwrap_or(start);
            errors.extend(s.check(
                &format!("customer `{}`: subscriber {}", c.slug, k + 1),
                false,
                file,
                text,
                line,
            ));
        }
    }
    let mail = n
        .partner
        .iter()
        .chain(customers.iter().flat_map(|c| &c.subscribers))
        .any(|s| s.email.is_some());
    if mail || n.smtp.is_some() {
        match &n.from {
            None => errors.push(InputError::new(
                file,
                section,
                "notifications by mail need a sender: expected `from: \"Status <status@partner.example>\"`",
            )),
            Some(f) if f.parse::<lettre::message::Mailbox>().is_err() => errors.push(InputError::new(
                file,
                locate_scalar(text, from, f),
                format!("notifications.from `{f}` is not a mailbox (expected `Name <name@domain>` or `name@domain`)"),
            )),
            Some(_) => {}
        }
        match n.unsubscribe.as_deref() {
            None => errors.push(InputError::new(
                file,
                section,
                "notifications by mail need `unsubscribe:` (a `mailto:` address or an https URL) for the List-Unsubscribe header",
            )),
            Some(u) if !(u.starts_with("https://") || u.starts_with("mailto:") && u.contains('@')) => {
                errors.push(InputError::new(
                    file,
                    locate_scalar(text, from, u),
                    format!("notifications.unsubscribe `{u}`: expected `mailto:address` or an https:// URL"),
                ))
            }
            Some(_) => {}
        }
    }
    if let Some(smtp) = &n.smtp {
        if smtp.password_env.is_some() && smtp.password_file.is_some() {
            errors.push(InputError::new(
                file,
                locate_scalar(text, from, "password_file"),
                "notifications.smtp: `password_env` or `password_file`, not both",
            ));
        }
        if smtp.tls == notify::SmtpTls::None
            && !matches!(smtp.host.as_str(), "localhost" | "127.0.0.1" | "::1")
        {
            errors.push(InputError::new(
                file,
                locate_scalar(text, from, "tls"),
                format!("notifications.smtp: `tls: none` sends the password and the mail in clear; it is only for a relay on this machine, not `{}` (expected `starttls` or `implicit`)", smtp.host),
            ));
        }
    }
    if !(1..=256).contains(&n.concurrency) {
        errors.push(InputError::new(
            file,
            locate_scalar(text, from, "concurrency"),
            format!(
                "notifications.concurrency {}: expected 1 to 256 (the default is 16)",
                n.concurrency
            ),
        ));
    }
    if n.digest_after == 0 {
        errors.push(InputError::new(
            file,
            locate_scalar(text, from, "digest_after"),
            "notifications.digest_after must be at least 1",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(InputErrors(errors))
    }
}

/// The line of the `n`th `- ` item under the first `key:` at or after
/// `from`.
fn nth_list_item_from(text: &str, from: usize, key: &str, n: usize) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let head = (from.saturating_sub(1)..lines.len())
        .find(|&i| lines[i].trim_start().starts_with(&format!("{key}:")))?;
    let indent = lines[head].len() - lines[head].trim_start().len();
    let mut seen = 0;
    for (i, l) in lines.iter().enumerate().skip(head + 1) {
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let ind = l.len() - t.len();
        if ind < indent || (ind == indent && !t.starts_with("- ")) {
            break;
        }
        if t.starts_with("- ") && (ind == indent || ind == indent + 2) {
            if seen == n {
                return Some(i + 1);
            }
            seen += 1;
        }
    }
    None
}

fn nth_list_item(text: &str, key: &str, n: usize) -> Option<usize> {
    nth_list_item_from(text, 1, key, n)
}

fn check_history(site: &Site, file: &Path, text: &str) -> Result<(), InputError> {
    let zero = [
        ("history_days", site.history_days == 0),
        ("history_per_page", site.history_per_page == 0),
        ("feed_entries", site.feed_entries == 0),
        ("uptime_days", site.uptime_days == Some(0)),
    ]
    .into_iter()
    .find(|(_, zero)| *zero);
    if let Some((key, _)) = zero {
        return Err(InputError::new(
            file,
            locate_scalar(text, 1, key),
            format!("site.{key} must be at least 1"),
        ));
    }
    if let Some(days) = site.uptime_days.filter(|&d| d > site.history_days) {
        return Err(InputError::new(
            file,
            locate_scalar(text, 1, "uptime_days"),
            format!(
                "site.uptime_days ({days}) is longer than site.history_days ({}): each day of the bars links its incidents' pages, which the site keeps for history_days; the nearest valid value is {}",
                site.history_days, site.history_days
            ),
        ));
    }
    Ok(())
}

/// What the build reads stays inside the site folder (logos, file
/// sources); logos are images; colours are colours; the theme names a
/// folder.
/// The files the config names (logos, snapshot files, the theme): each
/// problem at the line that names the file.
fn check_inputs(
    site: &Site,
    customers: &[RawCustomer],
    root: &Path,
    file: &Path,
    text: &str,
) -> Vec<InputError> {
    let mut errors = Vec::new();
    for c in customers {
        for s in &c.sources {
            if let SourceConfig::File { path } = s
                && confined(root, path, "", file, text).is_ok()
                && !root.join(path).is_file()
            {
                let from = locate_scalar(text, 1, c.slug.as_str()).map_or(1, |p| p.0);
                let shown = path.display().to_string();
                errors.push(InputError::new(
                    file,
                    locate_scalar(text, from, &shown),
                    format!(
                        "customer `{}`: the file source `{shown}` does not exist (paths are relative to the config's folder)",
                        c.slug
                    ),
                ));
            }
        }
    }
    errors.extend(check_input_paths(site, customers, root, file, text).err());
    errors
}

fn check_input_paths(
    site: &Site,
    customers: &[RawCustomer],
    root: &Path,
    file: &Path,
    text: &str,
) -> Result<(), InputError> {
    if let Some(logo) = &site.partner.logo {
        confined(root, logo, "site.partner.logo", file, text)?;
        logo_type(logo, "site.partner.logo", file, text)?;
    }
    if let Err((key, message)) = site.partner.colors.check() {
        return Err(InputError::new(file, locate_scalar(text, 1, key), message));
    }
    for c in customers {
        if let Some(logo) = &c.logo {
            let key = format!("customer `{}`: logo", c.slug);
            confined(root, logo, &key, file, text)?;
            logo_type(logo, &key, file, text)?;
        }
        for s in &c.sources {
            if let SourceConfig::File { path } = s {
                confined(
                    root,
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
    Ok(())
}

/// One customer with the site's defaults filled in: its locales (its
/// default first), its time zone, its folder.
fn resolve_customer(
    c: RawCustomer,
    site: &Site,
    paths: &PathScheme,
    file: &Path,
    text: &str,
) -> Result<Customer, InputError> {
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
        subscribers,
    } = c;
    let not_indexable = if site.base_url.is_none() {
        Some(
            "site.base_url is not set: a sitemap needs the absolute URL the site is published at, e.g. `base_url: https://status.example.net/`",
        )
    } else if matches!(paths, PathScheme::Secret(_)) {
        Some(
            "site.path is secret: the sitemap index would publish its secret folder; expected `indexable: false` (the default)",
        )
    } else {
        None
    };
    if let (true, Some(why)) = (indexable, not_indexable) {
        let from = locate_scalar(text, 1, slug.as_str()).map_or(1, |p| p.0);
        return Err(InputError::new(
            file,
            locate_scalar(text, from, "indexable"),
            format!("customer `{slug}` is indexable, but {why}"),
        ));
    }
    if sources.is_empty() {
        return Err(InputError::new(
            file,
            locate_scalar(text, 1, slug.as_str()),
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
    Ok(Customer {
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
        subscribers,
    })
}
