//! Commands for plugin authors: `switchboard plugins new NAME` writes a standalone plugin crate,
//! `check FILE` loads one built library as the server would (in a process of its own) and prints its
//! roles as a matrix, `catalog` lists what a pack may grant.

use super::describer;
use clap::Args;
use serde::Serialize;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use switchboard_core::pack::is_valid_pack_name;
use switchboard_core::{Catalog, Level, PresetPack};
use switchboard_plugin_host::load_library;

/// The template's code: the guide's helpdesk pack, which `new` renames.
const TEMPLATE: &str = include_str!("../../../../../templates/preset-plugin/src/lib.rs");

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The crate's name, e.g. `preset-dialfast`.
    pub name: String,
    /// The pack's name (the `preset` accounts are created with); default: the crate's name without
    /// `preset-`.
    #[arg(long)]
    pub pack: Option<String>,
    /// Where to write the crate; default: a new directory named after it.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// A Switchboard checkout to take the SDK and testkit from (path dependencies); default: the
    /// published crates of this version.
    #[arg(long)]
    pub from_source: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A built plugin library (`target/debug/libpreset_x.so`).
    pub file: PathBuf,
    /// How long the plugin may take to be described before it is stopped.
    #[arg(long, env = "SWITCHBOARD_PLUGIN_TIME_LIMIT_MS")]
    pub plugin_time_limit_ms: Option<u64>,
}

#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

fn is_crate_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name.len() <= 64
}

/// The files of a new plugin crate, by path.
fn crate_files(name: &str, pack: &str, from_source: Option<&Path>) -> Vec<(&'static str, String)> {
    let ident = pack.replace('-', "_");
    let title: String = pack.split('-').map(capitalised).collect::<Vec<_>>().join(" ");
    let lib = TEMPLATE
        .replace("\"helpdesk\"", &format!("{pack:?}"))
        .replace("\"Helpdesk\"", &format!("{title:?}"))
        .replace("helpdesk", &ident);
    let (sdk, testkit) = match from_source {
        Some(root) => (
            format!("{{ path = {:?} }}", root.join("crates/switchboard-plugin-sdk").display().to_string()),
            format!("{{ path = {:?} }}", root.join("crates/switchboard-plugin-testkit").display().to_string()),
        ),
        None => {
            let version = format!("\"{}\"", env!("CARGO_PKG_VERSION"));
            (version.clone(), version)
        }
    };
    let manifest = format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
description = "{title} roles for Switchboard"

[lib]
# `cdylib` is what the server loads; `rlib` lets the crate's own tests call the pack functions.
crate-type = ["cdylib", "rlib"]

[dependencies]
switchboard-plugin-sdk = {sdk}

[dev-dependencies]
switchboard-plugin-testkit = {testkit}

# A plugin needs no unsafe code; forbid it.
[lints.rust]
unsafe_code = "forbid"

# A crate of its own, not a member of an enclosing workspace.
[workspace]
"#
    );
    let krate = name.replace('-', "_");
    let test = format!(
        r#"//! The pack's decisions, validated exactly as the server's plugin host validates it.

use switchboard_plugin_testkit::LoadedPolicy;

#[test]
fn the_agent_closes_tickets_but_cannot_touch_numbers() {{
    let loaded = LoadedPolicy::from_pack({krate}::{ident}()).expect("a valid pack");
    let agent = loaded.user(&["agent"]);
    assert!(loaded.allows(&agent, "{ident}.tickets.close"));
    assert!(!loaded.allows(&agent, "numbers:view"));
    let lead = loaded.user(&["lead"]);
    assert!(loaded.allows(&lead, "numbers:manage"));
    assert!(!loaded.allows(&lead, "account:manage"), "everything but the account");
}}
"#
    );
    let ignore = "/target\n".to_owned();
    vec![("Cargo.toml", manifest), ("src/lib.rs", lib), ("tests/pack.rs", test), (".gitignore", ignore)]
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

pub fn new(args: &NewArgs) -> ExitCode {
    if !is_crate_name(&args.name) {
        eprintln!("error: `{}` is not a crate name: lowercase a-z, 0-9, - and _, starting with a letter", args.name);
        return ExitCode::from(2);
    }
    let pack = args.pack.clone().unwrap_or_else(|| args.name.trim_start_matches("preset-").to_owned());
    if !is_valid_pack_name(&pack) {
        eprintln!("error: `{pack}` is not a pack name: lowercase a-z, 0-9 and -, starting with a letter (--pack)");
        return ExitCode::from(2);
    }
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from(&args.name));
    if dir.read_dir().is_ok_and(|mut entries| entries.next().is_some()) {
        eprintln!("error: {} exists and is not empty", dir.display());
        return ExitCode::from(2);
    }
    let from_source = match args.from_source.as_deref().map(std::path::absolute).transpose() {
        Ok(root) => root,
        Err(e) => {
            eprintln!("error: --from-source: {e}");
            return ExitCode::from(2);
        }
    };
    for (path, body) in crate_files(&args.name, &pack, from_source.as_deref()) {
        let path = dir.join(path);
        let written = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(&path, body));
        if let Err(e) = written {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    println!("wrote the plugin crate {} (pack `{pack}`) in {}", args.name, dir.display());
    println!("next: cd {} && cargo test && cargo build", dir.display());
    println!("then: switchboard plugins check target/debug/{}", library_file(&args.name));
    ExitCode::SUCCESS
}

