//! The file-system bound of a build: writes as many files of the same
//! sizes, in the same folders, as a built site holds, into a new folder on
//! the same file system, on every core, and reports how long that took.
//! Nothing is rendered: what is left is making folders, creating files and
//! copying bytes, the least any static-site generator writing that site
//! can do. `benches/fs_bound.sh` compares a build with it.
//!
//! ```sh
//! cargo run --release --example fs_writer -- SITE DEST
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [site, dest] = args.as_slice() else {
        eprintln!("usage: fs_writer SITE DEST (DEST must not exist)");
        std::process::exit(2);
    };
    let (site, dest) = (Path::new(site), Path::new(dest));
    if dest.exists() {
        eprintln!("{}: exists; give a new folder", dest.display());
        std::process::exit(2);
    }
    // The site's shape, read before the clock starts: its folders, and
    // each file's path and size.
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut files: Vec<(PathBuf, usize)> = Vec::new();
    for entry in walkdir::WalkDir::new(site) {
        let entry = entry.expect("readable site");
        let rel = entry.path().strip_prefix(site).expect("child").to_owned();
        if entry.file_type().is_dir() {
            dirs.push(rel);
        } else if entry.file_type().is_file() {
            let len = entry.metadata().expect("metadata").len() as usize;
            files.push((rel, len));
        }
    }
    let largest = files.iter().map(|f| f.1).max().unwrap_or(0);
    let bytes: usize = files.iter().map(|f| f.1).sum();
    // Not zeros: a file system may treat those specially.
    let buffer: Vec<u8> = (0..largest).map(|i| b"<p>status</p>\n"[i % 14]).collect();
    let start = Instant::now();
    // Folders first, parents before children (walkdir's order).
    for d in &dirs {
        std::fs::create_dir(dest.join(d)).expect("a new folder");
    }
    files.par_iter().for_each(|(rel, len)| {
        std::fs::write(dest.join(rel), &buffer[..*len]).expect("write");
    });
    let secs = start.elapsed().as_secs_f64();
    println!(
        "wrote {} files ({} folders, {:.1} MB) in {secs:.3} s on {} threads",
        files.len(),
        dirs.len(),
        bytes as f64 / 1e6,
        rayon::current_num_threads()
    );
}
