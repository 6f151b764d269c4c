//! The describing process: the only place a plugin's code runs. The host starts it with the library's
//! path and its limits (`--address-space BYTES --cpu-seconds N FILE`, see [`crate::Describer`]); it
//!
//! 1. closes every inherited file descriptor above standard error and keeps standard output for its
//!    answer, pointing descriptor 1 at standard error so a plugin's prints cannot pass for the answer;
//! 2. limits itself: address space, CPU time, no files written, no core file, no new processes or
//!    threads, no capabilities (a process of `root` has them all) and no new privileges;
//! 3. opens the library and reads its packs ([`crate::ffi`]);
//! 4. writes one JSON answer — the plugin's info and packs, or what was wrong — and exits 0.
//!
//! Its environment is empty (the host clears it), so no secret of the server's reaches a plugin.
//! Whatever the plugin does to this process — abort, crash, loop, allocate — ends here.

use crate::PluginError;
use crate::ffi::{self, Exports};
use crate::sys::{self, Resource};
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// The describing process's answer on its standard output.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Answer {
    Described(Exports),
    Refused(PluginError),
}

/// What the host asked for.
#[derive(Debug, PartialEq)]
struct Request {
    address_space: u64,
    cpu_seconds: u64,
    file: PathBuf,
}

fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Request, String> {
    let mut args = args.into_iter();
    let mut number = |flag: &str| -> Result<u64, String> {
        match (args.next(), args.next()) {
            (Some(name), Some(value)) if name == flag => {
                value.to_str().and_then(|v| v.parse().ok()).ok_or_else(|| format!("{flag} takes a whole number"))
            }
            _ => Err(format!("expected {flag} N")),
        }
    };
    let address_space = number("--address-space")?;
    let cpu_seconds = number("--cpu-seconds")?;
    let file = args.next().map(PathBuf::from).ok_or("expected the library's path")?;
    if args.next().is_some() {
        return Err("unexpected argument after the library's path".into());
    }
    Ok(Request { address_space, cpu_seconds, file })
}

/// Runs the describing process with its arguments (without the program name or subcommand). Exits 0
/// with an answer written, or 2 (usage) / 3 (the process could not be confined) with a message on
/// standard error; a plugin that kills the process leaves no answer at all.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let request = match parse(args) {
        Ok(request) => request,
        Err(e) => {
            eprintln!("describe-plugin: {e}");
            eprintln!("usage: describe-plugin --address-space BYTES --cpu-seconds N LIBRARY");
            return ExitCode::from(2);
        }
    };
    let mut answer = match confine(&request) {
        Ok(answer) => answer,
        Err(e) => {
            eprintln!("describe-plugin: cannot confine this process: {e}");
            return ExitCode::from(3);
        }
    };
    let result = match ffi::read_plugin(&request.file) {
        Ok(exports) => Answer::Described(exports),
        Err(error) => Answer::Refused(error),
    };
    let written =
        serde_json::to_writer(&mut answer, &result).map_err(std::io::Error::other).and_then(|()| answer.flush());
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("describe-plugin: cannot write the answer: {e}");
            ExitCode::from(3)
        }
    }
}

/// Steps 1 and 2; returns where the answer goes.
fn confine(request: &Request) -> std::io::Result<std::fs::File> {
    sys::close_inherited_descriptors()?;
    let answer = sys::take_stdout()?;
    sys::set_limit(Resource::AddressSpace, request.address_space)?;
    sys::set_limit(Resource::CpuSeconds, request.cpu_seconds)?;
    sys::set_limit(Resource::FileSize, 0)?;
    sys::set_limit(Resource::CoreSize, 0)?;
    // Room for the library and the objects it depends on while they are opened, one at a time.
    sys::set_limit(Resource::OpenFiles, 16)?;
    sys::set_limit(Resource::Processes, 0)?;
    sys::drop_capabilities()?;
    sys::forbid_new_privileges()?;
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_request_names_both_limits_then_the_library() {
        let request = parse(args(&["--address-space", "1024", "--cpu-seconds", "5", "/p/lib.so"])).unwrap();
        assert_eq!(request, Request { address_space: 1024, cpu_seconds: 5, file: "/p/lib.so".into() });
        assert!(parse(args(&["/p/lib.so"])).is_err());
        assert!(parse(args(&["--address-space", "lots", "--cpu-seconds", "5", "/p/lib.so"])).is_err());
        assert!(parse(args(&["--address-space", "1", "--cpu-seconds", "5", "/p/lib.so", "more"])).is_err());
    }
}
