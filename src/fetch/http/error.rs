//! Why a request failed, in words that name the host and the fix, never a
//! secret.

use super::*;

use reqwest::Url;

/// Why a request or a source failed. Messages are English, name the host
/// and never contain a secret or a token.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP {status} from {host} after {}{detail}", crate::text::counted(*.attempts as usize, "attempt", "attempts"))]
    Status {
        status: u16,
        host: String,
        attempts: u32,
        /// `: code: message` from the error envelope, if any.
        detail: String,
        /// The envelope's error code (`NoRegisteredProviderFound`).
        code: Option<String>,
    },
    #[error(
        "{what} from {host}: page {page} failed ({reason}); the listing is incomplete, so none of it is used (an expired skip token is retried on the next run)"
    )]
    Paging {
        what: String,
        host: String,
        page: usize,
        reason: String,
    },
    #[error("{host}: {phase} within {seconds:.0} s ({}))", crate::text::counted(*.attempts as usize, "attempt", "attempts"))]
    Timeout {
        host: String,
        phase: TimeoutPhase,
        seconds: f64,
        attempts: u32,
    },
    #[error(
        "{what} did not finish within its deadline of {seconds:.0} s (fetch.source_deadline_seconds); {done}"
    )]
    Deadline {
        what: String,
        seconds: f64,
        /// What was under way when it fired.
        done: String,
    },
    #[error("cannot reach {host}: {reason} ({}))", crate::text::counted(*.attempts as usize, "attempt", "attempts"))]
    Network {
        host: String,
        reason: String,
        attempts: u32,
    },
    #[error(
        "throttled by {host}: Retry-After {seconds:.0} s is longer than the {limit:.0} s allowed"
    )]
    RetryTooLong {
        host: String,
        seconds: f64,
        limit: f64,
    },
    #[error("answer from {host} is larger than {limit} bytes{detail}")]
    TooLarge {
        host: String,
        limit: u64,
        /// How it was found out (`; it said Content-Length: …`, or that a
        /// compressed answer decompresses to more: a gzip bomb).
        detail: String,
    },
    #[error(
        "answer from {host} was dropped at {read} bytes: the answers in flight together reached fetch.max_in_flight_bytes ({budget} bytes)"
    )]
    InFlight {
        host: String,
        read: u64,
        budget: u64,
    },
    #[error("answer from {host} is not valid {encoding}: {reason}")]
    Encoding {
        host: String,
        encoding: String,
        reason: String,
    },
    #[error("{what} from {host} has more than {limit} pages; stopped following links")]
    TooManyPages {
        what: String,
        host: String,
        limit: usize,
    },
    #[error("{what} from {host} is not what was expected: {reason}")]
    Malformed {
        what: String,
        host: String,
        reason: String,
    },
    #[error("refusing to send credentials to {host}: only {allowed} is configured")]
    ForeignHost { host: String, allowed: String },
    #[error("sign-in to {host} failed: {}", auth_text(code, description, action.as_deref()))]
    Auth {
        host: String,
        code: String,
        description: String,
        /// What to do about it, when the error is one partners meet.
        action: Option<String>,
    },
    #[error("credentials `{name}`: {reason}")]
    Secret { name: String, reason: String },
    #[error("{0}")]
    Unsupported(String),
}

