//! API keys: `sbk_<prefix>_<secret>`, and SCIM tokens: `sbscim_<prefix>_<secret>`. The prefix finds
//! the row; only a SHA-256 of the whole key is stored. Keys carry 256 random bits, so a fast hash is enough (as with GitHub tokens): there is
//! nothing to brute-force.

use sha2::{Digest, Sha256};

const SCHEME: &str = "sbk_";
const SCIM_SCHEME: &str = "sbscim_";
pub const PREFIX_LEN: usize = 12;

/// A freshly generated key: shown to its creator once.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub key: String,
    pub prefix: String,
    pub hash: String,
}

pub fn generate() -> NewApiKey {
    generate_with(SCHEME)
}

/// A new SCIM token, for an identity provider.
pub fn generate_scim() -> NewApiKey {
    generate_with(SCIM_SCHEME)
}

fn generate_with(scheme: &str) -> NewApiKey {
    let prefix = super::random_hex(PREFIX_LEN / 2);
    let secret = super::random_hex(32);
    let key = format!("{scheme}{prefix}_{secret}");
    let hash = hash(&key);
    NewApiKey { key, prefix, hash }
}

/// A stored prefix as lists and the audit log show it: how the key itself starts (`sbk_…`).
pub fn shown_prefix(prefix: &str) -> String {
    format!("{SCHEME}{prefix}")
}

/// [`shown_prefix`] for a SCIM token (`sbscim_…`).
pub fn shown_scim_prefix(prefix: &str) -> String {
    format!("{SCIM_SCHEME}{prefix}")
}

/// The prefix of a well-formed key, or `None`.
pub fn prefix_of(key: &str) -> Option<&str> {
    prefix_with(SCHEME, key)
}

/// The prefix of a well-formed SCIM token, or `None`.
pub fn scim_prefix_of(token: &str) -> Option<&str> {
    prefix_with(SCIM_SCHEME, token)
}

fn prefix_with<'k>(scheme: &str, key: &'k str) -> Option<&'k str> {
    let rest = key.strip_prefix(scheme)?;
    let (prefix, secret) = rest.split_once('_')?;
    let well_formed = prefix.len() == PREFIX_LEN
        && secret.len() == 64
        && prefix.chars().chain(secret.chars()).all(|c| c.is_ascii_hexdigit());
    well_formed.then_some(prefix)
}

pub fn hash(key: &str) -> String {
    Sha256::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `key` matches a stored hash, in constant time.
pub fn verify(key: &str, stored_hash: &str) -> bool {
    super::constant_time_eq(hash(key).as_bytes(), stored_hash.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_verifies_and_its_prefix_is_found() {
        let k = generate();
        assert_eq!(prefix_of(&k.key), Some(k.prefix.as_str()));
        assert!(verify(&k.key, &k.hash));
        assert!(!k.hash.contains(&k.key[4..]), "the secret is not stored");
    }

    #[test]
    fn tampered_or_malformed_keys_are_refused() {
        let k = generate();
        let mut tampered = k.key.clone();
        tampered.pop();
        tampered.push(if k.key.ends_with('0') { '1' } else { '0' });
        assert!(!verify(&tampered, &k.hash));
        for bad in ["", "sbk_", "sbk_abc_def", "xyz_0123456789ab_00", &k.key[..k.key.len() - 1]] {
            assert_eq!(prefix_of(bad), None, "{bad}");
        }
    }
}
