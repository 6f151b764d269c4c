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

/// The public keys of the two fixtures, as a JWKS publishes them (`x`: the raw Ed25519 key).
fn jwk(kid: &str, fixture_key: &str) -> serde_json::Value {
    let x = match fixture_key {
        "idp-ed25519.key.pem" => "yxvP4ZrBKZGu74XYWnyh1JwWTSZcmEea7axFnrdWPGY",
        _ => "zvp-Uy2c2bcCJqCwwaljzgPcFoB7beIWxZbYNHc8uhU",
    };
    json!({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "use": "sig", "alg": "EdDSA"})
}

/// A provider's JWKS endpoint on 127.0.0.1: serves what `keys` holds now and counts the fetches.
struct JwksEndpoint {
    url: String,
    keys: std::sync::Arc<std::sync::Mutex<serde_json::Value>>,
    fetches: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl JwksEndpoint {
    fn start(keys: serde_json::Value) -> JwksEndpoint {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/.well-known/jwks.json", listener.local_addr().unwrap());
        let keys = std::sync::Arc::new(std::sync::Mutex::new(keys));
        let fetches = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (served, counted) = (keys.clone(), fetches.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let body = json!({"keys": served.lock().unwrap().clone()}).to_string();
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body.as_bytes()));
            }
        });
        JwksEndpoint { url, keys, fetches }
    }

    fn publish(&self, keys: serde_json::Value) {
        *self.keys.lock().unwrap() = keys;
    }

    fn fetches(&self) -> usize {
        self.fetches.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[test]
fn tokens_are_verified_against_the_providers_jwks_fetched_again_for_a_new_key_within_a_bound() {
    let endpoint = JwksEndpoint::start(json!([jwk("k1", "idp-ed25519.key.pem")]));
    let config = tempfile::NamedTempFile::new().unwrap();
    let settings = format!(
        "[external_jwt]\nalgorithm = \"EdDSA\"\njwks_url = \"{}\"\njwks_refresh_min_seconds = 1\nissuer = \"https://idp.example\"\naudience = \"switchboard\"\n",
        endpoint.url
    );
    std::fs::write(config.path(), settings).unwrap();
    let config_path = config.path().to_str().unwrap().to_owned();
    let server = serve(&["--config", &config_path], &[("SWITCHBOARD_OPERATOR_KEY", OPERATOR_KEY)]);
    assert_eq!(endpoint.fetches(), 1, "the keys are fetched at start-up");
    let account = json!({"slug": "acme", "name": "Acme", "preset": "mightycall",
        "owner": {"email": "owner@acme.example", "name": "Owner", "password": "owner-password"}});
    let created = http("POST", &format!("{}/v1/accounts", server.base), Some(account), Some(OPERATOR_KEY));
    assert_eq!(created.status, 201, "{}", created.body);
    let (user, acct) = (created.json()["superadmin"]["id"].clone(), created.json()["account"]["id"].clone());
    // each token differs (`jti`), so none is answered from the server's memory of verified tokens
    let serial = std::sync::atomic::AtomicUsize::new(0);
    let token = |kid: &str, key: &str| {
        let n = serial.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let claims = json!({"sub": user, "acct": acct, "iat": now(), "exp": now() + 600, "iss": "https://idp.example", "aud": "switchboard", "jti": n});
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid.to_owned());
        let pem = std::fs::read(fixture(key)).unwrap();
        encode(&header, &claims, &EncodingKey::from_ed_pem(&pem).unwrap()).unwrap()
    };
    let me = |token: &str| http("GET", &format!("{}/v1/me", server.base), None, Some(token)).status;

    assert_eq!(me(&token("k1", "idp-ed25519.key.pem")), 200, "a key the provider publishes");
    assert_eq!(me(&token("k1", "other-ed25519.key.pem")), 401, "the provider's key id, another key");
    assert_eq!(endpoint.fetches(), 1, "a known key fetches nothing");

    // the provider adds a key: a token naming it fetches the keys again
    std::thread::sleep(std::time::Duration::from_millis(1100));
    endpoint.publish(json!([jwk("k1", "idp-ed25519.key.pem"), jwk("k2", "other-ed25519.key.pem")]));
    assert_eq!(me(&token("k2", "other-ed25519.key.pem")), 200, "a new key, fetched on first sight");
    assert_eq!(endpoint.fetches(), 2);

    // made-up key ids cannot make the server hammer the provider
    let before = endpoint.fetches();
    for n in 0..30 {
        assert_eq!(me(&token(&format!("made-up-{n}"), "idp-ed25519.key.pem")), 401);
    }
    assert!(
        endpoint.fetches() <= before + 1,
        "{} fetches for 30 unknown keys within a second",
        endpoint.fetches() - before
    );

    // the provider retires a key: once the keys are fetched again, its tokens are refused
    std::thread::sleep(std::time::Duration::from_millis(1100));
    endpoint.publish(json!([jwk("k2", "other-ed25519.key.pem")]));
    assert_eq!(me(&token("k3", "idp-ed25519.key.pem")), 401, "unknown: fetches again");
    assert_eq!(me(&token("k1", "idp-ed25519.key.pem")), 401, "a retired key");
    assert_eq!(me(&token("k2", "other-ed25519.key.pem")), 200);
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
