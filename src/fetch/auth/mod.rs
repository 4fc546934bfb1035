//! Tokens per customer tenant, the ways partners sign in: an app with a
//! client secret, a certificate (signed client assertion) or a federated
//! token (workload identity federation: Kubernetes, GitHub Actions, a
//! managed identity standing for the app), optionally redeeming a partner
//! user's refresh token (GDAP and the Secure Application Model); or a
//! managed identity on its own. Tokens are cached by (credential set, login
//! host, tenant, scope). Secrets are read from the environment or files,
//! never from the config, and never printed.

pub mod assertion;
pub mod errors;
pub mod login;
pub mod managed;
pub mod refresh;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, Url};
use serde::Deserialize;

use super::http::{Counters, FetchError, Http, Request, host_of, parse_json};

mod proof;
mod resolve;
use proof::*;
pub use resolve::*;

/// A secret value: `Debug` and `Display` never show it.
#[derive(Clone)]
pub struct Secret(pub(crate) String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// How the app proves itself at the token endpoint.
#[derive(Debug, Clone)]
pub enum Proof {
    Secret(Secret),
    Certificate(Arc<assertion::Certificate>),
    /// A federated token in a file, read at each token request (Kubernetes
    /// rotates it).
    AssertionFile(PathBuf),
    AssertionValue(Secret),
    /// The GitHub Actions job's OIDC token for `audience`.
    GithubActions {
        url: String,
        bearer: Secret,
        audience: String,
    },
    /// A managed identity's token for the federated credential's audience.
    ManagedIdentity(managed::Identity),
    /// A public client (a refresh token alone).
    None,
}

/// Who signs in.
#[derive(Debug, Clone)]
pub enum Identity {
    App {
        client_id: String,
        proof: Proof,
        /// A partner user's refresh token: delegated access (GDAP).
        refresh: Option<Arc<refresh::Store>>,
    },
    /// A managed identity's own tokens (its own tenant only).
    ManagedIdentity(managed::Identity),
}

/// A credential set with its secrets read.
#[derive(Debug, Clone)]
pub struct AppCredentials {
    pub name: String,
    pub identity: Identity,
}

impl AppCredentials {
    pub fn client_id(&self) -> &str {
        match &self.identity {
            Identity::App { client_id, .. } => client_id,
            Identity::ManagedIdentity(m) => m.client_id.as_deref().unwrap_or("(managed identity)"),
        }
    }

    /// What the run should tell the operator about these credentials
    /// (a refresh token that could not be written back).
    pub fn notes(&self) -> Vec<String> {
        match &self.identity {
            Identity::App {
                refresh: Some(r), ..
            } => r.take_notes(),
            _ => Vec::new(),
        }
    }
}

/// Token answer of the v2 endpoint; `expires_in` is a number there and a
/// string on the v1 endpoint, so both are accepted.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    refresh_token: Option<String>,
}

/// The token endpoint's error body.
#[derive(Deserialize, Default)]
pub(crate) struct TokenError {
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub error_description: Option<String>,
    #[serde(default)]
    pub error_codes: Vec<u64>,
}

/// Renew this long before a token expires.
const MARGIN: Duration = Duration::from_secs(300);

/// (credential set, login host, tenant, scope).
type TokenKey = (String, String, String, String);

#[derive(Default)]
pub struct TokenCache {
    tokens: Mutex<HashMap<TokenKey, (Secret, Instant)>>,
}

impl TokenCache {
    /// A token for `tenant` and `scope`, from the cache unless it is about
    /// to expire.
    pub async fn token(
        &self,
        http: &Http,
        login: &str,
        tenant: &str,
        scope: &str,
        app: &AppCredentials,
        counters: &Counters,
    ) -> Result<Secret, FetchError> {
        let key = (
            app.name.clone(),
            login.to_owned(),
            tenant.to_owned(),
            scope.to_owned(),
        );
        if let Some((t, until)) = self.tokens.lock().expect("token lock").get(&key)
            && Instant::now() < *until
        {
            return Ok(t.clone());
        }
        let (token, lifetime) = request_token(http, login, tenant, scope, app, counters).await?;
        let until = Instant::now() + lifetime.saturating_sub(MARGIN).max(Duration::from_secs(30));
        self.tokens
            .lock()
            .expect("token lock")
            .insert(key, (token.clone(), until));
        Ok(token)
    }

