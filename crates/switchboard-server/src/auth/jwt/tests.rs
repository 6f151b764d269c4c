//! Minting, strict verification and the remembered tokens.

use super::*;

fn tokens() -> Tokens {
    Tokens::new(&[7u8; 32], "switchboard".into(), "switchboard-api".into(), 3600).unwrap()
}

#[test]
fn a_minted_token_verifies_with_its_claims() {
    let t = tokens();
    let (user, account) = (Uuid::new_v4(), Uuid::new_v4());
    let (token, ttl) = t.mint(user, account, Uuid::new_v4()).unwrap();
    assert_eq!(ttl, 3600);
    let claims = t.verify(&token).unwrap();
    assert_eq!((claims.sub, claims.acct), (user, account));
    assert!(claims.sid.is_some(), "every minted token names its session");
}

#[test]
fn a_token_of_ours_without_a_session_is_refused() {
    let t = tokens();
    let claims = Claims {
        sub: Uuid::new_v4(),
        acct: Uuid::new_v4(),
        iat: now(),
        exp: now() + 600,
        nbf: None,
        iss: "switchboard".into(),
        aud: "switchboard-api".into(),
        sid: None,
    };
    let token = encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(&[7u8; 32])).unwrap();
    assert_eq!(t.verify(&token).unwrap_err().0, "the token names no session: sign in again");
}

#[test]
fn tokens_signed_with_another_secret_issuer_or_audience_are_refused() {
    let (token, _) = tokens().mint(Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()).unwrap();
    let other_key = Tokens::new(&[8u8; 32], "switchboard".into(), "switchboard-api".into(), 60).unwrap();
    assert!(other_key.verify(&token).is_err());
    let other_iss = Tokens::new(&[7u8; 32], "elsewhere".into(), "switchboard-api".into(), 60).unwrap();
    assert_eq!(other_iss.verify(&token).unwrap_err().0, "the token's issuer is not accepted");
    let other_aud = Tokens::new(&[7u8; 32], "switchboard".into(), "other".into(), 60).unwrap();
    assert_eq!(other_aud.verify(&token).unwrap_err().0, "the token's audience is not accepted");
}

#[test]
fn expired_unsigned_and_oversized_tokens_are_refused() {
    let t = Tokens { ttl_seconds: -3600, ..tokens() };
    let (expired, _) = t.mint(Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()).unwrap();
    assert_eq!(tokens().verify(&expired).unwrap_err().0, "the token has expired");
    // alg: none
    let none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4In0.";
    assert!(tokens().verify(none).is_err());
    assert!(tokens().verify(&"a".repeat(MAX_TOKEN_BYTES + 1)).is_err());
    assert!(tokens().verify("garbage").is_err());
}

#[test]
fn authenticate_remembers_only_verified_tokens_and_rechecks_their_times() {
    let t = tokens();
    let (user, account) = (Uuid::new_v4(), Uuid::new_v4());
    let sid = Uuid::new_v4();
    let session = Some(sid);
    let (token, _) = t.mint(user, account, sid).unwrap();
    assert_eq!(t.authenticate(&token).unwrap().subject, TokenSubject { user, account, session });
    assert!(t.verified.get(&token).is_some(), "a verified token is remembered");
    assert_eq!(t.authenticate(&token).unwrap().subject, TokenSubject { user, account, session });

    // Refused tokens are never remembered: another key, a changed byte, an expired token.
    let other = Tokens::new(&[8u8; 32], "switchboard".into(), "switchboard-api".into(), 60).unwrap();
    assert!(other.authenticate(&token).is_err());
    assert!(other.verified.get(&token).is_none());
    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert!(t.authenticate(&tampered).is_err());
    assert!(t.verified.get(&tampered).is_none());
    let (expired, _) = Tokens { ttl_seconds: -3600, ..tokens() }.mint(user, account, Uuid::new_v4()).unwrap();
    assert_eq!(t.authenticate(&expired).unwrap_err().0, "the token has expired");
    assert!(t.verified.get(&expired).is_none());

    // A remembered token whose time ran out is verified again (and refused), then forgotten.
    let stale = Verified { subject: TokenSubject { user, account, session }, exp: now() - 31, nbf: None };
    t.verified.remember("stale-token", stale, now() - 3600);
    assert!(!stale.current(now()));
    assert_eq!(t.authenticate("stale-token").unwrap_err().0, "the token is malformed");
    assert!(t.verified.get("stale-token").is_none());
    let early = Verified { subject: TokenSubject { user, account, session }, exp: now() + 600, nbf: Some(now() + 31) };
    assert!(!early.current(now()));
    assert!(Verified { nbf: Some(now() + 29), ..early }.current(now()));
    assert!(Verified { exp: now() - 29, nbf: None, ..early }.current(now()), "within the leeway");
}

