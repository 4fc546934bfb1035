//! The parts of `statusfleet.yaml` that say where live data comes from:
//! sources, credentials, cloud endpoints, discovery and fetch limits.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Cloud, Support, TimeZone};
use crate::locale::Locale;

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

/// How statusfleet signs in: an app registration (its client id) and how
/// it proves itself, optionally with a partner user's refresh token
/// (delegated access through GDAP). Secrets, keys, assertions and tokens
/// never appear in the config: only where they are kept.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialConfig {
    /// The application (client) id, or `client_id_env` to read it from the
    /// environment.
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_id_env: Option<String>,
    /// Environment variable holding the client secret.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// File holding the client secret (relative to the site folder).
    #[serde(default)]
    pub client_secret_file: Option<PathBuf>,
    /// A certificate with its private key: PEM (certificate and key in
    /// one file) or PKCS#12 (`.pfx`/`.p12`, with
    /// `client_certificate_password_env`). Signs a client assertion.
    #[serde(default)]
    pub client_certificate_file: Option<PathBuf>,
    #[serde(default)]
    pub client_certificate_password_env: Option<String>,
    /// A federated OIDC token (workload identity federation): the file
    /// Kubernetes projects (`AZURE_FEDERATED_TOKEN_FILE`), re-read when it
    /// changes.
    #[serde(default)]
    pub client_assertion_file: Option<PathBuf>,
    /// The same, in an environment variable.
    #[serde(default)]
    pub client_assertion_env: Option<String>,
    /// The federated token of the GitHub Actions job
    /// (`ACTIONS_ID_TOKEN_REQUEST_URL` and `_TOKEN`; the job needs
    /// `permissions: id-token: write`).
    #[serde(default)]
    pub github_actions: Option<GithubActions>,
    /// An Azure managed identity: with `client_id`, its token is the
    /// federated assertion of that (multi-tenant) app; without, it is the
    /// identity itself (its own tenant only).
    #[serde(default)]
    pub managed_identity: Option<ManagedIdentity>,
    /// A partner user's refresh token (GDAP and the Secure Application
    /// Model): access tokens are obtained from it per customer tenant. In
    /// a file (kept current: a rotated token is written back) or an
    /// environment variable. `statusfleet login` obtains the first one.
    #[serde(default)]
    pub refresh_token_file: Option<PathBuf>,
    #[serde(default)]
    pub refresh_token_env: Option<String>,
}

/// `github_actions:` of a credential set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubActions {
    /// The audience the federated credential expects.
    #[serde(default = "default_audience")]
    pub audience: String,
}

/// `managed_identity:` of a credential set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedIdentity {
    /// A user-assigned identity's client id (default: the system-assigned
    /// one).
    #[serde(default)]
    pub identity_client_id: Option<String>,
    /// The token endpoint: default `IDENTITY_ENDPOINT` (App Service,
    /// Container Apps) when set, else IMDS
    /// (`http://169.254.169.254/metadata/identity/oauth2/token`).
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The audience a federated credential of the app expects.
    #[serde(default = "default_audience")]
    pub audience: String,
}

pub fn default_audience() -> String {
    "api://AzureADTokenExchange".to_owned()
}

impl CredentialConfig {
    /// The ways of proving the app's identity this set names.
    pub fn proofs(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.client_secret_env.is_some() {
            out.push("client_secret_env");
        }
        if self.client_secret_file.is_some() {
            out.push("client_secret_file");
        }
        if self.client_certificate_file.is_some() {
            out.push("client_certificate_file");
        }
        if self.client_assertion_file.is_some() {
            out.push("client_assertion_file");
        }
        if self.client_assertion_env.is_some() {
            out.push("client_assertion_env");
        }
        if self.github_actions.is_some() {
            out.push("github_actions");
        }
        if self.managed_identity.is_some() {
            out.push("managed_identity");
        }
        out
    }

