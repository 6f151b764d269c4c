//! Issue "Hardening", item 5: PostgreSQL restarting under load. While the database is down, every
//! request that needs it fails cleanly and quickly — **503** `application/problem+json`, code
//! `unavailable`, with `Retry-After` — never a 500, a hang or a dropped connection; `/readyz` says
//! not ready; the server keeps running; and once PostgreSQL is back, requests succeed again within a
//! bound, without restarting the server. Every write acknowledged before, during or after is stored.
//!
//! The test runs its own throwaway PostgreSQL cluster (`initdb` + `pg_ctl`, as the `postgres` OS user
//! when run as root, on a free port with a unix socket in its temporary directory), so restarting it
//! never disturbs the shared server the other PostgreSQL tests use.

use crate::server::{Server, serve};
use serde_json::json;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use switchboard_testkit::http::OPERATOR_KEY;
use switchboard_testkit::http::http;

/// How long PostgreSQL stays down.
const OUTAGE: Duration = Duration::from_secs(3);
/// The slowest answer tolerated at any time, outage included (the pool waits at most 10 s for a
/// connection while the database answers; while it is known to be down, requests fail at once).
const ANSWER_BOUND: Duration = Duration::from_secs(3);
/// How soon after PostgreSQL accepts connections again every kind of request must succeed.
const RECOVERY_BOUND: Duration = Duration::from_secs(10);
/// A client gives up after this long: a hang shows up as a transport error, not a stuck test.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(15);

/// A PostgreSQL server program: from `PATH`, else from Debian's versioned directory (newest first).
fn server_binary(name: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file());
    let debian = || {
        let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|version| version.path().join("bin").join(name))
            .filter(|p| p.is_file())
            .collect();
        found.sort_by_key(|p| p.components().nth(4).and_then(|c| c.as_os_str().to_str()?.parse::<u32>().ok()));
        found.pop()
    };
    on_path.or_else(debian).unwrap_or_else(|| PathBuf::from(name))
}

/// A PostgreSQL cluster of our own in a temporary directory; stopped and removed on drop.
struct Cluster {
    dir: tempfile::TempDir,
    port: u16,
    /// initdb refuses to run as root: as root, the cluster belongs to the `postgres` OS user.
    as_postgres: bool,
}

impl Cluster {
    fn create() -> Cluster {
        use std::os::unix::fs::MetadataExt;
        let as_postgres = std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false);
        let dir = tempfile::Builder::new().prefix("switchboard-pg-").tempdir().unwrap();
        if as_postgres {
            let chown = Command::new("chown").arg("postgres:").arg(dir.path()).status().unwrap();
            assert!(chown.success(), "chown of the cluster directory to the postgres user failed");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let cluster = Cluster { dir, port, as_postgres };
        let data = cluster.data().to_str().unwrap().to_owned();
        let output = cluster
            .command("initdb")
            .args(["-D", &data, "--auth=trust", "--username=postgres", "--encoding=UTF8", "--locale=C", "--no-sync"])
            .output()
            .unwrap_or_else(|e| panic!("initdb does not run (PostgreSQL server binaries on PATH?): {e}"));
        assert!(output.status.success(), "initdb failed: {}", String::from_utf8_lossy(&output.stderr));
        cluster.start();
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn command(&self, program: &str) -> Command {
        let program = server_binary(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        command.current_dir(self.dir.path());
        command
    }

    fn pg_ctl(&self, args: &[&str]) -> std::process::Output {
        let data = self.data().to_str().unwrap().to_owned();
        let log = self.dir.path().join("postgres.log").to_str().unwrap().to_owned();
        self.command("pg_ctl").args(["-D", &data, "-l", &log]).args(args).output().unwrap()
    }

    /// Starts the cluster and waits until it accepts connections.
    fn start(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c max_connections=50",
            self.port,
            self.dir.path().display()
        );
        let output = self.pg_ctl(&["-w", "-t", "60", "-o", &options, "start"]);
        assert!(
            output.status.success(),
            "pg_ctl start failed: {}\n{}",
            self.log(),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Stops the cluster as an operator restarting it would: active transactions are aborted.
    fn stop(&self) {
        let output = self.pg_ctl(&["-w", "-m", "fast", "stop"]);
        assert!(output.status.success(), "pg_ctl stop failed: {}", String::from_utf8_lossy(&output.stderr));
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["-w", "-m", "immediate", "stop"]);
    }
}

/// What one kind of request does in the load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// `GET /v1/workgroups`, `/v1/roles`, `/v1/users`, `/v1/communications` in turn.
    Read,
    /// `POST /v1/authorize` (may be answered from the server's cache).
    Decide,
    /// `POST /v1/workgroups`.
    CreateWorkgroup,
    /// `POST /v1/communications` with a client-chosen id.
    Ingest,
    /// `GET /readyz`.
    Ready,
    /// `POST /v1/auth/token` with the right password: an outage must not read as a wrong password.
    SignIn,
}

/// One request of the load, as the client saw it.
#[derive(Debug)]
struct Sample {
    kind: Kind,
    /// When it was sent, from the start of the load.
    at: Duration,
    took: Duration,
    /// The status, content type, problem code and `Retry-After`, or the transport error.
    answer: Result<(u16, String, String, Option<String>), String>,
}

impl Sample {
    fn ok(&self) -> bool {
        matches!(self.answer, Ok((200 | 201, ..)))
    }
    fn end(&self) -> Duration {
        self.at + self.took
    }
}

struct Load<'a> {
    base: &'a str,
    token: &'a str,
    started: Instant,
    stop: AtomicBool,
    samples: Mutex<Vec<Sample>>,
    /// Names of the workgroups, and ids of the communications, whose creation was acknowledged.
    workgroups: Mutex<Vec<String>>,
    communications: Mutex<Vec<String>>,
}

