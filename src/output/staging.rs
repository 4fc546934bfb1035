//! The staging folder of a build, and publishing it (see [`Staging`]).

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use super::keys::{self, Known, PageKey, PageKeys};
use super::manifest::{MANIFEST_SCHEMA, paths_hash, write_manifest};
use super::spare;
use super::{
    CustomerEntry, Manifest, OutputFile, WriteStats, check_path, remove_tree, sibling, swap,
    swap_in,
};

/// A site being written. Customers are rendered into a staging folder
/// beside `out` as they come (the fleet is never held in memory); a file
/// whose bytes the current site already has is hard-linked, not rewritten.
/// A customer whose inputs did not change is not rendered or staged at all;
/// in one that is, a page whose key (see [`keys`](super::keys)) the current
/// site has is hard-linked without being rendered.
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
    /// Pages kept from the current site without being rendered.
    reused: std::sync::atomic::AtomicUsize,
    /// Customers whose new key files wait in `staging/.keys/`.
    keyed: std::sync::Mutex<Vec<String>>,
    /// Changed customers whose current folder, once replaced, becomes
    /// their spare (see [`spare`](super::spare)): the digest of its keys.
    spares: std::sync::Mutex<std::collections::HashMap<String, String>>,
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
    /// Pages kept from the current site without being rendered.
    pub reused: usize,
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
            reused: 0.into(),
            keyed: Default::default(),
            spares: Default::default(),
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

    /// Stages one customer's files as they are made (from several threads
    /// at once): [`CustomerStage::put`] each, then
    /// [`CustomerStage::finish`].
    pub fn customer(&self, slug: &str) -> CustomerStage<'_> {
        let wanted = self
            .previous
            .lock()
            .expect("not poisoned")
            .customers
            .get(slug)
            .and_then(|e| e.keys.clone());
        let previous_keys = keys::load(&keys::file(&self.out, slug), wanted.as_deref());
        // The spare is brought up to date only beside a current folder
        // whose keys are trusted (its unchanged pages are linked from it).
        let spare = (!self.fresh && !previous_keys.is_empty())
            .then(|| spare::take(&self.out, slug, &self.staging.join(slug)))
            .flatten();
        CustomerStage {
            staging: self,
            slug: Some(slug.to_owned()),
            made: std::sync::Mutex::new(BTreeSet::new()),
            state: std::sync::Mutex::new(StageState::default()),
            previous_keys,
            previous_digest: wanted,
            spare,
        }
    }

    /// Stages the fleet-level files (`robots.txt`, the sitemap index).
    pub fn write_fleet(&self, files: &[OutputFile]) -> io::Result<()> {
        let stage = CustomerStage {
            staging: self,
            slug: None,
            made: std::sync::Mutex::new(BTreeSet::new()),
            state: std::sync::Mutex::new(StageState::default()),
            previous_keys: Known::default(),
            previous_digest: None,
            spare: None,
        };
        for f in files {
            stage.put(f);
        }
        stage.finish(CustomerKept::default()).map(|_| ())
    }

    /// Stages one file of customer `slug` (or, with `None`, a fleet-level
    /// file):
    /// `Ok(true)` when written, `Ok(false)` when it is the current file
    /// (hard-linked, or for a fleet-level file left where it is).
    fn stage_file(
        &self,
        slug: Option<&str>,
        made: &std::sync::Mutex<BTreeSet<PathBuf>>,
        recycled: bool,
        f: &OutputFile,
    ) -> io::Result<Staged> {
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
        let existing = if self.fresh {
            None
        } else {
            std::fs::metadata(&current).ok()
        };
        let same = existing.as_ref().is_some_and(|m| {
            m.len() == f.bytes.len() as u64 && std::fs::read(&current).is_ok_and(|b| b == f.bytes)
        });
        if same && slug.is_none() {
            // A fleet-level file that did not change stays where it is.
            return Ok(Staged::Same);
        }
        let dest = self.staging.join(&f.path);
        make_parent(made, &dest, recycled.then_some(self.staging.as_path()))?;
        if recycled {
            // The spare has a file here, or not: replaced, never written
            // in place (it may be the published file's inode).
            if same
                && (same_inode(&current, &dest)
                    || spare::replace(&dest, |tmp| std::fs::hard_link(&current, tmp)).is_ok())
            {
                return Ok(Staged::Same);
            }
            spare::replace(&dest, |tmp| std::fs::write(tmp, &f.bytes))?;
        } else if same && std::fs::hard_link(&current, &dest).is_ok() {
            return Ok(Staged::Same);
        } else {
            std::fs::write(&dest, &f.bytes)?;
        }
        Ok(if existing.is_some() {
            Staged::Replaced
        } else {
            Staged::New
        })
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
        let keyed = self.keyed.into_inner().expect("not poisoned");
        let keys_dir = keys::dir(&self.out);
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
            let staged_keys = self.staging.join(".keys");
            if self.fresh {
                // No manifest names the key files of another site, nor
                // its spares.
                let _ = std::fs::remove_dir_all(&keys_dir);
                let _ = std::fs::remove_dir_all(spare::dir(&self.out));
                if staged_keys.is_dir() {
                    std::fs::rename(&staged_keys, &keys_dir)?;
                }
                swap(&self.staging, &self.out, &sibling(&self.out, "old"))?;
                return write_manifest(&sibling(&self.out, "manifest.json"), &next);
            }
            // Each changed customer's folder, whole, in one step. (The crash
            // test widens the gaps between steps to land kills in them.)
            let pause = std::env::var("STATUSFLEET_TEST_PUBLISH_PAUSE_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .map(std::time::Duration::from_millis);
            let mut replaced = Vec::new();
            for slug in &changed {
                if let Some(p) = pause {
                    std::thread::sleep(p);
                }
                let staged = self.staging.join(slug);
                let live = self.out.join(slug);
                // The previous folder stays in the staging folder (removed
                // with it below), or becomes the customer's spare.
                if let Some(previous) =
                    swap_in(&staged, &live, &self.staging.join(format!(".old-{slug}")))?
                {
                    replaced.push((slug, previous));
                }
            }
            // Then the fleet-level files, which may name new customers.
            for path in &root_changed {
                let dest = self.out.join(path);
                if let Some(parent) = dest.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::rename(self.staging.join(path), dest)?;
            }
            // Each replaced folder becomes its customer's spare, with the
            // keys that describe it, before the new keys take their place.
            // (One that cannot is removed with the staging folder.)
            let spares = self.spares.into_inner().expect("not poisoned");
            for (slug, previous) in replaced {
                if let Some(digest) = spares.get(slug) {
                    let _ = spare::keep(&self.out, slug, &previous, digest);
                }
            }
            // The rendered customers' page keys, now that their folders
            // are those the keys describe (until the manifest below names
            // them, they are not trusted).
            if !keyed.is_empty() {
                std::fs::create_dir_all(&keys_dir)?;
            }
            for slug in &keyed {
                std::fs::rename(
                    staged_keys.join(format!("{slug}.keys")),
                    keys::file(&self.out, slug),
                )?;
            }
            // Last, what is no longer built.
            for (name, is_dir) in &gone {
                let p = self.out.join(name);
                if *is_dir {
                    std::fs::remove_dir_all(p)?;
                    let _ = std::fs::remove_file(keys::file(&self.out, name));
                    spare::forget(&self.out, name);
                } else {
                    std::fs::remove_file(p)?;
                }
            }
            remove_tree(&self.staging)?;
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
            reused: self.reused.load(Relaxed),
            stale: next
                .customers
                .iter()
                .filter(|(_, c)| !c.stale.is_empty())
                .map(|(slug, c)| (slug.clone(), c.stale.clone()))
                .collect(),
        })
    }
}

