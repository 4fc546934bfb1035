//! `paths`: each customer's slug, folder and URL.

use std::path::Path;
use std::process::ExitCode;

use statusfleet::build::BuildError;

use super::report;

pub fn run(config: &Path) -> ExitCode {
    match statusfleet::build::load_config(config) {
        Ok(mut cfg) => {
            if cfg.discovery.is_some()
                && let Ok(Some(record)) = statusfleet::history::load_discovery(&cfg.data_dir())
            {
                cfg.add_discovered(&record.customers);
            }
            for c in &cfg.customers {
                let url = cfg.site.base_url.as_ref().map_or_else(
                    || format!("{}/index.html", c.folder),
                    |b| format!("{}{}/", b.as_str(), c.folder),
                );
                println!("{}\t{}\t{url}", c.slug, c.folder);
            }
            ExitCode::SUCCESS
        }
        Err(e) => report(&BuildError::Input(e)),
    }
}
