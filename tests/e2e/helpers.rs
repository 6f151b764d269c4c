//! `spawn_app()` and calls that read like the seeds: accounts, users, sessions.

pub const OPERATOR_KEY: &str = "test-operator-key-0123456789";

pub struct TestApp {
    pub base: String,
    pub agent: ureq::Agent,
    _server: crate::server::Server,
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    /// Asserts an RFC 9457 problem with the given status and code.
    pub fn assert_problem(&self, status: u16, code: &str) -> serde_json::Value {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "{}", self.body);
        let body = self.json();
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["status"], status);
        assert_eq!(body["type"], format!("urn:switchboard:problem:{code}"));
        body
    }
}

/// The real `switchboard` binary on a free port, with an empty data directory, the real preset
/// plugins and an operator key.
pub fn spawn_app() -> TestApp {
    spawn_app_with(&[])
}

/// [`spawn_app`] with more arguments for `serve`, e.g. `--database-url`.
pub fn spawn_app_with(extra: &[&str]) -> TestApp {
    let args: Vec<&str> = ["--strict-plugins"].iter().chain(extra).copied().collect();
    let server = crate::server::serve(&args, &[("SWITCHBOARD_OPERATOR_KEY", OPERATOR_KEY)]);
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    TestApp { base: server.base.clone(), agent, _server: server }
}

impl TestApp {
    pub fn request(&self, method: &str, path: &str, body: Option<&str>, headers: &[(&str, &str)]) -> Reply {
        let uri = format!("{}{}", self.base, path);
        let mut builder = ureq::http::Request::builder().method(method).uri(uri);
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

    /// The server's data directory (its SQLite database is `switchboard.db` there).
    pub fn data_dir(&self) -> &std::path::Path {
        self._server.data_dir()
    }
}

/// A signed-in user of a test account.
#[derive(Clone)]
pub struct Session {
    pub token: String,
    pub user_id: String,
}

impl TestApp {
    /// Creates an account on `preset` through the operator API; returns its superadmin's session.
    pub fn account(&self, slug: &str, preset: &str) -> Session {
        let body = serde_json::json!({
            "slug": slug, "name": slug, "preset": preset,
            "owner": {"email": format!("owner@{slug}.example"), "name": "Owner", "password": "owner-password"}
        });
        let auth = format!("Bearer {OPERATOR_KEY}");
        let reply = self.request("POST", "/v1/accounts", Some(&body.to_string()), &[("authorization", &auth)]);
        assert_eq!(reply.status, 201, "{}", reply.body);
        let user_id = reply.json()["superadmin"]["id"].as_str().unwrap().to_owned();
        Session { token: self.login(slug, &format!("owner@{slug}.example"), "owner-password"), user_id }
    }

    pub fn login(&self, account: &str, email: &str, password: &str) -> String {
        let body = serde_json::json!({"account": account, "email": email, "password": password});
        let reply = self.request("POST", "/v1/auth/token", Some(&body.to_string()), &[]);
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

    /// An authenticated call with a JSON body.
    pub fn call(&self, who: &Session, method: &str, path: &str, body: Option<serde_json::Value>) -> Reply {
        let auth = format!("Bearer {}", who.token);
        let body = body.map(|b| b.to_string());
        self.request(method, path, body.as_deref(), &[("authorization", &auth)])
    }

    /// The id of a role by key.
    pub fn role_id(&self, who: &Session, key: &str) -> String {
        let roles = self.call(who, "GET", "/v1/roles?limit=500", None).json();
        roles["items"].as_array().unwrap().iter().find(|r| r["key"] == key).unwrap()["id"].as_str().unwrap().to_owned()
    }
}
