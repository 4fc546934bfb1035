//! The `statusfleet` command: parses arguments, runs a command, prints the
//! error chain, picks the exit code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use statusfleet::build::{BuildError, BuildOptions};
use statusfleet::fetch::{FetchReport, Progress, State};

/// Exit codes (documented in the book: docs/src/commands.md).
const EXIT_FAILED: u8 = 1;
const EXIT_INVALID_INPUT: u8 = 3;
const EXIT_STALE: u8 = 4;

#[derive(Parser)]
#[command(
    name = "statusfleet",
    version,
    about = "Static status sites for every customer of an IT partner"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make a new site in DIR (default: the current folder) that builds at
    /// once: a commented config with an example of every source, one demo
    /// customer, a support page per locale. Never overwrites a file.
    Init {
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Fetch every customer's live sources, then render every site.
    Build {
        /// Render from local data only (snapshot files and data/); fetch nothing.
        #[arg(long)]
        offline: bool,
        /// The site's configuration file.
        #[arg(long, default_value = "statusfleet.yaml")]
        config: PathBuf,
        /// Output folder (default: site.output_dir from the config).
        #[arg(long)]
        out: Option<PathBuf>,
        /// No per-customer progress lines.
        #[arg(long, short)]
        quiet: bool,
        /// Fetch and build only shard K of N of the fleet (by a stable hash
        /// of the customer slug); shard 1 also writes the fleet-level files.
        #[arg(long, value_name = "K/N", value_parser = parse_shard)]
        shard: Option<statusfleet::build::Shard>,
        /// Fetch and render only this customer; the others are kept as
        /// they are in the output.
        #[arg(long, value_name = "SLUG", conflicts_with = "shard")]
        only: Option<String>,
    },
    /// Fetch every customer's live sources into the history store (data/).
    Fetch {
        #[arg(long, default_value = "statusfleet.yaml")]
        config: PathBuf,
        #[arg(long, short)]
        quiet: bool,
    },
    /// Preview: build (offline) into a temporary folder, serve it on
    /// 127.0.0.1, rebuild when config, content, i18n, theme or data change,
    /// and reload open pages; a failed build shows its errors in the page.
    Serve {
        #[arg(long, default_value = "statusfleet.yaml")]
        config: PathBuf,
        /// Port on 127.0.0.1 (0: any free port).
        #[arg(long, short, default_value_t = 8040)]
        port: u16,
    },
    /// Validate config, content, catalogs, data and templates; write nothing.
    Check {
        #[arg(long, default_value = "statusfleet.yaml")]
        config: PathBuf,
        /// Also sign in for every customer and make one cheap call per live
        /// source, and print what works and why not (writes nothing).
        #[arg(long)]
        online: bool,
    },
    /// Sign in a partner user (device code flow, with MFA) and save the
    /// refresh token of a credential set to its refresh_token_file, for
    /// delegated access to customer tenants (GDAP).
    Login {
        #[arg(long, default_value = "statusfleet.yaml")]
        config: PathBuf,
        /// The credential set under `credentials:`.
        #[arg(long)]
        credentials: String,
        /// The partner's own tenant (default: discovery's tenant_id, else
        /// `organizations`).
        #[arg(long)]
        tenant: Option<String>,
        /// The cloud to sign in to.
        #[arg(long, value_parser = ["global", "china"], default_value = "global")]
        cloud: String,
    },
    /// Print each customer's slug, folder and URL (tab-separated): the
    /// links to hand each customer, with `site.path: secret` too.
    Paths {
        #[arg(long, default_value = "statusfleet.yaml")]
        config: PathBuf,
    },
}

