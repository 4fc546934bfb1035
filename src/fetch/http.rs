//! The one HTTP client: timeouts, retries with backoff and jitter that honour
//! `Retry-After`, a per-tenant request budget, a cap on response size, and
//! no bearer token sent to any origin but the configured one.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use reqwest::{Method, StatusCode, Url};

use crate::config::FetchSettings;

/// Why a request or a source failed. Messages are English, name the host
/// and never contain a secret or a token.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP {status} from {host} after {attempts} attempt(s){detail}")]
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
    #[error("{host}: {phase} within {seconds:.0} s ({attempts} attempt(s))")]
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
    #[error("cannot reach {host}: {reason} ({attempts} attempt(s))")]
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

/// `action (code: description)`, or `code: description` when there is
/// nothing to advise.
fn auth_text(code: &str, description: &str, action: Option<&str>) -> String {
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

/// Request and retry counts (for the summary).
#[derive(Debug, Default)]
pub struct Counters {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
}

impl Counters {
    pub fn get(&self) -> (u64, u64) {
        (
            self.requests.load(Ordering::Relaxed),
            self.retries.load(Ordering::Relaxed),
        )
    }
}

/// One HTTP answer, read in full (up to the cap) and decoded. It holds
/// its share of the in-flight budget until it is dropped.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
    pub headers: reqwest::header::HeaderMap,
    _budget: Option<tokio::sync::OwnedSemaphorePermit>,
}

/// What to send.
pub struct Request<'a> {
    pub method: Method,
    pub url: Url,
    pub bearer: Option<&'a str>,
    pub headers: Vec<(String, String)>,
    pub form: Option<Vec<(&'a str, &'a str)>>,
    /// The origin credentials may go to (`https://graph.microsoft.com`).
    pub allowed_origin: Option<&'a str>,
    /// The tenant whose request budget this spends.
    pub tenant: Option<&'a str>,
}

impl<'a> Request<'a> {
    pub fn get(url: Url) -> Self {
        Request {
            method: Method::GET,
            url,
            bearer: None,
            headers: Vec::new(),
            form: None,
            allowed_origin: None,
            tenant: None,
        }
    }
}

pub struct Http {
    client: reqwest::Client,
    settings: FetchSettings,
    budgets: Mutex<HashMap<String, VecDeque<Instant>>>,
    seed: AtomicU64,
    /// Bytes of answers being read or held, in KiB permits, across every
    /// concurrent request (`fetch.max_in_flight_bytes`).
    in_flight: std::sync::Arc<tokio::sync::Semaphore>,
}

/// Budget permits are KiB.
const KIB: u64 = 1024;

fn kib(bytes: u64) -> u32 {
    u32::try_from(bytes.div_ceil(KIB)).unwrap_or(u32::MAX)
}

pub fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

fn host(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => url.as_str().chars().take(60).collect(),
    }
}

