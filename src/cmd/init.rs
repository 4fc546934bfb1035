//! `init`: a new site that builds at once.

use std::path::Path;
use std::process::ExitCode;

use super::EXIT_FAILED;

pub fn run(dir: &Path) -> ExitCode {
    match statusfleet::scaffold::init(dir, chrono::Utc::now()) {
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
    }
}
