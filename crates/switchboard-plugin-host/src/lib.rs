//! # switchboard-plugin-host
//!
//! Loads preset plugins (DESIGN §3): every library (`.so`, `.dylib` or `.dll`, per platform) in one
//! configured directory, in file-name order, and nothing from anywhere else.
//!
//! **No plugin code runs in the host's process.** Each library is opened by a short-lived describing
//! process ([`Describer`]: the `switchboard` binary's hidden `describe-plugin` subcommand, or the
//! `switchboard-plugin-describe` binary of this crate) under a time limit, an address-space limit, no
//! environment, no inherited file descriptors beyond standard input and output, no file writes and no
//! further processes ([`child`]). It:
//!
//! 1. opens the library (a file that is not a loadable library is reported, not fatal);
//! 2. calls the handshake symbol and compares the ABI version — before touching anything else;
//! 3. reads the entry-point table, checks its ABI and SDK versions;
//! 4. calls `describe` and `preset_packs`, copying each JSON answer and freeing it with the plugin's own
//!    `free_buffer`; a panic inside the plugin arrives as an error envelope;
//!
//! and writes what it found as JSON on its standard output. A crash, an abort, an endless loop, an
//! allocation past the limit or an answer past the limit ends that process, not the host, and is
//! reported ([`PluginError::Crashed`], [`PluginError::TimedOut`], …). The host then treats the answer
//! as untrusted data:
//!
//! 5. it validates every pack against the core catalog ([`switchboard_plugin_sdk::check_packs`]: unknown
//!    sections or rights, rights without their section level, duplicate role keys, guards naming unknown
//!    roles, …);
//! 6. it refuses a pack whose name, or one of whose catalog extensions, an earlier library (by file
//!    name) already provides — the earlier one is kept.
//!
//! A library with any problem is skipped as a whole, and each problem names its file ([`PluginProblem`]).
//! With [`PluginHost::strict`], any problem fails the load instead.

pub mod child;
#[allow(unsafe_code)]
mod ffi;
mod isolate;
#[allow(unsafe_code)]
mod sys;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use switchboard_core::{Catalog, CoreError, PresetPack};
pub use switchboard_plugin_sdk::abi::PluginInfo;
use thiserror::Error;

pub use ffi::MAX_RESPONSE_BYTES;
pub use isolate::{Describer, Limits};
pub use sys::protect_host_process;

/// The file extension of loadable libraries on this platform: `so`, `dylib` or `dll`.
pub const LIBRARY_EXTENSION: &str = std::env::consts::DLL_EXTENSION;

/// Why one library was refused. The serialized form (tagged by [`PluginError::kind`]) is how the
/// describing process hands its findings to the host.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PluginError {
    #[error("not a loadable library: {message}")]
    NotALibrary { message: String },
    #[error("missing symbol `{symbol}`: not a Switchboard preset plugin")]
    MissingSymbol { symbol: String },
    #[error("the ABI handshake failed: the plugin panicked in it")]
    HandshakeFailed,
    #[error("built for plugin ABI version {found}, this host speaks version {expected}")]
    AbiMismatch { found: u32, expected: u32 },
    #[error("the plugin returned no entry-point table: it panicked while producing it")]
    NoApiTable,
    #[error("built with plugin SDK {plugin}, which this host (SDK {host}) cannot load: rebuild it against SDK {host}")]
    IncompatibleSdk { plugin: String, host: String },
    #[error("entry point `{entry}` panicked: {message}")]
    Panicked { entry: String, message: String },
    #[error("entry point `{entry}` failed ({kind}): {message}")]
    EntryFailed { entry: String, kind: String, message: String },
    #[error("entry point `{entry}` returned malformed data: {message}")]
    Malformed { entry: String, message: String },
    #[error("the plugin's `free_buffer` failed (it panicked) after `{entry}`")]
    FreeFailed { entry: String },
    #[error("the plugin crashed the process describing it ({how}){}", excerpt(output))]
    Crashed { how: String, output: String },
    #[error("the plugin used up the {limit_mib} MiB of address space a plugin is given{}", excerpt(output))]
    OutOfMemory { limit_mib: u64, output: String },
    #[error("the plugin did not finish within {limit_ms} ms (time or CPU limit): it was stopped")]
    TimedOut { limit_ms: u64 },
    #[error("the plugin wrote more than the {limit} bytes a description may have: it was stopped")]
    OutputTooLarge { limit: usize },
    #[error("the plugin could not be described in a separate process: {message}")]
    IsolationFailed { message: String },
    #[error("the plugin exports no preset pack")]
    NoPacks,
    #[serde(skip)]
    #[error("{error}")]
    InvalidPack { pack: String, error: Box<CoreError> },
    #[serde(skip)]
    #[error("preset pack `{pack}` is already provided by {}", existing.display())]
    DuplicatePack { pack: String, existing: PathBuf },
    #[serde(skip)]
    #[error(
        "preset pack `{pack}` defines `{key}`, which pack `{existing_pack}` from {} already defines",
        existing_file.display()
    )]
    CatalogConflict { pack: String, key: String, existing_pack: String, existing_file: PathBuf },
}

