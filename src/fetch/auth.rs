//! OAuth2 client credentials per customer tenant, with a token cache keyed
//! by (login host, tenant, scope). Secrets are read from the environment or
//! a file at fetch time and never printed.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::{Method, Url};
use serde::Deserialize;

use super::http::{Counters, FetchError, Http, Request, host_of, parse_json};
use crate::config::CredentialConfig;

/// A secret value: `Debug` and `Display` never show it.
#[derive(Clone)]
pub struct Secret(String);

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

/// A credential set with its secret read.
#[derive(Debug, Clone)]
pub struct AppCredentials {
    pub name: String,
    pub client_id: String,
    pub secret: Secret,
}

/// Reads the client id and secret of credential set `name`.
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
            .ok_or_else(|| fail(format!("environment variable {var} is not set")))
    };
    let client_id = match (&c.client_id, &c.client_id_env) {
        (Some(id), _) => id.clone(),
        (None, Some(var)) => env(var)?,
        (None, None) => return Err(fail("no client_id".into())),
    };
    let secret = match (&c.client_secret_env, &c.client_secret_file) {
        (Some(var), _) => env(var)?,
        (None, Some(file)) => {
            let path = root.join(file);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?;
            let text = text.trim().to_owned();
            if text.is_empty() {
                return Err(fail(format!("{} is empty", path.display())));
            }
            text
        }
        (None, None) => return Err(fail("no client secret".into())),
    };
    Ok(AppCredentials {
        name: name.to_owned(),
        client_id: client_id.trim().to_owned(),
        secret: Secret(secret.trim().to_owned()),
    })
}

/// Token answer of the v2 endpoint; `expires_in` is a number there and a
/// string on the v1 endpoint, so both are accepted.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct TokenError {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

/// Renew this long before a token expires.
const MARGIN: Duration = Duration::from_secs(300);

/// (login host, tenant, scope).
type TokenKey = (String, String, String);

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
        let key = (login.to_owned(), tenant.to_owned(), scope.to_owned());
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
    pub fn invalidate(&self, login: &str, tenant: &str, scope: &str) {
        self.tokens.lock().expect("token lock").remove(&(
            login.to_owned(),
            tenant.to_owned(),
            scope.to_owned(),
        ));
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
    let url = Url::parse(&format!(
        "{login}/{}/oauth2/v2.0/token",
        url::form_urlencoded::byte_serialize(tenant.as_bytes()).collect::<String>()
    ))
    .map_err(|e| FetchError::Unsupported(format!("bad login URL: {e}")))?;
    let form = vec![
        ("client_id", app.client_id.as_str()),
        ("client_secret", app.secret.expose()),
        ("scope", scope),
        ("grant_type", "client_credentials"),
    ];
    let req = Request {
        method: Method::POST,
        form: Some(form),
        ..Request::get(url.clone())
    };
    let answer = http.send(&req, counters).await?;
    if !answer.status.is_success() {
        let e: TokenError = serde_json::from_slice(&answer.body).unwrap_or(TokenError {
            error: None,
            error_description: None,
        });
        let mut description = e
            .error_description
            .unwrap_or_default()
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(200)
            .collect::<String>();
        // Never echo a secret, even if an endpoint quotes it back.
        description = description.replace(app.secret.expose(), "[secret]");
        return Err(FetchError::Auth {
            host: host_of(&url),
            code: e
                .error
                .unwrap_or_else(|| format!("HTTP {}", answer.status.as_u16())),
            description,
        });
    }
    let t: TokenAnswer = parse_json("token answer", &url, &answer.body)?;
    let secs = match &t.expires_in {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .unwrap_or(3599);
    Ok((Secret(t.access_token), Duration::from_secs(secs)))
}