/// What a [`CustomerStage`] has staged so far.
#[derive(Default)]
struct StageState {
    paths: Vec<String>,
    written: usize,
    unchanged: usize,
    /// Staged files the current folder has too (the rest are new).
    existed: usize,
    /// Pages kept without being rendered.
    reused: usize,
    /// The keys of its pages, kept or rendered.
    keys: Vec<PageKeys>,
    /// Fleet-level files that differ from the current ones.
    differing_root: Vec<String>,
    /// The first error: the stage fails at its finish.
    error: Option<io::Error>,
}

/// What staging a file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Staged {
    /// The current site has the same bytes: linked (or left in place).
    Same,
    /// The current site has other bytes there.
    Replaced,
    /// The current site has no file there.
    New,
}

/// One customer's files being staged as they are rendered (see
/// [`Staging::customer`]); only their paths are held, never their bytes.
pub struct CustomerStage<'s> {
    staging: &'s Staging,
    /// `None`: the fleet-level files.
    slug: Option<String>,
    /// The folders made so far (each is made once).
    made: std::sync::Mutex<BTreeSet<PathBuf>>,
    state: std::sync::Mutex<StageState>,
    /// The keys of the pages the current site has.
    previous_keys: Known,
    /// The digest of those keys, from the manifest.
    previous_digest: Option<String>,
    /// The keys of the spare folder the stage is bringing up to date (see
    /// [`spare`](super::spare)); none when it is a new folder.
    spare: Option<Known>,
}

