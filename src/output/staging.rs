//! The staging folder of a build, and publishing it (see [`Staging`]).

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use super::manifest::{MANIFEST_SCHEMA, paths_hash, write_manifest};
use super::{CustomerEntry, Manifest, OutputFile, WriteStats, check_path, sibling, swap};

/// A site being written. Customers are rendered into a staging folder
/// beside `out` as they come (the fleet is never held in memory); a file
/// whose bytes the current site already has is hard-linked, not rewritten.
/// A customer whose inputs did not change is not rendered or staged at all.
///
/// At the end, with no error: a first build renames the staging folder into
/// place whole; later builds exchange each changed customer's folder with
/// its current one (an atomic exchange on Linux), then replace the
/// fleet-level files and remove customers no longer built. Every customer's
/// folder is always whole, old or new; a build that fails changes nothing;
/// a rebuild costs what changed, not the size of the fleet.
pub struct Staging {
    out: PathBuf,
    staging: PathBuf,
    /// Removes the staging folder when the build ends without publishing
    /// (an error returned with `?`, a panic): nothing half-made is left.
    guard: RemoveOnDrop,
    /// `out` did not exist: the staging folder becomes it.
    fresh: bool,
    /// What the current site holds, from its manifest. A customer's entry
    /// leaves it once the customer is carried over or staged (the fleet's
    /// aggregates are held once, not twice).
    previous: std::sync::Mutex<Manifest>,
    /// The previous manifest's fleet-level files.
    previous_root: Vec<String>,
    next: std::sync::Mutex<Manifest>,
    /// Customers staged with a difference, and fleet-level files that differ.
    changed: std::sync::Mutex<(Vec<String>, Vec<String>)>,
    written: std::sync::atomic::AtomicUsize,
    unchanged: std::sync::atomic::AtomicUsize,
    removed: std::sync::atomic::AtomicUsize,
}

/// Removes a folder when dropped, unless disarmed.
pub(super) struct RemoveOnDrop {
    path: PathBuf,
    armed: bool,
}

