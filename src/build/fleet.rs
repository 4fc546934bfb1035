//! The fleet-level files: robots.txt, the sitemap index, the fleet list.

use serde::Serialize;

use super::Inputs;
use crate::output::OutputFile;
use crate::render::RenderError;

#[derive(Serialize)]
pub(super) struct FleetEntry<'a> {
    slug: &'a str,
    name: &'a str,
    /// What tells this customer apart from others of the same name: its
    /// domain, else its slug (only shown when the name is shared or a
    /// domain is known).
    detail: Option<String>,
}

/// The fleet-level files: the fleet index (when enabled), `robots.txt`
/// and the sitemap index.
pub fn root_files(inputs: &Inputs) -> Result<Vec<OutputFile>, RenderError> {
    let mut files = Vec::new();
    if inputs.config.site.fleet_index {
        #[derive(Serialize)]
        struct Fleet<'a> {
            site_title: &'a str,
            partner_name: &'a str,
            customers: Vec<FleetEntry<'a>>,
        }
        let ctx = Fleet {
            site_title: inputs.config.site.title.any(),
            partner_name: &inputs.config.site.partner.name,
            customers: {
                let customers = &inputs.config.customers;
                let mut names: std::collections::HashMap<&str, usize> =
                    std::collections::HashMap::new();
                let mut pairs: std::collections::HashMap<(&str, Option<&str>), usize> =
                    std::collections::HashMap::new();
                for c in customers {
                    *names.entry(c.name.any()).or_default() += 1;
                    *pairs
                        .entry((c.name.any(), c.domain.as_deref()))
                        .or_default() += 1;
                }
                customers
                    .iter()
                    .map(|c| {
                        let name = c.name.any();
                        let shared = names[name] > 1;
                        // The domain tells most apart; the slug the rest.
                        let domain_shared =
                            c.domain.is_none() || pairs[&(name, c.domain.as_deref())] > 1;
                        FleetEntry {
                            slug: c.folder.as_str(),
                            name,
                            detail: match (&c.domain, shared && domain_shared) {
                                (Some(d), true) => Some(format!("{d}, {}", c.slug)),
                                (Some(d), false) => Some(d.clone()),
                                (None, true) => Some(c.slug.to_string()),
                                (None, false) => None,
                            },
                        }
                    })
                    .collect()
            },
        };
        let html =
            inputs
                .renderer
                .render(crate::i18n::REFERENCE, "fleet.html", "index.html", &ctx)?;
        files.push(OutputFile {
            path: "index.html".into(),
            bytes: html.into_bytes(),
        });
        // A stylesheet, not a `<style>`: the page's policy allows no inline
        // style either.
        files.push(OutputFile {
            path: "fleet.css".into(),
            bytes: b"body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}\n".to_vec(),
        });
    }
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