impl PluginError {
    /// A stable name for what went wrong, for listings and the API (`crashed`, `timed_out`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            PluginError::NotALibrary { .. } => "not_a_library",
            PluginError::MissingSymbol { .. } => "missing_symbol",
            PluginError::HandshakeFailed => "handshake_failed",
            PluginError::AbiMismatch { .. } => "abi_mismatch",
            PluginError::NoApiTable => "no_api_table",
            PluginError::IncompatibleSdk { .. } => "incompatible_sdk",
            PluginError::Panicked { .. } => "panicked",
            PluginError::EntryFailed { .. } => "entry_failed",
            PluginError::Malformed { .. } => "malformed",
            PluginError::FreeFailed { .. } => "free_failed",
            PluginError::Crashed { .. } => "crashed",
            PluginError::OutOfMemory { .. } => "out_of_memory",
            PluginError::TimedOut { .. } => "timed_out",
            PluginError::OutputTooLarge { .. } => "output_too_large",
            PluginError::IsolationFailed { .. } => "isolation_failed",
            PluginError::NoPacks => "no_packs",
            PluginError::InvalidPack { .. } => "invalid_pack",
            PluginError::DuplicatePack { .. } => "duplicate_pack",
            PluginError::CatalogConflict { .. } => "catalog_conflict",
        }
    }
}

/// What the describing process printed, as a suffix of a message.
fn excerpt(output: &str) -> String {
    if output.is_empty() { String::new() } else { format!(": {output}") }
}

/// A problem with one library: the file and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginProblem {
    pub file: PathBuf,
    pub error: PluginError,
}

impl fmt::Display for PluginProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.error)
    }
}

impl std::error::Error for PluginProblem {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// A pack that loaded, with the catalog accounts on it use.
#[derive(Debug, Clone)]
pub struct LoadedPack {
    /// The library it came from.
    pub file: PathBuf,
    pub plugin: Arc<PluginInfo>,
    pub pack: PresetPack,
    /// The core catalog plus the extensions of this pack (and of the earlier packs of its library).
    pub catalog: Arc<Catalog>,
}

/// What a load found: the packs, in file-name order and then the order each library lists them, and the
/// problems of the libraries that were skipped.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    pub packs: Vec<LoadedPack>,
    pub problems: Vec<PluginProblem>,
}

impl LoadReport {
    /// The pack with this name.
    pub fn pack(&self, name: &str) -> Option<&LoadedPack> {
        self.packs.iter().find(|p| p.pack.name == name)
    }

    /// The names of the loaded packs, in order.
    pub fn pack_names(&self) -> Vec<&str> {
        self.packs.iter().map(|p| p.pack.name.as_str()).collect()
    }
}

/// Why a load failed as a whole.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum HostError {
    #[error("cannot read the plugins directory {}: {source}", dir.display())]
    ReadDir { dir: PathBuf, source: std::io::Error },
    #[error("no plugin library (*.{LIBRARY_EXTENSION}) in {} and loading is strict", dir.display())]
    NoLibraries { dir: PathBuf },
    #[error("{} broken plugin(s) in {} and loading is strict:\n{}", problems.len(), dir.display(), list(problems))]
    Strict { dir: PathBuf, problems: Vec<PluginProblem>, report: Box<LoadReport> },
}

fn list(problems: &[PluginProblem]) -> String {
    problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n")
}

/// Loads the plugins of one directory.
#[derive(Debug, Clone)]
pub struct PluginHost {
    dir: PathBuf,
    describer: Describer,
    strict: bool,
}

/// How many libraries are described at once.
const PARALLEL_DESCRIPTIONS: usize = 4;

impl PluginHost {
    /// A host for the plugins in `dir`, each described by `describer` in a process of its own. Broken
    /// plugins are skipped and reported.
    pub fn new(dir: impl Into<PathBuf>, describer: Describer) -> Self {
        PluginHost { dir: dir.into(), describer, strict: false }
    }

