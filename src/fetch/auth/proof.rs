//! What proves the app at the token endpoint: a secret, a signed client
//! assertion, or a federated token (a file, or GitHub Actions OIDC).

use super::*;

use crate::fetch::http::{Counters, FetchError, Http, Request, host_of, parse_json};
use reqwest::Url;
use serde::Deserialize;

/// The form fields that prove the app: a secret, or a client assertion.
pub(crate) async fn proof_fields(
    http: &Http,
    proof: &Proof,
    client_id: &str,
    audience: &Url,
    counters: &Counters,
) -> Result<Vec<(&'static str, Secret)>, FetchError> {
    let jwt_bearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    let assertion = |a: Secret| {
        vec![
            ("client_assertion_type", Secret(jwt_bearer.to_owned())),
            ("client_assertion", a),
        ]
    };
    Ok(match proof {
        Proof::None => Vec::new(),
        Proof::Secret(s) => vec![("client_secret", s.clone())],
        Proof::Certificate(cert) => {
            let now = chrono::Utc::now().timestamp();
            let jwt = cert
                .assertion(client_id, audience.as_str(), now)
                .map_err(FetchError::Unsupported)?;
            assertion(Secret(jwt))
        }
        Proof::AssertionFile(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| FetchError::Secret {
                name: "client_assertion_file".into(),
                reason: format!("cannot read {}: {e}", path.display()),
            })?;
            assertion(Secret(text.trim().to_owned()))
        }
        Proof::AssertionValue(s) => assertion(s.clone()),
        Proof::GithubActions {
            url,
            bearer,
            audience: aud,
        } => assertion(github_token(http, url, bearer, aud, counters).await?),
        Proof::ManagedIdentity(m) => {
            let (t, _) = managed::token(http, m, &m.audience, counters).await?;
            assertion(t)
        }
    })
}

/// The GitHub Actions job's OIDC token: `GET $ACTIONS_ID_TOKEN_REQUEST_URL
/// &audience=…` with the request token as bearer; `{"value": "<jwt>"}`.
pub(super) async fn github_token(
    http: &Http,
    url: &str,
    bearer: &Secret,
    audience: &str,
    counters: &Counters,
) -> Result<Secret, FetchError> {
    let mut u = Url::parse(url)
        .map_err(|e| FetchError::Unsupported(format!("ACTIONS_ID_TOKEN_REQUEST_URL: {e}")))?;
    u.query_pairs_mut().append_pair("audience", audience);
    let origin = crate::fetch::http::origin(&u);
    let req = Request {
        bearer: Some(bearer.expose()),
        allowed_origin: Some(&origin),
        ..Request::get(u.clone())
    };
    let answer = http.send(&req, counters).await?;
    if !answer.status.is_success() {
        return Err(FetchError::Auth {
            host: host_of(&u),
            code: format!("HTTP {}", answer.status.as_u16()),
            description: "the GitHub Actions OIDC token was refused".into(),
            action: Some("give the job `permissions: id-token: write`".into()),
        });
    }
    #[derive(Deserialize)]
    struct Value {
        value: String,
    }
    let v: Value = parse_json("GitHub Actions OIDC token", &u, &answer.body)?;
    Ok(Secret(v.value))
}
