//! The describing process for hosts other than the `switchboard` binary (whose hidden
//! `describe-plugin` subcommand does the same): loads one plugin library, confined, and prints its
//! packs as JSON. See `switchboard_plugin_host::child`.

fn main() -> std::process::ExitCode {
    switchboard_plugin_host::child::main(std::env::args_os().skip(1))
}
