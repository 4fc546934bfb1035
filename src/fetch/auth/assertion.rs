//! Client assertions signed with a certificate (`private_key_jwt`): an
//! RS256 JWT naming the certificate by its SHA-256 thumbprint
//! (`x5t#S256`, with the SHA-1 `x5t` for older token services), for the
//! token endpoint it is sent to, valid for ten minutes, with a fresh `jti`.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SecureRandom as _;
use ring::signature::RsaKeyPair;

/// A certificate and its RSA private key, read once per run.
pub struct Certificate {
    key: RsaKeyPair,
    /// base64url SHA-256 of the certificate's DER.
    x5t_s256: String,
    /// base64url SHA-1 of the certificate's DER.
    x5t: String,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The thumbprint is public; the key is not shown.
        write!(f, "Certificate(x5t#S256 {})", self.x5t_s256)
    }
}

/// How long an assertion is valid (Entra: "5-10 minutes at most").
const LIFETIME_SECONDS: i64 = 600;

impl Certificate {
    /// Reads a PEM file (certificate and private key) or a PKCS#12 file
    /// (`.pfx`, `.p12`) opened with `password`.
    pub fn load(path: &Path, password: Option<&str>) -> Result<Certificate, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let pkcs12 = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("pfx") || e.eq_ignore_ascii_case("p12"));
        let (cert, key) = if pkcs12 {
            from_pkcs12(&bytes, password.unwrap_or(""))?
        } else {
            from_pem(&bytes)?
        };
        let key = RsaKeyPair::from_pkcs8(&key)
            .or_else(|_| RsaKeyPair::from_der(&key))
            .map_err(|e| {
                format!(
                    "{}: the private key is not an RSA key statusfleet can use ({e}); Entra app certificates are RSA, 2048 bits or more",
                    path.display()
                )
            })?;
        Ok(Certificate {
            key,
            x5t_s256: URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, &cert)),
            x5t: URL_SAFE_NO_PAD.encode(ring::digest::digest(
                &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
                &cert,
            )),
        })
    }

    /// The SHA-256 thumbprint, base64url (what `x5t#S256` carries).
    pub fn thumbprint(&self) -> &str {
        &self.x5t_s256
    }

    /// A signed assertion for `client_id` at `audience` (the exact token
    /// endpoint URL the request goes to), at `now` (Unix seconds).
    pub fn assertion(&self, client_id: &str, audience: &str, now: i64) -> Result<String, String> {
        let rng = ring::rand::SystemRandom::new();
        let mut id = [0u8; 16];
        rng.fill(&mut id)
            .map_err(|_| "no random numbers".to_owned())?;
        // A version 4 UUID.
        id[6] = (id[6] & 0x0f) | 0x40;
        id[8] = (id[8] & 0x3f) | 0x80;
        let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let jti = format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        );
        let header = serde_json::json!({
            "alg": "RS256",
            "typ": "JWT",
            "x5t#S256": self.x5t_s256,
            "x5t": self.x5t,
        });
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": jti,
            "nbf": now,
            "iat": now,
            "exp": now + LIFETIME_SECONDS,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &ring::signature::RSA_PKCS1_SHA256,
                &rng,
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| "signing the client assertion failed".to_owned())?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

/// The first certificate and the private key of a PEM file.
fn from_pem(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not a PEM file (not text)".to_owned())?;
    let block = |label: &str| -> Option<Result<Vec<u8>, String>> {
        let begin = format!("-----BEGIN {label}-----");
        let end = format!("-----END {label}-----");
        let start = text.find(&begin)? + begin.len();
        let stop = text[start..].find(&end)? + start;
        let b64: String = text[start..stop].split_whitespace().collect();
        Some(
            STANDARD
                .decode(b64)
                .map_err(|e| format!("the {label} block is not valid base64: {e}")),
        )
    };
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        return Err(
            "the private key is encrypted: use a PKCS#12 file (.pfx) with client_certificate_password_env, or a key file only statusfleet can read".into(),
        );
    }
    let cert = block("CERTIFICATE")
        .ok_or("no CERTIFICATE block: the file needs the certificate and its private key")??;
    let key = block("PRIVATE KEY")
        .or_else(|| block("RSA PRIVATE KEY"))
        .ok_or("no PRIVATE KEY block: the file needs the certificate and its private key")??;
    Ok((cert, key))
}

/// The leaf certificate and the PKCS#8 key of a PKCS#12 file.
fn from_pkcs12(bytes: &[u8], password: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    let store = p12_keystore::KeyStore::from_pkcs12(
        bytes,
        password,
        p12_keystore::Pkcs12ImportPolicy::Relaxed,
    )
    .map_err(|e| format!("cannot open the PKCS#12 file (wrong password?): {e}"))?;
    let (_, chain) = store
        .private_key_chain()
        .ok_or("the PKCS#12 file holds no private key")?;
    let cert = chain
        .certs()
        .first()
        .ok_or("the PKCS#12 file holds no certificate for its key")?;
    Ok((cert.as_der().to_vec(), chain.key().as_der().to_vec()))
}
