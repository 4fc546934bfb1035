//! One file per command; what they share: the exit codes, reporting
//! errors, running a fetch and printing its summary.

pub mod build;
pub mod check;
pub mod init;
pub mod login;
pub mod notify;
pub mod paths;

use std::path::Path;
use std::process::ExitCode;

use statusfleet::build::BuildError;
use statusfleet::fetch::{FetchReport, Progress, State};

/// Exit codes (documented in the book: docs/src/commands.md).
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_INVALID_INPUT: u8 = 3;
pub const EXIT_STALE: u8 = 4;

/// `fetch`: every customer's live sources into the history store.
pub fn fetch_command(config: &Path, quiet: bool) -> ExitCode {
    match fetch(config, quiet) {
        Ok(r) if r.degraded() => ExitCode::from(EXIT_STALE),
        Ok(_) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// `serve`: the preview server.
pub fn serve(config: &Path, port: u16) -> ExitCode {
    let opts = statusfleet::serve::ServeOptions {
        config: config.to_owned(),
        port,
    };
    match statusfleet::serve::serve(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

/// Runs the fetch and prints its summary; `Err` carries the exit code of a
/// fetch that could not start.
pub fn fetch(config: &Path, quiet: bool) -> Result<FetchReport, ExitCode> {
    fetch_some(config, quiet, &|_| true)
}

/// [`fetch`] for the customers `keep` accepts.
pub fn fetch_some(
    config: &Path,
    quiet: bool,
    keep: &dyn Fn(&str) -> bool,
) -> Result<FetchReport, ExitCode> {
    let mut cfg = match statusfleet::build::load_config(config) {
        Ok(c) => c,
        Err(e) => return Err(report(&BuildError::Input(e))),
    };
    cfg.customers.retain(|c| keep(c.slug.as_str()));
    match statusfleet::fetch::run(&mut cfg, &Progress::new(quiet)) {
        Ok(r) => {
            print_summary(&r);
            Ok(r)
        }
        Err(e) => {
            eprintln!("error: fetch could not start: {e}");
            Err(ExitCode::from(EXIT_FAILED))
        }
    }
}

fn print_summary(r: &FetchReport) {
    println!(
        "{:>9} {:>6} {:>6} {:>7} {:>9} {:>8} {:>9}",
        "customers", "ok", "stale", "failed", "requests", "retries", "elapsed"
    );
    println!(
        "{:>9} {:>6} {:>6} {:>7} {:>9} {:>8} {:>7.1} s",
        r.outcomes.len(),
        r.count(State::Fresh),
        r.count(State::Stale),
        r.count(State::Failed),
        r.requests,
        r.retries,
        r.elapsed.as_secs_f64()
    );
    if r.offline_only > 0 {
        println!(
            "{} only file sources; nothing to fetch",
            if r.offline_only == 1 {
                "1 customer has".to_owned()
            } else {
                format!("{} customers have", r.offline_only)
            }
        );
    }
    if r.discovered > 0 {
        println!(
            "{} from Partner Center",
            statusfleet::text::counted(r.discovered, "customer", "customers")
        );
    }
    if let Some(p) = &r.discovery_problem {
        println!("stale   discovery: {p}");
    }
    for n in &r.notes {
        println!("note    {n}");
    }
    for o in &r.outcomes {
        for (source, what) in &o.notes {
            println!("note    {}: {source}: {what}", o.slug);
        }
    }
    for o in r.outcomes.iter().filter(|o| o.state != State::Fresh) {
        let state = if o.state == State::Stale {
            "stale "
        } else {
            "failed"
        };
        for (source, reason) in &o.problems {
            println!("{state}  {}: {source}: {reason}", o.slug);
        }
    }
}

pub fn report(e: &BuildError) -> ExitCode {
    match e {
        BuildError::Input(errors) => {
            for err in &errors.0 {
                eprintln!("error: {err}");
            }
            eprintln!(
                "{} found; nothing was written",
                statusfleet::text::counted(errors.0.len(), "problem", "problems")
            );
            ExitCode::from(EXIT_INVALID_INPUT)
        }
        BuildError::UnknownCustomer(_) => {
            eprintln!("error: {e}; nothing was written");
            ExitCode::from(EXIT_INVALID_INPUT)
        }
        other => {
            eprintln!("error: {other}");
            let mut source = std::error::Error::source(other);
            while let Some(s) = source {
                eprintln!("Caused by: {s}");
                source = s.source();
            }
            eprintln!("the previous site, if any, was left in place");
            ExitCode::from(EXIT_FAILED)
        }
    }
}
