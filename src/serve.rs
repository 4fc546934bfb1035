//! `statusfleet serve`: a local preview. Builds the site (offline) into a
//! temporary folder, serves it on 127.0.0.1, rebuilds when an input
//! changes, and reloads open pages. A failed build shows its errors in the
//! browser instead of a stale page.
//!
//! Only what the preview sends is changed: HTML responses get a small
//! same-origin script (and a policy that lets it run) that waits for the
//! next build and reloads. The files in the output folder, like every
//! built site, have no script at all.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::build::{BuildError, BuildOptions};
use crate::sanitize::escape;

/// Where the preview's own files live; no site file can have this name
/// (customer folders are slugs or base32).
const PREFIX: &str = "/__statusfleet/";
/// How often inputs are looked at.
const POLL: Duration = Duration::from_millis(200);
/// A change is built once the inputs have been still this long, so an
/// editor's save (write, rename, touch) gives one build.
const SETTLE: Duration = Duration::from_millis(150);
/// Longest wait of a page for the next build before it asks again.
const LONG_POLL: Duration = Duration::from_secs(25);
/// Connections served at once; more are turned away with 503.
const MAX_CONNECTIONS: usize = 64;

pub struct ServeOptions {
    pub config: PathBuf,
    pub port: u16,
}

/// The last build: its number (pages reload when it changes) and outcome.
struct State {
    generation: u64,
    /// `Err` holds the error lines of a failed build.
    outcome: Result<String, Vec<String>>,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    out: PathBuf,
    connections: AtomicUsize,
}

/// Runs the preview until the process is stopped.
pub fn serve(opts: &ServeOptions) -> anyhow::Result<()> {
    let work = temp_folder()?;
    let out = work.join("public");
    let listener = TcpListener::bind(("127.0.0.1", opts.port)).map_err(|e| {
        anyhow::anyhow!(
            "cannot listen on 127.0.0.1:{}: {e} (choose another port with --port)",
            opts.port
        )
    })?;
    let url = format!("http://{}/", listener.local_addr()?);
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            generation: 0,
            outcome: Err(vec!["not built yet".to_owned()]),
        }),
        changed: Condvar::new(),
        out: out.clone(),
        connections: AtomicUsize::new(0),
    });
    println!("building {} into {}", opts.config.display(), out.display());
    let mut watched = Watched::new(&opts.config);
    rebuild(&opts.config, &shared, &mut watched);
    println!("serving the preview at {url} (Ctrl-C to stop)");
    std::io::stdout().flush().ok();

    let config = opts.config.clone();
    let watcher_shared = Arc::clone(&shared);
    std::thread::spawn(move || watch(&config, &watcher_shared, watched));

    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        if shared.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
            let mut s = stream;
            respond(
                &mut s,
                503,
                "text/plain; charset=utf-8",
                &[],
                b"busy\n",
                false,
            );
            continue;
        }
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            let mut stream = stream;
            handle(&mut stream, &shared);
            shared.connections.fetch_sub(1, Ordering::SeqCst);
        });
    }
    Ok(())
}

