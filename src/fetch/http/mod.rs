//! The one HTTP client: timeouts, retries with backoff and jitter that honour
//! `Retry-After`, a per-tenant request budget, a cap on response size, and
//! no bearer token sent to any origin but the configured one.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use reqwest::{Method, StatusCode, Url};

use crate::config::FetchSettings;

mod body;
mod error;
pub use body::*;
pub use error::*;

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
}

#[cfg(test)]
mod tests;