fn library_file(name: &str) -> String {
    format!("{}{}{}", std::env::consts::DLL_PREFIX, name.replace('-', "_"), std::env::consts::DLL_SUFFIX)
}

pub fn check(args: &CheckArgs) -> ExitCode {
    let describer = match describer(args.plugin_time_limit_ms) {
        Ok(describer) => describer,
        Err(code) => return code,
    };
    if !args.file.is_file() {
        eprintln!("error: {} is not a file", args.file.display());
        return ExitCode::from(2);
    }
    match load_library(&args.file, &describer) {
        Ok(library) => {
            let mut out = io::stdout().lock();
            let info = &library.plugin;
            let mut written = writeln!(
                out,
                "{}: plugin {} {} (SDK {})",
                args.file.display(),
                info.name,
                info.version,
                info.sdk_version
            );
            for (pack, catalog) in &library.packs {
                written = written.and_then(|()| write_matrix(&mut out, pack, catalog));
            }
            match written {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(error) => {
            eprintln!("error: {}: {error} ({})", args.file.display(), error.kind());
            ExitCode::FAILURE
        }
    }
}

/// The pack's roles as a grid: one row per section any role grants and per right any role holds,
/// one column per role.
fn write_matrix(out: &mut impl Write, pack: &PresetPack, catalog: &Catalog) -> io::Result<()> {
    writeln!(out)?;
    let mode =
        serde_json::to_value(pack.role_mode).ok().and_then(|m| m.as_str().map(str::to_owned)).unwrap_or_default();
    writeln!(out, "pack {} {}: {} role(s), role mode {mode}", pack.name, pack.version, pack.roles.len())?;
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    for section in catalog.sections() {
        let key = &section.def.key;
        let levels: Vec<Level> =
            pack.roles.iter().map(|r| r.grants.get(key).map_or(Level::None, |g| g.level)).collect();
        if levels.iter().all(|l| *l == Level::None) {
            continue;
        }
        rows.push((
            key.clone(),
            levels.iter().map(|l| if *l == Level::None { "-".into() } else { l.to_string() }).collect(),
        ));
        for right in section.rights.iter().map(|id| catalog.right(*id)) {
            let held: Vec<bool> =
                pack.roles.iter().map(|r| r.grants.get(key).is_some_and(|g| g.rights.contains(&right.key))).collect();
            if held.iter().any(|h| *h) {
                let cells = held.iter().map(|h| if *h { "yes".into() } else { "-".into() }).collect();
                rows.push((format!("  {}", right.key), cells));
            }
        }
    }
    rows.insert(0, ("section".into(), pack.roles.iter().map(|r| r.key.clone()).collect()));
    rows.push(("scope".into(), pack.roles.iter().map(|r| r.scope.as_str().to_owned()).collect()));
    let first = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let widths: Vec<usize> = pack.roles.iter().map(|r| r.key.len().max(9)).collect();
    for (key, cells) in rows {
        let mut line = format!("{key:first$}");
        for (cell, width) in cells.iter().zip(&widths) {
            line.push_str(&format!("  {cell:width$}"));
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

#[derive(Serialize)]
struct CatalogRight<'a> {
    key: &'a str,
    label: &'a str,
    needs: Level,
}

#[derive(Serialize)]
struct CatalogSection<'a> {
    key: &'a str,
    label: &'a str,
    levels: Vec<Level>,
    rights: Vec<CatalogRight<'a>>,
}

pub fn catalog(args: &CatalogArgs) -> ExitCode {
    let catalog = Catalog::core();
    let sections: Vec<CatalogSection> = catalog
        .sections()
        .iter()
        .map(|s| CatalogSection {
            key: &s.def.key,
            label: &s.def.label,
            levels: s.def.level_set.levels().to_vec(),
            rights: s
                .rights
                .iter()
                .map(|id| catalog.right(*id))
                .map(|r| CatalogRight { key: &r.key, label: &r.label, needs: r.min_level })
                .collect(),
        })
        .collect();
    let mut out = io::stdout().lock();
    let written = if args.json {
        serde_json::to_writer_pretty(&mut out, &sections).map_err(io::Error::other).and_then(|()| writeln!(out))
    } else {
        write_catalog(&mut out, &sections)
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write_catalog(out: &mut impl Write, sections: &[CatalogSection]) -> io::Result<()> {
    writeln!(out, "The core catalog: what a role may grant. `grant(section, level)` gives a level and no right;")?;
    writeln!(out, "each right is given by `right(key)` and needs its section at the level shown.")?;
    writeln!(out, "A pack adds sections of its own under its namespace (`<pack>.<section>`).")?;
    for section in sections {
        let levels: Vec<&str> = section.levels.iter().map(|l| l.as_str()).collect();
        writeln!(out)?;
        writeln!(out, "{}  [{}]  {}", section.key, levels.join(" < "), section.label)?;
        for right in &section.rights {
            writeln!(out, "  {}  (needs {})  {}", right.key, right.needs, right.label)?;
        }
    }
    Ok(())
}
