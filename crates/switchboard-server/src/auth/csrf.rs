//! The console's CSRF token: an HMAC of the signed-in session under a key derived from the server's
//! secret. The page reads it from a cookie of its own (not `HttpOnly`) and sends it back in the
//! `X-CSRF-Token` header of every request; another site can neither read it nor set that header,
//! and the token is worthless for any other session (or after restarts with another secret).

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// The cookie holding the console session's token (`HttpOnly`: the page's script never sees it),
/// which the API takes only beside the [`HEADER`].
pub const SESSION_COOKIE: &str = "sb_session";

/// The header every console request carries its token in.
pub const HEADER: &str = "x-csrf-token";

/// Derives tokens; instances sharing the server secret derive the same ones.
#[derive(Clone)]
pub struct CsrfKey([u8; 64]);

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfKey(..)")
    }
}

impl CsrfKey {
    /// Derived from the server's secret, for this one purpose.
    pub fn derive(server_secret: &[u8]) -> CsrfKey {
        CsrfKey(crate::auth::totp::derive_key(server_secret, b"console csrf v1"))
    }

    fn mac(&self, session: Uuid) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new((&self.0).into());
        mac.update(session.as_bytes());
        mac
    }

    /// The token of a session, as lowercase hex.
    pub fn token(&self, session: Uuid) -> String {
        self.mac(session).finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Whether `presented` is the session's token (compared in constant time).
    pub fn verify(&self, session: Uuid, presented: &str) -> bool {
        let presented = presented.trim();
        if presented.len() != 64 || !presented.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
        let bytes: Vec<u8> =
            (0..32).filter_map(|i| u8::from_str_radix(&presented[2 * i..2 * i + 2], 16).ok()).collect();
        self.mac(session).verify_slice(&bytes).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::CsrfKey;
    use uuid::Uuid;

    #[test]
    fn a_csrf_token_works_for_its_own_session_only() {
        let key = CsrfKey::derive(b"a server secret of at least thirty-two bytes");
        let (mine, other) = (Uuid::new_v4(), Uuid::new_v4());
        let token = key.token(mine);
        assert!(key.verify(mine, &token));
        assert!(key.verify(mine, &token.to_uppercase()), "hex is hex in either case");
        assert!(!key.verify(other, &token));
        assert!(!key.verify(mine, &token[..63]));
        assert!(!key.verify(mine, ""));
        let another_server = CsrfKey::derive(b"another server secret, also long enough");
        assert!(!another_server.verify(mine, &token));
    }
}
