//! The fleet-level files: robots.txt and the sitemap index.

use super::Inputs;
use crate::output::OutputFile;
use crate::render::RenderError;

/// The fleet-level files: `robots.txt` and the sitemap index. (What lists
/// the whole fleet is the partner console, written beside the output.)
pub fn root_files(inputs: &Inputs) -> Result<Vec<OutputFile>, RenderError> {
    let mut files = Vec::new();
    files.push(OutputFile {
        path: "robots.txt".into(),
        bytes: crate::feeds::robots_txt(&inputs.config).into_bytes(),
    });
    if let Some(index) = crate::feeds::sitemap_index(&inputs.config) {
        files.push(OutputFile {
            path: "sitemap.xml".into(),
            bytes: index.into_bytes(),
        });
    }
    Ok(files)
}
