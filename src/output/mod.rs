//! Writing the site: everything is rendered first, then written to a staging
//! folder beside the output and swapped into place, so readers see the whole
//! old site or the whole new one. Files whose bytes did not change are
//! hard-linked from the old site (not rewritten: same inode, same mtime), and
//! when nothing changed at all the output is left untouched.

mod keys;
mod manifest;
mod spare;
mod staging;

use std::io;
use std::path::{Path, PathBuf};

pub use crate::site::OutputFile;
pub use keys::{PageKey, PageKeys};
pub use manifest::{CustomerEntry, Manifest};
pub use staging::{CustomerKept, CustomerStage, Finished, Staging};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

pub(super) fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    out.with_file_name(format!(".{name}.{tag}"))
}

/// Whether the file at `path` holds exactly `bytes` (the size first, so
/// most changed files are told without a read).
pub(super) fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() == bytes.len() as u64)
        && std::fs::read(path).is_ok_and(|b| b == bytes)
}

pub(super) fn check_path(p: &str) -> io::Result<()> {
    let bad = p.is_empty()
        || p.starts_with('/')
        || p.contains('\\')
        || p.split('/')
            .any(|seg| seg.is_empty() || seg == "." || seg == "..");
    if bad {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to write outside the output folder: {p:?}"),
        ));
    }
    Ok(())
}

/// Writes `files` as the complete content of `out` (every file rendered in
/// memory; the build streams through [`Staging`] instead).
pub fn write_site(out: &Path, files: &[OutputFile]) -> io::Result<WriteStats> {
    for f in files {
        check_path(&f.path)?;
    }
    let staging = Staging::begin(out)?;
    staging.write_fleet(files)?;
    staging.finish().map(|f| f.stats)
}

/// A folder written whole and swapped in at once (readers see the old
/// folder or the new one, never a mix): files are staged as they come,
/// from any thread; a file whose bytes `out` already has is hard-linked,
/// not rewritten. Dropped without [`finish`](Self::finish) (an error, a
/// panic), it leaves `out` as it was and removes what it staged.
pub struct WholeFolder {
    out: PathBuf,
    staging: PathBuf,
    _guard: staging::RemoveOnDrop,
    made: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    /// The first write that failed: `finish` reports it.
    error: std::sync::Mutex<Option<io::Error>>,
    written: std::sync::atomic::AtomicUsize,
    unchanged: std::sync::atomic::AtomicUsize,
}

impl WholeFolder {
    pub fn begin(out: &Path) -> io::Result<WholeFolder> {
        staging::remove_abandoned_staging(out);
        let staging = sibling(out, &format!("staging-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging)?;
        }
        std::fs::create_dir_all(&staging)?;
        Ok(WholeFolder {
            out: out.to_owned(),
            _guard: staging::RemoveOnDrop::new(&staging),
            staging,
            made: Default::default(),
            error: Default::default(),
            written: Default::default(),
            unchanged: Default::default(),
        })
    }

    /// Stages one file (an error is kept for `finish`).
    pub fn write(&self, f: OutputFile) {
        if let Err(e) = self.try_write(&f) {
            self.error.lock().expect("not poisoned").get_or_insert(e);
        }
    }

    fn try_write(&self, f: &OutputFile) -> io::Result<()> {
        use std::sync::atomic::Ordering::Relaxed;
        check_path(&f.path)?;
        let dest = self.staging.join(&f.path);
        if let Some(parent) = dest.parent()
            && !self.made.lock().expect("not poisoned").contains(parent)
        {
            std::fs::create_dir_all(parent)?;
            self.made
                .lock()
                .expect("not poisoned")
                .insert(parent.to_owned());
        }
        let current = self.out.join(&f.path);
        if same_bytes(&current, &f.bytes) && std::fs::hard_link(&current, &dest).is_ok() {
            self.unchanged.fetch_add(1, Relaxed);
        } else {
            std::fs::write(&dest, &f.bytes)?;
            self.written.fetch_add(1, Relaxed);
        }
        Ok(())
    }

    /// Puts the staged folder in place of `out`.
    pub fn finish(self) -> io::Result<WriteStats> {
        if let Some(e) = self.error.lock().expect("not poisoned").take() {
            return Err(e);
        }
        swap(&self.staging, &self.out, &sibling(&self.out, "old"))?;
        Ok(WriteStats {
            written: self.written.into_inner(),
            unchanged: self.unchanged.into_inner(),
            removed: 0,
        })
    }
}

/// Puts `staging` in place of `out`: an atomic exchange where the platform
/// has one, else two renames (recovered by the next build if interrupted).
pub(super) fn swap(staging: &Path, out: &Path, old: &Path) -> io::Result<()> {
    match swap_in(staging, out, old)? {
        Some(previous) => remove_tree(&previous),
        None => Ok(()),
    }
}

/// Puts `staging` in place of `out` as [`swap`] does, and gives where the
/// previous content now is (`staging` or `old`), for the caller to remove.
pub(super) fn swap_in(staging: &Path, out: &Path, old: &Path) -> io::Result<Option<PathBuf>> {
    if !out.exists() {
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::rename(staging, out)?;
        return Ok(None);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, staging, CWD, out, RenameFlags::EXCHANGE).is_ok() {
            // `staging` now holds the previous site.
            return Ok(Some(staging.to_owned()));
        }
    }
    if old.exists() {
        remove_tree(old)?;
    }
    std::fs::rename(out, old)?;
    std::fs::rename(staging, out)?;
    Ok(Some(old.to_owned()))
}

