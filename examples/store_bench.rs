//! History store benchmark: what one steady-state fetch writes, and what a
//! build reads, for a fleet whose customers hold years of history.
//!
//! Each customer holds INCIDENTS Graph-like incidents (six updates of
//! about 600 characters). A steady-state fetch answers one new update to
//! one incident every customer shares (as a Microsoft incident is) plus
//! the source's new state. Measured per customer, one at a time (the
//! fleet never needs to fit in memory or on tmpfs at once), then summed:
//!
//! - the log (this version): append what changed;
//! - the schema-1 JSON file (earlier versions): rewrite it whole;
//!
//! and the time to load a customer's history for a build, in each form.
//!
//! ```sh
//! cargo run --release --example store_bench -- [CUSTOMERS=1000] [INCIDENTS=3000] [DIR=/dev/shm/statusfleet-store]
//! ```

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use statusfleet::history::{self, CustomerHistory, SourceHistory};
use statusfleet::model::{
    BodyFormat, Classification, Incident, IncidentStatus, SourceData, Update,
};

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 11, 22, 0, 0, 0).unwrap() + chrono::Duration::minutes(minutes)
}

/// Incident `k`: six updates of about 600 characters, as Graph posts are.
fn incident(k: usize) -> Incident {
    let start = at(k as i64 * 350);
    let updates = (0..6)
        .map(|u| {
            let body = format!(
                "Title: Users may be unable to access mailboxes ({k})\n\nUser impact: Users may be unable to access their mailboxes using Outlook on the web or the desktop client.\n\nCurrent status: We've identified a recent change to the service's infrastructure that is causing impact, and we're reverting it to remediate. Update {u} of the incident: we're monitoring telemetry as the fix saturates across the affected environment, which we expect to complete within the next few hours.\n\nScope of impact: Any user hosted on the affected infrastructure may be impacted.\n\nNext update by: {}",
                start + chrono::Duration::minutes(60 * (u + 1))
            );
            Update {
                status: Some(IncidentStatus::Identified),
                ..Update::new(start + chrono::Duration::minutes(30 * u), body, BodyFormat::Text)
            }
        })
        .collect();
    Incident {
        updates,
        ended_at: Some(start + chrono::Duration::minutes(200)),
        ..Incident::new(
            format!("EX{k:07}"),
            format!("Users may be unable to access their mailboxes ({k})"),
            Classification::Incident,
            IncidentStatus::Resolved,
            start,
        )
    }
}

fn data(incidents: Vec<Incident>) -> SourceData {
    SourceData {
        label: "Microsoft 365".into(),
        incidents,
        ..SourceData::default()
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let customers: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let incidents: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(3000);
    let dir = args.get(2).map_or_else(
        || Path::new("/dev/shm/statusfleet-store").to_owned(),
        Into::into,
    );
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let all: Vec<Incident> = (0..incidents).map(incident).collect();
    // The shared incident's new update.
    let mut changed = all[incidents / 2].clone();
    changed.updates.push(Update::new(
        at(incidents as i64 * 350),
        "Final status: We've confirmed that the reverted change resolved the impact.".into(),
        BodyFormat::Text,
    ));
    let (mut log_bytes, mut json_bytes) = (0u64, 0u64);
    let (mut log_write, mut json_write) = (Duration::ZERO, Duration::ZERO);
    let (mut log_load, mut json_load) = (Duration::ZERO, Duration::ZERO);
    let (mut log_size, mut json_size) = (0u64, 0u64);
    for c in 0..customers {
        let slug = format!("c{c:05}");
        let mut h = CustomerHistory {
            schema: history::SCHEMA,
            customer: slug.clone(),
            ..Default::default()
        };
        let mut source = SourceHistory::default();
        source.record_success(data(all.clone()), at(0));
        h.sources.insert("graph".into(), source);
        // The log, as the last fetch left it.
        history::save(&dir, &h).unwrap();
        // The steady-state fetch: load, record, save.
        let t = Instant::now();
        let mut next = history::load(&dir, &slug).unwrap();
        log_load += t.elapsed();
        next.sources
            .get_mut("graph")
            .unwrap()
            .record_success(data(vec![changed.clone()]), at(5));
        let t = Instant::now();
        let w = history::save(&dir, &next).unwrap();
        log_write += t.elapsed();
        assert!(!w.whole);
        log_bytes += w.bytes;
        let log_path = history::log::log_path(&dir, &slug);
        log_size += std::fs::metadata(&log_path).unwrap().len();
        std::fs::remove_file(&log_path).unwrap();
        // The same fetch as earlier versions made it: the whole JSON file.
        let json = history::path_for(&dir, &slug);
        let t = Instant::now();
        let text = history::export(&next);
        history::write_atomic(&json, text.as_bytes()).unwrap();
        json_write += t.elapsed();
        json_bytes += text.len() as u64;
        json_size += text.len() as u64;
        let t = Instant::now();
        let back = history::load(&dir, &slug).unwrap();
        json_load += t.elapsed();
        assert_eq!(back, next);
        std::fs::remove_file(&json).unwrap();
    }
    println!(
        "{customers} customers × {incidents} incidents, store in {}",
        dir.display()
    );
    println!(
        "store size: log {} ({} a customer), JSON {}",
        mb(log_size),
        mb(log_size / customers as u64),
        mb(json_size)
    );
    println!(
        "steady-state fetch writes: log {} in {:.2} s; JSON (whole files) {} in {:.2} s; {:.0}× fewer bytes",
        mb(log_bytes),
        log_write.as_secs_f64(),
        mb(json_bytes),
        json_write.as_secs_f64(),
        json_bytes as f64 / log_bytes.max(1) as f64
    );
    println!(
        "loading every customer for a build: log {:.2} s, JSON {:.2} s ({:.1} ms and {:.1} ms a customer)",
        log_load.as_secs_f64(),
        json_load.as_secs_f64(),
        log_load.as_secs_f64() * 1e3 / customers as f64,
        json_load.as_secs_f64() * 1e3 / customers as f64
    );
}
