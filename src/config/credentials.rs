//! `credentials:`: how statusfleet signs in, by name (secrets never in the
//! config itself).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

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

/// Every credential set, by name.
pub type Credentials = BTreeMap<String, CredentialConfig>;

impl super::Config {
    /// Every environment variable the config names for a secret, with the
    /// key that names it (`credentials.app.client_secret_env`), for
    /// `check` to say which are not set.
    pub fn secret_variables(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, c) in &self.credentials {
            for (key, var) in [
                ("client_id_env", &c.client_id_env),
                ("client_secret_env", &c.client_secret_env),
                (
                    "client_certificate_password_env",
                    &c.client_certificate_password_env,
                ),
                ("client_assertion_env", &c.client_assertion_env),
                ("refresh_token_env", &c.refresh_token_env),
            ] {
                if let Some(v) = var {
                    out.push((format!("credentials.{name}.{key}"), v.clone()));
                }
            }
        }
        if let Some(n) = &self.notifications {
            if let Some(v) = n.smtp.as_ref().and_then(|s| s.password_env.clone()) {
                out.push(("notifications.smtp.password_env".into(), v));
            }
            let subs = n
                .partner
                .iter()
                .map(|s| ("notifications.partner".to_owned(), s))
                .chain(self.customers.iter().flat_map(|c| {
                    c.subscribers
                        .iter()
                        .map(move |s| (format!("customer `{}`: subscriber", c.slug), s))
                }));
            for (whose, s) in subs {
                for (key, var) in [
                    ("teams_env", &s.teams_env),
                    ("slack_env", &s.slack_env),
                    ("webhook_env", &s.webhook_env),
                    ("secret_env", &s.secret_env),
                ] {
                    if let Some(v) = var {
                        out.push((format!("{whose} {key}"), v.clone()));
                    }
                }
            }
        }
        out
    }
}
