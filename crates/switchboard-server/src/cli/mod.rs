//! The command line: `switchboard <subcommand>`.

mod plugins;
mod serve;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

/// Switchboard: roles and permissions for business phone systems.
#[derive(Debug, Parser)]
#[command(name = "switchboard", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct ServeCommand {
    #[command(flatten)]
    pub common: switchboard_server::config::CommonArgs,
    #[command(flatten)]
    pub serve: switchboard_server::config::ServeArgs,
}

#[derive(Debug, clap::Args)]
pub struct MigrateCommand {
    #[command(flatten)]
    pub common: switchboard_server::config::CommonArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the admin API (embedded SQLite by default; `--demo` adds sample accounts).
    Serve(ServeCommand),
    /// Apply the database migrations and exit.
    Migrate(MigrateCommand),
    /// Create an account and its superadmin (password from SWITCHBOARD_OWNER_PASSWORD or stdin).
    Init(serve::InitArgs),
    /// Mint a token for a user.
    Token(serve::TokenArgs),
    /// Print the OpenAPI document (3.1; `--format 3.0` for generators that need 3.0).
    Openapi(serve::OpenapiArgs),
    /// List the preset packs of the plugins directory and report every broken plugin.
    Plugins(plugins::PluginsArgs),
    /// Describe one plugin library, confined, for the server that started this process (internal).
    #[command(name = "describe-plugin", hide = true)]
    DescribePlugin(DescribePluginArgs),
}

#[derive(Debug, clap::Args)]
pub struct DescribePluginArgs {
    /// `--address-space BYTES --cpu-seconds N LIBRARY`, read by the plugin host.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    pub args: Vec<std::ffi::OsString>,
}

/// `switchboard --version`: the server's version and the plugin SDK and ABI versions it loads.
fn version_line() -> String {
    use switchboard_plugin_sdk::abi::{ABI_VERSION, SDK_VERSION};
    format!("{} (plugin SDK {SDK_VERSION}, plugin ABI {ABI_VERSION})", env!("CARGO_PKG_VERSION"))
}

/// Parses the command line and runs the subcommand.
pub fn run() -> ExitCode {
    // Built once per process, so leaking it costs one string.
    let version: &'static str = Box::leak(version_line().into_boxed_str());
    let matches = Cli::command().version(version).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match cli.command {
        Command::DescribePlugin(args) => switchboard_plugin_host::child::main(args.args),
        Command::Plugins(args) => plugins::run(&args),
        Command::Serve(args) => serve::serve(&args.common, &args.serve),
        Command::Migrate(args) => serve::migrate(&args.common),
        Command::Init(args) => serve::init(&args),
        Command::Token(args) => serve::token(&args),
        Command::Openapi(args) => serve::openapi(&args),
    }
}