    /// Forgets a token the API refused (401), so the next call renews it.
    pub fn invalidate(&self, app: &AppCredentials, login: &str, tenant: &str, scope: &str) {
        self.tokens.lock().expect("token lock").remove(&(
            app.name.clone(),
            login.to_owned(),
            tenant.to_owned(),
            scope.to_owned(),
        ));
    }
}

/// The token endpoint of `tenant`.
pub fn token_url(login: &str, tenant: &str) -> Result<Url, FetchError> {
    Url::parse(&format!(
        "{login}/{}/oauth2/v2.0/token",
        url::form_urlencoded::byte_serialize(tenant.as_bytes()).collect::<String>()
    ))
    .map_err(|e| FetchError::Unsupported(format!("bad login URL: {e}")))
}

/// A sign-in error with what to do, from the token endpoint's answer.
pub(crate) fn sign_in_error(
    url: &Url,
    status: u16,
    body: &[u8],
    app: &AppCredentials,
    tenant: &str,
    login: &str,
    hide: &[&str],
) -> FetchError {
    let e: TokenError = serde_json::from_slice(body).unwrap_or_default();
    let mut description = e
        .error_description
        .clone()
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(200)
        .collect::<String>();
    // Never echo a secret, even if an endpoint quotes it back.
    for h in hide.iter().filter(|h| h.len() >= 4) {
        description = description.replace(h, "[secret]");
    }
    let action = errors::code_of(&description, &e.error_codes).and_then(|code| {
        errors::action(
            code,
            &errors::Context {
                credentials: &app.name,
                client_id: app.client_id(),
                tenant,
                login,
            },
        )
    });
    FetchError::Auth {
        host: host_of(url),
        code: e.error.unwrap_or_else(|| format!("HTTP {status}")),
        description,
        action,
    }
}

async fn request_token(
    http: &Http,
    login: &str,
    tenant: &str,
    scope: &str,
    app: &AppCredentials,
    counters: &Counters,
) -> Result<(Secret, Duration), FetchError> {
    let (client_id, proof, refresh) = match &app.identity {
        Identity::ManagedIdentity(m) => {
            return managed::token(http, m, managed::resource_of(scope), counters).await;
        }
        Identity::App {
            client_id,
            proof,
            refresh,
        } => (client_id, proof, refresh),
    };
    let url = token_url(login, tenant)?;
    let proof = proof_fields(http, proof, client_id, &url, counters).await?;
    let refresh_token = refresh.as_ref().map(|r| r.current());
    let mut form: Vec<(&str, &str)> = vec![("client_id", client_id), ("scope", scope)];
    match &refresh_token {
        Some(rt) => {
            form.push(("grant_type", "refresh_token"));
            form.push(("refresh_token", rt.expose()));
        }
        None => form.push(("grant_type", "client_credentials")),
    }
    for (k, v) in &proof {
        form.push((k, v.expose()));
    }
    let req = Request {
        method: Method::POST,
        form: Some(form),
        ..Request::get(url.clone())
    };
    let answer = http.send(&req, counters).await?;
    if !answer.status.is_success() {
        let mut hide: Vec<&str> = proof.iter().map(|(_, v)| v.expose()).collect();
        if let Some(rt) = &refresh_token {
            hide.push(rt.expose());
        }
        return Err(sign_in_error(
            &url,
            answer.status.as_u16(),
            &answer.body,
            app,
            tenant,
            login,
            &hide,
        ));
    }
    let t: TokenAnswer = parse_json("token answer", &url, &answer.body)?;
    if let (Some(store), Some(new)) = (refresh, t.refresh_token) {
        store.rotated(Secret(new));
    }
    let secs = match &t.expires_in {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .unwrap_or(3599);
    Ok((Secret(t.access_token), Duration::from_secs(secs)))
}