impl Load<'_> {
    fn send(&self, agent: &ureq::Agent, kind: Kind, method: &str, path: &str, body: Option<serde_json::Value>) -> bool {
        let mut request = ureq::http::Request::builder().method(method).uri(format!("{}{path}", self.base));
        if !matches!(kind, Kind::Ready | Kind::SignIn) {
            request = request.header("authorization", format!("Bearer {}", self.token));
        }
        let at = self.started.elapsed();
        let sent = Instant::now();
        let response = match body {
            Some(b) => agent.run(request.header("content-type", "application/json").body(b.to_string()).unwrap()),
            None => agent.run(request.body(()).unwrap()),
        };
        let answer = response.map_err(|e| e.to_string()).map(|r| {
            let header = |name: &str| r.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
            let (status, content_type, retry_after) =
                (r.status().as_u16(), header("content-type").unwrap_or_default(), header("retry-after"));
            let text = r.into_body().read_to_string().unwrap_or_default();
            let code = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|b| b["code"].as_str().map(str::to_owned))
                .unwrap_or_default();
            (status, content_type, code, retry_after)
        });
        let sample = Sample { kind, at, took: sent.elapsed(), answer };
        let ok = sample.ok();
        self.samples.lock().unwrap().push(sample);
        ok
    }

    /// Runs one kind of request in a loop until stopped.
    fn run(&self, kind: Kind, thread: usize) {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(CLIENT_TIMEOUT))
            .build()
            .new_agent();
        let reads = ["/v1/workgroups?limit=20", "/v1/roles", "/v1/users?limit=20", "/v1/communications?limit=20"];
        for i in 0.. {
            if self.stop.load(Ordering::SeqCst) {
                return;
            }
            match kind {
                Kind::Read => {
                    self.send(&agent, kind, "GET", reads[i % reads.len()], None);
                }
                Kind::Decide => {
                    self.send(&agent, kind, "POST", "/v1/authorize", Some(json!({"permission": "team.roles:view"})));
                }
                Kind::CreateWorkgroup => {
                    let name = format!("wg-{thread}-{i}");
                    if self.send(&agent, kind, "POST", "/v1/workgroups", Some(json!({"name": name}))) {
                        self.workgroups.lock().unwrap().push(name);
                    }
                }
                Kind::Ingest => {
                    let id = uuid::Uuid::new_v4().to_string();
                    let record = json!({"id": id, "kind": "call", "direction": "inbound",
                        "started_at": "2026-01-02T03:04:05Z", "duration_seconds": i % 600});
                    if self.send(&agent, kind, "POST", "/v1/communications", Some(record)) {
                        self.communications.lock().unwrap().push(id);
                    }
                }
                Kind::Ready => {
                    self.send(&agent, kind, "GET", "/readyz", None);
                    std::thread::sleep(Duration::from_millis(100));
                }
                Kind::SignIn => {
                    let login = json!({"account": "acme", "email": "owner@acme.example", "password": "owner-password"});
                    self.send(&agent, kind, "POST", "/v1/auth/token", Some(login));
                    // Below the sign-in limit's pace even if every attempt counted as a failure.
                    std::thread::sleep(Duration::from_millis(400));
                }
            }
        }
    }
}

