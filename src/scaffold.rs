//! `statusfleet init`: a new site that builds at once — a commented
//! `statusfleet.yaml` with an example of every source and cloud, one
//! customer built from a snapshot file, a support page in every built-in
//! locale, empty `i18n/` overrides and a logo.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, SubsecRound, Utc};

/// The files of a new site: path under the site folder, contents. The
/// snapshot's `{{now…}}` times are filled in when the site is made.
const FILES: &[(&str, &str)] = &[
    (
        "statusfleet.yaml",
        include_str!("scaffold/statusfleet.yaml"),
    ),
    (
        "snapshots/example.yaml",
        include_str!("scaffold/snapshots/example.yaml"),
    ),
    (
        "content/pages/support.md",
        include_str!("scaffold/content/pages/support.md"),
    ),
    (
        "content/pages/support.fr-FR.md",
        include_str!("scaffold/content/pages/support.fr-FR.md"),
    ),
    (
        "content/pages/support.ko-KR.md",
        include_str!("scaffold/content/pages/support.ko-KR.md"),
    ),
    (
        "content/pages/support.zh-CN.md",
        include_str!("scaffold/content/pages/support.zh-CN.md"),
    ),
    ("i18n/en.yaml", include_str!("scaffold/i18n/en.yaml")),
    ("i18n/fr-FR.yaml", include_str!("scaffold/i18n/fr-FR.yaml")),
    ("i18n/ko-KR.yaml", include_str!("scaffold/i18n/ko-KR.yaml")),
    ("i18n/zh-CN.yaml", include_str!("scaffold/i18n/zh-CN.yaml")),
    (
        "branding/logo.svg",
        include_str!("scaffold/branding/logo.svg"),
    ),
    (
        "branding/customer.svg",
        include_str!("scaffold/branding/customer.svg"),
    ),
    (".gitignore", include_str!("scaffold/gitignore")),
];

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error(
        "{} already exist{} in {}; nothing was written (init never overwrites: choose an empty or new folder)",
        list(.existing),
        if .existing.len() == 1 { "s" } else { "" },
        .dir.display()
    )]
    Exists { dir: PathBuf, existing: Vec<String> },
    #[error("cannot write {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn list(names: &[String]) -> String {
    names.join(", ")
}

/// Writes a new site into `dir` (created if missing) and returns the files
/// written, relative to it. Refuses, writing nothing, when any of them
/// already exists.
pub fn init(dir: &Path, now: DateTime<Utc>) -> Result<Vec<&'static str>, InitError> {
    let existing: Vec<String> = FILES
        .iter()
        .filter(|(rel, _)| std::fs::symlink_metadata(dir.join(rel)).is_ok())
        .map(|(rel, _)| (*rel).to_owned())
        .collect();
    if !existing.is_empty() {
        return Err(InitError::Exists {
            dir: dir.to_owned(),
            existing,
        });
    }
    let now = now.trunc_subsecs(0);
    let mut written = Vec::new();
    for (rel, text) in FILES {
        let path = dir.join(rel);
        let io = |source| InitError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let text = fill_times(text, now);
        // create_new: a file that appeared since the check is not replaced.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(io)?;
        std::io::Write::write_all(&mut file, text.as_bytes()).map_err(io)?;
        written.push(*rel);
    }
    Ok(written)
}

/// Replaces `{{now}}`, `{{now-3d+2h}}`, `{{now+30m}}` with RFC 3339 times
/// relative to `now`.
fn fill_times(text: &str, now: DateTime<Utc>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{now") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        match offset(&after[3..end]) {
            Some(d) => out.push_str(&(now + d).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// `-3d+2h` → the sum of its signed terms (d, h, m).
fn offset(spec: &str) -> Option<Duration> {
    let mut total = Duration::zero();
    let mut rest = spec;
    while !rest.is_empty() {
        let sign = match rest.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let digits = rest[1..].bytes().take_while(u8::is_ascii_digit).count();
        let n: i64 = sign * rest[1..1 + digits].parse::<i64>().ok()?;
        let unit = rest[1 + digits..].chars().next()?;
        total += match unit {
            'd' => Duration::days(n),
            'h' => Duration::hours(n),
            'm' => Duration::minutes(n),
            _ => return None,
        };
        rest = &rest[2 + digits..];
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_filled_relative_to_now() {
        let now: DateTime<Utc> = "2026-11-23T10:15:42.5Z".parse().unwrap();
        let now = now.trunc_subsecs(0);
        assert_eq!(
            fill_times("a: {{now}}\nb: {{now-3d+2h}}\nc: {{now+30m}}", now),
            "a: 2026-11-23T10:15:42Z\nb: 2026-11-20T12:15:42Z\nc: 2026-11-23T10:45:42Z"
        );
        // Not a time: left as it is.
        assert_eq!(fill_times("{{nowhere}} {{now", now), "{{nowhere}} {{now");
    }

    #[test]
    fn every_snapshot_time_is_filled() {
        let now = Utc::now();
        for (rel, text) in FILES {
            assert!(!fill_times(text, now).contains("{{now"), "{rel}");
        }
    }
}
