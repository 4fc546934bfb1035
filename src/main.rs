//! The `statusfleet` command: parses arguments, runs a command (one file
//! each under `cmd/`), prints the error chain, picks the exit code.

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;
use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // ICU4X logs the data it looks for and falls back from (a duration
    // unit's extended names, say) as warnings: not the operator's concern.
    let default_filter = if cli.verbose > 0 {
        "statusfleet=debug,icu_provider=off"
    } else {
        "warn,icu_provider=off"
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(default_filter))
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
        } => cmd::build::run(
            config,
            cmd::build::Args {
                offline,
                out,
                quiet,
                shard,
                only,
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
        Command::Paths => cmd::paths::run(config),
    }
}
