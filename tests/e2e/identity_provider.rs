//! Tokens of an external identity provider, verified with its configured public key (EdDSA here);
//! the algorithm is pinned by configuration, so nothing else signed "by the provider" gets in.

use crate::server::serve;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;
use std::path::PathBuf;
use switchboard_testkit::http::OPERATOR_KEY;
use switchboard_testkit::http::http;

fn fixture(name: &str) -> PathBuf {
    switchboard_plugin_testkit::workspace_root().join("tests/fixtures").join(name)
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[test]
fn tokens_of_the_configured_provider_are_accepted_and_forgeries_are_not() {
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        config.path(),
        format!(
            "[external_jwt]\nalgorithm = \"EdDSA\"\npublic_key_file = \"{}\"\nissuer = \"https://idp.example\"\naudience = \"switchboard\"\n",
            fixture("idp-ed25519.pub.pem").display()
        ),
    )
    .unwrap();
    let config_path = config.path().to_str().unwrap().to_owned();
    let server = serve(&["--config", &config_path], &[("SWITCHBOARD_OPERATOR_KEY", OPERATOR_KEY)]);
    let account = json!({"slug": "acme", "name": "Acme", "preset": "mightycall",
        "owner": {"email": "owner@acme.example", "name": "Owner", "password": "owner-password"}});
    let created = http("POST", &format!("{}/v1/accounts", server.base), Some(account), Some(OPERATOR_KEY));
    assert_eq!(created.status, 201, "{}", created.body);
    let (user, acct) = (created.json()["superadmin"]["id"].clone(), created.json()["account"]["id"].clone());
    let claims = |aud: &str| json!({"sub": user, "acct": acct, "iat": now(), "exp": now() + 600, "iss": "https://idp.example", "aud": aud});
    let sign = |key: &str, claims: serde_json::Value| {
        let pem = std::fs::read(fixture(key)).unwrap();
        encode(&Header::new(Algorithm::EdDSA), &claims, &EncodingKey::from_ed_pem(&pem).unwrap()).unwrap()
    };
    let me = |token: &str| http("GET", &format!("{}/v1/me", server.base), None, Some(token)).status;

    assert_eq!(me(&sign("idp-ed25519.key.pem", claims("switchboard"))), 200, "the provider's token");
    assert_eq!(me(&sign("other-ed25519.key.pem", claims("switchboard"))), 401, "an impostor's key");
    assert_eq!(me(&sign("idp-ed25519.key.pem", claims("someone-else"))), 401, "another audience");
    // Algorithm confusion: HS256 "signed" with the provider's public key as the HMAC secret.
    let public = std::fs::read(fixture("idp-ed25519.pub.pem")).unwrap();
    let confused =
        encode(&Header::new(Algorithm::HS256), &claims("switchboard"), &EncodingKey::from_secret(&public)).unwrap();
    assert_eq!(me(&confused), 401, "HS256 with the public key as secret");
    let unsigned = {
        use base64_like::encode_segment as b64;
        format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), b64(claims("switchboard").to_string().as_bytes()))
    };
    assert_eq!(me(&unsigned), 401, "alg none");
}

/// Unpadded base64url, enough to hand-craft tokens.
pub mod base64_like {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    pub fn encode_segment(bytes: &[u8]) -> String {
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            }
        }
        out
    }
}