fn parse_shard(s: &str) -> Result<statusfleet::build::Shard, String> {
    statusfleet::build::Shard::parse(s)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Init { dir } => match statusfleet::scaffold::init(&dir, chrono::Utc::now()) {
            Ok(files) => {
                for f in &files {
                    println!("created {}", dir.join(f).display());
                }
                let cd = if dir == Path::new(".") {
                    String::new()
                } else {
                    format!("cd {} && ", dir.display())
                };
                println!(
                    "\nnext: {cd}statusfleet build --offline   (or: statusfleet serve, to preview while you edit)"
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(EXIT_FAILED)
            }
        },
        Command::Build {
            offline,
            config,
            out,
            quiet,
            shard,
            only,
        } => {
            let mut fetch_degraded = false;
            if !offline {
                let keep = |slug: &str| {
                    shard.is_none_or(|s| s.holds(slug)) && only.as_deref().is_none_or(|o| o == slug)
                };
                match fetch_some(&config, quiet, &keep) {
                    Ok(report) => fetch_degraded = report.degraded(),
                    Err(code) => return code,
                }
            }
            match statusfleet::build::build(&BuildOptions {
                config,
                out,
                shard,
                only,
            }) {
                Ok(s) => {
                    println!(
                        "built {} customers × {} locales: {} pages ({} files) in {}: {} written, {} unchanged, {} removed, {:.2} s",
                        s.customers,
                        s.locales,
                        s.pages,
                        s.files,
                        s.out.display(),
                        s.write.written,
                        s.write.unchanged,
                        s.write.removed,
                        s.elapsed.as_secs_f64()
                    );
                    for (slug, sources) in &s.stale {
                        println!("stale data shown for {slug}: {}", sources.join(", "));
                    }
                    // After a fetch, its summary has said it already.
                    if offline && let Some(p) = &s.discovery_problem {
                        println!("stale   discovery: {p}");
                    }
                    if fetch_degraded || !s.stale.is_empty() || s.discovery_problem.is_some() {
                        ExitCode::from(EXIT_STALE)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(e) => report(&e),
            }
        }
        Command::Fetch { config, quiet } => match fetch(&config, quiet) {
            Ok(r) if r.degraded() => ExitCode::from(EXIT_STALE),
            Ok(_) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        Command::Serve { config, port } => {
            match statusfleet::serve::serve(&statusfleet::serve::ServeOptions { config, port }) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(EXIT_FAILED)
                }
            }
        }
        Command::Check { config, online } => match statusfleet::build::load_inputs(&config) {
            Ok(inputs) => match statusfleet::build::check_all(&inputs) {
                Ok(files) => {
                    println!(
                        "ok: {} customers, {} files would be written",
                        inputs.config.customers.len(),
                        files
                    );
                    if online {
                        check_online(&inputs.config)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(e) => report(&e),
            },
            Err(e) => report(&BuildError::Input(e)),
        },
        Command::Login {
            config,
            credentials,
            tenant,
            cloud,
        } => {
            let cfg = match statusfleet::build::load_config(&config) {
                Ok(c) => c,
                Err(e) => return report(&BuildError::Input(e)),
            };
            let cloud = if cloud == "china" {
                statusfleet::config::Cloud::China
            } else {
                statusfleet::config::Cloud::Global
            };
            let say = |line: &str| println!("{line}");
            match statusfleet::fetch::login(&cfg, &credentials, tenant.as_deref(), cloud, &say) {
                Ok(path) => {
                    println!(
                        "signed in: the refresh token of `{credentials}` is in {}",
                        path.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: login failed: {e}");
                    ExitCode::from(EXIT_FAILED)
                }
            }
        }
        Command::Paths { config } => match statusfleet::build::load_config(&config) {
            Ok(mut cfg) => {
                if cfg.discovery.is_some()
                    && let Ok(Some(record)) = statusfleet::history::load_discovery(&cfg.data_dir())
                {
                    cfg.add_discovered(&record.customers);
                }
                for c in &cfg.customers {
                    let url = cfg.site.base_url.as_ref().map_or_else(
                        || format!("{}/index.html", c.folder),
                        |b| format!("{}{}/", b.as_str(), c.folder),
                    );
                    println!("{}\t{}\t{url}", c.slug, c.folder);
                }
                ExitCode::SUCCESS
            }
            Err(e) => report(&BuildError::Input(e)),
        },
    }
}

/// `check --online`: a table of every live source's one cheap call.
fn check_online(config: &statusfleet::config::Config) -> ExitCode {
    match statusfleet::fetch::probe(config) {
        Ok(rows) => {
            let width = |f: &dyn Fn(&statusfleet::fetch::ProbeRow) -> usize| {
                rows.iter().map(f).max().unwrap_or(0)
            };
            let (w1, w2) = (
                width(&|r| r.customer.len()).max(8),
                width(&|r| r.source.len()).max(6),
            );
            println!("{:<w1$}  {:<w2$}  result", "customer", "source");
            let mut failed = 0;
            for r in &rows {
                let text = match &r.result {
                    Ok(t) => t.clone(),
                    Err(e) => {
                        failed += 1;
                        format!("FAILED: {e}")
                    }
                };
                println!("{:<w1$}  {:<w2$}  {text}", r.customer, r.source);
            }
            println!(
                "{} of {} source(s) work; nothing was written",
                rows.len() - failed,
                rows.len()
            );
            if failed > 0 {
                ExitCode::from(EXIT_STALE)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("error: the online check could not start: {e}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

/// Runs the fetch and prints its summary; `Err` carries the exit code of a
/// fetch that could not start.
fn fetch(config: &Path, quiet: bool) -> Result<FetchReport, ExitCode> {
    fetch_some(config, quiet, &|_| true)
}

/// [`fetch`] for the customers `keep` accepts.
fn fetch_some(
    config: &Path,
    quiet: bool,
    keep: &dyn Fn(&str) -> bool,
) -> Result<FetchReport, ExitCode> {
    let mut cfg = match statusfleet::build::load_config(config) {
        Ok(c) => c,
        Err(e) => return Err(report(&BuildError::Input(e))),
    };
    cfg.customers.retain(|c| keep(c.slug.as_str()));
    match statusfleet::fetch::run(&mut cfg, &Progress::new(quiet)) {
        Ok(r) => {
            print_summary(&r);
            Ok(r)
        }
        Err(e) => {
            eprintln!("error: fetch could not start: {e}");
            Err(ExitCode::from(EXIT_FAILED))
        }
    }
}

fn print_summary(r: &FetchReport) {
    println!(
        "{:>9} {:>6} {:>6} {:>7} {:>9} {:>8} {:>9}",
        "customers", "ok", "stale", "failed", "requests", "retries", "elapsed"
    );
    println!(
        "{:>9} {:>6} {:>6} {:>7} {:>9} {:>8} {:>7.1} s",
        r.outcomes.len(),
        r.count(State::Fresh),
        r.count(State::Stale),
        r.count(State::Failed),
        r.requests,
        r.retries,
        r.elapsed.as_secs_f64()
    );
    if r.offline_only > 0 {
        println!(
            "{} customer(s) have only file sources; nothing to fetch",
            r.offline_only
        );
    }
    if r.discovered > 0 {
        println!("{} customer(s) from Partner Center", r.discovered);
    }
    if let Some(p) = &r.discovery_problem {
        println!("stale   discovery: {p}");
    }
    for n in &r.notes {
        println!("note    {n}");
    }
    for o in &r.outcomes {
        for (source, what) in &o.notes {
            println!("note    {}: {source}: {what}", o.slug);
        }
    }
    for o in r.outcomes.iter().filter(|o| o.state != State::Fresh) {
        let state = if o.state == State::Stale {
            "stale "
        } else {
            "failed"
        };
        for (source, reason) in &o.problems {
            println!("{state}  {}: {source}: {reason}", o.slug);
        }
    }
}

fn report(e: &BuildError) -> ExitCode {
    match e {
        BuildError::Input(errors) => {
            for err in &errors.0 {
                eprintln!("error: {err}");
            }
            eprintln!("{} problem(s) found; nothing was written", errors.0.len());
            ExitCode::from(EXIT_INVALID_INPUT)
        }
        BuildError::UnknownCustomer(_) => {
            eprintln!("error: {e}; nothing was written");
            ExitCode::from(EXIT_INVALID_INPUT)
        }
        other => {
            eprintln!("error: {other}");
            let mut source = std::error::Error::source(other);
            while let Some(s) = source {
                eprintln!("Caused by: {s}");
                source = s.source();
            }
            eprintln!("the previous site, if any, was left in place");
            ExitCode::from(EXIT_FAILED)
        }
    }
}
