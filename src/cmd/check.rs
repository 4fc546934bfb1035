//! `check`: validate every input, write nothing; `--online` also signs in
//! and calls every live source once.

use std::path::Path;
use std::process::ExitCode;

use statusfleet::build::BuildError;

use super::{EXIT_FAILED, EXIT_STALE, report};

pub fn run(config: &Path, online: bool) -> ExitCode {
    match statusfleet::build::load_inputs(config) {
        Ok(inputs) => match statusfleet::build::check_all(&inputs) {
            Ok(files) => {
                let warnings = unset_variables(&inputs.config);
                println!(
                    "ok: {}, {} would be written",
                    statusfleet::text::counted(
                        inputs.config.customers.len(),
                        "customer",
                        "customers"
                    ),
                    statusfleet::text::counted(files, "file", "files")
                );
                if warnings > 0 {
                    println!(
                        "{}: `fetch`, `build` without --offline and `notify` need them",
                        statusfleet::text::counted(warnings, "warning", "warnings")
                    );
                }
                if online {
                    check_online(&inputs.config)
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(e) => report(&e),
        },
        Err(e) => report(&BuildError::Input(e)),
    }
}

/// Warns, at its line, of every environment variable the config names for
/// a secret that is not set here: `check` itself needs none of them (it
/// writes and fetches nothing), the commands that sign in or send do.
fn unset_variables(config: &statusfleet::config::Config) -> usize {
    let text = std::fs::read_to_string(&config.file).unwrap_or_default();
    let mut n = 0;
    for (key, var) in config.secret_variables() {
        if std::env::var_os(&var).is_some() {
            continue;
        }
        let at = statusfleet::error::locate_scalar(&text, 1, &var);
        let place = match at {
            Some((l, c)) => format!("{}:{l}:{c}", config.file.display()),
            None => config.file.display().to_string(),
        };
        println!("warning: {place}: {key}: the environment variable {var} is not set");
        n += 1;
    }
    n
}

/// `check --online`: a table of every live source's one cheap call.
fn check_online(config: &statusfleet::config::Config) -> ExitCode {
    match statusfleet::fetch::probe(config) {
        Ok(rows) => {
            let width = |f: &dyn Fn(&statusfleet::fetch::ProbeRow) -> usize| {
                rows.iter().map(f).max().unwrap_or(0)
            };
            let (w1, w2) = (
                width(&|r| r.customer.len()).max(8),
                width(&|r| r.source.len()).max(6),
            );
            println!("{:<w1$}  {:<w2$}  result", "customer", "source");
            let mut failed = 0;
            for r in &rows {
                let text = match &r.result {
                    Ok(t) => t.clone(),
                    Err(e) => {
                        failed += 1;
                        format!("FAILED: {e}")
                    }
                };
                println!("{:<w1$}  {:<w2$}  {text}", r.customer, r.source);
            }
            println!(
                "{} of {} work; nothing was written",
                rows.len() - failed,
                statusfleet::text::counted(rows.len(), "source", "sources")
            );
            if failed > 0 {
                ExitCode::from(EXIT_STALE)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("error: the online check could not start: {e}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}
