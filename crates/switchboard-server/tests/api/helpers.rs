//! `spawn_app()`: a real server on 127.0.0.1:0 with a fresh SQLite database.

use std::sync::mpsc;
use switchboard_plugin_testkit::PluginDir;
use switchboard_server::config::{CommonArgs, ServeArgs, Settings};
use switchboard_server::startup::Application;

pub struct TestApp {
    pub base: String,
    pub agent: ureq::Agent,
    _data: tempfile::TempDir,
    _plugins: PluginDir,
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

pub fn spawn_app() -> TestApp {
    let data = tempfile::tempdir().unwrap();
    let common = CommonArgs { data_dir: Some(data.path().to_path_buf()), ..CommonArgs::default() };
    let serve = ServeArgs { bind: Some("127.0.0.1:0".parse().unwrap()), demo: false };
    let mut settings = Settings::resolve(&common, &serve).unwrap();
    let plugins = PluginDir::presets().expect("the preset plugins build");
    settings.plugins_dir = plugins.path().to_path_buf();
    settings.strict_plugins = true;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = Application::build(&settings).expect("the server starts");
            tx.send(app.port()).unwrap();
            app.run_until_stopped().await
        })
    });
    let port = rx.recv().unwrap();
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    TestApp { base: format!("http://127.0.0.1:{port}"), agent, _data: data, _plugins: plugins }
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
}