/// A folder of our own under the system's temporary folder; those of
/// previews that are no longer running are removed.
fn temp_folder() -> anyhow::Result<PathBuf> {
    let base = std::env::temp_dir();
    if let Ok(entries) = std::fs::read_dir(&base) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name
                .strip_prefix("statusfleet-serve-")
                .and_then(|p| p.parse::<u32>().ok())
                && !Path::new(&format!("/proc/{pid}")).exists()
                && Path::new("/proc/self").exists()
            {
                std::fs::remove_dir_all(e.path()).ok();
            }
        }
    }
    let dir = base.join(format!("statusfleet-serve-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn rebuild(config: &Path, shared: &Shared, watched: &mut Watched) {
    let started = Instant::now();
    let result = crate::build::build(&BuildOptions {
        config: config.to_owned(),
        out: Some(shared.out.clone()),
        shard: None,
        only: None,
    });
    watched.refresh(config);
    let outcome = match result {
        Ok(s) => {
            let line = format!(
                "built {} customers × {} locales: {} pages, {} written, in {:.2} s",
                s.customers,
                s.locales,
                s.pages,
                s.write.written,
                started.elapsed().as_secs_f64()
            );
            println!("{line}");
            Ok(line)
        }
        Err(e) => {
            let lines = error_lines(&e);
            eprintln!("build failed; the browser shows:");
            for l in &lines {
                eprintln!("  {l}");
            }
            Err(lines)
        }
    };
    std::io::stdout().flush().ok();
    let mut state = shared.state.lock().expect("not poisoned");
    state.generation += 1;
    state.outcome = outcome;
    shared.changed.notify_all();
}

fn error_lines(e: &BuildError) -> Vec<String> {
    match e {
        BuildError::Input(errors) => errors.0.iter().map(ToString::to_string).collect(),
        other => {
            let mut lines = vec![other.to_string()];
            let mut source = std::error::Error::source(other);
            while let Some(s) = source {
                lines.push(format!("caused by: {s}"));
                source = s.source();
            }
            lines
        }
    }
}

/// The inputs of the site: the config, `content/`, `i18n/`, `themes/`, the
/// history store, snapshot files and logos, by size and modification time.
struct Watched {
    paths: Vec<PathBuf>,
    stamp: Vec<(PathBuf, u64, Option<SystemTime>)>,
}

impl Watched {
    fn new(config: &Path) -> Watched {
        let mut w = Watched {
            paths: Vec::new(),
            stamp: Vec::new(),
        };
        w.refresh(config);
        w
    }

    /// The paths to watch, from the config as it is now (a broken config
    /// keeps the last good list, plus the usual folders).
    fn refresh(&mut self, config: &Path) {
        let root = config.parent().unwrap_or(Path::new("")).to_owned();
        let root = if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root
        };
        let mut paths = vec![
            config.to_owned(),
            root.join("content"),
            root.join("i18n"),
            root.join("themes"),
            root.join("data"),
        ];
        if let Ok(cfg) = crate::build::load_config(config) {
            paths.push(cfg.data_dir());
            for c in &cfg.customers {
                for s in &c.sources {
                    if let crate::config::SourceConfig::File { path } = s {
                        paths.push(cfg.root.join(path));
                    }
                }
                paths.extend(c.logo.iter().map(|l| cfg.root.join(l)));
            }
            paths.extend(cfg.site.partner.logo.iter().map(|l| cfg.root.join(l)));
        } else {
            paths.extend(self.paths.iter().cloned());
        }
        paths.sort();
        paths.dedup();
        self.paths = paths;
        self.stamp = self.scan();
    }

    fn scan(&self) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
        let mut out = Vec::new();
        for p in &self.paths {
            for e in walkdir::WalkDir::new(p)
                .sort_by_file_name()
                .into_iter()
                .flatten()
            {
                if let Ok(m) = e.metadata() {
                    let len = if m.is_file() { m.len() } else { u64::MAX };
                    out.push((e.path().to_owned(), len, m.modified().ok()));
                }
            }
        }
        out
    }

    /// Whether anything changed since the last look; waits until the
    /// changes settle.
    fn changed(&mut self) -> bool {
        let now = self.scan();
        if now == self.stamp {
            return false;
        }
        let mut last = now;
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            std::thread::sleep(SETTLE);
            let again = self.scan();
            if again == last || Instant::now() > deadline {
                self.stamp = again;
                return true;
            }
            last = again;
        }
    }
}

fn watch(config: &Path, shared: &Shared, mut watched: Watched) {
    loop {
        std::thread::sleep(POLL);
        if watched.changed() {
            println!("change seen; rebuilding");
            rebuild(config, shared, &mut watched);
        }
    }
}

