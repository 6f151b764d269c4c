//! Building and running the binary.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use switchboard_plugin_testkit::PluginDir;

/// The `switchboard` executable, built once per test run with the cargo running the tests.
pub fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let output = Command::new(env!("CARGO"))
            .args(["build", "-p", "switchboard-server", "--bin", "switchboard", "--message-format=json"])
            .current_dir(switchboard_plugin_testkit::workspace_root())
            .stderr(Stdio::inherit())
            .output()
            .expect("cargo runs");
        assert!(output.status.success(), "building switchboard failed");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "switchboard")
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo reports the executable")
    })
}

pub struct Server {
    pub base: String,
    // Kept alive for the server's lifetime: they are its data and plugins directories.
    _data: tempfile::TempDir,
    _plugins: PluginDir,
    child: Child,
    pub stdout: String,
    /// Everything the server wrote to stderr (its log), so far.
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a subcommand to completion.
pub fn run(args: &[&str], data: &Path, plugins: &Path, stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = Command::new(binary())
        .args(args)
        .env("SWITCHBOARD_DATA_DIR", data)
        .env("SWITCHBOARD_PLUGINS_DIR", plugins)
        .env_remove("SWITCHBOARD_DATABASE_URL")
        .env_remove("SWITCHBOARD_OPERATOR_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

/// Starts `switchboard serve` on a free port and waits until it listens.
pub fn serve(extra: &[&str], env: &[(&str, &str)]) -> Server {
    let data = tempfile::tempdir().unwrap();
    let plugins = PluginDir::presets().expect("the preset plugins build");
    serve_in(data, plugins, extra, env)
}

pub fn serve_in(data: tempfile::TempDir, plugins: PluginDir, extra: &[&str], env: &[(&str, &str)]) -> Server {
    let mut command = Command::new(binary());
    command
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .env("SWITCHBOARD_DATA_DIR", data.path())
        .env("SWITCHBOARD_PLUGINS_DIR", plugins.path())
        .env("RUST_LOG", "info")
        .env_remove("SWITCHBOARD_DATABASE_URL")
        .env_remove("SWITCHBOARD_OPERATOR_KEY")
        .env_remove("SWITCHBOARD_JWT_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("the binary starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(mut lines) = sink.lock() {
                lines.push(line.clone());
            }
            if let Some(addr) = line.split("listening on ").nth(1) {
                let _ = tx.send(Ok(addr.trim().to_owned()));
            }
            if line.starts_with("error:") {
                let _ = tx.send(Err(line));
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let addr = loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(Ok(addr)) => break addr,
            Ok(Err(line)) => panic!("the server failed to start: {line}"),
            Err(_) if Instant::now() > deadline => panic!("the server did not start in time"),
            Err(_) => {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("the server exited with {status}");
                }
            }
        }
    };
    // With --demo, the instructions are printed before listening: read what is there.
    let mut stdout = String::new();
    if extra.contains(&"--demo") {
        let mut out = child.stdout.take().unwrap();
        let mut buf = [0u8; 65536];
        let n = out.read(&mut buf).unwrap_or(0);
        stdout = String::from_utf8_lossy(&buf[..n]).into_owned();
    }
    Server { base: format!("http://{addr}"), _data: data, _plugins: plugins, child, stdout, log }
}

impl Server {
    pub fn data_dir(&self) -> &Path {
        self._data.path()
    }

    /// The log so far, as one string.
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log_text(&self) -> String {
        self.log.lock().map(|l| l.join("\n")).unwrap_or_default()
    }

    /// Kills the process outright (SIGKILL), as a power cut would; the data directory stays.
    pub fn kill_hard(mut self) -> (tempfile::TempDir, PluginDir) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let data = std::mem::replace(&mut self._data, tempfile::tempdir().unwrap());
        let plugins = std::mem::replace(&mut self._plugins, PluginDir::new().unwrap());
        (data, plugins)
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
