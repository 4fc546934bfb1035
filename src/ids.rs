//! Names derived from data: file stems, short hashes, stable UUIDs, slugs
//! and their encodings; service ids. A base module: it depends only on
//! `scope` (positions of parse errors).

use serde::{Deserialize, Serialize};

/// A service id: letters, digits, `-`, `_` and `.`, 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ServiceId(pub String);

impl std::fmt::Display for ServiceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ServiceId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::scope::parse_str(d, "a service id", parse_service_id)
    }
}

pub(crate) fn parse_service_id(s: &str) -> Result<ServiceId, String> {
    {
        let ok = !s.is_empty()
            && s.len() <= 100
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && s != "."
            && s != "..";
        if !ok {
            return Err(format!(
                "invalid service id `{s}`: expected 1 to 100 of A-Z a-z 0-9 - _ ."
            ));
        }
        Ok(ServiceId(s.to_owned()))
    }
}

/// A name safe as a file name: kept when it is plain ASCII, otherwise made
/// safe and suffixed with a hash of the original, so distinct ids never share
/// a file.
pub fn file_stem(id: &str) -> String {
    let plain = !id.is_empty()
        && id.len() <= 100
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain {
        return id.to_owned();
    }
    let safe: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(60)
        .collect();
    format!("{}-{:08x}", safe.trim_matches('-'), short_hash(id))
}

/// FNV-1a, folded to 32 bits: stable across builds and platforms, for
/// telling apart names that make the same safe file name or id.
pub fn short_hash(s: &str) -> u32 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    }) as u32
}

/// A name-based UUID (RFC 9562 version 8, SHA-256 of the parts): the same
/// parts give the same id on every build and machine.
pub fn stable_uuid(parts: &[&str]) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(b"statusfleet");
    for p in parts {
        ctx.update(&[0]);
        ctx.update(p.as_bytes());
    }
    let d = ctx.finish();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d.as_ref()[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Lowercase hexadecimal.
/// 128 bits of a SHA-256: what an output was made from (see [`key_of`]).
pub type Key = [u8; 16];

/// The key of `parts` and `value` as JSON: two calls with the same
/// parts and an equal value give the same key, any difference another
/// (length-prefixed parts; the value hashed in one go from a buffer kept
/// per thread).
pub fn key_of(parts: &[&str], value: &impl Serialize) -> Result<Key, serde_json::Error> {
    key_with(parts, |buf| serde_json::to_writer(buf, value))
}

/// The key of `parts` and `value` by its `Hash`: as [`key_of`], without
/// writing JSON (no escaping, times as numbers). `Hash` writes each string
/// with an end mark that UTF-8 never holds and each list with its length,
/// so different values write different bytes; those bytes are only
/// compared within one binary (the build's fingerprint names it).
pub fn key_of_hashed(parts: &[&str], value: &impl std::hash::Hash) -> Key {
    /// Collects what `Hash` writes.
    struct Bytes<'a>(&'a mut Vec<u8>);
    impl std::hash::Hasher for Bytes<'_> {
        fn write(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }
        fn finish(&self) -> u64 {
            unreachable!("the bytes are hashed with SHA-256")
        }
    }
    let written = key_with(parts, |buf| {
        value.hash(&mut Bytes(buf));
        Ok::<(), std::convert::Infallible>(())
    });
    match written {
        Ok(key) => key,
    }
}

/// SHA-256 (its first 128 bits) of the length-prefixed `parts`, then of
/// what `write` puts in a buffer kept per thread.
fn key_with<E>(
    parts: &[&str],
    write: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
) -> Result<Key, E> {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let mut d = ring::digest::Context::new(&ring::digest::SHA256);
    for part in parts {
        d.update(&(part.len() as u64).to_le_bytes());
        d.update(part.as_bytes());
    }
    BUFFER.with_borrow_mut(|buf| {
        buf.clear();
        write(buf)?;
        d.update(buf);
        Ok(())
    })?;
    let mut key = [0; 16];
    key.copy_from_slice(&d.finish().as_ref()[..16]);
    Ok(key)
}

pub fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

/// RFC 4648 base32, lowercase, without padding.
pub fn base32_lower(bytes: &[u8]) -> String {
    data_encoding::BASE32_NOPAD
        .encode(bytes)
        .to_ascii_lowercase()
}

/// A stable slug for a discovered customer: the first label of its
/// `onmicrosoft.com` domain (never its display name), else its tenant id.
pub fn customer_slug(domain: Option<&str>, tenant_id: &str) -> String {
    let base: String = domain
        .and_then(|dom| dom.split('.').next())
        .unwrap_or("")
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let base = base.trim_matches('-');
    if base.is_empty() {
        tenant_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .take(32)
            .collect()
    } else {
        base.chars().take(54).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_match_rfc_4648_vectors() {
        assert_eq!(base32_lower(b"foobar"), "mzxw6ytboi");
        assert_eq!(base32_lower(b"f"), "my");
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
    }

    #[test]
    fn slugs_come_from_the_domain_else_the_tenant() {
        assert_eq!(
            customer_slug(Some("Contoso-EU.onmicrosoft.com"), "x"),
            "contoso-eu"
        );
        assert_eq!(
            customer_slug(None, "6F1C2A9E-3B4D-4E5F-8A7B-0C1D2E3F4A5B"),
            "6f1c2a9e3b4d4e5f8a7b0c1d2e3f4a5b"
        );
    }
}
