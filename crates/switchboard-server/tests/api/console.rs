//! The admin console's server side: its page and its rules for the browser (CSP, cookies, CSRF,
//! sign-in and sign-out). What it shows is tested in a real browser (`tests/console`).

use serde_json::json;
use switchboard_testkit::app::TestApp;
use switchboard_testkit::http::Reply;

fn acme() -> TestApp {
    TestApp::new().account("acme", "mightycall").user("agent@acme.example", &["agent"]).start()
}

const OWNER: &str = r#"{"account":"acme","email":"owner@acme.example","password":"owner-password"}"#;

/// The console's cookies, as `name → attributes`, from a reply's `Set-Cookie` headers.
fn cookies(reply: &Reply) -> Vec<(String, String, String)> {
    reply
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| {
            let (pair, attributes) = v.split_once(';').unwrap_or((v, ""));
            let (name, value) = pair.split_once('=').unwrap();
            (name.to_owned(), value.to_owned(), attributes.to_owned())
        })
        .collect()
}

/// Signs in through the console: the session cookie's value and the CSRF token.
fn console_sign_in(app: &TestApp, body: &str) -> (String, String) {
    let reply = app.request("POST", "/console/session", Some(body), &[]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let jar = cookies(&reply);
    let session = jar.iter().find(|(n, ..)| n == "sb_session").unwrap().1.clone();
    (session, reply.json()["csrf_token"].as_str().unwrap().to_owned())
}

#[test]
fn the_console_is_served_at_its_path_with_a_strict_content_security_policy() {
    let app = acme();
    // `/` leads to the console (the client follows the redirect).
    let page = app.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(page.body.contains(r#"<script type="module" src="/console/app.js"></script>"#), "{}", page.body);
    assert!(!page.body.contains("<script>") && !page.body.contains("style="), "no inline script or style");
    let csp = page.header("content-security-policy").unwrap();
    for directive in ["default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'"] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    for (path, kind) in [("/console/app.js", "text/javascript"), ("/console/app.css", "text/css")] {
        let asset = app.get(path);
        assert_eq!(asset.status, 200, "{path}");
        assert!(asset.header("content-type").unwrap().starts_with(kind), "{path}");
        assert!(asset.header("content-security-policy").is_some(), "{path}");
    }
    // Every value reaches the page as text: the script never writes HTML.
    let script = app.get("/console/app.js").body;
    for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("] {
        assert!(!script.contains(sink), "the console's script uses {sink}");
    }
}

#[test]
fn console_sign_in_keeps_the_session_in_an_httponly_strict_cookie_beside_a_readable_csrf_token() {
    let app = acme();
    let reply = app.request("POST", "/console/session", Some(OWNER), &[]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let jar = cookies(&reply);
    let (_, session, flags) = jar.iter().find(|(n, ..)| n == "sb_session").unwrap();
    assert!(flags.contains("HttpOnly") && flags.contains("SameSite=Strict") && flags.contains("Path=/"), "{flags}");
    assert!(!session.is_empty());
    let (_, csrf, flags) = jar.iter().find(|(n, ..)| n == "sb_csrf").unwrap();
    assert!(!flags.contains("HttpOnly") && flags.contains("SameSite=Strict"), "{flags}");
    assert_eq!(reply.json()["csrf_token"], csrf.as_str());
    // Over plain HTTP there is no `Secure`; behind a TLS proxy there is.
    assert!(!flags.contains("Secure"));
    let proxied = app.request("POST", "/console/session", Some(OWNER), &[("x-forwarded-proto", "https")]);
    assert!(cookies(&proxied).iter().all(|(_, _, flags)| flags.contains("Secure")), "{:?}", proxied.headers);
    // The token is never in the body: the page's script cannot read it.
    assert!(!reply.body.contains(session.as_str()));
}

#[test]
fn the_console_cookie_alone_is_refused_and_counts_only_beside_its_own_sessions_csrf_token() {
    let app = acme();
    let (session, csrf) = console_sign_in(&app, OWNER);
    let (_, others_csrf) = console_sign_in(&app, OWNER);
    let cookie = format!("sb_session={session}");
    let me = |headers: &[(&str, &str)]| app.request("GET", "/v1/me", None, headers).status;
    assert_eq!(me(&[("cookie", &cookie)]), 401, "a forged cross-site request carries the cookie alone");
    assert_eq!(me(&[("cookie", &cookie), ("x-csrf-token", &others_csrf)]), 401, "another session's token");
    assert_eq!(me(&[("cookie", &cookie), ("x-csrf-token", "00")]), 401);
    assert_eq!(me(&[("cookie", &cookie), ("x-csrf-token", &csrf)]), 200);
    // A forged change is refused and changes nothing.
    let body = json!({"name": "Forged", "members": []}).to_string();
    let forged = app.request("POST", "/v1/workgroups", Some(&body), &[("cookie", &cookie)]);
    forged.assert_problem(401, "unauthenticated");
    let owner = app.session("owner@acme.example");
    assert!(!app.call(&owner, "GET", "/v1/workgroups", None).body.contains("Forged"));
    let made = app.request("POST", "/v1/workgroups", Some(&body), &[("cookie", &cookie), ("x-csrf-token", &csrf)]);
    assert_eq!(made.status, 201, "{}", made.body);
    // The cookie never stands in for the operator's key.
    let account = json!({"slug": "other", "name": "Other", "preset": "mightycall",
        "owner": {"email": "o@other.example", "name": "O", "password": "owner-password"}})
    .to_string();
    let operator = app.request("POST", "/v1/accounts", Some(&account), &[("cookie", &cookie), ("x-csrf-token", &csrf)]);
    assert_eq!(operator.status, 401, "{}", operator.body);
}

#[test]
fn the_console_signs_in_from_its_own_page_only_with_the_apis_checks() {
    let app = acme();
    for header in [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")] {
        let reply = app.request("POST", "/console/session", Some(OWNER), &[header]);
        reply.assert_problem(400, "bad_request");
        assert!(cookies(&reply).is_empty());
    }
    let host = app.base.trim_start_matches("http://").to_owned();
    let same = app.request(
        "POST",
        "/console/session",
        Some(OWNER),
        &[("origin", &format!("http://{host}")), ("sec-fetch-site", "same-origin")],
    );
    assert_eq!(same.status, 200, "{}", same.body);
    let wrong = r#"{"account":"acme","email":"owner@acme.example","password":"not-the-password"}"#;
    let refused = app.request("POST", "/console/session", Some(wrong), &[]);
    refused.assert_problem(401, "unauthenticated");
    assert!(cookies(&refused).is_empty());
}

#[test]
fn signing_out_of_the_console_ends_the_session_on_the_server_and_clears_the_cookies() {
    let app = acme();
    let (session, csrf) =
        console_sign_in(&app, r#"{"account":"acme","email":"agent@acme.example","password":"user-password"}"#);
    let cookie = format!("sb_session={session}; sb_csrf={csrf}");
    let without_token = app.request("POST", "/console/sign-out", None, &[("cookie", &cookie)]);
    without_token.assert_problem(401, "unauthenticated");
    let out = app.request("POST", "/console/sign-out", None, &[("cookie", &cookie), ("x-csrf-token", &csrf)]);
    assert_eq!(out.status, 204, "{}", out.body);
    let cleared = cookies(&out);
    assert_eq!(cleared.len(), 2);
    assert!(cleared.iter().all(|(_, value, flags)| value.is_empty() && flags.contains("Max-Age=0")), "{cleared:?}");
    // The session ended on the server: its token works nowhere any more.
    let me = app.request("GET", "/v1/me", None, &[("cookie", &cookie), ("x-csrf-token", &csrf)]);
    me.assert_problem(401, "unauthenticated");
    assert_eq!(app.send(Some(&session), "GET", "/v1/me", None).status, 401);
}
