//! The host's side of isolation: starting the describing process ([`crate::child`]), bounding its time
//! and its output, and turning how it ended into a [`PluginError`].

use crate::PluginError;
use crate::child::Answer;
use crate::ffi::{Exports, MAX_RESPONSE_BYTES};
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// What a describing process may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time (and, rounded up to seconds, CPU time) before the process is stopped.
    pub time: Duration,
    /// Bytes of address space: every mapping, the binary and the library included.
    pub address_space: u64,
    /// Bytes of answer read before the process is stopped.
    pub output: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            time: Duration::from_secs(10),
            address_space: 1 << 30,
            // Both entry points' largest answers, re-encoded, with room to spare.
            output: 2 * MAX_RESPONSE_BYTES + (1 << 20),
        }
    }
}

/// How much of the describing process's standard error a problem quotes.
const STDERR_EXCERPT: usize = 600;

/// How often a running description is checked for its end, its time and its output.
const POLL: Duration = Duration::from_millis(2);

/// Starts the describing process: a program and the arguments that select its describing mode, e.g.
/// the `switchboard` binary with `describe-plugin`, or this crate's `switchboard-plugin-describe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Describer {
    program: PathBuf,
    args: Vec<OsString>,
    limits: Limits,
}

impl Describer {
    /// `program args…` is run with `--address-space BYTES --cpu-seconds N LIBRARY` appended.
    pub fn new(program: impl Into<PathBuf>, args: impl IntoIterator<Item = impl Into<OsString>>) -> Describer {
        Describer {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            limits: Limits::default(),
        }
    }

    pub fn with_limits(mut self, limits: Limits) -> Describer {
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    /// Describes one library in a process of its own.
    pub(crate) fn describe(&self, file: &Path) -> Result<Exports, PluginError> {
        let failed = |message: String| PluginError::IsolationFailed { message };
        // The process runs in `/`, so it gets the library's absolute path.
        let file = std::path::absolute(file).map_err(|e| failed(format!("cannot resolve {}: {e}", file.display())))?;
        let cpu_seconds = self.limits.time.as_secs() + u64::from(self.limits.time.subsec_nanos() > 0);
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .arg("--address-space")
            .arg(self.limits.address_space.to_string())
            .arg("--cpu-seconds")
            .arg(cpu_seconds.max(1).to_string())
            .arg(&file)
            .env_clear()
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| failed(format!("cannot start {}: {e}", self.program.display())))?;
        let answer = reader(child.stdout.take(), self.limits.output + 1);
        let stderr = reader(child.stderr.take(), STDERR_EXCERPT);
        let ended = self.watch(&mut child, &answer);
        let answer = answer.join().unwrap_or_default();
        let stderr = excerpt(&stderr.join().unwrap_or_default());
        match ended? {
            Ended::TooLarge => Err(PluginError::OutputTooLarge { limit: self.limits.output }),
            Ended::TimedOut => Err(self.timed_out()),
            Ended::Exited(status) => self.judge(status, &answer, stderr),
        }
    }

