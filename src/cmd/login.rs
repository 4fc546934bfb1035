//! `login`: the device code flow for a partner user's refresh token.

use std::path::Path;
use std::process::ExitCode;

use statusfleet::build::BuildError;

use super::{EXIT_FAILED, report};

pub fn run(config: &Path, credentials: &str, tenant: Option<&str>, cloud: &str) -> ExitCode {
    let cfg = match statusfleet::build::load_config(config) {
        Ok(c) => c,
        Err(e) => return report(&BuildError::Input(e)),
    };
    let cloud = if cloud == "china" {
        statusfleet::config::Cloud::China
    } else {
        statusfleet::config::Cloud::Global
    };
    let say = |line: &str| println!("{line}");
    match statusfleet::fetch::login(&cfg, credentials, tenant, cloud, &say) {
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