/// `Retry-After`: seconds (integer or fractional) or an HTTP-date.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(at.timestamp()).ok()?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The `{"error":{"code","message"}}` envelope (Graph, ARM) or ARM's bare
/// `{code, message}`, or Partner Center's `{statusCode, message}`, shortened.
fn error_detail(body: &[u8]) -> String {
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
fn error_code(body: &[u8]) -> Option<String> {
    let v = serde_json::from_slice::<serde_json::Value>(body).ok()?;
    let e = v.get("error").filter(|e| e.is_object()).unwrap_or(&v);
    e.get("code")
        .and_then(|c| c.as_str())
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
}

enum Attempt {
    Done(Answer),
    Retry {
        after: Option<Duration>,
        error: FetchError,
    },
    Fail(FetchError),
}

impl Http {
    pub fn new(settings: &FetchSettings) -> Result<Http, FetchError> {
        // Redirects are followed only within one origin, so a token never
        // travels to another host through a 3xx.
        let policy = reqwest::redirect::Policy::custom(|attempt| {
            let first = attempt.previous().first().map(origin);
            if attempt.previous().len() > 5 {
                attempt.error("too many redirects")
            } else if first.as_deref() == Some(origin(attempt.url()).as_str()) {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        // No total timeout here: the waits for headers and for the body
        // are timed apart, so a message can say which one ran out.
        let client = reqwest::Client::builder()
            .user_agent(concat!("statusfleet/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(settings.connect_timeout())
            .redirect(policy)
            .build()
            .map_err(|e| FetchError::Unsupported(format!("cannot start the HTTP client: {e}")))?;
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0x9e37_79b9, |d| d.as_nanos() as u64);
        let permits = kib(settings.max_in_flight_bytes)
            .clamp(1, tokio::sync::Semaphore::MAX_PERMITS as u32) as usize;
        Ok(Http {
            client,
            settings: settings.clone(),
            budgets: Mutex::new(HashMap::new()),
            seed: AtomicU64::new(seed | 1),
            in_flight: std::sync::Arc::new(tokio::sync::Semaphore::new(permits)),
        })
    }

    pub fn settings(&self) -> &FetchSettings {
        &self.settings
    }

    /// A number in [0, 1) for jitter (xorshift; no cryptographic use).
    fn random(&self) -> f64 {
        let mut x = self.seed.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.seed.store(x, Ordering::Relaxed);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Waits until the tenant may send another request: at most
    /// `tenant_requests_per_minute` in any 60 s window. No lock is held
    /// while waiting.
    async fn spend_budget(&self, tenant: &str) {
        let limit = self.settings.tenant_requests_per_minute as usize;
        let window = Duration::from_secs(60);
        loop {
            let wait = {
                let mut map = self.budgets.lock().expect("budget lock");
                let q = map.entry(tenant.to_owned()).or_default();
                let now = Instant::now();
                while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
                    q.pop_front();
                }
                if q.len() < limit {
                    q.push_back(now);
                    None
                } else {
                    q.front().map(|t| window - now.duration_since(*t))
                }
            };
            match wait {
                None => return,
                Some(d) => tokio::time::sleep(d).await,
            }
        }
    }

    fn backoff(&self, retry: u32) -> Duration {
        let base = self.settings.backoff_seconds * f64::from(1u32 << retry.min(10));
        let capped = base.min(60.0);
        // "Equal jitter": half fixed, half random.
        Duration::from_secs_f64(capped / 2.0 + capped / 2.0 * self.random())
    }

    /// Sends `req`, retrying 429, 5xx, timeouts and resets; returns any
    /// other answer (2xx or a final 4xx) for the caller to judge.
    pub async fn send(&self, req: &Request<'_>, counters: &Counters) -> Result<Answer, FetchError> {
        if let (Some(_), Some(allowed)) = (req.bearer, req.allowed_origin)
            && origin(&req.url) != allowed
        {
            return Err(FetchError::ForeignHost {
                host: host(&req.url),
                allowed: allowed.to_owned(),
            });
        }
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if let Some(t) = req.tenant {
                self.spend_budget(t).await;
            }
            counters.requests.fetch_add(1, Ordering::Relaxed);
            let outcome = self.attempt(req, attempt).await;
            match outcome {
                Attempt::Done(a) => return Ok(a),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry { after, error } => {
                    if attempt > self.settings.retries {
                        return Err(error);
                    }
                    let delay = match after {
                        Some(d) if d.as_secs_f64() > self.settings.max_retry_after_seconds => {
                            return Err(FetchError::RetryTooLong {
                                host: host(&req.url),
                                seconds: d.as_secs_f64(),
                                limit: self.settings.max_retry_after_seconds,
                            });
                        }
                        // A little jitter on top, so a fleet of tenants told
                        // the same Retry-After does not come back at once.
                        Some(d) => d + Duration::from_secs_f64(0.05 * self.random()),
                        None => self.backoff(attempt - 1),
                    };
                    counters.retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    async fn attempt(&self, req: &Request<'_>, attempt: u32) -> Attempt {
        let h = host(&req.url);
        let mut b = self
            .client
            .request(req.method.clone(), req.url.clone())
            .header("Accept", "application/json");
        if let Some(token) = req.bearer {
            b = b.bearer_auth(token);
        }
        for (k, v) in &req.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        if let Some(form) = &req.form {
            b = b.form(form);
        }
        // Ask for gzip and decode it here, so the size cap applies to
        // the decoded bytes.
        b = b.header("Accept-Encoding", "gzip");
        let sent = tokio::time::timeout(self.settings.timeout(), b.send()).await;
        let resp = match sent {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                return Attempt::Retry {
                    after: None,
                    error: self.transport(&e, &h, attempt, TimeoutPhase::Headers),
                };
            }
            Err(_) => {
                return Attempt::Retry {
                    after: None,
                    error: FetchError::Timeout {
                        host: h,
                        phase: TimeoutPhase::Headers,
                        seconds: self.settings.timeout_seconds,
                        attempts: attempt,
                    },
                };
            }
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        let retry_after = headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let read = tokio::time::timeout(self.settings.timeout(), self.read_capped(resp, &h)).await;
        let (body, permit) = match read {
            Ok(Ok(b)) => b,
            Ok(Err(BodyError::Fetch(e))) => return Attempt::Fail(e),
            Ok(Err(BodyError::Busy(e))) => {
                return Attempt::Retry {
                    after: None,
                    error: e,
                };
            }
            Ok(Err(BodyError::Transport(e))) => {
                return Attempt::Retry {
                    after: None,
                    error: self.transport(&e, &h, attempt, TimeoutPhase::Body),
                };
            }
            Err(_) => {
                return Attempt::Retry {
                    after: None,
                    error: FetchError::Timeout {
                        host: h,
                        phase: TimeoutPhase::Body,
                        seconds: self.settings.timeout_seconds,
                        attempts: attempt,
                    },
                };
            }
        };
        let retryable = status == StatusCode::TOO_MANY_REQUESTS
            || matches!(status.as_u16(), 500 | 502 | 503 | 504);
        if retryable {
            return Attempt::Retry {
                after: retry_after,
                error: FetchError::Status {
                    status: status.as_u16(),
                    host: h,
                    attempts: attempt,
                    detail: error_detail(&body),
                    code: error_code(&body),
                },
            };
        }
        Attempt::Done(Answer {
            status,
            body,
            headers,
            _budget: permit,
        })
    }

    fn transport(
        &self,
        e: &reqwest::Error,
        host: &str,
        attempts: u32,
        phase: TimeoutPhase,
    ) -> FetchError {
        if e.is_timeout() {
            let (phase, seconds) = if e.is_connect() {
                (TimeoutPhase::Connect, self.settings.connect_timeout_seconds)
            } else {
                (phase, self.settings.timeout_seconds)
            };
            FetchError::Timeout {
                host: host.to_owned(),
                phase,
                seconds,
                attempts,
            }
        } else {
            // The innermost cause names the problem (refused, reset, DNS);
            // reqwest's own text would repeat the URL.
            let mut reason = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(s) = src {
                reason = s.to_string();
                src = s.source();
            }
            FetchError::Network {
                host: host.to_owned(),
                reason,
                attempts,
            }
        }
    }

    /// Reads the body, decoding gzip, never holding more than the cap
    /// (decoded) nor more than the in-flight budget allows: the budget is
    /// taken as the body grows and waited for only before the first byte,
    /// so two answers can never wait on each other.
    async fn read_capped(
        &self,
        mut resp: reqwest::Response,
        h: &str,
    ) -> Result<(Vec<u8>, Option<tokio::sync::OwnedSemaphorePermit>), BodyError> {
        let limit = self.settings.max_response_bytes;
        let announced = resp.content_length();
        let encoding = resp
            .headers()
            .get(reqwest::header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_ascii_lowercase())
            .filter(|v| !v.is_empty() && v != "identity");
        let gzip = match encoding.as_deref() {
            None => false,
            Some("gzip" | "x-gzip") => true,
            Some(other) => {
                return Err(BodyError::Fetch(FetchError::Encoding {
                    host: h.to_owned(),
                    encoding: other.to_owned(),
                    reason: "only gzip was asked for".into(),
                }));
            }
        };
        if let Some(n) = announced.filter(|n| *n > limit) {
            return Err(BodyError::Fetch(FetchError::TooLarge {
                host: h.to_owned(),
                limit,
                detail: format!("; it said Content-Length: {n}"),
            }));
        }
        // The first share: what the answer says it is (or 64 KiB),
        // waited for while this request holds nothing else.
        let first = announced.unwrap_or(64 * KIB).clamp(KIB, limit.max(KIB));
        let budget = self.settings.max_in_flight_bytes;
        let mut permit = std::sync::Arc::clone(&self.in_flight)
            .acquire_many_owned(kib(first).min(kib(budget)))
            .await
            .expect("the in-flight budget is never closed");
        let mut held = permit.num_permits() as u64 * KIB;
        let mut sink = Capped {
            bytes: Vec::with_capacity(usize::try_from(first.min(limit)).unwrap_or(0)),
            limit,
        };
        let mut decoder = gzip.then(|| flate2::write::GzDecoder::new(Vec::new()));
        let mut compressed = 0u64;
        while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
            compressed += chunk.len() as u64;
            if compressed > limit {
                return Err(BodyError::Fetch(FetchError::TooLarge {
                    host: h.to_owned(),
                    limit,
                    detail: String::new(),
                }));
            }
            match decoder.as_mut() {
                None => sink.push(&chunk),
                Some(d) => inflate(d, &chunk, &mut sink),
            }
            .map_err(|e| self.body_error(e, h, gzip, compressed))?;
            // Grow the budget share with the body, without waiting.
            let now = sink.bytes.len() as u64;
            if now > held {
                let more = kib(now - held).max(kib(64 * KIB));
                match std::sync::Arc::clone(&self.in_flight).try_acquire_many_owned(more) {
                    Ok(p) => {
                        permit.merge(p);
                        held = permit.num_permits() as u64 * KIB;
                    }
                    Err(_) => {
                        return Err(BodyError::Busy(FetchError::InFlight {
                            host: h.to_owned(),
                            read: now,
                            budget,
                        }));
                    }
                }
            }
        }
        if let Some(d) = decoder {
            let rest = d.finish().map_err(|e| {
                self.body_error(SinkError::Corrupt(e.to_string()), h, gzip, compressed)
            })?;
            sink.push(&rest)
                .map_err(|e| self.body_error(e, h, gzip, compressed))?;
        }
        Ok((sink.bytes, Some(permit)))
    }

    fn body_error(&self, e: SinkError, h: &str, gzip: bool, compressed: u64) -> BodyError {
        BodyError::Fetch(match e {
            SinkError::Full => FetchError::TooLarge {
                host: h.to_owned(),
                limit: self.settings.max_response_bytes,
                detail: if gzip {
                    format!(
                        "; {compressed} bytes of gzip decompress to more (a decompression bomb?)"
                    )
                } else {
                    String::new()
                },
            },
            SinkError::Corrupt(reason) => FetchError::Encoding {
                host: h.to_owned(),
                encoding: "gzip".into(),
                reason,
            },
        })
    }
}

/// The decoded body, refusing to grow past the cap.
struct Capped {
    bytes: Vec<u8>,
    limit: u64,
}

enum SinkError {
    Full,
    Corrupt(String),
}

impl Capped {
    fn push(&mut self, b: &[u8]) -> Result<(), SinkError> {
        if self.bytes.len() as u64 + b.len() as u64 > self.limit {
            return Err(SinkError::Full);
        }
        self.bytes.extend_from_slice(b);
        Ok(())
    }
}

/// Feeds compressed bytes to the decoder and moves what it produced into
/// the capped sink, so decoded bytes never pile up beyond the cap.
fn inflate(
    d: &mut flate2::write::GzDecoder<Vec<u8>>,
    chunk: &[u8],
    sink: &mut Capped,
) -> Result<(), SinkError> {
    use std::io::Write as _;
    // Small steps: one input byte can decode to about 1,000 output bytes,
    // so the cap is overshot by at most about 512 KiB before it is seen.
    for piece in chunk.chunks(512) {
        d.write_all(piece)
            .map_err(|e| SinkError::Corrupt(e.to_string()))?;
        let out = std::mem::take(d.get_mut());
        sink.push(&out)?;
    }
    Ok(())
}

enum BodyError {
    Fetch(FetchError),
    /// The in-flight budget is spent: retried later.
    Busy(FetchError),
    Transport(reqwest::Error),
}

/// Parses a JSON body, naming what it was and where it broke.
pub fn parse_json<T: serde::de::DeserializeOwned>(
    what: &str,
    url: &Url,
    body: &[u8],
) -> Result<T, FetchError> {
    serde_json::from_slice(body).map_err(|e| FetchError::Malformed {
        what: what.to_owned(),
        host: host(url),
        reason: format!("line {} column {}: {e}", e.line(), e.column()),
    })
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

#[cfg(test)]
mod tests;