/// Makes the folder of `dest` once (under the lock: another thread's file
/// may go there next).
/// In a spare (`spare`: the staging folder), a file where a folder must
/// be is removed first.
fn make_parent(
    made: &std::sync::Mutex<BTreeSet<PathBuf>>,
    dest: &Path,
    spare: Option<&Path>,
) -> io::Result<()> {
    if let Some(parent) = dest.parent() {
        let mut made = made.lock().expect("not poisoned");
        if !made.contains(parent) {
            if let Err(e) = std::fs::create_dir_all(parent) {
                let Some(root) = spare else {
                    return Err(e);
                };
                for dir in parent.ancestors().take_while(|d| *d != root) {
                    if std::fs::symlink_metadata(dir).is_ok_and(|m| !m.is_dir()) {
                        std::fs::remove_file(dir)?;
                    }
                }
                std::fs::create_dir_all(parent)?;
            }
            made.insert(parent.to_owned());
        }
    }
    Ok(())
}

/// Whether two paths name the same file (one inode).
fn same_inode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
        _ => false,
    }
}

impl CustomerStage<'_> {
    /// Keeps the current site's page at `path` without rendering it, when
    /// its context's key is `view` (and it is there): whether it did.
    pub fn keep(&self, path: &str, view: &PageKey) -> bool {
        self.previous_keys.has_view(view)
            && self.link(
                path,
                PageKeys {
                    inputs: PageKey::default(),
                    view: *view,
                },
            )
    }

    /// Keeps the current site's page at `path` without making its context,
    /// when its inputs' key is `inputs`: whether it did.
    pub fn keep_inputs(&self, path: &str, inputs: &PageKey) -> bool {
        self.previous_keys.view_of(inputs).is_some_and(|view| {
            self.link(
                path,
                PageKeys {
                    inputs: *inputs,
                    view,
                },
            )
        })
    }

    /// Hard-links the current site's file at `path` into the stage.
    fn link(&self, path: &str, keys: PageKeys) -> bool {
        let Some(slug) = &self.slug else {
            return false;
        };
        if check_path(path).is_err() || !path.starts_with(&format!("{slug}/")) {
            return false;
        }
        // The spare has this page already: nothing to do.
        let linked = if self.spare.as_ref().is_some_and(|s| s.has(&keys)) {
            true
        } else {
            let dest = self.staging.staging.join(path);
            let root = self
                .spare
                .is_some()
                .then_some(self.staging.staging.as_path());
            let current = self.staging.out.join(path);
            make_parent(&self.made, &dest, root).is_ok()
                && match std::fs::hard_link(&current, &dest) {
                    Ok(()) => true,
                    Err(e) if root.is_some() && e.kind() == io::ErrorKind::AlreadyExists => {
                        spare::replace(&dest, |tmp| std::fs::hard_link(&current, tmp)).is_ok()
                    }
                    Err(_) => false,
                }
        };
        if linked {
            let mut st = self.state.lock().expect("not poisoned");
            st.paths.push(path.to_owned());
            st.unchanged += 1;
            st.existed += 1;
            st.reused += 1;
            st.keys.push(keys);
        }
        linked
    }

    /// The bytes of the current site's page at `path` (to check, in debug
    /// builds, that a page kept by its key renders the same).
    pub fn current(&self, path: &str) -> Option<Vec<u8>> {
        check_path(path).ok()?;
        std::fs::read(self.staging.out.join(path)).ok()
    }

    /// Stages a page made from `inputs` (when it has an input key) and
    /// `view` (see [`put`](Self::put)).
    pub fn put_page(&self, f: &OutputFile, inputs: Option<PageKey>, view: PageKey) {
        self.put(f);
        self.state
            .lock()
            .expect("not poisoned")
            .keys
            .push(PageKeys {
                inputs: inputs.unwrap_or_default(),
                view,
            });
    }

    /// Stages one file. An error is kept and reported by
    /// [`finish`](Self::finish); later files are then ignored.
    pub fn put(&self, f: &OutputFile) {
        if self.state.lock().expect("not poisoned").error.is_some() {
            return;
        }
        let result =
            self.staging
                .stage_file(self.slug.as_deref(), &self.made, self.spare.is_some(), f);
        let mut st = self.state.lock().expect("not poisoned");
        st.paths.push(f.path.clone());
        match result {
            Ok(staged) => {
                if staged == Staged::Same {
                    st.unchanged += 1;
                } else {
                    st.written += 1;
                    if self.slug.is_none() {
                        st.differing_root.push(f.path.clone());
                    }
                }
                if staged != Staged::New {
                    st.existed += 1;
                }
            }
            Err(e) => {
                st.error.get_or_insert(e);
            }
        }
    }

    /// Records the staged customer (what the manifest keeps of it) and
    /// gives how many files it has; the first error of any file instead.
    pub fn finish(self, kept: CustomerKept<'_>) -> io::Result<usize> {
        let st = self.state.into_inner().expect("not poisoned");
        if let Some(e) = st.error {
            return Err(e);
        }
        let staging = self.staging;
        use std::sync::atomic::Ordering::Relaxed;
        staging.written.fetch_add(st.written, Relaxed);
        staging.unchanged.fetch_add(st.unchanged, Relaxed);
        staging.reused.fetch_add(st.reused, Relaxed);
        let files = st.paths.len();
        match self.slug {
            Some(slug) => {
                let (bytes, digest) = keys::encode(st.keys);
                keys::write(&staging.staging.join(".keys"), &slug, &bytes)?;
                staging
                    .keyed
                    .lock()
                    .expect("not poisoned")
                    .push(slug.clone());
                if self.spare.is_some() {
                    // What the spare holds that this build did not stage.
                    let staged: std::collections::HashSet<&str> =
                        st.paths.iter().map(String::as_str).collect();
                    spare::sweep(&staging.staging, &slug, &staged)?;
                }
                let mut sorted: Vec<&str> = st.paths.iter().map(String::as_str).collect();
                sorted.sort_unstable();
                let paths = paths_hash(&sorted);
                let previous = staging
                    .previous
                    .lock()
                    .expect("not poisoned")
                    .customers
                    .remove(&slug);
                let same_set = previous.as_ref().is_some_and(|e| e.paths == paths);
                if st.written == 0 && same_set && !staging.fresh {
                    // Rendered again, nothing differs: keep the current folder.
                    remove_tree(&staging.staging.join(&slug))?;
                } else {
                    if let Some(digest) = self.previous_digest.filter(|_| previous.is_some()) {
                        staging
                            .spares
                            .lock()
                            .expect("not poisoned")
                            .insert(slug.clone(), digest);
                    }
                    if !staging.fresh {
                        // Files the current folder has and the new one
                        // lacks: of those the manifest vouches for, all
                        // but those staged again; else, counted on disk.
                        let gone = match &previous {
                            Some(e) => e.files.saturating_sub(st.existed),
                            None => {
                                let keep: BTreeSet<&str> = sorted.iter().copied().collect();
                                customer_files(&staging.out, &slug)?
                                    .iter()
                                    .filter(|p| !keep.contains(p.as_str()))
                                    .count()
                            }
                        };
                        staging.removed.fetch_add(gone, Relaxed);
                    }
                    staging
                        .changed
                        .lock()
                        .expect("not poisoned")
                        .0
                        .push(slug.clone());
                }
                staging.next.lock().expect("not poisoned").customers.insert(
                    slug,
                    CustomerEntry {
                        fingerprint: kept.fingerprint.to_owned(),
                        files,
                        pages: sorted.iter().filter(|p| p.ends_with(".html")).count(),
                        paths,
                        keys: Some(digest),
                        stale: kept.stale,
                        notes: kept.notes,
                        console: kept.console,
                    },
                );
            }
            None => {
                staging
                    .changed
                    .lock()
                    .expect("not poisoned")
                    .1
                    .extend(st.differing_root);
                staging
                    .next
                    .lock()
                    .expect("not poisoned")
                    .root
                    .extend(st.paths);
            }
        }
        Ok(files)
    }
}
