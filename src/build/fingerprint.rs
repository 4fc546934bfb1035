//! Fingerprints that decide whether a customer must be rendered again.

use std::path::Path;

use super::Inputs;
use crate::config::{Config, Customer};
use crate::render::Theme;

/// SHA-256 over the inputs every customer shares, hex.
pub(super) fn shared_fingerprint(
    config: &Config,
    theme: &Theme,
    partner_logo: Option<&(String, Vec<u8>)>,
) -> String {
    let mut h = ring::digest::Context::new(&ring::digest::SHA256);
    let mut add = |label: &str, bytes: &[u8]| {
        h.update(label.as_bytes());
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    add("version", env!("CARGO_PKG_VERSION").as_bytes());
    // The binary itself: a rebuilt binary may render differently.
    if let Ok(m) = std::env::current_exe().and_then(std::fs::metadata) {
        let stamp = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        add("exe", format!("{}:{stamp}", m.len()).as_bytes());
    }
    add("config", &std::fs::read(&config.file).unwrap_or_default());
    if config.discovery.is_some() {
        let path = crate::history::discovery_path(&config.data_dir());
        add("discovery", &std::fs::read(path).unwrap_or_default());
    }
    for dir in ["content", "i18n"] {
        let root = config.root.join(dir);
        for e in walkdir::WalkDir::new(&root)
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
        {
            let rel = e.path().strip_prefix(&config.root).unwrap_or(e.path());
            add(
                &rel.to_string_lossy(),
                &std::fs::read(e.path()).unwrap_or_default(),
            );
        }
    }
    for (name, (_, text)) in &theme.templates {
        add(name, text.as_bytes());
    }
    for (name, bytes) in &theme.statics {
        add(name, bytes);
    }
    if let Some((_, bytes)) = partner_logo {
        add("logo", bytes);
    }
    hex(h.finish().as_ref())
}

use crate::ids::hex;

/// The shared fingerprint with this customer's own data files (its
/// snapshot files and its history), by size and modification time.
pub(super) fn customer_fingerprint(inputs: &Inputs, customer: &Customer) -> String {
    let config = &inputs.config;
    let mut h = ring::digest::Context::new(&ring::digest::SHA256);
    h.update(inputs.fingerprint.as_bytes());
    h.update(customer.slug.as_str().as_bytes());
    // Size and modification time stand for the bytes (as in make and
    // cargo): a stat per file, not a read, for a fleet of thousands.
    // Labelled by the path as written, not as resolved: the same site
    // built through another path to its config is the same site.
    let mut add = |label: &Path, path: &Path| {
        let stamp = std::fs::metadata(path).ok().map(|m| {
            let t = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            (m.len(), t)
        });
        h.update(format!("{}:{stamp:?}\n", label.display()).as_bytes());
    };
    for source in &customer.sources {
        if let crate::config::SourceConfig::File { path } = source {
            let full = config.root.join(path);
            add(path, &full);
            // The report documents a snapshot file may name.
            let reports = full.parent().unwrap_or(Path::new("")).join("reports");
            for e in walkdir::WalkDir::new(&reports)
                .sort_by_file_name()
                .into_iter()
                .flatten()
                .filter(|e| e.file_type().is_file())
            {
                add(
                    e.path().strip_prefix(&config.root).unwrap_or(e.path()),
                    e.path(),
                );
            }
        }
    }
    if let Some(logo) = &customer.logo {
        add(logo, &config.root.join(logo));
    }
    if customer.sources.iter().any(|s| s.is_live()) {
        // The log, or the JSON file of an earlier version not yet migrated.
        let dir = config.data_dir();
        let slug = customer.slug.as_str();
        add(
            Path::new("history"),
            &crate::history::log::log_path(&dir, slug),
        );
        add(
            Path::new("history.json"),
            &crate::history::path_for(&dir, slug),
        );
    }
    hex(h.finish().as_ref())
}
