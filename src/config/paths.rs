//! Paths of the site: customer folder names (`site.path`), files that must
//! stay inside the site's folder, logo types.

use super::*;
use crate::error::{InputError, locate_scalar};
use serde::Deserialize;
use std::path::Path;

/// How a customer's folder name is made.
#[derive(Clone)]
pub enum PathScheme {
    /// The slug: `contoso/`.
    Slug,
    /// An HMAC-SHA256 of the tenant id (the slug when there is none) keyed
    /// with the site secret: customers sharing a host cannot guess each
    /// other's folders.
    Secret(ring::hmac::Key),
}

impl std::fmt::Debug for PathScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.write_str(match self {
            PathScheme::Slug => "Slug",
            PathScheme::Secret(_) => "Secret",
        })
    }
}

impl PathScheme {
    /// The folder name for a customer: 26 characters of lowercase base32
    /// (128 bits) under `secret`, the slug otherwise.
    pub fn folder(&self, slug: &Slug, tenant_id: Option<&str>) -> String {
        match self {
            PathScheme::Slug => slug.0.clone(),
            PathScheme::Secret(key) => {
                let message = match tenant_id {
                    Some(t) => format!("tenant:{}", t.trim().to_lowercase()),
                    None => format!("slug:{}", slug.0),
                };
                let tag = ring::hmac::sign(key, message.as_bytes());
                crate::ids::base32_lower(&tag.as_ref()[..16])
            }
        }
    }
}

/// `site.path`: the customer folder names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PathMode {
    /// `<slug>/`.
    #[default]
    Slug,
    /// `<hmac>/`, keyed with the secret in `site.path_secret_env`.
    Secret,
}

pub(super) fn default_path_secret_env() -> String {
    "STATUSFLEET_PATH_SECRET".to_owned()
}

/// A path the build reads: relative, and inside the site folder once
/// symbolic links are resolved.
pub(super) fn confined(
    root: &Path,
    path: &Path,
    key: &str,
    file: &Path,
    text: &str,
) -> Result<(), InputError> {
    use std::path::Component;
    let lexical = path
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    let resolved = (
        root.join(path).canonicalize(),
        root_dir(root).canonicalize(),
    );
    let escapes = match resolved {
        (Ok(p), Ok(r)) => !p.starts_with(r),
        // Missing files are reported where they are read.
        _ => false,
    };
    if !lexical || escapes {
        return Err(InputError::new(
            file,
            locate_scalar(text, 1, &path.to_string_lossy()),
            format!(
                "{key}: `{}` is outside the site folder: expected a relative path inside it{}",
                path.display(),
                if lexical {
                    " (a symbolic link leads out)"
                } else {
                    ""
                }
            ),
        ));
    }
    Ok(())
}

/// A logo is an image, by its extension.
pub(super) fn logo_type(path: &Path, key: &str, file: &Path, text: &str) -> Result<(), InputError> {
    branding::logo_extension(path).map(|_| ()).map_err(|e| {
        InputError::new(
            file,
            locate_scalar(text, 1, &path.to_string_lossy()),
            format!("{key}: {e}"),
        )
    })
}

pub(super) fn root_dir(root: &Path) -> &Path {
    if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    }
}

/// `site.path` and its secret, checked: the secret comes from the
/// environment, and nothing may list the secret folders.
pub(super) fn path_scheme(site: &Site, file: &Path, text: &str) -> Result<PathScheme, InputError> {
    if site.path == PathMode::Slug {
        return Ok(PathScheme::Slug);
    }
    let at = || locate_scalar(text, 1, "path");
    let var = &site.path_secret_env;
    let secret = std::env::var(var).unwrap_or_default();
    if secret.trim().chars().count() < 32 {
        return Err(InputError::new(
            file,
            at(),
            format!(
                "site.path is secret, but the environment variable {var} {}: expected a random secret of at least 32 characters (e.g. `openssl rand -base64 32`)",
                if secret.is_empty() {
                    "is not set"
                } else {
                    "is shorter than 32 characters"
                }
            ),
        ));
    }
    Ok(PathScheme::Secret(ring::hmac::Key::new(
        ring::hmac::HMAC_SHA256,
        secret.trim().as_bytes(),
    )))
}
