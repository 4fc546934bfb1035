//! `statusfleet serve`: a local preview. Builds the site (offline) into a
//! temporary folder, serves it on 127.0.0.1, rebuilds when an input
//! changes, and reloads open pages. A failed build shows its errors in the
//! browser instead of a stale page.
//!
//! Only what the preview sends is changed: HTML responses get a small
//! same-origin script (and a policy that lets it run) that waits for the
//! next build and reloads. The files in the output folder, like every
//! built site, have no script at all.
//!
//! The files are served by `tower-http`'s `ServeDir` (MIME types, `HEAD`,
//! ranges, conditional requests) behind an `axum` router, over `hyper`;
//! the watcher is a polling thread ([`watch`]).

mod http;
mod pages;
mod watch;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
/// Connections served at once; more are answered 503.
const MAX_CONNECTIONS: usize = 64;
/// Longest wait for a request's headers (also of an idle kept-alive
/// connection).
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

pub struct ServeOptions {
    pub config: PathBuf,
    pub port: u16,
}

/// The last build's outcome: `Err` holds the error lines of a failed one.
type Outcome = Result<String, Vec<String>>;

struct Shared {
    /// The last build's number (pages reload when it changes) and outcome.
    state: Mutex<(u64, Outcome)>,
    /// The number of the last build, for the pages waiting for the next.
    builds: tokio::sync::watch::Sender<u64>,
    out: PathBuf,
}

impl Shared {
    /// The last build's number, and its error lines if it failed.
    fn now(&self) -> (u64, Option<Vec<String>>) {
        let state = self.state.lock().expect("not poisoned");
        (state.0, state.1.clone().err())
    }

    fn finished(&self, outcome: Outcome) {
        let mut state = self.state.lock().expect("not poisoned");
        state.0 += 1;
        state.1 = outcome;
        self.builds.send_replace(state.0);
    }
}

/// Runs the preview until the process is stopped.
pub fn serve(opts: &ServeOptions) -> anyhow::Result<()> {
    let work = temp_folder()?;
    let out = work.join("public");
    let listener = std::net::TcpListener::bind(("127.0.0.1", opts.port)).map_err(|e| {
        anyhow::anyhow!(
            "cannot listen on 127.0.0.1:{}: {e} (choose another port with --port)",
            opts.port
        )
    })?;
    listener.set_nonblocking(true)?;
    let url = format!("http://{}/", listener.local_addr()?);
    let shared = Arc::new(Shared {
        state: Mutex::new((0, Err(vec!["not built yet".to_owned()]))),
        builds: tokio::sync::watch::Sender::new(0),
        out: out.clone(),
    });
    println!("building {} into {}", opts.config.display(), out.display());
    let mut watched = watch::Watched::new(&opts.config);
    watch::rebuild(&opts.config, &shared, &mut watched);
    println!("serving the preview at {url} (Ctrl-C to stop)");
    std::io::stdout().flush().ok();

    let config = opts.config.clone();
    let watcher_shared = Arc::clone(&shared);
    std::thread::spawn(move || watch::watch(&config, &watcher_shared, watched));

    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(http::run(listener, shared))
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

#[cfg(test)]
mod tests;
