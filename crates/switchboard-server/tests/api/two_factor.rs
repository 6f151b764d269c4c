//! Issue 22: two-factor sign-in (TOTP, RFC 6238) with recovery codes, and an account that requires it
//! of the people who manage people or roles.

use serde_json::{Value, json};
use switchboard_server::auth::totp;
use switchboard_testkit::app::TestApp;
use switchboard_testkit::http::{Reply, Session};

/// The secret's base32, back to bytes (what an authenticator app does with it).
fn unbase32(text: &str) -> Vec<u8> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut count, mut out) = (0u64, 0u32, Vec::new());
    for c in text.chars() {
        bits = (bits << 5) | ALPHABET.find(c).unwrap() as u64;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

/// The authenticator's code, `ahead` steps from now.
fn code(secret: &[u8], ahead: u64) -> String {
    let now = totp::step_at(chrono::Utc::now().timestamp() as u64);
    format!("{:06}", totp::code_at(secret, now + ahead))
}

fn sign_in(app: &TestApp, email: &str, password: &str, code: Option<&str>) -> Reply {
    let mut body = json!({"account": "acme", "email": email, "password": password});
    if let Some(code) = code {
        body["code"] = json!(code);
    }
    app.send(None, "POST", "/v1/auth/token", Some(body))
}

/// Enrols `who` and confirms with the current code; gives the secret and the recovery codes.
fn enrol(app: &TestApp, who: &Session) -> (Vec<u8>, Vec<String>) {
    let enrolment = app.call(who, "POST", "/v1/me/two-factor", None);
    assert_eq!(enrolment.status, 201, "{}", enrolment.body);
    let e = enrolment.json();
    assert!(e["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/Switchboard:"), "{e}");
    let secret = unbase32(e["secret"].as_str().unwrap());
    let codes: Vec<String> =
        e["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().into()).collect();
    assert_eq!(codes.len(), totp::RECOVERY_CODES);
    let confirmed = app.call(who, "POST", "/v1/me/two-factor/confirm", Some(json!({"code": code(&secret, 0)})));
    assert_eq!(confirmed.status, 204, "{}", confirmed.body);
    (secret, codes)
}

fn token(reply: &Reply) -> Value {
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["access_token"].clone()
}

#[test]
fn with_two_factor_on_sign_in_takes_a_code_once_or_a_recovery_code_once() {
    let app = TestApp::new().account("acme", "mightycall").user("ada@acme.example", &["agent"]).start();
    let ada = app.session("ada@acme.example");
    let pending = app.call(&ada, "POST", "/v1/me/two-factor", None);
    assert_eq!(pending.status, 201);
    token(&sign_in(&app, "ada@acme.example", "user-password", None));
    let wrong = app.call(&ada, "POST", "/v1/me/two-factor/confirm", Some(json!({"code": "000000"})));
    assert_eq!(wrong.assert_problem(422, "invalid")["field"], "code");
    let (secret, recovery) = enrol(&app, &ada);

    sign_in(&app, "ada@acme.example", "user-password", None).assert_problem(401, "two_factor_required");
    sign_in(&app, "ada@acme.example", "wrong-password", None).assert_problem(401, "unauthenticated");
    sign_in(&app, "ada@acme.example", "user-password", Some("123456")).assert_problem(401, "unauthenticated");
    let next = code(&secret, 1);
    token(&sign_in(&app, "ada@acme.example", "user-password", Some(&next)));
    sign_in(&app, "ada@acme.example", "user-password", Some(&next)).assert_problem(401, "unauthenticated");
    token(&sign_in(&app, "ada@acme.example", "user-password", Some(&recovery[0].to_uppercase())));
    sign_in(&app, "ada@acme.example", "user-password", Some(&recovery[0])).assert_problem(401, "unauthenticated");
}

#[test]
fn only_a_signed_in_person_enrols_and_turning_it_off_takes_the_password() {
    let app = TestApp::new().account("acme", "mightycall").user("ada@acme.example", &["agent"]).start();
    let [owner, ada] = app.sessions(["owner@acme.example", "ada@acme.example"]);
    let key =
        app.call(&owner, "POST", "/v1/api-keys", Some(json!({"name": "k"}))).json()["key"].as_str().unwrap().to_owned();
    let with_key = app.request("POST", "/v1/me/two-factor", None, &[("x-api-key", &key)]);
    assert_eq!(with_key.assert_problem(403, "forbidden")["reason"]["code"], "interactive_only");
    let (secret, _) = enrol(&app, &ada);
    let again = app.call(&ada, "POST", "/v1/me/two-factor", None);
    again.assert_problem(409, "conflict");
    let off = app.call(&ada, "POST", "/v1/me/two-factor/off", Some(json!({"current_password": "guess-guess"})));
    off.assert_problem(422, "invalid");
    let off = app.call(&ada, "POST", "/v1/me/two-factor/off", Some(json!({"current_password": "user-password"})));
    assert_eq!(off.status, 204, "{}", off.body);
    token(&sign_in(&app, "ada@acme.example", "user-password", None));
    let _ = secret;
}

#[test]
fn an_admin_resets_a_lost_phone_and_the_persons_sessions_end() {
    let app = TestApp::new().account("acme", "mightycall").user("ada@acme.example", &["agent"]).start();
    let [owner, ada] = app.sessions(["owner@acme.example", "ada@acme.example"]);
    enrol(&app, &ada);
    assert_eq!(app.call(&owner, "DELETE", &format!("/v1/users/{}/two-factor", ada.user_id), None).status, 204);
    app.call(&ada, "GET", "/v1/me", None).assert_problem(401, "unauthenticated");
    token(&sign_in(&app, "ada@acme.example", "user-password", None));
    let agent = Session { token: app.login("acme", "ada@acme.example", "user-password"), user_id: ada.user_id.clone() };
    let reset_owner = app.call(&agent, "DELETE", &format!("/v1/users/{}/two-factor", owner.user_id), None);
    reset_owner.assert_problem(403, "forbidden");
}

#[test]
fn an_account_that_requires_two_factor_lets_a_manager_do_nothing_but_enrol_first() {
    let app = TestApp::new()
        .account("acme", "mightycall")
        .user("manager@acme.example", &["manager"])
        .user("agent@acme.example", &["agent"])
        .start();
    let [owner, manager, agent] = app.sessions(["owner@acme.example", "manager@acme.example", "agent@acme.example"]);
    let by_manager = app.call(&manager, "PUT", "/v1/account/two-factor", Some(json!({"required": true})));
    assert_eq!(by_manager.assert_problem(403, "forbidden")["reason"]["code"], "superadmin_only");
    // The superadmin enrols first: they are required too.
    enrol(&app, &owner);
    let required = app.call(&owner, "PUT", "/v1/account/two-factor", Some(json!({"required": true})));
    assert_eq!(required.json()["required"], true, "{}", required.body);

    app.call(&manager, "GET", "/v1/users", None).assert_problem(403, "two_factor_enrollment_required");
    assert_eq!(app.call(&manager, "GET", "/v1/me", None).status, 200, "they can see themself");
    assert_eq!(app.call(&agent, "GET", "/v1/communications", None).status, 200, "an agent manages nobody");
    enrol(&app, &manager);
    assert_eq!(app.call(&manager, "GET", "/v1/users", None).status, 200, "enrolled, they work again");
}
