//! Azure managed identity tokens: IMDS on VMs, VM scale sets and AKS nodes
//! (`GET …/metadata/identity/oauth2/token?api-version=2018-02-01&resource=…`
//! with `Metadata: true`), or the App Service / Container Apps endpoint
//! (`IDENTITY_ENDPOINT` with `X-IDENTITY-HEADER`, api-version 2019-08-01).
//! Both take a `resource`, not a scope, and answer times as strings.

use std::time::Duration;

use reqwest::Url;
use serde::Deserialize;

use super::Secret;
use crate::fetch::http::{Counters, FetchError, Http, Request, host_of, parse_json};

pub const IMDS: &str = "http://169.254.169.254/metadata/identity/oauth2/token";

/// A managed identity, resolved from the config and the environment.
#[derive(Debug, Clone)]
pub struct Identity {
    /// A user-assigned identity's client id.
    pub client_id: Option<String>,
    pub endpoint: String,
    /// `X-IDENTITY-HEADER` of App Service / Container Apps; `None`: IMDS.
    pub header: Option<Secret>,
    /// The audience of the federated credential it stands for.
    pub audience: String,
}

impl Identity {
    pub fn resolve(c: &crate::config::ManagedIdentity) -> Identity {
        let env = |v: &str| std::env::var(v).ok().filter(|s| !s.trim().is_empty());
        let (endpoint, header) = match (
            &c.endpoint,
            env("IDENTITY_ENDPOINT"),
            env("IDENTITY_HEADER"),
        ) {
            (Some(e), _, header) => (e.clone(), header.map(Secret)),
            (None, Some(e), Some(h)) => (e, Some(Secret(h))),
            _ => (IMDS.to_owned(), None),
        };
        Identity {
            client_id: c.identity_client_id.clone(),
            endpoint,
            header,
            audience: c.audience.clone(),
        }
    }
}

#[derive(Deserialize)]
struct Answer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    expires_on: Option<serde_json::Value>,
}

fn number(v: &Option<serde_json::Value>) -> Option<u64> {
    match v {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The resource of a `.default` scope (`https://graph.microsoft.com`).
pub fn resource_of(scope: &str) -> &str {
    scope.strip_suffix("/.default").unwrap_or(scope)
}

/// A token of the identity for `resource`.
pub async fn token(
    http: &Http,
    id: &Identity,
    resource: &str,
    counters: &Counters,
) -> Result<(Secret, Duration), FetchError> {
    let mut url = Url::parse(&id.endpoint)
        .map_err(|e| FetchError::Unsupported(format!("managed identity endpoint: {e}")))?;
    let app_service = id.header.is_some();
    url.query_pairs_mut()
        .append_pair(
            "api-version",
            if app_service {
                "2019-08-01"
            } else {
                "2018-02-01"
            },
        )
        .append_pair("resource", resource);
    if let Some(c) = &id.client_id {
        url.query_pairs_mut().append_pair("client_id", c);
    }
    let mut headers = vec![("Metadata".to_owned(), "true".to_owned())];
    if let Some(h) = &id.header {
        headers.push(("X-IDENTITY-HEADER".to_owned(), h.expose().to_owned()));
    }
    let req = Request {
        headers,
        ..Request::get(url.clone())
    };
    let answer = http.send(&req, counters).await?;
    if !answer.status.is_success() {
        let v: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
        let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
        return Err(FetchError::Auth {
            host: host_of(&url),
            code: match text("error") {
                e if e.is_empty() => format!("HTTP {}", answer.status.as_u16()),
                e => e,
            },
            description: text("error_description").lines().next().unwrap_or("").chars().take(200).collect(),
            action: Some(
                "check that the machine or app has a managed identity (for a user-assigned one, set managed_identity.identity_client_id) and that it may read this resource".to_owned(),
            ),
        });
    }
    let a: Answer = parse_json("managed identity token", &url, &answer.body)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let secs = number(&a.expires_in)
        .or_else(|| number(&a.expires_on).map(|on| on.saturating_sub(now)))
        .unwrap_or(3599);
    Ok((Secret(a.access_token), Duration::from_secs(secs)))
}
