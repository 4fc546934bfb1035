//! The spare generation of a customer's folder: the one the last publish
//! replaced, kept beside the output (`.<out>.spare/<folder>`, not
//! published) with the page keys that describe it, so the next build of
//! that customer brings it up to date instead of making a whole new
//! folder.
//!
//! A steady-state run changes a few dozen of a customer's thousands of
//! files. Staging a new folder would hard-link every unchanged file into
//! it and, once it is published, unlink every file of the folder it
//! replaced: two system calls per file of the customer, most of a
//! steady-state run. Bringing the spare up to date costs the files that
//! changed in the last two runs; the folder it replaces becomes the next
//! spare. Unchanged files are hard links of the published ones (the same
//! inode), and a file is only ever replaced by renaming a new one over
//! it, never written in place, so the published folder never changes
//! under a build.
//!
//! Trust follows the keys' rule: a spare is used only when its vouch
//! (`<folder>.json`) names the digest of its keys file, and the vouch is
//! removed before the folder is touched and written only once the folder
//! and its keys are in place. A build killed in between leaves a spare
//! nothing vouches for; the next build removes it and stages the
//! customer afresh.

use std::io;
use std::path::{Path, PathBuf};

use super::keys::{self, Known};

/// Where the customers' spare folders are.
pub(super) fn dir(out: &Path) -> PathBuf {
    super::sibling(out, "spare")
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Vouch {
    /// The digest of the keys file beside it.
    keys: String,
}

fn vouch_file(out: &Path, folder: &str) -> PathBuf {
    dir(out).join(format!("{folder}.json"))
}

fn keys_file(out: &Path, folder: &str) -> PathBuf {
    dir(out).join(format!("{folder}.keys"))
}

/// Moves customer `folder`'s spare to `dest` (in the staging folder), when
/// it is vouched for, and gives the keys of its pages; otherwise removes
/// what there is of it and gives none.
pub(super) fn take(out: &Path, folder: &str, dest: &Path) -> Option<Known> {
    let spare = dir(out).join(folder);
    if !spare.is_dir() {
        return None;
    }
    let vouch = vouch_file(out, folder);
    let known = std::fs::read(&vouch)
        .ok()
        .and_then(|b| serde_json::from_slice::<Vouch>(&b).ok())
        .map(|v| keys::load(&keys_file(out, folder), Some(&v.keys)))
        .filter(|k| !k.is_empty());
    // Before anything is changed in it: nothing trusts it any more.
    std::fs::remove_file(&vouch).ok()?;
    match known {
        Some(known) if std::fs::rename(&spare, dest).is_ok() => Some(known),
        _ => {
            forget(out, folder);
            None
        }
    }
}

/// Keeps `previous`, customer `folder`'s folder just replaced by a
/// publish, as its spare: with its keys file (still the published one's,
/// `digest` in the manifest that described it), and last the vouch.
pub(super) fn keep(out: &Path, folder: &str, previous: &Path, digest: &str) -> io::Result<()> {
    forget(out, folder);
    std::fs::create_dir_all(dir(out))?;
    std::fs::rename(keys::file(out, folder), keys_file(out, folder))?;
    std::fs::rename(previous, dir(out).join(folder))?;
    super::manifest::write_manifest(
        &vouch_file(out, folder),
        &Vouch {
            keys: digest.to_owned(),
        },
    )
}

/// Removes customer `folder`'s spare, if any (the vouch first).
pub(super) fn forget(out: &Path, folder: &str) {
    let _ = std::fs::remove_file(vouch_file(out, folder));
    let _ = std::fs::remove_file(keys_file(out, folder));
    let spare = dir(out).join(folder);
    if spare.is_dir() {
        let _ = super::remove_tree(&spare);
    }
}

/// Makes `dest` hold what `make` writes at a temporary path beside it,
/// renamed over whatever `dest` held (a file, or a folder in the way):
/// the inode the published folder may share is never written.
pub(super) fn replace(dest: &Path, make: impl Fn(&Path) -> io::Result<()>) -> io::Result<()> {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dest.with_file_name(format!(".{name}.statusfleet-tmp"));
    let _ = std::fs::remove_file(&tmp);
    make(&tmp)?;
    match std::fs::rename(&tmp, dest) {
        Ok(()) => Ok(()),
        Err(_) if dest.is_dir() => {
            std::fs::remove_dir_all(dest)?;
            std::fs::rename(&tmp, dest)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Removes from the spare `root/folder` being brought up to date every file
/// this build did not stage (`staged`: paths relative to `root`), then the
/// folders left empty.
pub(super) fn sweep(
    root: &Path,
    folder: &str,
    staged: &std::collections::HashSet<&str>,
) -> io::Result<()> {
    for entry in walkdir::WalkDir::new(root.join(folder)).contents_first(true) {
        let entry = entry.map_err(io::Error::other)?;
        let rel = entry.path().strip_prefix(root).expect("child");
        if entry.file_type().is_dir() {
            // Fails, as it should, for a folder that still holds files.
            if entry.depth() > 0 {
                let _ = std::fs::remove_dir(entry.path());
            }
        } else if !rel.to_str().is_some_and(|p| staged.contains(p)) {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}