/// Removes a folder and everything in it, its subfolders two levels down
/// on every core (a site's folders: customers, then locales; removing a
/// customer's thousands of pages is most of a steady-state publish).
pub(super) fn remove_tree(dir: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    fn entries(dir: &Path) -> io::Result<Vec<(PathBuf, bool)>> {
        std::fs::read_dir(dir)?
            .map(|e| {
                let e = e?;
                Ok((e.path(), e.file_type()?.is_dir()))
            })
            .collect()
    }
    let mut parts = Vec::new();
    for (path, is_dir) in entries(dir)? {
        if is_dir {
            parts.extend(entries(&path)?);
        } else {
            parts.push((path, false));
        }
    }
    parts.par_iter().try_for_each(|(path, is_dir)| {
        if *is_dir {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        }
    })?;
    std::fs::remove_dir_all(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(p: &str, b: &str) -> OutputFile {
        OutputFile {
            path: p.into(),
            bytes: b.as_bytes().to_vec(),
        }
    }

    #[test]
    fn writes_swaps_and_skips_unchanged_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let s = write_site(&out, &[file("a/index.html", "1"), file("b.txt", "2")]).unwrap();
        assert_eq!(
            s,
            WriteStats {
                written: 2,
                unchanged: 0,
                removed: 0
            }
        );
        let s = write_site(&out, &[file("a/index.html", "1"), file("b.txt", "2")]).unwrap();
        assert_eq!(
            s,
            WriteStats {
                written: 0,
                unchanged: 2,
                removed: 0
            }
        );
        let s = write_site(&out, &[file("a/index.html", "1"), file("c.txt", "3")]).unwrap();
        assert_eq!(
            s,
            WriteStats {
                written: 1,
                unchanged: 1,
                removed: 1
            }
        );
        assert!(!out.join("b.txt").exists());
        assert_eq!(std::fs::read_to_string(out.join("c.txt")).unwrap(), "3");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
        assert!(
            leftovers.contains(&"public".into())
                && leftovers.contains(&".public.manifest.json".into())
        );
    }

    #[test]
    fn refuses_paths_that_leave_the_output() {
        let dir = tempfile::tempdir().unwrap();
        for bad in ["../x", "/etc/x", "a/../../x", "a//b", ""] {
            assert!(
                write_site(&dir.path().join("out"), &[file(bad, "x")]).is_err(),
                "{bad}"
            );
        }
        assert!(!dir.path().join("out").exists());
    }

    #[test]
    fn a_file_in_the_way_of_the_output_is_an_error_and_stays() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::write(&out, "mine").unwrap();
        let err = Staging::begin(&out).err().expect("refused");
        assert!(err.to_string().contains("is not a folder"), "{err}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "mine");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no staging folder left");
    }
}
