//! [`TestApp`]: the real server, with the real preset plugins, in this process on a free port and
//! its own data directory; the test talks HTTP to it. Nothing is mocked: only the process is shared.

use crate::http::{Client, OPERATOR_KEY, Session};
use std::collections::BTreeMap;
use std::sync::mpsc;
use switchboard_plugin_testkit::PluginDir;
use switchboard_server::config::{CommonArgs, ServeArgs, Settings};
use switchboard_server::startup::Application;

/// A running server and the sessions its builder made.
#[derive(Debug)]
pub struct TestApp {
    client: Client,
    data: tempfile::TempDir,
    _plugins: PluginDir,
    settings: Settings,
    server: actix_web::dev::ServerHandle,
    sessions: BTreeMap<String, Session>,
}

/// What a [`TestApp`] starts with: a backend, accounts on presets, users with roles.
#[derive(Debug, Default)]
pub struct Builder {
    database_url: Option<String>,
    accounts: Vec<NewAccount>,
    events: Option<switchboard_server::config::EventsConfig>,
    external_jwt: Option<switchboard_server::config::ExternalJwtConfig>,
    plugins: Vec<String>,
}

/// An account the builder makes: slug, preset, and its users with their roles.
#[derive(Debug)]
struct NewAccount {
    slug: String,
    preset: String,
    users: Vec<(String, Vec<String>)>,
}

impl Builder {
    /// Stores in this PostgreSQL database instead of the embedded SQLite one.
    pub fn database_url(mut self, url: &str) -> Builder {
        self.database_url = Some(url.to_owned());
        self
    }

    /// How events leave the server (`[events]` of the configuration file), e.g. quick retries.
    pub fn events(mut self, events: switchboard_server::config::EventsConfig) -> Builder {
        self.events = Some(events);
        self
    }

    /// An external identity provider whose tokens are accepted (`[external_jwt]`).
    pub fn external_jwt(mut self, provider: switchboard_server::config::ExternalJwtConfig) -> Builder {
        self.external_jwt = Some(provider);
        self
    }

    /// Another plugin library beside the three presets: a fixture target such as `evolving_v1`.
    pub fn plugin(mut self, target: &str) -> Builder {
        self.plugins.push(target.to_owned());
        self
    }

    /// An account on `preset`; its superadmin's session is `app.session("owner@<slug>.example")`.
    pub fn account(mut self, slug: &str, preset: &str) -> Builder {
        self.accounts.push(NewAccount { slug: slug.to_owned(), preset: preset.to_owned(), users: Vec::new() });
        self
    }

    /// An active user of the last account, invited by its superadmin with these roles; their
    /// session is `app.session(email)`.
    pub fn user(mut self, email: &str, roles: &[&str]) -> Builder {
        let account = self.accounts.last_mut().expect("`account` comes before its users");
        account.users.push((email.to_owned(), roles.iter().map(|r| (*r).to_owned()).collect()));
        self
    }

    /// Starts the server, then creates the accounts and users.
    pub fn start(self) -> TestApp {
        let mut app = start(self.database_url.as_deref(), self.events, self.external_jwt, &self.plugins);
        for NewAccount { slug, preset, users } in self.accounts {
            let owner = app.client.account(&slug, &preset);
            for (email, roles) in users {
                let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
                let session = app.client.user(&owner, &slug, &email, &roles);
                app.sessions.insert(email, session);
            }
            app.sessions.insert(format!("owner@{slug}.example"), owner);
        }
        app
    }
}

impl TestApp {
    /// A builder: `TestApp::new().account("acme", "aircall").user("agent@acme.example", &["agent"]).start()`.
    #[allow(clippy::new_ret_no_self)] // the builder is how a TestApp is made
    pub fn new() -> Builder {
        Builder::default()
    }

    /// An empty server on SQLite.
    pub fn spawn() -> TestApp {
        start(None, None, None, &[])
    }

    /// Stops the server and starts it again on the same data, with these plugin libraries beside the
    /// three presets instead of the builder's (a new version of a pack, a pack gone). Sessions stay
    /// valid; the server listens on a new port.
    pub fn restart_with_plugins(&mut self, targets: &[&str]) {
        actix_web::rt::System::new().block_on(self.server.stop(true));
        let plugins = preset_dir_with(targets);
        let mut settings = self.settings.clone();
        settings.plugins_dir = plugins.path().to_path_buf();
        settings.plugin_describer = plugins.describer().clone();
        let (port, server) = run(settings.clone());
        self.client = Client::new(format!("http://127.0.0.1:{port}"));
        self._plugins = plugins;
        self.settings = settings;
        self.server = server;
    }

    /// The session of a user the builder made (an account's owner is `owner@<slug>.example`).
    pub fn session(&self, email: &str) -> Session {
        self.sessions.get(email).cloned().unwrap_or_else(|| panic!("no session for {email}"))
    }

    /// The signed-in sessions of several people at once: `let [owner, agent] = app.sessions([..])`.
    pub fn sessions<const N: usize>(&self, emails: [&str; N]) -> [Session; N] {
        emails.map(|email| self.session(email))
    }

    /// The server's data directory (its SQLite database is `switchboard.db` there).
    pub fn data_dir(&self) -> &std::path::Path {
        self.data.path()
    }
}

impl std::ops::Deref for TestApp {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command at once; the server's thread ends when it has stopped.
        drop(self.server.stop(false));
    }
}

/// The three presets and these other libraries.
fn preset_dir_with(targets: &[impl AsRef<str>]) -> PluginDir {
    let plugins = PluginDir::presets().expect("the preset plugins build");
    for target in targets {
        plugins.add(target.as_ref()).expect("the plugin builds");
    }
    plugins
}

/// Runs the server on its own thread; its port and handle.
fn run(settings: Settings) -> (u16, actix_web::dev::ServerHandle) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = Application::build(&settings).expect("the server starts");
            tx.send((app.port(), app.handle())).unwrap();
            app.run_until_stopped().await
        })
    });
    rx.recv().expect("the server starts")
}

fn start(
    database_url: Option<&str>,
    events: Option<switchboard_server::config::EventsConfig>,
    external_jwt: Option<switchboard_server::config::ExternalJwtConfig>,
    plugins: &[String],
) -> TestApp {
    let data = tempfile::tempdir().unwrap();
    let common = CommonArgs {
        data_dir: Some(data.path().to_path_buf()),
        database_url: database_url.map(str::to_owned),
        ..CommonArgs::default()
    };
    let serve = ServeArgs { bind: Some("127.0.0.1:0".parse().unwrap()), ..ServeArgs::default() };
    let mut settings = Settings::resolve(&common, &serve).unwrap();
    let plugins = preset_dir_with(plugins);
    settings.plugins_dir = plugins.path().to_path_buf();
    // This process is a test binary, not `switchboard`: its plugins are described by the host's own
    // describing binary.
    settings.plugin_describer = plugins.describer().clone();
    settings.strict_plugins = true;
    settings.operator_key = Some(OPERATOR_KEY.to_owned());
    settings.external_jwt = external_jwt;
    // The tests' receivers are on this machine.
    let events = events.unwrap_or_default();
    let events = switchboard_server::config::EventsConfig {
        allow_private_receivers: events.allow_private_receivers.or(Some(true)),
        ..events
    };
    settings.events = switchboard_server::config::EventSettings::resolve(events).unwrap();
    let (port, server) = run(settings.clone());
    TestApp {
        client: Client::new(format!("http://127.0.0.1:{port}")),
        data,
        _plugins: plugins,
        settings,
        server,
        sessions: BTreeMap::new(),
    }
}