    /// With `true`, any broken plugin fails the whole load ([`HostError::Strict`]).
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The library files of the directory, sorted by file name: regular files (or links to them) with
    /// the platform's library extension, not hidden. Subdirectories are not searched.
    pub fn library_files(&self) -> Result<Vec<PathBuf>, HostError> {
        let read_error = |source| HostError::ReadDir { dir: self.dir.clone(), source };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&self.dir).map_err(read_error)? {
            let entry = entry.map_err(read_error)?;
            let path = entry.path();
            let name = entry.file_name();
            let hidden = name.to_string_lossy().starts_with('.');
            let library = path.extension() == Some(OsStr::new(LIBRARY_EXTENSION));
            if !hidden && library && path.is_file() {
                files.push(path);
            }
        }
        files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        Ok(files)
    }

    pub fn describer(&self) -> &Describer {
        &self.describer
    }

    /// Loads every library of the directory. The libraries are described a few at a time, each in its
    /// own process, and admitted in file-name order. First makes this process undumpable
    /// ([`protect_host_process`]), so that no describing process can read the host's memory or
    /// environment through `/proc`.
    pub fn load(&self) -> Result<LoadReport, HostError> {
        protect_host_process();
        let files = self.library_files()?;
        if self.strict && files.is_empty() {
            return Err(HostError::NoLibraries { dir: self.dir.clone() });
        }
        let mut described = Vec::with_capacity(files.len());
        for chunk in files.chunks(PARALLEL_DESCRIPTIONS) {
            std::thread::scope(|scope| {
                let running: Vec<_> =
                    chunk.iter().map(|file| scope.spawn(|| load_library(file, &self.describer))).collect();
                for (file, handle) in chunk.iter().zip(running) {
                    let loaded = handle.join().unwrap_or_else(|_| {
                        Err(PluginError::IsolationFailed { message: "the describing thread panicked".into() })
                    });
                    described.push((file.clone(), loaded));
                }
            });
        }
        let mut report = LoadReport::default();
        let mut registry = Registry::default();
        for (file, loaded) in described {
            match loaded.and_then(|loaded| registry.admit(&file, loaded)) {
                Ok(packs) => report.packs.extend(packs),
                Err(error) => report.problems.push(PluginProblem { file, error }),
            }
        }
        if self.strict && !report.problems.is_empty() {
            return Err(HostError::Strict {
                dir: self.dir.clone(),
                problems: report.problems.clone(),
                report: Box::new(report),
            });
        }
        Ok(report)
    }
}

/// One library's plugin info and its validated packs with their catalogs.
#[derive(Debug, Clone)]
pub struct LoadedLibrary {
    pub file: PathBuf,
    pub plugin: Arc<PluginInfo>,
    pub packs: Vec<(PresetPack, Arc<Catalog>)>,
}

/// Loads one library on its own: described in a process of its own, then its packs validated against
/// the core catalog, without the checks against other libraries that [`PluginHost::load`] adds.
pub fn load_library(file: &Path, describer: &Describer) -> Result<LoadedLibrary, PluginError> {
    let exports = describer.describe(file)?;
    if exports.packs.is_empty() {
        return Err(PluginError::NoPacks);
    }
    let catalogs = switchboard_plugin_sdk::check_packs(&exports.packs)
        .map_err(|e| PluginError::InvalidPack { pack: e.pack, error: Box::new(e.error) })?;
    Ok(LoadedLibrary {
        file: file.to_owned(),
        plugin: Arc::new(exports.info),
        packs: exports.packs.into_iter().zip(catalogs.into_iter().map(Arc::new)).collect(),
    })
}

/// Who already provides which pack names and catalog keys.
#[derive(Debug, Default)]
struct Registry {
    /// Pack name → file.
    packs: HashMap<String, PathBuf>,
    /// Extension section or right key → (pack, file).
    keys: HashMap<String, (String, PathBuf)>,
}

impl Registry {
    /// Accepts a library's packs unless an earlier library provides one of its pack names or
    /// extension keys; all or nothing.
    fn admit(&mut self, file: &Path, library: LoadedLibrary) -> Result<Vec<LoadedPack>, PluginError> {
        for (pack, _) in &library.packs {
            if let Some(existing) = self.packs.get(&pack.name) {
                return Err(PluginError::DuplicatePack { pack: pack.name.clone(), existing: existing.clone() });
            }
            for section in &pack.catalog_extensions {
                let keys = std::iter::once(&section.key).chain(section.rights.iter().map(|r| &r.key));
                for key in keys {
                    if let Some((existing_pack, existing_file)) = self.keys.get(key) {
                        return Err(PluginError::CatalogConflict {
                            pack: pack.name.clone(),
                            key: key.clone(),
                            existing_pack: existing_pack.clone(),
                            existing_file: existing_file.clone(),
                        });
                    }
                }
            }
        }
        let mut loaded = Vec::with_capacity(library.packs.len());
        for (pack, catalog) in library.packs {
            self.packs.insert(pack.name.clone(), file.to_owned());
            for section in &pack.catalog_extensions {
                let keys = std::iter::once(&section.key).chain(section.rights.iter().map(|r| &r.key));
                for key in keys {
                    self.keys.insert(key.clone(), (pack.name.clone(), file.to_owned()));
                }
            }
            loaded.push(LoadedPack { file: file.to_owned(), plugin: Arc::clone(&library.plugin), pack, catalog });
        }
        Ok(loaded)
    }
}