#[test]
fn the_remembered_tokens_stay_bounded() {
    let t = tokens();
    let entry = Verified {
        subject: TokenSubject { user: Uuid::nil(), account: Uuid::nil(), session: None },
        exp: now() + 60,
        nbf: None,
    };
    for i in 0..REMEMBERED_TOKENS * 2 + 3 {
        t.verified.remember(&format!("token-{i}"), entry, now());
        assert!(t.verified.entries.read().unwrap().len() <= REMEMBERED_TOKENS);
    }
    t.verified.remember(&"x".repeat(MAX_REMEMBERED_TOKEN_BYTES + 1), entry, now());
    assert!(t.verified.get(&"x".repeat(MAX_REMEMBERED_TOKEN_BYTES + 1)).is_none());
}

#[test]
fn short_secrets_are_refused() {
    assert!(Tokens::new(b"short", "i".into(), "a".into(), 60).is_err());
}

/// Tokens of the fixture provider (Ed25519), whose groups claim is `groups`.
fn with_provider() -> Tokens {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let public = std::fs::read(fixtures.join("idp-ed25519.pub.pem")).unwrap();
    tokens().with_external(ExternalKey {
        algorithm: Algorithm::EdDSA,
        keys: super::super::external::ExternalKeys::Pem(DecodingKey::from_ed_pem(&public).unwrap()),
        issuer: "https://idp.example".into(),
        audience: "switchboard".into(),
        groups_claim: Some("groups".into()),
    })
}

fn provider_token(groups: Option<serde_json::Value>) -> String {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let private = std::fs::read(fixtures.join("idp-ed25519.key.pem")).unwrap();
    let mut claims = serde_json::json!({"sub": Uuid::new_v4(), "acct": Uuid::new_v4(), "iat": now(),
        "exp": now() + 600, "iss": "https://idp.example", "aud": "switchboard"});
    if let Some(groups) = groups {
        claims["groups"] = groups;
    }
    encode(&Header::new(Algorithm::EdDSA), &claims, &EncodingKey::from_ed_pem(&private).unwrap()).unwrap()
}

#[test]
fn a_providers_groups_claim_is_read_and_its_token_remembered_only_once_the_groups_are_applied() {
    let t = with_provider();
    let token = provider_token(Some(serde_json::json!(["Support leads", "b7e4c0de"])));
    let first = t.authenticate(&token).unwrap();
    assert_eq!(first.groups.as_deref(), Some(&["Support leads".to_owned(), "b7e4c0de".to_owned()][..]));
    assert!(t.authenticate(&token).unwrap().groups.is_some(), "not applied yet: read again");
    t.remember(&token, &first);
    assert_eq!(t.authenticate(&token).unwrap().groups, None, "applied: remembered");

    let silent = provider_token(None);
    assert_eq!(t.authenticate(&silent).unwrap().groups, None, "no claim says nothing of groups");
    let empty = provider_token(Some(serde_json::json!([])));
    assert_eq!(t.authenticate(&empty).unwrap().groups, Some(Vec::new()), "an empty claim: in no group");
    for malformed in [serde_json::json!("Support leads"), serde_json::json!([1]), serde_json::json!({"a": 1})] {
        let refused = t.authenticate(&provider_token(Some(malformed))).unwrap_err();
        assert_eq!(refused.0, "the token's `groups` claim is not a list of group names");
    }
}