/// One request, then the connection is closed.
fn handle(stream: &mut TcpStream, shared: &Shared) {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
    stream.set_write_timeout(Some(Duration::from_secs(5))).ok();
    let Some((method, target)) = read_request(stream) else {
        respond(
            stream,
            400,
            "text/plain; charset=utf-8",
            &[],
            b"bad request\n",
            false,
        );
        return;
    };
    let head = method == "HEAD";
    if method != "GET" && !head {
        respond(
            stream,
            405,
            "text/plain; charset=utf-8",
            &[("Allow", "GET, HEAD")],
            b"only GET and HEAD\n",
            false,
        );
        return;
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    if let Some(own) = path.strip_prefix(PREFIX) {
        match own {
            "reload.js" => respond(
                stream,
                200,
                "text/javascript; charset=utf-8",
                &[],
                RELOAD_JS.as_bytes(),
                head,
            ),
            "events" => {
                let since = query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("since="))
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
                let generation = wait_for_build(shared, since);
                respond(
                    stream,
                    200,
                    "application/json",
                    &[],
                    format!("{{\"generation\":{generation}}}").as_bytes(),
                    head,
                );
            }
            _ => not_found(stream, head),
        }
        return;
    }
    let Some(rel) = safe_path(path) else {
        respond(
            stream,
            400,
            "text/plain; charset=utf-8",
            &[],
            b"bad path\n",
            false,
        );
        return;
    };
    let (generation, failed) = {
        let state = shared.state.lock().expect("not poisoned");
        (state.generation, state.outcome.clone().err())
    };
    let file = shared.out.join(&rel);
    let is_page =
        rel.as_os_str().is_empty() || file.is_dir() || rel.extension().is_some_and(|e| e == "html");
    if let Some(lines) = failed
        && is_page
    {
        let html = error_page(&lines, generation);
        respond(
            stream,
            500,
            "text/html; charset=utf-8",
            &[PREVIEW_CSP],
            html.as_bytes(),
            head,
        );
        return;
    }
    if file.is_dir() {
        if !path.ends_with('/') {
            let location = format!("{path}/");
            respond(
                stream,
                301,
                "text/plain; charset=utf-8",
                &[("Location", &location)],
                b"",
                head,
            );
            return;
        }
        let index = file.join("index.html");
        if index.is_file() {
            serve_file(stream, &index, generation, head);
        } else if rel.as_os_str().is_empty() {
            let html = fleet_page(&shared.out, generation);
            respond(
                stream,
                200,
                "text/html; charset=utf-8",
                &[PREVIEW_CSP],
                html.as_bytes(),
                head,
            );
        } else {
            not_found(stream, head);
        }
        return;
    }
    if file.is_file() {
        serve_file(stream, &file, generation, head);
    } else {
        not_found(stream, head);
    }
}

/// Waits until the build after `since` is done (or [`LONG_POLL`] passes);
/// returns the current build number.
fn wait_for_build(shared: &Shared, since: u64) -> u64 {
    let state = shared.state.lock().expect("not poisoned");
    let (state, _) = shared
        .changed
        .wait_timeout_while(state, LONG_POLL, |s| s.generation == since)
        .expect("not poisoned");
    state.generation
}

/// The request line of an HTTP/1.x request, headers read and ignored.
fn read_request(stream: &mut TcpStream) -> Option<(String, String)> {
    let mut reader = BufReader::new(stream.take(16 * 1024));
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    if !parts.next()?.starts_with("HTTP/1.") {
        return None;
    }
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        if header == "\r\n" || header == "\n" {
            break;
        }
    }
    Some((method, target))
}

/// The request path as a relative path under the output, percent-decoded;
/// `None` for anything that could leave it.
fn safe_path(path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(path)?;
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

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "atom" => "application/atom+xml",
        "ics" => "text/calendar; charset=utf-8",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        _ => "application/octet-stream",
    }
}

/// The preview's policy: the site's, plus its own script and its request
/// for the next build. Sent only by the preview.
const PREVIEW_CSP: (&str, &str) = (
    "Content-Security-Policy",
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'",
);

