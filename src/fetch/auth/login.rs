//! `statusfleet login`: the device code flow for a partner user, whose
//! refresh token then gives access tokens per customer tenant (GDAP). The
//! user opens the verification page on any device, enters the code and
//! signs in with MFA; statusfleet polls the token endpoint at the interval
//! Entra names (five seconds more after each `slow_down`) until the code
//! expires, and writes the refresh token to the credential set's
//! `refresh_token_file`, atomically and readable by its owner only.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::{Method, Url};
use serde::Deserialize;

use super::{AppCredentials, Identity, Secret, proof_fields, sign_in_error, token_url};
use crate::fetch::http::{Counters, FetchError, Http, Request, parse_json};

/// What `login` needs.
pub struct LoginRequest<'a> {
    pub app: &'a AppCredentials,
    /// The partner's own tenant (or `organizations`).
    pub tenant: &'a str,
    pub login: &'a str,
    /// A scope of one resource (the refresh token then serves every
    /// resource the app has consent for); `offline_access` is added.
    pub scope: &'a str,
    /// Where the refresh token goes.
    pub file: PathBuf,
    /// Longest wait, whatever the code's own expiry says.
    pub max_wait: Duration,
}

#[derive(Deserialize)]
struct DeviceCode {
    device_code: String,
    user_code: String,
    verification_uri: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    interval: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
struct Tokens {
    #[serde(default)]
    refresh_token: Option<String>,
}

fn seconds(v: &Option<serde_json::Value>, default: u64) -> u64 {
    match v {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .unwrap_or(default)
}

/// Runs the device code flow; `say` prints what the user must do.
pub async fn login(
    http: &Http,
    req: &LoginRequest<'_>,
    say: &dyn Fn(&str),
) -> Result<(), FetchError> {
    let Identity::App {
        client_id, proof, ..
    } = &req.app.identity
    else {
        return Err(FetchError::Unsupported(
            "a managed identity has no user to sign in".into(),
        ));
    };
    let counters = Counters::default();
    let scope = format!("{} offline_access", req.scope);
    let start_url = Url::parse(&format!(
        "{}/{}/oauth2/v2.0/devicecode",
        req.login,
        url::form_urlencoded::byte_serialize(req.tenant.as_bytes()).collect::<String>()
    ))
    .map_err(|e| FetchError::Unsupported(format!("bad login URL: {e}")))?;
    let start = Request {
        method: Method::POST,
        form: Some(vec![("client_id", client_id), ("scope", &scope)]),
        ..Request::get(start_url.clone())
    };
    let answer = http.send(&start, &counters).await?;
    if !answer.status.is_success() {
        return Err(sign_in_error(
            &start_url,
            answer.status.as_u16(),
            &answer.body,
            req.app,
            req.tenant,
            req.login,
            &[],
        ));
    }
    let code: DeviceCode = parse_json("device code", &start_url, &answer.body)?;
    say(&format!(
        "To sign in, open {} and enter the code {}",
        code.verification_uri, code.user_code
    ));
    if let Some(m) = &code.message {
        say(m);
    }
    let expires = Duration::from_secs(seconds(&code.expires_in, 900)).min(req.max_wait);
    let mut interval = Duration::from_secs(seconds(&code.interval, 5).max(1));
    let token_url = token_url(req.login, req.tenant)?;
    let began = std::time::Instant::now();
    loop {
        tokio::time::sleep(interval).await;
        if began.elapsed() > expires {
            return Err(FetchError::Auth {
                host: crate::fetch::http::host_of(&token_url),
                code: "expired_token".into(),
                description: "the code was not entered in time".into(),
                action: Some("run `statusfleet login` again and enter the code sooner".into()),
            });
        }
        // A confidential app proves itself here too, as it will when it
        // redeems the refresh token.
        let fields = proof_fields(http, proof, client_id, &token_url, &counters).await?;
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", client_id),
            ("device_code", &code.device_code),
        ];
        for (k, v) in &fields {
            form.push((k, v.expose()));
        }
        let poll = Request {
            method: Method::POST,
            form: Some(form),
            ..Request::get(token_url.clone())
        };
        let answer = http.send(&poll, &counters).await?;
        if answer.status.is_success() {
            let t: Tokens = parse_json("token answer", &token_url, &answer.body)?;
            let Some(rt) = t.refresh_token.filter(|t| !t.is_empty()) else {
                return Err(FetchError::Auth {
                    host: crate::fetch::http::host_of(&token_url),
                    code: "no_refresh_token".into(),
                    description: "the sign-in succeeded but gave no refresh token".into(),
                    action: Some(
                        "allow the `offline_access` permission for the app, then sign in again"
                            .into(),
                    ),
                });
            };
            let mut bytes = Secret(rt).expose().as_bytes().to_vec();
            bytes.push(b'\n');
            crate::history::write_private(&req.file, &bytes).map_err(|e| FetchError::Secret {
                name: req.app.name.clone(),
                reason: format!("cannot write {}: {e}", req.file.display()),
            })?;
            return Ok(());
        }
        let e: super::TokenError = serde_json::from_slice(&answer.body).unwrap_or_default();
        match e.error.as_deref() {
            Some("authorization_pending") => {}
            // RFC 8628 §3.5: five seconds more, for this and every later poll.
            Some("slow_down") => interval += Duration::from_secs(5),
            _ => {
                let hide: Vec<&str> = fields.iter().map(|(_, v)| v.expose()).collect();
                return Err(sign_in_error(
                    &token_url,
                    answer.status.as_u16(),
                    &answer.body,
                    req.app,
                    req.tenant,
                    req.login,
                    &hide,
                ));
            }
        }
    }
}
