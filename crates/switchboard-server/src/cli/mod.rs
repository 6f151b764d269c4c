//! The command line: `switchboard <subcommand>`.

mod plugins;
mod serve;

use clap::{Parser, Subcommand};
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

/// Parses the command line and runs the subcommand.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
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