    /// Problems with the combination, each a whole sentence.
    pub fn problems(&self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        let ids = usize::from(self.client_id.is_some()) + usize::from(self.client_id_env.is_some());
        let proofs = self.proofs();
        let refresh = usize::from(self.refresh_token_file.is_some())
            + usize::from(self.refresh_token_env.is_some());
        let mi_alone = self.managed_identity.is_some() && ids == 0;
        if ids > 1 {
            out.push(format!(
                "credentials.{name}: expected one of client_id or client_id_env, not both"
            ));
        }
        if ids == 0 && !mi_alone {
            out.push(format!(
                "credentials.{name}: expected client_id or client_id_env (the app registration's application id)"
            ));
        }
        if proofs.len() > 1 {
            out.push(format!(
                "credentials.{name}: expected one way for the app to prove itself, found {}",
                proofs.join(", ")
            ));
        }
        if proofs.is_empty() && refresh == 0 {
            out.push(format!(
                "credentials.{name}: expected one of client_secret_env, client_secret_file, client_certificate_file, client_assertion_file, client_assertion_env, github_actions or managed_identity (a secret never goes in the config itself)"
            ));
        }
        if refresh > 1 {
            out.push(format!(
                "credentials.{name}: expected one of refresh_token_file or refresh_token_env, not both"
            ));
        }
        if refresh > 0
            && (self.client_assertion_file.is_some()
                || self.client_assertion_env.is_some()
                || self.github_actions.is_some()
                || self.managed_identity.is_some())
        {
            out.push(format!(
                "credentials.{name}: a refresh token is redeemed with a client secret or a certificate, not with a federated token or a managed identity"
            ));
        }
        if self.client_certificate_password_env.is_some() && self.client_certificate_file.is_none()
        {
            out.push(format!(
                "credentials.{name}: client_certificate_password_env needs client_certificate_file"
            ));
        }
        out
    }
}

/// Endpoints of one cloud; each can be overridden (that is how a proxy or
/// the test mock is used).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    pub login: BaseUrl,
    pub graph: BaseUrl,
    pub graph_scope: String,
    pub arm: BaseUrl,
    pub arm_scope: String,
    pub partner_center: BaseUrl,
    pub partner_center_scope: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointOverrides {
    login: Option<BaseUrl>,
    graph: Option<BaseUrl>,
    graph_scope: Option<String>,
    arm: Option<BaseUrl>,
    arm_scope: Option<String>,
    partner_center: Option<BaseUrl>,
    partner_center_scope: Option<String>,
}

impl Endpoints {
    pub fn defaults(cloud: Cloud) -> Endpoints {
        let u = |s: &str| BaseUrl(s.to_owned());
        match cloud {
            Cloud::Global => Endpoints {
                login: u("https://login.microsoftonline.com"),
                graph: u("https://graph.microsoft.com"),
                graph_scope: "https://graph.microsoft.com/.default".into(),
                arm: u("https://management.azure.com"),
                arm_scope: "https://management.azure.com/.default".into(),
                partner_center: u("https://api.partnercenter.microsoft.com"),
                partner_center_scope: "https://api.partnercenter.microsoft.com/.default".into(),
            },
            Cloud::China => Endpoints {
                login: u("https://login.chinacloudapi.cn"),
                graph: u("https://microsoftgraph.chinacloudapi.cn"),
                graph_scope: "https://microsoftgraph.chinacloudapi.cn/.default".into(),
                arm: u("https://management.chinacloudapi.cn"),
                arm_scope: "https://management.chinacloudapi.cn/.default".into(),
                partner_center: u("https://partner.partnercenterapi.microsoftonline.cn"),
                partner_center_scope:
                    "https://partner.partnercenterapi.microsoftonline.cn/.default".into(),
            },
        }
    }
    fn with(mut self, o: EndpointOverrides) -> Endpoints {
        let EndpointOverrides {
            login,
            graph,
            graph_scope,
            arm,
            arm_scope,
            partner_center,
            partner_center_scope,
        } = o;
        self.login = login.unwrap_or(self.login);
        self.graph = graph.unwrap_or(self.graph);
        self.graph_scope = graph_scope.unwrap_or(self.graph_scope);
        self.arm = arm.unwrap_or(self.arm);
        self.arm_scope = arm_scope.unwrap_or(self.arm_scope);
        self.partner_center = partner_center.unwrap_or(self.partner_center);
        self.partner_center_scope = partner_center_scope.unwrap_or(self.partner_center_scope);
        self
    }
}

/// `clouds:` in the config: overrides of the built-in endpoints.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudsConfig {
    #[serde(default)]
    global: EndpointOverrides,
    #[serde(default)]
    china: EndpointOverrides,
}

