//! `paths`: each customer's slug, folder and URL; `history export`.

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

/// `history export SLUG`: the customer's history as one JSON document.
pub fn export_history(config: &Path, slug: &str) -> ExitCode {
    let cfg = match statusfleet::build::load_config(config) {
        Ok(cfg) => cfg,
        Err(e) => return report(&BuildError::Input(e)),
    };
    let dir = cfg.data_dir();
    if !statusfleet::history::store_path(&dir, slug).exists() {
        eprintln!(
            "error: the history store {} holds no customer `{slug}` (`statusfleet paths` lists the slugs)",
            dir.display()
        );
        return ExitCode::from(2);
    }
    match statusfleet::history::load(&dir, slug) {
        Ok(h) => {
            print!("{}", statusfleet::history::export(&h));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
