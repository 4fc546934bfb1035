//! The command line: global options and one subcommand each.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "statusfleet",
    version,
    about = "Static status sites for every customer of an IT partner",
    // Help fits an 80-column terminal (and is wrapped there when read
    // from a pipe).
    max_term_width = 80
)]
pub struct Cli {
    /// The site's configuration file (all but `init`)
    #[arg(long, global = true, default_value = "statusfleet.yaml")]
    pub config: PathBuf,
    /// Say more: each build phase with its time
    ///
    /// `-v` logs each build phase with its time and memory, as does
    /// `RUST_LOG=statusfleet=debug`.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Make a new site that builds at once (never overwrites a file)
    ///
    /// A commented config with an example of every source, one demo
    /// customer, a support page per locale.
    Init {
        /// The folder to make it in
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Fetch every customer's live sources, then render every site.
    Build {
        /// Render from local data only (snapshot files and data/); fetch nothing.
        #[arg(long)]
        offline: bool,
        /// Output folder (default: site.output_dir from the config).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The partner console's folder (default: console.output_dir, else
        /// beside the output folder: public → public-console).
        #[arg(long, value_name = "DIR")]
        console: Option<PathBuf>,
        /// No per-customer progress lines.
        #[arg(long, short)]
        quiet: bool,
        /// Fetch and build only shard K of N of the fleet (by a stable hash
        /// of the customer slug); shard 1 also writes the fleet-level files.
        #[arg(long, value_name = "K/N", value_parser = statusfleet::build::Shard::parse)]
        shard: Option<statusfleet::build::Shard>,
        /// Fetch and render only this customer; the others are kept as
        /// they are in the output.
        #[arg(long, value_name = "SLUG", conflicts_with = "shard")]
        only: Option<String>,
    },
    /// Fetch every customer's live sources into the history store (data/).
    Fetch {
        /// No per-customer progress lines.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Preview on 127.0.0.1, rebuilt and reloaded as you edit
    ///
    /// Builds (offline) into a temporary folder, serves it on 127.0.0.1,
    /// rebuilds when config, content, i18n, theme or data change, and
    /// reloads open pages; a failed build shows its errors in the page.
    Serve {
        /// Port on 127.0.0.1 (0: any free port).
        #[arg(long, short, default_value_t = 8040)]
        port: u16,
    },
    /// Validate config, content, catalogs, data and templates; write nothing.
    Check {
        /// Also sign in for every customer and make one cheap call per live
        /// source, and print what works and why not (writes nothing).
        #[arg(long)]
        online: bool,
    },
    /// Sign in a partner user for delegated access (GDAP)
    ///
    /// Device code flow, with MFA; saves the refresh token of a credential
    /// set to its refresh_token_file, for delegated access to customer
    /// tenants (GDAP).
    Login {
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
    /// Queue notifications for what changed, then send what is due
    ///
    /// Queues notifications for what changed since the last run (the first
    /// run of a customer or subscriber sets a baseline), then sends what is
    /// due: mail, Teams, Slack, signed webhooks. `build` runs it too when
    /// `notifications.on_build` is on.
    Notify {
        /// Write each pending message into DIR (`.eml`, `.json`) instead
        /// of sending; the outbox is left as it was.
        #[arg(long, value_name = "DIR")]
        dry_run: Option<PathBuf>,
        /// Queue only; send nothing.
        #[arg(long)]
        offline: bool,
    },
    /// Print each customer's slug, folder and URL (tab-separated)
    ///
    /// The links to hand each customer, with `site.path: secret` too.
    Paths,
    /// Read the history store (data/)
    #[command(subcommand)]
    History(HistoryCommand),
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Print a customer's history as one JSON document
    ///
    /// Every source's state and every incident and maintenance the store
    /// holds, as pretty JSON (the format of the JSON files earlier versions
    /// kept in data/): to read, back up or diff.
    Export {
        /// The customer's slug.
        customer: String,
    },
}