impl FetchError {
    /// What the operator can do about it, in English, for the partner
    /// console and the history store (never for customer pages).
    pub fn advice(&self) -> Option<String> {
        let retried = "it is retried at the next run; nothing to do unless it persists";
        Some(match self {
            FetchError::Auth { action: Some(a), .. } => a.clone(),
            FetchError::Auth { action: None, .. } => "the sign-in was refused: check the credentials' client id and secret or certificate, and that the app is consented in this tenant".to_owned(),
            FetchError::Status { status: 401, host, .. } => format!("{host} refused the token: check that the credentials are for this tenant's cloud and that admin consent was granted"),
            FetchError::Status { status: 403, host, .. } => format!("the app lacks permission at {host}: Microsoft Graph needs ServiceHealth.Read.All and ServiceMessage.Read.All (application permissions, consented in the tenant); Azure needs the Reader role on each subscription"),
            FetchError::Status { status: 404, .. } => "no such resource: check the tenant id, the subscription and the cloud (21Vianet tenants need `cloud: china`)".to_owned(),
            FetchError::Status { status: 429 | 500..=599, .. }
            | FetchError::RetryTooLong { .. }
            | FetchError::Paging { .. } => retried.to_owned(),
            FetchError::Status { .. } => return None,
            FetchError::Timeout { host, .. } => format!("{host} answered too slowly: {retried}; raise fetch.timeout_seconds if it does"),
            FetchError::Deadline { .. } => "raise fetch.source_deadline_seconds, or lower fetch.concurrency".to_owned(),
            FetchError::Network { host, .. } => format!("check DNS, the firewall and any proxy between this machine and {host}"),
            FetchError::TooLarge { .. } => "raise fetch.max_response_bytes if the answer is genuine".to_owned(),
            FetchError::InFlight { .. } => "raise fetch.max_in_flight_bytes, or lower fetch.concurrency".to_owned(),
            FetchError::TooManyPages { .. } => "raise fetch.max_pages if the listing is genuine".to_owned(),
            FetchError::Malformed { .. } | FetchError::Encoding { .. } => format!("the upstream answered something unexpected: {retried}; report it if it does"),
            FetchError::ForeignHost { .. } => "check the `clouds:` overrides and the source's URL".to_owned(),
            FetchError::Secret { reason, .. } if reason.contains("is not set") => "set the variable in the build's environment (systemd `EnvironmentFile=`, a CI secret), or name a file holding the secret".to_owned(),
            FetchError::Secret { .. } => "check the credentials' secret or certificate file".to_owned(),
            FetchError::Unsupported(_) => return None,
        })
    }
}

/// `action (code: description)`, or `code: description` when there is
/// nothing to advise.
pub(super) fn auth_text(code: &str, description: &str, action: Option<&str>) -> String {
    let raw = if description.is_empty() {
        code.to_owned()
    } else {
        format!("{code}: {description}")
    };
    match action {
        Some(a) => format!("{a} ({raw})"),
        None => raw,
    }
}

/// Which wait of a request ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutPhase {
    /// No connection within `fetch.connect_timeout_seconds`.
    Connect,
    /// Connected, but no status line and headers within
    /// `fetch.timeout_seconds`.
    Headers,
    /// Headers arrived, the body did not finish within
    /// `fetch.timeout_seconds`.
    Body,
}

impl std::fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TimeoutPhase::Connect => "could not connect",
            TimeoutPhase::Headers => "sent no answer",
            TimeoutPhase::Body => "headers arrived, the body did not finish",
        })
    }
}

/// The `{"error":{"code","message"}}` envelope (Graph, ARM) or ARM's bare
/// `{code, message}`, or Partner Center's `{statusCode, message}`, shortened.
pub(super) fn error_detail(body: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return String::new();
    };
    let e = v.get("error").filter(|e| e.is_object()).unwrap_or(&v);
    let code = e.get("code").and_then(|c| c.as_str()).unwrap_or("");
    let msg = e.get("message").and_then(|c| c.as_str()).unwrap_or("");
    let mut out = match (code, msg) {
        ("", "") => return String::new(),
        (c, "") => format!(": {c}"),
        ("", m) => format!(": {m}"),
        (c, m) => format!(": {c}: {m}"),
    };
    if out.len() > 200 {
        let cut = (0..=200)
            .rev()
            .find(|i| out.is_char_boundary(*i))
            .unwrap_or(0);
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// The error code of a Graph or ARM error envelope.
pub(super) fn error_code(body: &[u8]) -> Option<String> {
    let v = serde_json::from_slice::<serde_json::Value>(body).ok()?;
    let e = v.get("error").filter(|e| e.is_object()).unwrap_or(&v);
    e.get("code")
        .and_then(|c| c.as_str())
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
}

/// A non-2xx final answer as an error.
pub fn status_error(url: &Url, answer: &Answer, attempts: u32) -> FetchError {
    FetchError::Status {
        status: answer.status.as_u16(),
        host: host(url),
        attempts,
        detail: error_detail(&answer.body),
        code: error_code(&answer.body),
    }
}

pub fn host_of(url: &Url) -> String {
    host(url)
}
