//! Writing the site: everything is rendered first, then written to a staging
//! folder beside the output and swapped into place, so readers see the whole
//! old site or the whole new one. Files whose bytes did not change are
//! hard-linked from the old site (not rewritten: same inode, same mtime), and
//! when nothing changed at all the output is left untouched.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

/// One file of the output, its path relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// `/`-separated, relative, no `..` (checked before writing).
    pub path: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    out.with_file_name(format!(".{name}.{tag}"))
}

fn existing_files(out: &Path) -> io::Result<BTreeSet<String>> {
    let mut set = BTreeSet::new();
    if !out.is_dir() {
        return Ok(set);
    }
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(out)
                .expect("child")
                .to_string_lossy()
                .replace('\\', "/");
            set.insert(rel);
        }
    }
    Ok(set)
}

fn check_path(p: &str) -> io::Result<()> {
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

/// Writes `files` as the complete content of `out`.
pub fn write_site(out: &Path, files: &[OutputFile]) -> io::Result<WriteStats> {
    for f in files {
        check_path(&f.path)?;
    }
    let old = sibling(out, "old");
    // A crash between the two renames of a non-atomic swap left the old
    // site aside: put it back before anything else.
    if !out.exists() && old.is_dir() {
        std::fs::rename(&old, out)?;
    }
    let existing = existing_files(out)?;
    let mut stats = WriteStats::default();
    let unchanged: Vec<bool> = files
        .iter()
        .map(|f| {
            existing.contains(&f.path)
                && std::fs::read(out.join(&f.path)).is_ok_and(|b| b == f.bytes)
        })
        .collect();
    let new_paths: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    stats.removed = existing
        .iter()
        .filter(|p| !new_paths.contains(p.as_str()))
        .count();
    stats.unchanged = unchanged.iter().filter(|u| **u).count();
    stats.written = files.len() - stats.unchanged;
    if stats.written == 0 && stats.removed == 0 && out.is_dir() {
        return Ok(stats);
    }

    let staging = sibling(out, &format!("staging-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    std::fs::create_dir_all(&staging)?;
    let result = (|| -> io::Result<()> {
        let mut made: BTreeSet<PathBuf> = BTreeSet::new();
        for (f, same) in files.iter().zip(&unchanged) {
            let dest = staging.join(&f.path);
            if let Some(parent) = dest.parent()
                && made.insert(parent.to_owned())
            {
                std::fs::create_dir_all(parent)?;
            }
            if *same && std::fs::hard_link(out.join(&f.path), &dest).is_ok() {
                continue;
            }
            std::fs::write(&dest, &f.bytes)?;
        }
        swap(&staging, out, &old)
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result?;
    Ok(stats)
}

/// Puts `staging` in place of `out`: an atomic exchange where the platform
/// has one, else two renames (recovered by the next build if interrupted).
fn swap(staging: &Path, out: &Path, old: &Path) -> io::Result<()> {
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
        assert_eq!(leftovers, ["public"]);
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
}
