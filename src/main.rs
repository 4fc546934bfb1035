//! The `statusfleet` command: parses arguments, runs a command (one file
//! each under `cmd/`), prints the error chain, picks the exit code.

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;
use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Defaults, which RUST_LOG overrides where it names the same target:
    // warnings; statusfleet's phase times with -v; none of ICU4X's, which
    // logs the data it looks for and falls back from (a duration unit's
    // extended names, say) as warnings: not the operator's concern.
    let mut logger = env_logger::Builder::new();
    logger.filter_level(log::LevelFilter::Warn);
    if cli.verbose > 0 {
        logger.filter_module("statusfleet", log::LevelFilter::Debug);
    }
    logger
        .filter_module("icu_provider", log::LevelFilter::Off)
        .parse_env(env_logger::Env::default())
        .format_timestamp(None)
        .init();
    let config = cli.config.as_path();
    match cli.command {
        Command::Init { dir } => cmd::init::run(&dir),
        Command::Build {
            offline,
            out,
            quiet,
            shard,
            only,
            console,
        } => cmd::build::run(
            config,
            cmd::build::Args {
                offline,
                out,
                quiet,
                shard,
                only,
                console,
            },
        ),
        Command::Fetch { quiet } => cmd::fetch_command(config, quiet),
        Command::Serve { port } => cmd::serve(config, port),
        Command::Check { online } => cmd::check::run(config, online),
        Command::Login {
            credentials,
            tenant,
            cloud,
        } => cmd::login::run(config, &credentials, tenant.as_deref(), &cloud),
        Command::Notify { dry_run, offline } => cmd::notify::run(config, dry_run, offline),
        Command::Paths => cmd::paths::run(config),
        Command::History(cli::HistoryCommand::Export { customer }) => {
            cmd::paths::export_history(config, &customer)
        }
    }
}
