//! Requests and replies, and the calls the seeds describe (create an account, invite a user, sign
//! in), against any running server: in this process ([`crate::app::TestApp`]) or a real binary.

use serde_json::Value;

/// The operator key test servers are started with.
pub const OPERATOR_KEY: &str = "test-operator-key-0123456789";

/// A reply as the client saw it.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Asserts an RFC 9457 problem with the given status and code; returns it.
    pub fn assert_problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "{}", self.body);
        let body = self.json();
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["status"], status);
        assert_eq!(body["type"], format!("urn:switchboard:problem:{code}"));
        body
    }
}

/// A signed-in user of a test account.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub user_id: String,
}

/// A client of one server.
#[derive(Debug)]
pub struct Client {
    pub base: String,
    agent: ureq::Agent,
}

impl Client {
    /// A client of the server at `base` (`http://127.0.0.1:port`); it never treats a status as an error.
    pub fn new(base: impl Into<String>) -> Client {
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
        Client { base: base.into(), agent }
    }

    pub fn request(&self, method: &str, path: &str, body: Option<&str>, headers: &[(&str, &str)]) -> Reply {
        let mut builder = ureq::http::Request::builder().method(method).uri(format!("{}{path}", self.base));
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let response = match body {
            Some(b) => self.agent.run(builder.header("content-type", "application/json").body(b.to_owned()).unwrap()),
            None => self.agent.run(builder.body(()).unwrap()),
        }
        .unwrap();
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
            .collect();
        let body = response.into_body().read_to_string().unwrap_or_default();
        Reply { status, headers, body }
    }

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, None, &[])
    }

    /// A call with a bearer token (a session's, an API key or the operator key) and a JSON body.
    pub fn send(&self, token: Option<&str>, method: &str, path: &str, body: Option<Value>) -> Reply {
        let auth = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", a.as_str())).collect();
        self.request(method, path, body.map(|b| b.to_string()).as_deref(), &headers)
    }

    /// A call as `who`.
    pub fn call(&self, who: &Session, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.send(Some(&who.token), method, path, body)
    }

    /// Creates an account on `preset` through the operator API; returns its superadmin's session.
    pub fn account(&self, slug: &str, preset: &str) -> Session {
        let email = format!("owner@{slug}.example");
        let body = serde_json::json!({
            "slug": slug, "name": slug, "preset": preset,
            "owner": {"email": email, "name": "Owner", "password": "owner-password"}
        });
        let reply = self.send(Some(OPERATOR_KEY), "POST", "/v1/accounts", Some(body));
        assert_eq!(reply.status, 201, "{}", reply.body);
        let user_id = reply.json()["superadmin"]["id"].as_str().unwrap().to_owned();
        Session { token: self.login(slug, &email, "owner-password"), user_id }
    }

    /// Signs in; returns the access token.
    pub fn login(&self, account: &str, email: &str, password: &str) -> String {
        let body = serde_json::json!({"account": account, "email": email, "password": password});
        let reply = self.send(None, "POST", "/v1/auth/token", Some(body));
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()["access_token"].as_str().unwrap().to_owned()
    }

    /// Invites an active user with the given roles; returns their session.
    pub fn user(&self, by: &Session, account: &str, email: &str, roles: &[&str]) -> Session {
        let body = serde_json::json!({"email": email, "name": email, "roles": roles, "password": "user-password"});
        let reply = self.call(by, "POST", "/v1/users", Some(body));
        assert_eq!(reply.status, 201, "{}", reply.body);
        let user_id = reply.json()["id"].as_str().unwrap().to_owned();
        Session { token: self.login(account, email, "user-password"), user_id }
    }

    /// The id of a role by key.
    pub fn role_id(&self, who: &Session, key: &str) -> String {
        let roles = self.call(who, "GET", "/v1/roles?limit=500", None).json();
        roles["items"].as_array().unwrap().iter().find(|r| r["key"] == key).unwrap()["id"].as_str().unwrap().to_owned()
    }
}

/// One call to a full URL, for servers whose address is all the test has (a spawned binary).
pub fn http(method: &str, url: &str, body: Option<Value>, token: Option<&str>) -> Reply {
    Client::new("").send(token, method, url, body)
}
