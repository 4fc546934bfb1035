//! The `statusfleet` command: parses arguments, runs a command, prints the
//! error chain, picks the exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use statusfleet::build::{BuildError, BuildOptions};

/// Exit codes (documented in the README).
const EXIT_FAILED: u8 = 1;
const EXIT_INVALID_INPUT: u8 = 3;

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
    /// Render every customer's site into the output folder.
    Build {
        /// Render from local data only; fetch nothing.
        #[arg(long)]
        offline: bool,
        /// The site's configuration file.
        #[arg(long, default_value = "statusfleet.yaml")]
        config: PathBuf,
        /// Output folder (default: site.output_dir from the config).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Validate config, content, catalogs, data and templates; write nothing.
    Check {
        #[arg(long, default_value = "statusfleet.yaml")]
        config: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            offline: _,
            config,
            out,
        } => {
            // Every source is local today; `--offline` is accepted so scripts
            // written now keep working when network sources arrive.
            match statusfleet::build::build(&BuildOptions { config, out }) {
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
                    ExitCode::SUCCESS
                }
                Err(e) => report(&e),
            }
        }
        Command::Check { config } => match statusfleet::build::load_inputs(&config) {
            Ok(inputs) => match statusfleet::build::render_all(&inputs) {
                Ok(files) => {
                    println!(
                        "ok: {} customers, {} files would be written",
                        inputs.config.customers.len(),
                        files.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => report(&BuildError::Render(e)),
            },
            Err(e) => report(&BuildError::Input(e)),
        },
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
