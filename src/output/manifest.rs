//! The manifest a build keeps beside the output (`.<out>.manifest.json`,
//! not published): what each customer folder holds and was built from.

use std::io;
use std::path::Path;

/// A hash of sorted paths.
pub(super) fn paths_hash(sorted: &[&str]) -> String {
    let mut h = ring::digest::Context::new(&ring::digest::SHA256);
    for p in sorted {
        h.update(p.as_bytes());
        h.update(b"\n");
    }
    h.finish().as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a build wrote, kept beside the output (`.<out>.manifest.json`, not
/// published): each customer's input fingerprint, files and stale sources.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub schema: u32,
    pub customers: std::collections::BTreeMap<String, CustomerEntry>,
    /// Fleet-level files (`robots.txt`, `sitemap.xml`, the fleet index).
    pub root: Vec<String>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct CustomerEntry {
    pub fingerprint: String,
    /// How many files and pages; the paths themselves are not kept (the
    /// manifest stays small for a fleet of thousands).
    pub files: usize,
    pub pages: usize,
    /// A hash of the sorted file paths, to tell a changed file set.
    pub paths: String,
    /// The digest of its page keys' file (see [`keys`](super::keys)).
    #[serde(default)]
    pub keys: Option<String>,
    #[serde(default)]
    pub stale: Vec<String>,
    /// Ids of its incidents that have partner notes.
    #[serde(default)]
    pub notes: Vec<String>,
    /// What the partner console shows of it (kept so a customer carried
    /// over unchanged is on the console too).
    #[serde(default)]
    pub console: Option<crate::site::aggregate::Aggregate>,
}

pub(super) const MANIFEST_SCHEMA: u32 = 4;

impl Manifest {
    /// The manifest of the site published at `out`, if there is one this
    /// version wrote.
    pub fn published(out: &Path) -> Option<Manifest> {
        if !out.is_dir() {
            return None;
        }
        std::fs::read(super::sibling(out, "manifest.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
            .filter(|m| m.schema == MANIFEST_SCHEMA)
    }
}

pub(super) fn write_manifest(path: &Path, m: &impl serde::Serialize) -> io::Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, serde_json::to_vec(m).map_err(io::Error::other)?)?;
    std::fs::rename(&tmp, path)
}
