//! Writing the site: everything is rendered first, then written to a staging
//! folder beside the output and swapped into place, so readers see the whole
//! old site or the whole new one. Files whose bytes did not change are
//! hard-linked from the old site (not rewritten: same inode, same mtime), and
//! when nothing changed at all the output is left untouched.

mod manifest;
mod staging;

use std::io;
use std::path::{Path, PathBuf};

pub use crate::site::OutputFile;
pub use manifest::{CustomerEntry, Manifest};
pub use staging::{CustomerKept, Finished, Staging};

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

/// Writes `files` as the whole content of the folder `out`, swapped in at
/// once (readers see the old folder or the new one, never a mix); a file
/// whose bytes `out` already has is hard-linked, not rewritten.
pub fn replace_folder(out: &Path, files: &[OutputFile]) -> io::Result<WriteStats> {
    for f in files {
        check_path(&f.path)?;
    }
    staging::remove_abandoned_staging(out);
    let staging = sibling(out, &format!("staging-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    let result = (|| {
        let mut stats = WriteStats::default();
        let mut made = std::collections::BTreeSet::new();
        std::fs::create_dir_all(&staging)?;
        for f in files {
            let dest = staging.join(&f.path);
            if let Some(parent) = dest.parent()
                && made.insert(parent.to_owned())
            {
                std::fs::create_dir_all(parent)?;
            }
            let current = out.join(&f.path);
            let same = std::fs::metadata(&current).is_ok_and(|m| m.len() == f.bytes.len() as u64)
                && std::fs::read(&current).is_ok_and(|b| b == f.bytes);
            if same && std::fs::hard_link(&current, &dest).is_ok() {
                stats.unchanged += 1;
            } else {
                std::fs::write(&dest, &f.bytes)?;
                stats.written += 1;
            }
        }
        swap(&staging, out, &sibling(out, "old"))?;
        Ok(stats)
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// Puts `staging` in place of `out`: an atomic exchange where the platform
/// has one, else two renames (recovered by the next build if interrupted).
pub(super) fn swap(staging: &Path, out: &Path, old: &Path) -> io::Result<()> {
    if !out.exists() {
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        return std::fs::rename(staging, out);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, staging, CWD, out, RenameFlags::EXCHANGE).is_ok() {
            // `staging` now holds the previous site.
            return std::fs::remove_dir_all(staging);
        }
    }
    if old.exists() {
        std::fs::remove_dir_all(old)?;
    }
    std::fs::rename(out, old)?;
    std::fs::rename(staging, out)?;
    std::fs::remove_dir_all(old)
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
