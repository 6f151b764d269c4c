//! `switchboard plugins`: loads the plugins directory exactly as the server does and prints what it
//! found — every pack with its roles and their grants, every broken library by file name and kind,
//! and how many accounts each pack has and how many are behind its version. Its subcommands are for
//! plugin authors ([`author`]).

mod author;

use clap::Args;
use serde::Serialize;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use switchboard_core::{Catalog, PresetPack, RoleDefinition};
use switchboard_plugin_host::{HostError, LoadReport, PluginHost, PluginInfo};
use switchboard_server::packs::{PackStanding, Packs};
use switchboard_store::{Store, StoreConfig};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct PluginsArgs {
    #[command(subcommand)]
    pub action: Option<PluginsAction>,
    /// Directory the preset plugins are loaded from; default: the directory of the executable.
    #[arg(long, env = "SWITCHBOARD_PLUGINS_DIR")]
    pub plugins_dir: Option<PathBuf>,
    /// Exit with an error when any plugin is broken (the server refuses to start in that case).
    #[arg(long)]
    pub strict: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// How long one plugin may take to be described (in its own process) before it is stopped.
    #[arg(long, env = "SWITCHBOARD_PLUGIN_TIME_LIMIT_MS")]
    pub plugin_time_limit_ms: Option<u64>,
    /// The server's data directory, whose SQLite database says which accounts use each pack.
    #[arg(long, env = "SWITCHBOARD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// `postgres://…`: read the accounts from PostgreSQL instead.
    #[arg(long, env = "SWITCHBOARD_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// What plugin authors do.
#[derive(Debug, clap::Subcommand)]
pub enum PluginsAction {
    /// Write a new, standalone preset plugin crate (it builds wherever it is written).
    New(author::NewArgs),
    /// Load one built plugin library as the server would, report any problem (exit 1) or print its
    /// roles as a matrix.
    Check(author::CheckArgs),
    /// List every section, level and right of the core catalog that a pack may grant.
    Catalog(author::CatalogArgs),
}

/// This executable's describer with the given time limit, or the usage exit after saying why not.
fn describer(time_limit_ms: Option<u64>) -> Result<switchboard_plugin_host::Describer, ExitCode> {
    switchboard_server::config::plugin_describer(time_limit_ms).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

/// The default plugins directory: the one holding the executable.
pub fn default_plugins_dir() -> io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    exe.parent().map(Path::to_path_buf).ok_or_else(|| io::Error::other("the executable has no parent directory"))
}

pub fn run(args: &PluginsArgs) -> ExitCode {
    match &args.action {
        Some(PluginsAction::New(new)) => return author::new(new),
        Some(PluginsAction::Check(check)) => return author::check(check),
        Some(PluginsAction::Catalog(catalog)) => return author::catalog(catalog),
        None => {}
    }
    let dir = match args.plugins_dir.clone().map_or_else(default_plugins_dir, Ok) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("error: cannot locate the plugins directory: {e}");
            return ExitCode::from(2);
        }
    };
    let describer = match describer(args.plugin_time_limit_ms) {
        Ok(describer) => describer,
        Err(code) => return code,
    };
    // Load leniently and apply `--strict` here, so a strict run still lists what did load.
    let report = match PluginHost::new(&dir, describer).load() {
        Ok(report) => report,
        Err(e @ HostError::ReadDir { .. }) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let accounts = accounts(args, &report);
    let mut out = io::stdout().lock();
    let written = if args.json {
        write_json(&mut out, &report, &accounts)
    } else {
        write_text(&mut out, &dir, &report, &accounts)
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        eprintln!("error: cannot write the listing: {e}");
        return ExitCode::FAILURE;
    }
    for problem in &report.problems {
        eprintln!("broken plugin ({}) {problem}", problem.error.kind());
    }
    if args.strict && !report.problems.is_empty() {
        eprintln!("error: {} broken plugin(s) and --strict is set", report.problems.len());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// How the accounts of the configured database stand against the loaded packs, read without
/// migrating the database or changing its data; an error when there is no database, or it cannot be
/// read.
fn accounts(args: &PluginsArgs, report: &LoadReport) -> Result<PackStanding, String> {
    let url = match &args.database_url {
        Some(url) => url.clone(),
        None => {
            let data_dir =
                args.data_dir.clone().unwrap_or_else(|| PathBuf::from(switchboard_server::config::DEFAULT_DATA_DIR));
            let file = switchboard_server::config::embedded_database(&data_dir);
            if !file.is_file() {
                return Err(format!("no database at {}", file.display()));
            }
            file.to_string_lossy().into_owned()
        }
    };
    let config = StoreConfig { run_migrations: false, ..StoreConfig::new(url) };
    let store = Store::open_with(&config).map_err(|e| e.to_string())?;
    let mut conn = store.conn().map_err(|e| e.to_string())?;
    let packs = Packs::from_report(report.clone());
    switchboard_server::packs::standing(&mut conn, &packs, false).map_err(|e| e.to_string())
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// One pack's accounts, as a line: how many, and which are behind its version.
fn accounts_line(accounts: &Result<PackStanding, String>, pack: &PresetPack) -> String {
    let Ok(standing) = accounts else { return String::new() };
    let on = standing.on.get(&pack.name).map_or(0, Vec::len);
    match standing.behind.get(&pack.name) {
        Some(behind) => format!(
            "accounts: {on}, {} behind version {} (POST /v1/presets/upgrade): {}",
            behind.len(),
            pack.version,
            behind.join(", ")
        ),
        None => format!("accounts: {on}, none behind"),
    }
}

fn write_text(
    out: &mut impl Write,
    dir: &Path,
    report: &LoadReport,
    accounts: &Result<PackStanding, String>,
) -> io::Result<()> {
    writeln!(out, "plugins directory: {}", dir.display())?;
    match accounts {
        Ok(standing) => {
            for (pack, slugs) in &standing.missing {
                writeln!(out, "accounts on pack `{pack}`, which no plugin provides: {}", slugs.join(", "))?;
            }
        }
        Err(e) => writeln!(out, "accounts: not counted ({e})")?,
    }
    if report.packs.is_empty() {
        writeln!(out, "no preset pack loaded")?;
    }
    for loaded in &report.packs {
        let pack = &loaded.pack;
        writeln!(out)?;
        writeln!(
            out,
            "{} {} ({}, role mode {}) from {} [{} {}, SDK {}]",
            pack.name,
            pack.version,
            if pack.title.is_empty() { &pack.name } else { &pack.title },
            serde_plain(&pack.role_mode),
            file_name(&loaded.file),
            loaded.plugin.name,
            loaded.plugin.version,
            loaded.plugin.sdk_version,
        )?;
        if !pack.description.is_empty() {
            writeln!(out, "  {}", pack.description)?;
        }
        let line = accounts_line(accounts, pack);
        if !line.is_empty() {
            writeln!(out, "  {line}")?;
        }
        writeln!(
            out,
            "  default role: {}; owner roles: {}",
            pack.default_role.as_deref().unwrap_or("none"),
            list_or_none(&pack.owner_roles)
        )?;
        if !pack.catalog_extensions.is_empty() {
            let keys: Vec<String> = pack.catalog_extensions.iter().map(|s| s.key.clone()).collect();
            writeln!(out, "  catalog extensions: {}", keys.join(", "))?;
        }
        for mapping in &pack.legacy_mappings {
            let mut line = format!("  legacy role {} -> {}", mapping.from, mapping.to.join(" + "));
            if !mapping.billing_owner_adds.is_empty() {
                line.push_str(&format!(" (billing owner also {})", mapping.billing_owner_adds.join(" + ")));
            }
            writeln!(out, "{line}")?;
        }
        for role in &pack.roles {
            write_role(out, &loaded.catalog, role)?;
        }
    }
    Ok(())
}

fn write_role(out: &mut impl Write, catalog: &Catalog, role: &RoleDefinition) -> io::Result<()> {
    writeln!(
        out,
        "  role {} \"{}\": scope {}, recents {}",
        role.key,
        role.name,
        role.scope,
        serde_plain(&role.recents)
    )?;
    let guards = &role.guards;
    if !guards.assignable_by.is_empty() {
        writeln!(out, "    assignable by: {}", guards.assignable_by.join(", "))?;
    }
    if let Some(can_assign) = &guards.can_assign {
        writeln!(out, "    can assign: {}", list_or_none(can_assign))?;
    }
    if guards.peer_protected {
        writeln!(out, "    peer protected: holders cannot change each other's access")?;
    }
    // Grants in catalog order, so every role lists its sections the same way.
    let mut any = false;
    for section in catalog.sections() {
        let Some(grant) = role.grants.get(&section.def.key) else { continue };
        if grant.level == switchboard_core::Level::None && grant.rights.is_empty() {
            continue;
        }
        any = true;
        let rights: Vec<&str> = grant.rights.iter().map(String::as_str).collect();
        if rights.is_empty() {
            writeln!(out, "    {}: {}", section.def.key, grant.level)?;
        } else {
            writeln!(out, "    {}: {} [{}]", section.def.key, grant.level, rights.join(", "))?;
        }
    }
    if !any {
        writeln!(out, "    no section access")?;
    }
    Ok(())
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() { "none".into() } else { items.join(", ") }
}

/// A unit enum's serde name (`single`, `combinable`, `all`, `personal`).
fn serde_plain(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => format!("<{e}>"),
    }
}

#[derive(Serialize)]
struct JsonPack<'a> {
    file: String,
    plugin: &'a PluginInfo,
    pack: &'a PresetPack,
}

#[derive(Serialize)]
struct JsonProblem {
    file: String,
    kind: &'static str,
    error: String,
}

#[derive(Serialize)]
struct JsonAccounts<'a> {
    /// Pack → the slugs of its accounts.
    on: &'a std::collections::BTreeMap<String, Vec<String>>,
    /// Pack → the slugs of its accounts behind the loaded version.
    behind: &'a std::collections::BTreeMap<String, Vec<String>>,
    /// Pack no plugin provides → the slugs of its accounts.
    missing: &'a std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    packs: Vec<JsonPack<'a>>,
    problems: Vec<JsonProblem>,
    /// `null` when there is no database to read.
    accounts: Option<JsonAccounts<'a>>,
}

fn write_json(out: &mut impl Write, report: &LoadReport, accounts: &Result<PackStanding, String>) -> io::Result<()> {
    let json = JsonReport {
        accounts: accounts.as_ref().ok().map(|s| JsonAccounts { on: &s.on, behind: &s.behind, missing: &s.missing }),
        packs: report
            .packs
            .iter()
            .map(|p| JsonPack { file: file_name(&p.file), plugin: &p.plugin, pack: &p.pack })
            .collect(),
        problems: report
            .problems
            .iter()
            .map(|p| JsonProblem { file: file_name(&p.file), kind: p.error.kind(), error: p.error.to_string() })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &json).map_err(io::Error::other)?;
    writeln!(out)
}
