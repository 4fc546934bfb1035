//! The parts of `statusfleet.yaml` that say where live data comes from:
//! sources, credentials, cloud endpoints, discovery and fetch limits.

use std::path::PathBuf;

use serde::Deserialize;

/// Where a customer's health data comes from. Written as a one-key map:
/// `- file: { path: demo/contoso.yaml }`, `- graph: { credentials: app }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SourceConfig {
    /// A snapshot file (YAML or JSON) in the normalized shape.
    File { path: PathBuf },
    /// Microsoft 365 service health and Message Center (Microsoft Graph).
    Graph {
        /// A name under `credentials:`.
        credentials: String,
        /// Read Message Center `planForChange` posts as planned maintenance.
        #[serde(default = "yes")]
        messages: bool,
    },
    /// Azure Resource Health events of the customer's subscriptions.
    Azure {
        credentials: String,
        /// Subscription ids; empty = every subscription the app can read.
        #[serde(default)]
        subscriptions: Vec<String>,
        #[serde(default = "default_api_version")]
        api_version: String,
        /// Azure services to list even when no event names them.
        #[serde(default)]
        services: Vec<String>,
        /// How far back to ask for events (`queryStartTime`), in days.
        #[serde(default = "default_lookback_days")]
        lookback_days: u32,
    },
    /// Any Atlassian-Statuspage-compatible v2 API (third-party services).
    Statuspage {
        /// The page's root, e.g. `https://www.githubstatus.com`.
        url: BaseUrl,
        /// Label on pages; default: the page's own name.
        #[serde(default)]
        name: Option<String>,
        /// Only these component names; default: every component.
        #[serde(default)]
        components: Option<Vec<String>>,
        /// Language the page is written in.
        #[serde(default = "crate::locale::default_text_lang")]
        lang: String,
    },
}

impl SourceConfig {
    /// The key of this source in the history store, stable across runs.
    pub fn key(&self) -> String {
        match self {
            SourceConfig::File { path } => format!("file:{}", path.display()),
            SourceConfig::Graph { .. } => "graph".to_owned(),
            SourceConfig::Azure { .. } => "azure".to_owned(),
            SourceConfig::Statuspage { url, .. } => format!("statuspage:{}", url.0),
        }
    }
    /// How pages name the source when its data is stale.
    pub fn label(&self) -> String {
        match self {
            SourceConfig::File { path } => path.display().to_string(),
            SourceConfig::Graph { .. } => "Microsoft 365".to_owned(),
            SourceConfig::Azure { .. } => "Azure".to_owned(),
            SourceConfig::Statuspage { url, name, .. } => name.clone().unwrap_or_else(|| {
                reqwest::Url::parse(url.as_str())
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_else(|| url.0.clone())
            }),
        }
    }
    /// Whether the source is fetched over the network (and kept in `data/`).
    pub fn is_live(&self) -> bool {
        !matches!(self, SourceConfig::File { .. })
    }
    pub fn credentials(&self) -> Option<&str> {
        match self {
            SourceConfig::Graph { credentials, .. } | SourceConfig::Azure { credentials, .. } => {
                Some(credentials)
            }
            _ => None,
        }
    }
}

fn yes() -> bool {
    true
}

fn default_api_version() -> String {
    "2025-05-01".to_owned()
}

fn default_lookback_days() -> u32 {
    30
}

/// An absolute base URL: `https://`, or `http://` to a loopback address
/// (a local mock or proxy). Kept without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(pub String);

impl BaseUrl {
    pub fn parse(s: &str) -> Result<BaseUrl, String> {
        let url = reqwest::Url::parse(s).map_err(|e| format!("invalid URL `{s}`: {e}"))?;
        let loopback = matches!(
            url.host(),
            Some(url::Host::Domain("localhost"))
                | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
                | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
        );
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => {
                return Err(format!(
                    "invalid URL `{s}`: expected https:// (http:// only to localhost)"
                ));
            }
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!("invalid URL `{s}`: expected no query or fragment"));
        }
        Ok(BaseUrl(s.trim_end_matches('/').to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for BaseUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::scope::parse_str(d, "an https:// URL", BaseUrl::parse)
    }
}
