//! `notify`: queue what changed, send what is due, say what happened.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use statusfleet::notify::{NotifyError, NotifyOptions, Report};

use super::{EXIT_FAILED, EXIT_INVALID_INPUT, EXIT_STALE};

pub fn run(config: &Path, dry_run: Option<PathBuf>, offline: bool) -> ExitCode {
    let opts = NotifyOptions {
        config: config.to_owned(),
        dry_run,
        offline,
        from_build: false,
    };
    match statusfleet::notify::run(&opts) {
        Ok(r) => {
            print(&r, &opts);
            if r.problems_changed
                && let Err(code) = refresh_console(config)
            {
                return code;
            }
            if r.degraded() {
                ExitCode::from(EXIT_STALE)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => report_error(&e),
    }
}

/// The partner console lists failing deliveries: once they changed, the
/// console in place is brought up to date (the pages are not touched).
fn refresh_console(config: &Path) -> Result<(), ExitCode> {
    let opts = statusfleet::build::BuildOptions {
        config: config.to_owned(),
        ..Default::default()
    };
    match statusfleet::build::refresh_console(&opts) {
        Ok(_) => Ok(()),
        Err(e) => Err(super::report(&e)),
    }
}

/// The notification phase of `build`; `Ok(degraded)`, or the exit code
/// of a failure. Without `notifications:` (or with `on_build: false`) it
/// does nothing. The console `build` just wrote is brought up to date
/// with what this phase delivered or failed to (`out` and `console`:
/// where that build wrote).
pub fn after_build(
    config: &Path,
    offline: bool,
    out: Option<PathBuf>,
    console: Option<PathBuf>,
) -> Result<bool, ExitCode> {
    let opts = NotifyOptions {
        config: config.to_owned(),
        dry_run: None,
        offline,
        from_build: true,
    };
    match statusfleet::notify::run(&opts) {
        Ok(r) => {
            print(&r, &opts);
            if r.problems_changed {
                let opts = statusfleet::build::BuildOptions {
                    config: config.to_owned(),
                    out,
                    console,
                    ..Default::default()
                };
                statusfleet::build::refresh_console(&opts).map_err(|e| super::report(&e))?;
            }
            Ok(r.degraded())
        }
        Err(NotifyError::Off(_)) => Ok(false),
        Err(e) => Err(report_error(&e)),
    }
}

fn report_error(e: &NotifyError) -> ExitCode {
    match e {
        NotifyError::Input(errors) => {
            for err in &errors.0 {
                eprintln!("error: {err}");
            }
            let n = errors.0.len();
            eprintln!(
                "{n} {} found; no notification was queued or sent",
                if n == 1 { "problem" } else { "problems" }
            );
            ExitCode::from(EXIT_INVALID_INPUT)
        }
        other => {
            eprintln!("error: notifications: {other}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

fn count(n: usize, one: &str, other: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { other })
}

fn print(r: &Report, opts: &NotifyOptions) {
    let mut parts = vec![format!(
        "{} queued",
        count(r.queued, "notification", "notifications")
    )];
    if let Some(dir) = &opts.dry_run {
        parts.push(format!(
            "{} written to {} (dry run: nothing sent, the outbox unchanged)",
            count(r.written, "message", "messages"),
            dir.display()
        ));
    } else if opts.offline {
        parts.push(format!("{} pending (offline: nothing sent)", r.waiting));
    } else {
        parts.push(format!("{} sent", r.sent));
        parts.push(format!("{} to retry", r.retrying.len()));
        parts.push(format!("{} given up", r.given_up.len()));
        if r.waiting > 0 {
            parts.push(format!("{} waiting for their retry time", r.waiting));
        }
    }
    if r.baselines > 0 {
        parts.push(format!(
            "baseline set for {} (nothing sent for their history)",
            count(r.baselines, "outbox", "outboxes")
        ));
    }
    if r.dropped > 0 {
        parts.push(format!(
            "{} dropped (subscriber removed)",
            count(r.dropped, "message", "messages")
        ));
    }
    println!("notifications: {}", parts.join(", "));
    for (who, why, next) in &r.retrying {
        println!(
            "retry   {who}: {why} (next attempt {})",
            next.format("%Y-%m-%d %H:%M:%S UTC")
        );
    }
    for (who, why) in &r.given_up {
        println!("failed  {who}: {why}");
    }
}
