//! Reading an answer: decompressed as it arrives, never past the size cap,
//! parsed with its location.

use super::*;

use reqwest::Url;

impl Http {
    /// Reads the body, decoding gzip, never holding more than the cap
    /// (decoded) nor more than the in-flight budget allows: the budget is
    /// taken as the body grows and waited for only before the first byte,
    /// so two answers can never wait on each other.
    pub(super) async fn read_capped(
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

    pub(super) fn body_error(
        &self,
        e: SinkError,
        h: &str,
        gzip: bool,
        compressed: u64,
    ) -> BodyError {
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
pub(super) struct Capped {
    bytes: Vec<u8>,
    limit: u64,
}

pub(super) enum SinkError {
    Full,
    Corrupt(String),
}

impl Capped {
    pub(super) fn push(&mut self, b: &[u8]) -> Result<(), SinkError> {
        if self.bytes.len() as u64 + b.len() as u64 > self.limit {
            return Err(SinkError::Full);
        }
        self.bytes.extend_from_slice(b);
        Ok(())
    }
}

/// Feeds compressed bytes to the decoder and moves what it produced into
/// the capped sink, so decoded bytes never pile up beyond the cap.
pub(super) fn inflate(
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

pub(super) enum BodyError {
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
