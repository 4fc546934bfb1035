//! The watcher: a polling thread that rebuilds when an input changes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use super::{POLL, SETTLE, Shared};
use crate::build::{BuildError, BuildOptions};

pub(super) fn watch(config: &Path, shared: &Shared, mut watched: Watched) {
    loop {
        std::thread::sleep(POLL);
        if watched.changed() {
            println!("change seen; rebuilding");
            rebuild(config, shared, &mut watched);
        }
    }
}

pub(super) fn rebuild(config: &Path, shared: &Shared, watched: &mut Watched) {
    let started = Instant::now();
    let result = crate::build::build(&BuildOptions {
        config: config.to_owned(),
        out: Some(shared.out.clone()),
        shard: None,
        only: None,
        // Beside the preview, in its temporary folder: a preview never
        // writes a configured console folder.
        console: Some(shared.out.with_file_name("console")),
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
    shared.finished(outcome);
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
pub(super) struct Watched {
    paths: Vec<PathBuf>,
    stamp: Vec<(PathBuf, u64, Option<SystemTime>)>,
}

impl Watched {
    pub(super) fn new(config: &Path) -> Watched {
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
