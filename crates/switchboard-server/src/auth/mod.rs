//! Authentication: JWTs we mint (HS256) or an identity provider signs (RS256/ES256/EdDSA),
//! API keys, and passwords. Roles are never read from a token: the caller's permissions are looked
//! up live on every request.

pub mod api_key;
pub mod claims;
pub mod csrf;
pub mod external;
pub mod jwks;
pub mod jwt;
pub mod limiter;
pub mod password;
pub mod totp;

/// Random bytes from the operating system, via v4 UUIDs (122 random bits each).
pub fn random_hex(bytes: usize) -> String {
    let mut out = String::with_capacity(bytes * 2);
    while out.len() < bytes * 2 {
        let id = uuid::Uuid::new_v4();
        // Skip the version/variant nibbles so every character is random.
        let hex = id.simple().to_string();
        out.push_str(&hex[..12]);
        out.push_str(&hex[13..16]);
        out.push_str(&hex[17..]);
    }
    out.truncate(bytes * 2);
    out
}

/// Constant-time equality for secrets.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_hex_has_the_requested_length_and_differs_each_time() {
        let a = random_hex(32);
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, random_hex(32));
    }

    #[test]
    fn constant_time_eq_compares_whole_values() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
