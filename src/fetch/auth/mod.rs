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
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, Url};
use serde::Deserialize;

use super::http::{Counters, FetchError, Http, Request, host_of, parse_json};
use crate::config::CredentialConfig;

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

/// Reads what credential set `name` needs: its client id, its proof, its
/// refresh token.
pub fn resolve(
    name: &str,
    c: &CredentialConfig,
    root: &Path,
) -> Result<AppCredentials, FetchError> {
    let fail = |reason: String| FetchError::Secret {
        name: name.to_owned(),
        reason,
    };
    let env = |var: &str| {
        std::env::var(var)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().to_owned())
            .ok_or_else(|| fail(format!("environment variable {var} is not set")))
    };
    let file = |f: &Path| {
        let path = root.join(f);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?;
        let text = text.trim().to_owned();
        if text.is_empty() {
            return Err(fail(format!("{} is empty", path.display())));
        }
        Ok(text)
    };
    let client_id = match (&c.client_id, &c.client_id_env) {
        (Some(id), _) => Some(id.trim().to_owned()),
        (None, Some(var)) => Some(env(var)?),
        (None, None) => None,
    };
    let mi = c.managed_identity.as_ref().map(managed::Identity::resolve);
    let Some(client_id) = client_id else {
        return match mi {
            Some(m) => Ok(AppCredentials {
                name: name.to_owned(),
                identity: Identity::ManagedIdentity(m),
            }),
            None => Err(fail("no client_id".into())),
        };
    };
    let proof = if let Some(var) = &c.client_secret_env {
        Proof::Secret(Secret(env(var)?))
    } else if let Some(f) = &c.client_secret_file {
        Proof::Secret(Secret(file(f)?))
    } else if let Some(f) = &c.client_certificate_file {
        let password = c
            .client_certificate_password_env
            .as_deref()
            .map(env)
            .transpose()?;
        let cert =
            assertion::Certificate::load(&root.join(f), password.as_deref()).map_err(fail)?;
        Proof::Certificate(Arc::new(cert))
    } else if let Some(f) = &c.client_assertion_file {
        // Read now to fail early with a clear message; read again at
        // each token request.
        file(f)?;
        Proof::AssertionFile(root.join(f))
    } else if let Some(var) = &c.client_assertion_env {
        Proof::AssertionValue(Secret(env(var)?))
    } else if let Some(g) = &c.github_actions {
        let hint = |v: &str| {
            env(v).map_err(|_| {
                fail(format!(
                    "environment variable {v} is not set: this is not a GitHub Actions job, or the job lacks `permissions: id-token: write`"
                ))
            })
        };
        Proof::GithubActions {
            url: hint("ACTIONS_ID_TOKEN_REQUEST_URL")?,
            bearer: Secret(hint("ACTIONS_ID_TOKEN_REQUEST_TOKEN")?),
            audience: g.audience.clone(),
        }
    } else if let Some(m) = mi {
        Proof::ManagedIdentity(m)
    } else {
        Proof::None
    };
    let refresh = match (&c.refresh_token_file, &c.refresh_token_env) {
        (Some(f), _) => Some(Arc::new(refresh::Store::new(
            name,
            refresh::Origin::File(root.join(f)),
            Secret(file(f).map_err(|e| match e {
                FetchError::Secret { reason, .. } => fail(format!(
                    "{reason}: run `statusfleet login --credentials {name}` to sign in the partner user"
                )),
                other => other,
            })?),
        ))),
        (None, Some(var)) => Some(Arc::new(refresh::Store::new(
            name,
            refresh::Origin::Env(var.clone()),
            Secret(env(var)?),
        ))),
        (None, None) => None,
    };
    Ok(AppCredentials {
        name: name.to_owned(),
        identity: Identity::App {
            client_id,
            proof,
            refresh,
        },
    })
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

/// The form fields that prove the app: a secret, or a client assertion.
pub(crate) async fn proof_fields(
    http: &Http,
    proof: &Proof,
    client_id: &str,
    audience: &Url,
    counters: &Counters,
) -> Result<Vec<(&'static str, Secret)>, FetchError> {
    let jwt_bearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    let assertion = |a: Secret| {
        vec![
            ("client_assertion_type", Secret(jwt_bearer.to_owned())),
            ("client_assertion", a),
        ]
    };
    Ok(match proof {
        Proof::None => Vec::new(),
        Proof::Secret(s) => vec![("client_secret", s.clone())],
        Proof::Certificate(cert) => {
            let now = chrono::Utc::now().timestamp();
            let jwt = cert
                .assertion(client_id, audience.as_str(), now)
                .map_err(FetchError::Unsupported)?;
            assertion(Secret(jwt))
        }
        Proof::AssertionFile(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| FetchError::Secret {
                name: "client_assertion_file".into(),
                reason: format!("cannot read {}: {e}", path.display()),
            })?;
            assertion(Secret(text.trim().to_owned()))
        }
        Proof::AssertionValue(s) => assertion(s.clone()),
        Proof::GithubActions {
            url,
            bearer,
            audience: aud,
        } => assertion(github_token(http, url, bearer, aud, counters).await?),
        Proof::ManagedIdentity(m) => {
            let (t, _) = managed::token(http, m, &m.audience, counters).await?;
            assertion(t)
        }
    })
}

/// The GitHub Actions job's OIDC token: `GET $ACTIONS_ID_TOKEN_REQUEST_URL
/// &audience=…` with the request token as bearer; `{"value": "<jwt>"}`.
async fn github_token(
    http: &Http,
    url: &str,
    bearer: &Secret,
    audience: &str,
    counters: &Counters,
) -> Result<Secret, FetchError> {
    let mut u = Url::parse(url)
        .map_err(|e| FetchError::Unsupported(format!("ACTIONS_ID_TOKEN_REQUEST_URL: {e}")))?;
    u.query_pairs_mut().append_pair("audience", audience);
    let origin = super::http::origin(&u);
    let req = Request {
        bearer: Some(bearer.expose()),
        allowed_origin: Some(&origin),
        ..Request::get(u.clone())
    };
    let answer = http.send(&req, counters).await?;
    if !answer.status.is_success() {
        return Err(FetchError::Auth {
            host: host_of(&u),
            code: format!("HTTP {}", answer.status.as_u16()),
            description: "the GitHub Actions OIDC token was refused".into(),
            action: Some("give the job `permissions: id-token: write`".into()),
        });
    }
    #[derive(Deserialize)]
    struct Value {
        value: String,
    }
    let v: Value = parse_json("GitHub Actions OIDC token", &u, &answer.body)?;
    Ok(Secret(v.value))
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
