//! The command line: `switchboard <subcommand>`.

mod plugins;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Switchboard: roles and permissions for business phone systems.
#[derive(Debug, Parser)]
#[command(name = "switchboard", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the preset packs of the plugins directory and report every broken plugin.
    Plugins(plugins::PluginsArgs),
}

/// Parses the command line and runs the subcommand.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Plugins(args) => plugins::run(&args),
    }
}
