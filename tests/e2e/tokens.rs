//! Issue 8: at least fifty bad tokens, every one refused with a 401 problem document, while the one
//! good token keeps working.

use crate::identity_provider::base64_like::encode_segment as b64;
use crate::server::serve;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use switchboard_testkit::http::OPERATOR_KEY;
use switchboard_testkit::http::http;

const SECRET: &str = "the-e2e-signing-secret-of-32-bytes-or-more";

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn sign(alg: Algorithm, claims: &Value, secret: &[u8]) -> String {
    encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret)).unwrap()
}

fn with(claims: &Value, key: &str, value: Value) -> Value {
    let mut c = claims.clone();
    c[key] = value;
    c
}

fn without(claims: &Value, key: &str) -> Value {
    let mut c = claims.clone();
    c.as_object_mut().unwrap().remove(key);
    c
}

fn unsigned(alg: &str, claims: &Value) -> String {
    format!("{}.{}.", b64(json!({"alg": alg, "typ": "JWT"}).to_string().as_bytes()), b64(claims.to_string().as_bytes()))
}

#[test]
fn at_least_fifty_bad_tokens_are_refused_with_401() {
    let server = serve(&[], &[("SWITCHBOARD_OPERATOR_KEY", OPERATOR_KEY), ("SWITCHBOARD_JWT_SECRET", SECRET)]);
    let base = server.base.clone();
    let mut ids = Vec::new();
    for slug in ["acme", "other"] {
        let account = json!({"slug": slug, "name": slug, "preset": "mightycall",
            "owner": {"email": format!("owner@{slug}.example"), "name": "Owner", "password": "owner-password"}});
        let created = http("POST", &format!("{base}/v1/accounts"), Some(account), Some(OPERATOR_KEY));
        assert_eq!(created.status, 201, "{}", created.body);
        ids.push((created.json()["account"]["id"].clone(), created.json()["superadmin"]["id"].clone()));
    }
    let (acct, sub) = ids[0].clone();
    let (other_acct, other_sub) = ids[1].clone();
    // Every token names a session: take the one a sign-in starts, and forge around it.
    let login = json!({"account": "acme", "email": "owner@acme.example", "password": "owner-password"});
    let signed_in = http("POST", &format!("{base}/v1/auth/token"), Some(login), None).json();
    let mut validation = jsonwebtoken::Validation::new(Algorithm::HS256);
    validation.set_audience(&["switchboard-api"]);
    let key = jsonwebtoken::DecodingKey::from_secret(SECRET.as_bytes());
    let sid = jsonwebtoken::decode::<Value>(signed_in["access_token"].as_str().unwrap(), &key, &validation)
        .unwrap()
        .claims["sid"]
        .clone();
    assert!(sid.is_string(), "a minted token names its session");
    let claims = json!({"sub": sub, "acct": acct, "iat": now(), "exp": now() + 600, "nbf": now(),
        "iss": "switchboard", "aud": "switchboard-api", "sid": sid});
    let good = sign(Algorithm::HS256, &claims, SECRET.as_bytes());
    assert_eq!(http("GET", &format!("{base}/v1/me"), None, Some(&good)).status, 200, "the good token works");

    // Users whose tokens must stop working: one disabled, one deleted, one only invited.
    let owner = good.clone();
    let user = |email: &str, password: Option<&str>| {
        let mut body = json!({"email": email, "name": email, "roles": ["agent"]});
        if let Some(p) = password {
            body["password"] = json!(p);
        }
        http("POST", &format!("{base}/v1/users"), Some(body), Some(&owner)).json()["id"].clone()
    };
    let disabled = user("disabled@acme.example", Some("disabled-password"));
    let deleted = user("deleted@acme.example", Some("deleted-password"));
    let invited = user("invited@acme.example", None);
    assert_eq!(
        http(
            "PATCH",
            &format!("{base}/v1/users/{}", disabled.as_str().unwrap()),
            Some(json!({"status": "disabled"})),
            Some(&owner)
        )
        .status,
        200
    );
    assert_eq!(
        http("DELETE", &format!("{base}/v1/users/{}", deleted.as_str().unwrap()), None, Some(&owner)).status,
        204
    );

    let secret = SECRET.as_bytes();
    let good_parts: Vec<&str> = good.split('.').collect();
    let payload_of = |c: &Value| b64(c.to_string().as_bytes());
    let ed_key =
        std::fs::read(switchboard_plugin_testkit::workspace_root().join("tests/fixtures/idp-ed25519.key.pem")).unwrap();
    let mut bad: Vec<(&str, String)> = vec![
        ("alg none", unsigned("none", &claims)),
        ("alg None", unsigned("None", &claims)),
        ("alg NONE", unsigned("NONE", &claims)),
        ("alg nOnE", unsigned("nOnE", &claims)),
        ("alg none with a signature", format!("{}{}", unsigned("none", &claims), good_parts[2])),
        ("wrong secret", sign(Algorithm::HS256, &claims, b"another-secret-that-is-long-enough-000")),
        ("empty secret", sign(Algorithm::HS256, &claims, b"")),
        ("HS384 with the right secret", sign(Algorithm::HS384, &claims, secret)),
        ("HS512 with the right secret", sign(Algorithm::HS512, &claims, secret)),
        (
            "EdDSA from an unconfigured key",
            encode(&Header::new(Algorithm::EdDSA), &claims, &EncodingKey::from_ed_pem(&ed_key).unwrap()).unwrap(),
        ),
        ("header RS256, HMAC signature", {
            let header = b64(json!({"alg": "RS256", "typ": "JWT"}).to_string().as_bytes());
            format!("{header}.{}.{}", good_parts[1], good_parts[2])
        }),
        ("header ES256, HMAC signature", {
            let header = b64(json!({"alg": "ES256", "typ": "JWT"}).to_string().as_bytes());
            format!("{header}.{}.{}", good_parts[1], good_parts[2])
        }),
        ("expired an hour ago", sign(Algorithm::HS256, &with(&claims, "exp", json!(now() - 3600)), secret)),
        ("expired beyond the leeway", sign(Algorithm::HS256, &with(&claims, "exp", json!(now() - 45)), secret)),
        ("exp zero", sign(Algorithm::HS256, &with(&claims, "exp", json!(0)), secret)),
        ("exp as a string", sign(Algorithm::HS256, &with(&claims, "exp", json!("9999999999")), secret)),
        ("not valid for two minutes", sign(Algorithm::HS256, &with(&claims, "nbf", json!(now() + 120)), secret)),
        ("not valid for a year", sign(Algorithm::HS256, &with(&claims, "nbf", json!(now() + 31_536_000)), secret)),
        ("wrong issuer", sign(Algorithm::HS256, &with(&claims, "iss", json!("evil")), secret)),
        ("issuer differs by case", sign(Algorithm::HS256, &with(&claims, "iss", json!("Switchboard")), secret)),
        ("no issuer", sign(Algorithm::HS256, &without(&claims, "iss"), secret)),
        ("wrong audience", sign(Algorithm::HS256, &with(&claims, "aud", json!("another-api")), secret)),
        ("audience list without ours", sign(Algorithm::HS256, &with(&claims, "aud", json!(["a", "b"])), secret)),
        ("no audience", sign(Algorithm::HS256, &without(&claims, "aud"), secret)),
        ("no exp", sign(Algorithm::HS256, &without(&claims, "exp"), secret)),
        ("no sub", sign(Algorithm::HS256, &without(&claims, "sub"), secret)),
        ("no session", sign(Algorithm::HS256, &without(&claims, "sid"), secret)),
        (
            "a session that was never started",
            sign(Algorithm::HS256, &with(&claims, "sid", json!(uuid::Uuid::new_v4())), secret),
        ),
        ("no acct", sign(Algorithm::HS256, &without(&claims, "acct"), secret)),
        ("sub not a uuid", sign(Algorithm::HS256, &with(&claims, "sub", json!("admin")), secret)),
        ("sub of nobody", sign(Algorithm::HS256, &with(&claims, "sub", json!(uuid::Uuid::new_v4())), secret)),
        ("acct of no account", sign(Algorithm::HS256, &with(&claims, "acct", json!(uuid::Uuid::new_v4())), secret)),
        (
            "another account's user against this account",
            sign(Algorithm::HS256, &with(&claims, "sub", other_sub.clone()), secret),
        ),
        (
            "this account's user against another account",
            sign(Algorithm::HS256, &with(&claims, "acct", other_acct.clone()), secret),
        ),
        ("a disabled user", sign(Algorithm::HS256, &with(&claims, "sub", disabled.clone()), secret)),
        ("a deleted user", sign(Algorithm::HS256, &with(&claims, "sub", deleted.clone()), secret)),
        ("an invited user", sign(Algorithm::HS256, &with(&claims, "sub", invited.clone()), secret)),
        (
            "payload tampered after signing",
            format!("{}.{}.{}", good_parts[0], payload_of(&with(&claims, "sub", other_sub.clone())), good_parts[2]),
        ),
        (
            "expiry extended after signing",
            format!(
                "{}.{}.{}",
                good_parts[0],
                payload_of(&with(&claims, "exp", json!(now() + 999_999))),
                good_parts[2]
            ),
        ),
        (
            "header tampered (kid added)",
            format!("{}.{}.{}", b64(br#"{"alg":"HS256","typ":"JWT","kid":"x"}"#), good_parts[1], good_parts[2]),
        ),
        ("signature stripped", format!("{}.{}.", good_parts[0], good_parts[1])),
        (
            "signature of another token",
            format!(
                "{}.{}.{}",
                good_parts[0],
                good_parts[1],
                sign(Algorithm::HS256, &with(&claims, "iat", json!(1)), secret).split('.').nth(2).unwrap()
            ),
        ),
        ("signature flipped", {
            let mut s = good.clone();
            let last = s.pop().unwrap();
            s.push(if last == 'A' { 'B' } else { 'A' });
            s
        }),
        ("truncated by five", good[..good.len() - 5].to_owned()),
        ("truncated to the header", good_parts[0].to_owned()),
        ("two segments", format!("{}.{}", good_parts[0], good_parts[1])),
        ("four segments", format!("{good}.extra")),
        ("empty segments", "..".to_owned()),
        ("garbage", "garbage".to_owned()),
        ("not base64", "!!!.@@@.###".to_owned()),
        ("payload not JSON", format!("{}.{}.{}", good_parts[0], b64(b"not json"), good_parts[2])),
        ("payload a JSON array", format!("{}.{}.{}", good_parts[0], b64(b"[1,2,3]"), good_parts[2])),
        ("header not JSON", format!("{}.{}.{}", b64(b"nope"), good_parts[1], good_parts[2])),
        ("oversized", format!("{}.{}.{}", good_parts[0], "A".repeat(9000), good_parts[2])),
        ("whitespace inside", format!("{} {}", &good[..10], &good[10..])),
    ];
    // The same good token presented wrongly.
    let schemes = [
        ("Basic", format!("Basic {good}")),
        ("Token", format!("Token {good}")),
        ("no scheme", good.clone()),
        ("empty bearer", "Bearer ".to_owned()),
    ];
    for (name, token) in &bad {
        let reply = http("GET", &format!("{base}/v1/me"), None, Some(token));
        assert_eq!(reply.status, 401, "{name}: {}", reply.body);
        assert_eq!(reply.json()["code"], "unauthenticated", "{name}");
    }
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    for (name, value) in &schemes {
        let request = ureq::http::Request::builder()
            .uri(format!("{base}/v1/me"))
            .header("authorization", value.as_str())
            .body(())
            .unwrap();
        assert_eq!(agent.run(request).unwrap().status().as_u16(), 401, "{name}");
        bad.push((name, value.clone()));
    }
    assert!(bad.len() >= 50, "only {} bad tokens", bad.len());
    assert_eq!(http("GET", &format!("{base}/v1/me"), None, Some(&good)).status, 200, "the good token still works");
}

#[test]
fn a_guessing_address_waits_longer_after_each_failure_with_retry_after() {
    let server = serve(&[], &[("SWITCHBOARD_OPERATOR_KEY", OPERATOR_KEY)]);
    let account = json!({"slug": "acme", "name": "Acme", "preset": "mightycall",
        "owner": {"email": "owner@acme.example", "name": "Owner", "password": "owner-password"}});
    assert_eq!(http("POST", &format!("{}/v1/accounts", server.base), Some(account), Some(OPERATOR_KEY)).status, 201);
    let attempt = |password: &str| {
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
        let body = json!({"account": "acme", "email": "owner@acme.example", "password": password}).to_string();
        let request = ureq::http::Request::builder()
            .method("POST")
            .uri(format!("{}/v1/auth/token", server.base))
            .header("content-type", "application/json")
            .body(body)
            .unwrap();
        let response = agent.run(request).unwrap();
        let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        (response.status().as_u16(), retry)
    };
    // The first guesses are answered; then this address waits before each further guess.
    for _ in 0..3 {
        assert_eq!(attempt("wrong-password").0, 401);
    }
    let (status, retry) = attempt("wrong-password");
    assert_eq!(status, 429, "a guessing address waits");
    let first_wait: u64 = retry.expect("Retry-After").parse().unwrap();
    let (status, retry) = attempt("owner-password");
    assert_eq!(status, 429, "even with the right password, from the address that was guessing");
    assert!(retry.expect("Retry-After").parse::<u64>().unwrap() <= first_wait);
    std::thread::sleep(std::time::Duration::from_millis(1100 * first_wait));
    assert_eq!(attempt("wrong-password").0, 401, "after the wait, the next guess is answered");
    let (status, retry) = attempt("owner-password");
    assert_eq!(status, 429);
    let second_wait: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!(second_wait > first_wait, "and the wait grows: {first_wait} s, then {second_wait} s");
}

#[test]
fn secrets_and_tokens_never_reach_the_log() {
    let password = "a-password-that-must-not-be-logged";
    let server = serve(
        &[],
        &[("SWITCHBOARD_OPERATOR_KEY", OPERATOR_KEY), ("SWITCHBOARD_JWT_SECRET", SECRET), ("RUST_LOG", "debug")],
    );
    let base = server.base.clone();
    let account = json!({"slug": "acme", "name": "Acme", "preset": "mightycall",
        "owner": {"email": "owner@acme.example", "name": "Owner", "password": password}});
    assert_eq!(http("POST", &format!("{base}/v1/accounts"), Some(account), Some(OPERATOR_KEY)).status, 201);
    let login = json!({"account": "acme", "email": "owner@acme.example", "password": password});
    let token = http("POST", &format!("{base}/v1/auth/token"), Some(login), None).json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong = json!({"account": "acme", "email": "owner@acme.example", "password": format!("{password}-wrong")});
    assert_eq!(http("POST", &format!("{base}/v1/auth/token"), Some(wrong), None).status, 401);
    let key = http("POST", &format!("{base}/v1/api-keys"), Some(json!({"name": "k"})), Some(&token)).json()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let request =
        ureq::http::Request::builder().uri(format!("{base}/v1/me")).header("x-api-key", key.as_str()).body(()).unwrap();
    assert_eq!(agent.run(request).unwrap().status().as_u16(), 200);
    assert_eq!(http("GET", &format!("{base}/v1/me"), None, Some(&token)).status, 200);
    // The access log line is written after the response is sent: wait for it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !server.log_text().contains("GET /v1/me") && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let log = server.log_text();
    assert!(log.contains("GET /v1/me"), "the requests were logged:\n{log}");
    for (what, secret) in [
        ("password", password),
        ("token", token.as_str()),
        ("token signature", token.rsplit('.').next().unwrap()),
        ("API key", key.as_str()),
        ("API key secret", &key[key.len() - 32..]),
        ("operator key", OPERATOR_KEY),
        ("JWT secret", SECRET),
    ] {
        assert!(!log.contains(secret), "the {what} appears in the log");
    }
}

#[test]
fn hostile_input_sizes_get_clear_problems_and_the_server_lives_on() {
    let server = serve(&["--strict-plugins"], &[("SWITCHBOARD_OPERATOR_KEY", OPERATOR_KEY)]);
    let app = switchboard_testkit::http::Client::new(server.base.clone());
    let owner = app.account("acme", "mightycall");
    let auth = format!("Bearer {}", owner.token);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    // Refused at its first level (every body is a struct with known fields), long before any depth limit.
    app.request("POST", "/v1/roles", Some(&deep), &[("authorization", &auth)]).assert_problem(422, "invalid");
    let deep_inside =
        format!("{{\"key\": \"x\", \"name\": \"x\", \"grants\": {}{}}}", "{\"a\":".repeat(5_000), "}".repeat(5_000));
    let reply = app.request("POST", "/v1/roles", Some(&deep_inside), &[("authorization", &auth)]);
    assert!(matches!(reply.status, 400 | 422), "{}", reply.body);
    let long_name = json!({"key": "long", "name": "x".repeat(10_000)});
    app.call(&owner, "POST", "/v1/roles", Some(long_name)).assert_problem(422, "invalid");
    let long_key = json!({"key": "k".repeat(5_000), "name": "Long key"});
    app.call(&owner, "POST", "/v1/roles", Some(long_key)).assert_problem(422, "invalid");
    let long_email = json!({"email": format!("{}@acme.example", "e".repeat(5_000)), "name": "E"});
    app.call(&owner, "POST", "/v1/users", Some(long_email)).assert_problem(422, "invalid");
    app.call(&owner, "GET", "/v1/roles?limit=501", None).assert_problem(422, "invalid");
    app.call(&owner, "GET", &format!("/v1/roles?cursor={}", "a".repeat(5000)), None).assert_problem(422, "invalid");
    let checks: Vec<Value> = (0..501).map(|_| json!({"permission": "numbers:view"})).collect();
    app.call(&owner, "POST", "/v1/authorize/batch", Some(json!({"checks": checks}))).assert_problem(422, "invalid");
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(1024 * 1024));
    app.request("POST", "/v1/workgroups", Some(&huge), &[("authorization", &auth)])
        .assert_problem(413, "payload_too_large");
    assert_eq!(app.get("/healthz").status, 200, "the server lives on");
}