fn all_workgroups(server: &Server, token: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut path = "/v1/workgroups?limit=500".to_owned();
    loop {
        let page = http("GET", &format!("{}{path}", server.base), None, Some(token));
        assert_eq!(page.status, 200, "{}", page.body);
        names.extend(page.json()["items"].as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap().to_owned()));
        match page.json()["next_cursor"].as_str() {
            Some(c) => path = format!("/v1/workgroups?limit=500&cursor={c}"),
            None => return names,
        }
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

#[test]
#[cfg_attr(not(pg_tests), ignore = "set SWITCHBOARD_TEST_DATABASE_URL to run against PostgreSQL")]
fn postgres_restarting_under_load_answers_503_and_recovers_without_a_server_restart() {
    let cluster = Cluster::create();
    let server = serve(&["--database-url", &cluster.url()], &[("SWITCHBOARD_OPERATOR_KEY", OPERATOR_KEY)]);
    let account = json!({"slug": "acme", "name": "Acme", "preset": "mightycall",
        "owner": {"email": "owner@acme.example", "name": "Owner", "password": "owner-password"}});
    assert_eq!(http("POST", &format!("{}/v1/accounts", server.base), Some(account), Some(OPERATOR_KEY)).status, 201);
    let login = json!({"account": "acme", "email": "owner@acme.example", "password": "owner-password"});
    let token = http("POST", &format!("{}/v1/auth/token", server.base), Some(login), None).json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let load = Load {
        base: &server.base,
        token: &token,
        started: Instant::now(),
        stop: AtomicBool::new(false),
        samples: Mutex::new(Vec::new()),
        workgroups: Mutex::new(Vec::new()),
        communications: Mutex::new(Vec::new()),
    };
    let kinds = [
        Kind::Read,
        Kind::Read,
        Kind::Decide,
        Kind::CreateWorkgroup,
        Kind::CreateWorkgroup,
        Kind::Ingest,
        Kind::Ready,
        Kind::SignIn,
    ];
    let (stopping, stopped, starting, started) = std::thread::scope(|s| {
        for (thread, kind) in kinds.into_iter().enumerate() {
            let load = &load;
            s.spawn(move || load.run(kind, thread));
        }
        std::thread::sleep(Duration::from_secs(2));
        let stopping = load.started.elapsed();
        cluster.stop();
        let stopped = load.started.elapsed();
        std::thread::sleep(OUTAGE);
        let starting = load.started.elapsed();
        cluster.start();
        let started = load.started.elapsed();
        // Run on until every kind has succeeded again (or the bound has passed), then 2 s more.
        let deadline = Instant::now() + RECOVERY_BOUND;
        while Instant::now() < deadline {
            let samples = load.samples.lock().unwrap();
            let recovered = kinds.iter().all(|k| samples.iter().any(|x| x.kind == *k && x.at >= started && x.ok()));
            drop(samples);
            if recovered {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_secs(2));
        load.stop.store(true, Ordering::SeqCst);
        (stopping, stopped, starting, started)
    });
    let samples = load.samples.into_inner().unwrap();
    let workgroups = load.workgroups.into_inner().unwrap();
    let communications = load.communications.into_inner().unwrap();

    // The figures first (they explain a failure), then the verdicts.
    let failed: Vec<&Sample> = samples.iter().filter(|s| !s.ok()).collect();
    let first_success = |kind: Kind| {
        samples
            .iter()
            .filter(|s| s.kind == kind && s.at >= started && s.ok())
            .map(|s| s.end().saturating_sub(started))
            .min()
    };
    let recovery: Vec<(Kind, Option<Duration>)> = kinds.iter().map(|k| (*k, first_success(*k))).collect();
    let mut statuses = std::collections::BTreeMap::<(Kind, String), usize>::new();
    for s in &samples {
        let answer = match &s.answer {
            Ok((status, _, code, _)) if code.is_empty() => status.to_string(),
            Ok((status, _, code, _)) => format!("{status} {code}"),
            Err(_) => "no answer".to_owned(),
        };
        *statuses.entry((s.kind, answer)).or_default() += 1;
    }
    let slowest = samples.iter().max_by_key(|s| s.took).unwrap();
    let slowest_failure = failed.iter().map(|s| s.took).max().unwrap_or_default();
    let last_failure = failed.iter().map(|s| s.end()).max().unwrap_or_default();
    let summary = format!(
        "PostgreSQL stopping at {}, stopped at {}, starting at {}, accepting connections at {}",
        seconds(stopping),
        seconds(stopped),
        seconds(starting),
        seconds(started)
    );
    let log = server.log_text();
    let (errors, warnings) = (log.matches(" ERROR ").count(), log.matches(" WARN ").count());
    eprintln!(
        "pg restart: {} requests in {}; {summary}; {} answered 503 (the slowest in {}, the last ending at {}); \
         the slowest answer took {}; answers by kind: {statuses:?}; first success after PostgreSQL was back: \
         {recovery:?}; acknowledged writes: {} workgroups, {} communications; server log: {errors} errors, \
         {warnings} warnings",
        samples.len(),
        seconds(samples.iter().map(Sample::end).max().unwrap_or_default()),
        failed.len(),
        seconds(slowest_failure),
        seconds(last_failure),
        seconds(slowest.took),
        workgroups.len(),
        communications.len(),
    );

    // No transport errors (refused, reset, timed out): the server answered every request.
    let dropped: Vec<&Sample> = samples.iter().filter(|s| s.answer.is_err()).take(20).collect();
    assert!(dropped.is_empty(), "{summary}; requests without an answer: {dropped:#?}");
    // Only successes and clean 503s.
    let unexpected: Vec<&&Sample> = failed.iter().filter(|s| !matches!(s.answer, Ok((503, ..)))).take(20).collect();
    let internal: Vec<&str> = log.lines().filter(|l| l.contains("internal error")).take(20).collect();
    assert!(
        unexpected.is_empty(),
        "{summary}; answers other than 200/201/503: {unexpected:#?}; the server's internal errors: {internal:#?}"
    );
    for s in &failed {
        let (_, content_type, code, retry_after) = s.answer.as_ref().unwrap();
        assert_eq!(content_type, "application/problem+json", "{s:?}");
        assert_eq!(code, "unavailable", "{s:?}");
        assert!(retry_after.is_some(), "a 503 without Retry-After: {s:?}");
    }
    // Failures only while PostgreSQL was down, or recovering within the bound.
    let outside: Vec<&&Sample> =
        failed.iter().filter(|s| s.end() < stopping || s.at > started + RECOVERY_BOUND).take(20).collect();
    assert!(outside.is_empty(), "{summary}; failures outside the outage: {outside:#?}");
    // Quick answers, outage included.
    assert!(slowest.took <= ANSWER_BOUND, "{summary}; an answer took {}: {slowest:?}", seconds(slowest.took));
    // The outage was felt (by reads, writes and readiness), and every kind recovered in time.
    for kind in [Kind::Read, Kind::CreateWorkgroup, Kind::Ingest, Kind::Ready, Kind::SignIn] {
        assert!(failed.iter().any(|s| s.kind == kind), "{summary}; no {kind:?} request failed during the outage");
    }
    for (kind, first) in &recovery {
        let first = first.unwrap_or_else(|| panic!("{summary}; {kind:?} never succeeded after PostgreSQL came back"));
        assert!(first <= RECOVERY_BOUND, "{summary}; {kind:?} recovered only {} after PostgreSQL", seconds(first));
    }
    let acknowledged_after =
        samples.iter().filter(|s| s.at >= started && s.ok() && matches!(s.kind, Kind::CreateWorkgroup | Kind::Ingest));
    assert!(acknowledged_after.count() > 0, "no write was acknowledged after the restart");

    // Every acknowledged write is stored.
    let stored = all_workgroups(&server, &token);
    let missing: Vec<&String> = workgroups.iter().filter(|n| !stored.contains(n)).collect();
    assert!(missing.is_empty(), "acknowledged workgroups lost: {missing:?}");
    for id in &communications {
        let reply = http("GET", &format!("{}/v1/communications/{id}", server.base), None, Some(&token));
        assert_eq!(reply.status, 200, "acknowledged communication {id} lost: {}", reply.body);
    }
    // The same process serves on: it answers and it did not panic.
    assert_eq!(http("GET", &format!("{}/readyz", server.base), None, None).status, 200);
    assert!(!server.log_text().contains("panicked"), "{}", server.log_text());
}
