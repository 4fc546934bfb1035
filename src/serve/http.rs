//! The preview's HTTP side: `hyper` connections, an `axum` router for the
//! preview's own files, and the site's files through `tower-http`'s
//! `ServeDir`, with pages given the reload script on the way out.

use std::convert::Infallible;
use std::path::{Component, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http_body_util::BodyExt;
use hyper_util::rt::{TokioIo, TokioTimer};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use super::pages::{PREVIEW_CSP, RELOAD_JS, error_page, fleet_page, with_reload};
use super::{HEADER_TIMEOUT, LONG_POLL, MAX_CONNECTIONS, PREFIX, Shared};

/// Accepts connections until the process is stopped.
pub(super) async fn run(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let app = router(shared);
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let slot = Arc::clone(&slots).try_acquire_owned().ok();
        let app = app.clone();
        tokio::spawn(async move {
            let busy = slot.is_none();
            let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let app = app.clone();
                async move {
                    if busy {
                        return Ok::<_, Infallible>(plain(
                            StatusCode::SERVICE_UNAVAILABLE,
                            "busy\n",
                        ));
                    }
                    app.oneshot(req.map(Body::new)).await
                }
            });
            let mut http1 = hyper::server::conn::http1::Builder::new();
            http1
                .title_case_headers(true)
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT);
            let _ = http1.serve_connection(TokioIo::new(stream), service).await;
            drop(slot);
        });
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(&format!("{PREFIX}reload.js"), get(reload_js))
        .route(&format!("{PREFIX}events"), get(events))
        .fallback(site)
        .layer(axum::middleware::map_response(preview_headers))
        .with_state(shared)
}

/// Every answer: never cached (the next build changes it), never sniffed;
/// the site's text files are UTF-8, which `ServeDir`'s types do not say.
async fn preview_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(kind) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        && kind.starts_with("text/")
        && !kind.contains("charset")
        && let Ok(v) = HeaderValue::from_str(&format!("{kind}; charset=utf-8"))
    {
        headers.insert(header::CONTENT_TYPE, v);
    }
    response
}

async fn reload_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        RELOAD_JS,
    )
        .into_response()
}

/// Answers once the build after `?since=N` is done (or [`LONG_POLL`]
/// passes), with the current build number.
async fn events(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let since = request
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|kv| kv.strip_prefix("since="))
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let mut builds = shared.builds.subscribe();
    let _ = tokio::time::timeout(LONG_POLL, builds.wait_for(|g| *g != since)).await;
    let generation = *builds.borrow();
    (
        [(header::CONTENT_TYPE, "application/json")],
        format!("{{\"generation\":{generation}}}"),
    )
        .into_response()
}

/// A file of the site. Pages (HTML, folders) show the error page while the
/// last build failed, and get the reload script.
async fn site(State(shared): State<Arc<Shared>>, mut request: Request) -> Response {
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            "only GET and HEAD\n",
        )
            .into_response();
    }
    let path = request.uri().path().to_owned();
    let Some(rel) = safe_path(&path) else {
        return plain(StatusCode::BAD_REQUEST, "bad path\n");
    };
    let (generation, failed) = shared.now();
    let file = shared.out.join(&rel);
    let is_page =
        rel.as_os_str().is_empty() || file.is_dir() || rel.extension().is_some_and(|e| e == "html");
    if !is_page {
        return serve_dir(&shared, request).await;
    }
    if let Some(lines) = failed {
        return page(
            StatusCode::INTERNAL_SERVER_ERROR,
            error_page(&lines, generation),
        );
    }
    if file.is_dir() && !path.ends_with('/') {
        return (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, format!("{path}/"))],
        )
            .into_response();
    }
    // The page is changed on the way out, so the file's ranges and
    // validators do not apply to it; HEAD is answered as GET without the
    // body (hyper leaves it out).
    for h in [
        header::RANGE,
        header::IF_RANGE,
        header::IF_MATCH,
        header::IF_NONE_MATCH,
        header::IF_MODIFIED_SINCE,
        header::IF_UNMODIFIED_SINCE,
    ] {
        request.headers_mut().remove(h);
    }
    *request.method_mut() = Method::GET;
    let response = serve_dir(&shared, request).await;
    if response.status() == StatusCode::NOT_FOUND && rel.as_os_str().is_empty() {
        return page(StatusCode::OK, fleet_page(&shared.out, generation));
    }
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if response.status() != StatusCode::OK || !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = body.collect().await.map(|b| b.to_bytes()) else {
        return plain(StatusCode::INTERNAL_SERVER_ERROR, "cannot read the page\n");
    };
    for h in [
        header::CONTENT_LENGTH,
        header::LAST_MODIFIED,
        header::ETAG,
        header::ACCEPT_RANGES,
    ] {
        parts.headers.remove(h);
    }
    let html = with_reload(&String::from_utf8_lossy(&bytes), generation);
    Response::from_parts(parts, Body::from(html))
}

async fn serve_dir(shared: &Shared, request: Request) -> Response {
    match ServeDir::new(&shared.out).oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

/// A page of the preview itself, under the preview's policy.
fn page(status: StatusCode, html: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, PREVIEW_CSP.1),
        ],
        html,
    )
        .into_response()
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// The request path as a relative path under the output, percent-decoded;
/// `None` for anything that could leave it, before `ServeDir` (which
/// refuses the same) sees it: a clear 400 rather than a file-system error.
pub(super) fn safe_path(path: &str) -> Option<PathBuf> {
    // A `%` must start an escape (the decoder passes a stray one through).
    let bytes = path.as_bytes();
    let well_formed = bytes.iter().enumerate().all(|(i, b)| {
        *b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    if !decoded.starts_with('/') || decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    if decoded.split('/').any(|seg| seg == "." || seg == "..") {
        return None;
    }
    let rel = PathBuf::from(decoded.trim_start_matches('/'));
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(rel)
}
