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
                println!(
                    "ok: {} customers, {} files would be written",
                    inputs.config.customers.len(),
                    files
                );
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
                "{} of {} source(s) work; nothing was written",
                rows.len() - failed,
                rows.len()
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
