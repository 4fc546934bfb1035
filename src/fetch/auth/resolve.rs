//! Reading a credential set from the config, the environment and files: its
//! client id, its proof, its refresh token.

use super::*;

use crate::config::CredentialConfig;
use crate::fetch::http::FetchError;
use std::path::Path;
use std::sync::Arc;

/// Reads what credential set `name` needs: its client id, its proof, its
/// refresh token.
pub fn resolve(
    name: &str,
    c: &CredentialConfig,
    root: &Path,
) -> Result<AppCredentials, FetchError> {
    let fail = |reason: String| FetchError::Secret {
        name: name.to_owned(),
        reason,
    };
    let env = |var: &str| {
        std::env::var(var)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().to_owned())
            .ok_or_else(|| fail(format!("environment variable {var} is not set")))
    };
    let file = |f: &Path| {
        let path = root.join(f);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?;
        let text = text.trim().to_owned();
        if text.is_empty() {
            return Err(fail(format!("{} is empty", path.display())));
        }
        Ok(text)
    };
    let client_id = match (&c.client_id, &c.client_id_env) {
        (Some(id), _) => Some(id.trim().to_owned()),
        (None, Some(var)) => Some(env(var)?),
        (None, None) => None,
    };
    let mi = c.managed_identity.as_ref().map(managed::Identity::resolve);
    let Some(client_id) = client_id else {
        return match mi {
            Some(m) => Ok(AppCredentials {
                name: name.to_owned(),
                identity: Identity::ManagedIdentity(m),
            }),
            None => Err(fail("no client_id".into())),
        };
    };
    let proof = if let Some(var) = &c.client_secret_env {
        Proof::Secret(Secret(env(var)?))
    } else if let Some(f) = &c.client_secret_file {
        Proof::Secret(Secret(file(f)?))
    } else if let Some(f) = &c.client_certificate_file {
        let password = c
            .client_certificate_password_env
            .as_deref()
            .map(env)
            .transpose()?;
        let cert =
            assertion::Certificate::load(&root.join(f), password.as_deref()).map_err(fail)?;
        Proof::Certificate(Arc::new(cert))
    } else if let Some(f) = &c.client_assertion_file {
        // Read now to fail early with a clear message; read again at
        // each token request.
        file(f)?;
        Proof::AssertionFile(root.join(f))
    } else if let Some(var) = &c.client_assertion_env {
        Proof::AssertionValue(Secret(env(var)?))
    } else if let Some(g) = &c.github_actions {
        let hint = |v: &str| {
            env(v).map_err(|_| {
                fail(format!(
                    "environment variable {v} is not set: this is not a GitHub Actions job, or the job lacks `permissions: id-token: write`"
                ))
            })
        };
        Proof::GithubActions {
            url: hint("ACTIONS_ID_TOKEN_REQUEST_URL")?,
            bearer: Secret(hint("ACTIONS_ID_TOKEN_REQUEST_TOKEN")?),
            audience: g.audience.clone(),
        }
    } else if let Some(m) = mi {
        Proof::ManagedIdentity(m)
    } else {
        Proof::None
    };
    let refresh = match (&c.refresh_token_file, &c.refresh_token_env) {
        (Some(f), _) => Some(Arc::new(refresh::Store::new(
            name,
            refresh::Origin::File(root.join(f)),
            Secret(file(f).map_err(|e| match e {
                FetchError::Secret { reason, .. } => fail(format!(
                    "{reason}: run `statusfleet login --credentials {name}` to sign in the partner user"
                )),
                other => other,
            })?),
        ))),
        (None, Some(var)) => Some(Arc::new(refresh::Store::new(
            name,
            refresh::Origin::Env(var.clone()),
            Secret(env(var)?),
        ))),
        (None, None) => None,
    };
    Ok(AppCredentials {
        name: name.to_owned(),
        identity: Identity::App {
            client_id,
            proof,
            refresh,
        },
    })
}