impl CloudsConfig {
    pub fn endpoints(&self, cloud: Cloud) -> Endpoints {
        let o = match cloud {
            Cloud::Global => &self.global,
            Cloud::China => &self.china,
        };
        Endpoints::defaults(cloud).with(o.clone())
    }
}

/// `fetch:` in the config: limits of the HTTP client and the history store.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchSettings {
    /// The history store (relative to the site folder).
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// Customers fetched at once.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Requests per tenant per minute (Graph allows 240).
    #[serde(default = "default_tenant_rpm")]
    pub tenant_requests_per_minute: u32,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: f64,
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_seconds: f64,
    /// Retries after the first attempt (429, 5xx, timeouts, resets).
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// First backoff delay; doubled each retry, with jitter.
    #[serde(default = "default_backoff")]
    pub backoff_seconds: f64,
    /// A `Retry-After` longer than this fails the source instead of waiting.
    #[serde(default = "default_max_retry_after")]
    pub max_retry_after_seconds: f64,
    /// The largest answer read, decoded (gzip answers are decompressed
    /// first).
    #[serde(default = "default_max_bytes")]
    pub max_response_bytes: u64,
    /// Bytes of answers read or held at once, over every concurrent
    /// request; an answer that would go over it is dropped and retried.
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight_bytes: u64,
    /// Time one source of one customer may take in a run, retries and
    /// `Retry-After` waits included; well under the scheduling interval.
    #[serde(default = "default_source_deadline")]
    pub source_deadline_seconds: f64,
    /// Pages followed per listing (`@odata.nextLink`, `nextLink`, `links.next`).
    #[serde(default = "default_max_pages")]
    pub max_pages: usize,
}

impl Default for FetchSettings {
    fn default() -> Self {
        serde_yaml::from_str("{}").expect("every field has a default")
    }
}

impl FetchSettings {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout_seconds)
    }
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.connect_timeout_seconds)
    }
    pub fn source_deadline(&self) -> Duration {
        Duration::from_secs_f64(self.source_deadline_seconds)
    }
    /// Problems with the values, as `(key, message)`.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let positive = [
            ("timeout_seconds", self.timeout_seconds),
            ("connect_timeout_seconds", self.connect_timeout_seconds),
            ("backoff_seconds", self.backoff_seconds),
            ("max_retry_after_seconds", self.max_retry_after_seconds),
            ("source_deadline_seconds", self.source_deadline_seconds),
        ];
        for (key, v) in positive {
            if !(v.is_finite() && v > 0.0 && v < 86_400.0) {
                out.push((
                    key,
                    format!("fetch.{key} must be a number of seconds above 0"),
                ));
            }
        }
        if self.concurrency == 0 {
            out.push(("concurrency", "fetch.concurrency must be at least 1".into()));
        }
        if self.tenant_requests_per_minute == 0 {
            out.push((
                "tenant_requests_per_minute",
                "fetch.tenant_requests_per_minute must be at least 1".into(),
            ));
        }
        if self.max_in_flight_bytes < self.max_response_bytes {
            out.push((
                "max_in_flight_bytes",
                format!(
                    "fetch.max_in_flight_bytes ({}) must be at least fetch.max_response_bytes ({}), or the largest answer could never be read",
                    self.max_in_flight_bytes, self.max_response_bytes
                ),
            ));
        }
        if self.max_pages == 0 {
            out.push(("max_pages", "fetch.max_pages must be at least 1".into()));
        }
        out
    }
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}
fn default_concurrency() -> usize {
    16
}
fn default_tenant_rpm() -> u32 {
    200
}
fn default_timeout() -> f64 {
    30.0
}
fn default_connect_timeout() -> f64 {
    10.0
}
fn default_retries() -> u32 {
    4
}
fn default_backoff() -> f64 {
    1.0
}
fn default_max_retry_after() -> f64 {
    120.0
}
fn default_max_bytes() -> u64 {
    32 * 1024 * 1024
}
fn default_max_in_flight() -> u64 {
    256 * 1024 * 1024
}
fn default_source_deadline() -> f64 {
    90.0
}
fn default_max_pages() -> usize {
    50
}

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

fn opt_sources<'de, D: serde::Deserializer<'de>>(
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

/// Every credential set, by name.
pub type Credentials = BTreeMap<String, CredentialConfig>;

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