impl RemoveOnDrop {
    pub(super) fn new(path: &Path) -> RemoveOnDrop {
        RemoveOnDrop {
            path: path.to_owned(),
            armed: true,
        }
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if self.armed {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Every file under `out/<slug>`, as paths relative to `out`.
fn customer_files(out: &Path, slug: &str) -> io::Result<Vec<String>> {
    let mut v = Vec::new();
    let dir = out.join(slug);
    if !dir.is_dir() {
        return Ok(v);
    }
    for entry in walkdir::WalkDir::new(&dir) {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(out).expect("child");
            v.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(v)
}

/// Removes the staging folders of builds that were killed (their process
/// is gone); a running build's staging folder is left alone.
pub(super) fn remove_abandoned_staging(out: &Path) {
    let Some(parent) = out.parent().map(|p| {
        if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        }
    }) else {
        return;
    };
    let prefix = sibling(out, "staging-")
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(&prefix)
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let alive = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
        if !alive {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A manifest made of borrowed parts (serialized as a [`Manifest`]).
#[derive(serde::Serialize)]
struct ManifestView<'a> {
    schema: u32,
    customers: std::collections::BTreeMap<&'a String, &'a CustomerEntry>,
    root: &'a [String],
}

/// What the manifest keeps of a staged customer besides its files.
#[derive(Debug, Default)]
pub struct CustomerKept<'a> {
    /// Its inputs' fingerprint.
    pub fingerprint: &'a str,
    /// Labels of the sources whose data is stale.
    pub stale: Vec<String>,
    /// Ids of its incidents that have partner notes.
    pub notes: Vec<String>,
    pub console: Option<crate::site::aggregate::Aggregate>,
}

/// What [`Staging::finish`] reports.
#[derive(Debug, Clone, Default)]
pub struct Finished {
    pub stats: WriteStats,
    pub files: usize,
    pub pages: usize,
    /// Customers whose pages show stale data: (slug, source labels).
    pub stale: Vec<(String, Vec<String>)>,
}

impl Staging {
    /// Starts a build of `out`: recovers an interrupted swap, reads the
    /// manifest (ignored when it does not describe `out`), makes the
    /// staging folder.
    pub fn begin(out: &Path) -> io::Result<Staging> {
        let old = sibling(out, "old");
        // A crash between the two renames of a non-atomic swap left the old
        // site aside: put it back before anything else.
        if !out.exists() && old.is_dir() {
            std::fs::rename(&old, out)?;
        }
        // Publishing would move a file in the way aside, not replace it.
        if std::fs::symlink_metadata(out).is_ok() && !out.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "it exists and is not a folder: expected a folder, or nothing, at the output path",
            ));
        }
        let fresh = !out.is_dir();
        let previous = std::fs::read(sibling(out, "manifest.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
            .filter(|m| m.schema == MANIFEST_SCHEMA && !fresh)
            .unwrap_or_default();
        remove_abandoned_staging(out);
        let staging = sibling(out, &format!("staging-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging)?;
        }
        std::fs::create_dir_all(&staging)?;
        Ok(Staging {
            out: out.to_owned(),
            guard: RemoveOnDrop {
                path: staging.clone(),
                armed: true,
            },
            staging,
            fresh,
            previous_root: previous.root.clone(),
            previous: std::sync::Mutex::new(previous),
            next: std::sync::Mutex::new(Manifest {
                schema: MANIFEST_SCHEMA,
                ..Default::default()
            }),
            changed: Default::default(),
            written: 0.into(),
            unchanged: 0.into(),
            removed: 0.into(),
        })
    }

    /// Keeps customer `slug` as it is in the current site, when the
    /// previous build has it (with `fingerprint`, unless `None`: any) and
    /// its folder is there; gives the partner notes it used.
    pub fn carry_over(&self, slug: &str, fingerprint: Option<&str>) -> Option<Vec<String>> {
        let entry = {
            let mut previous = self.previous.lock().expect("not poisoned");
            let e = previous.customers.get(slug)?;
            if fingerprint.is_some_and(|f| f != e.fingerprint) || !self.out.join(slug).is_dir() {
                return None;
            }
            previous.customers.remove(slug)?
        };
        self.unchanged
            .fetch_add(entry.files, std::sync::atomic::Ordering::Relaxed);
        let notes = entry.notes.clone();
        self.next
            .lock()
            .expect("not poisoned")
            .customers
            .insert(slug.to_owned(), entry);
        Some(notes)
    }

    /// The manifest this build is making: what each customer staged or
    /// carried over keeps (its console aggregate among it).
    pub fn next_manifest(&self) -> std::sync::MutexGuard<'_, Manifest> {
        self.next.lock().expect("not poisoned")
    }

    /// Stages one customer's files, all under its folder `slug`, with
    /// what the manifest keeps of it.
    pub fn write_customer(
        &self,
        slug: &str,
        kept: CustomerKept<'_>,
        files: &[OutputFile],
    ) -> io::Result<()> {
        self.write(Some(slug), kept, files)
    }

    /// Stages the fleet-level files (`robots.txt`, the sitemap index).
    pub fn write_fleet(&self, files: &[OutputFile]) -> io::Result<()> {
        self.write(None, CustomerKept::default(), files)
    }

    /// Stages one customer's files (or, with `slug` `None`, the fleet-level
    /// files). Files must lie under the customer's folder.
    fn write(
        &self,
        slug: Option<&str>,
        kept: CustomerKept<'_>,
        files: &[OutputFile],
    ) -> io::Result<()> {
        let mut made: BTreeSet<PathBuf> = BTreeSet::new();
        let (mut written, mut unchanged) = (0, 0);
        let mut differing_root = Vec::new();
        for f in files {
            check_path(&f.path)?;
            if let Some(slug) = slug
                && !f.path.starts_with(&format!("{slug}/"))
            {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} is outside customer {slug}'s folder", f.path),
                ));
            }
            let current = self.out.join(&f.path);
            let same = !self.fresh && super::same_bytes(&current, &f.bytes);
            if same && slug.is_none() {
                // A fleet-level file that did not change stays where it is.
                unchanged += 1;
                continue;
            }
            let dest = self.staging.join(&f.path);
            if let Some(parent) = dest.parent()
                && made.insert(parent.to_owned())
            {
                std::fs::create_dir_all(parent)?;
            }
            if same && std::fs::hard_link(&current, &dest).is_ok() {
                unchanged += 1;
                continue;
            }
            std::fs::write(&dest, &f.bytes)?;
            written += 1;
            if slug.is_none() {
                differing_root.push(f.path.clone());
            }
        }
        use std::sync::atomic::Ordering::Relaxed;
        self.written.fetch_add(written, Relaxed);
        self.unchanged.fetch_add(unchanged, Relaxed);
        match slug {
            Some(slug) => {
                let mut sorted: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
                sorted.sort_unstable();
                let paths = paths_hash(&sorted);
                let same_set = self
                    .previous
                    .lock()
                    .expect("not poisoned")
                    .customers
                    .remove(slug)
                    .is_some_and(|e| e.paths == paths);
                if written == 0 && same_set && !self.fresh {
                    // Rendered again, nothing differs: keep the current folder.
                    std::fs::remove_dir_all(self.staging.join(slug))?;
                } else {
                    if !self.fresh {
                        // Files the current folder has and the new one lacks.
                        let keep: BTreeSet<&str> = sorted.iter().copied().collect();
                        let gone = customer_files(&self.out, slug)?
                            .iter()
                            .filter(|p| !keep.contains(p.as_str()))
                            .count();
                        self.removed.fetch_add(gone, Relaxed);
                    }
                    self.changed
                        .lock()
                        .expect("not poisoned")
                        .0
                        .push(slug.to_owned());
                }
                self.next.lock().expect("not poisoned").customers.insert(
                    slug.to_owned(),
                    CustomerEntry {
                        fingerprint: kept.fingerprint.to_owned(),
                        files: files.len(),
                        pages: sorted.iter().filter(|p| p.ends_with(".html")).count(),
                        paths,
                        stale: kept.stale,
                        notes: kept.notes,
                        console: kept.console,
                    },
                );
            }
            None => {
                self.changed
                    .lock()
                    .expect("not poisoned")
                    .1
                    .extend(differing_root);
                self.next
                    .lock()
                    .expect("not poisoned")
                    .root
                    .extend(files.iter().map(|f| f.path.clone()));
            }
        }
        Ok(())
    }

    /// Abandons the build: the current site stays as it was. (Dropping a
    /// `Staging` without [`finish`](Self::finish) does the same.)
    pub fn abort(self) {}

    /// Puts what changed in place (see [`Staging`]); leaves `out`
    /// untouched when nothing did.
    pub fn finish(mut self) -> io::Result<Finished> {
        use std::sync::atomic::Ordering::Relaxed;
        let next = self.next.into_inner().expect("not poisoned");
        let (mut changed, root_changed) = self.changed.into_inner().expect("not poisoned");
        changed.sort();
        // What the current site has that the new one does not: customers
        // no longer built, fleet-level files no longer written.
        let mut gone: Vec<(String, bool)> = Vec::new();
        if !self.fresh {
            for entry in std::fs::read_dir(&self.out)? {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let is_dir = entry.file_type()?.is_dir();
                let kept = if is_dir {
                    next.customers.contains_key(&name)
                        || next.root.iter().any(|p| p.starts_with(&format!("{name}/")))
                } else {
                    next.root.contains(&name)
                };
                if !kept {
                    gone.push((name, is_dir));
                }
            }
        }
        let mut removed = self.removed.load(Relaxed);
        for (name, is_dir) in &gone {
            removed += if *is_dir {
                customer_files(&self.out, name)?.len()
            } else {
                1
            };
        }
        let stats = WriteStats {
            written: self.written.load(Relaxed),
            unchanged: self.unchanged.load(Relaxed),
            removed,
        };
        let manifest = sibling(&self.out, "manifest.json");
        let result = (|| -> io::Result<()> {
            // The manifest may only vouch for what is on disk: until this
            // build is published, it forgets every customer about to change
            // (a crash part-way leaves them to be rendered again).
            if self.fresh {
                let _ = std::fs::remove_file(&manifest);
            } else {
                // What is on disk now: every customer of this build but the
                // changed ones, and the current fleet-level files.
                let interim = ManifestView {
                    schema: next.schema,
                    customers: next
                        .customers
                        .iter()
                        .filter(|(slug, _)| changed.binary_search(slug).is_err())
                        .collect(),
                    root: &self.previous_root,
                };
                write_manifest(&manifest, &interim)?;
            }
            if self.fresh {
                swap(&self.staging, &self.out, &sibling(&self.out, "old"))?;
                return write_manifest(&sibling(&self.out, "manifest.json"), &next);
            }
            // Each changed customer's folder, whole, in one step. (The crash
            // test widens the gaps between steps to land kills in them.)
            let pause = std::env::var("STATUSFLEET_TEST_PUBLISH_PAUSE_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .map(std::time::Duration::from_millis);
            for slug in &changed {
                if let Some(p) = pause {
                    std::thread::sleep(p);
                }
                let staged = self.staging.join(slug);
                let live = self.out.join(slug);
                swap(&staged, &live, &self.staging.join(format!(".old-{slug}")))?;
            }
            // Then the fleet-level files, which may name new customers.
            for path in &root_changed {
                let dest = self.out.join(path);
                if let Some(parent) = dest.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::rename(self.staging.join(path), dest)?;
            }
            // Last, what is no longer built.
            for (name, is_dir) in &gone {
                let p = self.out.join(name);
                if *is_dir {
                    std::fs::remove_dir_all(p)?;
                } else {
                    std::fs::remove_file(p)?;
                }
            }
            std::fs::remove_dir_all(&self.staging)?;
            write_manifest(&sibling(&self.out, "manifest.json"), &next)
        })();
        // On an error the guard removes the staging folder; once published
        // there is none left to remove.
        result?;
        self.guard.armed = false;
        Ok(Finished {
            stats,
            files: next.customers.values().map(|c| c.files).sum::<usize>() + next.root.len(),
            pages: next.customers.values().map(|c| c.pages).sum::<usize>()
                + next.root.iter().filter(|p| p.ends_with(".html")).count(),
            stale: next
                .customers
                .iter()
                .filter(|(_, c)| !c.stale.is_empty())
                .map(|(slug, c)| (slug.clone(), c.stale.clone()))
                .collect(),
        })
    }
}
