//! `build`: fetch (unless `--offline`), then render every site.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use statusfleet::build::{BuildOptions, Shard};

use super::{EXIT_STALE, fetch_some, report};

pub struct Args {
    pub offline: bool,
    pub out: Option<PathBuf>,
    pub quiet: bool,
    pub shard: Option<Shard>,
    pub only: Option<String>,
    pub console: Option<PathBuf>,
}

pub fn run(config: &Path, args: Args) -> ExitCode {
    let Args {
        offline,
        out,
        quiet,
        shard,
        only,
        console,
    } = args;
    let mut fetch_degraded = false;
    if !offline {
        let keep = |slug: &str| {
            shard.is_none_or(|s| s.holds(slug)) && only.as_deref().is_none_or(|o| o == slug)
        };
        match fetch_some(config, quiet, &keep) {
            Ok(report) => fetch_degraded = report.degraded(),
            Err(code) => return code,
        }
    }
    let opts = BuildOptions {
        config: config.to_owned(),
        out,
        shard,
        only: only.clone(),
        console,
    };
    match statusfleet::build::build(&opts) {
        Ok(s) => {
            println!(
                "built {} customers × {} locales: {} pages ({} files) in {}: {} written, {} unchanged, {} removed, {:.2} s; {} pages and feeds kept without rendering",
                s.customers,
                s.locales,
                s.pages,
                s.files,
                s.out.display(),
                s.write.written,
                s.write.unchanged,
                s.write.removed,
                s.elapsed.as_secs_f64(),
                s.reused
            );
            if let Some(dir) = &s.console {
                println!(
                    "partner console (private: host it behind authentication): {}",
                    dir.join("index.html").display()
                );
            }
            for (slug, sources) in &s.stale {
                println!("stale data shown for {slug}: {}", sources.join(", "));
            }
            // After a fetch, its summary has said it already.
            if offline && let Some(p) = &s.discovery_problem {
                println!("stale   discovery: {p}");
            }
            // Links in messages lead to the pages just published. Shards
            // and `--only` builds leave it to one `statusfleet notify`.
            let mut notify_degraded = false;
            if shard.is_none() && only.is_none() {
                match super::notify::after_build(
                    config,
                    offline,
                    opts.out.clone(),
                    opts.console.clone(),
                ) {
                    Ok(d) => notify_degraded = d,
                    Err(code) => return code,
                }
            }
            if fetch_degraded
                || notify_degraded
                || !s.stale.is_empty()
                || s.discovery_problem.is_some()
            {
                ExitCode::from(EXIT_STALE)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => report(&e),
    }
}
