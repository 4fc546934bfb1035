//! `notifications:` in the config, and the subscribers of each customer
//! (inline under the customer, or one file per customer in
//! `notifications.subscribers_dir`, so other tools can manage them).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{InputError, locate_scalar};
use crate::ids::ServiceId;
use crate::locale::Locale;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// The sender of every mail (`Contoso Status <status@partner.example>`).
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub smtp: Option<SmtpConfig>,
    /// Where a subscriber unsubscribes: a `mailto:` address or an https
    /// URL (`List-Unsubscribe`). Needed when anyone subscribes by mail.
    #[serde(default)]
    pub unsubscribe: Option<String>,
    /// How long before a maintenance window its "starting soon" notice
    /// goes out.
    #[serde(default = "default_lead_hours")]
    pub maintenance_lead_hours: u32,
    /// A message not delivered this long after it was queued is given up
    /// (and reported).
    #[serde(default = "default_give_up_hours")]
    pub give_up_after_hours: u32,
    /// Whether `build` sends what is pending after it publishes.
    #[serde(default = "yes")]
    pub on_build: bool,
    /// More messages than this for one subscriber in one run are folded
    /// into one digest.
    #[serde(default = "default_digest_after")]
    pub digest_after: usize,
    /// Seconds one delivery may take.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    /// Deliveries in flight at once (and SMTP connections at most): each
    /// waits on its server's answers, so a fleet-wide incident is sent in
    /// minutes, not hours.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// A folder of `<slug>.yaml` files, each a list of one customer's
    /// subscribers (relative to the site folder).
    #[serde(default = "default_subscribers_dir")]
    pub subscribers_dir: PathBuf,
    /// The partner's own subscribers, fleet-wide, with filters.
    #[serde(default)]
    pub partner: Vec<Subscriber>,
}

fn yes() -> bool {
    true
}
fn default_lead_hours() -> u32 {
    24
}
fn default_give_up_hours() -> u32 {
    72
}
fn default_digest_after() -> usize {
    3
}
fn default_timeout() -> u64 {
    20
}
fn default_concurrency() -> usize {
    16
}
fn default_subscribers_dir() -> PathBuf {
    PathBuf::from("subscribers")
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Default: 465 with `tls: implicit`, 587 with `starttls`, 25 with `none`.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: SmtpTls,
    #[serde(default)]
    pub username: Option<String>,
    /// The environment variable holding the password.
    #[serde(default)]
    pub password_env: Option<String>,
    /// A file holding the password (relative to the site folder).
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// A PEM file of CA certificates trusted besides the public roots (an
    /// internal relay).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// TLS from the first byte (port 465).
    Implicit,
    /// Plain connection upgraded with STARTTLS, which must succeed.
    #[default]
    Starttls,
    /// No TLS: only for a relay on this machine (localhost).
    None,
}

impl SmtpConfig {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            SmtpTls::Implicit => 465,
            SmtpTls::Starttls => 587,
            SmtpTls::None => 25,
        })
    }
}

/// Immediate: one message per incident or window and run (folded into a
/// digest past `digest_after`). Digest: one message per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    #[default]
    Immediate,
    Digest,
}

/// What a subscriber hears about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum EventKind {
    #[serde(rename = "incident.new")]
    IncidentNew,
    #[serde(rename = "incident.update")]
    IncidentUpdate,
    #[serde(rename = "incident.state")]
    IncidentState,
    #[serde(rename = "maintenance.new")]
    MaintenanceNew,
    #[serde(rename = "maintenance.starting")]
    MaintenanceStarting,
    #[serde(rename = "maintenance.started")]
    MaintenanceStarted,
    #[serde(rename = "maintenance.completed")]
    MaintenanceCompleted,
    #[serde(rename = "maintenance.cancelled")]
    MaintenanceCancelled,
    /// Partner subscribers only.
    #[serde(rename = "source.failing")]
    SourceFailing,
    #[serde(rename = "source.recovered")]
    SourceRecovered,
    #[serde(rename = "discovery.failing")]
    DiscoveryFailing,
    #[serde(rename = "discovery.recovered")]
    DiscoveryRecovered,
}

impl EventKind {
    pub const ALL: [EventKind; 12] = [
        EventKind::IncidentNew,
        EventKind::IncidentUpdate,
        EventKind::IncidentState,
        EventKind::MaintenanceNew,
        EventKind::MaintenanceStarting,
        EventKind::MaintenanceStarted,
        EventKind::MaintenanceCompleted,
        EventKind::MaintenanceCancelled,
        EventKind::SourceFailing,
        EventKind::SourceRecovered,
        EventKind::DiscoveryFailing,
        EventKind::DiscoveryRecovered,
    ];

