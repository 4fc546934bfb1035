//! `statusfleet serve` driven over HTTP: edits show within seconds, a
//! broken config shows its error instead of a stale page, a fix recovers;
//! the reload script is only in what the preview sends; paths stay inside
//! the output.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support;

/// The preview process; killed when the test ends, pass or fail.
struct Preview {
    child: Child,
    port: u16,
    out: PathBuf,
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(site: &Path) -> Preview {
    let mut child = Command::new(env!("CARGO_BIN_EXE_statusfleet"))
        .args(["serve", "--port", "0"])
        .current_dir(site)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut out = None;
    let mut port = None;
    for line in lines.by_ref().take(5) {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("building statusfleet.yaml into ") {
            out = Some(PathBuf::from(rest));
        }
        if let Some(rest) = line.strip_prefix("serving the preview at http://127.0.0.1:") {
            port = Some(rest.split('/').next().unwrap().parse().unwrap());
            break;
        }
    }
    // Keep reading so the preview never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Preview {
        child,
        port: port.expect("the preview printed its address"),
        out: out.expect("the preview printed its folder"),
    }
}

struct Response {
    status: u16,
    head: String,
    body: String,
}

/// A raw HTTP/1.1 GET; `path` is sent exactly as given.
fn get(port: u16, path: &str) -> Response {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    Response {
        status: head[9..12].parse().unwrap(),
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

/// Polls `path` until `pred` holds; returns how long it took.
fn until(port: u16, path: &str, what: &str, pred: impl Fn(&Response) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let r = get(port, path);
        if pred(&r) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{what}: not within 10 s; last answer {}:\n{}",
            r.status,
            r.body
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn generation(page: &str) -> u64 {
    let at = page.find("data-generation=\"").unwrap() + 17;
    page[at..].split('"').next().unwrap().parse().unwrap()
}

#[test]
fn edits_show_within_seconds_errors_show_in_the_page_and_a_fix_recovers() {
    let tmp = tempfile::tempdir().unwrap();
    let init = Command::new(env!("CARGO_BIN_EXE_statusfleet"))
        .arg("init")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(init.status.success());
    let site = tmp.path();
    let preview = start(site);
    let port = preview.port;
    let page = "/example/en/support.html";

    let first = get(port, page);
    assert_eq!(first.status, 200);
    assert!(first.body.contains("<h1>Support</h1>"));
    // The served page has the reload script and a policy that lets it
    // run; the built file has neither.
    assert!(
        first
            .body
            .contains(r#"<script src="/__statusfleet/reload.js""#)
    );
    assert!(first.body.contains("script-src 'self'; connect-src 'self'"));
    let built = std::fs::read_to_string(preview.out.join("example/en/support.html")).unwrap();
    assert!(!built.contains("<script"), "the built page has a script");
    assert!(!built.contains("script-src"), "{built}");
    let g1 = generation(&first.body);

    // A page waiting for the next build hears of it when a content file
    // changes.
    let waiter =
        std::thread::spawn(move || get(port, &format!("/__statusfleet/events?since={g1}")));
    std::thread::sleep(Duration::from_millis(300));
    let support = site.join("content/pages/support.md");
    let text = std::fs::read_to_string(&support).unwrap();
    std::fs::write(
        &support,
        text.replace("## Contact the service desk", "## Call us day and night"),
    )
    .unwrap();
    let edited = until(port, page, "the edit", |r| {
        r.body.contains("Call us day and night")
    });
    let event = waiter.join().unwrap();
    assert_eq!(event.status, 200);
    assert!(event.body.starts_with("{\"generation\":"), "{}", event.body);
    assert_ne!(event.body, format!("{{\"generation\":{g1}}}"));
    println!("content edit served after {edited:?}");
    assert!(edited < Duration::from_secs(5), "{edited:?}");

    // A broken config: every page shows the error, not the last good page.
    let config = site.join("statusfleet.yaml");
    let good = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        good.replace(
            "    name: Example IT Services",
            "    name: Example IT Services\n    colour: blue",
        ),
    )
    .unwrap();
    let broke = until(port, page, "the error page", |r| r.status == 500);
    let error = get(port, page);
    assert!(error.body.contains("The build failed"), "{}", error.body);
    assert!(
        error
            .body
            .contains("statusfleet.yaml:15:5: site.partner: unknown field `colour`"),
        "{}",
        error.body
    );
    assert!(
        error.body.contains("reload.js"),
        "the error page reloads too"
    );
    assert_eq!(get(port, "/example/").status, 500);
    println!("broken config shown after {broke:?}");

    // Fixed: the page is back, with the edit.
    std::fs::write(&config, &good).unwrap();
    let fixed = until(port, page, "the recovery", |r| r.status == 200);
    assert!(get(port, page).body.contains("Call us day and night"));
    println!("fix served after {fixed:?}");

    // A snapshot (data) change rebuilds too.
    let snapshot = site.join("snapshots/example.yaml");
    let data = std::fs::read_to_string(&snapshot).unwrap();
    std::fs::write(
        &snapshot,
        data.replace("Some users may see delays", "Most users may see delays"),
    )
    .unwrap();
    until(port, "/example/en/index.html", "the data change", |r| {
        r.body.contains("Most users may see delays")
    });
}

#[test]
fn the_preview_serves_files_with_their_types_and_nothing_outside_the_output() {
    let site = support::SiteTest::demo();
    let preview = start(site.dir.path());
    let port = preview.port;
    let r = get(port, "/");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("contoso"), "the demo's fleet index");
    let r = get(port, "/contoso");
    assert_eq!(r.status, 301);
    assert!(r.head.contains("Location: /contoso/"), "{}", r.head);
    for (path, kind) in [
        ("/contoso/", "text/html; charset=utf-8"),
        ("/contoso/static/style.css", "text/css; charset=utf-8"),
        ("/contoso/en/feed.atom", "application/atom+xml"),
        ("/contoso/maintenance.ics", "text/calendar; charset=utf-8"),
        ("/contoso/api/v2/summary.json", "application/json"),
        ("/contoso/badge.svg", "image/svg+xml"),
        ("/__statusfleet/reload.js", "text/javascript; charset=utf-8"),
    ] {
        let r = get(port, path);
        assert_eq!(r.status, 200, "{path}");
        assert!(
            r.head.contains(&format!("Content-Type: {kind}\r\n")),
            "{path}: {}",
            r.head
        );
        assert!(r.head.contains("Cache-Control: no-store"), "{path}");
    }
    // Only pages get the script.
    assert!(
        !get(port, "/contoso/en/feed.atom")
            .body
            .contains("reload.js")
    );
    for path in [
        "/../statusfleet.yaml",
        "/contoso/../../statusfleet.yaml",
        "/%2e%2e/statusfleet.yaml",
        "/contoso/%2e%2e/%2e%2e/statusfleet.yaml",
        "/contoso/..%5c..%5cstatusfleet.yaml",
        "/%00",
    ] {
        let r = get(port, path);
        assert!(
            r.status == 400 || r.status == 404,
            "{path}: {} {}",
            r.status,
            r.body
        );
        assert!(!r.body.contains("customers:"), "{path} leaked the config");
    }
    assert_eq!(get(port, "/nope.html").status, 404);
}
