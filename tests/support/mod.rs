//! A small builder for end-to-end tests: copy a fixture site to a temporary
//! folder, edit it, run the real `statusfleet` binary on it.

#![allow(dead_code, reason = "each test file uses a different part")]

pub mod checks;
pub mod mock;

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct SiteTest {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl SiteTest {
    pub fn from_fixture(name: &str) -> SiteTest {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&repo().join("tests/fixtures").join(name), dir.path());
        SiteTest { dir }
    }

    /// The demo site shipped at the repository root.
    pub fn demo() -> SiteTest {
        let dir = tempfile::tempdir().unwrap();
        let root = repo();
        std::fs::copy(
            root.join("statusfleet.yaml"),
            dir.path().join("statusfleet.yaml"),
        )
        .unwrap();
        for sub in ["demo", "content", "i18n"] {
            copy_dir(&root.join(sub), &dir.path().join(sub));
        }
        SiteTest { dir }
    }

    /// An empty site folder with just `statusfleet.yaml`.
    pub fn with_config(yaml: &str) -> SiteTest {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("statusfleet.yaml"), yaml).unwrap();
        SiteTest { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn edit(self, rel: &str, f: impl FnOnce(String) -> String) -> SiteTest {
        let p = self.path(rel);
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, f(text)).unwrap();
        self
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// Runs the binary with extra environment variables.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_statusfleet"))
            .args(args)
            .envs(env.iter().copied())
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn build(&self) -> Run {
        let r = self.run(&["build", "--offline"]);
        assert_eq!(r.code, 0, "build failed:\n{}\n{}", r.stdout, r.stderr);
        r
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Every file under `rel`, relative paths sorted, with bytes.
    pub fn files(&self, rel: &str) -> Vec<(String, Vec<u8>)> {
        files_under(&self.path(rel))
    }
}

/// Every file under `base`, paths relative to it (with `/`), sorted, with
/// bytes.
pub fn files_under(base: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(base)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// The `<main>` element of a page, for snapshot tests.
pub fn main_region(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("main").unwrap();
    doc.select(&sel).next().expect("a <main>").html()
}

/// The README and every page of the book (`docs/src`), one after another.
pub fn book() -> String {
    let mut pages: Vec<std::path::PathBuf> = walkdir::WalkDir::new(repo().join("docs/src"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    pages.sort();
    let mut text = std::fs::read_to_string(repo().join("README.md")).unwrap();
    for p in pages {
        text.push('\n');
        text.push_str(&std::fs::read_to_string(p).unwrap());
    }
    text
}

/// The code block that follows the line `` `path`: `` in the book.
pub fn book_block(book: &str, path: &str) -> String {
    let readme = book;
    let at = readme
        .find(&format!("`{path}`:\n"))
        .unwrap_or_else(|| panic!("book: no example for {path}"));
    let rest = &readme[at..];
    let open = rest.find("```").unwrap();
    let body = &rest[open..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```").unwrap()].to_owned()
}

/// The decoded parts of a MIME message (`multipart/alternative` of
/// text and HTML, as the notifications write them): (content type, text).
pub fn mime_parts(eml: &str) -> Vec<(String, String)> {
    use base64::Engine as _;
    let (head, body) = eml.split_once("\r\n\r\n").expect("headers end");
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let boundary = unfolded
        .split("boundary=")
        .nth(1)
        .expect("a multipart boundary")
        .trim_matches(|c: char| c == '"' || c.is_whitespace())
        .split(['"', ';', '\r'])
        .next()
        .unwrap()
        .to_owned();
    let mut out = Vec::new();
    for part in body.split(&format!("--{boundary}")).skip(1) {
        let Some((h, b)) = part.split_once("\r\n\r\n") else {
            continue; // the closing `--`
        };
        let h = h.to_ascii_lowercase();
        let ctype = h
            .lines()
            .find_map(|l| l.strip_prefix("content-type:"))
            .unwrap_or("")
            .trim()
            .to_owned();
        let text = if h.contains("content-transfer-encoding: base64") {
            let clean: String = b.chars().filter(|c| !c.is_whitespace()).collect();
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(clean)
                    .unwrap(),
            )
            .unwrap()
        } else if h.contains("content-transfer-encoding: quoted-printable") {
            let mut bytes = Vec::new();
            let raw = b.replace("=\r\n", "");
            let r = raw.as_bytes();
            let mut i = 0;
            while i < r.len() {
                if r[i] == b'=' && i + 2 < r.len() {
                    let hex = std::str::from_utf8(&r[i + 1..i + 3]).unwrap();
                    bytes.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 3;
                } else {
                    bytes.push(r[i]);
                    i += 1;
                }
            }
            String::from_utf8(bytes).unwrap()
        } else {
            b.to_owned()
        };
        out.push((ctype, text));
    }
    out
}

/// A customer's history as the store holds it (its log, or a JSON file
/// of earlier versions), as `statusfleet history export` gives it.
pub fn history(site: &SiteTest, slug: &str) -> serde_json::Value {
    let h = statusfleet::history::load(&site.path("data"), slug)
        .unwrap_or_else(|e| panic!("{slug}: {e}"));
    serde_json::from_str(&statusfleet::history::export(&h)).unwrap()
}