    pub fn key(self) -> &'static str {
        match self {
            EventKind::IncidentNew => "incident.new",
            EventKind::IncidentUpdate => "incident.update",
            EventKind::IncidentState => "incident.state",
            EventKind::MaintenanceNew => "maintenance.new",
            EventKind::MaintenanceStarting => "maintenance.starting",
            EventKind::MaintenanceStarted => "maintenance.started",
            EventKind::MaintenanceCompleted => "maintenance.completed",
            EventKind::MaintenanceCancelled => "maintenance.cancelled",
            EventKind::SourceFailing => "source.failing",
            EventKind::SourceRecovered => "source.recovered",
            EventKind::DiscoveryFailing => "discovery.failing",
            EventKind::DiscoveryRecovered => "discovery.recovered",
        }
    }

    /// Only the partner hears of its own sources and discovery.
    pub fn partner_only(self) -> bool {
        matches!(
            self,
            EventKind::SourceFailing
                | EventKind::SourceRecovered
                | EventKind::DiscoveryFailing
                | EventKind::DiscoveryRecovered
        )
    }
}

/// One subscriber: exactly one channel, and what it wants to hear.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscriber {
    /// A mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// A Microsoft Teams incoming webhook or Workflows URL (a secret: prefer
    /// `teams_env`).
    #[serde(default)]
    pub teams: Option<String>,
    #[serde(default)]
    pub teams_env: Option<String>,
    /// A Slack incoming webhook URL (a secret: prefer `slack_env`).
    #[serde(default)]
    pub slack: Option<String>,
    #[serde(default)]
    pub slack_env: Option<String>,
    /// A generic webhook URL, signed per Standard Webhooks.
    #[serde(default)]
    pub webhook: Option<String>,
    #[serde(default)]
    pub webhook_env: Option<String>,
    /// The signing secret of a webhook (`whsec_` + base64): the environment
    /// variable holding it …
    #[serde(default)]
    pub secret_env: Option<String>,
    /// … or a file holding it (relative to the site folder).
    #[serde(default)]
    pub secret_file: Option<PathBuf>,
    /// Default: the customer's default locale (partner: the site's).
    #[serde(default)]
    pub locale: Option<Locale>,
    /// Only incidents and windows touching these services; default: all.
    #[serde(default)]
    pub services: Option<Vec<ServiceId>>,
    /// Only these kinds of event; default: every kind the subscriber can
    /// have (the partner's also hear of failing sources and discovery).
    #[serde(default)]
    pub events: Option<Vec<EventKind>>,
    #[serde(default)]
    pub delivery: Delivery,
    /// Partner subscribers: only these customers (slugs); default: all.
    #[serde(default)]
    pub customers: Option<Vec<String>>,
    /// Partner subscribers: only incidents at least this severe
    /// (`degraded`, `partial_outage`, `major_outage`).
    #[serde(default)]
    pub min_severity: Option<Severity>,
}

/// How severe an incident must be for a partner subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Degraded,
    PartialOutage,
    MajorOutage,
}

impl Severity {
    /// 1 (degraded) to 3 (major outage), as incident impacts rank.
    pub fn rank(self) -> u8 {
        match self {
            Severity::Degraded => 1,
            Severity::PartialOutage => 2,
            Severity::MajorOutage => 3,
        }
    }
}

/// Where a subscriber's messages go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    Email,
    Teams,
    Slack,
    Webhook,
}

impl Channel {
    pub fn key(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Teams => "teams",
            Channel::Slack => "slack",
            Channel::Webhook => "webhook",
        }
    }
}

/// A secret or an address given in the config, or the environment
/// variable holding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Given {
    Value(String),
    Env(String),
}