fn serve_file(stream: &mut TcpStream, file: &Path, generation: u64, head: bool) {
    let Ok(bytes) = std::fs::read(file) else {
        not_found(stream, head);
        return;
    };
    let kind = content_type(file);
    if kind.starts_with("text/html") {
        let html = with_reload(&String::from_utf8_lossy(&bytes), generation);
        respond(stream, 200, kind, &[], html.as_bytes(), head);
    } else {
        respond(stream, 200, kind, &[], &bytes, head);
    }
}

/// A built page as the preview sends it: its policy also allows the
/// preview's script, which is added at the end of `<head>`.
pub fn with_reload(html: &str, generation: u64) -> String {
    let site_policy = crate::render::CONTENT_SECURITY_POLICY;
    let html = html.replacen(
        &format!("content=\"{site_policy}\""),
        &format!("content=\"{site_policy}; script-src 'self'; connect-src 'self'\""),
        1,
    );
    html.replacen("</head>", &format!("{}</head>", reload_tag(generation)), 1)
}

fn reload_tag(generation: u64) -> String {
    format!("<script src=\"{PREFIX}reload.js\" data-generation=\"{generation}\" defer></script>\n")
}

/// Asks for the next build and reloads the page when it is done.
const RELOAD_JS: &str = r#"// statusfleet serve: reload when the site has been rebuilt.
(function () {
  var script = document.currentScript;
  var generation = script ? script.getAttribute("data-generation") : "0";
  function next(delay) { setTimeout(poll, delay); }
  function poll() {
    fetch("/__statusfleet/events?since=" + generation, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (String(d.generation) !== String(generation)) { location.reload(); } else { next(0); }
      })
      .catch(function () { next(1000); });
  }
  next(0);
})();
"#;

/// A page of the preview itself (not of the site), with the reload script.
fn preview_page(title: &str, body: &str, generation: u64) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · statusfleet preview</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}h1.failed{{color:#b42318}}code{{white-space:pre-wrap;overflow-wrap:anywhere}}li{{margin:.5rem 0}}</style>
{}</head>
<body>
<main>
{body}</main>
</body>
</html>
"#,
        reload_tag(generation)
    )
}

fn error_page(lines: &[String], generation: u64) -> String {
    let items: String = lines
        .iter()
        .map(|l| format!("<li><code>{}</code></li>\n", escape(l)))
        .collect();
    preview_page(
        "Build failed",
        &format!(
            "<h1 class=\"failed\">The build failed</h1>\n<p>Nothing is shown until it builds again. Fix the problem and save: this page reloads by itself.</p>\n<ul id=\"errors\">\n{items}</ul>\n"
        ),
        generation,
    )
}

/// `/` when the site has no fleet index: a list of the customers, for the
/// preview only.
fn fleet_page(out: &Path, generation: u64) -> String {
    let mut folders: Vec<String> = std::fs::read_dir(out)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("index.html").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let items: String = folders
        .iter()
        .map(|f| format!("<li><a href=\"{0}/\">{0}</a></li>\n", escape(f)))
        .collect();
    preview_page(
        "Customers",
        &format!(
            "<h1>Customers</h1>\n<p>This list exists only in the preview (set <code>site.fleet_index</code> to publish one).</p>\n<ul>\n{items}</ul>\n"
        ),
        generation,
    )
}

fn not_found(stream: &mut TcpStream, head: bool) {
    respond(
        stream,
        404,
        "text/plain; charset=utf-8",
        &[],
        b"not found\n",
        head,
    );
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    head: bool,
) {
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        _ => "Service Unavailable",
    };
    let mut response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        response.push_str(&format!("{k}: {v}\r\n"));
    }
    response.push_str("\r\n");
    let mut bytes = response.into_bytes();
    if !head {
        bytes.extend_from_slice(body);
    }
    let _ = stream.write_all(&bytes);
    let _ = stream.flush();
}

#[cfg(test)]
mod tests;
