//! Sending one message: SMTP (lettre, implicit TLS or STARTTLS, AUTH) or
//! an HTTP POST (Teams, Slack, and generic webhooks signed per the
//! Standard Webhooks specification).

use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::Transport as _;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};

use crate::config::notify::{SmtpConfig, SmtpTls};

/// Why an attempt failed, and when to try again if the other side said.
#[derive(Debug)]
pub struct Failure {
    pub error: String,
    pub retry_after: Option<Duration>,
    /// The receiver refused the message for good (SMTP 5xx, HTTP 410
    /// Gone): given up at once, as a mail server bounces, not retried for
    /// days.
    pub permanent: bool,
}

impl Failure {
    pub fn new(error: impl Into<String>) -> Failure {
        Failure {
            error: error.into(),
            retry_after: None,
            permanent: false,
        }
    }
}

/// An error and its causes, each said once (`a: b: c`).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(&format!(": {s_text}"));
        }
        source = s.source();
    }
    text
}

/// The SMTP connection pool for a run.
pub fn smtp(
    cfg: &SmtpConfig,
    password: Option<String>,
    ca: Option<Vec<u8>>,
    timeout: Duration,
    connections: usize,
) -> Result<lettre::SmtpTransport, String> {
    let mut tls = TlsParameters::builder(cfg.host.clone());
    if let Some(pem) = ca {
        let cert = Certificate::from_pem(&pem)
            .map_err(|e| format!("notifications.smtp.ca_file: not a PEM certificate: {e}"))?;
        tls = tls.add_root_certificate(cert);
    }
    let tls = tls
        .build_rustls()
        .map_err(|e| format!("notifications.smtp: TLS setup: {e}"))?;
    let mut b = lettre::SmtpTransport::builder_dangerous(cfg.host.clone())
        .port(cfg.port())
        .timeout(Some(timeout))
        .tls(match cfg.tls {
            SmtpTls::Implicit => Tls::Wrapper(tls),
            SmtpTls::Starttls => Tls::Required(tls),
            SmtpTls::None => Tls::None,
        });
    if let (Some(user), Some(pass)) = (&cfg.username, password) {
        b = b.credentials(Credentials::new(user.clone(), pass));
    }
    let pool = lettre::transport::smtp::PoolConfig::new()
        .max_size(u32::try_from(connections).unwrap_or(u32::MAX));
    Ok(b.pool_config(pool).build())
}

pub fn send_mail(
    transport: &lettre::SmtpTransport,
    from: &lettre::message::Mailbox,
    to: &str,
    raw: &str,
) -> Result<(), Failure> {
    let to: lettre::Address = to
        .parse()
        .map_err(|e| Failure::new(format!("`{to}` is not a mail address: {e}")))?;
    let envelope = lettre::address::Envelope::new(Some(from.email.clone()), vec![to])
        .map_err(|e| Failure::new(e.to_string()))?;
    transport
        .send_raw(&envelope, raw.as_bytes())
        .map(|_| ())
        .map_err(|e| {
            let code = e
                .status()
                .map(|c| format!("SMTP {c}: "))
                .unwrap_or_default();
            Failure {
                permanent: e.is_permanent(),
                ..Failure::new(format!("{code}{}", chain(&e)))
            }
        })
}

/// `whsec_` + base64: the key bytes.
pub fn webhook_key(secret: &str) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    let b64 = secret
        .trim()
        .strip_prefix("whsec_")
        .unwrap_or(secret.trim());
    let key = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(b64))
        .map_err(|_| "a webhook secret is `whsec_` followed by base64".to_owned())?;
    if key.len() < 16 {
        return Err("a webhook secret needs at least 16 bytes (24 base64 characters)".to_owned());
    }
    Ok(key)
}

/// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.
pub fn signature(key: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    use base64::Engine as _;
    let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    let tag = ring::hmac::sign(&k, format!("{id}.{timestamp}.{body}").as_bytes());
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(tag.as_ref())
    )
}

/// POSTs `body`; signed when `key` is given.
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    body: &str,
    id: &str,
    key: Option<&[u8]>,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    let mut req = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(key) = key {
        let ts = now.timestamp();
        req = req
            .header("webhook-id", id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", signature(key, id, ts, body));
    }
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let resp = req
        .send()
        .await
        .map_err(|e| Failure::new(format!("POST to {host}: {}", chain(&e))))?;
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, now));
    let text: String = resp
        .text()
        .await
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    Err(Failure {
        error: format!("POST to {host}: HTTP {}: {}", status.as_u16(), text.trim()),
        retry_after,
        // Slack and Teams answer 410 for a webhook that was removed.
        permanent: status == reqwest::StatusCode::GONE,
    })
}

/// `Retry-After`: seconds, or an HTTP date.
pub fn parse_retry_after(v: &str, now: DateTime<Utc>) -> Option<Duration> {
    if let Ok(s) = v.trim().parse::<u64>() {
        return Some(Duration::from_secs(s));
    }
    let t = DateTime::parse_from_rfc2822(v.trim()).ok()?.to_utc();
    (t - now).to_std().ok()
}

/// When to try again after `attempts` failures: 1, 2, 4 … minutes, at most
/// 6 hours, or later if the other side asked.
pub fn next_attempt(
    now: DateTime<Utc>,
    attempts: u32,
    retry_after: Option<Duration>,
) -> DateTime<Utc> {
    let backoff = chrono::Duration::minutes(1i64 << attempts.saturating_sub(1).min(9))
        .min(chrono::Duration::hours(6));
    let asked = retry_after
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .unwrap_or_default()
        .min(chrono::Duration::days(1));
    now + backoff.max(asked)
}