impl Subscriber {
    /// The channel and its address, or why the entry is not one.
    pub fn endpoint(&self) -> Result<(Channel, Given), String> {
        let pairs = [
            (Channel::Email, &self.email, &None),
            (Channel::Teams, &self.teams, &self.teams_env),
            (Channel::Slack, &self.slack, &self.slack_env),
            (Channel::Webhook, &self.webhook, &self.webhook_env),
        ];
        let mut found = Vec::new();
        for (channel, value, env) in pairs {
            if let Some(v) = value {
                found.push((channel, Given::Value(v.clone())));
            }
            if let Some(e) = env {
                found.push((channel, Given::Env(e.clone())));
            }
        }
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(
                "a subscriber needs one channel: `email`, `teams` (or `teams_env`), `slack` (or `slack_env`) or `webhook` (or `webhook_env`)"
                    .to_owned(),
            ),
            _ => Err(format!(
                "a subscriber has one channel, this one has {}: expected one of `email`, `teams`, `slack`, `webhook`",
                found.len()
            )),
        }
    }

    /// What the entry says about itself in messages and ids: the channel
    /// and the address (a URL given in the config is not repeated: its
    /// path is a secret).
    pub fn describe(&self) -> String {
        match self.endpoint() {
            Ok((Channel::Email, Given::Value(a))) => format!("email {a}"),
            Ok((c, Given::Env(e))) => format!("{} ${e}", c.key()),
            Ok((c, Given::Value(url))) => {
                let host = url::Url::parse(&url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_default();
                format!("{} {host}", c.key())
            }
            Err(_) => "invalid subscriber".to_owned(),
        }
    }

    /// Whether the subscriber wants this kind.
    pub fn wants(&self, kind: EventKind, partner: bool) -> bool {
        if kind.partner_only() && !partner {
            return false;
        }
        self.events.as_ref().is_none_or(|e| e.contains(&kind))
    }

    /// Checks one entry; `what` names it in messages (`customer `x`:
    /// subscriber 2`). Positions are looked up from `from_line` on.
    pub fn check(
        &self,
        what: &str,
        partner: bool,
        file: &Path,
        text: &str,
        from_line: usize,
    ) -> Vec<InputError> {
        let mut errors = Vec::new();
        let at = |key: &str| locate_scalar(text, from_line, key);
        match self.endpoint() {
            Err(e) => errors.push(InputError::new(
                file,
                Some((from_line, 1)),
                format!("{what}: {e}"),
            )),
            Ok((Channel::Email, Given::Value(a))) => {
                if a.parse::<lettre::Address>().is_err() {
                    errors.push(InputError::new(
                        file,
                        at(&a),
                        format!("{what}: `{a}` is not a mail address (expected name@domain)"),
                    ));
                }
            }
            Ok((channel, Given::Value(u))) => {
                if let Err(e) = check_url(&u) {
                    errors.push(InputError::new(file, at(&u), format!("{what}: {e}")));
                }
                if channel == Channel::Webhook
                    && self.secret_env.is_none()
                    && self.secret_file.is_none()
                {
                    errors.push(InputError::new(
                        file,
                        at(&u),
                        format!(
                            "{what}: a webhook is signed: expected `secret_env` (the variable holding a `whsec_…` secret) or `secret_file`"
                        ),
                    ));
                }
            }
            Ok((channel, Given::Env(_))) => {
                if channel == Channel::Webhook
                    && self.secret_env.is_none()
                    && self.secret_file.is_none()
                {
                    errors.push(InputError::new(
                        file,
                        Some((from_line, 1)),
                        format!(
                            "{what}: a webhook is signed: expected `secret_env` (the variable holding a `whsec_…` secret) or `secret_file`"
                        ),
                    ));
                }
            }
        }
        if let Ok((c, _)) = self.endpoint()
            && c != Channel::Webhook
            && (self.secret_env.is_some() || self.secret_file.is_some())
        {
            errors.push(InputError::new(
                file,
                at("secret_env").or(at("secret_file")),
                format!("{what}: only a `webhook` is signed; remove `secret_env`/`secret_file`"),
            ));
        }
        if !partner {
            for key in ["customers", "min_severity"] {
                let set = match key {
                    "customers" => self.customers.is_some(),
                    _ => self.min_severity.is_some(),
                };
                if set {
                    errors.push(InputError::new(
                        file,
                        at(key),
                        format!("{what}: `{key}` is a filter of the partner's subscribers (`notifications.partner`)"),
                    ));
                }
            }
            if let Some(kinds) = &self.events {
                for k in kinds.iter().filter(|k| k.partner_only()) {
                    errors.push(InputError::new(
                        file,
                        at(k.key()),
                        format!(
                            "{what}: `{}` is for the partner's subscribers only (`notifications.partner`)",
                            k.key()
                        ),
                    ));
                }
            }
        }
        errors
    }
}

/// A webhook URL: https (or http to this machine, for tests and relays).
pub fn check_url(u: &str) -> Result<(), String> {
    let url = url::Url::parse(u).map_err(|e| format!("`{u}` is not a URL: {e}"))?;
    let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" => Ok(()),
        "http" if local => Ok(()),
        _ => Err(format!(
            "`{u}`: expected an https:// URL (http only to 127.0.0.1 or localhost)"
        )),
    }
}

/// Reads `<dir>/<slug>.yaml`, a list of subscribers; no file: none.
pub fn load_subscribers_file(dir: &Path, slug: &str) -> Result<Vec<Subscriber>, Vec<InputError>> {
    let path = dir.join(format!("{slug}.yaml"));
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(vec![InputError::io(&path, &e)]),
    };
    let list: Vec<Subscriber> =
        serde_yaml::from_str(&text).map_err(|e| vec![InputError::from_yaml(&path, &e, 0)])?;
    let errors: Vec<InputError> = list
        .iter()
        .enumerate()
        .flat_map(|(n, s)| {
            let line = nth_item_line(&text, n).unwrap_or(1);
            s.check(
                &format!("customer `{slug}`: subscriber {}", n + 1),
                false,
                &path,
                &text,
                line,
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(list)
    } else {
        Err(errors)
    }
}

/// The line of the `n`th top-level `- ` item of a YAML list.
pub(crate) fn nth_item_line(text: &str, n: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("- ") || *l == "-")
        .nth(n)
        .map(|(i, _)| i + 1)
}

impl NotifyConfig {
    pub fn subscribers_dir(&self, root: &Path) -> PathBuf {
        root.join(&self.subscribers_dir)
    }
}