    /// Waits for the process to end, stopping it when its time is up or its answer too long.
    fn watch(&self, child: &mut Child, answer: &Reader) -> Result<Ended, PluginError> {
        let deadline = Instant::now() + self.limits.time;
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return Ok(Ended::Exited(status)),
                Ok(None) => {}
                Err(e) => {
                    stop(child);
                    return Err(PluginError::IsolationFailed { message: format!("cannot wait for it: {e}") });
                }
            }
            if answer.overflowed() {
                stop(child);
                return Ok(Ended::TooLarge);
            }
            if Instant::now() >= deadline {
                stop(child);
                return Ok(Ended::TimedOut);
            }
            std::thread::sleep(POLL);
        }
    }

    fn timed_out(&self) -> PluginError {
        PluginError::TimedOut { limit_ms: u64::try_from(self.limits.time.as_millis()).unwrap_or(u64::MAX) }
    }

    /// What an ended process's status and answer say about the plugin.
    fn judge(&self, status: ExitStatus, answer: &[u8], stderr: String) -> Result<Exports, PluginError> {
        if answer.len() > self.limits.output {
            return Err(PluginError::OutputTooLarge { limit: self.limits.output });
        }
        if status.success() {
            return match serde_json::from_slice::<Answer>(answer) {
                Ok(Answer::Described(exports)) => Ok(exports),
                Ok(Answer::Refused(error)) => Err(error),
                Err(e) => Err(PluginError::IsolationFailed { message: format!("its answer is unreadable: {e}") }),
            };
        }
        // Rust reports a failed allocation on standard error, then aborts.
        if stderr.contains("memory allocation of") {
            return Err(PluginError::OutOfMemory { limit_mib: self.limits.address_space >> 20, output: stderr });
        }
        match signal(status) {
            Some(libc::SIGXCPU | libc::SIGKILL) => Err(self.timed_out()),
            Some(number) => {
                Err(PluginError::Crashed { how: format!("killed by {}", signal_name(number)), output: stderr })
            }
            None => match status.code() {
                // Usage or confinement failures of the describing process itself.
                Some(code @ (2 | 3)) => {
                    Err(PluginError::IsolationFailed { message: format!("it exited with status {code}: {stderr}") })
                }
                code => Err(PluginError::Crashed {
                    how: code.map_or_else(|| "ended abnormally".to_owned(), |c| format!("exited with status {c}")),
                    output: stderr,
                }),
            },
        }
    }
}

enum Ended {
    Exited(ExitStatus),
    TimedOut,
    TooLarge,
}

fn stop(child: &mut Child) {
    // Either may fail only because the process has ended already.
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(unix)]
fn signal(status: ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(&status)
}

#[cfg(not(unix))]
fn signal(_: ExitStatus) -> Option<i32> {
    None
}

fn signal_name(number: i32) -> String {
    let name = match number {
        libc::SIGSEGV => "SIGSEGV (invalid memory access)",
        libc::SIGABRT => "SIGABRT (aborted)",
        libc::SIGBUS => "SIGBUS (bus error)",
        libc::SIGILL => "SIGILL (illegal instruction)",
        libc::SIGFPE => "SIGFPE (arithmetic error)",
        libc::SIGSYS => "SIGSYS (bad system call)",
        libc::SIGXFSZ => "SIGXFSZ (it tried to write a file)",
        _ => return format!("signal {number}"),
    };
    name.to_owned()
}

/// Standard error as one printable line, at most [`STDERR_EXCERPT`] bytes of it.
fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line: Vec<&str> = text.split_whitespace().collect();
    line.join(" ").chars().filter(|c| !c.is_control()).collect()
}

/// Reads a pipe on a thread of its own, keeping at most `keep` bytes and draining the rest so the
/// writer is never blocked by a full pipe (only the answer's overflow stops the process).
struct Reader {
    handle: std::thread::JoinHandle<Vec<u8>>,
    overflowed: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Reader {
    fn overflowed(&self) -> bool {
        self.overflowed.load(std::sync::atomic::Ordering::Acquire)
    }

    fn join(self) -> std::thread::Result<Vec<u8>> {
        self.handle.join()
    }
}

fn reader(pipe: Option<impl Read + Send + 'static>, keep: usize) -> Reader {
    let overflowed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = std::sync::Arc::clone(&overflowed);
    let handle = std::thread::spawn(move || {
        let mut kept = Vec::new();
        let Some(mut pipe) = pipe else { return kept };
        let mut buffer = [0u8; 64 * 1024];
        loop {
            match pipe.read(&mut buffer) {
                Ok(0) | Err(_) => return kept,
                Ok(n) => {
                    let room = keep.saturating_sub(kept.len());
                    kept.extend_from_slice(&buffer[..n.min(room)]);
                    if n > room {
                        flag.store(true, std::sync::atomic::Ordering::Release);
                    }
                }
            }
        }
    });
    Reader { handle, overflowed }
}
