//! Two-factor sign-in: time-based one-time codes (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits,
//! as authenticator apps expect) and single-use recovery codes. A user's TOTP secret is stored sealed
//! (XChaCha20-Poly1305 under a key derived from the server's secret), shown once at enrolment, and
//! never logged; recovery codes are stored as hashes.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};

/// Seconds per code.
pub const STEP_SECONDS: u64 = 30;
/// Steps either side of now that are accepted (clock drift between the phone and the server).
const DRIFT_STEPS: u64 = 1;
/// Recovery codes made at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// A key of `N` bytes for one `purpose`, derived (HKDF-SHA256) from the server's secret: each purpose
/// its own key, the same on every instance sharing the secret.
pub fn derive_key<const N: usize>(server_secret: &[u8], purpose: &[u8]) -> [u8; N] {
    let mut key = [0u8; N];
    let hkdf = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"switchboard"), server_secret);
    // The keys asked for (32 and 64 bytes) are well within HKDF-SHA256's output limit (8160 bytes).
    let _ = hkdf.expand(purpose, &mut key);
    key
}

/// The key that seals TOTP secrets at rest, derived from the server's secret.
#[derive(Clone)]
pub struct SealingKey([u8; 32]);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(<hidden>)")
    }
}

impl SealingKey {
    /// HKDF-SHA256 of the server's secret, for two-factor secrets.
    pub fn derive(server_secret: &[u8]) -> SealingKey {
        SealingKey::derive_for(server_secret, b"two-factor secrets v1")
    }

    /// HKDF-SHA256 of the server's secret, for one `purpose` (each purpose its own key).
    pub fn derive_for(server_secret: &[u8], purpose: &[u8]) -> SealingKey {
        SealingKey(derive_key(server_secret, purpose))
    }

    /// The secret sealed under a fresh random nonce, as hex (`nonce ‖ ciphertext`).
    pub fn seal(&self, secret: &[u8]) -> Result<String, String> {
        let nonce: [u8; 24] = random_bytes(24).try_into().map_err(|_| "no random nonce".to_owned())?;
        let sealed = XChaCha20Poly1305::new((&self.0).into())
            .encrypt(&XNonce::from(nonce), secret)
            .map_err(|_| "cannot seal the secret".to_owned())?;
        Ok(hex(&[&nonce[..], &sealed].concat()))
    }

    /// The secret [`SealingKey::seal`] sealed; `None` when it was sealed under another key or altered.
    pub fn open(&self, sealed: &str) -> Option<Vec<u8>> {
        let bytes = unhex(sealed)?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().ok()?;
        XChaCha20Poly1305::new((&self.0).into()).decrypt(&XNonce::from(nonce), ciphertext).ok()
    }
}

fn random_bytes(n: usize) -> Vec<u8> {
    let hex = super::random_hex(n);
    unhex(&hex).unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// A new TOTP secret: 160 random bits (RFC 4226's recommended length).
pub fn new_secret() -> Vec<u8> {
    random_bytes(20)
}

/// RFC 4648 base32 without padding: how authenticator apps take a secret.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut buffer = [0u8; 5];
        buffer[..chunk.len()].copy_from_slice(chunk);
        let bits = buffer.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            out.push(char::from(ALPHABET[((bits >> (35 - i * 5)) & 31) as usize]));
        }
    }
    out
}

/// The `otpauth://` address an authenticator app reads from a QR code.
pub fn otpauth_uri(issuer: &str, label: &str, secret: &[u8]) -> String {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
                other => format!("%{other:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECONDS}",
        encode(issuer),
        encode(label),
        base32(secret),
        encode(issuer)
    )
}

/// The 6-digit code of `step` (RFC 4226's HOTP over the step counter).
pub fn code_at(secret: &[u8], step: u64) -> u32 {
    let Ok(mut mac) = <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret) else { return 0 };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let value = u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    value % 1_000_000
}

/// The step of `unix_seconds`.
pub fn step_at(unix_seconds: u64) -> u64 {
    unix_seconds / STEP_SECONDS
}

/// The step of now.
pub fn current_step() -> u64 {
    step_at(chrono::Utc::now().timestamp().max(0) as u64)
}

/// The step whose code `code` is, within the drift allowed around `now_step`, if any.
pub fn matching_step(secret: &[u8], code: &str, now_step: u64) -> Option<u64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let wanted: u32 = code.parse().ok()?;
    (now_step.saturating_sub(DRIFT_STEPS)..=now_step + DRIFT_STEPS).find(|step| code_at(secret, *step) == wanted)
}

/// Fresh recovery codes (`xxxxx-xxxxx`, 40 random bits each), shown once.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let hex = super::random_hex(5);
            format!("{}-{}", &hex[..5], &hex[5..])
        })
        .collect()
}

/// How a recovery code is stored and compared: its SHA-256, whatever case or dashes it was typed with.
pub fn recovery_hash(code: &str) -> String {
    let normal: String = code.trim().to_ascii_lowercase().chars().filter(|c| *c != '-').collect();
    super::api_key::hash(&normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        // RFC 6238 appendix B, SHA1, seed "12345678901234567890", 8 digits there; the last 6 here.
        let secret = b"12345678901234567890";
        for (time, code) in [(59, 287082), (1111111109, 81804), (1111111111, 50471), (1234567890, 5924)] {
            assert_eq!(code_at(secret, step_at(time)), code, "at {time}");
        }
    }

    #[test]
    fn a_code_matches_its_step_and_its_neighbours_only() {
        let secret = new_secret();
        let now = step_at(1_800_000_000);
        let code = format!("{:06}", code_at(&secret, now));
        assert_eq!(matching_step(&secret, &code, now), Some(now));
        assert_eq!(matching_step(&secret, &code, now + 1), Some(now), "one step of drift");
        assert_eq!(matching_step(&secret, &code, now + 3), None);
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
    }

    #[test]
    fn base32_is_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn a_sealed_secret_opens_only_under_its_key_and_unaltered() {
        let key = SealingKey::derive(b"a-server-secret-of-at-least-32-bytes");
        let sealed = key.seal(b"secret").unwrap();
        assert_eq!(key.open(&sealed).as_deref(), Some(&b"secret"[..]));
        assert_ne!(key.seal(b"secret").unwrap(), sealed, "a fresh nonce each time");
        assert!(SealingKey::derive(b"another-server-secret-of-32-bytes!").open(&sealed).is_none());
        let mut altered = sealed.clone().into_bytes();
        altered[60] = if altered[60] == b'0' { b'1' } else { b'0' };
        assert!(key.open(&String::from_utf8(altered).unwrap()).is_none());
        assert!(!format!("{key:?}").contains(char::is_numeric), "the key never prints");
    }

    #[test]
    fn recovery_codes_compare_however_they_are_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_eq!(recovery_hash(&codes[0]), recovery_hash(&codes[0].to_uppercase().replace('-', "")));
    }
}
