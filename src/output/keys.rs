//! Page keys: what each page of a customer was made from, hashed, kept
//! beside the output (`.<out>.pages/<customer>.keys`, not published) so a
//! rebuild renders only the pages whose inputs changed.
//!
//! A key covers everything a page's bytes come from: the build's shared
//! fingerprint (binary, config, theme, catalogs, content), the page's path
//! and template, and its whole context. Its path is part of it, so the
//! file is a set of keys: a page whose key is in the set of the published
//! site is, byte for byte, the file already at its path.
//!
//! The file is trusted only when the manifest's entry for the customer
//! names its digest: the manifest vouches only for what is on disk, so a
//! build killed between swapping a folder and renaming its keys leaves a
//! file that no manifest names, and the customer is rendered whole.

use std::io;
use std::path::{Path, PathBuf};

pub type PageKey = crate::ids::Key;

/// One page's keys: its inputs' (for a page that has one: known before
/// its context is built, so a kept page costs no context), and its
/// context's (for a page that has no input key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PageKeys {
    /// All zero: none.
    pub inputs: PageKey,
    /// All zero: none.
    pub view: PageKey,
}

/// The keys of the current site's pages.
#[derive(Debug, Default)]
pub struct Known {
    /// Context keys, sorted.
    views: Vec<PageKey>,
    /// Input key → context key, sorted.
    inputs: Vec<(PageKey, PageKey)>,
}

impl Known {
    /// No keys: none trusted (a customer always has pages).
    pub fn is_empty(&self) -> bool {
        self.views.is_empty() && self.inputs.is_empty()
    }

    /// Whether a page with `keys` is, byte for byte, the file at its path.
    pub fn has(&self, keys: &PageKeys) -> bool {
        if keys.inputs != PageKey::default() {
            self.view_of(&keys.inputs).is_some()
        } else {
            self.has_view(&keys.view)
        }
    }

    pub fn has_view(&self, key: &PageKey) -> bool {
        self.views.binary_search(key).is_ok()
    }

    /// The context key of the page made from `inputs`.
    pub fn view_of(&self, inputs: &PageKey) -> Option<PageKey> {
        let i = self.inputs.binary_search_by(|(k, _)| k.cmp(inputs)).ok()?;
        Some(self.inputs[i].1)
    }
}

/// Where the customers' key files are.
pub(super) fn dir(out: &Path) -> PathBuf {
    super::sibling(out, "pages")
}

pub(super) fn file(out: &Path, folder: &str) -> PathBuf {
    dir(out).join(format!("{folder}.keys"))
}

/// The keys as a file (sorted, without repeats) and its digest.
pub(super) fn encode(mut keys: Vec<PageKeys>) -> (Vec<u8>, String) {
    keys.sort_unstable();
    keys.dedup();
    let bytes: Vec<u8> = keys
        .iter()
        .flat_map(|k| k.inputs.iter().chain(&k.view))
        .copied()
        .collect();
    let digest = digest(&bytes);
    (bytes, digest)
}

fn digest(bytes: &[u8]) -> String {
    crate::ids::hex(&ring::digest::digest(&ring::digest::SHA256, bytes).as_ref()[..16])
}

/// The keys in `path`, when its digest is `wanted`; none when the file is
/// missing, damaged or another build's.
pub(super) fn load(path: &Path, wanted: Option<&str>) -> Known {
    let Some(wanted) = wanted else {
        return Known::default();
    };
    let Ok(bytes) = std::fs::read(path) else {
        return Known::default();
    };
    if bytes.len() % 32 != 0 || digest(&bytes) != wanted {
        return Known::default();
    }
    let mut known = Known::default();
    for record in bytes.chunks_exact(32) {
        let inputs: PageKey = record[..16].try_into().expect("16 bytes");
        let view: PageKey = record[16..].try_into().expect("16 bytes");
        if view != [0; 16] {
            known.views.push(view);
        }
        if inputs != [0; 16] {
            known.inputs.push((inputs, view));
        }
    }
    known.views.sort_unstable();
    known.inputs.sort_unstable();
    known
}

/// Writes a key file into `dir`, the staging folder's `.keys/` (moved into
/// place when the build is published).
pub(super) fn write(dir: &Path, folder: &str, bytes: &[u8]) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(format!("{folder}.keys")), bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_trusted_only_with_their_digest() {
        let dir = tempfile::tempdir().unwrap();
        let page = |i: u8, v: u8| PageKeys {
            inputs: [i; 16],
            view: [v; 16],
        };
        let (bytes, digest) = encode(vec![page(0, 2), page(3, 1), page(0, 2), page(4, 0)]);
        assert_eq!(bytes.len(), 96, "without repeats");
        let path = dir.path().join("c.keys");
        std::fs::write(&path, &bytes).unwrap();
        let known = load(&path, Some(&digest));
        assert!(known.has_view(&[1; 16]) && known.has_view(&[2; 16]));
        assert!(
            !known.has_view(&[3; 16]),
            "an input key is not a context key"
        );
        assert_eq!(known.view_of(&[3; 16]), Some([1; 16]));
        assert_eq!(known.view_of(&[0; 16]), None, "zero is no input key");
        assert_eq!(
            known.view_of(&[4; 16]),
            Some([0; 16]),
            "kept by its inputs only"
        );
        assert!(!known.has_view(&[0; 16]), "zero is no context key");
        assert!(!load(&path, None).has_view(&[1; 16]), "no manifest entry");
        assert!(
            !load(&path, Some("0000")).has_view(&[1; 16]),
            "another build's"
        );
        std::fs::write(&path, &bytes[..95]).unwrap();
        assert!(!load(&path, Some(&digest)).has_view(&[1; 16]), "torn");
        assert!(!load(&dir.path().join("none"), Some(&digest)).has_view(&[1; 16]));
    }
}
