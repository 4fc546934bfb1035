//! Progress on stderr: one redrawn bar on a terminal, plain lines otherwise
//! (CI logs, cron mail).

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use super::{CustomerOutcome, State};

pub struct Progress {
    tty: bool,
    quiet: bool,
    inner: Mutex<(usize, usize, [usize; 3])>,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        Progress {
            tty: std::io::stderr().is_terminal(),
            quiet,
            inner: Mutex::new((0, 0, [0; 3])),
        }
    }

    pub fn start(&self, total: usize) {
        self.inner.lock().expect("progress").1 = total;
    }

    pub fn line(&self, text: &str) {
        if self.tty {
            eprint!("\r\x1b[2K");
        }
        eprintln!("{text}");
    }

    pub fn customer_done(&self, o: &CustomerOutcome) {
        let (done, total, counts) = {
            let mut g = self.inner.lock().expect("progress");
            g.0 += 1;
            g.2[o.state as usize] += 1;
            (g.0, g.1, g.2)
        };
        if self.quiet {
            return;
        }
        if self.tty {
            let width = 30;
            let filled = (done * width).checked_div(total).unwrap_or(width);
            eprint!(
                "\r\x1b[2K[{}{}] {done}/{total} customers · ok {} · stale {} · failed {}",
                "#".repeat(filled),
                " ".repeat(width - filled),
                counts[0],
                counts[1],
                counts[2]
            );
            let _ = std::io::stderr().flush();
        } else {
            let state = match o.state {
                State::Fresh => "ok",
                State::Stale => "stale",
                State::Failed => "failed",
            };
            eprintln!(
                "[{done}/{total}] {}: {state} ({} requests, {} retries)",
                o.slug, o.requests, o.retries
            );
        }
    }

    pub fn finish(&self) {
        if self.tty && !self.quiet {
            eprintln!();
        }
    }
}
