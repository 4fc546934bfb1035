//! No crash loses the site or the history: `statusfleet build` and
//! `statusfleet fetch` are killed with SIGKILL at moments spread over a
//! whole run, 50 times each, and after every kill:
//!
//! - build: every customer's folder is byte for byte the old site's or the
//!   new site's (the guarantee is per customer, see the book, docs/src/output.md, "Writing the
//!   output"), the fleet-level files likewise, and the next build finishes
//!   the job exactly;
//! - fetch: every history file parses and still holds every incident it
//!   held before the kill.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::SiteTest;
use support::mock::Mock;

const RUNS: usize = 50;
const CUSTOMERS: usize = 12;

/// A small deterministic generator (no dependency needed for jitter).
struct Lcg(u64);
impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn snapshot(k: usize, variant: usize) -> String {
    let incidents: Vec<Value> = (0..6)
        .map(|i| {
            json!({
                "id": format!("EX{k}{i}"),
                "title": format!("Incident {i} of customer {k}, variant {variant}"),
                "classification": "incident",
                "status": if i == 0 { "investigating" } else { "resolved" },
                "services": ["exchange"],
                "started_at": format!("2026-11-{:02}T08:00:00Z", 10 + i),
                "ended_at": if i == 0 { None } else { Some(format!("2026-11-{:02}T09:00:00Z", 10 + i)) },
                "updates": (0..4).map(|u| json!({"at": format!("2026-11-{:02}T08:{:02}:00Z", 10 + i, 10 * u), "body": format!("Update {u} ({variant}) {}", "x".repeat(variant * 7)), "format": "text"})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        // Every page says "data as of": every page differs between variants.
        "taken_at": format!("2026-11-22T1{variant}:00:00Z"),
        "services": [{"id": "exchange", "name": "Exchange Online", "health": if variant == 0 { "operational" } else { "degraded" }}],
        "incidents": incidents,
    })
    .to_string()
}

fn fleet_config() -> String {
    let mut y = String::from(
        "site:\n  title: Status\n  partner: { name: Northwind }\n  base_url: https://status.example.net/\ncustomers:\n",
    );
    for k in 0..CUSTOMERS {
        y.push_str(&format!(
            "  - slug: c{k}\n    name: Customer {k}\n    indexable: true\n    sources:\n      - file: {{ path: data-files/c{k}.json }}\n"
        ));
    }
    y
}

fn set_variant(site: &SiteTest, variant: usize) {
    std::fs::create_dir_all(site.path("data-files")).unwrap();
    for k in 0..CUSTOMERS {
        std::fs::write(
            site.path(&format!("data-files/c{k}.json")),
            snapshot(k, variant),
        )
        .unwrap();
    }
}

/// Every file under `dir`: relative path → bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    support::files_under(dir).into_iter().collect()
}

/// `tree` split by top-level entry: customer folder (or root file) → files.
fn by_top(t: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, BTreeMap<String, Vec<u8>>> {
    let mut out: BTreeMap<String, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
    for (p, b) in t {
        let top = p.split('/').next().unwrap().to_owned();
        out.entry(top).or_default().insert(p.clone(), b.clone());
    }
    out
}

fn spawn(site: &SiteTest, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_statusfleet"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(site.path(""))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// Runs to completion once to learn how long a run takes.
fn timed(site: &SiteTest, args: &[&str], env: &[(&str, &str)]) -> Duration {
    let start = Instant::now();
    let status = spawn(site, args, env).wait().unwrap();
    assert!(
        status.code().is_some_and(|c| c == 0 || c == 4),
        "{args:?}: {status}"
    );
    start.elapsed()
}

#[test]
fn killed_builds_leave_every_customer_whole() {
    let site = SiteTest::with_config(&fleet_config());
    // The two sites a build moves between.
    let mut refs = Vec::new();
    for v in 0..2 {
        set_variant(&site, v);
        let out = site.path(&format!("ref{v}"));
        let r = site.run(&["build", "--offline", "-q", "--out", out.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        refs.push(by_top(&tree(&out)));
    }
    assert_eq!(
        refs[0].keys().collect::<Vec<_>>(),
        refs[1].keys().collect::<Vec<_>>()
    );
    for (top, files) in &refs[0] {
        if top.starts_with('c') {
            assert_ne!(
                files, &refs[1][top],
                "{top} must differ between the variants"
            );
        }
    }
    set_variant(&site, 0);
    // Publishing is quick; the test widens the gaps between customers'
    // swaps so that kills land between them too.
    let env = [("STATUSFLEET_TEST_PUBLISH_PAUSE_MS", "15")];
    timed(&site, &["build", "--offline", "-q"], &env);
    set_variant(&site, 1);
    let mut full = timed(&site, &["build", "--offline", "-q"], &env);
    set_variant(&site, 0);
    timed(&site, &["build", "--offline", "-q"], &env);
    let mut rng = Lcg(0x5EED);
    let mut current = 0;
    let (mut untouched, mut mixed, mut complete) = (0, 0, 0);
    for run in 0..RUNS {
        let next = 1 - current;
        set_variant(&site, next);
        // Kill points spread over the whole run (stratified, jittered),
        // a little past its usual length.
        // Half the kills over the whole run, half over its last third,
        // where publishing happens.
        let share = (run / 2) as f64 + rng.unit();
        let at = if run % 2 == 0 {
            full.mul_f64(1.2 * share / (RUNS / 2) as f64)
        } else {
            full.mul_f64(0.7 + 0.45 * share / (RUNS / 2) as f64)
        };
        let mut child = spawn(&site, &["build", "--offline", "-q"], &env);
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        let now = by_top(&tree(&site.path("public")));
        assert_eq!(
            now.keys().collect::<Vec<_>>(),
            refs[0].keys().collect::<Vec<_>>(),
            "run {run} (kill at {at:?}): the output's entries"
        );
        let (mut old, mut new) = (0, 0);
        for (top, files) in &now {
            let is_old = files == &refs[current][top];
            let is_new = files == &refs[next][top];
            assert!(
                is_old || is_new,
                "run {run} (kill at {at:?}): {top} is neither the old nor the new one"
            );
            if top.starts_with('c') {
                old += usize::from(is_old && !is_new);
                new += usize::from(is_new && !is_old);
            }
        }
        match (old, new) {
            (_, 0) => untouched += 1,
            (0, _) => complete += 1,
            _ => mixed += 1,
        }
        // The next build completes the job, whatever the kill left.
        let start = Instant::now();
        let r = site.run_env(&["build", "--offline", "-q"], &env);
        assert_eq!(r.code, 0, "run {run}: {}", r.stderr);
        if untouched + mixed + complete > 0 && old + new == CUSTOMERS && new == 0 {
            // A full rebuild after a kill before publishing: the same work
            // as the killed run; keep the estimate current.
            full = (full + start.elapsed()) / 2;
        }
        assert_eq!(
            by_top(&tree(&site.path("public"))),
            refs[next],
            "run {run}: the build after the kill"
        );
        let leftovers: Vec<String> = std::fs::read_dir(site.path(""))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("staging") || n.ends_with(".old"))
            .collect();
        assert!(leftovers.is_empty(), "run {run}: left behind {leftovers:?}");
        current = next;
    }
    eprintln!(
        "crash/build: {RUNS} kills over {full:?} runs: {untouched} before publishing, {mixed} part-way (customers each whole), {complete} after; all recovered"
    );
}

const SECRET: &str = "crash-test-secret";

#[test]
fn killed_fetches_lose_no_history() {
    let mock = Mock::start_paged(SECRET, 3);
    mock.set_latency(Duration::from_millis(15));
    let tenants = 6;
    let issue = support::mock::recorded_tenant().issues[0].clone();
    let tenant_with = |k: usize, n: usize| {
        let mut t = support::mock::recorded_tenant();
        t.issues = (0..n)
            .map(|i| {
                let mut x = issue.clone();
                x["id"] = json!(format!("EX{k}0{i}"));
                x["title"] = json!(format!("Issue {i}"));
                x
            })
            .collect();
        t
    };
    let base = mock.base();
    let mut yaml = format!(
        "site:\n  title: Status\n  partner: {{ name: Northwind }}\nfetch:\n  concurrency: 3\n  retries: 0\n  timeout_seconds: 5\nclouds:\n  global: {{ login: \"{base}\", graph: \"{base}\", arm: \"{base}\" }}\ncredentials:\n  app:\n    client_id: 00000000-aaaa-bbbb-cccc-000000000001\n    client_secret_env: CRASH_SECRET\ncustomers:\n"
    );
    for k in 0..tenants {
        yaml.push_str(&format!(
            "  - slug: t{k}\n    name: Tenant {k}\n    tenant_id: tenant-{k}\n    sources:\n      - graph: {{ credentials: app }}\n"
        ));
    }
    let site = SiteTest::with_config(&yaml);
    let env = [("CRASH_SECRET", SECRET)];
    let mut issues = 2;
    for k in 0..tenants {
        mock.tenant(&format!("tenant-{k}"), tenant_with(k, issues));
    }
    let full = timed(&site, &["fetch", "-q"], &env);
    let held = |site: &SiteTest| -> BTreeMap<String, BTreeSet<String>> {
        (0..tenants)
            .map(|k| {
                let slug = format!("t{k}");
                // The real loader: it must parse.
                let h = statusfleet::history::load(&site.path("data"), &slug)
                    .unwrap_or_else(|e| panic!("{slug}: {e}"));
                let ids = h
                    .sources
                    .values()
                    .flat_map(|s| s.incidents.keys().cloned())
                    .collect();
                (slug, ids)
            })
            .collect()
    };
    let mut before = held(&site);
    assert!(before.values().all(|ids| ids.len() >= 2), "{before:?}");
    let mut rng = Lcg(0xF00D);
    let mut kills_mid_write = 0;
    for run in 0..RUNS {
        // Upstream moves on: one more issue per tenant, and the oldest
        // one forgotten upstream (history must keep it).
        issues += 1;
        for k in 0..tenants {
            let mut t = tenant_with(k, issues);
            t.issues.remove(0);
            mock.tenant(&format!("tenant-{k}"), t);
        }
        let at = full.mul_f64(1.3 * (run as f64 + rng.unit()) / RUNS as f64);
        let mut child = spawn(&site, &["fetch", "-q"], &env);
        std::thread::sleep(at);
        let _ = child.kill();
        child.wait().unwrap();
        let after = held(&site);
        for (slug, ids) in &before {
            let lost: Vec<&String> = ids.difference(&after[slug]).collect();
            assert!(
                lost.is_empty(),
                "run {run} (kill at {at:?}): {slug} lost {lost:?}"
            );
        }
        let grew = after
            .iter()
            .filter(|(s, ids)| ids.len() > before[*s].len())
            .count();
        if grew > 0 && grew < tenants {
            kills_mid_write += 1;
        }
        // Temporary files of the killed run never count as history.
        for e in std::fs::read_dir(site.path("data")).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                name.ends_with(".log") || name.starts_with('.'),
                "run {run}: {name}"
            );
        }
        before = after;
    }
    // And a whole fetch still works after fifty kills.
    let status = spawn(&site, &["fetch", "-q"], &env).wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let last = held(&site);
    for (slug, ids) in &last {
        assert!(ids.len() >= issues, "{slug}: {ids:?}");
    }
    eprintln!(
        "crash/fetch: {RUNS} kills over {full:?} runs ({kills_mid_write} with some tenants saved and others not); no history lost"
    );
}

/// A webhook receiver on 127.0.0.1: records the `webhook-id` of every
/// POST it answers 200, after `delay` (so kills land mid-delivery). Its
/// accept loop stops when the receiver is dropped.
struct Receiver {
    port: u16,
    ids: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Receiver {
    fn start(delay: Duration) -> Receiver {
        use std::io::{BufRead, BufReader, Read, Write};
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let ids = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (ids2, stop2) = (ids.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop2.load(Ordering::Relaxed) {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                let mut r = BufReader::new(stream);
                let (mut len, mut id) = (0usize, None);
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    let l = line.trim_end().to_ascii_lowercase();
                    if l.is_empty() {
                        break;
                    }
                    if let Some(v) = l.strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                    if let Some(v) = l.strip_prefix("webhook-id:") {
                        id = Some(v.trim().to_owned());
                    }
                }
                let mut body = vec![0; len];
                if r.read_exact(&mut body).is_err() {
                    continue; // the sender was killed mid-request
                }
                std::thread::sleep(delay);
                if let Some(id) = id {
                    ids2.lock().unwrap().push(id);
                }
                let _ = r.get_mut().write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            }
        });
        Receiver { port, ids, stop }
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.ids.lock().unwrap())
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The data of customer `k` before (no incident) and after: an incident
/// every customer shares (as Microsoft's are), one of its own, and a
/// maintenance window.
fn notify_snapshot(k: usize, after: bool) -> String {
    let incident = |id: String, title: String| {
        json!({
            "id": id, "title": title, "classification": "incident",
            "status": "investigating", "services": ["exchange"],
            "started_at": "2026-11-30T09:00:00Z",
            "updates": [{"at": "2026-11-30T09:05:00Z", "body": "We're investigating.", "format": "text"}],
        })
    };
    let (incidents, maintenance) = if after {
        (
            vec![
                incident("EX1001".into(), "Mail delayed".into()),
                incident(format!("OWN{k}"), format!("Customer {k}'s VPN down")),
            ],
            vec![json!({
                "id": format!("MW{k}"), "title": "Upgrade", "services": ["exchange"],
                "starts_at": "2026-12-05T22:00:00Z", "ends_at": "2026-12-06T02:00:00Z",
                "status": "scheduled", "body": "Short reconnects.",
            })],
        )
    } else {
        (Vec::new(), Vec::new())
    };
    json!({
        "taken_at": if after { "2026-11-30T09:10:00Z" } else { "2026-11-30T08:00:00Z" },
        "services": [{"id": "exchange", "name": "Exchange Online", "health": if after { "degraded" } else { "operational" }}],
        "incidents": incidents,
        "maintenance": maintenance,
    })
    .to_string()
}

/// The outbox files of `site` (not a killed write's temporary files).
fn outboxes(site: &SiteTest) -> Vec<String> {
    tree(&site.path("data/_outbox"))
        .into_keys()
        .filter(|n| !n.starts_with('.'))
        .collect()
}

/// No kill loses a notification: `statusfleet notify` is killed with
/// SIGKILL at moments spread over its run (while queueing, and between
/// sending a message and recording it), then run to completion. Every
/// message the uninterrupted run sends (learnt from a `--dry-run` of the
/// same site) arrives at least once; a message that arrives twice does
/// so under the same `webhook-id` (which receivers deduplicate on), and
/// no message arrives under an id the uninterrupted run does not have.
#[test]
fn killed_notify_loses_no_message() {
    const SUBS: usize = 3;
    let rx = Receiver::start(Duration::from_millis(4));
    let hook = |path: String| {
        format!(
            "      - {{ webhook: \"http://127.0.0.1:{}/{path}\", secret_env: NOTIFY_SECRET }}\n",
            rx.port
        )
    };
    let mut yaml = String::from(
        "site:\n  title: Status\n  partner: { name: Northwind }\n  base_url: https://status.example.net/\nnotifications:\n  partner:\n",
    );
    yaml.push_str(&hook("partner".into()).replacen("      ", "    ", 1));
    yaml.push_str("customers:\n");
    for k in 0..CUSTOMERS {
        yaml.push_str(&format!(
            "  - slug: c{k}\n    name: Customer {k}\n    sources:\n      - file: {{ path: data-files/c{k}.json }}\n    subscribers:\n"
        ));
        for j in 0..SUBS {
            yaml.push_str(&hook(format!("c{k}/{j}")));
        }
    }
    let env = [
        ("NOTIFY_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ("STATUSFLEET_NOW", "2026-11-30T09:10:00Z"),
    ];
    let data = |site: &SiteTest, after: bool| {
        std::fs::create_dir_all(site.path("data-files")).unwrap();
        for k in 0..CUSTOMERS {
            std::fs::write(
                site.path(&format!("data-files/c{k}.json")),
                notify_snapshot(k, after),
            )
            .unwrap();
        }
    };
    let notify = |site: &SiteTest, args: &[&str]| {
        let r = site.run_env(&[&["notify"], args].concat(), &env);
        assert_eq!(r.code, 0, "notify {args:?}:\n{}\n{}", r.stdout, r.stderr);
        r
    };
    let site = SiteTest::with_config(&yaml);
    data(&site, false);
    notify(&site, &["--offline"]); // the baseline
    data(&site, true);
    // What an uninterrupted run sends: its ids, from a dry run.
    let review = site.path("review");
    notify(&site, &["--dry-run", review.to_str().unwrap()]);
    let expected: BTreeSet<String> = support::files_under(&review)
        .into_iter()
        .map(|(name, _)| {
            let stem = name.rsplit('/').next().unwrap().trim_end_matches(".json");
            format!("msg_{}", stem.trim_start_matches("webhook-"))
        })
        .collect();
    // Three per subscriber (two incidents, a window), and the partner's.
    assert!(expected.len() > CUSTOMERS * SUBS * 3, "{}", expected.len());
    assert!(rx.take().is_empty(), "the dry run sent");
    // The state every round starts from: the baseline's outboxes.
    let baseline = tree(&site.path("data/_outbox"));
    let restore = || {
        let dir = site.path("data/_outbox");
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in &baseline {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    };
    let full = timed(&site, &["notify"], &env);
    let whole = rx.take();
    assert_eq!(
        whole.iter().cloned().collect::<BTreeSet<_>>(),
        expected,
        "the uninterrupted run"
    );
    assert_eq!(
        whole.len(),
        expected.len(),
        "the uninterrupted run sent twice"
    );
    let mut rng = Lcg(0x5EED);
    let (mut duplicates, mut before_any, mut mid) = (0, 0, 0);
    const ROUNDS: usize = 24;
    for round in 0..ROUNDS {
        restore();
        // One kill or two in a row, then a run to completion.
        for _ in 0..1 + round % 2 {
            let at = full.mul_f64(1.2 * (round as f64 + rng.unit()) / ROUNDS as f64);
            let mut child = spawn(&site, &["notify"], &env);
            std::thread::sleep(at);
            let _ = child.kill();
            child.wait().unwrap();
            // Every outbox file the kill left parses (a killed write's
            // temporary file is no outbox file: names start with `.`).
            for name in outboxes(&site) {
                let text = std::fs::read_to_string(site.path(&format!("data/_outbox/{name}")));
                let parsed = serde_json::from_str::<Value>(&text.unwrap());
                assert!(
                    parsed.is_ok(),
                    "round {round} (kill at {at:?}): {name} does not parse"
                );
            }
        }
        let sent_before_completion = rx.ids.lock().unwrap().len();
        if sent_before_completion == 0 {
            before_any += 1;
        } else if sent_before_completion < expected.len() {
            mid += 1;
        }
        let done = spawn(&site, &["notify"], &env).wait().unwrap();
        assert_eq!(
            done.code(),
            Some(0),
            "round {round}: the run after the kill"
        );
        let got = rx.take();
        let distinct: BTreeSet<String> = got.iter().cloned().collect();
        let lost: Vec<&String> = expected.difference(&distinct).collect();
        assert!(lost.is_empty(), "round {round}: lost {lost:?}");
        let foreign: Vec<&String> = distinct.difference(&expected).collect();
        assert!(
            foreign.is_empty(),
            "round {round}: sent under ids an uninterrupted run does not use: {foreign:?}"
        );
        duplicates += got.len() - distinct.len();
        for name in outboxes(&site) {
            let o: Value =
                serde_json::from_str(&site.read(&format!("data/_outbox/{name}"))).unwrap();
            let pending = o["pending"].as_array().map_or(0, Vec::len);
            assert_eq!(
                pending, 0,
                "round {round}: {name} still has {pending} pending"
            );
        }
    }
    assert!(mid > 0, "no kill landed mid-delivery");
    eprintln!(
        "crash/notify: {ROUNDS} rounds ({} kills) over {full:?} runs of {} messages: {before_any} rounds killed before any delivery, {mid} mid-delivery; {duplicates} re-sent under their own id, none lost, none under another id",
        ROUNDS + ROUNDS / 2,
        expected.len()
    );
}
