//! Fetch benchmark: N tenants against the in-process mock with injected
//! latency, compared with the bound `requests × latency / concurrency`.
//! Every tenant also depends on one shared Statuspage, which a run fetches
//! once (three requests), not once per tenant.
//!
//! ```sh
//! cargo run --release --example fetch_bench -- [TENANTS=1000] [LATENCY_MS=50] [CONCURRENCY=64]
//! ```

#[path = "../tests/support/mock.rs"]
mod mock;

use std::time::Duration;

use mock::{Mock, Tenant, fixture};
use serde_json::Value;

const SECRET: &str = "bench-secret";

fn values(v: &Value) -> Vec<Value> {
    v["value"].as_array().cloned().unwrap_or_default()
}

/// A small realistic tenant: 3 services with 2 issues, 2 Message Center
/// posts, one subscription with 2 events.
fn tenant() -> Tenant {
    let pascal = fixture("graph/health_overviews_pascal.json");
    let mut overviews = values(&pascal);
    let mut issues = Vec::new();
    for o in &mut overviews {
        issues.extend(o["issues"].as_array().cloned().unwrap_or_default());
        o.as_object_mut().unwrap().remove("issues");
    }
    let messages = values(&fixture("graph/messages.json"))
        .into_iter()
        .filter(|m| m["category"] == "planForChange")
        .collect();
    let events = values(&fixture("azure/events_sub2.json"));
    Tenant {
        overviews,
        issues,
        messages,
        subscriptions: [("sub-1".to_owned(), events)].into_iter().collect(),
        customers: Vec::new(),
        ..Default::default()
    }
}

fn main() {
    // The secret reaches the fetch the way it does in production: through
    // the environment (re-run with it set; `set_var` is unsafe).
    if std::env::var("FETCH_BENCH_SECRET").as_deref() != Ok(SECRET) {
        let status = std::process::Command::new(std::env::current_exe().expect("exe"))
            .args(std::env::args().skip(1))
            .env("FETCH_BENCH_SECRET", SECRET)
            .status()
            .expect("re-run with the secret set");
        std::process::exit(status.code().unwrap_or(1));
    }
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers: TENANTS LATENCY_MS CONCURRENCY"))
        .collect();
    let tenants = args.first().copied().unwrap_or(1000);
    let latency = Duration::from_millis(args.get(1).copied().unwrap_or(50) as u64);
    let concurrency = args.get(2).copied().unwrap_or(64);

    let mock = Mock::start_paged(SECRET, 2);
    let t = tenant();
    for i in 0..tenants {
        mock.tenant(&format!("tenant-{i}"), t.clone());
    }
    mock.statuspage("shared", mock::recorded_statuspage());
    mock.set_latency(latency);
    let dir = tempfile::tempdir().expect("temp dir");
    let base = mock.base();
    let mut yaml = format!(
        "site:\n  title: Bench\n  partner: {{ name: Bench }}\n  locales: [en]\nfetch:\n  concurrency: {concurrency}\n  timeout_seconds: 30\n  max_pages: 10\nclouds:\n  global: {{ login: \"{base}\", graph: \"{base}\", arm: \"{base}\" }}\ncredentials:\n  app: {{ client_id: bench, client_secret_env: FETCH_BENCH_SECRET }}\ncustomers:\n"
    );
    for i in 0..tenants {
        yaml.push_str(&format!(
            "  - slug: c{i}\n    name: Customer {i}\n    tenant_id: tenant-{i}\n    sources:\n      - graph: {{ credentials: app }}\n      - azure: {{ credentials: app }}\n      - statuspage: {{ url: \"{base}/shared\" }}\n"
        ));
    }
    let config_path = dir.path().join("statusfleet.yaml");
    std::fs::write(&config_path, yaml).expect("write config");
    let mut config = statusfleet::build::load_config(&config_path).expect("config");
    let report = statusfleet::fetch::run(&mut config, &statusfleet::fetch::Progress::new(true))
        .expect("fetch");
    let requests = mock.requests();
    let statuspage = mock
        .log()
        .iter()
        .filter(|l| l.path.starts_with("/shared/"))
        .count();
    let wall = report.elapsed.as_secs_f64();
    let bound = requests as f64 * latency.as_secs_f64() / concurrency as f64;
    println!(
        "tenants {tenants}, latency {} ms, concurrency {concurrency}: {requests} requests ({statuspage} to the shared Statuspage), ok {}, stale {}, failed {}",
        latency.as_millis(),
        report.count(statusfleet::fetch::State::Fresh),
        report.count(statusfleet::fetch::State::Stale),
        report.count(statusfleet::fetch::State::Failed),
    );
    println!(
        "wall {wall:.2} s, bound {bound:.2} s (requests × latency / concurrency), ratio {:.3}",
        wall / bound
    );
}
